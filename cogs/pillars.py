"""/pillar explain."""

from __future__ import annotations

from discord import app_commands
from discord.ext import commands

from bot import choices
from bot.client import EXAMPLE, BriefingBot, Interaction
from bot.errors import NotFound
from bot.render import embeds
from bot.render.send import send_reply
from db import queries as q


class Pillars(commands.GroupCog, group_name="pillar", group_description="The three pillars of RtoP"):
    def __init__(self, bot: BriefingBot) -> None:
        self.bot = bot

    @app_commands.command(name="explain", description="A pillar's definition, a plain-words explainer and related themes",
                          extras={EXAMPLE: "/pillar explain pillar:2"})
    @app_commands.describe(pillar="Which pillar")
    @app_commands.choices(pillar=choices.PILLARS_NAMED)
    async def explain(self, interaction: Interaction, pillar: app_commands.Choice[int]) -> None:
        result = await self.bot.store.read(interaction.guild_id, q.pillar_explainer, pillar.value)
        if result is None:
            raise NotFound("No such pillar", "Choose pillar 1, 2 or 3.")
        await send_reply(interaction, embeds.pillar(result))


async def setup(bot: BriefingBot) -> None:
    await bot.add_cog(Pillars(bot))
