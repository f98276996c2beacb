"""/dialogue list and /dialogue show."""

from __future__ import annotations

from discord import app_commands
from discord.ext import commands

from bot.client import EXAMPLE, BriefingBot, Interaction
from bot.errors import NotFound
from bot.render import embeds
from bot.render.send import send_reply
from bot.transformers import Year
from db import queries as q
from db.seeding import TIMELINE_SOURCE


class Dialogues(commands.GroupCog, group_name="dialogue", group_description="General Assembly meetings on RtoP"):
    def __init__(self, bot: BriefingBot) -> None:
        self.bot = bot

    @app_commands.command(name="list", description="Every General Assembly meeting on RtoP, marking those with detailed records",
                          extras={EXAMPLE: "/dialogue list"})
    async def list_dialogues(self, interaction: Interaction) -> None:
        dialogues, sources = await self.bot.store.read(interaction.guild_id, q.dialogues_with_sources)
        timeline = next((s for s in sources if s.key == TIMELINE_SOURCE), None)
        await send_reply(interaction, embeds.dialogue_list(dialogues, timeline))

    @app_commands.command(name="show", description="One meeting: dates, report, panel, participation, themes, quotes",
                          extras={EXAMPLE: "/dialogue show year:2014"})
    @app_commands.describe(year="The year of the meeting, e.g. 2014")
    async def show(self, interaction: Interaction, year: Year) -> None:
        detail = await self.bot.store.read(interaction.guild_id, q.dialogue_detail, year)
        if detail is None:
            raise NotFound("No such meeting", f"There is no meeting in {year}. Try `/dialogue list`.")
        await send_reply(interaction, embeds.dialogue_detail(detail))


async def setup(bot: BriefingBot) -> None:
    await bot.add_cog(Dialogues(bot))
