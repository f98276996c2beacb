"""Migrations agree with the models; seeding is idempotent and leaves admin records alone."""

from __future__ import annotations

import shutil
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, select, text

from db import migrate
from db import models as m
from db.engine import create_engine, session_factory
from db.schema import metadata
from db.seeding import SEED_DIR, seed
from db.store import open_store
from tests.conftest import sqlite_url


async def test_empty_database_migrates_to_head(tmp_path):
    engine = create_engine(sqlite_url(tmp_path / "empty.sqlite3"))
    await migrate.upgrade(engine)
    head = ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()
    assert await migrate.current_revision(engine) == head
    async with engine.connect() as conn:
        journal = (await conn.execute(text("PRAGMA journal_mode"))).scalar()
        foreign_keys = (await conn.execute(text("PRAGMA foreign_keys"))).scalar()
        busy = (await conn.execute(text("PRAGMA busy_timeout"))).scalar()
        fts = (await conn.execute(text("SELECT count(*) FROM sqlite_master WHERE name = 'passages_fts'"))).scalar()
    assert (journal, foreign_keys, fts) == ("wal", 1, 1)
    assert busy >= 1000
    await engine.dispose()


async def test_models_and_migration_head_agree(tmp_path):
    engine = create_engine(sqlite_url(tmp_path / "compare.sqlite3"))
    await migrate.upgrade(engine)

    def diff(sync_conn):
        context = MigrationContext.configure(
            sync_conn, opts={"include_object": _include_object, "compare_type": True}
        )
        return compare_metadata(context, metadata)

    async with engine.connect() as conn:
        differences = await conn.run_sync(diff)
    await engine.dispose()
    assert differences == []


def _include_object(obj, name, type_, reflected, compare_to):
    return not (type_ == "table" and name.startswith(m.FTS_TABLE))


async def test_reseeding_keeps_admin_records_and_updates_seed_records(db_path, tmp_path):
    store = await open_store(sqlite_url(db_path))
    async with store.sessions() as session:
        cuba = await session.scalar(select(m.Actor).where(m.Actor.name == "Cuba"))
        theme = await session.scalar(select(m.Theme).where(m.Theme.slug == "veto-restraint"))
        dialogue = await session.scalar(select(m.Dialogue).where(m.Dialogue.year == 2014))
        source = await session.scalar(select(m.SourceDocument).where(m.SourceDocument.key == "2014-dialogue-summary"))
        admin_theme = m.Theme(
            slug="atrocity-early-warning-apps", name="Early-warning apps", description="Added by an admin.",
            keywords=["apps"], origin=m.Origin.admin,
        )
        session.add(admin_theme)
        session.add(
            m.Position(
                actor=cuba, theme=theme, dialogue=dialogue, stance=m.Stance.neutral, summary="Admin note.",
                excerpt="admin-entered", source=source, origin=m.Origin.admin,
            )
        )
        await session.commit()
        positions_before = await session.scalar(select(func.count()).select_from(m.Position))

    # change the dataset: edit one theme's name
    seed_copy = tmp_path / "seed"
    shutil.copytree(SEED_DIR, seed_copy)
    themes_file = seed_copy / "themes.yaml"
    themes_file.write_text(
        themes_file.read_text(encoding="utf-8").replace("name: Veto restraint", "name: Veto restraint (edited)"),
        encoding="utf-8",
    )
    report = await seed(store.sessions, seed_copy)
    assert not report.skipped and report.updated == 1 and report.inserted == 0 and report.deleted == 0
    again = await seed(store.sessions, seed_copy)
    assert again.skipped
    forced = await seed(store.sessions, seed_copy, force=True)
    assert (forced.inserted, forced.updated, forced.deleted) == (0, 0, 0)

    async with store.sessions() as session:
        assert await session.scalar(select(m.Theme.name).where(m.Theme.slug == "veto-restraint")) == "Veto restraint (edited)"
        kept = await session.scalar(select(m.Theme).where(m.Theme.slug == "atrocity-early-warning-apps"))
        assert kept is not None and kept.origin == m.Origin.admin
        admin_position = await session.scalar(select(m.Position).where(m.Position.excerpt == "admin-entered"))
        assert admin_position is not None and admin_position.summary == "Admin note."
        assert await session.scalar(select(func.count()).select_from(m.Position)) == positions_before
    await store.close()


async def test_seed_checksum_skips_unchanged_dataset(store):
    report = await seed(store.sessions, SEED_DIR)
    assert report.skipped


def test_seed_dir_is_documented():
    readme = (Path(SEED_DIR) / "README.md").read_text(encoding="utf-8")
    for name in ("sources.yaml", "actors/", "themes.yaml", "pillars.yaml", "dialogues/YEAR.yaml", "positions/YEAR.yaml"):
        assert name in readme
