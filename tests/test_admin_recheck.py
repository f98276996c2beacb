"""An admin who loses the role between opening a form (or a dry run) and submitting it changes nothing."""

from __future__ import annotations

import json

from bot.console import ConsoleUser, format_outcome


async def test_a_form_submitted_after_losing_admin_changes_nothing(console):
    user = ConsoleUser()

    def answer_then_lose_the_role(field):  # the form is filled in while the role is taken away
        user.admin = False
        return {"description": "A theme whose form outlived its admin.", "keywords": ""}.get(field["custom_id"], "")

    outcome = await console.run("/admin theme add slug:late-form name:Late form", user,
                                prompt=answer_then_lose_the_role)
    assert outcome.error
    assert "Manage Server" in format_outcome(outcome) and "Nothing was changed" in format_outcome(outcome)
    assert not (await console.bot.store.names(console.guild_id)).themes.resolve("late-form").found


async def test_an_import_confirmed_after_losing_admin_changes_nothing(console, tmp_path):
    data = {"format": "rtop-briefing-bot/admin-records", "version": 1, "removed_seed_records": [],
            "records": {"actor": [{"name": "Late Org", "kind": "civil_society", "iso3": None, "aliases": []}]}}
    path = tmp_path / "admin-records.json"
    path.write_text(json.dumps(data))
    dry = await console.run(f"/admin import file:{path}", turn_pages=False)
    assert not dry.error, format_outcome(dry)
    message = dry.events[-1].message.data
    buttons = {b["label"]: b for row in message["components"] for b in row["components"]}

    former_admin = ConsoleUser(admin=False)  # the same person, without Manage Server now
    refused = await console.click(buttons["Confirm"]["custom_id"], message, former_admin)
    assert any("Manage Server" in json.dumps(e.message.data) for e in refused)
    assert not (await console.bot.store.names(console.guild_id)).actors.resolve("Late Org").found

    confirmed = await console.click(buttons["Confirm"]["custom_id"], message)  # given the role back, it applies
    assert any("Import applied" in json.dumps(e.message.data) for e in confirmed)
    assert (await console.bot.store.names(console.guild_id)).actors.resolve("Late Org").found
