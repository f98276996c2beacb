"""no layer-only index where a unique key or another index starts with the layer

SQLite's sampled statistics (`PRAGMA analysis_limit`, db/store.py) take a column
that nearly every row shares (the layer: most rows are the shared base's) for a
selective one, and the planner then read an actor's positions through the
layer-only index: every position of every actor, 66 ms at 200,000 positions,
where the unique key (layer, actor, …) finds them in 5. Where a table's unique
key or another index starts with the layer it serves every read by layer, so the
layer-only index goes; the tables without such a key keep theirs.

Revision ID: 0009_layer_indexes
Revises: 0008_positions_actor_dialogue
"""

from __future__ import annotations

from typing import Sequence, Union

from alembic import op

revision: str = "0009_layer_indexes"
down_revision: Union[str, None] = "0008_positions_actor_dialogue"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TABLES = ("source_documents", "dialogues", "actors", "actor_aliases", "themes", "statements", "roles", "positions",
          "pillars", "pillar_contributions", "report_facts")


def upgrade() -> None:
    for table in TABLES:
        op.drop_index(f"ix_{table}_layer", table_name=table)


def downgrade() -> None:
    for table in TABLES:
        op.create_index(f"ix_{table}_layer", table, ["layer"])
