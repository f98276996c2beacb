"""A correction of a seed record (a rename, a new year or key) keeps what hangs off it when the dataset is re-seeded."""

from __future__ import annotations

import shutil

from sqlalchemy import func, select

from db import models as m
from db.admin.service import Admin, ChangeAuthor
from db.seeding import SEED_DIR

ALICE = ChangeAuthor(user_id=11, user_name="alice", guild_id=99)


def _changed_dataset(tmp_path):
    seed_copy = tmp_path / "seed"
    shutil.copytree(SEED_DIR, seed_copy)
    themes = seed_copy / "themes.yaml"
    themes.write_text(themes.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # forces a re-seed
    return seed_copy


async def _hanging_off(store, actor_id: int) -> dict[str, int]:
    async with store.sessions() as s:
        counts = {}
        for model, column in ((m.Position, "actor_id"), (m.Statement, "actor_id"), (m.Role, "actor_id"),
                              (m.Quote, "speaker_id"), (m.StatementBehalf, "actor_id"), (m.ActorAlias, "actor_id")):
            counts[model.__tablename__] = await s.scalar(
                select(func.count()).select_from(model).where(getattr(model, column) == actor_id))
        return counts


async def test_a_renamed_seed_actor_keeps_its_records_on_reseed(store, tmp_path):
    admin = Admin(store)
    cuba = await admin.find("actor", {"name": "Cuba"})
    before = await _hanging_off(store, cuba)
    assert before["positions"] and before["statements"]
    await admin.edit("actor", cuba, {"name": "Republic of Cuba"}, ALICE)

    report = await store.reseed(_changed_dataset(tmp_path))
    await store.refresh_indexes()

    assert not report.skipped and report.deleted == 0
    assert await _hanging_off(store, cuba) == before
    assert store.actors.resolve("Republic of Cuba").entry.id == cuba
    assert store.actors.resolve("Cuba").found is False or store.actors.resolve("Cuba").entry.id == cuba
    async with store.sessions() as s:
        names = set(await s.scalars(select(m.Actor.name)))
    assert "Cuba" not in names  # the seed version does not come back beside the correction
    # a second re-seed changes nothing either
    again = await store.reseed(_changed_dataset(tmp_path / "again"), force=True)
    assert again.deleted == 0 and again.inserted == 0
    assert await _hanging_off(store, cuba) == before


async def test_undoing_the_rename_restores_the_seed_record_and_its_records(store, tmp_path):
    admin = Admin(store)
    cuba = await admin.find("actor", {"name": "Cuba"})
    before = await _hanging_off(store, cuba)
    change = await admin.edit("actor", cuba, {"name": "Republic of Cuba"}, ALICE)
    await store.reseed(_changed_dataset(tmp_path))
    await admin.undo(change.entry_id, ALICE)
    report = await store.reseed(_changed_dataset(tmp_path / "again"), force=True)
    assert report.deleted == 0
    async with store.sessions() as s:
        actor = await s.get(m.Actor, cuba)
    assert actor.name == "Cuba" and actor.origin == m.Origin.seed
    assert await _hanging_off(store, cuba) == before


async def test_a_seed_theme_given_a_new_slug_keeps_its_positions(store, tmp_path):
    admin = Admin(store)
    theme = await admin.find("theme", {"slug": "veto-restraint"})
    async with store.sessions() as s:
        count = await s.scalar(select(func.count()).select_from(m.Position).where(m.Position.theme_id == theme))
    assert count
    await admin.edit("theme", theme, {"slug": "veto-code-of-conduct"}, ALICE)
    report = await store.reseed(_changed_dataset(tmp_path))
    assert report.deleted == 0
    async with store.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(m.Position).where(m.Position.theme_id == theme)) == count
        assert await s.scalar(select(func.count()).select_from(m.Theme).where(m.Theme.slug == "veto-restraint")) == 0


async def test_an_export_carries_the_rename_to_another_store_with_its_records(store, databases, tmp_path):
    import json

    from db.admin.transfer import Transfer
    from db.store import open_store

    admin = Admin(store)
    cuba = await admin.find("actor", {"name": "Cuba"})
    await admin.edit("actor", cuba, {"name": "Republic of Cuba"}, ALICE)
    exported, _ = await Transfer(store).export()
    assert json.loads(exported)["removed_seed_records"][0]["replaced_by"] == {"name": "Republic of Cuba"}

    fresh = await open_store(databases.seeded())
    try:
        fresh_cuba = await Admin(fresh).find("actor", {"name": "Cuba"})
        before = await _hanging_off(fresh, fresh_cuba)
        applied = await Transfer(fresh).apply(exported.encode(), ALICE)
        assert applied.ok, applied.errors
        assert [o.action for o in applied.outcomes] == ["update", "unchanged"]
        assert fresh.actors.resolve("Republic of Cuba").entry.id == fresh_cuba
        assert await _hanging_off(fresh, fresh_cuba) == before
        report = await fresh.reseed(_changed_dataset(tmp_path))
        assert report.deleted == 0 and await _hanging_off(fresh, fresh_cuba) == before
    finally:
        await fresh.close()


async def test_another_states_iso_code_is_refused_in_words(store):
    import pytest

    from db.errors import DuplicateRecord

    with pytest.raises(DuplicateRecord, match="CUB already belongs to Cuba"):
        await Admin(store).add("actor", {"name": "Atlantis", "kind": "member_state", "iso3": "CUB"}, ALICE)
