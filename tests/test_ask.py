"""/ask: structured answers from the records, honest about what they hold, written by the renderer.

The development set (tests/test_ask_devset.py) covers the families; these tests
pin the rules every answer keeps.
"""

from __future__ import annotations

import dataclasses

import pytest

from bot.render import ask as render
from db.ask import answers as a
from db.ask import ask, check_question
from tests.test_ask_devset import reply_text


async def _ask(store, question):
    async with store.sessions() as session:
        return await ask(session, question, store.actors, store.themes, store.years)


async def _text(store, question) -> str:
    return reply_text(render.answer(await _ask(store, question)))


async def test_imperialist_answer_names_exactly_three(store):
    answer = await _ask(store, "Which countries called RtoP an imperialist doctrine?")
    groups = [p for p in answer.parts if isinstance(p, a.NamedGroup)]
    assert [g.names for g in groups] == [("Cuba", "Pakistan", "Venezuela (Bolivarian Republic of)")]
    assert not groups[0].partial


async def test_which_states_lists_states_only_and_others_apart(store):
    answer = await _ask(store, "Which states raised the veto in 2014?")
    named = [p for p in answer.parts if isinstance(p, a.NamedGroup)]
    assert all(p.label == "organisations" for p in named)  # the three NGOs: no state is named
    counts = [p for p in answer.parts if isinstance(p, a.CountGroup)]
    assert [(c.quantity, c.count) for c in counts] == [("Fourteen states", 14)]
    text = reply_text(render.answer(answer))
    assert text.index("Fourteen states") < text.index("Also named, not states")


async def test_unnamed_groups_that_point_back_say_which_sentence(store):
    answer = await _ask(store, "Who feared RtoP could justify military intervention in 2014?")
    group = next(p for p in answer.parts if isinstance(p, a.CountGroup) and p.quantity == "Many of these countries")
    assert group.refers_to and "Cuba" in group.refers_to and "Bolivia" in group.refers_to


async def test_no_opposition_is_said_first(store):
    text = await _text(store, "Did any state oppose veto restraint?")
    body = text.split("\n", 2)[1]
    assert body.startswith("No one is recorded opposing “Veto restraint”")


async def test_a_name_outside_a_partial_list_is_not_a_no(store):
    text = await _text(store, "did brazil speak in 2011")
    assert "Brazil is not in the records of the 2011 meeting" in text
    assert "partial list" in text and "43" in text


async def test_conflicting_report_dates_side_by_side(store):
    answer = await _ask(store, "When was the Secretary-General's 2011 report released?")
    dates = [p for p in answer.parts if isinstance(p, a.Stated) and p.field == "report_date"]
    assert {p.value[:10] for p in dates} == {"2011-06-27", "2011-07-07"}
    assert all(p.conflict for p in dates)
    assert "sources differ" in reply_text(render.answer(answer))


async def test_the_engine_returns_structure_not_sentences(store):
    """Parts hold records' values and keys; only the renderer writes sentences (no command hints, no headlines)."""
    answer = await _ask(store, "Who spoke on behalf of Latvia and Lithuania?")
    assert not hasattr(answer, "headline") and not hasattr(answer, "lines")
    for part in answer.parts:
        for f in dataclasses.fields(part):
            value = getattr(part, f.name)
            assert not (isinstance(value, str) and value.startswith("/")), (f.name, value)
    assert answer.evidence and all(e.excerpt for e in answer.evidence)


async def test_read_as_footer_in_plain_words(store):
    reply = render.answer(await _ask(store, "which states were worried about how rtop is put into practice in 2014"))
    footer = reply.first[0].footer.text
    assert footer.startswith("Read as: which states raised concerns about “Concerns about implementing RtoP” in 2014")


async def test_close_readings_are_offered(store):
    answer = await _ask(store, "what did states say about prevention")
    assert answer.found and answer.alternatives
    text = reply_text(render.answer(answer))
    assert "Or did you mean" in text


