"""The truth list (tests/corpus_truth.py) against the seeded store: each fact is a record whose excerpt proves it."""

from __future__ import annotations

import asyncio
import re
import unicodedata
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from db import models as m
from db.passages import clean
from db.store import open_store
from tests.corpus_truth import TRUTHS, Truth

QUOTE_CONTEXT = 500  # characters before a quote in which its speaker must be named


def norm(text: str) -> str:
    """Markdown dropped, accents, case and curly quotes folded, whitespace collapsed."""
    text = unicodedata.normalize("NFKD", clean(text))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return re.sub(r"\s+", " ", text).casefold().strip()


def has(text: str, phrase: str) -> bool:
    return norm(phrase) in norm(text)


class Knowledge:
    """Every record of the seeded store, loaded once, with the names each actor goes by."""

    def __init__(self, session: Any) -> None:
        self.session = session

    async def load(self) -> "Knowledge":
        s = self.session
        self.actors = {a.name: a for a in await s.scalars(select(m.Actor).options(selectinload(m.Actor.aliases)))}
        self.sources = {x.key: x for x in await s.scalars(select(m.SourceDocument))}
        self.years = {d.id: d.year for d in await s.scalars(select(m.Dialogue))}
        self.themes = {t.id: t.slug for t in await s.scalars(select(m.Theme))}
        src = {x.id: x.key for x in self.sources.values()}
        self.src = src
        names = {a.id: a.name for a in self.actors.values()}
        self.names = names
        self.positions = list(await s.scalars(select(m.Position)))
        self.unnamed = list(await s.scalars(select(m.UnnamedClaim)))
        self.statements = list(await s.scalars(select(m.Statement)))
        self.roles = list(await s.scalars(select(m.Role)))
        self.claims = list(await s.scalars(select(m.DialogueClaim)))
        self.quotes = list(await s.scalars(select(m.Quote)))
        self.facts = list(await s.scalars(select(m.ReportFact)))
        self.pillars = {p.number: p for p in await s.scalars(select(m.Pillar).options(selectinload(m.Pillar.contributions)))}
        return self

    def terms(self, actor_name: str) -> list[str]:
        actor = self.actors[actor_name]
        return [actor.name, *(a.alias for a in actor.aliases)]

    def names_actor(self, text: str, actor_name: str, *extra: str | None) -> bool:
        return any(has(text, t) for t in [*self.terms(actor_name), *(e for e in extra if e)])


@pytest.fixture(scope="module")
def knowledge(seeded_template_url):
    """Loaded once per module from the seeded template (read only)."""

    async def load() -> Knowledge:
        store = await open_store(seeded_template_url)
        try:
            async with store.sessions() as session:
                return await Knowledge(session).load()
        finally:
            await store.close()

    return asyncio.run(load())


def _check(k: Knowledge, t: Truth) -> None:
    def at(record: Any) -> bool:
        return k.src[record.source_id] == t.source and (t.year is None or k.years.get(record.dialogue_id) == t.year)

    def proves(excerpt: str) -> None:
        for word in t.words:
            assert has(excerpt, word), f"{t.fact}: the excerpt lacks “{word}”: {excerpt[:200]!r}"

    if t.record == "passage":
        assert t.reason, f"{t.fact}: a passage-only fact must say why"
        for word in t.words:
            assert has(k.sources[t.source].text, word), f"{t.fact}: “{word}” not in {t.source}"
    elif t.record == "position":
        for name in t.actors:
            found = [p for p in k.positions if at(p) and k.names[p.actor_id] == name and k.themes[p.theme_id] == t.theme
                     and all(has(p.excerpt, w) for w in t.words)]
            assert found, f"{t.fact}: no position of {name} on {t.theme}"
            assert k.names_actor(found[0].excerpt, name), f"{t.fact}: the excerpt does not name {name}"
            if t.partial is not None:
                assert found[0].partial is t.partial, f"{t.fact}: {name} partial should be {t.partial}"
    elif t.record == "unnamed":
        found = [u for u in k.unnamed if at(u) and k.themes[u.theme_id] == t.theme and all(has(u.excerpt, w) for w in t.words)]
        assert found, f"{t.fact}: no unnamed group on {t.theme} with {t.words}"
        if t.count is not None:
            assert found[0].count == t.count
    elif t.record == "statement":
        for name in t.actors:
            found = [st for st in k.statements if at(st) and k.names[st.actor_id] == name]
            assert found, f"{t.fact}: no statement of {name}"
            assert k.names_actor(found[0].excerpt, name), f"{t.fact}: the excerpt does not name {name}"
            proves(found[0].excerpt)
    elif t.record == "role":
        for name in t.actors:
            found = [r for r in k.roles if at(r) and k.names[r.actor_id] == name and r.role.value == t.key]
            assert found, f"{t.fact}: no {t.key} role of {name}"
            assert k.names_actor(found[0].excerpt, name, found[0].title), f"{t.fact}: the excerpt does not name {name}"
            proves(found[0].excerpt)
    elif t.record == "claim":
        found = [c for c in k.claims if at(c) and t.key in (c.field, c.measure) and (t.count is None or c.value_int == t.count)
                 and all(has(c.excerpt, w) for w in t.words)]
        assert found, f"{t.fact}: no {t.key} claim with {t.words}"
    elif t.record == "quote":
        (name,) = t.actors
        found = [q for q in k.quotes if at(q) and k.names[q.speaker_id] == name and all(has(q.text, w) for w in t.words)]
        assert found, f"{t.fact}: no quote of {name}"
        text = norm(k.sources[t.source].text)
        where = text.index(norm(found[0].text))
        before = text[max(0, where - QUOTE_CONTEXT) : where]
        assert any(norm(term) in before for term in k.terms(name)), f"{t.fact}: {name} is not named before the quote"
    elif t.record == "report":
        found = [f for f in k.facts if k.src[f.source_id] == t.source and f.subject == t.key]
        assert found, f"{t.fact}: no report fact {t.key!r}"
        fact = found[0]
        proves(fact.excerpt)
        for name in t.actors:
            assert fact.actor_id is not None and k.names[fact.actor_id] == name, f"{t.fact}: not linked to {name}"
            assert k.names_actor(fact.excerpt, name), f"{t.fact}: the excerpt does not name {name}"
    elif t.record == "contribution":
        kind, number = t.key.split()
        pillar = k.pillars[int(number)]
        if kind == "definition":
            proves(pillar.definition)
        else:
            assert len(pillar.contributions) == t.count
    else:  # pragma: no cover - a typo in the truth list
        raise AssertionError(f"unknown record kind {t.record}")


