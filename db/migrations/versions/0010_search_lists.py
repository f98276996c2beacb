"""each common word's best passages, beside SQLite's full-text index

FTS5 scores every passage a word matches to rank them, about a microsecond each, so
a search for a word in 20,000 passages took 27 ms at the benchmark's synthetic scale.
These tables keep each common stem's best passages with FTS5's scores, and the words
that stem to it; db.search_lists fills them, db.queries.search reads them. PostgreSQL
ranks with its own index and has no such tables.

Revision ID: 0010_search_lists
Revises: 0009_layer_indexes
"""

from __future__ import annotations

from typing import Sequence, Union

from alembic import op

revision: str = "0010_search_lists"
down_revision: Union[str, None] = "0009_layer_indexes"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(
        "CREATE TABLE passages_fts_words (word TEXT PRIMARY KEY, stem TEXT NOT NULL, "
        "matched INTEGER NOT NULL, passages INTEGER NOT NULL) WITHOUT ROWID"
    )
    op.execute(
        "CREATE TABLE passages_fts_best (stem TEXT NOT NULL, place INTEGER NOT NULL, passage_id INTEGER NOT NULL, "
        "score REAL NOT NULL, PRIMARY KEY (stem, place)) WITHOUT ROWID"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TABLE passages_fts_best")
    op.execute("DROP TABLE passages_fts_words")
    op.execute("DELETE FROM store_meta WHERE key = 'search_lists'")
