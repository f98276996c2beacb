"""The store the application talks to: engine, sessions and in-memory name indexes per knowledge layer."""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
from collections import OrderedDict
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import AsyncIterator, Awaitable, Callable, Concatenate, ParamSpec, TypeVar

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from db import backups, migrate
from db.engine import Sessions, create_engine, read_session_factory, session_factory
from db.layers import layer_of, set_layer
from db.models import BASE_LAYER, StoreMeta
from db.names import NameIndex
from db.queries.actors import load_actor_index
from db.queries.cache import generations
from db.queries.dialogues import dialogue_years, list_dialogues
from db.queries.themes import load_theme_index
from db.search_lists import refresh_search_lists
from db.seeding import CHECKSUM_KEY, SEED_DIR, SeedReport, checksum, seed
from db.startup_lock import startup_lock
from db.storage import RESTORE, StoreUnavailable, fault_of

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")
MAX_LAYER_NAMES = 64  # servers with records of their own whose name indexes stay in memory (about 0.6 MB each; the base always does)


@dataclass(frozen=True)
class Names:
    """What one layer's options complete and resolve: actors, themes and meeting years."""

    actors: NameIndex
    themes: NameIndex
    years: tuple[int, ...] = ()
    detailed_years: tuple[int, ...] = ()


EMPTY = Names(NameIndex([]), NameIndex([]))


@dataclass
class Store:
    """The records and the name indexes the bot answers from.

    Commands go through `read` and `write`: a function of `db/` that takes a session, and its
    arguments. `reading`/`writing` and `sessions` are for `db/` itself (the admin service,
    imports, seeding), whose steps manage their own transactions.
    """

    engine: AsyncEngine
    sessions: Sessions  # sessions() reads, sessions.begin() writes
    curators: frozenset[int] = frozenset()  # servers whose admins edit the shared base
    base: Names = EMPTY
    seed_report: SeedReport | None = None
    reads: async_sessionmaker[AsyncSession] | None = None  # for answers: one snapshot each (see `reading`)
    _names: OrderedDict[int, tuple[tuple[str | None, str | None], Names]] = field(default_factory=OrderedDict)

    # the base's indexes, for code that reads no server's layer
    @property
    def actors(self) -> NameIndex:
        return self.base.actors

    @property
    def themes(self) -> NameIndex:
        return self.base.themes

    @property
    def years(self) -> tuple[int, ...]:
        return self.base.years

    @property
    def detailed_years(self) -> tuple[int, ...]:
        return self.base.detailed_years

    def layer_of(self, guild_id: int | None) -> int:
        """The layer a server reads and its admins write: the base in DMs and in curator servers."""
        return layer_of(guild_id, self.curators)

    def __post_init__(self) -> None:
        if self.reads is None:
            self.reads = read_session_factory(self.engine)

    async def read(self, guild_id: int | None, query: Callable[Concatenate[AsyncSession, P], Awaitable[T]], /,
                   *args: P.args, **kwargs: P.kwargs) -> T:
        """`query(session, *args, **kwargs)` on what `guild_id` sees, in one snapshot of the records.

        What the commands read through: a query of `db.queries` (or `db.briefings`) that
        builds one answer, however many statements it runs, sees one state of the store.
        """
        async with self.reading(guild_id) as session:
            return await query(session, *args, **kwargs)

    async def write(self, guild_id: int | None, change: Callable[Concatenate[AsyncSession, P], Awaitable[T]], /,
                    *args: P.args, **kwargs: P.kwargs) -> T:
        """`change(session, *args, **kwargs)` in one write transaction in `guild_id`'s layer, committed
        when it returns (rolled back if it raises)."""
        async with self.writing(guild_id) as session:
            return await change(session, *args, **kwargs)

    async def reseed(self, seed_dir: Path = SEED_DIR, *, force: bool = False) -> SeedReport:
        """Seeds the shared base from `seed_dir` in one transaction, unless the dataset is unchanged (or `force`)."""
        async with self.sessions.begin() as session:  # no layer: the seeder keeps server layers apart itself
            report = await seed(session, seed_dir, force=force)
        if not report.skipped:
            log.info("Seeded the store: %d inserted, %d updated, %d deleted, %d admin records kept",
                     report.inserted, report.updated, report.deleted, report.kept_admin)
        self.seed_report = report
        await refresh_search_lists(self.engine)  # after the commit: they are built from the passages as seeded
        return report

    def reading(self, guild_id: int | None) -> AsyncSession:
        """A session that reads what `guild_id` sees: the base and that server's own layer.

        All its queries see the same state of the records (see `read_session_factory`).
        """
        assert self.reads is not None
        session = self.reads()
        set_layer(session.sync_session, self.layer_of(guild_id))
        return session

    @asynccontextmanager
    async def writing(self, guild_id: int | None) -> AsyncIterator[AsyncSession]:
        """A write transaction in `guild_id`'s layer (the base for curators), committed when the block ends."""
        async with self.sessions.begin() as session:
            set_layer(session.sync_session, self.layer_of(guild_id))
            yield session

    async def names(self, guild_id: int | None = None) -> Names:
        """The name indexes `guild_id` sees, rebuilt when the store's generation for its layer changed.

        One small query per call, so a change made by another process on the same
        store is seen on the next command.
        """
        async with self.reading(guild_id) as session:
            layer, base, own = await generations(session, self.layer_of(guild_id))
            held = self._names.get(layer)
            if held is not None and held[0] == (base, own):
                self._names.move_to_end(layer)
                return held[1]
            names = await _load_names(session)
        self._names[layer] = ((base, own), names)
        self._names.move_to_end(layer)
        if layer == BASE_LAYER:
            self.base = names
        while len(self._names) > MAX_LAYER_NAMES:
            oldest = next(k for k in self._names if k != BASE_LAYER)
            del self._names[oldest]
        return names

    async def refresh_indexes(self) -> None:
        """Reload the base's name indexes now and every server's on its next use."""
        self._names.clear()
        await self.names(None)

    async def close(self) -> None:
        await self.engine.dispose()


