"""Migrations agree with the models; seeding is idempotent and leaves admin records alone."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, select, text

from db import migrate
from db import models as m
from db.engine import create_engine
from db.schema import include_object, metadata
from db.seeding import SEED_DIR
from db.store import open_store
from tests.conftest import ON_POSTGRESQL


async def test_empty_database_migrates_to_head(databases):
    engine = create_engine(databases.empty())
    await migrate.upgrade(engine)
    head = ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()
    assert await migrate.current_revision(engine) == head
    await engine.dispose()


@pytest.mark.sqlite_only("SQLite's pragmas and FTS5 table")
async def test_sqlite_store_has_wal_foreign_keys_and_fts5(databases):
    engine = create_engine(databases.empty())
    await migrate.upgrade(engine)
    async with engine.connect() as conn:
        journal = (await conn.execute(text("PRAGMA journal_mode"))).scalar()
        foreign_keys = (await conn.execute(text("PRAGMA foreign_keys"))).scalar()
        busy = (await conn.execute(text("PRAGMA busy_timeout"))).scalar()
        fts = (await conn.execute(text("SELECT count(*) FROM sqlite_master WHERE name = 'passages_fts'"))).scalar()
    assert (journal, foreign_keys, fts) == ("wal", 1, 1)
    assert busy >= 1000
    await engine.dispose()


@pytest.mark.skipif(not ON_POSTGRESQL, reason="PostgreSQL's full-text column")
async def test_postgresql_store_has_a_tsvector_column_with_a_gin_index(databases):
    engine = create_engine(databases.empty())
    await migrate.upgrade(engine)
    async with engine.connect() as conn:
        kind = (await conn.execute(text(
            "SELECT data_type, is_generated FROM information_schema.columns "
            f"WHERE table_name = 'passages' AND column_name = '{m.PG_SEARCH_COLUMN}'"))).one()
        index = (await conn.execute(text(
            f"SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_passages_{m.PG_SEARCH_COLUMN}'"))).scalar()
        triggers = (await conn.execute(text(
            "SELECT count(DISTINCT event_object_table) FROM information_schema.triggers "
            "WHERE trigger_name LIKE 'knowledge_generation_%'"))).scalar()
    await engine.dispose()
    assert tuple(kind) == ("tsvector", "ALWAYS") and "USING gin" in index and triggers >= 15


async def test_models_and_migration_head_agree(databases):
    engine = create_engine(databases.empty())
    await migrate.upgrade(engine)

    def diff(sync_conn):
        context = MigrationContext.configure(
            sync_conn, opts={"include_object": include_object, "compare_type": True}
        )
        return compare_metadata(context, metadata)

    async with engine.connect() as conn:
        differences = await conn.run_sync(diff)
    await engine.dispose()
    assert differences == []


async def test_reseeding_keeps_admin_records_and_updates_seed_records(db_url, tmp_path):
    store = await open_store(db_url)
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
    report = await store.reseed(seed_copy)
    assert not report.skipped and report.updated == 1 and report.inserted == 0 and report.deleted == 0
    again = await store.reseed(seed_copy)
    assert again.skipped
    forced = await store.reseed(seed_copy, force=True)
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
    report = await store.reseed(SEED_DIR)
    assert report.skipped


def test_seed_dir_is_documented():
    readme = (Path(SEED_DIR) / "README.md").read_text(encoding="utf-8")
    for name in ("sources.yaml", "actors/", "themes.yaml", "pillars.yaml", "dialogues/YEAR.yaml", "positions/YEAR.yaml"):
        assert name in readme


async def test_admin_records_survive_upgrading_from_the_previous_migration(databases):
    """A store at the revision before head holds admin data; upgrading and seeding keeps every record."""
    script = ScriptDirectory.from_config(migrate.alembic_config())
    head = script.get_revision(script.get_current_head())
    previous = head.down_revision
    assert previous, "there is only one migration"
    url = databases.empty()
    engine = create_engine(url)
    await migrate.upgrade(engine, previous)
    now = "2026-01-01 00:00:00"
    statements = [
        "INSERT INTO source_documents (id, key, title, publisher, kind, text, origin, created_at, updated_at) "
        f"VALUES (900, 'admin-aw', 'AW statement', 'Cited by a server admin', 'admin citation', '', 'admin', '{now}', '{now}')",
        "INSERT INTO dialogues (id, year, kind, meeting, focus_pillars, source_urls, detailed, origin, created_at, updated_at) "
        f"VALUES (900, 2030, 'plenary_debate', 'plenary debate', '[]', '[]', false, 'admin', '{now}', '{now}')",
        "INSERT INTO actors (id, name, kind, origin, created_at, updated_at) "
        f"VALUES (900, 'Atlantis Watch', 'civil_society', 'admin', '{now}', '{now}')",
        "INSERT INTO actor_aliases (id, actor_id, alias, folded, origin, created_at, updated_at) "
        f"VALUES (900, 900, 'AW', 'aw', 'admin', '{now}', '{now}')",
        "INSERT INTO themes (id, slug, name, description, keywords, origin, created_at, updated_at) "
        f"VALUES (900, 'warning-apps', 'Warning apps', 'Apps that warn.', '[\"apps\"]', 'admin', '{now}', '{now}')",
        "INSERT INTO positions (id, actor_id, theme_id, dialogue_id, stance, summary, excerpt, source_id, partial, origin, created_at, updated_at) "
        f"VALUES (900, 900, 900, 900, 'supports', 'Backed apps.', 'AW backed warning apps.', 900, false, 'admin', '{now}', '{now}')",
        "INSERT INTO quotes (id, dialogue_id, speaker_id, text, source_id, origin, created_at, updated_at) "
        f"VALUES (900, 900, 900, 'Never again.', 900, 'admin', '{now}', '{now}')",
    ]
    async with engine.begin() as conn:
        for sql in statements:
            await conn.execute(text(sql))
    await engine.dispose()

    store = await open_store(url)  # upgrades to head and seeds
    assert await migrate.current_revision(store.engine) == head.revision
    async with store.sessions() as session:
        checks = {
            m.SourceDocument: ("key", "admin-aw"), m.Dialogue: ("year", 2030), m.Actor: ("name", "Atlantis Watch"),
            m.ActorAlias: ("alias", "AW"), m.Theme: ("slug", "warning-apps"), m.Position: ("summary", "Backed apps."),
            m.Quote: ("text", "Never again."),
        }
        for model, (column, value) in checks.items():
            row = await session.get(model, 900)
            assert row is not None and getattr(row, column) == value and row.origin == m.Origin.admin, model
    assert store.actors.resolve("AW").entry.name == "Atlantis Watch"
    assert store.seed_report is not None and store.seed_report.inserted > 0  # the seed went in around them
    await store.close()