@pytest.mark.parametrize("truth", TRUTHS, ids=[f"{t.source}: {t.fact}" for t in TRUTHS])
def test_each_fact_is_a_record_whose_excerpt_proves_it(knowledge, truth):
    _check(knowledge, truth)


def test_the_truth_list_covers_every_document():
    sources = {t.source for t in TRUTHS}
    assert sources == {"2011-dialogue-summary", "2011-dialogue-report-release", "2011-sg-report-summary",
                       "2012-dialogue-summary", "2014-dialogue-summary"}


def test_every_record_of_who_said_what_is_on_the_truth_list(knowledge):
    """The other way round: no record the truth list does not know of (so none was invented)."""
    k = knowledge
    listed = {(t.source, t.year, t.theme, name) for t in TRUTHS if t.record == "position" for name in t.actors}
    for p in k.positions:
        key = (k.src[p.source_id], k.years[p.dialogue_id], k.themes[p.theme_id], k.names[p.actor_id])
        assert key in listed, f"position not on the truth list: {key}"
    unnamed = {(t.source, t.year, t.theme) for t in TRUTHS if t.record == "unnamed"}
    for u in k.unnamed:
        key = (k.src[u.source_id], k.years[u.dialogue_id], k.themes[u.theme_id])
        assert key in unnamed, f"unnamed group not on the truth list: {key}"
    facts = {(t.source, t.key) for t in TRUTHS if t.record == "report"}
    listed_facts = {(k.src[f.source_id], f.subject) for f in k.facts}
    assert listed_facts - facts == set(), "report facts not on the truth list"


def test_every_excerpt_names_its_actor_or_states_its_count(knowledge):
    k = knowledge
    for p in k.positions:
        assert k.names_actor(p.excerpt, k.names[p.actor_id]), f"{k.names[p.actor_id]}: {p.excerpt[:120]!r}"
    for st in k.statements:
        assert k.names_actor(st.excerpt, k.names[st.actor_id]), f"{k.names[st.actor_id]}: {st.excerpt[:120]!r}"
    for r in k.roles:
        assert k.names_actor(r.excerpt, k.names[r.actor_id], r.title), f"{k.names[r.actor_id]}: {r.excerpt[:120]!r}"
    for f in k.facts:
        if f.actor_id is not None:
            assert k.names_actor(f.excerpt, k.names[f.actor_id]), f"{f.subject}: {f.excerpt[:120]!r}"
    for u in k.unnamed:
        # the quantity as written, in the excerpt or in the lead-in of the list the excerpt is an item of
        # ("Member states: • shared …"), or the part of it in brackets ("Participants (a point of consensus)")
        text = norm(k.sources[k.src[u.source_id]].text)
        lead_in = text[max(0, text.index(norm(u.excerpt)) - 900) : text.index(norm(u.excerpt))]
        inner = re.findall(r"\(([^)]*)\)", u.quantity)
        assert (has(u.excerpt, u.quantity) or norm(u.quantity) in lead_in or any(has(u.excerpt, x) for x in inner)
                or u.quantity == "speakers not stated"), f"{u.quantity}: {u.excerpt[:120]!r}"
