"""Each rendering glitch the corpus audit found, through the real commands (tests/test_commands.py's console)."""

from __future__ import annotations

import re

from bot.console import format_outcome
from tests.conftest import READS_ONLY
from bot.render import limits
from bot.render.embeds import joined
from bot.render.evidence import window


async def _text(console, line: str) -> str:
    outcome = await console.run(line)
    assert not outcome.error, format_outcome(outcome)
    return format_outcome(outcome)


@READS_ONLY
async def test_a_title_that_holds_the_name_is_said_once(reading_console):
    text = await _text(reading_console, "/dialogue show year:2011")
    office = "Executive Secretary of the International Conference of the Great Lakes Region"
    assert text.count(office) == 1
    text = await _text(reading_console, "/dialogue show year:2014")
    assert "Office of the President of the General Assembly (PGA)" in text
    assert "Office of the President of the General Assembly, Office" not in text


@READS_ONLY
async def test_the_2011_afternoon_session_is_not_called_a_panel(reading_console):
    text = await _text(reading_console, "/dialogue show year:2011")
    assert "Panel: Ban Ki-moon" not in text
    assert "In the session: Ban Ki-moon, Secretary-General (afternoon session)" in text
    assert "Morning session: the regional and sub-regional experience in preventing mass atrocity crimes" in text


@READS_ONLY
async def test_a_note_is_said_once(reading_console):
    text = await _text(reading_console, "/dialogue show year:2011")
    assert "Singapore (distributed but not delivered)" in text
    assert "not delivered; distributed but not delivered" not in text
    profile = await _text(reading_console, "/state profile state:Rwanda")
    assert profile.count("first statement of its kind") == 1
    assert profile.count("on behalf of the 45 Member States") <= 1


@READS_ONLY
async def test_the_timeline_kind_is_not_bracketed_twice(reading_console):
    text = await _text(reading_console, "/dialogue show year:2009")
    assert "((" not in text and "))" not in text
    assert "GA plenary debate (informal dialogue 23 Jul)" in text


@READS_ONLY
async def test_partial_statement_lists_say_how_many_spoke(reading_console):
    text = await _text(reading_console, "/dialogue show year:2011")
    assert "Statements named (9 of 50 speakers counted)" in text and "Partial" in text
    text = await _text(reading_console, "/dialogue show year:2014")
    assert "of 72 speakers counted" in text
    complete = await _text(reading_console, "/dialogue show year:2012")
    assert "Statements listed (59)" in complete and "speakers counted" not in complete


@READS_ONLY
async def test_counts_and_groups_read_as_words(reading_console):
    themes = await _text(reading_console, "/theme list dialogue:2012")
    assert "unnamed: a point of consensus" not in themes
    assert "Participants (a point of consensus)" in themes
    assert not re.search(r"\b1 named (states|regional organisations)\b", themes)


@READS_ONLY
async def test_the_partial_mark_is_on_the_partial_entries_only(reading_console):
    text = await _text(reading_console, "/theme states theme:take-stock-tenth-anniversary")
    assert "Jennifer Welsh" not in text  # her call was for an agenda for the next decade
    assert "Spain, Italy *(partial list" in text.replace("**", "")
    civil = await _text(reading_console, "/theme states theme:civil-society-role dialogue:2014")
    lines = [line for line in civil.splitlines() if "International Coalition" in line and " — " in line]
    assert lines and all("partial list" not in line for line in lines)


@READS_ONLY
async def test_evidence_shows_the_words_that_prove_the_claim(reading_console):
    text = await _text(reading_console, "/theme states theme:sovereignty-reinforced")
    assert "reinforce, not undermine, national sovereignty" in text
    assert "reinforces, rather than alters or undermines, state sovereignty" in text
    ban = await _text(reading_console, "/state profile state:Ban Ki-moon")
    assert "assistance to states under Pillar II" in ban


def test_a_window_keeps_the_claim_and_marks_its_cuts():
    excerpt = "An opening sentence about someone else entirely, at some length. " * 6 + (
        "Earlier action, including through assistance under Pillar II, would protect populations.")
    shown = window(excerpt, ["Pillar II"], 120)
    assert "Pillar II" in shown and shown.startswith("…") and len(shown) <= 120
    assert window("short", ["x"], 120) == "short"


def test_joined_items_never_break_inside_an_item():
    items = [f"Member State number {i} (unofficial transcription)" for i in range(80)]
    lines = joined(items)
    assert all(len(line) <= limits.FIELD_VALUE for line in lines)
    assert ", ".join(lines).replace(",,", ",").count("Member State number") == 80
    assert all(line.rstrip(",").split(", ")[-1] in items for line in lines)


@READS_ONLY
async def test_a_long_statement_list_is_not_split_inside_an_entry(reading_console):
    outcome = await reading_console.run("/dialogue show year:2012")
    fields = [f for e in outcome.events for emb in e.message.data.get("embeds", []) for f in emb.get("fields", [])
              if f["name"].startswith("Statements")]
    assert len(fields) >= 2
    for field in fields:
        first, last = field["value"].split(", ")[0], field["value"].rstrip(",").split(", ")[-1]
        assert not first[:1].islower() and ")" not in first[:3] and not last.endswith(("(", "of"))


@READS_ONLY
async def test_the_timeline_counts_the_meetings_held(reading_console):
    text = await _text(reading_console, "/dialogue list")
    assert "15 meetings on the timeline (2020: no meeting)" in text


@READS_ONLY
async def test_sources_show_addresses_or_say_why_not(reading_console):
    text = await _text(reading_console, "/sources")
    assert text.count("Address:") == 6
    assert "responsibilitytoprotect.org" in text


@READS_ONLY
async def test_one_close_spelling_resolves(reading_console):
    assert "# Brazil" in await _text(reading_console, "/state profile state:Brasil")
    assert "Whether the pillars are sequential" in await _text(reading_console, "/theme states theme:sequencing")


@READS_ONLY
async def test_a_group_is_named_once_whatever_its_case(reading_console):
    text = await _text(reading_console, "/dialogue show year:2011")
    line = next(x for x in text.splitlines() if x.startswith("• Cooperation with regional"))
    assert line.casefold().count("member states") == 1
