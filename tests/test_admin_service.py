"""Admin changes at the domain level: validation, audit, undo, seed corrections, export and import."""

from __future__ import annotations

import json
import shutil

import pytest
from sqlalchemy import func, select

from db import models as m
from db import queries as q
from db.admin.service import Admin, ChangeAuthor
from db.admin.transfer import Transfer
from db.errors import DuplicateRecord, InUse, UnknownReference, ValidationError
from db.seeding import SEED_DIR
from db.store import open_store

ALICE = ChangeAuthor(user_id=11, user_name="alice", guild_id=99)

POSITION = {
    "actor": "Ivory Coast",
    "theme": "veto-restraint",
    "dialogue": 2014,
    "stance": "supports",
    "summary": "Backed the French-Mexican initiative on veto restraint.",
    "excerpt": "Fourteen states identified the use of the veto by Permanent Members of the Security Council as a major hurdle in implementation of RtoP.",
    "source": "2014-dialogue-summary",
}


async def test_add_is_visible_at_once_and_audited(store):
    admin = Admin(store)
    change = await admin.add("position", POSITION, ALICE)
    async with store.sessions() as s:
        result = await q.theme_states(s, "veto-restraint", 2014)
        entry = await s.get(m.AuditEntry, change.entry_id)
    assert "Côte d'Ivoire" in result.actors
    assert entry.user_id == 11 and entry.user_name == "alice" and entry.guild_id == 99
    assert entry.action == "add" and entry.before is None and entry.after["actor"] == "Côte d'Ivoire"


async def test_validation_errors_are_clear(store):
    admin = Admin(store)
    with pytest.raises(UnknownReference) as unknown:
        await admin.add("position", {**POSITION, "actor": "Atlantis"}, ALICE)
    assert unknown.value.suggestions
    with pytest.raises(UnknownReference, match="No dialogue in 2031"):
        await admin.add("position", {**POSITION, "dialogue": 2031}, ALICE)
    with pytest.raises(ValidationError, match="between 1945 and 2100"):
        await admin.add("dialogue", {"year": 1800}, ALICE)
    with pytest.raises(ValidationError, match="summary"):
        await admin.add("position", {**POSITION, "summary": ""}, ALICE)
    with pytest.raises(ValidationError, match="limit is 300"):
        await admin.add("position", {**POSITION, "summary": "x" * 301}, ALICE)
    with pytest.raises(ValidationError, match="slug"):
        await admin.add("theme", {"slug": "Bad Slug", "name": "Bad", "description": "A bad slug here."}, ALICE)
    await admin.add("position", POSITION, ALICE)
    with pytest.raises(DuplicateRecord, match="record #"):
        await admin.add("position", POSITION, ALICE)
    with pytest.raises(ValidationError, match="already names"):
        await admin.add("alias", {"actor": "France", "alias": "UK"}, ALICE)


async def test_edit_remove_and_undo_each_path(store):
    admin = Admin(store)
    added = await admin.add("theme", {"slug": "early-warning-apps", "name": "Early-warning apps",
                                      "description": "Apps that warn of atrocities.", "keywords": ["apps"]}, ALICE)
    edited = await admin.edit("theme", added.record_id, {"name": "Warning apps"}, ALICE)
    assert edited.before["name"] == "Early-warning apps" and edited.after["name"] == "Warning apps"
    assert store.themes.resolve("Warning apps").found
    undone = await admin.undo(edited.entry_id, ALICE)
    assert undone.after["name"] == "Early-warning apps"
    assert store.themes.resolve("Early-warning apps").found
    removed = await admin.remove("theme", added.record_id, ALICE)
    assert not store.themes.resolve("early-warning-apps").found
    await admin.undo(removed.entry_id, ALICE)
    assert store.themes.resolve("early-warning-apps").found
    with pytest.raises(ValidationError, match="already undone"):
        await admin.undo(removed.entry_id, ALICE)
    last = await admin.undo(None, ALICE)  # the newest change not yet undone: the add
    assert last.action == "undo" and not store.themes.resolve("early-warning-apps").found
    audit = await admin.audit(guild_id=99)
    assert [a.action for a in audit][:2] == ["undo", "undo"]


