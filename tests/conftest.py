"""Shared fixtures: a real store, migrated and seeded once, copied per test.

SQLite files by default. With TEST_DATABASE_URL=postgresql+asyncpg://user@host/db the suite runs on
that PostgreSQL server instead: it creates its own databases there (named after this process, so
several runs can share a server), uses the one in the URL only to create and drop them, and drops
them all at the end.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import itertools
import os
import shutil
import sys
import threading
from pathlib import Path
from typing import Any, Awaitable, Callable, Iterator

import pytest
import pytest_asyncio
from sqlalchemy.engine import URL, make_url

from db.store import Names, Store, open_store

# Bytecode caching on, here and in the processes the tests start, even where the environment turns it off
# (PYTHONDONTWRITEBYTECODE): every start of the bot imports its cogs and migration scripts anew, and
# compiling them from source each time cost about a sixth of the suite's CPU.
sys.dont_write_bytecode = False
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

# The tests make and drop millions of small objects (statements, rows, Hypothesis examples); with the
# collector's first threshold at 100,000 instead of 700 it runs far less often: 9 % less CPU.
gc.set_threshold(100_000, 50, 100)

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "").strip()
ON_POSTGRESQL = make_url(TEST_DATABASE_URL).get_backend_name() == "postgresql" if TEST_DATABASE_URL else False


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture(scope="session", autouse=True)
def one_chart_worker_per_test_process() -> Iterator[None]:
    """The bots the tests start and close share one chart worker, as one long-running bot would.

    Each bot's close stops the worker (`ChartDrawer.shutdown`), and the next chart started a new
    one: about 3 s of CPU each time (matplotlib, the fonts), a fifth of the suite's. Here closing
    forgets what the worker drew instead, so each test still starts with nothing drawn; the worker
    itself stops when the tests end. `tests/test_chart.py` stops and kills drawers of its own.
    """
    from bot.render import chart

    stop = chart.DRAWER.shutdown
    chart.DRAWER.shutdown = lambda wait=2.0: chart.DRAWER.forget()  # type: ignore[method-assign]
    try:
        yield
    finally:
        stop()


def pytest_report_header(config: pytest.Config) -> str:
    if ON_POSTGRESQL:
        return f"database: {make_url(TEST_DATABASE_URL).render_as_string(hide_password=True)}"
    return "database: sqlite"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only(reason): the test is about SQLite itself; skipped on PostgreSQL")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not ON_POSTGRESQL:
        return
    for item in items:
        marker = item.get_closest_marker("sqlite_only")
        if marker is not None:
            reason = marker.args[0] if marker.args else "about SQLite itself"
            item.add_marker(pytest.mark.skip(reason=f"SQLite only: {reason}"))


def _run(coro_factory: Callable[[], Awaitable[Any]]) -> Any:
    """Runs a coroutine to completion on a thread of its own: works inside and outside a running loop."""
    result: list[Any] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            result.append(asyncio.run(coro_factory()))  # type: ignore[arg-type]
        except BaseException as error:  # noqa: BLE001 - re-raised in the caller
            errors.append(error)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return result[0] if result else None


class PostgresServer:
    """This run's databases on the server TEST_DATABASE_URL names.

    Creating a database takes seconds (the server syncs it to disk), so seeded databases are
    kept in a pool: one a test has finished with is put back in the seeded state (every table
    emptied and refilled from a pristine copy kept in its schema `pristine`, in one transaction)
    for the next test.
    """

    PREFIX = "rtop_test_"

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self.prefix = f"{self.PREFIX}{os.getpid()}_"
        self.names = itertools.count(1)
        self.created: list[str] = []
        self.template: str | None = None
        self.restore_sql = ""
        self.free: list[str] = []

    def url_of(self, database: str) -> str:
        url: URL = self.url.set(database=database)
        return url.render_as_string(hide_password=False)

    async def _connect(self, database: str | None = None):  # type: ignore[no-untyped-def]
        import asyncpg

        u = self.url
        return await asyncpg.connect(user=u.username, password=u.password, host=u.host or "127.0.0.1",
                                     port=u.port or 5432, database=database or u.database or "postgres")

    def execute(self, *statements: str, database: str | None = None) -> list[Any]:
        async def run() -> list[Any]:
            conn = await self._connect(database)
            try:
                return [await conn.fetch(statement) for statement in statements]
            finally:
                await conn.close()

        return _run(run)

    def drop_abandoned(self) -> None:
        """Drops the databases of earlier runs on this machine whose process is gone."""
        rows = self.execute(f"SELECT datname FROM pg_database WHERE datname LIKE '{self.PREFIX}%'")[0]
        for (name,) in rows:
            pid = name[len(self.PREFIX):].split("_", 1)[0]
            if pid.isdigit() and not _alive(int(pid)):
                self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def create(self, template: str | None = None, label: str = "db") -> str:
        name = f"{self.prefix}{label}_{next(self.names)}"
        self.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        self.created.append(name)
        return name

    def keep_pristine_copy(self, template: str) -> None:
        """Copies every table of the seeded template into schema `pristine` and writes the SQL that restores them."""
        from db.schema import metadata

        tables = [t.name for t in metadata.sorted_tables]  # parents before children
        columns: dict[str, list[str]] = {}
        for table, column in self.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND is_generated = 'NEVER' ORDER BY ordinal_position",
            database=template,
        )[0]:
            columns.setdefault(table, []).append(f'"{column}"')
        copies = ["CREATE SCHEMA pristine"] + [f'CREATE TABLE pristine."{t}" AS TABLE public."{t}"' for t in tables]
        self.execute(*copies, database=template)
        # DELETE, not TRUNCATE: for tables this small it is several times faster
        script = [f'DELETE FROM public."{t}"' for t in reversed(tables)]
        for table in tables:
            if table == "store_meta":
                continue
            names = ", ".join(columns[table])
            script.append(f'INSERT INTO public."{table}" ({names}) SELECT {names} FROM pristine."{table}"')
            if '"id"' in columns[table]:
                script.append(f"SELECT setval(pg_get_serial_sequence('public.{table}', 'id'), "
                              f'coalesce(max(id), 0) + 1, false) FROM public."{table}"')
        # last, as it was: the triggers of the statements above wrote knowledge generations into it
        script.append('DELETE FROM public."store_meta"')
        script.append('INSERT INTO public."store_meta" SELECT * FROM pristine."store_meta"')
        self.restore_sql = ";\n".join(script)
        self.template = template

    def seeded(self) -> str:
        """A database in the seeded state: one from the pool, restored, or a new copy of the template."""
        assert self.template is not None
        if not self.free:
            return self.create(template=self.template)
        name = self.free.pop()
        terminate = ("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                     f"WHERE datname = '{name}' AND pid <> pg_backend_pid()")
        self.execute(terminate, database=name)  # anything a test left connected

        async def restore() -> None:
            conn = await self._connect(name)
            try:
                await conn.execute(self.restore_sql)
            finally:
                await conn.close()

        _run(restore)
        return name

    def release(self, name: str) -> None:
        self.free.append(name)

    def drop(self, name: str) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if name in self.created:
            self.created.remove(name)

    def drop_all(self) -> None:
        for name in list(reversed(self.created)):
            self.drop(name)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer | None]:
    if not ON_POSTGRESQL:
        yield None
        return
    server = PostgresServer(TEST_DATABASE_URL)
    server.drop_abandoned()
    yield server
    server.drop_all()


class Databases:
    """Fresh databases for one test: seeded copies of the template, or empty ones; dropped or pooled afterwards."""

    def __init__(self, template: str, tmp_path: Path, server: PostgresServer | None) -> None:
        self.template = template
        self.tmp_path = tmp_path
        self.server = server
        self.names = itertools.count(1)
        self.seeded_here: list[str] = []
        self.empty_here: list[str] = []

    def seeded(self) -> str:
        """The URL of a new copy of the migrated and seeded template."""
        if self.server is None:
            target = self.tmp_path / f"store-{next(self.names)}.sqlite3"
            shutil.copy(self.template, target)
            return sqlite_url(target)
        name = self.server.seeded()
        self.seeded_here.append(name)
        return self.server.url_of(name)

    def empty(self) -> str:
        """The URL of a new database with nothing in it."""
        if self.server is None:
            return sqlite_url(self.tmp_path / f"empty-{next(self.names)}.sqlite3")
        name = self.server.create(label="empty")
        self.empty_here.append(name)
        return self.server.url_of(name)

    def close(self) -> None:
        if self.server is not None:
            for name in self.seeded_here:
                self.server.release(name)
            for name in self.empty_here:
                self.server.drop(name)


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory, postgres: PostgresServer | None) -> str:
    """A database migrated to head and seeded from `seed/`, built once per run: a file path or a database name."""

    async def build(url: str) -> None:
        store = await open_store(url)
        await store.close()

    if postgres is None:
        path = tmp_path_factory.mktemp("template") / "template.sqlite3"
        asyncio.run(build(sqlite_url(path)))
        return str(path)
    name = postgres.create(label="template")
    _run(lambda: build(postgres.url_of(name)))
    postgres.keep_pristine_copy(name)
    return name


@pytest.fixture(scope="session")
def seeded_template_url(seeded_template: str, postgres: PostgresServer | None) -> str:
    """The URL of the seeded template itself, for tests that only read it."""
    return sqlite_url(Path(seeded_template)) if postgres is None else postgres.url_of(seeded_template)


@pytest.fixture(scope="session")
def base_names(seeded_template: str, tmp_path_factory: pytest.TempPathFactory, postgres: PostgresServer | None) -> Names:
    """The name indexes of a seeded store's shared base, loaded once per run: tests that only resolve names share them."""
    found = Databases(seeded_template, tmp_path_factory.mktemp("names"), postgres)

    async def load() -> Names:
        store = await open_store(found.seeded())
        try:
            return await store.names(None)
        finally:
            await store.close()

    try:
        return _run(load)  # type: ignore[no-any-return]
    finally:
        found.close()


