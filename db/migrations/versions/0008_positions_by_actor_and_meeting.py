"""positions found by actor and meeting together

What one actor raised at one meeting ("What did Belarus say in 2023?", an actor's
profile at a year) was found through the index on `actor_id` alone, and every
position of that actor at every meeting was read to keep one meeting's: with
every meeting fully recorded, a thousand rows for twenty. The index on
(`actor_id`, `dialogue_id`) finds them directly and still serves the actor alone.

Revision ID: 0008_positions_actor_dialogue
Revises: 0007_generation_at_commit
"""

from __future__ import annotations

from typing import Sequence, Union

from alembic import op

revision: str = "0008_positions_actor_dialogue"
down_revision: Union[str, None] = "0007_generation_at_commit"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index("ix_positions_actor_dialogue", "positions", ["actor_id", "dialogue_id"])
    op.drop_index("ix_positions_actor_id", table_name="positions")


def downgrade() -> None:
    op.create_index("ix_positions_actor_id", "positions", ["actor_id"])
    op.drop_index("ix_positions_actor_dialogue", table_name="positions")