async def test_nothing_matches_is_said_plainly_with_passages_labelled(store):
    answer = await _ask(store, "the spirit of non-indifference and the legal traditions of the Americas")
    assert answer.status == "no_answer" and answer.hits
    text = reply_text(render.answer(answer))
    assert text.startswith("No answer in the records")
    assert "passages, not an answer" in text and "non-indifference" in text


async def test_gibberish_gets_no_answer(store):
    answer = await _ask(store, "zorblax quibble frobnicate")
    assert answer.status == "no_answer" and not answer.parts


async def test_unknown_year_is_said_plainly(store):
    answer = await _ask(store, "What happened at the 2031 dialogue?")
    assert answer.status == "unknown_year"
    assert "2031" in reply_text(render.answer(answer))


@pytest.mark.parametrize("question", ["¿Qué estados hablaron en 2014 sobre el veto?",
                                      "Quels pays ont parlé du veto en 2014 ?",
                                      "Welche Staaten haben 2014 über das Veto gesprochen?"])
async def test_questions_not_in_english_are_told_so(store, question):
    answer = await _ask(store, question)
    assert answer.status == "not_english"
    reply = render.answer(answer)
    assert reply.ephemeral and "English" in reply_text(reply)


@pytest.mark.parametrize("question, problem", [("", "empty"), ("   ", "empty"), ("<@123> <@!456>", "empty"),
                                               ("?!#$%^&", "no_words"), ("** __ ~~", "empty"), ("x" * 301, "too_long")])
def test_unreadable_questions_are_named(question, problem):
    assert check_question(question) == problem


async def test_a_300_character_question_is_answered(store):
    question = ("I am preparing a briefing for our coalition's members ahead of the next debate and I would like "
                "to know, as precisely as the records allow, which of the states at the 2014 dialogue warned that "
                "countering the arms trade was essential to deny perpetrators the means to commit atrocities, please")
    question = question[:300]
    answer = await _ask(store, question)
    assert answer.found and "Ecuador" in reply_text(render.answer(answer))


async def test_markdown_and_mentions_are_read_as_words(store):
    answer = await _ask(store, "**which** states raised _the veto_ in `2014` <@123>?")
    assert answer.reading.family == "theme_actors" and answer.reading.years == (2014,)


async def test_speakers_counted_without_names_stay_a_count(store):
    """"three ICRtoP members" delivered statements in 2014: a count, with its source, and no names."""
    for question in ("who spoke in 2014", "how many ngos took part in 2014"):
        answer = await _ask(store, question)
        counts = [p for p in answer.parts if isinstance(p, a.UnnamedCount)]
        assert [(c.quantity, c.count, c.year) for c in counts] == [("three ICRtoP members", 3, 2014)], question
        assert "three ICRtoP members" in counts[0].evidence.excerpt
        assert not any(isinstance(p, a.Stated) and p.measure == "icrtop_members" for p in answer.parts)


async def test_report_points_come_from_their_records(store):
    """The 2011 report's points are answered from `report_facts`, each proved by its verbatim excerpt."""
    from db import queries as q

    async with store.sessions() as session:
        facts = {f.subject: f for f in await q.report_facts(session)}
    answer = await _ask(store, "what does the 2011 report call its most pressing task")
    points = [p for p in answer.parts if isinstance(p, a.ReportPoint)]
    assert points and points[0].subject == "Operational prevention is the most urgent priority"
    assert points[0].evidence.excerpt == facts[points[0].subject].excerpt
    definition = await _ask(store, "What is structural prevention?")
    first = definition.parts[0]
    assert isinstance(first, a.Definition) and first.verbatim and first.evidence is not None
    assert first.evidence.excerpt == facts["Structural and operational prevention"].excerpt
    assert first.text in first.evidence.excerpt


