"""/brief state, /brief theme and /brief dialogue: a briefing note to print or email, as PDF and Markdown."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot import deadline
from bot.errors import NotFound
from bot.render import brief, brief_notes
from bot.render.send import send_reply
from bot.transformers import Actor, DetailedYear, Theme, Year
from db import queries as q

PUBLIC = "Post the note for everyone in the channel (by default only you see it)"


class Briefs(commands.GroupCog, group_name="brief", group_description="Briefing notes to print or email (PDF and Markdown)"):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    async def _send(self, interaction: discord.Interaction, note: tuple, public: bool) -> None:
        document, citations = note
        reply = await brief.note_reply(document, citations, public=public, size_limit=interaction.filesize_limit)
        await send_reply(interaction, reply)

    @app_commands.command(name="state", description="A note on a state, organisation or official: statements, positions, alongside whom")
    @app_commands.describe(state="A state, organisation or official, e.g. Ivory Coast, EU, ICRtoP", public=PUBLIC)
    async def state(self, interaction: discord.Interaction, state: Actor, public: bool = False) -> None:
        await deadline.defer(interaction, ephemeral=not public)
        async with self.bot.store.sessions() as session:
            record = await q.state_brief(session, state.name)
        if record is None:
            raise NotFound("Unknown state", f"{state.name} was removed. Try again.")
        note = brief_notes.state_note(record, self.bot.store.detailed_years, self.bot.clock().date())
        await self._send(interaction, note, public)

    @app_commands.command(name="theme", description="A note on a theme: who raised it each year, with stance, counts and its chart")
    @app_commands.describe(theme="A theme, e.g. veto restraint", dialogue="Only this dialogue (year)", public=PUBLIC)
    async def theme(self, interaction: discord.Interaction, theme: Theme, dialogue: DetailedYear | None = None,
                    public: bool = False) -> None:
        await deadline.defer(interaction, ephemeral=not public)
        slug = theme.code or ""
        async with self.bot.store.sessions() as session:
            states = await q.theme_states(session, slug, dialogue)
            if states is None:
                raise NotFound("Unknown theme", "That theme was removed. Try `/theme list`.")
        png = await brief.theme_chart_png(states)
        note = brief_notes.theme_note(states, dialogue, png, self.bot.store.detailed_years, self.bot.clock().date())
        await self._send(interaction, note, public)

    @app_commands.command(name="dialogue", description="A note on one meeting: report, panel, participation, themes, statements")
    @app_commands.describe(year="The year of the meeting, e.g. 2014", public=PUBLIC)
    async def dialogue(self, interaction: discord.Interaction, year: Year, public: bool = False) -> None:
        await deadline.defer(interaction, ephemeral=not public)
        async with self.bot.store.sessions() as session:
            detail = await q.dialogue_detail(session, year)
        if detail is None:
            raise NotFound("No such meeting", f"There is no meeting in {year}. Try `/dialogue list`.")
        await self._send(interaction, brief_notes.dialogue_note(detail, self.bot.clock().date()), public)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Briefs(bot))
