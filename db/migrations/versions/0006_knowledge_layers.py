"""knowledge in layers: the shared base and each server's own

Revision ID: 0006_layers
Revises: 0006
Create Date: 2026-12-02 02:50:00.000000

Every knowledge record gets a `layer`: 0 for the shared base (the seed and what
curator servers record), a guild id for one server's own records. Natural keys
become unique per layer, so a server can hold its own version of a shared
record; `hidden_records` lists the shared records a server removed or replaced.
The knowledge generation is kept per layer (`knowledge_generation:<layer>` in
`store_meta`), so a change in one server's layer leaves every other layer's
cached answers and name indexes valid.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


revision: str = '0006_layers'
down_revision: Union[str, None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

LAYERED_TABLES = (
    "source_documents", "dialogues", "dialogue_claims", "actors", "actor_aliases", "themes", "statements",
    "statement_behalf", "roles", "positions", "unnamed_claims", "pillars", "pillar_contributions", "quotes", "passages",
)
# natural keys that become unique per layer: table -> [(old columns), ...]
UNIQUE_KEYS = {
    "source_documents": [("key",)],
    "dialogues": [("year",)],
    "actors": [("name",), ("iso3",)],
    "actor_aliases": [("folded",)],
    "themes": [("slug",)],
    "statements": [("dialogue_id", "actor_id", "source_id")],
    "roles": [("dialogue_id", "actor_id", "role")],
    "positions": [("actor_id", "theme_id", "dialogue_id", "excerpt")],
    "pillars": [("number",)],
    "pillar_contributions": [("pillar_id", "ordinal")],
}
COVERING = {  # positions' covering indexes, now led by the layer: a server's reads never scan other servers' rows
    "ix_positions_dialogue_theme_actor_partial": ("dialogue_id", "theme_id", "actor_id", "partial"),
    "ix_positions_theme_dialogue_actor_partial": ("theme_id", "dialogue_id", "actor_id", "partial"),
}


def _layered_index(name: str) -> str:
    return name.replace("ix_positions_", "ix_positions_layer_")
OLD_KEY = "knowledge_generation"
GENERATION_TABLES = LAYERED_TABLES + ("hidden_records",)


def _uq(table: str, columns: tuple[str, ...]) -> str:
    return f"uq_{table}_{'_'.join(columns)}"


def _sqlite_bump(row: str) -> str:
    return (
        f"INSERT INTO store_meta (key, value) VALUES ('{OLD_KEY}:' || {row}.layer, lower(hex(randomblob(8)))) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value;"
    )


def _create_generation_triggers(dialect: str) -> None:
    if dialect == "sqlite":
        for table in GENERATION_TABLES:
            for event, rows in (("INSERT", ("NEW",)), ("UPDATE", ("OLD", "NEW")), ("DELETE", ("OLD",))):
                body = " ".join(_sqlite_bump(row) for row in rows)
                op.execute(
                    f"CREATE TRIGGER knowledge_generation_{table}_{event.lower()} AFTER {event} ON {table} "
                    f"BEGIN {body} END"
                )
    elif dialect == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION knowledge_generation_bump() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN "
            "IF TG_OP <> 'INSERT' THEN "
            f"INSERT INTO store_meta (key, value) VALUES ('{OLD_KEY}:' || OLD.layer, md5(random()::text)) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value; END IF; "
            "IF TG_OP <> 'DELETE' THEN "
            f"INSERT INTO store_meta (key, value) VALUES ('{OLD_KEY}:' || NEW.layer, md5(random()::text)) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value; END IF; "
            "RETURN NULL; END $$"
        )
        for table in GENERATION_TABLES:
            op.execute(
                f"CREATE TRIGGER knowledge_generation_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION knowledge_generation_bump()"
            )


def _drop_generation_triggers(dialect: str, tables: Sequence[str]) -> None:
    for table in tables:
        if dialect == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS knowledge_generation_{table} ON {table}")
        for event in ("insert", "update", "delete"):
            if dialect == "sqlite":
                op.execute(f"DROP TRIGGER IF EXISTS knowledge_generation_{table}_{event}")
            elif dialect == "postgresql":
                op.execute(f"DROP TRIGGER IF EXISTS knowledge_generation_{table}_{event} ON {table}")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    # the per-table triggers of 0004 would not survive SQLite's table rebuilds below
    _drop_generation_triggers(dialect, LAYERED_TABLES)
    for table in LAYERED_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("layer", sa.BigInteger(), server_default="0", nullable=False))
            batch_op.create_index(f"ix_{table}_layer", ["layer"], unique=False)
            for columns in UNIQUE_KEYS.get(table, ()):
                batch_op.drop_constraint(_uq(table, columns), type_="unique")
                batch_op.create_unique_constraint(_uq(table, ("layer", *columns)), ["layer", *columns])
            if table == "positions":
                for name, columns in COVERING.items():
                    batch_op.drop_index(name)
                    batch_op.create_index(_layered_index(name), ["layer", *columns], unique=False)
    op.create_table(
        "hidden_records",
        sa.Column("layer", sa.BigInteger(), nullable=False),
        sa.Column("table_name", sa.String(length=64), nullable=False),
        sa.Column("row_id", sa.Integer(), nullable=False),
        sa.Column("replaced_by", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("layer", "table_name", "row_id", name=op.f("pk_hidden_records")),
    )
    op.execute(f"DELETE FROM store_meta WHERE key = '{OLD_KEY}'")
    op.execute(f"INSERT INTO store_meta (key, value) VALUES ('{OLD_KEY}:0', 'migrated-0006')")
    _create_generation_triggers(dialect)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    _drop_generation_triggers(dialect, GENERATION_TABLES)
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS knowledge_generation_bump()")
    op.drop_table("hidden_records")
    for table in LAYERED_TABLES:
        op.execute(f"DELETE FROM {table} WHERE layer <> 0")
        with op.batch_alter_table(table, schema=None) as batch_op:
            if table == "positions":
                for name, columns in COVERING.items():
                    batch_op.drop_index(_layered_index(name))
                    batch_op.create_index(name, list(columns), unique=False)
            for columns in UNIQUE_KEYS.get(table, ()):
                batch_op.drop_constraint(_uq(table, ("layer", *columns)), type_="unique")
                batch_op.create_unique_constraint(_uq(table, columns), list(columns))
            batch_op.drop_index(f"ix_{table}_layer")
            batch_op.drop_column("layer")
    op.execute(f"DELETE FROM store_meta WHERE key LIKE '{OLD_KEY}:%'")
    if dialect == "sqlite":
        op.execute(f"INSERT INTO store_meta (key, value) VALUES ('{OLD_KEY}', lower(hex(randomblob(8))))")
        for table in LAYERED_TABLES:
            for event in ("INSERT", "UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER knowledge_generation_{table}_{event.lower()} AFTER {event} ON {table} "
                    f"BEGIN UPDATE store_meta SET value = lower(hex(randomblob(8))) WHERE key = '{OLD_KEY}'; END"
                )
