"""/admin dialogue add, edit and remove: GA meetings on RtoP."""

from __future__ import annotations

from discord import app_commands

from bot import choices, deadline
from bot.admin_ui import Field, Form
from bot.checks import admin_only
from bot.client import Interaction
from bot.transformers import Year
from cogs.admin.common import AdminBase, Choice, admin_of, author_of
from db.admin.entities import RecordKind

FORM = Form((
    Field("title", "Title", required=False, max_length=300),
    Field("report_title", "SG report title", required=False, max_length=300),
    Field("report_symbol", "SG report symbol", required=False, max_length=80),
    Field("report_date", "SG report date", required=False, max_length=120),
    Field("participation", "Participation as reported", long=True, required=False, max_length=1000,
          key="participation_as_reported"),
))


class DialogueAdmin(AdminBase):
    dialogue = app_commands.Group(name="dialogue", description="GA meetings on RtoP")

    @admin_only()
    @deadline.opens_modal
    @dialogue.command(name="add", description="Add a meeting")
    @app_commands.describe(year="Year", kind="Kind of meeting", dates="Date(s), e.g. 2025-06-30")
    @app_commands.choices(kind=choices.MEETING_KINDS)
    async def dialogue_add(self, interaction: Interaction, year: app_commands.Range[int, 1945, 2100],
                           kind: Choice[str], dates: str | None = None) -> None:
        record = {"year": year, "kind": kind.value, "dates": dates}
        await self.open_form(interaction, f"Meeting {year}", list(FORM.fields), lambda v: admin_of(interaction).add(
            RecordKind.dialogue, {**record, **FORM.values(v)}, author_of(interaction)))

    @admin_only()
    @deadline.opens_modal
    @dialogue.command(name="edit", description="Edit a meeting")
    @app_commands.describe(year="Year", kind="Kind of meeting", dates="Date(s)")
    @app_commands.choices(kind=choices.MEETING_KINDS)
    async def dialogue_edit(self, interaction: Interaction, year: Year, kind: Choice[str] | None = None,
                            dates: str | None = None) -> None:
        admin = admin_of(interaction)
        record_id = await admin.find(RecordKind.dialogue, {"year": year})
        now = await admin.get(RecordKind.dialogue, record_id)
        changes = {"kind": kind.value if kind else None, "dates": dates}
        await self.open_form(interaction, f"Meeting {year}", FORM.filled(now), lambda v: admin.edit(
            RecordKind.dialogue, record_id, {**changes, **FORM.values(v)}, author_of(interaction)))

    @admin_only()
    @dialogue.command(name="remove", description="Remove a meeting with no records")
    @app_commands.describe(year="Year")
    async def dialogue_remove(self, interaction: Interaction, year: Year) -> None:
        await self.remove(interaction, RecordKind.dialogue, await admin_of(interaction).find(RecordKind.dialogue, {"year": year}))
