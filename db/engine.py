"""Async engine and session factory for the SQLite store."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

BUSY_TIMEOUT_MS = 5000
# Connections kept open, each with its own aiosqlite thread and SQLite page cache. SQLite
# answers reads on as many threads at once, but every row comes back through the one
# event loop: past a few connections more threads only contend for the interpreter lock
# and hold more memory. With 50 people at once on the synthetic store, 4 connections (no
# overflow) answered more interactions a second than 2 or 15, in 40 MB less (benchmarks/).
POOL_SIZE = 4


def _ensure_sqlite_folder(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    # Let SQLAlchemy, not the driver, issue BEGIN: otherwise a SAVEPOINT opened before
    # the driver's implicit BEGIN would commit on RELEASE (the import dry run relies on this).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _on_begin(connection) -> None:  # type: ignore[no-untyped-def]
    connection.exec_driver_sql("BEGIN")


def create_engine(url: str) -> AsyncEngine:
    """An engine with WAL journal, foreign keys and a busy timeout on every connection."""
    _ensure_sqlite_folder(url)
    pooled = make_url(url).database not in (None, "", ":memory:")  # an in-memory database has one connection
    pool = {"pool_size": POOL_SIZE, "max_overflow": 0} if pooled else {}
    engine = create_async_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000}, **pool)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _on_connect)
        event.listen(engine.sync_engine, "begin", _on_begin)
    return engine


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