def test_member_state_figures_read_each_sources_words():
    """A count of member states is read from its measure, or from the timeline's words with every figure they give."""
    from db.ask.families import member_state_figures
    from db.results import SourceClaim, SourceRef

    ref = SourceRef("timeline", "Timeline", "compiled", None, None, "timeline")

    def claim(measure: str, value_int: int | None, text: str) -> SourceClaim:
        return SourceClaim("participation", measure, value_int, text, ref, text)

    assert member_state_figures(claim("member_states", 56, "fifty-six Member States")) == (56,)
    assert member_state_figures(claim("as_reported", None, "68 or 69 member states (sources disagree)")) == (68, 69)
    assert member_state_figures(claim("as_reported", None, "ICRtoP: 56 member states, 1 regional organization; "
                                                          "Global Centre: 58 member states")) == (56, 58)
    assert member_state_figures(claim("as_reported", None, "67 member states on behalf of 83 governments")) == (67,)
    assert member_state_figures(claim("governments_represented", 83, "on behalf of 83 governments")) == ()
    assert member_state_figures(claim("civil_society", 4, "4 civil society")) == ()


async def test_actors_ranked_by_the_meetings_whose_lists_name_them(store):
    """Most meetings first; each count proved by a statement per meeting; each meeting's list said whole or partial."""
    from db import queries as q

    answer = await _ask(store, "Which country has spoken at the most dialogues?")
    rows = [p for p in answer.parts if isinstance(p, a.Frequency)]
    lists = [p for p in answer.parts if isinstance(p, a.ListCoverage)]
    assert answer.reading.family == "speakers" and answer.reading.topic == a.OFTEN_TOPIC
    assert [len(f.years) for f in rows] == sorted((len(f.years) for f in rows), reverse=True)
    assert {f.actor for f in rows if len(f.years) == 3} == {"France", "Mexico"}
    assert all(f.label == "states" and len(f.evidence) == len(f.years) for f in rows)
    async with store.sessions() as session:
        for f in rows[:12]:  # each meeting counted is one whose list names the state
            for year, ev in zip(f.years, f.evidence):
                detail = await q.dialogue_detail(session, year)
                assert any(s.actor == f.actor and s.excerpt == ev.excerpt for s in detail.statements)
    assert [(c.year, c.listed, c.stated_total) for c in lists] == [(2011, 5, 43), (2012, 56, 56), (2014, 12, 67)]
    text = reply_text(render.answer(answer))
    assert "France, Mexico — 3 of the 3 meetings whose member states a source lists" in text
    assert "2011: 5 of 43 (partial); 2012: 56 of 56; 2014: 12 of 67 (partial)" in text
    organisations = await _ask(store, "which organisations have been the most frequent speakers")
    assert organisations.reading.kinds == "organisations"
    assert all(f.label == "organisations" for f in organisations.parts if isinstance(f, a.Frequency))
    since = await _ask(store, "Which states spoke most often since 2012?")
    assert {c.year for c in since.parts if isinstance(c, a.ListCoverage)} == {2012, 2014}


async def test_meetings_ranked_by_how_many_states_spoke(store):
    """Most first, fewest first or year by year; a meeting whose sources differ keeps both figures, each proved."""
    from db import queries as q

    async with store.sessions() as session:
        held = [d.year for d in await q.list_dialogues(session) if d.kind != "no_meeting"]
    most = await _ask(store, "Which meeting had the most states speaking?")
    rows = [p for p in most.parts if isinstance(p, a.Turnout)]
    assert most.reading.topic == "most" and [t.year for t in rows][:3] == [2009, 2018, 2017]
    assert sorted(t.year for t in rows) == held  # every meeting held, none twice
    assert [t.high for t in rows] == sorted((t.high for t in rows), reverse=True)
    assert all(t.evidence for t in rows)
    by_year = {t.year: t for t in rows}
    assert (by_year[2012].low, by_year[2012].high, by_year[2013].low, by_year[2013].high) == (56, 58, 68, 69)
    assert all(str(t.low) in " ".join(e.excerpt for e in t.evidence) for t in rows)
    fewest = await _ask(store, "Which year had the fewest countries taking part?")
    assert fewest.reading.topic == "fewest" and [p.year for p in fewest.parts if isinstance(p, a.Turnout)][:2] == [2010, 2011]
    trend = await _ask(store, "Has the number of states speaking increased over the years?")
    assert trend.reading.topic == "trend" and [p.year for p in trend.parts if isinstance(p, a.Turnout)] == held
    two = await _ask(store, "Did fewer states speak in 2012 than in 2014?")
    assert two.reading.years == (2012, 2014) and [p.year for p in two.parts if isinstance(p, a.Turnout)] == [2012, 2014]
    assert "Fewer member states spoke in 2012** — 56–58, against 67 in 2014" in reply_text(render.answer(two))


