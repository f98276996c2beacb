"""Errors users can cause, and the command tree's one error handler."""

from __future__ import annotations

import logging
import secrets
from typing import Sequence

import discord
from discord import app_commands

from bot.deadline import DeadlineTree
from bot.render import layout
from bot.render.send import send_reply
from db.errors import DomainError
from db.storage import fault_of

log = logging.getLogger(__name__)

UNKNOWN_INTERACTION = 10062  # Discord's error code for an interaction past its deadline


class UserFacingError(app_commands.AppCommandError):
    """Something the user can fix; the message says what to do."""

    def __init__(self, title: str, message: str, suggestions: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.title = title
        self.message = message
        self.suggestions = tuple(suggestions)


class UnknownName(UserFacingError):
    def __init__(self, what: str, typed: str, suggestions: Sequence[str], browse: str = "") -> None:
        shown = discord.utils.escape_mentions(discord.utils.escape_markdown(typed[:100]))
        hint = "Pick a name from the option's list as you type, or check the spelling."
        if browse:
            hint += f" {browse}"
        super().__init__(f"Unknown {what}", f"No {what} called “{shown}”. {hint}", suggestions)


class NotFound(UserFacingError):
    pass


def new_error_id() -> str:
    return secrets.token_hex(4)


def error_reply(error: UserFacingError) -> layout.Reply:
    text = error.message
    if error.suggestions:
        text += "\n\n**Did you mean:** " + ", ".join(f"`{s}`" for s in error.suggestions[:8])
    return layout.message_reply(error.title, text, colour=layout.NOTICE, error=True)


def failure_reply(error_id: str) -> layout.Reply:
    return layout.message_reply(
        "Something went wrong",
        f"That did not work because of a problem on our side, not yours. "
        f"If you report it, quote error id `{error_id}`.",
        colour=layout.ERROR,
        error=True,
    )


def _unwrap(error: BaseException) -> BaseException:
    while isinstance(error, (app_commands.CommandInvokeError, app_commands.TransformerError)) and error.__cause__:
        error = error.__cause__
    return getattr(error, "original", error) if isinstance(error, app_commands.CommandInvokeError) else error


def reply_for(interaction: discord.Interaction, error: BaseException) -> layout.Reply:
    """Maps any exception to the reply the user sees; logs the unexpected ones with an id."""
    error = _unwrap(error)
    if isinstance(error, UserFacingError):
        return error_reply(error)
    if isinstance(error, DomainError):
        return error_reply(UserFacingError(error.title, discord.utils.escape_mentions(error.message), error.suggestions))
    if isinstance(error, app_commands.TransformerError):
        return layout.message_reply(
            "Invalid value", f"“{discord.utils.escape_markdown(str(error.value))[:100]}” is not a valid value for this option.", error=True
        )
    if isinstance(error, app_commands.NoPrivateMessage):
        return layout.message_reply("Servers only", "This command works in a server, not in direct messages.", error=True)
    if isinstance(error, (app_commands.MissingPermissions, app_commands.MissingAnyRole, app_commands.MissingRole)):
        return layout.message_reply(
            "Not allowed", "You need the Manage Server permission (or an admin role) for this command.", error=True
        )
    if isinstance(error, app_commands.CommandOnCooldown):
        return layout.message_reply(
            "Slow down", f"Try again in {error.retry_after:.0f} seconds.", error=True
        )
    if isinstance(error, app_commands.CheckFailure):
        return layout.message_reply("Not allowed", str(error) or "You cannot use this command here.", error=True)
    error_id = new_error_id()
    command = interaction.command.qualified_name if interaction.command else "?"
    fault = fault_of(error)
    if fault is not None and fault.user_text:  # the disk, not a bug: say so, and tell the operator what to do
        log.error("/%s could not save a change (error %s): %s", command, error_id, fault.line("the store"))
        return layout.message_reply(
            fault.user_title, f"{fault.user_text} (Error id `{error_id}`.)", colour=layout.ERROR, error=True
        )
    log.error(
        "Unexpected error %s in /%s (user %s, guild %s)",
        error_id,
        command,
        interaction.user.id if interaction.user else "?",
        interaction.guild_id,
        exc_info=(type(error), error, error.__traceback__),
    )
    return failure_reply(error_id)


async def on_app_command_error(interaction: discord.Interaction, error: Exception) -> None:
    """The tree's error handler: every failed interaction gets an ephemeral answer."""
    cause = _unwrap(error)
    if isinstance(cause, discord.NotFound) and cause.code == UNKNOWN_INTERACTION:
        # Discord forgot the interaction (not answered within its three seconds): nobody to answer
        command = interaction.command.qualified_name if interaction.command else "?"
        log.error("/%s was answered too late: Discord had dropped interaction %s", command, interaction.id)
        return
    reply = reply_for(interaction, error)
    interaction.extras["error"] = True
    try:
        await send_reply(interaction, reply)
    except discord.HTTPException:
        log.exception("Could not send the error reply for interaction %s", interaction.id)


class BriefingTree(DeadlineTree):
    """The bot's command tree: the deadline timer (`bot.deadline`) and the error handler above."""

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError, /) -> None:
        await on_app_command_error(interaction, error)
