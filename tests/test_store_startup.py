"""Starting on a store: two bots at once, storage faults in one line, backups before changes and on demand."""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import event, select

from bot.config import PROJECT_ROOT, get_settings
from db import backups, migrate
from db import models as m
from db.engine import create_engine
from db.seeding import SEED_DIR
from db.storage import StoreUnavailable
from db.store import open_store
from tests.conftest import sqlite_url

OPEN_AND_CLOSE = """
import asyncio, sys
from pathlib import Path
from db.store import open_store

async def main():
    store = await open_store(sys.argv[1], seed_dir=Path(sys.argv[2]))
    await store.close()

asyncio.run(main())
"""


def _start_together(url: str, seed_dir: Path, copies: int = 3) -> list[subprocess.CompletedProcess[str]]:
    processes = [
        subprocess.Popen([sys.executable, "-c", OPEN_AND_CLOSE, url, str(seed_dir)], cwd=PROJECT_ROOT,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(copies)
    ]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return results


def _changed_dataset(tmp_path: Path) -> Path:
    copy = tmp_path / "seed"
    shutil.copytree(SEED_DIR, copy)
    with (copy / "themes.yaml").open("a", encoding="utf-8") as themes:
        themes.write("\n# an edit: the dataset changed\n")
    return copy


@pytest.mark.processes
def test_bots_starting_at_once_on_a_new_store_and_after_a_dataset_change_all_start(databases, tmp_path):
    url = databases.empty()
    for seed_dir in (SEED_DIR, _changed_dataset(tmp_path)):
        for result in _start_together(url, seed_dir):
            assert result.returncode == 0, result.stderr[-2000:]


# -- faults at start-up: one line, what is wrong and what to do -----------------------------------------------


def _not_a_database(path: Path) -> None:
    path.write_text("name,stance\nCuba,supports\n" * 200)


def _truncated(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 7])


