"""/admin through the real command tree: permissions, modals, audit, undo, export and import."""

from __future__ import annotations

import json

import discord
from discord import app_commands

from bot.checks import CHANGES_DATA, admin_predicate
from bot.console import ADMIN_ROLE_ID, ConsoleUser, format_outcome
from tests.payloads import payload_problems

ADMIN_ROLE = ADMIN_ROLE_ID  # a role of the console's server
MEMBER = ConsoleUser(id=7, name="member", admin=False)
ROLE_ADMIN = ConsoleUser(id=8, name="coalition-lead", admin=False, roles=(ADMIN_ROLE,))


def guarded_commands(tree: app_commands.CommandTree) -> list[app_commands.Command]:
    return [c for c in tree.walk_commands() if isinstance(c, app_commands.Command) and c.extras.get(CHANGES_DATA)]


def sample_line(command: app_commands.Command, tmp_path) -> str:
    """A syntactically valid invocation: every required option gets a value of its type."""
    parts = [f"/{command.qualified_name}"]
    for p in command.parameters:
        if not p.required:
            continue
        if p.choices:
            value = p.choices[0].value
        elif p.type == discord.AppCommandOptionType.integer:
            value = 2014
        elif p.type == discord.AppCommandOptionType.boolean:
            value = "true"
        elif p.type == discord.AppCommandOptionType.channel:
            value = "#briefings"
        elif p.type == discord.AppCommandOptionType.attachment:
            path = tmp_path / "file.json"
            path.write_text("{}")
            value = path
        else:
            value = "Cuba"
        parts.append(f"{p.name}:{value}")
    return " ".join(parts)


async def test_every_data_changing_command_is_guarded(console):
    tree = console.bot.tree
    admin_group = tree.get_command("admin")
    assert admin_group.guild_only
    assert admin_group.default_permissions == discord.Permissions(manage_guild=True)
    for command in tree.walk_commands():
        if not isinstance(command, app_commands.Command):
            continue
        top = command.qualified_name.split()[0]
        if top in ("admin", "briefing"):
            assert command.extras.get(CHANGES_DATA), f"/{command.qualified_name} is not marked admin_only"
        if command.extras.get(CHANGES_DATA):
            assert admin_predicate in command.checks, f"/{command.qualified_name} lacks the runtime check"
    assert len(guarded_commands(tree)) >= 25


async def test_members_are_refused_every_data_changing_command(console, tmp_path):
    from db.admin.service import Admin

    refused = 0
    for command in guarded_commands(console.bot.tree):
        outcome = await console.run(sample_line(command, tmp_path), MEMBER)
        assert outcome.error, command.qualified_name
        assert all(e.message.ephemeral for e in outcome.events)
        assert "Nothing was changed" in format_outcome(outcome), command.qualified_name
        refused += 1
    assert refused >= 25
    assert await Admin(console.bot.store).audit(None) == []
    assert await Admin(console.bot.store).audit(1_000_000_000_000_002) == []


async def test_an_admin_role_is_allowed_without_manage_server(console, monkeypatch):
    monkeypatch.setattr(console.bot.settings, "admin_role_ids", str(ADMIN_ROLE))
    outcome = await console.run("/admin actor alias actor:Cuba alias:Republic of Cuba", ROLE_ADMIN)
    assert not outcome.error, format_outcome(outcome)
    assert (await console.bot.store.names(console.guild_id)).actors.resolve("Republic of Cuba").entry.name == "Cuba"
    # and without the role, the same member is refused even if Discord let the command through
    again = await console.run("/admin actor alias actor:Cuba alias:Cuba Libre", MEMBER)
    assert again.error and not (await console.bot.store.names(console.guild_id)).actors.resolve("Cuba Libre").found


async def test_modal_submission_adds_a_position_visible_everywhere(console):
    line = (
        "/admin position add actor:Ivory Coast theme:veto dialogue:2014 stance:supports source:2014-dialogue-summary"
        " || summary:Backed restraint of the veto. excerpt:Fourteen states identified the use of the veto by Permanent Members of the Security Council as a major hurdle in implementation of RtoP."
    )
    outcome = await console.run(line)
    assert not outcome.error, format_outcome(outcome)
    assert "Added position of Côte d'Ivoire on veto-restraint (2014)" in format_outcome(outcome)
    for event in outcome.events:
        assert payload_problems(event.body, event.message.data) == []
    states = await console.run("/theme states theme:veto-restraint dialogue:2014")
    assert "Côte d'Ivoire" in format_outcome(states)
    asked = await console.run("/ask question:Did Ivory Coast raise the veto in 2014?")
    assert "Côte d'Ivoire" in format_outcome(asked)
    choices = await console.autocomplete("/admin position remove position:Côte", "position")
    assert choices and "Côte d'Ivoire" in choices[0]["name"]


