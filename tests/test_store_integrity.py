"""Every fact in the store is backed by a verbatim excerpt of its source."""

from __future__ import annotations

from sqlalchemy import select

from db import models as m
from db.seeding import normalise_ws

EVIDENCE = [
    (m.Position, "excerpt"),
    (m.UnnamedClaim, "excerpt"),
    (m.DialogueClaim, "excerpt"),
    (m.Role, "excerpt"),
    (m.Statement, "excerpt"),
    (m.Quote, "text"),
    (m.PillarContribution, "excerpt"),
    (m.Pillar, "definition"),
]


async def test_every_excerpt_and_quote_is_verbatim_in_its_source(store):
    checked = 0
    async with store.sessions() as session:
        texts = {s.id: normalise_ws(s.text) for s in await session.scalars(select(m.SourceDocument))}
        for model, column in EVIDENCE:
            rows = list(await session.scalars(select(model)))
            assert rows, f"no {model.__tablename__} seeded"
            for row in rows:
                excerpt = normalise_ws(getattr(row, column))
                assert excerpt, f"{model.__tablename__} {row.id} has an empty {column}"
                assert excerpt in texts[row.source_id], f"{model.__tablename__} {row.id}: {excerpt[:80]!r}"
                checked += 1
    assert checked > 300


async def test_named_actors_appear_in_their_position_excerpts(store):
    """A position names an actor only when its excerpt does (by name, alias or a shortened form)."""
    from db.names import fold

    async with store.sessions() as session:
        positions = await session.scalars(select(m.Position))
        actors = {a.id: a for a in await session.scalars(select(m.Actor))}
        aliases: dict[int, list[str]] = {}
        for alias in await session.scalars(select(m.ActorAlias)):
            aliases.setdefault(alias.actor_id, []).append(alias.alias)
        missing = []
        for p in positions:
            actor = actors[p.actor_id]
            names = [actor.name, *aliases.get(actor.id, [])]
            excerpt = fold(p.excerpt)
            if not any(fold(n) in excerpt for n in names):
                missing.append((actor.name, p.excerpt[:60]))
    assert not missing, missing


async def test_source_documents_are_the_corpus_copies(store):
    from bot.config import PROJECT_ROOT

    async with store.sessions() as session:
        sources = {s.key: s for s in await session.scalars(select(m.SourceDocument))}
    assert set(sources) == {
        "2011-dialogue-summary",
        "2011-dialogue-report-release",
        "2011-sg-report-summary",
        "2012-dialogue-summary",
        "2014-dialogue-summary",
        "ga-rtop-meetings",
    }
    corpus = PROJECT_ROOT.parent / "shared" / "corpus"
    if corpus.exists():
        for key in ("2011-dialogue-summary", "2014-dialogue-summary"):
            assert sources[key].text == (corpus / f"{key}.txt").read_text(encoding="utf-8")
    assert sources["2011-dialogue-report-release"].date == "2011-08-10"
    assert all(s.publisher for s in sources.values())
