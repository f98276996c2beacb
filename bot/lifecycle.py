"""Running the bot under a supervisor (systemd, a container runtime): stopping cleanly, and saying why it could not start.

* SIGTERM or SIGINT: the bot stops taking new work, lets the answers and briefing posts
  under way finish for up to SHUTDOWN_GRACE_SECONDS, releases the briefing runs it holds
  (another process takes them over at once), closes the store and exits 0
  (`BriefingBot.drain`, then `close`).
* Discord rejects the token, or cannot be reached: one line on stderr saying what to do,
  and an exit code of its own (below), instead of discord.py's traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

import aiohttp
import discord

from bot.client import BriefingBot

log = logging.getLogger(__name__)

EXIT_TOKEN_REJECTED = 3
EXIT_DISCORD_UNREACHABLE = 4
AUTHENTICATION_FAILED = 4004  # the gateway's close code for a bad token
SHARD_CLOSE_CODES = {4010: "an invalid shard", 4011: "sharding is required"}

TOKEN_REJECTED = (
    "Discord rejected the token: check DISCORD_TOKEN in .env (Developer Portal → your application → Bot → "
    "Reset Token, then paste the new token)."
)


class CannotStart(Exception):
    """The bot could not connect to Discord; `line` says what to do, `exit_code` tells a supervisor which case."""

    def __init__(self, line: str, exit_code: int) -> None:
        super().__init__(line)
        self.line = line
        self.exit_code = exit_code


def cannot_start(error: BaseException) -> CannotStart | None:
    """The one-line explanation of a failure to log in or connect, or None for an error that is a bug."""
    if isinstance(error, discord.LoginFailure):
        return CannotStart(TOKEN_REJECTED, EXIT_TOKEN_REJECTED)
    if isinstance(error, discord.ConnectionClosed) and error.code == AUTHENTICATION_FAILED:
        return CannotStart(TOKEN_REJECTED, EXIT_TOKEN_REJECTED)
    if isinstance(error, discord.ConnectionClosed) and error.code in SHARD_CLOSE_CODES:
        return CannotStart(
            f"Discord refused the gateway connection ({SHARD_CLOSE_CODES[error.code]}, close code {error.code}): "
            "check SHARD_COUNT and SHARD_IDS in .env, or leave both empty for Discord's recommendation.",
            EXIT_DISCORD_UNREACHABLE,
        )
    if isinstance(error, discord.DiscordServerError | discord.GatewayNotFound):
        return CannotStart(
            f"Discord is not answering properly ({error}): see https://discordstatus.com, then start the bot again.",
            EXIT_DISCORD_UNREACHABLE,
        )
    if isinstance(error, aiohttp.ClientError | OSError | asyncio.TimeoutError):
        said = str(error) or type(error).__name__
        return CannotStart(
            f"Cannot reach Discord ({said}): check this machine's network connection, DNS and proxy settings, "
            "then start the bot again.",
            EXIT_DISCORD_UNREACHABLE,
        )
    return None


async def run(bot: BriefingBot, token: str, *, grace: float) -> None:
    """Logs in and serves until SIGTERM or SIGINT, then stops cleanly; raises CannotStart when Discord says no."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    signals = (signal.SIGTERM, signal.SIGINT)
    for number in signals:
        loop.add_signal_handler(number, stop.set)
    try:
        async with bot:
            serving = asyncio.create_task(bot.start(token), name="discord-connection")
            stopping = asyncio.create_task(stop.wait(), name="awaiting-sigterm")
            await asyncio.wait({serving, stopping}, return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
            if serving.done():
                _raise_why_it_stopped(serving)
                return
            log.info("Stopping on a signal: no new work; up to %.0f s for the work under way", grace)
            await bot.drain(grace)
            await bot.close()
            serving.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await serving
            log.info("Stopped")
    finally:
        for number in signals:
            loop.remove_signal_handler(number)


def _raise_why_it_stopped(serving: asyncio.Task[None]) -> None:
    error = serving.exception()
    if error is None:
        return
    explained = cannot_start(error)
    if explained is not None:
        raise explained from error
    raise error
