"""/admin: add, edit and remove records, the audit log, undo, export and import.

Guild only, Manage Server by default, and every command checks again at run
time (`admin_only`) because server owners can override default permissions.
Names come through options with the read commands' autocomplete; long text
comes through modals, one form per kind of record shared by its add and edit.

One module per kind of record, each a mixin with its subgroup; `AdminCog`
composes them. discord.py gathers a cog's commands from its bases in reverse
order, so the bases are listed last-first: the tree keeps dialogue, actor, theme,
position, statement, role, quote, then audit, undo, export, import.
"""

from __future__ import annotations

from discord import app_commands
from discord.ext import commands

from bot.client import BriefingBot
from cogs.admin.actors import ActorAdmin
from cogs.admin.dialogues import DialogueAdmin
from cogs.admin.positions import PositionAdmin
from cogs.admin.quotes import QuoteAdmin
from cogs.admin.records import RecordsAdmin
from cogs.admin.roles import RoleAdmin
from cogs.admin.statements import StatementAdmin
from cogs.admin.themes import ThemeAdmin


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class AdminCog(RecordsAdmin, QuoteAdmin, RoleAdmin, StatementAdmin, PositionAdmin, ThemeAdmin, ActorAdmin,
               DialogueAdmin, commands.GroupCog, group_name="admin", group_description="Keep the bot's records current"):
    def __init__(self, bot: BriefingBot) -> None:
        self.bot = bot


async def setup(bot: BriefingBot) -> None:
    await bot.add_cog(AdminCog(bot))