async def test_modal_validation_errors_are_ephemeral_and_change_nothing(console):
    outcome = await console.run(
        "/admin position add actor:Cuba theme:veto dialogue:2014 stance:supports"
        " || summary:Too short excerpt. excerpt:tiny source_title:A statement source_url:not-a-url"
    )
    assert outcome.error
    text = format_outcome(outcome)
    assert "at least 10 characters" in text or "http" in text
    assert all(e.message.ephemeral for e in outcome.events)


async def test_add_edit_remove_and_undo_through_commands(console):
    added = await console.run(
        "/admin theme add slug:early-warning-apps name:Early-warning apps pillar:2"
        " || description:Phone apps that warn communities of atrocity risks. keywords:apps, phones"
    )
    assert not added.error, format_outcome(added)
    assert (await console.bot.store.names(console.guild_id)).themes.resolve("phones").entry.code == "early-warning-apps"

    edited = await console.run("/admin theme edit theme:early-warning-apps name:Warning apps")
    assert not edited.error, format_outcome(edited)
    assert "Before" in format_outcome(edited) and "Warning apps" in format_outcome(edited)

    duplicate = await console.run(
        "/admin theme add slug:early-warning-apps name:Again || description:Duplicate of an existing theme."
    )
    assert duplicate.error and "already recorded" in format_outcome(duplicate)

    removed = await console.run("/admin theme remove theme:early-warning-apps")
    assert not removed.error
    assert not (await console.bot.store.names(console.guild_id)).themes.resolve("early-warning-apps").found

    undone = await console.run("/admin undo")
    assert not undone.error, format_outcome(undone)
    assert (await console.bot.store.names(console.guild_id)).themes.resolve("early-warning-apps").entry.name == "Warning apps"

    in_use = await console.run("/admin actor remove actor:Cuba")
    assert in_use.error and "Remove those first" in format_outcome(in_use)

    audit = await console.run("/admin audit")
    text = format_outcome(audit)
    assert "undo" in text and "undone by" in text and "console-user" in text


async def test_dialogue_actor_statement_role_and_quote_commands(console):
    steps = [
        "/admin dialogue add year:2025 kind:plenary_debate dates:2025-06-30"
        " || title:Plenary debate 2025 report_title:A new report report_symbol:A/79/999",
        "/admin actor add name:Atlantis Watch kind:civil_society aliases:AW, Atlantis",
        "/admin statement add actor:AW dialogue:2025 languages:English on_behalf_of:Cuba"
        " || excerpt:Atlantis Watch delivered a statement. source_title:AW statement source_url:https://example.org/aw",
        "/admin role add actor:Atlantis Watch dialogue:2025 role:panelist title:Director"
        " || excerpt:Atlantis Watch sat on the panel. source_title:AW statement source_url:https://example.org/aw",
        "/admin quote add speaker:Atlantis Watch dialogue:2025 || text:Never again means now."
        " source_title:AW statement source_url:https://example.org/aw",
        "/admin dialogue edit year:2025 dates:2025-07-01",
    ]
    for line in steps:
        outcome = await console.run(line)
        assert not outcome.error, f"{line}\n{format_outcome(outcome)}"
    show = format_outcome(await console.run("/dialogue show year:2025"))
    assert "A/79/999" in show and "Atlantis Watch" in show and "Never again means now." in show
    assert "2025-07-01" in show
    profile = format_outcome(await console.run("/state profile state:Cuba"))
    assert "Atlantis Watch spoke on its behalf" in profile
    blocked = await console.run("/admin dialogue remove year:2025")
    assert blocked.error and "statements" in format_outcome(blocked)


