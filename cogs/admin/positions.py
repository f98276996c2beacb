"""/admin position add, edit and remove: who raised which theme at which dialogue."""

from __future__ import annotations

from discord import app_commands

from bot import choices, deadline
from bot.admin_ui import Field, Form
from bot.checks import admin_only
from bot.client import Interaction
from bot.transformers import Actor, RecordId, Theme, Year
from cogs.admin.common import AdminBase, Choice, admin_of, author_of, cited, picker, source_autocomplete, source_fields
from db.admin.entities import RecordKind

FORM = Form((
    Field("summary", "One-line summary", max_length=300),
    Field("excerpt", "Evidence excerpt (verbatim)", long=True),
))


class PositionAdmin(AdminBase):
    position = app_commands.Group(name="position", description="Who raised which theme")

    @admin_only()
    @deadline.opens_modal
    @position.command(name="add", description="Record that an actor raised a theme")
    @app_commands.describe(actor="Actor", theme="Theme", dialogue="Year", stance="Stance",
                           partial="Source list is partial", source="Cited source (or fill the form)")
    @app_commands.choices(stance=choices.STANCES)
    @app_commands.autocomplete(source=source_autocomplete)
    async def position_add(self, interaction: Interaction, actor: Actor, theme: Theme, dialogue: Year,
                           stance: Choice[str], partial: bool = False, source: str | None = None) -> None:
        record = {"actor": actor.name, "theme": theme.code, "dialogue": dialogue, "stance": stance.value,
                  "partial": partial}
        await self.open_form(interaction, "Position", [*FORM.fields, *source_fields(source)], lambda v: admin_of(
            interaction).add(RecordKind.position, {**record, **FORM.values(v), "source": cited(source, v)},
                             author_of(interaction)))

    @admin_only()
    @deadline.opens_modal
    @position.command(name="edit", description="Edit a position")
    @app_commands.describe(position="Position", stance="Stance", partial="Source list is partial")
    @app_commands.choices(stance=choices.STANCES)
    @app_commands.autocomplete(position=picker(RecordKind.position))
    async def position_edit(self, interaction: Interaction, position: RecordId,
                            stance: Choice[str] | None = None, partial: bool | None = None) -> None:
        admin = admin_of(interaction)
        now = await admin.get(RecordKind.position, position)
        changes = {"stance": stance.value if stance else None, "partial": partial}
        await self.open_form(interaction, "Position", FORM.filled(now), lambda v: admin.edit(
            RecordKind.position, position, {**changes, **FORM.values(v)}, author_of(interaction)))

    @admin_only()
    @position.command(name="remove", description="Remove a position")
    @app_commands.describe(position="Position")
    @app_commands.autocomplete(position=picker(RecordKind.position))
    async def position_remove(self, interaction: Interaction, position: RecordId) -> None:
        await self.remove(interaction, RecordKind.position, position)
