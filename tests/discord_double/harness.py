"""Starts the real bot against the double: same cogs, same setup, over sockets on 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import AsyncIterator, Callable

import discord
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.client import BriefingBot
from bot.config import Settings
from bot.render import chart
from tests.discord_double.server import MANAGE_GUILD, MEMBER_PERMISSIONS, DiscordDouble, User

MEMBER = User(id=5001, name="campaigner")
OTHER_MEMBER = User(id=5002, name="someone-else")
ADMIN = User(id=5003, name="coalition-admin", permissions=MEMBER_PERMISSIONS | MANAGE_GUILD)


class ErrorLog(logging.Handler):
    """Collects every ERROR record, so tests can assert no unhandled exception was logged."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class Running:
    double: DiscordDouble
    bot: BriefingBot
    errors: ErrorLog
    task: asyncio.Task[None]


def point_discord_py_at(double: DiscordDouble, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(Route, "BASE", double.base)
    monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", discord.gateway.yarl.URL(double.gateway_url))


def make_bot(settings: Settings, clock=None) -> BriefingBot:  # type: ignore[no-untyped-def]
    bot = BriefingBot(settings, clock=clock) if clock else BriefingBot(settings)
    bot._connection.guild_ready_timeout = 0.05  # the double sends every guild at once
    return bot


class FakeClock:
    """A clock that moves only when told: `clock()` is the fake now, and `sleep()` moves it on instead of waiting."""

    def __init__(self, start: datetime) -> None:
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> datetime:
        return self.now

    def set(self, moment: datetime) -> None:
        self.now = moment

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += timedelta(seconds=seconds)
        await asyncio.sleep(0)


async def until(condition: Callable[[], bool], timeout: float = 10.0, what: str = "the condition") -> None:
    """Waits, looking every 10 ms, until `condition()` holds; fails after `timeout` seconds saying what it waited for."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + timeout
    while not condition():
        if loop.time() > give_up:
            raise AssertionError(f"waited {timeout} s for {what}")
        await asyncio.sleep(0.01)


class Polls:
    """The running bot's briefing scheduler, polling every few milliseconds instead of every 30 s, its polls counted.

    `settled()` is the explicit wait before "nothing more was posted": the scheduler has polled a few more times
    with no post under way, so whatever was due at the clock's time has been posted.
    """

    PAUSE = 0.01

    def __init__(self, running: Running) -> None:
        scheduler = running.bot.scheduler
        assert scheduler is not None, "the briefing cog did not start the scheduler"
        self.scheduler = scheduler
        self.count = 0
        scheduler.sleep = self._sleep

    async def _sleep(self, seconds: float) -> None:
        self.count += 1
        await asyncio.sleep(min(seconds, self.PAUSE))

    def _posting(self) -> bool:
        return any(not task.done() for task in self.scheduler._posting)

    async def settled(self, polls: int = 3, timeout: float = 10.0) -> None:
        target = self.count + polls
        await until(lambda: self.count >= target and not self._posting(), timeout, f"{polls} more scheduler polls")


READY_TIMEOUT = 15.0  # connect, identify, receive the guilds
SYNC_TIMEOUT = 10.0
STOP_TIMEOUT = 5.0  # each of: closing the bot, its connect task, the double


async def wait_until_connected(bot: BriefingBot, task: asyncio.Task[None], timeout: float = READY_TIMEOUT) -> None:
    """Waits for READY, failing at once if the bot's connect task ends first (a start-up error)."""
    ready = asyncio.create_task(bot.wait_until_ready(), name="bot-ready")
    try:
        await asyncio.wait({ready, task}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        if ready.done():
            ready.result()
            return
        if task.done():
            task.result()  # raises what stopped the bot
            raise RuntimeError("the bot stopped before it was ready")
        raise TimeoutError(f"the bot was not ready within {timeout} s")
    finally:
        ready.cancel()


async def stop_bot(bot: BriefingBot, task: asyncio.Task[None] | None) -> None:
    """Closes the bot, its connect task and its chart worker, each within STOP_TIMEOUT, whatever fails."""
    try:
        with contextlib.suppress(Exception, asyncio.TimeoutError):
            await asyncio.wait_for(bot.close(), STOP_TIMEOUT)
        if task is not None:
            if not task.done():
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(task, STOP_TIMEOUT)
    finally:
        chart.DRAWER.shutdown()


@contextlib.asynccontextmanager
async def running_bot(double: DiscordDouble, settings: Settings, *, sync: bool = True,
                      clock=None) -> AsyncIterator[Running]:  # type: ignore[no-untyped-def]
    """The bot started as `python -m bot` starts it, connected to the double, commands synced."""
    errors = ErrorLog()
    logging.getLogger().addHandler(errors)
    bot = make_bot(settings, clock)
    task: asyncio.Task[None] | None = None
    try:
        # What bot.start does, in two steps: login (setup_hook: store, cogs) must have run before
        # wait_until_ready, and since Python 3.12 wait_for runs its coroutine at once, in this task.
        await asyncio.wait_for(bot.login("double-token"), READY_TIMEOUT)
        task = asyncio.create_task(bot.connect(), name="bot-under-test")
        await wait_until_connected(bot, task)
        if sync:
            await asyncio.wait_for(bot.tree.sync(), SYNC_TIMEOUT)
        yield Running(double, bot, errors, task)
    finally:
        try:
            await stop_bot(bot, task)
        finally:
            logging.getLogger().removeHandler(errors)


@contextlib.asynccontextmanager
async def started_double(monkeypatch) -> AsyncIterator[DiscordDouble]:  # type: ignore[no-untyped-def]
    """A double listening on 127.0.0.1 with discord.py pointed at it; stopped within STOP_TIMEOUT."""
    double = DiscordDouble()
    await asyncio.wait_for(double.start(), STOP_TIMEOUT)
    point_discord_py_at(double, monkeypatch)
    try:
        yield double
    finally:
        await asyncio.wait_for(double.stop(), STOP_TIMEOUT)


@contextlib.asynccontextmanager
async def live_bot(db_url: str | Path, tmp_path: Path, monkeypatch) -> AsyncIterator[Running]:  # type: ignore[no-untyped-def]
    """A double on 127.0.0.1 and the bot connected to it with the store at `db_url`: what the end-to-end tests use."""
    async with started_double(monkeypatch) as double, running_bot(double, db_settings(db_url, tmp_path)) as running:
        yield running


def db_settings(db_url: str | Path, tmp_path: Path, **extra) -> Settings:  # type: ignore[no-untyped-def]
    """Settings for a store at `db_url` (a URL, or the path of a SQLite file)."""
    url = db_url if isinstance(db_url, str) else f"sqlite+aiosqlite:///{db_url}"
    return Settings(database_url=url, console_output_dir=tmp_path / "out",
                    _env_file=None, **extra)
