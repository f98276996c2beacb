"""/theme list, /theme states and /theme chart."""

from __future__ import annotations

from discord import app_commands
from discord.ext import commands

from bot import deadline
from bot.client import EXAMPLE, BriefingBot, Interaction
from bot.errors import NotFound
from bot.render import chart, embeds
from bot.render.send import send_reply
from bot.transformers import DetailedYear, Theme, names_of
from db import queries as q


class Themes(commands.GroupCog, group_name="theme", group_description="Themes raised at the dialogues"):
    def __init__(self, bot: BriefingBot) -> None:
        self.bot = bot

    @app_commands.command(name="list", description="Themes with the number of actors who raised them",
                          extras={EXAMPLE: "/theme list dialogue:2014"})
    @app_commands.describe(dialogue="Only the themes of this dialogue (year)")
    async def list_themes(self, interaction: Interaction, dialogue: DetailedYear | None = None) -> None:
        years = [dialogue] if dialogue else list((await names_of(interaction)).detailed_years)
        themes, sources = await self.bot.store.read(interaction.guild_id, q.themes_with_sources, dialogue, years)
        await send_reply(interaction, embeds.theme_list(themes, dialogue, sources))

    @app_commands.command(name="states", description="Who raised a theme, by dialogue, with stance and citations",
                          extras={EXAMPLE: "/theme states theme:veto-restraint dialogue:2014"})
    @app_commands.describe(theme="A theme, e.g. veto restraint", dialogue="Only this dialogue (year)")
    async def states(self, interaction: Interaction, theme: Theme, dialogue: DetailedYear | None = None) -> None:
        result = await self.bot.store.read(interaction.guild_id, q.theme_states, theme.code or "", dialogue)
        if result is None:
            raise NotFound("Unknown theme", "That theme was removed. Try `/theme list`.")
        await send_reply(interaction, embeds.theme_states(result, dialogue))

    @app_commands.command(name="chart", description="A bar chart of themes by number of actors, per dialogue",
                          extras={EXAMPLE: "/theme chart dialogue:2014"})
    @app_commands.describe(dialogue="Only this dialogue (year)")
    async def chart(self, interaction: Interaction, dialogue: DetailedYear | None = None) -> None:
        await deadline.defer(interaction)
        years, left_out = chart.years_to_chart((await names_of(interaction)).detailed_years, dialogue)
        per_year, sources = await self.bot.store.read(interaction.guild_id, q.themes_by_year, years)
        reply = await chart.theme_chart(per_year, sources, dialogue, left_out=left_out)
        await send_reply(interaction, reply)


async def setup(bot: BriefingBot) -> None:
    await bot.add_cog(Themes(bot))
