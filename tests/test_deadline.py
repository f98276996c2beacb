"""A command that is not answered in time shows "thinking…" before Discord's deadline, then its answer."""

from __future__ import annotations

import asyncio

import pytest

from bot import deadline
from db import queries as q
from tests.discord_double import server
from tests.discord_double.harness import ADMIN, MEMBER, live_bot

DEADLINE = 0.6  # the double's deadline, shortened so a slow answer need not take seconds
SLOW = 0.9  # how long the slowed query takes: past the deadline


@pytest.fixture
async def live(db_url, tmp_path, monkeypatch):
    monkeypatch.setattr(server, "INTERACTION_DEADLINE", DEADLINE)
    monkeypatch.setattr(deadline, "DEFER_AFTER", DEADLINE / 3)
    async with live_bot(db_url, tmp_path, monkeypatch) as running:
        yield running


def slowed(monkeypatch, name: str, result=None):  # type: ignore[no-untyped-def]
    """The query `name` as a busy store serves it: the same answer (or `result`), SLOW seconds later."""
    real = getattr(q, name)

    async def slow(*args, **kwargs):  # type: ignore[no-untyped-def]
        await asyncio.sleep(SLOW)
        return await real(*args, **kwargs) if result is None else result

    monkeypatch.setattr(q, name, slow)


async def test_a_late_answer_follows_thinking_shown_in_time(live, monkeypatch):
    slowed(monkeypatch, "dialogues_with_sources")
    interaction = await live.double.invoke(MEMBER, "dialogue list", {})
    await interaction.answered(timeout=10)
    assert interaction.callback["type"] == 5  # "thinking…", within the deadline
    assert interaction.latency < DEADLINE
    assert interaction.rejected == [] and live.double.rejections == []
    final = interaction.final
    assert final.id == interaction.original.id and not final.ephemeral  # the answer took the place of "thinking…"
    assert "Timeline" in final.text()
    assert [r for r in live.errors.records if r.exc_info] == []


async def test_without_the_timer_the_same_answer_misses_the_deadline(live, monkeypatch):
    monkeypatch.setattr(deadline, "DEFER_AFTER", 60.0)
    slowed(monkeypatch, "dialogues_with_sources")
    interaction = await live.double.invoke(MEMBER, "dialogue list", {})
    await asyncio.sleep(SLOW + 0.5)
    assert interaction.callback is None
    assert [r["errors"] for r in live.double.rejections] == ["late"]  # and no error reply tried after it
    assert any("answered too late" in r.getMessage() for r in live.errors.records)


async def test_a_quick_answer_needs_no_thinking(live, monkeypatch):
    # Discord's own deadline and timer: a quick answer on a busy test machine still takes well under a second
    monkeypatch.setattr(server, "INTERACTION_DEADLINE", 3.0)
    monkeypatch.setattr(deadline, "DEFER_AFTER", 1.0)
    interaction = await live.double.invoke(MEMBER, "dialogue list", {})
    await interaction.answered(timeout=10)
    assert interaction.callback["type"] == 4
    await asyncio.sleep(deadline.DEFER_AFTER + 0.1)  # the timer was stopped: nothing more is sent
    assert [m for m in interaction.messages] == [] and live.double.rejections == []


async def test_a_late_error_stays_private_after_public_thinking(live, monkeypatch):
    async def removed(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        await asyncio.sleep(SLOW)
        return None  # the theme was removed while the question was on its way

    monkeypatch.setattr(q, "theme_states", removed)
    interaction = await live.double.invoke(MEMBER, "theme states", {"theme": "veto-restraint"})
    await interaction.answered(timeout=10)
    assert interaction.callback["type"] == 5 and interaction.latency < DEADLINE
    assert interaction.original.deleted  # the public "thinking…" is gone
    final = interaction.final
    assert final.ephemeral and "Unknown theme" in final.text()
    assert live.double.rejections == []


async def test_a_form_is_never_preceded_by_thinking(live):
    interaction = await live.double.invoke(ADMIN, "admin dialogue add", {"year": 2030, "kind": "plenary_debate"})
    await interaction.answered(timeout=10)
    assert interaction.callback["type"] == 9  # the modal, as the first response
    await asyncio.sleep(deadline.DEFER_AFTER + 0.1)
    assert live.double.rejections == []


async def test_an_interaction_read_late_shows_thinking_at_once(live, monkeypatch):
    made = server.snowflake

    def ten_seconds_ago() -> int:  # Discord made the interaction long before the bot read it (a backlog)
        return made() - (10_000 << 22)

    monkeypatch.setattr(server, "snowflake", ten_seconds_ago)
    monkeypatch.setattr(server, "INTERACTION_DEADLINE", 5.0)  # the double's clock starts when it sends
    slowed(monkeypatch, "dialogues_with_sources")
    interaction = await live.double.invoke(MEMBER, "dialogue list", {})
    await interaction.answered(timeout=10)
    assert interaction.callback["type"] == 5
    assert interaction.latency < deadline.DEFER_AFTER / 2  # not the full DEFER_AFTER from arrival
    assert "Timeline" in interaction.final.text()
