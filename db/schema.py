"""All tables, for Alembic and the schema tests: importing this registers every model."""

from db import briefing_models, models  # noqa: F401  (imported for their tables)
from db.models import FTS_TABLE, Base

metadata = Base.metadata

__all__ = ["FTS_TABLE", "metadata"]
