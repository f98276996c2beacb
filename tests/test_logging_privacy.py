"""What people type stays out of the logs: database errors hide bound values, aiosqlite's DEBUG log stays off."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import text

from bot.logs import setup as _logging
from bot.config import Settings

pytestmark = pytest.mark.sqlite_only("fails the database with a SQLite trigger and reads aiosqlite's log")

SECRET = "Zyxwvutian Republic"


def _formatted(records: list[logging.LogRecord]) -> str:
    formatter = logging.Formatter("%(levelname)s %(name)s: %(message)s")
    return "\n".join(formatter.format(r) for r in records)


async def _failing_admin_add(console, caplog) -> str:
    """Adds an actor while the store refuses every new actor (a trigger), as an unexpected database error."""
    async with console.bot.store.engine.begin() as conn:
        await conn.execute(text("CREATE TRIGGER refuse BEFORE INSERT ON actors BEGIN SELECT RAISE(ABORT, 'refused'); END"))
    with caplog.at_level(logging.INFO):
        outcome = await console.run(f"/admin actor add name:{SECRET} kind:regional_organisation")
    assert outcome.error and "Something went wrong" in outcome.events[-1].message.data["embeds"][0]["title"]
    logged = [r for r in caplog.records if r.exc_info and "Unexpected error" in r.getMessage()]
    assert logged, "the unexpected error was not logged with its traceback"
    return _formatted(logged)


async def test_a_database_error_is_logged_without_the_users_text(console, caplog):
    logged = await _failing_admin_add(console, caplog)
    assert "IntegrityError" in logged and "refused" in logged
    assert SECRET not in logged


@pytest.fixture
async def console_showing_parameters(db_url, tmp_path):
    from bot.client import BriefingBot
    from bot.console import Console

    settings = Settings(database_url=db_url, console_output_dir=tmp_path / "out", _env_file=None,
                        log_sql_parameters=True)
    console = Console(BriefingBot(settings), settings.console_output_dir)
    await console.start()
    yield console
    await console.close()


async def test_sql_parameters_are_logged_only_when_asked_for(console_showing_parameters, caplog):
    assert SECRET in await _failing_admin_add(console_showing_parameters, caplog)


@pytest.fixture
def restore_levels():
    names = ("aiosqlite", "discord")
    saved = {n: logging.getLogger(n).level for n in names}
    yield
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)


async def test_aiosqlite_statement_log_stays_off_at_debug(store, caplog, restore_levels):
    _logging(Settings(log_level="DEBUG", _env_file=None))
    with caplog.at_level(logging.DEBUG):
        async with store.engine.connect() as conn:
            await conn.execute(text("SELECT :typed"), {"typed": SECRET})
    assert SECRET not in _formatted(caplog.records)

    _logging(Settings(log_level="DEBUG", log_sql_parameters=True, _env_file=None))
    with caplog.at_level(logging.DEBUG):
        async with store.engine.connect() as conn:
            await conn.execute(text("SELECT :typed"), {"typed": SECRET})
    assert SECRET in _formatted(caplog.records)
