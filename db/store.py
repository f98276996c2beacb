"""The store the application talks to: engine, sessions and in-memory name indexes."""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from db import backups, migrate
from db.engine import Sessions, create_engine, session_factory
from db.models import StoreMeta
from db.names import NameIndex
from db.queries.actors import load_actor_index
from db.queries.dialogues import dialogue_years
from db.queries.themes import load_theme_index
from db.seeding import CHECKSUM_KEY, SEED_DIR, SeedReport, checksum, seed
from db.startup_lock import startup_lock
from db.storage import RESTORE, StoreUnavailable, fault_of

log = logging.getLogger(__name__)


@dataclass
class Store:
    engine: AsyncEngine
    sessions: Sessions  # sessions() reads, sessions.begin() writes
    actors: NameIndex = field(default_factory=lambda: NameIndex([]))
    themes: NameIndex = field(default_factory=lambda: NameIndex([]))
    years: tuple[int, ...] = ()
    detailed_years: tuple[int, ...] = ()
    seed_report: SeedReport | None = None

    async def refresh_indexes(self) -> None:
        """Reload the name indexes; call after anything changes actors, themes or dialogues."""
        from db.queries.dialogues import list_dialogues

        async with self.sessions() as session:
            self.actors = await load_actor_index(session)
            self.themes = await load_theme_index(session)
            dialogues = await list_dialogues(session)
        self.years = tuple(d.year for d in dialogues)
        self.detailed_years = tuple(d.year for d in dialogues if d.detailed)

    async def close(self) -> None:
        await self.engine.dispose()


async def open_store(
    url: str,
    *,
    seed_dir: Path = SEED_DIR,
    seed_data: bool = True,
    show_sql_parameters: bool = False,
    keep_backups: int = backups.DEFAULT_KEEP,
) -> Store:
    """Checks the store, migrates it to head and seeds it when the dataset changed (backing it up before
    either, under the start-up lock), and loads indexes.

    Raises `StoreUnavailable`, with one line saying what is wrong and what to do, when the
    file is missing but has backups, is damaged, read-only, on a full disk, or from a newer
    version of the bot.
    """
    path = backups.sqlite_file(url)
    if path is not None and not path.exists():
        _refuse_if_backups_exist(path)
    engine = create_engine(url, show_parameters=show_sql_parameters)
    try:
        store = Store(engine, session_factory(engine))
        async with startup_lock(engine):
            await _check_integrity(engine, path)
            await _migrate(engine, path, keep_backups)
            if seed_data:
                if path is not None and await _reseed_due(store, seed_dir):
                    await _backup(path, "before-reseed", keep_backups)
                store.seed_report = await seed(store.sessions, seed_dir)
        await store.refresh_indexes()
    except BaseException as error:
        await engine.dispose()
        fault = fault_of(error) if isinstance(error, (DBAPIError, OSError)) else None
        if fault is not None:
            raise StoreUnavailable(fault.line(str(path or url))) from error
        raise
    if path is not None and not _writable(path):
        log.warning("%s is read-only: every command that reads works; every change will be refused", path)
    log.info("Store ready: %d actors, %d themes, %d meetings", len(store.actors), len(store.themes), len(store.years))
    return store


def _refuse_if_backups_exist(path: Path) -> None:
    found = backups.list_backups(path)
    if found:
        raise StoreUnavailable(
            f"The store {path} is missing, but {len(found)} backup(s) of it exist in {backups.folder(path)} "
            f"(newest: {found[0].name}). Restore it with `./manage.sh restore`; to start over from the dataset "
            f"alone (every admin record lost), move {backups.folder(path)} away first."
        )


async def _check_integrity(engine: AsyncEngine, path: Path | None) -> None:
    if engine.dialect.name != "sqlite":
        return
    async with engine.connect() as conn:
        rows = (await conn.execute(text("PRAGMA quick_check(3)"))).scalars().all()
    problems = [str(r).replace("\n", " ") for r in rows if r != "ok"]
    if problems:
        raise StoreUnavailable(f"{path} is damaged (SQLite's check: {'; '.join(problems)[:200]}). {RESTORE}")


async def _migrate(engine: AsyncEngine, path: Path | None, keep: int) -> None:
    current, head = await migrate.current_revision(engine), migrate.head_revision()
    if current == head:
        return
    if current is not None and not migrate.is_known(current):
        raise StoreUnavailable(
            f"{path or engine.url} was written by a newer version of the bot (schema {current}; this version "
            f"knows up to {head}). Run the newer version, or restore a backup made before it with "
            "`./manage.sh restore FILE`."
        )
    if current is not None and path is not None:
        await _backup(path, "before-migration", keep)
    await migrate.upgrade(engine)


async def _reseed_due(store: Store, seed_dir: Path) -> bool:
    """Whether seeding will change a store seeded before (a new store has nothing to back up)."""
    async with store.sessions() as session:
        meta = await session.get(StoreMeta, CHECKSUM_KEY)
    return meta is not None and meta.value != checksum(seed_dir)


async def _backup(path: Path, reason: str, keep: int) -> None:
    try:
        await asyncio.to_thread(backups.take, path, reason, keep=keep)
    except (OSError, DBAPIError, sqlite3.Error) as error:
        fault = fault_of(error)
        why = fault.problem.format(path=backups.folder(path)) if fault else str(error)
        raise StoreUnavailable(
            f"Could not back up {path} before changing it ({why}); nothing was changed. "
            f"Make {backups.folder(path)} writable and free some disk space, then start again."
        ) from error


def _writable(path: Path) -> bool:
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


__all__ = ["Store", "open_store", "dialogue_years"]
