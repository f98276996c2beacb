"""/ask: questions in plain words, answered from the records with citations."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import EXAMPLE, BriefingBot, Interaction
from bot.errors import UserFacingError
from bot.render import ask as render
from bot.render.send import send_reply
from bot.transformers import names_of
from db.ask import MAX_QUESTION, Answer, Reading, answer_reading, ask, check_question

BAD_QUESTIONS = {
    "empty": ("Empty question", "Type a question in words, e.g. “Who spoke for the Group of Friends?”"),
    "too_long": ("Question too long", f"Keep a question under {MAX_QUESTION} characters: ask one thing at a time."),
    "no_words": ("No words to read", "The question has no words, only symbols. Ask in words, e.g. “What is pillar two?”"),
}
PICK_TIMEOUT = 600.0


class OtherReadings(discord.ui.View):
    """One button per other reading of the question; a press answers that reading (for the asker only)."""

    def __init__(self, cog: "Ask", answer: Answer, owner_id: int) -> None:
        super().__init__(timeout=PICK_TIMEOUT)
        self.cog, self.question, self.owner_id = cog, answer.question, owner_id
        for i, reading in enumerate(answer.alternatives):
            self.add_item(ReadingButton(reading, custom_id=f"ask-other:{id(self)}:{i}"))


class ReadingButton(discord.ui.Button[OtherReadings]):
    """Answers one other reading of the question."""

    def __init__(self, reading: Reading, *, custom_id: str) -> None:
        super().__init__(label=discord.utils.remove_markdown(render.read_as(reading))[:80],
                         style=discord.ButtonStyle.secondary, custom_id=custom_id)
        self.reading = reading

    async def callback(self, interaction: discord.Interaction) -> None:
        view = self.view
        assert view is not None  # a button is pressed on the view it was added to
        if interaction.user.id != view.owner_id:
            await interaction.response.send_message(
                "Only the person who asked can pick another reading. Ask /ask yourself to get your own answer.",
                ephemeral=True)
            return
        answer = await view.cog.answer_of(interaction, view.question, self.reading)
        await send_reply(interaction, render.answer(answer))


class Ask(commands.Cog):
    def __init__(self, bot: BriefingBot) -> None:
        self.bot = bot

    @app_commands.command(name="ask", description="Ask about the dialogues, e.g. “How many states raised the veto in 2014?”",
                          extras={EXAMPLE: "/ask question:Which countries called RtoP an imperialist doctrine?"})
    @app_commands.describe(question="Your question, in plain words")
    async def ask(self, interaction: Interaction, question: app_commands.Range[str, 1, 300]) -> None:
        problem = check_question(question)
        if problem is not None:
            raise UserFacingError(*BAD_QUESTIONS[problem])
        names = await names_of(interaction)
        answer = await self.bot.store.read(interaction.guild_id, ask, question, names.actors, names.themes, names.years)
        reply = render.answer(answer)
        view = None
        if answer.alternatives and len(reply.pages) == 1 and not reply.ephemeral:
            view = OtherReadings(self, answer, interaction.user.id)
        await send_reply(interaction, reply, view=view)

    async def answer_of(self, interaction: discord.Interaction, question: str, reading: Reading) -> Answer:
        """The answer to another reading of the question, from what the interaction's server sees."""
        names = await names_of(interaction)
        return await self.bot.store.read(interaction.guild_id, answer_reading, question, reading, names.years)


async def setup(bot: BriefingBot) -> None:
    await bot.add_cog(Ask(bot))
