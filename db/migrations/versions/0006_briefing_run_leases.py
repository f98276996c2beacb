"""who holds a claimed briefing run, and until when

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 02:50:00

A claimed run records the process that claimed it (`claimed_by`: host, process id
and a token) and a lease (`lease_until`) that process renews while it posts. A run
still claimed when its owner is gone is resolved by the next scheduler: recorded
if the post is in the channel, otherwise posted once within the grace window.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


revision: str = '0006'
down_revision: Union[str, None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('briefing_runs') as batch:
        batch.add_column(sa.Column('claimed_by', sa.String(length=120), nullable=True))
        batch.add_column(sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('briefing_runs') as batch:
        batch.drop_column('lease_until')
        batch.drop_column('claimed_by')
