"""Knowledge in layers: two coalitions' servers (A, B) and a curator server on one store.

Each server is the real bot driven through the console, acting in that server;
every bot is a separate client on the same SQLite file, as separate processes
on one DATABASE_URL would be.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from bot.briefing_content import build_post
from bot.console import Console, format_outcome
from db import queries as q
from db.briefing_models import ContentKind
from db.briefings import rotation_items
from db.seeding import SEED_DIR

A, B, CURATOR = 1_000_000_000_000_101, 1_000_000_000_000_102, 1_000_000_000_000_103
EXCERPT = ("Fourteen states identified the use of the veto by Permanent Members of the Security Council "
           "as a major hurdle in implementation of RtoP.")
GUINEA_ON_VETO = (f"/admin position add actor:Guinea theme:veto-restraint dialogue:2014 stance:supports "
                  f"source:2014-dialogue-summary || summary:Called the veto a hurdle. excerpt:{EXCERPT}")


@pytest.fixture
async def servers(db_url: str, tmp_path: Path):
    """open(guild) starts a bot on the shared store acting in that server; all are closed afterwards."""
    from bot.client import BriefingBot
    from bot.config import Settings

    opened: list[Console] = []

    async def open_console(guild: int) -> Console:
        settings = Settings(database_url=db_url, console_output_dir=tmp_path / f"out-{guild}",
                            curator_guild_ids=str(CURATOR), _env_file=None)
        console = Console(BriefingBot(settings), settings.console_output_dir, guild)
        await console.start()
        opened.append(console)
        return console

    yield open_console
    for console in opened:
        await console.close()


def text(outcome) -> str:  # type: ignore[no-untyped-def]
    return format_outcome(outcome)


async def choices(console: Console, line: str, option: str) -> list[str]:
    return [c["name"] for c in await console.autocomplete(line, option)]


async def test_one_servers_additions_are_invisible_in_another(servers):
    a, b = await servers(A), await servers(B)
    added = await a.run("/admin theme add slug:early-warning-apps name:Early-warning apps || "
                        "description:Apps that warn communities. keywords:apps, phones")
    assert not added.error, text(added)
    assert "Applies in this server only" in text(added)
    position = await a.run(GUINEA_ON_VETO)
    assert not position.error, text(position)

    # commands and name resolution
    assert "Guinea" in text(await a.run("/theme states theme:veto-restraint dialogue:2014"))
    assert "Guinea" not in text(await b.run("/theme states theme:veto-restraint dialogue:2014"))
    assert not (await a.run("/theme states theme:early-warning-apps")).error
    unknown = await b.run("/theme states theme:early-warning-apps")
    assert unknown.error and "early-warning-apps" in text(unknown)
    # autocomplete
    assert any("Early-warning apps" in c for c in await choices(a, "/theme states theme:phones", "theme"))
    assert not any("Early-warning apps" in c for c in await choices(b, "/theme states theme:phones", "theme"))
    # /ask
    assert "Guinea" in text(await a.run("/ask question:Which states raised the veto in 2014?"))
    assert "Guinea" not in text(await b.run("/ask question:Which states raised the veto in 2014?"))
    # the chart's counts
    async with a.bot.store.reading(A) as session:
        in_a = {t.theme.slug: t.named_actors for t in await q.list_themes(session, 2014)}
    async with b.bot.store.reading(B) as session:
        in_b = {t.theme.slug: t.named_actors for t in await q.list_themes(session, 2014)}
    assert in_a["veto-restraint"] == in_b["veto-restraint"] + 1
    assert not (await a.run("/theme chart dialogue:2014")).error and not (await b.run("/theme chart dialogue:2014")).error
    # briefings
    posts = []
    for console, guild in ((a, A), (b, B)):
        async with console.bot.store.reading(guild) as session:
            items = [item.key for item in await rotation_items(session, ContentKind.theme)]
        before = items[items.index("veto-restraint") - 1]  # the rotation posts the theme after this one
        posts.append(await build_post(console.bot.store, ContentKind.theme, rotation_key=before, on=date(2024, 5, 6),
                                      cadence=None, guild_id=guild))
    post_a, post_b = posts
    assert "Guinea" in _post_text(post_a) and "Guinea" not in _post_text(post_b)
    # export
    exported_a, exported_b = await _export(a), await _export(b)
    assert [t["slug"] for t in exported_a["records"]["theme"]] == ["early-warning-apps"]
    assert exported_b["records"]["theme"] == [] and exported_b["records"]["position"] == []
    # a direct message reads the shared base only
    base = await a.bot.store.names(None)
    assert not base.themes.resolve("early-warning-apps").found


def _post_text(post) -> str:  # type: ignore[no-untyped-def]
    return json.dumps([e.to_dict() for page in post.reply.pages for e in page], ensure_ascii=False)


async def _export(console: Console) -> dict:
    outcome = await console.run("/admin export")
    assert not outcome.error, text(outcome)
    files = {f.filename: f.data for e in outcome.events for f in e.message.files}
    return json.loads(files["admin-records.json"])


async def test_a_servers_correction_of_a_seed_record_is_its_own_and_survives_re_seeding(servers):
    a, b = await servers(A), await servers(B)
    before_a = text(await a.run("/state profile state:Estonia"))
    renamed = await b.run("/admin actor edit actor:Estonia name:Republic of Estonia")
    assert not renamed.error, text(renamed)
    assert "Applies in this server only" in text(renamed)

    profile_b = text(await b.run("/state profile state:Republic of Estonia"))
    assert "on behalf of Latvia, Lithuania" in profile_b and "2012" in profile_b  # its statements came along
    assert "2014" in text(await b.run("/state profile state:Latvia"))  # and statements on others' behalf name it
    assert "Republic of Estonia" in text(await b.run("/dialogue show year:2014"))
    assert text(await a.run("/state profile state:Estonia")) == before_a
    assert (await a.run("/state profile state:Republic of Estonia")).error

    await a.bot.store.reseed(SEED_DIR, force=True)
    assert "on behalf of Latvia, Lithuania" in text(await b.run("/state profile state:Republic of Estonia"))
    assert "Republic of Estonia" in text(await b.run("/state profile state:Estonia"))  # a word of its name finds it
    assert text(await a.run("/state profile state:Estonia")) == before_a


async def test_a_servers_removal_hides_a_shared_record_there_only(servers):
    a, b = await servers(A), await servers(B)
    assert (await b.bot.store.names(B)).actors.resolve("Ivory Coast").entry.name == "Côte d'Ivoire"
    picked = await b.autocomplete("/admin actor unalias alias:Ivory Coast", "alias")
    assert picked, "the alias picker offers the seed alias"
    removed = await b.run(f"/admin actor unalias alias:{picked[0]['value']}")
    assert not removed.error, text(removed)
    assert not (await b.bot.store.names(B)).actors.resolve("Ivory Coast").found
    assert (await a.bot.store.names(A)).actors.resolve("Ivory Coast").entry.name == "Côte d'Ivoire"
    await a.bot.store.reseed(SEED_DIR, force=True)
    assert not (await b.bot.store.names(B)).actors.resolve("Ivory Coast").found
    exported = await _export(b)
    assert [r["record"]["alias"] for r in exported["removed_seed_records"]] == ["Ivory Coast"]


async def test_a_curators_change_is_seen_in_every_server(servers):
    a, b, curator = await servers(A), await servers(B), await servers(CURATOR)
    added = await curator.run(GUINEA_ON_VETO)
    assert not added.error, text(added)
    assert "Applies in every server" in text(added)
    for console in (a, b, curator):
        assert "Guinea" in text(await console.run("/theme states theme:veto-restraint dialogue:2014"))
    assert "Guinea" in text(await a.run("/ask question:Which states raised the veto in 2014?"))
    assert (await a.bot.store.names(None)).actors.resolve("Guinea").found


async def test_undo_in_one_server_leaves_the_other_alone(servers):
    a, b = await servers(A), await servers(B)
    for console in (a, b):
        outcome = await console.run("/admin actor alias actor:Cuba alias:Republic of Cuba")
        assert not outcome.error, text(outcome)
    corrected = await a.run("/admin actor edit actor:Estonia name:Republic of Estonia")
    assert not corrected.error, text(corrected)
    undone = await a.run("/admin undo")
    assert not undone.error, text(undone)
    assert not (await a.run("/state profile state:Estonia")).error
    assert (await a.run("/state profile state:Republic of Estonia")).error
    again = await a.run("/admin undo")
    assert not again.error, text(again)
    assert not (await a.bot.store.names(A)).actors.resolve("Republic of Cuba").found
    assert (await b.bot.store.names(B)).actors.resolve("Republic of Cuba").entry.name == "Cuba"
    audit_b = text(await b.run("/admin audit"))
    assert "Republic of Cuba" in audit_b and "Estonia" not in audit_b and "· undo" not in audit_b


async def test_two_processes_on_one_store_see_a_change_at_once(servers):
    first, second = await servers(A), await servers(A)
    assert not (await second.bot.store.names(A)).actors.resolve("Atlantis Watch").found
    added = await first.run("/admin actor add name:Atlantis Watch kind:civil_society")
    assert not added.error, text(added)
    dialogue = await first.run("/admin dialogue add year:2026 kind:plenary_debate || title:A new debate")
    assert not dialogue.error, text(dialogue)
    # the other bot's very next command: resolution, autocomplete and the year option
    assert not (await second.run("/state profile state:Atlantis Watch")).error
    assert "Atlantis Watch" in await choices(second, "/state profile state:Atlantis", "state")
    assert not (await second.run("/dialogue show year:2026")).error
    # and the shared base did not change for a server of its own
    other = await servers(B)
    assert (await other.run("/state profile state:Atlantis Watch")).error


async def test_import_applies_in_the_importing_server_only(servers, tmp_path):
    a, b = await servers(A), await servers(B)
    await a.run("/admin actor add name:Atlantis Watch kind:civil_society")
    data = await _export(a)
    path = tmp_path / "admin-records.json"
    path.write_text(json.dumps(data))
    dry = await b.run(f"/admin import file:{path}", turn_pages=False)
    assert not dry.error, text(dry)
    message = dry.events[-1].message.data
    confirm = next(btn for row in message["components"] for btn in row["components"] if btn["label"] == "Confirm")
    await b.click(confirm["custom_id"], message)
    assert (await b.bot.store.names(B)).actors.resolve("Atlantis Watch").found
    third = await servers(1_000_000_000_000_104)
    assert not (await third.bot.store.names(third.guild_id)).actors.resolve("Atlantis Watch").found
