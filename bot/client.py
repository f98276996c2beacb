"""The Discord client: loads settings and the store, every cog in `cogs/`, and the error handler."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import pkgutil
from pathlib import Path
from typing import TypeAlias

import discord
from discord.ext import commands

import cogs
from bot import discord_internals
from bot.config import Settings
from bot.errors import BriefingTree
from bot.render import chart, paginator
from bot.scheduler import PROCESS_OWNER, Clock, DiscordPoster, Poster, Scheduler, utcnow
from db import backups
from db.briefings import ShardSet, release_claims
from db.storage import fault_of
from db.store import Store, open_store

log = logging.getLogger(__name__)
BACKUP_CHECK_SECONDS = 3600.0
EXAMPLE = "example"  # a command's extras key: the example /help shows (a line the console runs as written)
# A briefing bot never joins voice: skip discord.py's warnings about voice libraries.
discord.VoiceClient.warn_nacl = False
if hasattr(discord.VoiceClient, "warn_dave"):
    discord.VoiceClient.warn_dave = False


def extension_names() -> list[str]:
    """Every module in `cogs/` is an extension; a new file is a new feature."""
    return sorted(f"cogs.{m.name}" for m in pkgutil.iter_modules(cogs.__path__) if not m.name.startswith("_"))


class BriefingBot(commands.AutoShardedBot):
    """The bot: one process runs the shards SHARD_IDS of SHARD_COUNT (by default all of Discord's recommended number).

    Discord sends each server's events to one shard, `(guild_id >> 22) % shard_count`; the
    scheduler posts the briefings of the servers on this process's shards (see `bot.scheduler`).
    """

    def __init__(self, settings: Settings, store: Store | None = None, *, clock: Clock = utcnow) -> None:
        intents = discord.Intents.none()
        intents.guilds = True
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            help_command=None,
            allowed_mentions=discord.AllowedMentions.none(),
            tree_cls=BriefingTree,
            shard_count=settings.shard_count,
        )
        self.shard_ids = settings.shards  # None: every shard (Settings checks SHARD_IDS against SHARD_COUNT)
        self.settings = settings
        self._store = store
        self.clock = clock  # what time it is for briefings; tests pass a controllable one
        self.briefing_poster: Poster = DiscordPoster(self)
        self.scheduler: Scheduler | None = None  # set while the briefing cog runs one (cogs/briefing.py)
        self._backup_task: asyncio.Task[None] | None = None

    @property
    def store(self) -> Store:
        if self._store is None:
            raise RuntimeError("the store is opened in setup_hook")
        return self._store

    async def setup_hook(self) -> None:
        if self._store is None:
            self._store = await open_store(
                self.settings.database_url,
                show_sql_parameters=self.settings.log_sql_parameters,
                keep_backups=self.settings.backup_keep,
            )
        self._store.curators |= self.settings.curators
        for name in extension_names():
            await self.load_extension(name)
        if self.settings.dev_guild_id:
            self.tree.copy_global_to(guild=discord.Object(self.settings.dev_guild_id))
        log.info("Loaded %d extensions, %d commands", len(self.extensions), len(self.tree.get_commands()))
        # Only a bot logged in to Discord takes daily backups (the briefing cog likewise starts the
        # scheduler only then): the offline console and the tests call setup_hook without logging in.
        if self.http.token is not None:
            store_file = backups.sqlite_file(self.settings.database_url)
            if store_file is not None:
                self._backup_task = asyncio.create_task(self._daily_backups(store_file), name="daily-backups")

    async def _daily_backups(self, store_file: Path) -> None:
        """A backup of the SQLite store whenever the newest is a day old; checked hourly, never fatal."""
        while True:
            try:
                await asyncio.to_thread(backups.take_if_due, store_file, keep=self.settings.backup_keep)
            except Exception as error:
                fault = fault_of(error)
                log.error("Daily backup of %s failed: %s", store_file, fault.line(str(store_file)) if fault else error)
            await asyncio.sleep(BACKUP_CHECK_SECONDS)

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        await paginator.answer_retired(interaction)

    async def on_ready(self) -> None:
        log.info("Connected as %s to %d servers", self.user, len(self.guilds))

    def shard_set(self) -> ShardSet | None:
        """The shards this process runs, once connected; None when it runs them all (every server is its own)."""
        if self.shard_count is None or len(self.shards) >= self.shard_count:
            return None
        return ShardSet(self.shard_count, frozenset(self.shards))

    async def drain(self, grace: float) -> None:
        """Stops taking new work and gives the work under way up to `grace` seconds to finish (on SIGTERM).

        The gateway connections close first, so no new command, button press or form arrives,
        while the REST session stays open for the answers and briefing posts under way; the
        scheduler claims nothing more. Whatever is still running after `grace` is cancelled, and
        the briefing runs this process claimed are released for another process to take over at
        once (`close` releases the scheduler's, `Scheduler.stop`).
        """
        for shard in self.shards.values():
            await shard.disconnect()
        if self.scheduler is not None:
            self.scheduler.stop_claiming()
        work = discord_internals.answers_under_way() | (self.scheduler.posts_under_way() if self.scheduler else set())
        if work:
            log.info("Stopping: waiting up to %.0f s for %d answer(s) and post(s) under way", grace, len(work))
            _, late = await asyncio.wait(work, timeout=grace)
            if late:
                log.warning("Stopping: %d answer(s) or post(s) did not finish within %.0f s; cancelled", len(late), grace)
                for task in late:
                    task.cancel()
                await asyncio.gather(*late, return_exceptions=True)
        if self._store is not None:  # /briefing post-now runs cancelled above
            with contextlib.suppress(Exception):
                await self._store.write(None, release_claims, [PROCESS_OWNER], now=self.clock())

    async def close(self) -> None:
        await discord_internals.prepare_to_close(self)
        if self._backup_task is not None:
            self._backup_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._backup_task
        await super().close()  # unloads the cogs first: the briefing cog stops the scheduler
        chart.DRAWER.shutdown()
        if self._store is not None:
            await self._store.close()


Interaction: TypeAlias = discord.Interaction[BriefingBot]  # what the cogs' commands receive
