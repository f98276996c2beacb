"""Alembic environment: runs on the application's connection, or on DATABASE_URL from the CLI."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from db.schema import FTS_TABLE, metadata

target_metadata = metadata


def include_object(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
    # FTS5 virtual tables and their shadow tables are managed by hand in migrations.
    if type_ == "table" and name and name.startswith(FTS_TABLE):
        return False
    return True


def _configure(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=include_object,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        return
    from bot.config import get_settings

    url = get_settings().database_url.replace("+aiosqlite", "")
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as conn:
        _configure(conn)
        conn.commit()


run()
