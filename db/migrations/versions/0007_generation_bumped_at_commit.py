"""On PostgreSQL a transaction bumps each knowledge generation it changed once, as it commits.

Every change to the records bumps its layer's generation (`knowledge_generation:<layer>` in
`store_meta`), so every process rebuilds its name indexes and cached answers. The triggers
wrote that row for each row changed: a transaction locked its layer's generation row from
its first write to its commit, and every other writer in the layer waited behind it, as
long as an import of thousands of rows took. Now:

* a row trigger only marks the layer changed in this transaction (a transaction-local
  setting, `rtop.pending_<layer>`, no lock), which `db.queries.cache.generations` reads, so
  the transaction's own reads never share cached answers with others;
* a deferred constraint trigger bumps each changed layer's generation once, at commit, so
  the row is locked only for the end of the commit, and the new generation still becomes
  visible with the rows.

SQLite keeps its triggers: its writers take turns anyway.

Revision ID: 0007_generation_at_commit
Revises: 0005_report_facts
"""

from __future__ import annotations

from typing import Sequence, Union

from alembic import op

revision: str = "0007_generation_at_commit"
down_revision: Union[str, None] = "0005_report_facts"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TABLES = (
    "source_documents", "dialogues", "dialogue_claims", "actors", "actor_aliases", "themes", "statements",
    "statement_behalf", "roles", "positions", "unnamed_claims", "pillars", "pillar_contributions", "quotes", "passages",
    "hidden_records", "report_facts",
)


def _on_each_layer(call: str) -> str:
    return (
        f"BEGIN IF TG_OP <> 'INSERT' THEN PERFORM {call.format(layer='OLD.layer')}; END IF; "
        f"IF TG_OP <> 'DELETE' THEN PERFORM {call.format(layer='NEW.layer')}; END IF; RETURN NULL; END"
    )


FUNCTIONS = (
    "CREATE OR REPLACE FUNCTION knowledge_generation_bump_once(changed bigint) RETURNS void LANGUAGE plpgsql AS $$ "
    "BEGIN "
    "IF current_setting('rtop.bumped_' || changed, true) = 'yes' THEN RETURN; END IF; "
    "INSERT INTO store_meta (key, value) VALUES ('knowledge_generation:' || changed, md5(random()::text)) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value; "
    "PERFORM set_config('rtop.bumped_' || changed, 'yes', true); "
    "END $$",
    "CREATE OR REPLACE FUNCTION knowledge_generation_mark() RETURNS trigger LANGUAGE plpgsql AS $$ "
    + _on_each_layer("set_config('rtop.pending_' || {layer}, txid_current()::text, true)") + " $$",
    "CREATE OR REPLACE FUNCTION knowledge_generation_bump_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$ "
    + _on_each_layer("knowledge_generation_bump_once({layer})") + " $$",
)


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    for function in FUNCTIONS:
        op.execute(function)
    for table in TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS knowledge_generation_{table} ON {table}")
        op.execute(
            f"CREATE TRIGGER knowledge_generation_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION knowledge_generation_mark()"
        )
        op.execute(
            f"CREATE CONSTRAINT TRIGGER knowledge_generation_{table}_at_commit AFTER INSERT OR UPDATE OR DELETE "
            f"ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION knowledge_generation_bump_at_commit()"
        )


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS knowledge_generation_{table}_at_commit ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS knowledge_generation_{table} ON {table}")
        op.execute(
            f"CREATE TRIGGER knowledge_generation_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION knowledge_generation_bump()"
        )
    for name in ("knowledge_generation_bump_at_commit()", "knowledge_generation_mark()",
                 "knowledge_generation_bump_once(bigint)"):
        op.execute(f"DROP FUNCTION IF EXISTS {name}")
