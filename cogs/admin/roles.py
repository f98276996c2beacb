"""/admin role add, edit and remove: opening remarks, moderators, panels."""

from __future__ import annotations

from discord import app_commands

from bot import choices, deadline
from bot.admin_ui import Field, Form
from bot.checks import admin_only
from bot.client import Interaction
from bot.transformers import Actor, RecordId, Year
from cogs.admin.common import AdminBase, Choice, admin_of, author_of, cited, picker, source_autocomplete, source_fields
from db.admin.entities import RecordKind

FORM = Form((Field("excerpt", "Evidence excerpt (verbatim)", long=True),))


class RoleAdmin(AdminBase):
    role = app_commands.Group(name="role", description="Opening, moderator, panel")

    @admin_only()
    @deadline.opens_modal
    @role.command(name="add", description="Record an opening, moderator or panel role")
    @app_commands.describe(actor="Actor", dialogue="Year", role="Role", title="Title the source gives",
                           source="Cited source (or fill the form)")
    @app_commands.choices(role=choices.ROLES)
    @app_commands.autocomplete(source=source_autocomplete)
    async def role_add(self, interaction: Interaction, actor: Actor, dialogue: Year, role: Choice[str],
                       title: str | None = None, source: str | None = None) -> None:
        record = {"actor": actor.name, "dialogue": dialogue, "role": role.value, "title": title}
        await self.open_form(interaction, "Role", [*FORM.fields, *source_fields(source)], lambda v: admin_of(
            interaction).add(RecordKind.role, {**record, **FORM.values(v), "source": cited(source, v)},
                             author_of(interaction)))

    @admin_only()
    @deadline.opens_modal
    @role.command(name="edit", description="Edit a role")
    @app_commands.describe(role="Role", title="Title the source gives")
    @app_commands.autocomplete(role=picker(RecordKind.role))
    async def role_edit(self, interaction: Interaction, role: RecordId, title: str | None = None) -> None:
        admin = admin_of(interaction)
        now = await admin.get(RecordKind.role, role)
        await self.open_form(interaction, "Role", FORM.filled(now), lambda v: admin.edit(
            RecordKind.role, role, {"title": title, **FORM.values(v)}, author_of(interaction)))

    @admin_only()
    @role.command(name="remove", description="Remove a role")
    @app_commands.describe(role="Role")
    @app_commands.autocomplete(role=picker(RecordKind.role))
    async def role_remove(self, interaction: Interaction, role: RecordId) -> None:
        await self.remove(interaction, RecordKind.role, role)
