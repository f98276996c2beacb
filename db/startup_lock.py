"""One start-up at a time per store: migrating and seeding run under a lock, so two bots starting at once
(a new store, or a dataset change) take turns instead of failing with "database is locked".

Each dialect brings its own lock (`LOCKS`): SQLite a file lock next to the store;
PostgreSQL a session advisory lock on a connection of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import fcntl
import logging
import os
from pathlib import Path
from typing import AsyncIterator, Callable

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from db.backups import sqlite_file
from db.storage import StoreUnavailable

log = logging.getLogger(__name__)

WAIT_SECONDS = 600.0  # a migration of a large store can take minutes; past this, something is stuck
POLL_SECONDS = 0.05


def lock_file(store: Path) -> Path:
    return store.with_name(store.name + ".lock")


@contextlib.asynccontextmanager
async def _sqlite_file_lock(engine: AsyncEngine) -> AsyncIterator[None]:
    store = sqlite_file(str(engine.url))
    if store is None:  # in memory: one process only
        yield
        return
    path = lock_file(store)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):  # nothing can be written, so nothing to serialise
            log.warning("Cannot create %s (%s): starting without the start-up lock", path, error.strerror)
            yield
            return
        raise
    try:
        waited = 0.0
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if waited == 0.0:
                    log.info("Another copy of the bot is migrating or seeding %s; waiting for it", store)
                if waited >= WAIT_SECONDS:
                    raise StoreUnavailable(
                        f"Another process has held {path} for {WAIT_SECONDS:.0f} s while starting on {store}. "
                        "If no other copy of the bot is starting, stop the stuck one and start again."
                    ) from None
                await asyncio.sleep(POLL_SECONDS)
                waited += POLL_SECONDS
        yield
    finally:
        os.close(fd)  # closing releases the lock


# Any 64-bit number the bot alone uses: the advisory lock that start-ups on one database take in turn.
ADVISORY_LOCK_KEY = 0x52746F5000000001


@contextlib.asynccontextmanager
async def _postgresql_advisory_lock(engine: AsyncEngine) -> AsyncIterator[None]:
    # Held by the session, not a transaction, so migrate and seed commit on their own connections
    # while it is held; the server releases it if this process dies.
    async with engine.connect() as conn:
        locked = (await conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY})).scalar()
        if not locked:
            log.info("Another copy of the bot is migrating or seeding %s; waiting for it", engine.url.database)
            await conn.execute(text(f"SET lock_timeout = {int(WAIT_SECONDS * 1000)}"))  # then fail, not hang
            await conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
        await conn.commit()
        try:
            yield
        finally:
            await conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY})
            await conn.commit()


LOCKS: dict[str, Callable[[AsyncEngine], contextlib.AbstractAsyncContextManager[None]]] = {
    "sqlite": _sqlite_file_lock,
    "postgresql": _postgresql_advisory_lock,
}


@contextlib.asynccontextmanager
async def startup_lock(engine: AsyncEngine) -> AsyncIterator[None]:
    """Held around migrate + seed. A dialect without an entry in `LOCKS` starts unlocked."""
    lock = LOCKS.get(engine.dialect.name)
    if lock is None:
        yield
        return
    async with lock(engine):
        yield
