"""Async engines and session factories for the store: SQLite (the default) or PostgreSQL.

Reads and writes start their transactions differently. A read (`sessions()`) is a
deferred transaction, so readers never wait for each other or for a writer. A write
(`sessions.begin()`) takes SQLite's write lock when it starts (BEGIN IMMEDIATE), waiting
up to the busy timeout for another writer: a deferred transaction that reads and then
writes fails at once with "database is locked" when another connection wrote in
between, because SQLite cannot upgrade its snapshot. Within one process writers also
queue on a lock, so a waiting writer does not hold a pooled connection.
"""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, AsyncIterator, Callable

from sqlalchemy import Engine, event
from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.pool import StaticPool
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from db.layers import LAYER
from db.models import BASE_LAYER
from db.sqlite_driver import one_trip_dbapi

BUSY_TIMEOUT_MS = 5000
# Connections kept open, each with its own aiosqlite thread and SQLite page cache. SQLite
# answers reads on as many threads at once, but every row comes back through the one
# event loop: past a few connections more threads only contend for the interpreter lock
# and hold more memory. With 50 people at once on the synthetic store, 4 connections (no
# overflow) answered more interactions a second than 2 or 15, in 40 MB less (benchmarks/).
POOL_SIZE = 4
# PostgreSQL answers on its own processes, so more connections help while a few are busy;
# several bot processes (shards) share one server's max_connections (100 by default).
PG_POOL_SIZE = 5
PG_MAX_OVERFLOW = 5
WRITE_OPTION = "store_write"  # execution option of a write transaction's connection


def _ensure_sqlite_folder(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _on_connect(dbapi_connection: Any, _record: Any) -> None:  # the driver's connection (sqlite3 under aiosqlite)
    # Let SQLAlchemy, not the driver, issue BEGIN: otherwise a SAVEPOINT opened before
    # the driver's implicit BEGIN would commit on RELEASE (the import dry run relies on this).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _on_begin(connection: Connection) -> None:
    write = connection.get_execution_options().get(WRITE_OPTION, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def sqlite_file(engine: AsyncEngine) -> str | None:
    """The file of a SQLite store (None for another database, or one in memory)."""
    url = engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return str(Path(url.database).expanduser())


def sync_sqlite_engine(connect: Callable[[], sqlite3.Connection]) -> Engine:
    """A synchronous engine over one SQLite connection, set up as the store's connections are."""
    engine = sa_create_engine("sqlite://", creator=connect, poolclass=StaticPool, hide_parameters=True)
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine
def _strip_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, (list, tuple)):
        return type(value)(_strip_nul(v) for v in value)
    if isinstance(value, dict):
        return {k: _strip_nul(v) for k, v in value.items()}
    return value


def _without_nul(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
                 executemany: bool) -> tuple[str, Any]:
    # PostgreSQL's text cannot hold NUL (SQLite's can). Whatever a user typed or an import file
    # held, either store keeps (and compares) it without the NULs, so no input can fail a query.
    return statement, _strip_nul(parameters)


def is_postgresql(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def create_engine(url: str, *, show_parameters: bool = False) -> AsyncEngine:
    """SQLite: WAL journal, foreign keys and a busy timeout on every connection. PostgreSQL: a pool.

    Database errors leave out the statement's bound parameters (people's text) unless `show_parameters`.
    """
    if is_postgresql(url):
        engine = create_async_engine(url, pool_size=PG_POOL_SIZE, max_overflow=PG_MAX_OVERFLOW, pool_pre_ping=True,
                                     hide_parameters=not show_parameters)
    else:
        _ensure_sqlite_folder(url)
        pooled = make_url(url).database not in (None, "", ":memory:")  # an in-memory database has one connection
        pool = {"pool_size": POOL_SIZE, "max_overflow": 0} if pooled else {}
        driver = {"module": one_trip_dbapi()} if make_url(url).get_driver_name() == "aiosqlite" else {}
        engine = create_async_engine(
            url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000}, hide_parameters=not show_parameters, **pool, **driver
        )
        event.listen(engine.sync_engine, "connect", _on_connect)
        event.listen(engine.sync_engine, "begin", _on_begin)
    event.listen(engine.sync_engine, "before_cursor_execute", _without_nul, retval=True)
    return engine


class Sessions(async_sessionmaker[AsyncSession]):
    """`sessions()` for reads; `sessions.begin()` for a write transaction, committed when the block ends.

    Both read the shared base unless told otherwise (`db.layers.set_layer`).
    """

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(engine, expire_on_commit=False, info={LAYER: BASE_LAYER})
        self._writes = async_sessionmaker(
            engine.execution_options(**{WRITE_OPTION: True}), expire_on_commit=False, info={LAYER: BASE_LAYER}
        )
        self._turn = asyncio.Lock() if engine.dialect.name == "sqlite" else None  # SQLite has one writer at a time

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """This process's turn to write, for a writer with a connection of its own."""
        if self._turn is None:
            yield
            return
        async with self._turn:
            yield

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[AsyncSession]:  # type: ignore[override]  # a context manager, as the base's
        if self._turn is None:
            async with self._writes.begin() as session:
                yield session
            return
        async with self._turn:
            async with self._writes.begin() as session:
                yield session


def session_factory(engine: AsyncEngine) -> Sessions:
    return Sessions(engine)


def read_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for reads that build one answer from several queries: each sees one snapshot.

    A SQLite transaction already does. PostgreSQL's default (READ COMMITTED) gives every
    statement a new snapshot, so these run at REPEATABLE READ; writes stay at READ COMMITTED,
    where a compare-and-set that lost a race updates no row instead of failing.
    """
    if engine.dialect.name == "postgresql":
        return async_sessionmaker(engine.execution_options(isolation_level="REPEATABLE READ"), expire_on_commit=False)
    return session_factory(engine)
