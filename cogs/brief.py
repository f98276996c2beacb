"""/brief state, /brief theme and /brief dialogue: a briefing note to print or email, as PDF and Markdown.

The replies are made by module-level functions of the store and the options, which
the benchmarks (`benchmarks.briefs`) run as the commands do.
"""

from __future__ import annotations

from datetime import date

from discord import app_commands
from discord.ext import commands

from bot import deadline
from bot.client import EXAMPLE, BriefingBot, Interaction
from bot.errors import NotFound
from bot.render import brief, brief_notes
from bot.render.layout import Reply
from bot.render.send import send_reply
from bot.transformers import Actor, DetailedYear, Theme, Year
from db import queries as q
from db.store import Store

PUBLIC = "Post the note for everyone in the channel (by default only you see it)"


async def state_reply(store: Store, name: str, day: date, *, public: bool, size_limit: int,
                      guild_id: int | None = None) -> Reply:
    record = await store.read(guild_id, q.state_brief, name)
    if record is None:
        raise NotFound("Unknown state", f"{name} was removed. Try again.")
    document, citations = brief_notes.state_note(record, (await store.names(guild_id)).detailed_years, day)
    return await brief.note_reply(document, citations, public=public, size_limit=size_limit)


async def theme_reply(store: Store, slug: str, year: int | None, day: date, *, public: bool, size_limit: int,
                      guild_id: int | None = None) -> Reply:
    states = await store.read(guild_id, q.theme_states, slug, year)
    if states is None:
        raise NotFound("Unknown theme", "That theme was removed. Try `/theme list`.")
    png = await brief.theme_chart_png(states)
    document, citations = brief_notes.theme_note(states, year, png, (await store.names(guild_id)).detailed_years, day)
    return await brief.note_reply(document, citations, public=public, size_limit=size_limit)


async def dialogue_reply(store: Store, year: int, day: date, *, public: bool, size_limit: int,
                         guild_id: int | None = None) -> Reply:
    detail = await store.read(guild_id, q.dialogue_detail, year)
    if detail is None:
        raise NotFound("No such meeting", f"There is no meeting in {year}. Try `/dialogue list`.")
    document, citations = brief_notes.dialogue_note(detail, day)
    return await brief.note_reply(document, citations, public=public, size_limit=size_limit)


class Briefs(commands.GroupCog, group_name="brief",
             group_description="Briefing notes to print or email (PDF and Markdown)"):
    def __init__(self, bot: BriefingBot) -> None:
        self.bot = bot

    @app_commands.command(name="state", extras={EXAMPLE: "/brief state state:Ivory Coast"},
                          description="A note on a state, organisation or official: statements, positions, alongside whom")
    @app_commands.describe(state="A state, organisation or official, e.g. Ivory Coast, EU, ICRtoP", public=PUBLIC)
    async def state(self, interaction: Interaction, state: Actor, public: bool = False) -> None:
        await deadline.defer(interaction, ephemeral=not public)
        reply = await state_reply(self.bot.store, state.name, self.bot.clock().date(), public=public,
                                  size_limit=interaction.filesize_limit, guild_id=interaction.guild_id)
        await send_reply(interaction, reply)

    @app_commands.command(name="theme", extras={EXAMPLE: "/brief theme theme:veto-restraint dialogue:2014"},
                          description="A note on a theme: who raised it each year, with stance, counts and its chart")
    @app_commands.describe(theme="A theme, e.g. veto restraint", dialogue="Only this dialogue (year)", public=PUBLIC)
    async def theme(self, interaction: Interaction, theme: Theme, dialogue: DetailedYear | None = None,
                    public: bool = False) -> None:
        await deadline.defer(interaction, ephemeral=not public)
        reply = await theme_reply(self.bot.store, theme.code or "", dialogue, self.bot.clock().date(), public=public,
                                  size_limit=interaction.filesize_limit, guild_id=interaction.guild_id)
        await send_reply(interaction, reply)

    @app_commands.command(name="dialogue", extras={EXAMPLE: "/brief dialogue year:2011"},
                          description="A note on one meeting: report, panel, participation, themes, statements")
    @app_commands.describe(year="The year of the meeting, e.g. 2014", public=PUBLIC)
    async def dialogue(self, interaction: Interaction, year: Year, public: bool = False) -> None:
        await deadline.defer(interaction, ephemeral=not public)
        reply = await dialogue_reply(self.bot.store, year, self.bot.clock().date(), public=public,
                                     size_limit=interaction.filesize_limit, guild_id=interaction.guild_id)
        await send_reply(interaction, reply)


async def setup(bot: BriefingBot) -> None:
    await bot.add_cog(Briefs(bot))