@pytest.fixture
def databases(seeded_template: str, tmp_path: Path, postgres: PostgresServer | None) -> Iterator[Databases]:
    found = Databases(seeded_template, tmp_path, postgres)
    yield found
    found.close()


@pytest.fixture
def db_url(databases: Databases) -> str:
    """A fresh migrated and seeded store for this test (SQLite file or PostgreSQL database)."""
    return databases.seeded()


@pytest.fixture
def db_path(db_url: str) -> Path:
    """The SQLite file behind `db_url`, for tests about SQLite itself (mark them sqlite_only)."""
    if ON_POSTGRESQL:
        pytest.skip("SQLite only: uses the database file")
    return Path(make_url(db_url).database or "")


@pytest.fixture
async def store(db_url: str) -> Store:
    store = await open_store(db_url)
    yield store
    await store.close()


@pytest.fixture
async def console(db_url: str, tmp_path: Path):
    """The real bot (every cog, transformer, check and renderer) driven offline."""
    async with started_console(db_url, tmp_path) as console:
        yield console


@contextlib.asynccontextmanager
async def started_console(db_url: str, folder: Path):  # type: ignore[no-untyped-def]
    """The offline console on the store at `db_url`, saving its files under `folder`; closed afterwards."""
    from bot.client import BriefingBot
    from bot.config import Settings
    from bot.console import Console

    settings = Settings(database_url=db_url, console_output_dir=folder / "out", _env_file=None)
    console = Console(BriefingBot(settings), settings.console_output_dir)
    await console.start()
    try:
        yield console
    finally:
        await console.close()