def _random_bytes_in_the_middle(path: Path) -> None:
    """Random bytes over the middle pages of a table's records: the file opens, SQLite's check finds them.

    (Pages of the schema itself lie between tables' pages; damaging those makes the file unopenable.)
    """
    with sqlite3.connect(path) as conn:
        pages = [n for (n,) in conn.execute("SELECT pageno FROM dbstat WHERE name = 'passages' ORDER BY pageno")]
        size = conn.execute("PRAGMA page_size").fetchone()[0]
    with path.open("r+b") as file:
        for page in pages[len(pages) // 4 : len(pages) * 3 // 4]:
            file.seek((page - 1) * size)
            file.write(os.urandom(size))


def _from_a_newer_version(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")


FAULTS = [
    (_not_a_database, ["is not a SQLite database", "./manage.sh restore"]),
    (_truncated, ["is damaged", "./manage.sh restore"]),
    (_random_bytes_in_the_middle, ["is damaged", "SQLite's check", "./manage.sh restore"]),
    (_from_a_newer_version, ["newer version of the bot", "9999_from_the_future", "./manage.sh restore"]),
]


@pytest.mark.parametrize("damage, expected", FAULTS, ids=[f.__name__.strip("_") for f, _ in FAULTS])
async def test_a_faulty_store_is_refused_with_one_line_saying_what_to_do(db_path, damage, expected):
    damage(db_path)
    with pytest.raises(StoreUnavailable) as refused:
        await open_store(sqlite_url(db_path))
    line = str(refused.value)
    assert "\n" not in line and str(db_path) in line
    for words in expected:
        assert words in line


async def test_a_read_only_store_that_needs_an_upgrade_says_so(tmp_path):
    path = tmp_path / "old.sqlite3"
    engine = create_engine(sqlite_url(path))
    await migrate.upgrade(engine, "0003")
    await engine.dispose()
    with pytest.raises(StoreUnavailable) as refused:
        await open_store(f"sqlite+aiosqlite:///file:{path}?mode=ro&uri=true")
    assert "is read-only. Make the file, and the folder it is in, writable" in str(refused.value)


def _bot(*args: str, env: dict[str, str], limit_file_size: int | None = None) -> subprocess.CompletedProcess[str]:
    def limit() -> None:
        if limit_file_size is not None:  # the disk fills up: writes past this size fail (Python ignores SIGXFSZ)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_size, limit_file_size))

    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=PROJECT_ROOT, env={**os.environ, **env},
                          capture_output=True, text=True, timeout=120, preexec_fn=limit)


@pytest.mark.processes
def test_the_bot_exits_with_one_line_and_no_traceback(db_path, tmp_path):
    _not_a_database(db_path)
    result = _bot("console", "-c", "/sources", env={"DATABASE_URL": sqlite_url(db_path)})
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "Traceback" not in result.stderr
    assert "is not a SQLite database" in result.stderr

    full = _bot("console", "-c", "/sources", env={"DATABASE_URL": sqlite_url(tmp_path / "new.sqlite3")},
                limit_file_size=150_001)
    assert full.returncode == 2, full.stderr[-2000:]
    assert full.stderr.strip().count("\n") == 0 and "Traceback" not in full.stderr
    assert "is full" in full.stderr or "disk I/O error" in full.stderr


# -- faults while running: changes are refused in words, reads go on ----------------------------------------------


async def test_changes_to_a_read_only_store_say_they_cannot_be_saved(db_path, tmp_path):
    from bot.client import BriefingBot
    from bot.config import Settings
    from bot.console import Console

    url = f"sqlite+aiosqlite:///file:{db_path}?mode=ro&uri=true"
    settings = Settings(database_url=url, console_output_dir=tmp_path / "out", _env_file=None)
    console = Console(BriefingBot(settings), settings.console_output_dir)
    await console.start()
    try:
        assert not (await console.run("/state profile state:Cuba")).error
        outcome = await console.run("/admin actor add name:Atlantis Watch kind:civil_society")
        embed = outcome.events[-1].message.data["embeds"][0]
        assert outcome.error and embed["title"] == "Cannot save changes"
        assert "read-only" in embed["description"] and "nothing was changed" in embed["description"]
    finally:
        await console.close()


async def test_changes_on_a_full_disk_say_so(console, db_path):
    engine = console.bot.store.engine
    await engine.dispose()
    with contextlib.closing(sqlite3.connect(db_path, isolation_level=None)) as conn:
        conn.execute("VACUUM")  # pages packed: a long new record needs a new page

    @event.listens_for(engine.sync_engine, "connect")
    def no_room_to_grow(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        # no larger than it is now: a new page gets SQLite's "database or disk is full", as on a full disk
        dbapi_connection.execute("PRAGMA max_page_count = 1")

    await engine.dispose()
    for n in range(30):  # the first few may still fit in pages' free space
        outcome = await console.run(
            f"/admin theme add slug:early-warning-apps-{n} name:Early-warning apps {n} || "
            f"description:{'Apps that warn communities. ' * 35} keywords:apps, phones"
        )
        if outcome.error:
            break
    embed = outcome.events[-1].message.data["embeds"][0]
    assert outcome.error and embed["title"] == "Cannot save changes", embed
    assert "out of disk space" in embed["description"]


# -- backups ----------------------------------------------------------------------------------------------------


async def test_a_migration_is_preceded_by_a_backup(tmp_path):
    path = tmp_path / "old.sqlite3"
    engine = create_engine(sqlite_url(path))
    await migrate.upgrade(engine, "0003")
    await engine.dispose()
    store = await open_store(sqlite_url(path))
    await store.close()
    [backup] = backups.list_backups(path)
    assert backup.name.endswith("-before-migration.sqlite3")
    with sqlite3.connect(backup) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0003",)


async def test_a_reseed_is_preceded_by_a_backup_and_an_unchanged_start_takes_none(db_path, tmp_path):
    store = await open_store(sqlite_url(db_path))
    await store.close()
    assert backups.list_backups(db_path) == []
    store = await open_store(sqlite_url(db_path), seed_dir=_changed_dataset(tmp_path))
    await store.close()
    [backup] = backups.list_backups(db_path)
    assert backup.name.endswith("-before-reseed.sqlite3") and backups.check(backup) is None


def test_backups_are_bounded_and_the_daily_one_is_taken_once_a_day(db_path):
    for _ in range(5):
        backups.take(db_path, "manual", keep=3)
    assert len(backups.list_backups(db_path)) == 3
    shutil.rmtree(backups.folder(db_path))
    assert backups.take_if_due(db_path) is not None
    assert backups.take_if_due(db_path) is None
    assert len(backups.list_backups(db_path)) == 1


@pytest.fixture
def cli(db_path, monkeypatch, capsys):
    """`python -m bot …` in this process, on the test's store."""
    from bot.__main__ import main

    monkeypatch.setenv("DATABASE_URL", sqlite_url(db_path))
    get_settings.cache_clear()

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    yield run
    get_settings.cache_clear()


async def _actor_names(path: Path) -> set[str]:
    store = await open_store(sqlite_url(path))
    async with store.sessions() as session:
        names = set(await session.scalars(select(m.Actor.name)))
    await store.close()
    return names


async def test_backup_and_restore_from_the_command_line(db_path, cli):
    before = await _actor_names(db_path)
    code, out, _ = cli("backup")
    assert code == 0 and "Backed up" in out
    with sqlite3.connect(db_path) as conn:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("DELETE FROM actors")
    assert await _actor_names(db_path) == set()
    code, out, _ = cli("restore")
    assert code == 0 and "Restored" in out and "kept as" in out
    assert await _actor_names(db_path) == before
    code, out, _ = cli("backup", "--list")
    listed = out.split()
    assert len(listed) == 2 and listed[0].endswith("-before-restore.sqlite3") and listed[1].endswith("-manual.sqlite3")


async def test_a_missing_store_with_backups_is_refused_loudly_until_restored(db_path, cli):
    before = await _actor_names(db_path)
    cli("backup")
    db_path.unlink()
    with pytest.raises(StoreUnavailable) as refused:
        await open_store(sqlite_url(db_path))
    assert "is missing, but 1 backup(s)" in str(refused.value) and "./manage.sh restore" in str(refused.value)
    code, out, _ = cli("restore")
    assert code == 0
    assert await _actor_names(db_path) == before


async def test_a_damaged_store_is_moved_aside_when_a_backup_is_restored(db_path, cli):
    cli("backup")
    _not_a_database(db_path)
    code, out, _ = cli("restore")
    assert code == 0 and ".damaged-" in out
    assert (await _actor_names(db_path))


def test_restore_refuses_a_file_that_is_not_a_sound_backup(db_path, tmp_path, cli):
    junk = tmp_path / "junk.sqlite3"
    _not_a_database(junk)
    code, _, err = cli("restore", str(junk))
    assert code == 2 and "is not a sound backup" in err and err.count("\n") == 1


def test_a_store_in_a_folder_without_backups_starts_as_before(tmp_path):
    """A new store (no backups anywhere) is created, migrated and seeded without a backup."""
    path = tmp_path / "fresh" / "store.sqlite3"

    async def start() -> None:
        store = await open_store(sqlite_url(path))
        await store.close()

    import asyncio

    asyncio.run(start())
    assert path.exists() and backups.list_backups(path) == []
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM actors").fetchone()[0] > 100