async def test_removing_what_is_still_used_is_refused(store):
    admin = Admin(store)
    cuba = await admin.find("actor", {"name": "Cuba"})
    with pytest.raises(InUse, match="positions"):
        await admin.remove("actor", cuba, ALICE)


async def test_seed_corrections_win_and_survive_reseeding(store, tmp_path):
    admin = Admin(store)
    theme_id = await admin.find("theme", {"slug": "veto-restraint"})
    await admin.edit("theme", theme_id, {"name": "Veto restraint (code of conduct)"}, ALICE)
    async with store.sessions() as s:
        singapore = await s.scalar(
            select(m.Position).join(m.Position.actor).where(m.Actor.name == "Singapore", m.Position.theme_id == theme_id)
        )
    await admin.remove("position", singapore.id, ALICE)

    seed_copy = tmp_path / "seed"
    shutil.copytree(SEED_DIR, seed_copy)
    (seed_copy / "themes.yaml").write_text(
        (seed_copy / "themes.yaml").read_text(encoding="utf-8") + "\n", encoding="utf-8"
    )  # a changed dataset forces a re-seed
    report = await store.reseed(seed_copy)
    assert not report.skipped and report.suppressed == 1
    assert report.kept_admin >= 1 and report.inserted == 0  # the corrected theme was found, not added again
    async with store.sessions() as s:
        theme = await s.get(m.Theme, theme_id)
        veto = await q.theme_states(s, "veto-restraint", 2012)
    assert theme.name == "Veto restraint (code of conduct)" and theme.origin == m.Origin.admin
    assert "Singapore" not in (veto.actors if veto else ())


async def test_export_then_import_into_an_empty_store_round_trips(store, databases):
    admin = Admin(store)
    await admin.add("dialogue", {"year": 2025, "kind": "plenary_debate", "dates": "2025-06-30",
                                 "report_title": "A new report", "report_symbol": "A/79/999"}, ALICE)
    await admin.add("actor", {"name": "Atlantis Watch", "kind": "civil_society", "aliases": ["AW"]}, ALICE)
    await admin.add("alias", {"actor": "Cuba", "alias": "Republic of Cuba"}, ALICE)
    key = await admin.ensure_source("Atlantis Watch statement", "https://example.org/aw", ALICE)
    await admin.add("position", {**POSITION, "actor": "Atlantis Watch", "dialogue": 2025, "source": key}, ALICE)
    await admin.add("statement", {"actor": "Atlantis Watch", "dialogue": 2025, "languages": ["English"],
                                  "on_behalf_of": ["Cuba"], "source": key, "excerpt": "Atlantis Watch spoke."}, ALICE)
    await admin.add("role", {"actor": "Atlantis Watch", "dialogue": 2025, "role": "panelist", "title": "Director",
                             "source": key, "excerpt": "Atlantis Watch sat on the panel."}, ALICE)
    await admin.add("quote", {"speaker": "Atlantis Watch", "dialogue": 2025, "text": "Never again.", "source": key}, ALICE)
    theme_id = await admin.find("theme", {"slug": "arms-trade"})
    await admin.edit("theme", theme_id, {"description": "Corrected description of the arms trade theme."}, ALICE)
    exported, positions_csv = await Transfer(store).export()
    assert "Atlantis Watch" in positions_csv and "origin" in positions_csv.splitlines()[0]

    fresh = await open_store(databases.seeded())
    plan = await Transfer(fresh).plan(exported.encode(), ALICE)
    assert plan.ok, plan.errors
    assert plan.count("add") == 8 and plan.count("update") == 1
    async with fresh.sessions() as s:  # the dry run kept nothing
        assert await s.scalar(select(func.count()).select_from(m.AuditEntry)) == 0
    applied = await Transfer(fresh).apply(exported.encode(), ALICE)
    assert applied.ok
    again, _ = await Transfer(fresh).export()
    assert json.loads(again)["records"] == json.loads(exported)["records"]
    assert json.loads(again)["removed_seed_records"] == json.loads(exported)["removed_seed_records"]
    assert fresh.actors.resolve("AW").found
    await fresh.close()


