"""Who may change the bot's data or make it post: Manage Server, or a role in ADMIN_ROLE_IDS.

Discord lets server owners override a command's default permissions, and it
ignores permissions set on subcommands, so every data-changing command also
checks at run time. Mark such commands with `admin_only()`; a test walks the
command tree to make sure none is left unguarded.
"""

from __future__ import annotations

import functools
from typing import Any, Awaitable, Callable, TypeVar, cast

import discord
from discord import app_commands

CHANGES_DATA = "changes_data"
Complete = TypeVar("Complete", bound=Callable[..., Awaitable[list[Any]]])


class NotAdmin(app_commands.CheckFailure):
    def __init__(self) -> None:
        super().__init__(
            "Only members with the Manage Server permission, or an admin role the bot is configured with, "
            "can do this. Nothing was changed."
        )


def is_admin(interaction: discord.Interaction) -> bool:
    member = interaction.user
    if interaction.guild_id is None or not isinstance(member, discord.Member):
        return False
    if interaction.permissions.manage_guild or interaction.permissions.administrator:
        return True
    settings = getattr(interaction.client, "settings", None)
    allowed = settings.admin_roles if settings is not None else frozenset()
    # the server's roles are cached from GUILD_CREATE and kept current by the guilds intent
    return any(role.id in allowed for role in member.roles)


async def admin_predicate(interaction: discord.Interaction) -> bool:
    if not is_admin(interaction):
        raise NotAdmin()
    return True


CommandT = TypeVar("CommandT", bound=app_commands.Command[Any, Any, Any])


def admin_only() -> Callable[[CommandT], CommandT]:
    """Decorator (above `@app_commands.command`) for commands that change data or post on the bot's behalf."""

    def decorator(command: CommandT) -> CommandT:
        if not isinstance(command, app_commands.Command):
            raise TypeError("put @admin_only() above @app_commands.command")
        command.add_check(admin_predicate)
        command.extras[CHANGES_DATA] = True
        return command

    return decorator


def admin_autocomplete(complete: Complete) -> Complete:
    """For the autocomplete of an admin-only option (schedules, admin records, sources): members and
    direct messages get no choices, since Discord asks for choices before any command check runs."""

    @functools.wraps(complete)
    async def guarded(*args: Any) -> list[Any]:
        interaction = args[-2]  # (self,) interaction, current
        if not is_admin(interaction):
            return []
        return await complete(*args)

    return cast(Complete, guarded)
