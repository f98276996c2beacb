"""/sources and /help."""

from __future__ import annotations

from typing import Any

from discord import app_commands
from discord.ext import commands

from bot.checks import CHANGES_DATA
from bot.client import EXAMPLE, BriefingBot, Interaction
from bot.render import embeds
from bot.render.send import send_reply
from db import queries as q

def command_catalogue(tree: app_commands.CommandTree[Any]) -> list[tuple[str, str, str]]:
    """(name, description, example) for every command anyone can use, in tree order.

    Admin commands are summed up in one line per group instead of listed one by one.
    """
    rows = []
    admin_groups: dict[str, list[app_commands.Command[Any, ..., Any]]] = {}
    for command in tree.walk_commands():
        if isinstance(command, app_commands.Group):
            continue
        name = command.qualified_name
        if command.extras.get(CHANGES_DATA):
            admin_groups.setdefault(name.split()[0], []).append(command)
            continue
        rows.append((name, command.description, command.extras.get(EXAMPLE, f"/{name}")))
    for top, members in admin_groups.items():
        # the example is one the reader can run as is: the group's first command without required options
        runnable = next((c for c in members if not any(p.required for p in c.parameters)), members[0])
        rows.append((f"{top} …", f"{len(members)} commands for server admins (Manage Server or an admin role)",
                     runnable.extras.get(EXAMPLE, f"/{runnable.qualified_name}")))
    return rows


class Reference(commands.Cog):
    def __init__(self, bot: BriefingBot) -> None:
        self.bot = bot

    @app_commands.command(name="sources", description="The source documents, with publisher and date",
                          extras={EXAMPLE: "/sources"})
    async def sources(self, interaction: Interaction) -> None:
        refs = await self.bot.store.read(interaction.guild_id, q.list_sources)
        await send_reply(interaction, embeds.sources(refs))

    @app_commands.command(name="help", description="What each command does, with an example",
                          extras={EXAMPLE: "/help"})
    async def help(self, interaction: Interaction) -> None:
        await send_reply(interaction, embeds.help_page(command_catalogue(self.bot.tree)))


async def setup(bot: BriefingBot) -> None:
    await bot.add_cog(Reference(bot))
