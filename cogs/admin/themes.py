"""/admin theme add, edit and remove: themes raised at dialogues."""

from __future__ import annotations

from discord import app_commands

from bot import choices, deadline
from bot.admin_ui import Field, Form
from bot.checks import admin_only
from bot.client import Interaction
from bot.transformers import Theme
from cogs.admin.common import AdminBase, Choice, admin_of, author_of
from db.admin.entities import RecordKind

FORM = Form((
    Field("description", "Description", long=True, max_length=1000),
    Field("keywords", "Keywords (comma-separated)", required=False, max_length=1000, listed=True),
))


class ThemeAdmin(AdminBase):
    theme = app_commands.Group(name="theme", description="Themes raised at dialogues")

    @admin_only()
    @deadline.opens_modal
    @theme.command(name="add", description="Add a theme")
    @app_commands.describe(slug="e.g. early-warning-apps", name="Name", pillar="Related pillar")
    @app_commands.choices(pillar=choices.PILLARS)
    async def theme_add(self, interaction: Interaction, slug: app_commands.Range[str, 2, 80],
                        name: app_commands.Range[str, 2, 120], pillar: Choice[int] | None = None) -> None:
        record = {"slug": slug, "name": name, "pillar": pillar.value if pillar else None}
        await self.open_form(interaction, f"Theme {name}", list(FORM.fields), lambda v: admin_of(interaction).add(
            RecordKind.theme, {**record, **FORM.values(v)}, author_of(interaction)))

    @admin_only()
    @deadline.opens_modal
    @theme.command(name="edit", description="Edit a theme")
    @app_commands.describe(theme="Theme", name="New name", pillar="Related pillar")
    @app_commands.choices(pillar=choices.PILLARS)
    async def theme_edit(self, interaction: Interaction, theme: Theme, name: str | None = None,
                         pillar: Choice[int] | None = None) -> None:
        admin = admin_of(interaction)
        now = await admin.get(RecordKind.theme, theme.id)
        changes = {"name": name, "pillar": pillar.value if pillar else None}
        await self.open_form(interaction, f"Theme {theme.name}", FORM.filled(now), lambda v: admin.edit(
            RecordKind.theme, theme.id, {**changes, **FORM.values(v)}, author_of(interaction)))

    @admin_only()
    @theme.command(name="remove", description="Remove a theme with no records")
    @app_commands.describe(theme="Theme")
    async def theme_remove(self, interaction: Interaction, theme: Theme) -> None:
        await self.remove(interaction, RecordKind.theme, theme.id)
