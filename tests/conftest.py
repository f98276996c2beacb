"""Shared fixtures: a real SQLite store, migrated and seeded once, copied per test."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from db.store import Store, open_store


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database file migrated to head and seeded from `seed/`, built once per run."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"

    async def build() -> None:
        store = await open_store(sqlite_url(path))
        await store.close()

    asyncio.run(build())
    return path


@pytest.fixture
def db_path(seeded_template: Path, tmp_path: Path) -> Path:
    target = tmp_path / "store.sqlite3"
    shutil.copy(seeded_template, target)
    return target


@pytest.fixture
async def store(db_path: Path) -> Store:
    store = await open_store(sqlite_url(db_path))
    yield store
    await store.close()


@pytest.fixture
async def console(db_path: Path, tmp_path: Path):
    """The real bot (every cog, transformer, check and renderer) driven offline."""
    from bot.client import BriefingBot
    from bot.config import Settings
    from bot.console import Console

    settings = Settings(database_url=sqlite_url(db_path), console_output_dir=tmp_path / "out", _env_file=None)
    console = Console(BriefingBot(settings), settings.console_output_dir)
    await console.start()
    yield console
    await console.close()
