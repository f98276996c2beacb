"""seed suppressions remember the admin record that corrects a seed record

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 02:40:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0005'
down_revision: Union[str, None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('seed_suppressions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('replaced_by_id', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('seed_suppressions', schema=None) as batch_op:
        batch_op.drop_column('replaced_by_id')
