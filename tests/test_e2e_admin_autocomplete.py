"""The autocomplete of admin-only options answers admins in a server, and nobody else, through the double."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import pytest_asyncio

from db import briefings as b
from db.briefing_models import Cadence, ContentKind
from db.briefings import Timing
from tests.conftest import READS_ONLY
from tests.discord_double.harness import ADMIN, MEMBER

# (command, option being typed, other options already given); every one lists records only admins may see
ADMIN_PICKERS = [
    ("briefing pause", "id", {}),
    ("briefing resume", "id", {}),
    ("briefing cancel", "id", {}),
    ("briefing post-now", "id", {}),
    ("admin position edit", "position", {}),
    ("admin position remove", "position", {}),
    ("admin statement remove", "statement", {}),
    ("admin role remove", "role", {}),
    ("admin quote remove", "quote", {}),
    ("admin position add", "source", {"actor": "France", "theme": "veto-restraint", "dialogue": 2014,
                                      "stance": "supports"}),
]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def live(reading_live):  # type: ignore[no-untyped-def]
    """One bot for the module, with one daily briefing in the server for the schedule pickers; the tests only read."""
    await reading_live.bot.store.write(
        None, b.create_schedule, guild_id=reading_live.double.guild_id, channel_id=reading_live.double.channel_ids[0],
        timing=Timing(Cadence.daily, 9, 0, "UTC"), content=ContentKind.pillar, created_by=ADMIN.id,
        created_by_name=ADMIN.name, now=datetime.now(timezone.utc) - timedelta(days=1),
    )
    return reading_live


async def _choices(live, user, path: str, focused: str, given: dict, *, dm: bool = False) -> list[dict]:
    interaction = await live.double.autocomplete(user, path, {**given, focused: ""}, focused, dm=dm)
    await interaction.answered(timeout=10)
    assert interaction.rejected == []
    return interaction.choices


@READS_ONLY
@pytest.mark.parametrize("path, focused, given", ADMIN_PICKERS, ids=[f"{p} {f}" for p, f, _ in ADMIN_PICKERS])
async def test_admin_pickers_answer_admins_only_and_never_in_direct_messages(live, path, focused, given):
    assert await _choices(live, ADMIN, path, focused, given), f"/{path} {focused}: an admin sees no choices"
    assert await _choices(live, MEMBER, path, focused, given) == []
    assert await _choices(live, ADMIN, path, focused, given, dm=True) == []


@READS_ONLY
async def test_public_autocomplete_still_answers_members_and_direct_messages(live):
    for dm in (False, True):
        choices = await _choices(live, MEMBER, "state profile", "state", {}, dm=dm)
        assert len(choices) == 25
