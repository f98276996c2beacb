"""report facts, session of a role, a source's address note

Revision ID: 0005_report_facts
Revises: 0006_layers
Create Date: 2026-12-02 02:45:00.000000

`report_facts` holds what a document says (a report's mechanisms, bodies,
recommendations and findings per pillar, a concept note's questions, a list of
commentary), each with a verbatim excerpt. `roles.session` says which session
of a meeting a role belongs to; `source_documents.address_note` where a
source's address comes from, or why it has none. The new table joins the
layered knowledge tables whose changes start a new knowledge generation of
their layer (see 0006_layers).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0005_report_facts'
down_revision: Union[str, None] = '0006_layers'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

GENERATION_KEY = "knowledge_generation"


def _sqlite_bump(row: str) -> str:
    return (
        f"INSERT INTO store_meta (key, value) VALUES ('{GENERATION_KEY}:' || {row}.layer, lower(hex(randomblob(8)))) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value;"
    )


def upgrade() -> None:
    op.create_table('report_facts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('layer', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('dialogue_id', sa.Integer(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('document', sa.String(length=40), nullable=False),
    sa.Column('pillar', sa.Integer(), nullable=True),
    sa.Column('section', sa.String(length=200), nullable=True),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('ordinal', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.String(length=400), nullable=False),
    sa.Column('excerpt', sa.Text(), nullable=False),
    sa.Column('origin', sa.Enum('seed', 'admin', name='origin', native_enum=False, length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['actors.id'], name=op.f('fk_report_facts_actor_id_actors')),
    sa.ForeignKeyConstraint(['dialogue_id'], ['dialogues.id'], name=op.f('fk_report_facts_dialogue_id_dialogues'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_id'], ['source_documents.id'], name=op.f('fk_report_facts_source_id_source_documents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_facts')),
    sa.UniqueConstraint('layer', 'source_id', 'kind', 'subject', name=op.f('uq_report_facts_layer_source_id_kind_subject'))
    )
    with op.batch_alter_table('report_facts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_facts_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_facts_dialogue_id'), ['dialogue_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_facts_layer'), ['layer'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_facts_origin'), ['origin'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_facts_source_id'), ['source_id'], unique=False)
    with op.batch_alter_table('roles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session', sa.String(length=40), nullable=True))
    with op.batch_alter_table('source_documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('address_note', sa.String(length=300), nullable=True))
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for event, rows in (("INSERT", ("NEW",)), ("UPDATE", ("OLD", "NEW")), ("DELETE", ("OLD",))):
            body = " ".join(_sqlite_bump(row) for row in rows)
            op.execute(
                f"CREATE TRIGGER knowledge_generation_report_facts_{event.lower()} AFTER {event} ON report_facts "
                f"BEGIN {body} END"
            )
    elif dialect == "postgresql":  # the function 0006_layers made
        op.execute(
            "CREATE TRIGGER knowledge_generation_report_facts AFTER INSERT OR UPDATE OR DELETE ON report_facts "
            "FOR EACH ROW EXECUTE FUNCTION knowledge_generation_bump()"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS knowledge_generation_report_facts_{event}")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS knowledge_generation_report_facts ON report_facts")
    with op.batch_alter_table('source_documents', schema=None) as batch_op:
        batch_op.drop_column('address_note')
    with op.batch_alter_table('roles', schema=None) as batch_op:
        batch_op.drop_column('session')
    with op.batch_alter_table('report_facts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_facts_source_id'))
        batch_op.drop_index(batch_op.f('ix_report_facts_origin'))
        batch_op.drop_index(batch_op.f('ix_report_facts_layer'))
        batch_op.drop_index(batch_op.f('ix_report_facts_dialogue_id'))
        batch_op.drop_index(batch_op.f('ix_report_facts_actor_id'))
    op.drop_table('report_facts')
