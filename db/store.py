"""The store the application talks to: engine, sessions and in-memory name indexes."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from db import migrate
from db.engine import Sessions, create_engine, session_factory
from db.names import NameIndex
from db.queries.actors import load_actor_index
from db.queries.dialogues import dialogue_years
from db.queries.themes import load_theme_index
from db.seeding import SEED_DIR, SeedReport, seed

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
    url: str, *, seed_dir: Path = SEED_DIR, seed_data: bool = True, show_sql_parameters: bool = False
) -> Store:
    """Migrates the database to head, seeds it when the dataset changed, and loads indexes."""
    engine = create_engine(url, show_parameters=show_sql_parameters)
    await migrate.upgrade(engine)
    store = Store(engine, session_factory(engine))
    if seed_data:
        store.seed_report = await seed(store.sessions, seed_dir)
    await store.refresh_indexes()
    log.info("Store ready: %d actors, %d themes, %d meetings", len(store.actors), len(store.themes), len(store.years))
    return store


__all__ = ["Store", "open_store", "dialogue_years"]
