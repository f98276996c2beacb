"""/ask: questions in plain words, answered from the records with citations."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import UserFacingError
from bot.render import embeds
from bot.render.send import send_reply
from db.ask import ask


class Ask(commands.Cog):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @app_commands.command(name="ask", description="Ask about the dialogues, e.g. “How many states raised the veto in 2014?”")
    @app_commands.describe(question="Your question, in plain words")
    async def ask(self, interaction: discord.Interaction, question: app_commands.Range[str, 1, 300]) -> None:
        if not question.strip():
            raise UserFacingError("Empty question", "Type a question, e.g. “Who spoke for the Group of Friends?”")
        store = self.bot.store
        async with store.sessions() as session:
            answer = await ask(session, question, store.actors, store.themes, store.years)
        await send_reply(interaction, embeds.answer(answer))


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Ask(bot))
