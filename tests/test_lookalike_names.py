"""Look-alike names (case, full-width, zero-width, control characters, direction overrides) are one name."""

from __future__ import annotations

import pytest

from bot.console import ConsoleUser, format_outcome
from db.admin.service import Admin, ChangeAuthor
from db.errors import DuplicateRecord, ValidationError
from db.names import fold
from db.text import clean_text

ALICE = ChangeAuthor(user_id=11, user_name="alice", guild_id=99)
LOOKALIKES = ["CUBA", "Ｃｕｂａ", "Cu\u200bba", "Cuba\x00", "\u202eCuba", "Cu\u00adba", "\ufeffCuba", " cuba\t"]


@pytest.mark.parametrize("name", LOOKALIKES)
def test_lookalikes_fold_to_the_same_name(name):
    assert fold(name) == fold("Cuba")


@pytest.mark.parametrize("name", LOOKALIKES)
async def test_a_lookalike_actor_is_refused_with_the_existing_name(store, name):
    with pytest.raises(DuplicateRecord) as refused:
        await Admin(store).add("actor", {"name": name, "kind": "member_state"}, ALICE)
    assert "Cuba" in refused.value.message and refused.value.suggestions == ("Cuba",)
    assert len([e for e in store.actors.entries if fold(e.name) == "cuba"]) == 1


async def test_a_lookalike_of_an_alias_or_of_another_actor_is_refused(store):
    admin = Admin(store)
    with pytest.raises(DuplicateRecord, match="Côte d'Ivoire"):
        await admin.add("actor", {"name": "ＩＶＯＲＹ ＣＯＡＳＴ", "kind": "civil_society"}, ALICE)
    with pytest.raises(ValidationError, match="already names Cuba"):
        await admin.add("alias", {"actor": "France", "alias": "Ｃｕ\u200bｂａ"}, ALICE)
    france = await admin.find("actor", {"name": "France"})
    with pytest.raises(DuplicateRecord, match="Cuba"):
        await admin.edit("actor", france, {"name": "cuba"}, ALICE)
    cuba = await admin.find("actor", {"name": "Cuba"})
    await admin.edit("actor", cuba, {"name": "CUBA"}, ALICE)  # its own name in another case is a correction


def test_clean_text_strips_nul_control_and_direction_characters_and_keeps_lines():
    assert clean_text("Cuba\x00") == "Cuba"
    assert clean_text("\u202eabc\u2066d\u2069") == "abcd"
    assert clean_text("a\x07b\x1bc") == "abc"
    assert clean_text("line one\r\nline two\ttab") == "line one\nline two\ttab"
    assert clean_text("Zero\u200bwidth\ufeff") == "Zerowidth"
    assert clean_text("Côte d'Ivoire — 日本 👩‍👩‍👧") == "Côte d'Ivoire — 日本 👩‍👩‍👧"  # joiners in emoji stay


async def test_stored_text_has_no_control_characters(store):
    admin = Admin(store)
    change = await admin.add("theme", {"slug": "clean-text", "name": "Clean\x00 text\u202e",
                                       "description": "Bell\x07 and\x1b escape characters go.",
                                       "keywords": ["nul\x00word"]}, ALICE)
    assert change.after["name"] == "Clean text"
    assert change.after["description"] == "Bell and escape characters go."
    assert change.after["keywords"] == ["nulword"]


async def test_command_options_and_forms_arrive_clean(console):
    profile = await console.run("/state profile state:Cuba\x00")
    assert not profile.error, format_outcome(profile)
    assert "Cuba" in format_outcome(profile)
    unknown = await console.run("/state profile state:Atlan\x00tis\u202e")
    assert unknown.error and "Atlantis" in format_outcome(unknown)
    assert "\x00" not in format_outcome(unknown) and "\u202e" not in format_outcome(unknown)
    added = await console.run("/admin theme add slug:form-text name:Form\u202e text"
                              " || description:A description with a NUL\x00 in it. keywords:one\x00, two")
    assert not added.error, format_outcome(added)
    async with console.bot.store.reading(console.guild_id) as s:
        from sqlalchemy import select

        from db import models as m

        theme = await s.scalar(select(m.Theme).where(m.Theme.slug == "form-text"))
    assert theme.name == "Form text" and theme.description == "A description with a NUL in it."
    assert theme.keywords == ["one", "two"]
    refused = await console.run("/admin actor add name:ＣＵＢＡ kind:member_state", ConsoleUser())
    assert refused.error and "Cuba" in format_outcome(refused)