async def test_each_years_facts_stay_with_that_years_lists(store):
    """"Who spoke" over several meetings: each year's lists, then that year's counts, before the next year's."""
    text = reply_text(render.answer(await _ask(store, "Who spoke at the dialogues?")))
    years = [int(line[:4]) for line in text.splitlines() if line[:4].isdigit() and line[4:7] == " · "]
    assert len(set(years)) >= 3 and years == sorted(years)


def test_an_answer_of_thousands_of_parts_is_written_in_linear_time():
    """Every meeting fully recorded gives "who opposed RtoP" thousands of groups: written in well under a second
    each thousand (citing each excerpt once took a scan of all those cited before it: minutes for 14,000)."""
    import time

    from db.results import SourceRef

    sources = [SourceRef(f"s{i}", f"Source {i}", "ICRtoP", None, None, "summary") for i in range(40)]
    groups = tuple(a.NamedGroup(2009 + i % 16, "states", (f"State {i}",), "opposes", f"Point {i}", False,
                                a.Evidence(sources[i % 40], f"Excerpt number {i}, long enough to be quoted in full."))
                   for i in range(6000))
    answer = a.Answer("Who opposed RtoP?", a.Reading("dissent"), "answered", groups)
    started = time.perf_counter()
    reply = render.answer(answer)
    assert time.perf_counter() - started < 3.0
    assert "❌ 2009 · States: State 0 — Point 0 [1]" in reply_text(reply)


def test_passages_are_searched_for_the_words_that_say_something():
    """Filler never reaches the search; words that only ask for a kind of answer do when nothing else is left."""
    from db.ask import passage_query

    assert passage_query("Anything on sanctions or the veto?") == "sanctions veto"
    assert passage_query("Anything on statements?") == "statements"
    assert passage_query("??? anything") == "??? anything"  # no word worth searching: the question as asked


async def test_one_actors_dissent_is_the_groups_it_is_in_of_every_meetings_dissent(store):
    """Read from the meetings and themes where the actor dissented, the groups are those of every meeting's."""
    from db import queries as q
    from db.ask.families import named_groups
    from db.ask.records import positions_with, positions_with_stance

    stances = ("opposes", "concerned")
    async with store.reading(None) as session:
        years = [d.year for d in await q.list_dialogues(session)]
        everything = [p for y in years for p in (await positions_with_stance(session, y, stances))[0]]
        groups = named_groups(everything, with_theme=True)
        dissenters = sorted({p.actor for p in everything})
        assert len(dissenters) >= 10
        for actor in dissenters:
            for asked in ((), (2014,), (2011, 2014)):
                want = [g for g in groups if actor in g.names and (not asked or g.year in asked)]
                got = [g for g in named_groups(list(await positions_with(session, actor, stances, asked)), with_theme=True)
                       if actor in g.names]
                assert got == want, (actor, asked)
        assert await positions_with(session, "No Such State", stances, ()) == ()


async def test_support_itself_is_every_supportive_position_with_its_theme(store):
    """"Who backed RtoP" names no theme but by the stance's word: every position recorded as support, each
    with its theme; a theme named beside the word is still that theme's question."""
    answer = await _ask(store, "Which states supported RtoP in 2014?")
    assert answer.reading.family == "dissent" and answer.reading.stance == a.SUPPORTS
    groups = [p for p in answer.parts if isinstance(p, a.NamedGroup)]
    assert len({g.theme for g in groups}) >= 5 and all(g.stance == "supports" and g.year == 2014 for g in groups)
    assert "Who voiced support in 2014, and for what" in reply_text(render.answer(answer))
    named = await _ask(store, "Which states supported veto restraint in 2014?")
    assert named.reading.family == "theme_actors" and named.reading.theme.name == "Veto restraint"
