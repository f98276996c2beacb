"""/admin statement add, edit and remove: statements at dialogues."""

from __future__ import annotations

from discord import app_commands

from bot import deadline
from bot.admin_ui import Field, Form, split_list
from bot.checks import admin_only
from bot.client import Interaction
from bot.transformers import Actor, RecordId, Year
from cogs.admin.common import AdminBase, admin_of, author_of, cited, picker, source_autocomplete, source_fields
from db.admin.entities import RecordKind

FORM = Form((
    Field("excerpt", "Evidence excerpt (verbatim)", long=True),
    Field("note", "Note", required=False, max_length=200),
))


class StatementAdmin(AdminBase):
    statement = app_commands.Group(name="statement", description="Statements at dialogues")

    @admin_only()
    @deadline.opens_modal
    @statement.command(name="add", description="Record a statement")
    @app_commands.describe(actor="Speaker", dialogue="Year", languages="Comma-separated",
                           on_behalf_of="Comma-separated names", delivered="False if only distributed",
                           source="Cited source (or fill the form)")
    @app_commands.autocomplete(source=source_autocomplete)
    async def statement_add(self, interaction: Interaction, actor: Actor, dialogue: Year,
                            languages: str | None = None, on_behalf_of: str | None = None, delivered: bool = True,
                            source: str | None = None) -> None:
        record = {"actor": actor.name, "dialogue": dialogue, "languages": split_list(languages) or [],
                  "on_behalf_of": split_list(on_behalf_of) or [], "delivered": delivered}
        await self.open_form(interaction, "Statement", [*FORM.fields, *source_fields(source)], lambda v: admin_of(
            interaction).add(RecordKind.statement, {**record, **FORM.values(v), "source": cited(source, v)},
                             author_of(interaction)))

    @admin_only()
    @deadline.opens_modal
    @statement.command(name="edit", description="Edit a statement")
    @app_commands.describe(statement="Statement", languages="Comma-separated", on_behalf_of="Comma-separated",
                           delivered="False if only distributed")
    @app_commands.autocomplete(statement=picker(RecordKind.statement))
    async def statement_edit(self, interaction: Interaction, statement: RecordId, languages: str | None = None,
                             on_behalf_of: str | None = None, delivered: bool | None = None) -> None:
        admin = admin_of(interaction)
        now = await admin.get(RecordKind.statement, statement)
        changes = {"languages": split_list(languages), "on_behalf_of": split_list(on_behalf_of), "delivered": delivered}
        await self.open_form(interaction, "Statement", FORM.filled(now), lambda v: admin.edit(
            RecordKind.statement, statement, {**changes, **FORM.values(v)}, author_of(interaction)))

    @admin_only()
    @statement.command(name="remove", description="Remove a statement")
    @app_commands.describe(statement="Statement")
    @app_commands.autocomplete(statement=picker(RecordKind.statement))
    async def statement_remove(self, interaction: Interaction, statement: RecordId) -> None:
        await self.remove(interaction, RecordKind.statement, statement)