async def _load_names(session: AsyncSession) -> Names:
    dialogues = await list_dialogues(session)
    return Names(
        actors=await load_actor_index(session),
        themes=await load_theme_index(session),
        years=tuple(d.year for d in dialogues),
        detailed_years=tuple(d.year for d in dialogues if d.detailed),
    )


async def open_store(
    url: str,
    *,
    seed_dir: Path = SEED_DIR,
    seed_data: bool = True,
    show_sql_parameters: bool = False,
    keep_backups: int = backups.DEFAULT_KEEP,
    curators: frozenset[int] = frozenset(),
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
        store = Store(engine, session_factory(engine), curators=curators)
        async with startup_lock(engine):
            await _check_integrity(engine, path)
            await _migrate(engine, path, keep_backups)
            if seed_data:
                if path is not None and await _reseed_due(store, seed_dir):
                    await _backup(path, "before-reseed", keep_backups)
                await store.reseed(seed_dir)
            await refresh_statistics(engine)
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


ANALYSIS_LIMIT = 1000  # rows sampled per index: enough for the planner to tell a selective index, in milliseconds


async def refresh_statistics(engine: AsyncEngine) -> None:
    """Tells SQLite's query planner how the records are spread (a sampled ANALYZE), at every start.

    Without statistics the planner guesses, and on a store grown to 200,000 positions it read
    every one of them for one theme's list instead of using the layer-and-theme index.
    PostgreSQL keeps its own (autovacuum). A store that cannot be written keeps the old ones.
    """
    if engine.dialect.name != "sqlite":
        return
    try:
        async with engine.begin() as conn:
            await conn.exec_driver_sql(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
            await conn.exec_driver_sql("ANALYZE")
    except DBAPIError as error:
        log.warning("Could not refresh the query planner's statistics (%s); reads work, maybe slower", error.orig)


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


__all__ = ["Names", "Store", "open_store", "dialogue_years"]
