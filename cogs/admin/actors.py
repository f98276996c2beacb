"""/admin actor add, edit, remove, alias and unalias: states, organisations, officials and their other names."""

from __future__ import annotations

from discord import app_commands

from bot import choices
from bot.admin_ui import split_list
from bot.checks import admin_only
from bot.client import Interaction
from bot.transformers import Actor, RecordId
from cogs.admin.common import AdminBase, Choice, picker
from db.admin.entities import RecordKind


class ActorAdmin(AdminBase):
    actor = app_commands.Group(name="actor", description="States, organisations, officials")

    @admin_only()
    @actor.command(name="add", description="Add an actor")
    @app_commands.describe(name="Canonical name", kind="Kind", iso3="ISO alpha-3 (states)", aliases="Comma-separated")
    @app_commands.choices(kind=choices.ACTOR_KINDS)
    async def actor_add(self, interaction: Interaction, name: app_commands.Range[str, 2, 200],
                        kind: Choice[str], iso3: app_commands.Range[str, 3, 3] | None = None,
                        aliases: str | None = None) -> None:
        await self.change(interaction, RecordKind.actor, None,
                          {"name": name, "kind": kind.value, "iso3": iso3, "aliases": split_list(aliases) or []})

    @admin_only()
    @actor.command(name="edit", description="Rename or correct an actor")
    @app_commands.describe(actor="Actor", name="New name", kind="Kind", iso3="ISO alpha-3")
    @app_commands.choices(kind=choices.ACTOR_KINDS)
    async def actor_edit(self, interaction: Interaction, actor: Actor, name: str | None = None,
                         kind: Choice[str] | None = None, iso3: str | None = None) -> None:
        await self.change(interaction, RecordKind.actor, actor.id,
                          {"name": name, "kind": kind.value if kind else None, "iso3": iso3})

    @admin_only()
    @actor.command(name="remove", description="Remove an actor with no records")
    @app_commands.describe(actor="Actor")
    async def actor_remove(self, interaction: Interaction, actor: Actor) -> None:
        await self.remove(interaction, RecordKind.actor, actor.id)

    @admin_only()
    @actor.command(name="alias", description="Add an alias")
    @app_commands.describe(actor="Actor", alias="Another name for it")
    async def actor_alias(self, interaction: Interaction, actor: Actor,
                          alias: app_commands.Range[str, 2, 200]) -> None:
        await self.change(interaction, RecordKind.alias, None, {"actor": actor.name, "alias": alias})

    @admin_only()
    @actor.command(name="unalias", description="Remove an alias")
    @app_commands.describe(alias="Alias")
    @app_commands.autocomplete(alias=picker(RecordKind.alias))
    async def actor_unalias(self, interaction: Interaction, alias: RecordId) -> None:
        await self.remove(interaction, RecordKind.alias, alias)
