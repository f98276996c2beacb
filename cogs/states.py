"""/state profile."""

from __future__ import annotations

from discord import app_commands
from discord.ext import commands

from bot.client import EXAMPLE, BriefingBot, Interaction
from bot.errors import NotFound
from bot.render import embeds
from bot.render.send import send_reply
from bot.transformers import Actor
from db import queries as q


class States(commands.GroupCog, group_name="state", group_description="What a state or organisation said and did"):
    def __init__(self, bot: BriefingBot) -> None:
        self.bot = bot

    @app_commands.command(name="profile", description="Statements, roles and positions of a state, organisation or official",
                          extras={EXAMPLE: "/state profile state:Ivory Coast"})
    @app_commands.describe(state="A state, organisation or official, e.g. Ivory Coast, EU, ICRtoP")
    async def profile(self, interaction: Interaction, state: Actor) -> None:
        profile = await self.bot.store.read(interaction.guild_id, q.actor_profile, state.name)
        if profile is None:
            raise NotFound("Unknown state", f"{state.name} was removed. Try again.")
        await send_reply(interaction, embeds.actor_profile(profile))


async def setup(bot: BriefingBot) -> None:
    await bot.add_cog(States(bot))
