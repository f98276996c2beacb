"""/admin: add, edit and remove records, the audit log, undo, export and import.

Guild only, Manage Server by default, and every command checks again at run
time (`admin_only`) because server owners can override default permissions.
Names come through options with the read commands' autocomplete; long text
comes through modals.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Coroutine

import discord
from discord import app_commands
from discord.ext import commands

from bot import choices, deadline
from bot.admin_ui import Field, ImportView, RecordModal
from bot.checks import admin_autocomplete, admin_only
from bot.errors import UserFacingError
from bot.render import admin as render
from bot.render.send import send_reply
from bot.transformers import Actor, RecordId, Theme, Year, store_of
from db.admin.entities import RecordKind
from db.admin.service import Admin, ChangeAuthor
from db.admin.transfer import Transfer

MAX_IMPORT_BYTES = 2 * 1024 * 1024
Choice = app_commands.Choice

KINDS, MEETINGS, STANCES, ROLES, PILLARS = (choices.ACTOR_KINDS, choices.MEETING_KINDS, choices.STANCES, choices.ROLES,
                                            choices.PILLARS)


def author_of(interaction: discord.Interaction) -> ChangeAuthor:
    return ChangeAuthor(interaction.user.id, interaction.user.display_name, interaction.guild_id)


def _admin(interaction: discord.Interaction) -> Admin:
    """Changes in the interaction's server: its own layer, or the shared base in a curator server."""
    return Admin(store_of(interaction), interaction.guild_id)


def _transfer(interaction: discord.Interaction) -> Transfer:
    return Transfer(store_of(interaction), interaction.guild_id)


def _picker(kind: RecordKind) -> Callable[[discord.Interaction, str], Coroutine[Any, Any, list[Choice[int]]]]:
    @admin_autocomplete
    async def complete(interaction: discord.Interaction, current: str) -> list[Choice[int]]:
        found = await _admin(interaction).pick(kind, current)
        return [Choice(name=label[:100], value=record_id) for record_id, label in found]

    return complete


@admin_autocomplete
async def source_autocomplete(interaction: discord.Interaction, current: str) -> list[Choice[str]]:
    found = await _admin(interaction).sources(current)
    return [Choice(name=f"{key} · {title}"[:100], value=key) for key, title in found]


def _source(source: str | None, values: dict[str, str]) -> Any:
    """The cited source: an existing key, or a new one from the modal's title and URL."""
    if source:
        return source
    return {"title": values.get("source_title", ""), "url": values.get("source_url", "")}


def _source_fields(source: str | None) -> list[Field]:
    if source:
        return []
    return [
        Field("source_title", "Source title (or pick a source option)", max_length=300),
        Field("source_url", "Source URL", required=False, max_length=500, placeholder="https://…"),
    ]