@pytest.fixture
async def double(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """The local Discord double on 127.0.0.1, discord.py pointed at it; a test that provokes refusals clears them."""
    from tests.discord_double.harness import started_double

    async with started_double(monkeypatch) as double:
        yield double
    assert double.rejections == [], double.rejections


@pytest.fixture
async def live(double, db_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The real bot connected to the double, commands synced, with a fresh seeded store."""
    from tests.discord_double.harness import db_settings, running_bot

    async with running_bot(double, db_settings(db_url, tmp_path)) as running:
        yield running


# One console for a module of tests that only read: they share its store and caches, so a test that used it
# to change a record would change what the others see. Such tests run on the module's event loop:
# mark them `@pytest.mark.asyncio(loop_scope="module")`.
READS_ONLY = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def reading_console(seeded_template: str, tmp_path_factory: pytest.TempPathFactory,
                          postgres: PostgresServer | None):  # type: ignore[no-untyped-def]
    """The real bot driven offline, as `console`, once for every test of the module that only reads."""
    folder = tmp_path_factory.mktemp("reading-console")
    found = Databases(seeded_template, folder, postgres)
    try:
        async with started_console(found.seeded(), folder) as console:
            yield console
    finally:
        found.close()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def reading_live(seeded_template: str, tmp_path_factory: pytest.TempPathFactory,
                       postgres: PostgresServer | None):  # type: ignore[no-untyped-def]
    """The real bot connected to the double, as `live`, once for every test of the module that only reads."""
    from tests.discord_double.harness import db_settings, running_bot, started_double

    folder = tmp_path_factory.mktemp("reading-live")
    found = Databases(seeded_template, folder, postgres)
    try:
        with pytest.MonkeyPatch.context() as monkeypatch:
            async with started_double(monkeypatch) as double:
                async with running_bot(double, db_settings(found.seeded(), folder)) as running:
                    yield running
                assert double.rejections == [], double.rejections
    finally:
        found.close()
