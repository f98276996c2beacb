"""Autocomplete through real autocomplete interactions: at most 25 relevant choices, aliases included."""

from __future__ import annotations

import time

from bot.render import limits


async def test_state_autocomplete_offers_alias_matches(console):
    choices = await console.autocomplete("/state profile state:Ivory Coast", "state")
    assert choices[0] == {"name": "Côte d'Ivoire (Ivory Coast)", "value": "Côte d'Ivoire"}


async def test_state_autocomplete_is_capped_and_ranked(console):
    everything = await console.autocomplete("/state profile state:", "state")
    assert len(everything) == limits.CHOICES
    korea = [c["value"] for c in await console.autocomplete("/state profile state:korea", "state")]
    assert set(korea[:2]) == {"Republic of Korea", "Democratic People's Republic of Korea"}
    uk = await console.autocomplete("/state profile state:UK", "state")
    assert uk[0]["value"] == "United Kingdom of Great Britain and Northern Ireland"
    typo = await console.autocomplete("/state profile state:Frnace", "state")
    assert typo[0]["value"] == "France"
    for choice in everything + korea and everything:
        assert 1 <= len(choice["name"]) <= 100 and 1 <= len(str(choice["value"])) <= 100


async def test_theme_autocomplete_matches_keywords(console):
    choices = await console.autocomplete("/theme states theme:veto", "theme")
    assert choices[0]["value"] == "veto-restraint"
    women = await console.autocomplete("/theme states theme:gender", "theme")
    assert women[0]["value"] == "womens-perspectives"


async def test_year_autocomplete_for_detailed_dialogues(console):
    choices = await console.autocomplete("/theme states theme:veto-restraint dialogue:201", "dialogue")
    assert [c["value"] for c in choices] == [2014, 2012, 2011]
    timeline = await console.autocomplete("/dialogue show year:20", "year")
    assert len(timeline) == 16 and timeline[0]["value"] == 2024


async def test_typed_values_that_are_not_choices_still_resolve(console):
    outcome = await console.run("/state profile state:cote divoire")
    assert not outcome.error
    assert "Côte d'Ivoire" in outcome.events[-1].message.data["embeds"][0]["title"]


async def test_autocomplete_reads_memory_not_the_database(console, monkeypatch):
    from db import queries

    def forbidden(*_args, **_kwargs):
        raise AssertionError("autocomplete touched the database")

    monkeypatch.setattr(queries, "load_actor_index", forbidden)
    store = console.bot.store
    started = time.perf_counter()
    for prefix in ("a", "ge", "united", "ivory", "zzz", "czech"):
        store.actors.complete(prefix, 25)
    assert (time.perf_counter() - started) / 6 < 0.05


async def test_index_refreshes_when_data_changes(console):
    from db import models as m

    store = console.bot.store
    async with store.sessions() as session:
        session.add(m.Actor(name="Atlantis Institute", kind=m.ActorKind.civil_society, origin=m.Origin.admin))
        await session.commit()
    assert not store.actors.resolve("Atlantis Institute").found
    await store.refresh_indexes()
    assert store.actors.resolve("Atlantis Institute").found
    choices = await console.autocomplete("/state profile state:Atlant", "state")
    assert choices[0]["value"] == "Atlantis Institute"
