"""Upgrade the database to the newest migration; the application calls this on start."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _upgrade(connection: Connection, revision: str) -> None:
    """Runs the migrations; on SQLite with foreign keys off, as rebuilding a table requires.

    SQLite rebuilds a table to change its constraints (copy, drop, rename); with
    foreign keys on, dropping the old table would delete or refuse the rows that
    point at it. The switch only works outside a transaction, so it is set on the
    raw connection first; the keys are checked before they are turned back on.
    """
    sqlite = connection.dialect.name == "sqlite"
    raw = connection.connection.dbapi_connection if sqlite else None

    def pragma(sql: str) -> list[Any]:
        assert raw is not None  # called on SQLite only
        cursor = raw.cursor()
        try:
            cursor.execute(sql)
            return list(cursor.fetchall())
        finally:
            cursor.close()

    if sqlite:
        pragma("PRAGMA foreign_keys=OFF")
    try:
        with connection.begin():
            command.upgrade(alembic_config(connection), revision)
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                if broken:
                    raise RuntimeError(f"Migration left {len(broken)} rows pointing at missing records: {broken[:5]}")
    finally:
        if sqlite:
            pragma("PRAGMA foreign_keys=ON")


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    async with engine.connect() as conn:
        await conn.run_sync(lambda sync_conn: _upgrade(sync_conn, revision))


@lru_cache(maxsize=1)
def _scripts() -> ScriptDirectory:
    """The migration scripts of this version of the code, read once per process (they do not change under it)."""
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    return _scripts().get_current_head() or ""


def is_known(revision: str) -> bool:
    """Whether this version of the code has the migration `revision` (a newer bot may have written others)."""
    from alembic.util import CommandError

    try:
        return _scripts().get_revision(revision) is not None
    except CommandError:
        return False


async def current_revision(engine: AsyncEngine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    async with engine.connect() as conn:
        return await conn.run_sync(lambda c: MigrationContext.configure(c).get_current_revision())
