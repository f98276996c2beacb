"""Discord's three seconds: a command not answered in time shows "thinking…" first.

Discord forgets an interaction that gets no first response within three
seconds, and the person sees "The application did not respond". Most answers
take milliseconds, so commands reply at once; but when the bot is busy (many
people at the same moment, a large store, a slow disk) the tree's
`interaction_check` has started a timer that shows "thinking…" `DEFER_AFTER`
seconds after Discord created the interaction (so a backlog of events does not
eat the margin), and the answer then replaces it. The first response is made
under a lock per interaction, so the timer and the command never both answer.

Commands whose first response must be a form (a modal) are marked with
`opens_modal`: a form cannot follow "thinking…".
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any, AsyncIterator, TypeVar

import discord
from discord import app_commands

from bot.checks import CHANGES_DATA
from bot.text_input import clean_options

log = logging.getLogger(__name__)

DEFER_AFTER = 1.5  # seconds after Discord created the interaction: half its deadline to spare for a busy loop and the network
BACKLOG = 0.5  # seconds late at the tree: the bot is behind, "thinking…" goes out first
PUBLIC_THINKING = "deadline.public_thinking"  # extras key: "thinking…" was shown to everyone
_LOCK = "deadline.lock"
_TIMER = "deadline.timer"

CommandT = TypeVar("CommandT", bound=app_commands.Command[Any, Any, Any])


def opens_modal(command: CommandT) -> CommandT:
    """Marks a command whose first response is a form, which cannot follow "thinking…"."""
    command.extras["opens_modal"] = True
    return command


@contextlib.asynccontextmanager
async def responding(interaction: discord.Interaction) -> AsyncIterator[None]:
    """Held while the interaction's first response (or its follow-up) is decided and sent."""
    lock = interaction.extras.get(_LOCK)
    if lock is None:
        lock = interaction.extras[_LOCK] = asyncio.Lock()
    async with lock:
        yield


async def defer(interaction: discord.Interaction, *, ephemeral: bool = False) -> None:
    """Shows "thinking…" (only to the person if `ephemeral`), unless the interaction was answered already."""
    async with responding(interaction):
        if not interaction.response.is_done():
            await interaction.response.defer(thinking=True, ephemeral=ephemeral)
            interaction.extras[PUBLIC_THINKING] = not ephemeral


def _deferrable(interaction: discord.Interaction) -> bool:
    command = interaction.command
    return command is not None and not command.extras.get("opens_modal")


def _private(interaction: discord.Interaction) -> bool:
    """Commands that change data answer only the admin who asked, so their "thinking…" is theirs alone too."""
    command = interaction.command
    return command is not None and bool(command.extras.get(CHANGES_DATA))


def _age(interaction: discord.Interaction) -> float:
    """Seconds since Discord created the interaction (negative if this clock is behind Discord's)."""
    return (discord.utils.utcnow() - interaction.created_at).total_seconds()


def watch(interaction: discord.Interaction) -> None:
    """Starts the timer that shows "thinking…" if the command has not answered DEFER_AFTER seconds after Discord
    created the interaction (a busy bot may read it late), or after it arrived, whichever is sooner."""
    if not _deferrable(interaction):
        return
    wait = min(DEFER_AFTER, max(0.0, DEFER_AFTER - _age(interaction)))  # a clock behind Discord's counts from arrival
    interaction.extras[_TIMER] = asyncio.create_task(_defer_when_late(interaction, time.monotonic() + wait))


def answered(interaction: discord.Interaction) -> None:
    """Stops the timer: the command has answered."""
    timer = interaction.extras.pop(_TIMER, None)
    if timer is not None and timer is not asyncio.current_task():
        timer.cancel()


async def _defer_when_late(interaction: discord.Interaction, at: float) -> None:
    await asyncio.sleep(max(0.0, at - time.monotonic()))
    if not interaction.response.is_done():
        await _defer_for_the_bot(interaction, f"not answered within {DEFER_AFTER:.1f} s")


async def _defer_for_the_bot(interaction: discord.Interaction, why: str) -> None:
    """Shows "thinking…" because the bot is slow, not because the command asked: a failure is only logged."""
    try:
        await defer(interaction, ephemeral=_private(interaction))
    except discord.HTTPException as error:  # too late already, or the interaction was answered meanwhile
        log.warning("Could not show 'thinking…' for interaction %s: %s", interaction.id, error)
    else:
        command = interaction.command.qualified_name if interaction.command else "?"
        log.info("/%s %s; showed 'thinking…'", command, why)


class DeadlineTree(app_commands.CommandTree):
    """The command tree, with the timer started for every slash command as it arrives (and its text cleaned).

    A command that reaches the tree BACKLOG seconds or more after Discord created it
    finds the bot behind with its work: it shows "thinking…" at once, before its own
    work queues behind everyone else's, instead of counting on a timer that would
    wait in the same queue. (Ages come from the host clock, kept by NTP as usual;
    a clock far ahead of Discord's would only make every answer follow "thinking…".)
    """

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        clean_options(interaction.data)
        if interaction.type is discord.InteractionType.application_command:
            if _deferrable(interaction) and _age(interaction) >= BACKLOG:
                await _defer_for_the_bot(interaction, f"reached the bot {BACKLOG:.1f} s or more late")
            else:
                watch(interaction)
        return True