def _csv(text: str | None) -> list[str] | None:
    return None if text is None else [x.strip() for x in text.split(",") if x.strip()]


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class AdminCog(commands.GroupCog, group_name="admin", group_description="Keep the bot's records current"):
    dialogue = app_commands.Group(name="dialogue", description="GA meetings on RtoP")
    actor = app_commands.Group(name="actor", description="States, organisations, officials")
    theme = app_commands.Group(name="theme", description="Themes raised at dialogues")
    position = app_commands.Group(name="position", description="Who raised which theme")
    statement = app_commands.Group(name="statement", description="Statements at dialogues")
    role = app_commands.Group(name="role", description="Opening, moderator, panel")
    quote = app_commands.Group(name="quote", description="Notable quotes")

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    async def _done(self, interaction: discord.Interaction, coro: Awaitable[Any]) -> None:
        await send_reply(interaction, render.change(await coro))

    def _modal(self, interaction: discord.Interaction, title: str, fields: list[Field],
               then: Callable[[dict[str, str]], Awaitable[Any]]) -> RecordModal:
        async def submit(modal_interaction: discord.Interaction, values: dict[str, str]) -> None:
            await self._done(modal_interaction, then(values))

        return RecordModal(title, fields, submit)

    # -- dialogues --------------------------------------------------------------

    @admin_only()
    @deadline.opens_modal
    @dialogue.command(name="add", description="Add a meeting")
    @app_commands.describe(year="Year", kind="Kind of meeting", dates="Date(s), e.g. 2025-06-30")
    @app_commands.choices(kind=MEETINGS)
    async def dialogue_add(self, interaction: discord.Interaction, year: app_commands.Range[int, 1945, 2100],
                           kind: Choice[str], dates: str | None = None) -> None:
        fields = [
            Field("title", "Title", required=False, max_length=300),
            Field("report_title", "SG report title", required=False, max_length=300),
            Field("report_symbol", "SG report symbol", required=False, max_length=80),
            Field("report_date", "SG report date", required=False, max_length=120),
            Field("participation", "Participation as reported", long=True, required=False, max_length=1000),
        ]
        await interaction.response.send_modal(self._modal(interaction, f"Meeting {year}", fields, lambda v: _admin(
            interaction).add(RecordKind.dialogue, {"year": year, "kind": kind.value, "dates": dates, "title": v["title"],
                                          "report_title": v["report_title"], "report_symbol": v["report_symbol"],
                                          "report_date": v["report_date"],
                                          "participation_as_reported": v["participation"]}, author_of(interaction))))

    @admin_only()
    @deadline.opens_modal
    @dialogue.command(name="edit", description="Edit a meeting")
    @app_commands.describe(year="Year", kind="Kind of meeting", dates="Date(s)")
    @app_commands.choices(kind=MEETINGS)
    async def dialogue_edit(self, interaction: discord.Interaction, year: Year, kind: Choice[str] | None = None,
                            dates: str | None = None) -> None:
        admin = _admin(interaction)
        record_id = await admin.find(RecordKind.dialogue, {"year": year})
        now = await admin.get(RecordKind.dialogue, record_id)
        fields = [
            Field("title", "Title", required=False, max_length=300, default=now["title"]),
            Field("report_title", "SG report title", required=False, max_length=300, default=now["report_title"]),
            Field("report_symbol", "SG report symbol", required=False, max_length=80, default=now["report_symbol"]),
            Field("report_date", "SG report date", required=False, max_length=120, default=now["report_date"]),
            Field("participation", "Participation as reported", long=True, required=False, max_length=1000,
                  default=now["participation_as_reported"]),
        ]
        await interaction.response.send_modal(self._modal(interaction, f"Meeting {year}", fields, lambda v: admin.edit(
            RecordKind.dialogue, record_id, {"kind": kind.value if kind else None, "dates": dates, "title": v["title"],
                                    "report_title": v["report_title"], "report_symbol": v["report_symbol"],
                                    "report_date": v["report_date"], "participation_as_reported": v["participation"]},
            author_of(interaction))))

    @admin_only()
    @dialogue.command(name="remove", description="Remove a meeting with no records")
    @app_commands.describe(year="Year")
    async def dialogue_remove(self, interaction: discord.Interaction, year: Year) -> None:
        admin = _admin(interaction)
        await self._done(interaction, admin.remove(RecordKind.dialogue, await admin.find(RecordKind.dialogue, {"year": year}),
                                                   author_of(interaction)))

    # -- actors -----------------------------------------------------------------

    @admin_only()
    @actor.command(name="add", description="Add an actor")
    @app_commands.describe(name="Canonical name", kind="Kind", iso3="ISO alpha-3 (states)", aliases="Comma-separated")
    @app_commands.choices(kind=KINDS)
    async def actor_add(self, interaction: discord.Interaction, name: app_commands.Range[str, 2, 200],
                        kind: Choice[str], iso3: app_commands.Range[str, 3, 3] | None = None,
                        aliases: str | None = None) -> None:
        await self._done(interaction, _admin(interaction).add(
            RecordKind.actor, {"name": name, "kind": kind.value, "iso3": iso3, "aliases": _csv(aliases) or []},
            author_of(interaction)))

    @admin_only()
    @actor.command(name="edit", description="Rename or correct an actor")
    @app_commands.describe(actor="Actor", name="New name", kind="Kind", iso3="ISO alpha-3")
    @app_commands.choices(kind=KINDS)
    async def actor_edit(self, interaction: discord.Interaction, actor: Actor, name: str | None = None,
                         kind: Choice[str] | None = None, iso3: str | None = None) -> None:
        await self._done(interaction, _admin(interaction).edit(
            RecordKind.actor, actor.id, {"name": name, "kind": kind.value if kind else None, "iso3": iso3},
            author_of(interaction)))

    @admin_only()
    @actor.command(name="remove", description="Remove an actor with no records")
    @app_commands.describe(actor="Actor")
    async def actor_remove(self, interaction: discord.Interaction, actor: Actor) -> None:
        await self._done(interaction, _admin(interaction).remove(RecordKind.actor, actor.id, author_of(interaction)))

    @admin_only()
    @actor.command(name="alias", description="Add an alias")
    @app_commands.describe(actor="Actor", alias="Another name for it")
    async def actor_alias(self, interaction: discord.Interaction, actor: Actor,
                          alias: app_commands.Range[str, 2, 200]) -> None:
        await self._done(interaction, _admin(interaction).add(
            RecordKind.alias, {"actor": actor.name, "alias": alias}, author_of(interaction)))

    @admin_only()
    @actor.command(name="unalias", description="Remove an alias")
    @app_commands.describe(alias="Alias")
    @app_commands.autocomplete(alias=_picker(RecordKind.alias))
    async def actor_unalias(self, interaction: discord.Interaction, alias: RecordId) -> None:
        await self._done(interaction, _admin(interaction).remove(RecordKind.alias, alias, author_of(interaction)))

    # -- themes -----------------------------------------------------------------

    @admin_only()
    @deadline.opens_modal
    @theme.command(name="add", description="Add a theme")
    @app_commands.describe(slug="e.g. early-warning-apps", name="Name", pillar="Related pillar")
    @app_commands.choices(pillar=PILLARS)
    async def theme_add(self, interaction: discord.Interaction, slug: app_commands.Range[str, 2, 80],
                        name: app_commands.Range[str, 2, 120], pillar: Choice[int] | None = None) -> None:
        fields = [Field("description", "Description", long=True, max_length=1000),
                  Field("keywords", "Keywords (comma-separated)", required=False, max_length=1000)]
        await interaction.response.send_modal(self._modal(interaction, f"Theme {name}", fields, lambda v: _admin(
            interaction).add(RecordKind.theme, {"slug": slug, "name": name, "pillar": pillar.value if pillar else None,
                                       "description": v["description"], "keywords": _csv(v["keywords"])},
                             author_of(interaction))))

    @admin_only()
    @deadline.opens_modal
    @theme.command(name="edit", description="Edit a theme")
    @app_commands.describe(theme="Theme", name="New name", pillar="Related pillar")
    @app_commands.choices(pillar=PILLARS)
    async def theme_edit(self, interaction: discord.Interaction, theme: Theme, name: str | None = None,
                         pillar: Choice[int] | None = None) -> None:
        admin = _admin(interaction)
        now = await admin.get(RecordKind.theme, theme.id)
        fields = [Field("description", "Description", long=True, max_length=1000, default=now["description"]),
                  Field("keywords", "Keywords (comma-separated)", required=False, max_length=1000,
                        default=", ".join(now["keywords"]))]
        await interaction.response.send_modal(self._modal(interaction, f"Theme {theme.name}", fields, lambda v: admin.edit(
            RecordKind.theme, theme.id, {"name": name, "pillar": pillar.value if pillar else None,
                                "description": v["description"], "keywords": _csv(v["keywords"]) or []},
            author_of(interaction))))

    @admin_only()
    @theme.command(name="remove", description="Remove a theme with no records")
    @app_commands.describe(theme="Theme")
    async def theme_remove(self, interaction: discord.Interaction, theme: Theme) -> None:
        await self._done(interaction, _admin(interaction).remove(RecordKind.theme, theme.id, author_of(interaction)))

    # -- positions ----------------------------------------------------------------

    @admin_only()
    @deadline.opens_modal
    @position.command(name="add", description="Record that an actor raised a theme")
    @app_commands.describe(actor="Actor", theme="Theme", dialogue="Year", stance="Stance",
                           partial="Source list is partial", source="Cited source (or fill the form)")
    @app_commands.choices(stance=STANCES)
    @app_commands.autocomplete(source=source_autocomplete)
    async def position_add(self, interaction: discord.Interaction, actor: Actor, theme: Theme, dialogue: Year,
                           stance: Choice[str], partial: bool = False, source: str | None = None) -> None:
        fields = [Field("summary", "One-line summary", max_length=300),
                  Field("excerpt", "Evidence excerpt (verbatim)", long=True), *_source_fields(source)]
        await interaction.response.send_modal(self._modal(interaction, "Position", fields, lambda v: _admin(
            interaction).add(RecordKind.position, {"actor": actor.name, "theme": theme.code, "dialogue": dialogue,
                                          "stance": stance.value, "partial": partial, "summary": v["summary"],
                                          "excerpt": v["excerpt"], "source": _source(source, v)},
                             author_of(interaction))))

    @admin_only()
    @deadline.opens_modal
    @position.command(name="edit", description="Edit a position")
    @app_commands.describe(position="Position", stance="Stance", partial="Source list is partial")
    @app_commands.choices(stance=STANCES)
    @app_commands.autocomplete(position=_picker(RecordKind.position))
    async def position_edit(self, interaction: discord.Interaction, position: RecordId,
                            stance: Choice[str] | None = None, partial: bool | None = None) -> None:
        admin = _admin(interaction)
        now = await admin.get(RecordKind.position, position)
        fields = [Field("summary", "One-line summary", max_length=300, default=now["summary"]),
                  Field("excerpt", "Evidence excerpt (verbatim)", long=True, default=now["excerpt"])]
        await interaction.response.send_modal(self._modal(interaction, "Position", fields, lambda v: admin.edit(
            RecordKind.position, position, {"stance": stance.value if stance else None, "partial": partial,
                                   "summary": v["summary"], "excerpt": v["excerpt"]}, author_of(interaction))))

    @admin_only()
    @position.command(name="remove", description="Remove a position")
    @app_commands.describe(position="Position")
    @app_commands.autocomplete(position=_picker(RecordKind.position))
    async def position_remove(self, interaction: discord.Interaction, position: RecordId) -> None:
        await self._done(interaction, _admin(interaction).remove(RecordKind.position, position, author_of(interaction)))

    # -- statements ---------------------------------------------------------------

    @admin_only()
    @deadline.opens_modal
    @statement.command(name="add", description="Record a statement")
    @app_commands.describe(actor="Speaker", dialogue="Year", languages="Comma-separated",
                           on_behalf_of="Comma-separated names", delivered="False if only distributed",
                           source="Cited source (or fill the form)")
    @app_commands.autocomplete(source=source_autocomplete)
    async def statement_add(self, interaction: discord.Interaction, actor: Actor, dialogue: Year,
                            languages: str | None = None, on_behalf_of: str | None = None, delivered: bool = True,
                            source: str | None = None) -> None:
        fields = [Field("excerpt", "Evidence excerpt (verbatim)", long=True),
                  Field("note", "Note", required=False, max_length=200), *_source_fields(source)]
        await interaction.response.send_modal(self._modal(interaction, "Statement", fields, lambda v: _admin(
            interaction).add(RecordKind.statement, {"actor": actor.name, "dialogue": dialogue, "languages": _csv(languages) or [],
                                           "on_behalf_of": _csv(on_behalf_of) or [], "delivered": delivered,
                                           "note": v["note"], "excerpt": v["excerpt"], "source": _source(source, v)},
                             author_of(interaction))))

    @admin_only()
    @deadline.opens_modal
    @statement.command(name="edit", description="Edit a statement")
    @app_commands.describe(statement="Statement", languages="Comma-separated", on_behalf_of="Comma-separated",
                           delivered="False if only distributed")
    @app_commands.autocomplete(statement=_picker(RecordKind.statement))
    async def statement_edit(self, interaction: discord.Interaction, statement: RecordId, languages: str | None = None,
                             on_behalf_of: str | None = None, delivered: bool | None = None) -> None:
        admin = _admin(interaction)
        now = await admin.get(RecordKind.statement, statement)
        fields = [Field("excerpt", "Evidence excerpt (verbatim)", long=True, default=now["excerpt"]),
                  Field("note", "Note", required=False, max_length=200, default=now["note"])]
        await interaction.response.send_modal(self._modal(interaction, "Statement", fields, lambda v: admin.edit(
            RecordKind.statement, statement, {"languages": _csv(languages), "on_behalf_of": _csv(on_behalf_of),
                                     "delivered": delivered, "note": v["note"], "excerpt": v["excerpt"]},
            author_of(interaction))))

    @admin_only()
    @statement.command(name="remove", description="Remove a statement")
    @app_commands.describe(statement="Statement")
    @app_commands.autocomplete(statement=_picker(RecordKind.statement))
    async def statement_remove(self, interaction: discord.Interaction, statement: RecordId) -> None:
        await self._done(interaction, _admin(interaction).remove(RecordKind.statement, statement, author_of(interaction)))

    # -- roles --------------------------------------------------------------------

    @admin_only()
    @deadline.opens_modal
    @role.command(name="add", description="Record an opening, moderator or panel role")
    @app_commands.describe(actor="Actor", dialogue="Year", role="Role", title="Title the source gives",
                           source="Cited source (or fill the form)")
    @app_commands.choices(role=ROLES)
    @app_commands.autocomplete(source=source_autocomplete)
    async def role_add(self, interaction: discord.Interaction, actor: Actor, dialogue: Year, role: Choice[str],
                       title: str | None = None, source: str | None = None) -> None:
        fields = [Field("excerpt", "Evidence excerpt (verbatim)", long=True), *_source_fields(source)]
        await interaction.response.send_modal(self._modal(interaction, "Role", fields, lambda v: _admin(
            interaction).add(RecordKind.role, {"actor": actor.name, "dialogue": dialogue, "role": role.value, "title": title,
                                      "excerpt": v["excerpt"], "source": _source(source, v)}, author_of(interaction))))

    @admin_only()
    @deadline.opens_modal
    @role.command(name="edit", description="Edit a role")
    @app_commands.describe(role="Role", title="Title the source gives")
    @app_commands.autocomplete(role=_picker(RecordKind.role))
    async def role_edit(self, interaction: discord.Interaction, role: RecordId, title: str | None = None) -> None:
        admin = _admin(interaction)
        now = await admin.get(RecordKind.role, role)
        fields = [Field("excerpt", "Evidence excerpt (verbatim)", long=True, default=now["excerpt"])]
        await interaction.response.send_modal(self._modal(interaction, "Role", fields, lambda v: admin.edit(
            RecordKind.role, role, {"title": title, "excerpt": v["excerpt"]}, author_of(interaction))))

    @admin_only()
    @role.command(name="remove", description="Remove a role")
    @app_commands.describe(role="Role")
    @app_commands.autocomplete(role=_picker(RecordKind.role))
    async def role_remove(self, interaction: discord.Interaction, role: RecordId) -> None:
        await self._done(interaction, _admin(interaction).remove(RecordKind.role, role, author_of(interaction)))

    # -- quotes -------------------------------------------------------------------

    @admin_only()
    @deadline.opens_modal
    @quote.command(name="add", description="Record a notable quote")
    @app_commands.describe(speaker="Speaker", dialogue="Year", source="Cited source (or fill the form)")
    @app_commands.autocomplete(source=source_autocomplete)
    async def quote_add(self, interaction: discord.Interaction, speaker: Actor, dialogue: Year,
                        source: str | None = None) -> None:
        fields = [Field("text", "Quote (verbatim)", long=True, max_length=1000), *_source_fields(source)]
        await interaction.response.send_modal(self._modal(interaction, "Quote", fields, lambda v: _admin(
            interaction).add(RecordKind.quote, {"speaker": speaker.name, "dialogue": dialogue, "text": v["text"],
                                       "source": _source(source, v)}, author_of(interaction))))

    @admin_only()
    @deadline.opens_modal
    @quote.command(name="edit", description="Edit a quote")
    @app_commands.describe(quote="Quote")
    @app_commands.autocomplete(quote=_picker(RecordKind.quote))
    async def quote_edit(self, interaction: discord.Interaction, quote: RecordId) -> None:
        admin = _admin(interaction)
        now = await admin.get(RecordKind.quote, quote)
        fields = [Field("text", "Quote (verbatim)", long=True, max_length=1000, default=now["text"])]
        await interaction.response.send_modal(self._modal(interaction, "Quote", fields, lambda v: admin.edit(
            RecordKind.quote, quote, {"text": v["text"]}, author_of(interaction))))

    @admin_only()
    @quote.command(name="remove", description="Remove a quote")
    @app_commands.describe(quote="Quote")
    @app_commands.autocomplete(quote=_picker(RecordKind.quote))
    async def quote_remove(self, interaction: discord.Interaction, quote: RecordId) -> None:
        await self._done(interaction, _admin(interaction).remove(RecordKind.quote, quote, author_of(interaction)))

    # -- audit, undo, export, import ---------------------------------------------------

    @admin_only()
    @app_commands.command(name="audit", description="Recent changes")
    @app_commands.describe(limit="How many (default 50)")
    async def audit(self, interaction: discord.Interaction, limit: app_commands.Range[int, 1, 500] = 50) -> None:
        entries = await _admin(interaction).audit(interaction.guild_id, limit)
        await send_reply(interaction, render.audit(entries))

    @admin_only()
    @app_commands.command(name="undo", description="Revert a change (default: the latest)")
    @app_commands.describe(entry="Audit entry number")
    async def undo(self, interaction: discord.Interaction, entry: RecordId | None = None) -> None:
        await self._done(interaction, _admin(interaction).undo(entry, author_of(interaction)))

    @admin_only()
    @app_commands.command(name="export", description="Admin records as JSON, positions as CSV")
    async def export(self, interaction: discord.Interaction) -> None:
        await deadline.defer(interaction, ephemeral=True)
        records, positions = await _transfer(interaction).export()
        await send_reply(interaction, render.export(records, positions))

    @admin_only()
    @app_commands.command(name="import", description="Import an export file (dry run first)")
    @app_commands.describe(file="A JSON file made by /admin export")
    async def import_(self, interaction: discord.Interaction, file: discord.Attachment) -> None:
        if file.size > MAX_IMPORT_BYTES:
            raise UserFacingError("File too large", f"Imports are limited to {MAX_IMPORT_BYTES // 1024 // 1024} MB.")
        if not file.filename.lower().endswith(".json"):
            raise UserFacingError("Not a JSON file", "Attach the `admin-records.json` file that /admin export made.")
        payload = await file.read()
        transfer = _transfer(interaction)
        editor = author_of(interaction)
        plan = await transfer.plan(payload, editor)
        reply = render.import_plan(plan)
        if not plan.ok:
            interaction.extras["error"] = True
            await send_reply(interaction, reply)
            return

        async def apply(button_interaction: discord.Interaction) -> None:
            result = await transfer.apply(payload, editor)
            await button_interaction.followup.send(
                embeds=render.import_plan(result, applied=result.ok).first, ephemeral=True,
                allowed_mentions=discord.AllowedMentions.none(),
            )

        await send_reply(interaction, reply, view=ImportView(interaction.user.id, apply))


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(AdminCog(bot))