async def test_import_with_bad_rows_applies_nothing_and_reports_each_row(store):
    data = {
        "format": "rtop-briefing-bot/admin-records",
        "version": 1,
        "records": {
            "actor": [{"name": "Good Org", "kind": "civil_society", "iso3": None, "aliases": []},
                      {"name": "Bad Org", "kind": "club", "iso3": None, "aliases": []}],
            "position": [{**POSITION, "actor": "Good Org"}, {**POSITION, "actor": "Nobody Known", "excerpt": "x" * 20}],
        },
        "removed_seed_records": [],
    }
    transfer = Transfer(store)
    plan = await transfer.apply(json.dumps(data).encode(), ALICE)
    assert not plan.ok
    errors = {(e.section, e.row): e.error for e in plan.errors}
    assert set(errors) == {("actor", 2), ("position", 2)}
    assert "kind" in errors[("actor", 2)] and "Nobody Known" in errors[("position", 2)]
    assert not store.actors.resolve("Good Org").found
    async with store.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(m.AuditEntry)) == 0
    broken = await transfer.plan(b"{not json", ALICE)
    assert broken.problem and "not valid JSON" in broken.problem


async def test_an_excerpt_not_in_its_source_is_refused_with_the_closest_sentence(store):
    admin = Admin(store)
    with pytest.raises(ValidationError) as refused:
        await admin.add("position", {**POSITION, "excerpt": "Cote d'Ivoire strongly backed veto restraint."}, ALICE)
    assert "not found in `2014-dialogue-summary`" in refused.value.message
    assert "Closest passage" in refused.value.message and "Cote d’Ivoire" in refused.value.message
    async with store.sessions() as s:
        assert "Côte d'Ivoire" not in (await q.theme_states(s, "veto-restraint", 2014)).actors


async def test_an_excerpt_typed_with_other_quotes_and_spacing_is_found(store):
    typed = "states such as Cote d'Ivoire and  Sierra Leone highlighted the important role of civil society"
    change = await Admin(store).add("position", {**POSITION, "theme": "civil-society-role", "excerpt": typed}, ALICE)
    assert change.entry_id


async def test_a_quote_role_and_statement_are_checked_too(store):
    admin = Admin(store)
    for entity, record in (
        ("quote", {"speaker": "Cuba", "dialogue": 2014, "text": "We never said this.", "source": "2014-dialogue-summary"}),
        ("role", {"actor": "Cuba", "dialogue": 2014, "role": "panelist", "source": "2014-dialogue-summary",
                  "excerpt": "Cuba chaired the panel."}),
        ("statement", {"actor": "Chad", "dialogue": 2014, "source": "2014-dialogue-summary", "excerpt": "Chad spoke."}),
    ):
        with pytest.raises(ValidationError, match="not found in `2014-dialogue-summary`"):
            await admin.add(entity, record, ALICE)


async def test_a_source_given_by_title_and_address_is_shown_as_not_verified(store):
    from bot.render.embeds import theme_states
    from bot.render.layout import source_label

    admin = Admin(store)
    key = await admin.ensure_source("Atlantis Watch statement", "https://example.org/aw", ALICE)
    await admin.add("position", {**POSITION, "excerpt": "Words nobody can check against a text.", "source": key}, ALICE)
    async with store.sessions() as s:
        result = await q.theme_states(s, "veto-restraint", 2014)
    ref = next(p.source for g in result.groups for p in g.positions if p.source.key == key)
    assert not ref.verified and "excerpt not verified against a stored text" in source_label(ref)
    assert "https://example.org/aw" in source_label(ref)
    reply = theme_states(result, 2014)
    fields = " ".join(f.value for page in reply.pages for f in page[0].fields)
    assert "Words nobody can check against a text.” *(excerpt not verified against a stored text)*" in fields.replace("\\", "")