async def test_export_then_import_with_confirm(console, tmp_path):
    await console.run("/admin actor add name:Atlantis Watch kind:civil_society")
    exported = await console.run("/admin export")
    assert not exported.error
    files = {f.filename: f.data for e in exported.events for f in e.message.files}
    assert set(files) == {"admin-records.json", "positions.csv"}
    data = json.loads(files["admin-records.json"])
    assert [a["name"] for a in data["records"]["actor"]] == ["Atlantis Watch"]

    data["records"]["actor"].append({"name": "Second Org", "kind": "civil_society", "iso3": None, "aliases": []})
    path = tmp_path / "admin-records.json"
    path.write_text(json.dumps(data))
    dry = await console.run(f"/admin import file:{path}", turn_pages=False)
    assert not dry.error, format_outcome(dry)
    text = format_outcome(dry)
    assert "1 to add" in text and "Nothing is changed until you press Confirm" in text
    assert not (await console.bot.store.names(console.guild_id)).actors.resolve("Second Org").found
    message = dry.events[-1].message.data
    buttons = {b["label"]: b for row in message["components"] for b in row["components"]}

    stranger = await console.click(buttons["Confirm"]["custom_id"], message, MEMBER)
    assert "Only the admin who started this import" in stranger[0].message.data["content"]
    assert not (await console.bot.store.names(console.guild_id)).actors.resolve("Second Org").found

    confirmed = await console.click(buttons["Confirm"]["custom_id"], message)
    assert any("Import applied" in json.dumps(e.message.data) for e in confirmed)
    assert (await console.bot.store.names(console.guild_id)).actors.resolve("Second Org").found


async def test_import_with_bad_rows_reports_rows_and_applies_nothing(console, tmp_path):
    bad = {
        "format": "rtop-briefing-bot/admin-records",
        "version": 1,
        "records": {"actor": [{"name": "Fine Org", "kind": "civil_society"}, {"name": "X", "kind": "civil_society"}],
                    "theme": [{"slug": "Not A Slug", "name": "Bad", "description": "Bad slug theme here."}]},
        "removed_seed_records": [],
    }
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    outcome = await console.run(f"/admin import file:{path}")
    assert outcome.error
    text = format_outcome(outcome)
    assert "actor row 2" in text and "theme row 1" in text and "nothing was changed" in text
    assert not (await console.bot.store.names(console.guild_id)).actors.resolve("Fine Org").found
    wrong = tmp_path / "notes.txt"
    wrong.write_text("hello")
    refused = await console.run(f"/admin import file:{wrong}")
    assert refused.error and "Not a JSON file" in format_outcome(refused)


async def test_source_autocomplete_offers_keys_by_key_or_title(console):
    choices = await console.autocomplete("/admin position add actor:Cuba theme:veto dialogue:2014 stance:supports source:sixth", "source")
    assert choices[0]["value"] == "2014-dialogue-summary"
    by_key = await console.autocomplete("/admin quote add speaker:Cuba dialogue:2014 source:2012", "source")
    assert [c["value"] for c in by_key] == ["2012-dialogue-summary"]


def test_admin_choices_are_the_models_enums():
    """One source for each choice list: the enums of db/models.py, named by the labels of bot/render/labels.py."""
    from bot import choices
    from bot.render import labels
    from db.models import ActorKind, MeetingKind, RoleKind, Stance

    for made, enum in ((choices.ACTOR_KINDS, ActorKind), (choices.MEETING_KINDS, MeetingKind),
                       (choices.STANCES, Stance), (choices.ROLES, RoleKind)):
        assert [c.value for c in made] == [e.value for e in enum]
    assert [c.name for c in choices.MEETING_KINDS] == [labels.MEETING_KINDS[k] for k in MeetingKind]


async def test_an_edit_opens_the_add_form_filled_with_the_record(console):
    """A kind's add and edit share one form (cogs/admin/): an edit submitted as it opens keeps what the add stored."""
    added = await console.run(
        "/admin theme add slug:early-warning-apps name:Early-warning apps"
        " || description:Phone apps that warn communities of atrocity risks. keywords:apps, phones"
    )
    assert not added.error, format_outcome(added)
    edited = await console.run("/admin theme edit theme:early-warning-apps name:Warning apps")
    assert not edited.error, format_outcome(edited)
    themes = (await console.bot.store.names(console.guild_id)).themes
    assert themes.resolve("phones").entry.name == "Warning apps"
    states = format_outcome(await console.run("/theme list"))
    assert "Warning apps" in states and "Early-warning apps" not in states
