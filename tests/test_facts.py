"""Exact facts a campaigner could ask about, read through the query layer."""

from __future__ import annotations

from db import queries as q

PREVENTION_2014 = {
    "European Union",
    "Costa Rica",
    "Latvia",
    "Indonesia",
    "Armenia",
    "China",
    "Brazil",
    "Uruguay",
    "Chile",
    "Luxembourg",
}


async def test_prevention_2014_is_the_ten_named_partially_and_rwanda_for_the_group_of_friends(store):
    async with store.sessions() as s:
        result = await q.theme_states(s, "prevention-cornerstone", 2014)
    assert [g.year for g in result.groups] == [2014]
    partial = {p.actor for p in result.groups[0].positions if p.partial}
    whole = {p.actor for p in result.groups[0].positions if not p.partial}
    assert partial == PREVENTION_2014
    assert whole == {"Rwanda", "Group of Friends of the Responsibility to Protect"}
    assert result.groups[0].partial


async def test_imperialist_doctrine_2011_is_cuba_pakistan_venezuela(store):
    async with store.sessions() as s:
        result = await q.theme_states(s, "imperialist-doctrine")
    assert [g.year for g in result.groups] == [2011]
    assert set(result.actors) == {"Cuba", "Pakistan", "Venezuela (Bolivarian Republic of)"}
    assert not result.groups[0].partial
    assert {p.stance for p in result.groups[0].positions} == {"opposes"}


async def test_veto_2014_is_a_count_of_fourteen_without_names(store):
    async with store.sessions() as s:
        result = await q.theme_states(s, "veto-restraint", 2014)
    group = result.groups[0]
    assert [(u.count, u.quantity) for u in group.unnamed] == [(14, "Fourteen states")]
    # the only named actors are the civil-society organisations the source names
    assert {p.actor_kind for p in group.positions} == {"civil_society"}


async def test_2012_statement_list_holds_56_member_states(store):
    async with store.sessions() as s:
        detail = await q.dialogue_detail(s, 2012)
    kinds = [st.actor_kind for st in detail.statements]
    assert kinds.count("member_state") == 56
    assert {st.actor for st in detail.statements if st.actor_kind != "member_state"} == {
        "European Union",
        "International Coalition for the Responsibility to Protect",
        "Global Centre for the Responsibility to Protect",
    }


async def test_statements_on_behalf_and_not_delivered(store):
    async with store.sessions() as s:
        d2014 = await q.dialogue_detail(s, 2014)
        d2011 = await q.dialogue_detail(s, 2011)
    behalf = {st.actor: set(st.on_behalf_of) for st in d2014.statements if st.on_behalf_of}
    assert behalf["Estonia"] == {"Latvia", "Lithuania"}
    assert behalf["Rwanda"] == {"Group of Friends of the Responsibility to Protect"}
    singapore = [st for st in d2011.statements if st.actor == "Singapore"]
    assert singapore and singapore[0].delivered is False


async def test_2011_report_date_keeps_every_claim_with_its_source(store):
    async with store.sessions() as s:
        detail = await q.dialogue_detail(s, 2011)
    dates = {(c.source.key, c.value_text) for c in detail.claims_for("report_date")}
    assert ("2011-dialogue-summary", "2011-06-27") in dates
    assert ("2011-sg-report-summary", "2011-06-27") in dates
    assert ("2011-dialogue-report-release", "2011-07-07") in dates


async def test_participation_counts_as_stated(store):
    async with store.sessions() as s:
        d2014 = await q.dialogue_detail(s, 2014)
        d2012 = await q.dialogue_detail(s, 2012)
    counts = {(c.measure, c.value_int) for c in d2014.claims_for("participation")}
    assert ("member_states", 67) in counts and ("governments_represented", 83) in counts
    counts_2012 = {(c.measure, c.value_int) for c in d2012.claims_for("participation")}
    assert ("member_states", 56) in counts_2012
    # the reference table's conflicting figure is kept beside it
    assert any("58" in c.value_text for c in d2012.claims_for("participation"))


async def test_reports_titles_and_symbols(store):
    async with store.sessions() as s:
        dialogues = {d.year: d for d in await q.list_dialogues(s)}
    assert list(dialogues) == list(range(2009, 2025))
    assert dialogues[2014].report_symbol.startswith("A/68/947")
    assert dialogues[2014].report_title.startswith("Fulfilling our collective responsibility")
    assert dialogues[2012].report_symbol.startswith("A/66/874")
    assert {y for y, d in dialogues.items() if d.detailed} == {2011, 2012, 2014}
    assert dialogues[2020].kind == "no_meeting"


async def test_roles_2012(store):
    async with store.sessions() as s:
        detail = await q.dialogue_detail(s, 2012)
    roles = {(r.role, r.actor) for r in detail.roles}
    assert ("moderator", "Adama Dieng") in roles
    assert {a for r, a in roles if r == "panelist"} == {
        "Jan Eliasson",
        "Ivan Simonovic",
        "Gert Rosenthal",
        "Youssoufou Bamba",
        "Alex Bellamy",
    }


async def test_theme_counts_for_a_dialogue(store):
    async with store.sessions() as s:
        themes = {t.theme.slug: t for t in await q.list_themes(s, 2014)}
    assert themes["prevention-cornerstone"].named_actors == 12  # the ten of a partial list, Rwanda and its group
    assert themes["veto-restraint"].unnamed[0].count == 14
    assert themes["formal-ga-agenda"].named_actors >= 11


async def test_pillars_have_definitions_and_regional_contributions(store):
    async with store.sessions() as s:
        pillars = [await q.pillar_explainer(s, n) for n in (1, 2, 3)]
    assert [len(p.contributions) for p in pillars] == [11, 7, 5]
    assert pillars[0].definition.startswith("the enduring responsibility of the State")
    assert all(p.explainer and p.themes for p in pillars)


async def test_actor_profile_across_dialogues(store):
    async with store.sessions() as s:
        profile = await q.actor_profile(s, "Cuba")
    assert {st.year for st in profile.statements} == {2012, 2014}
    assert {p.theme.slug for p in profile.positions} >= {"imperialist-doctrine", "implementation-concerns"}


async def test_full_text_search_ranks_passages_with_their_document(store):
    async with store.sessions() as s:
        hits = await q.search_passages(s, "Arms Trade Treaty")
        nothing = await q.search_passages(s, "zeppelin quasar")
        injection = await q.search_passages(s, 'veto" OR * NEAR( -- ; DROP TABLE')
    assert hits and hits[0].source.key == "2014-dialogue-summary"
    assert "Arms Trade Treaty" in hits[0].text
    assert hits[0].ordinal >= 1 and hits[0].passages_in_source >= hits[0].ordinal
    assert nothing == []
    assert injection  # quoted terms: no FTS syntax error, still matches "veto"
