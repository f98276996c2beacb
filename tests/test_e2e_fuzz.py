"""Fuzzing every command through the double with Hypothesis-generated option values.

Values respect what Discord's client lets a person send (choices, min/max,
lengths) but are otherwise hostile: unicode, very long text, markdown and
mention injection, SQL-looking text, out-of-range years. Every interaction
must be answered within Discord's deadline with a payload the double
accepts, never ping anyone, and log no unhandled exception.

Each leaf command is fuzzed by its own test. `FUZZ_EXAMPLES` (environment)
is the number of interactions in all, shared out evenly (default 320), e.g.
`FUZZ_EXAMPLES=20000 .venv/bin/python -m pytest tests/test_e2e_fuzz.py`.
"""

from __future__ import annotations

import asyncio
import math
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Databases
from tests.discord_double.harness import ADMIN, MEMBER, db_settings, running_bot
from tests.discord_double.server import INTERACTION_DEADLINE, DiscordDouble

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "320"))
HOSTILE = [
    "@everyone", "@here", "<@123456789012345678>", "<@&987654321098765432>", "<#1001>", "**bold** __under__ ~~x~~",
    "`code` ```block```", "'; DROP TABLE actors; --", "\" OR 1=1 --", "veto\" OR * NEAR(", "NULL", "\u0000",
    "🇨🇮 Côte d’Ivoire", "Ｉｖｏｒｙ　Ｃｏａｓｔ", "‮reversed", "\n\n\n", " ", "a" * 300, "2014", "-1", "99999999",
]
text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(min_size=1, max_size=120),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=500, max_size=2000),
    st.builds(lambda a, b: f"{a} {b}", st.sampled_from(HOSTILE), st.text(max_size=40)),
)


@cache
def command_paths() -> tuple[str, ...]:
    """Every leaf slash command of the bot's tree ("theme states", "admin actor add", …), cogs loaded, no store."""
    from discord import app_commands

    from bot.client import BriefingBot, extension_names
    from bot.config import Settings

    async def walk() -> tuple[str, ...]:
        bot = BriefingBot(Settings(_env_file=None))
        for name in extension_names():
            await bot.load_extension(name)
        paths = tuple(c.qualified_name for c in bot.tree.walk_commands() if isinstance(c, app_commands.Command))
        await bot.close()
        return paths

    with ThreadPoolExecutor(1) as thread:  # a loop of its own, also when imported from a running test
        return thread.submit(asyncio.run, walk()).result()


def examples_per_command() -> int:
    return max(1, math.ceil(FUZZ_EXAMPLES / len(command_paths())))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "path" in metafunc.fixturenames:
        metafunc.parametrize("path", command_paths())


class LiveBot:
    """The bot and the double on an event loop in a background thread, so Hypothesis can drive them."""

    def __init__(self, settings_) -> None:  # type: ignore[no-untyped-def]
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.settings = settings_
        self.double = DiscordDouble()
        self._context = None
        self.running = None

    def call(self, coroutine, timeout: float = 30):  # type: ignore[no-untyped-def]
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def start(self) -> None:
        self.thread.start()

        async def boot() -> None:
            await self.double.start()
            self._context = running_bot(self.double, self.settings)
            self.running = await self._context.__aenter__()

        self.call(boot())

    def stop(self) -> None:
        async def shutdown() -> None:
            await self._context.__aexit__(None, None, None)
            await self.double.stop()

        self.call(shutdown())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@pytest.fixture(scope="module")
def live(seeded_template, tmp_path_factory, postgres):
    from discord.gateway import DiscordWebSocket
    from discord.http import Route

    folder = tmp_path_factory.mktemp("fuzz")
    databases = Databases(seeded_template, folder, postgres)
    bot = LiveBot(db_settings(databases.seeded(), folder))
    saved = (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY)
    bot.loop.call_soon_threadsafe(lambda: None)
    Route.BASE = "http://127.0.0.1:0"  # replaced once the double knows its port
    original_start = bot.double.start

    async def start_and_point() -> None:
        await original_start()
        Route.BASE = bot.double.base
        import yarl

        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(bot.double.gateway_url)

    bot.double.start = start_and_point  # type: ignore[method-assign]
    bot.start()
    yield bot
    bot.stop()
    Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = saved
    databases.close()


def leaf_commands(double: DiscordDouble) -> list[tuple[str, dict[str, Any]]]:
    """(path, the leaf command's JSON) for every registered slash command."""
    found = []

    def walk(prefix: str, node: dict[str, Any]) -> None:
        subs = [o for o in node.get("options") or [] if o["type"] in (1, 2)]
        if not subs:
            found.append((prefix, node))
        for sub in subs:
            walk(f"{prefix} {sub['name']}", sub)

    for command in double.commands[None]:
        walk(command["name"], command)
    return found


def option_value(draw, option: dict[str, Any], double: DiscordDouble) -> Any:  # type: ignore[no-untyped-def]
    if option.get("choices"):
        return draw(st.sampled_from([c["value"] for c in option["choices"]]))
    kind = option["type"]
    if kind == 3:
        value = draw(text)
        low, high = option.get("min_length", 1), option.get("max_length", 6000)
        value = value[:high]
        return value if len(value) >= low else value + "x" * (low - len(value))
    if kind == 4:
        low, high = option.get("min_value", -(2**53)), option.get("max_value", 2**53)
        return draw(st.one_of(st.integers(low, high), st.sampled_from([v for v in (low, high, 2014, 2031, 1999) if low <= v <= high])))
    if kind == 10:
        return draw(st.floats(allow_nan=False, allow_infinity=False))
    if kind == 5:
        return draw(st.booleans())
    if kind == 7:
        return draw(st.sampled_from(double.channel_ids))
    if kind == 11:
        return ("fuzz.json", draw(st.binary(max_size=200)))
    raise AssertionError(f"no strategy for option type {kind}")


@settings(max_examples=examples_per_command(), deadline=None, suppress_health_check=list(HealthCheck),
          derandomize=True)
@given(data=st.data())
def test_command_survives_hostile_input(live, path, data):
    double = live.double
    command = dict(leaf_commands(double))[path]
    values = {}
    for option in command.get("options") or []:
        if option.get("required") or data.draw(st.booleans(), label=f"give {option['name']}"):
            values[option["name"]] = option_value(data.draw, option, double)
    user = data.draw(st.sampled_from([MEMBER, ADMIN]), label="user")
    autocomplete = [o for o in command.get("options") or [] if o.get("autocomplete")]
    if autocomplete and data.draw(st.booleans(), label="autocomplete"):
        focused = data.draw(st.sampled_from(autocomplete), label="focused")["name"]
        typed = {**values, focused: str(values.get(focused, data.draw(text)))[:100]}
        interaction = live.call(double.autocomplete(user, path, typed, focused))
    else:
        interaction = live.call(double.invoke(user, path, values))
    live.call(interaction.answered(timeout=20))
    assert interaction.latency is not None and interaction.latency < INTERACTION_DEADLINE, (path, values)
    assert interaction.rejected == [], (path, values, interaction.rejected)
    assert double.rejections == [], double.rejections
    unhandled = [r for r in live.running.errors.records if r.exc_info]
    assert unhandled == [], (path, values, [r.getMessage() for r in unhandled])
    live.running.errors.records.clear()


def test_the_fuzzing_reached_every_command(live):
    """The fuzzed commands (read from the command tree) are exactly the ones the bot registers with Discord."""
    assert sorted(command_paths()) == sorted(path for path, _ in leaf_commands(live.double))
    assert examples_per_command() * len(command_paths()) >= FUZZ_EXAMPLES
