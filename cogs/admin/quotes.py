"""/admin quote add, edit and remove: notable quotes."""

from __future__ import annotations

from discord import app_commands

from bot import deadline
from bot.admin_ui import Field, Form
from bot.checks import admin_only
from bot.client import Interaction
from bot.transformers import Actor, RecordId, Year
from cogs.admin.common import AdminBase, admin_of, author_of, cited, picker, source_autocomplete, source_fields
from db.admin.entities import RecordKind

FORM = Form((Field("text", "Quote (verbatim)", long=True, max_length=1000),))


class QuoteAdmin(AdminBase):
    quote = app_commands.Group(name="quote", description="Notable quotes")

    @admin_only()
    @deadline.opens_modal
    @quote.command(name="add", description="Record a notable quote")
    @app_commands.describe(speaker="Speaker", dialogue="Year", source="Cited source (or fill the form)")
    @app_commands.autocomplete(source=source_autocomplete)
    async def quote_add(self, interaction: Interaction, speaker: Actor, dialogue: Year,
                        source: str | None = None) -> None:
        record = {"speaker": speaker.name, "dialogue": dialogue}
        await self.open_form(interaction, "Quote", [*FORM.fields, *source_fields(source)], lambda v: admin_of(
            interaction).add(RecordKind.quote, {**record, **FORM.values(v), "source": cited(source, v)},
                             author_of(interaction)))

    @admin_only()
    @deadline.opens_modal
    @quote.command(name="edit", description="Edit a quote")
    @app_commands.describe(quote="Quote")
    @app_commands.autocomplete(quote=picker(RecordKind.quote))
    async def quote_edit(self, interaction: Interaction, quote: RecordId) -> None:
        admin = admin_of(interaction)
        now = await admin.get(RecordKind.quote, quote)
        await self.open_form(interaction, "Quote", FORM.filled(now), lambda v: admin.edit(
            RecordKind.quote, quote, FORM.values(v), author_of(interaction)))

    @admin_only()
    @quote.command(name="remove", description="Remove a quote")
    @app_commands.describe(quote="Quote")
    @app_commands.autocomplete(quote=picker(RecordKind.quote))
    async def quote_remove(self, interaction: Interaction, quote: RecordId) -> None:
        await self.remove(interaction, RecordKind.quote, quote)
