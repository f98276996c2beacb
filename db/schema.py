"""All tables, for Alembic and the schema tests: importing this registers every model."""

from typing import Any

from db import briefing_models, models  # noqa: F401  (imported for their tables)
from db.models import FTS_TABLE, PG_SEARCH_COLUMN, Base

metadata = Base.metadata


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """What autogenerate compares: not the full-text indexes, which the migrations manage by hand
    (SQLite's FTS5 virtual table and its shadow tables, PostgreSQL's tsvector column and GIN index)."""
    if type_ == "table" and name and name.startswith(FTS_TABLE):
        return False
    if type_ == "column" and name == PG_SEARCH_COLUMN and obj.table.name == "passages":
        return False
    return not (type_ == "index" and name == f"ix_passages_{PG_SEARCH_COLUMN}")

__all__ = ["FTS_TABLE", "PG_SEARCH_COLUMN", "include_object", "metadata"]
