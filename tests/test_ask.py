"""/ask answers questions about the corpus from the structured data, with evidence."""

from __future__ import annotations

import pytest

from db.ask import ask


async def _ask(store, question):
    async with store.sessions() as session:
        return await ask(session, question, store.actors, store.themes, store.years)


def _text(answer) -> str:
    return "\n".join([answer.headline, *answer.lines])


CASES = [
    # (question, kind, fragments that must appear, fragments that must not)
    ("Which countries called RtoP an imperialist doctrine?", "theme_actors",
     ["Cuba", "Pakistan", "Venezuela", "2011"], ["partial list"]),
    ("How many states raised the veto in 2014?", "theme_count", ["Fourteen states (14)", "not named"], []),
    ("What was the 2014 report called?", "report",
     ["Fulfilling our collective responsibility", "A/68/947"], []),
    ("Who spoke for the Group of Friends?", "behalf", ["Rwanda", "2014"], []),
    ("Who moderated the 2012 dialogue?", "roles", ["Adama Dieng"], ["Eliasson"]),
    ("Who was on the panel in 2014?", "roles", ["Jan Eliasson", "Surin Pitsuwan", "Jean Ping", "Jennifer Welsh"], []),
    ("What is the symbol of the 2012 report?", "report", ["A/66/874"], []),
    ("How many member states spoke in 2012?", "participation", ["56 member states", "58 member states"], []),
    ("Which states stressed prevention in 2014?", "theme_actors",
     ["Costa Rica", "Indonesia", "Armenia", "partial list"], ["Rwanda"]),
    ("What did Brazil say in 2012?", "actor", ["Responsibility while protecting"], []),
    ("Who raised the Arms Trade Treaty?", "theme_actors", ["Ecuador", "Montenegro", "Sierra Leone"], []),
    ("When was the 2011 dialogue?", "dialogue", ["2011-07-12"], []),
    ("Did Singapore deliver its statement in 2011?", "actor", ["distributed but not delivered"], []),
    ("Which states raised concerns about implementation in 2014?", "theme_actors",
     ["Cuba", "Democratic People's Republic of Korea", "Malaysia", "Egypt", "Bolivia", "partial list"], []),
    ("Who spoke on behalf of Latvia and Lithuania?", "behalf", ["Estonia"], []),
    ("What is pillar two?", "pillar", ["commitment of the international community to assist States"], []),
    ("When was the Secretary-General's 2011 report released?", "report", ["2011-06-27", "2011-07-07"], []),
    ("Which states wanted RtoP on the formal agenda of the General Assembly?", "theme_actors",
     ["Czechia", "Hungary", "Georgia", "Republic of Korea"], []),
    ("How many governments did the speakers represent in 2014?", "participation", ["83 governments"], []),
    ("Who talked about Libya?", "theme_actors", ["A number of countries", "not named"], []),
    ("Did the US mention women?", "theme_actors", ["United States of America is not named"], []),
    ("what did ivory coast say", "actor", ["civil society"], []),
]


@pytest.mark.parametrize("question, kind, present, absent", CASES, ids=[c[0][:40] for c in CASES])
async def test_structured_answers(store, question, kind, present, absent):
    answer = await _ask(store, question)
    assert answer.kind == kind, answer.understood.describe()
    text = _text(answer)
    for fragment in present:
        assert fragment in text, f"{fragment!r} not in {text!r}"
    for fragment in absent:
        assert fragment not in text
    assert answer.evidence, "a factual answer cites evidence"


async def test_imperialist_answer_names_exactly_three(store):
    answer = await _ask(store, "Which countries called RtoP an imperialist doctrine?")
    assert answer.lines == ("2011: Cuba, Pakistan, Venezuela (Bolivarian Republic of)",)


async def test_veto_answer_invents_no_state_names(store):
    answer = await _ask(store, "How many states raised the veto in 2014?")
    named_states = [line for line in answer.lines if "named states" in line]
    assert named_states == []


async def test_free_text_falls_back_to_ranked_passages(store):
    answer = await _ask(store, "the spirit of non-indifference and the legal traditions of the Americas")
    assert answer.kind == "search"
    assert answer.hits and answer.hits[0].source.key.startswith("2011")
    assert "non-indifference" in answer.hits[0].text


async def test_nothing_matches_is_said_plainly(store):
    answer = await _ask(store, "zorblax quibble frobnicate")
    assert answer.kind == "nothing"
    assert "Nothing in the records" in answer.headline


async def test_unknown_year_is_said_plainly(store):
    answer = await _ask(store, "What happened at the 2031 dialogue?")
    assert answer.kind == "nothing" and "2031" in answer.headline
