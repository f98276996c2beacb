"""A synthetic knowledge store at 100× the seed data, built through the project's own models.

The database is created as the bot creates it (the project's Alembic migrations,
then the curated seed), and the synthetic records are added on top with the
ORM's bulk INSERT (`session.execute(insert(Model), rows)` on the mapped classes),
so every column default, type and trigger (the FTS5 index over passages) is the
project's own. Records are marked `origin=admin`: years of dialogues a coalition
recorded itself, which re-seeding leaves alone.

Shape, by default (`Spec()`): 50 meetings (the 16 of the timeline plus 34 later
years), every actor of the seed (all 195 states, organisations, officials),
150 themes, 200,000 positions, 20,000 statements and 50,000 search passages.
Counts are totals, seed records included. Text is recombined from the seed's
own source texts, so full-text search sees the real vocabulary and term
frequencies. Popularity is skewed the way real records are: some themes and
some states come up far more often than others. Everything is derived from
`Spec.seed`, so a spec always builds the same store.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text

from db import models as m
from db.passages import clean
from db.seeding import SEED_DIR, TIMELINE_SOURCE, load_seed_files
from db.search_lists import refresh_search_lists
from db.store import Store, open_store, refresh_statistics

FIRST_NEW_YEAR = 2025


@dataclass(frozen=True)
class Spec:
    """Totals for the store (seed records included) and the shape of each meeting."""

    dialogues: int = 50
    themes: int = 150
    positions: int = 200_000
    statements: int = 20_000
    passages: int = 50_000
    sources_per_dialogue: int = 2
    unnamed_per_dialogue: int = 20
    quotes_per_dialogue: int = 6
    seed: int = 2005

    def describe(self) -> str:
        return (
            f"{self.dialogues} meetings, {self.themes} themes, {self.positions:,} positions, "
            f"{self.statements:,} statements, {self.passages:,} passages"
        )


DEFAULT = Spec()
# Seconds to build: for the smoke test and `--quick`.
TINY = Spec(dialogues=24, themes=60, positions=3_000, statements=600, passages=800)


@dataclass(frozen=True)
class Counts:
    dialogues: int
    actors: int
    states: int
    themes: int
    positions: int
    statements: int
    passages: int
    sources: int
    unnamed_claims: int
    roles: int
    quotes: int
    statement_behalf: int


TABLES = {
    "dialogues": m.Dialogue,
    "actors": m.Actor,
    "themes": m.Theme,
    "positions": m.Position,
    "statements": m.Statement,
    "passages": m.Passage,
    "sources": m.SourceDocument,
    "unnamed_claims": m.UnnamedClaim,
    "roles": m.Role,
    "quotes": m.Quote,
    "statement_behalf": m.StatementBehalf,
}


async def count_rows(store: Store) -> Counts:
    found: dict[str, int] = {}
    async with store.sessions() as session:
        for name, model in TABLES.items():
            found[name] = await session.scalar(select(func.count()).select_from(model))
        found["states"] = await session.scalar(
            select(func.count())
            .select_from(m.Actor)
            .where(m.Actor.kind.in_([m.ActorKind.member_state, m.ActorKind.observer_state]))
        )
    return Counts(**{f.name: found[f.name] for f in fields(Counts)})


# -- vocabulary -------------------------------------------------------------------

TOPICS = [
    "early warning", "hate speech", "arms transfers", "mediation", "targeted sanctions", "peacekeeping mandates",
    "refugee protection", "sexual violence in conflict", "transitional justice", "national focal points",
    "regional courts", "media freedom", "cultural heritage", "climate-related risk", "internet shutdowns",
    "humanitarian access", "child soldiers", "election violence", "minority rights", "small arms",
    "fact-finding missions", "commissions of inquiry", "security sector reform", "youth participation",
    "women's participation", "judicial capacity", "forced displacement", "starvation as a weapon",
    "statelessness", "private military companies",
]
QUALIFIERS = [
    "Funding for", "Accountability for", "Regional approaches to", "Training on", "Monitoring of",
    "Prevention through", "Reporting on", "Partnerships on", "National strategies on", "Data on",
    "Guidance on", "Capacity for",
]
SUMMARIES = [
    "Called for stronger {x}.", "Stressed the importance of {x}.", "Warned that neglect of {x} puts populations at risk.",
    "Welcomed progress on {x} since the last dialogue.", "Asked the Secretary-General to report on {x}.",
    "Cautioned against using {x} to override sovereignty.", "Offered to share national experience of {x}.",
    "Urged regional organisations to lead on {x}.",
]
UNNAMED = [
    ("Several Member States", None), ("Many delegations", None), ("A number of states", None),
    ("Fourteen states", 14), ("Twenty-two states", 22), ("Some regional organisations", None),
    ("Nine delegations", 9), ("A majority of speakers", None),
]
STANCES = [m.Stance.supports] * 6 + [m.Stance.concerned] * 2 + [m.Stance.neutral, m.Stance.opposes]
GROUP_SIZES = ([1] * 30) + ([2] * 15) + ([3] * 12) + ([4] * 10) + ([6] * 10) + ([8] * 8) + ([12] * 8) + ([20] * 7)
ORDINALS = {1: "st", 2: "nd", 3: "rd"}
_SENTENCE = re.compile(r"(?<=[.!?”])\s+")


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else ORDINALS.get(n % 10, 'th')}"


def _excerpt(passage: str, limit: int = 300) -> str:
    """A verbatim excerpt of a passage: its first sentences, up to about `limit` characters."""
    sentences = _SENTENCE.split(passage)
    excerpt = sentences[0]
    for sentence in sentences[1:]:
        if len(excerpt) + len(sentence) + 1 > limit:
            break
        excerpt = f"{excerpt} {sentence}"
    return excerpt


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")


def sentence_pool(seed_dir: Path = SEED_DIR) -> list[str]:
    """Sentences of the seed's source texts: the vocabulary of the synthetic passages."""
    data = load_seed_files(seed_dir)
    pool = []
    for key, body in data.texts.items():
        if key == TIMELINE_SOURCE:  # a CSV table, not prose
            continue
        for paragraph in body.split("\n"):
            for sentence in _SENTENCE.split(clean(paragraph)):
                if 40 <= len(sentence) <= 400:
                    pool.append(sentence)
    return sorted(set(pool))


# -- the generator ------------------------------------------------------------------


class _Builder:
    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.rng = random.Random(spec.seed)
        self.now = datetime(2026, 1, 1, tzinfo=timezone.utc)
        self.pool = sentence_pool()
        self.rows: dict[type, list[dict[str, Any]]] = {}

    def add(self, model: type, row: dict[str, Any]) -> None:
        self.rows.setdefault(model, []).append(
            {**row, "origin": m.Origin.admin, "created_at": self.now, "updated_at": self.now}
        )

    async def load(self, store: Store) -> None:
        async with store.sessions() as session:
            self.actors = [
                (a.id, a.name, a.kind)
                for a in await session.scalars(select(m.Actor).order_by(m.Actor.id))
            ]
            self.dialogues = {d.year: d.id for d in await session.scalars(select(m.Dialogue))}
            self.theme_ids = list(await session.scalars(select(m.Theme.id).order_by(m.Theme.id)))
            self.theme_names = dict((await session.execute(select(m.Theme.id, m.Theme.name))).all())
            self.max_id = {
                model: (await session.scalar(select(func.max(model.id)))) or 0
                for model in (m.Dialogue, m.Theme, m.SourceDocument, m.Statement, m.Passage, m.Position,
                              m.StatementBehalf, m.Role, m.Quote, m.UnnamedClaim, m.DialogueClaim)
            }
            self.existing = {
                model: await session.scalar(select(func.count()).select_from(model))
                for model in (m.Position, m.Statement, m.Passage)
            }

    def next_id(self, model: type) -> int:
        self.max_id[model] += 1
        return self.max_id[model]

    def need(self, what: str, total: int, existing: int) -> int:
        if total < existing:
            raise ValueError(f"{what}: the seed already has {existing}, more than the {total} requested")
        return total - existing

    # -- steps ------------------------------------------------------------------

    def build_rows(self) -> None:
        spec, rng = self.spec, self.rng
        new_dialogues = self.need("dialogues", spec.dialogues, len(self.dialogues))
        self.need("themes", spec.themes, len(self.theme_ids))
        officials = [a for a in self.actors if a[2] in (m.ActorKind.un_official, m.ActorKind.civil_society)]
        # who speaks: every actor, states far more than others, some states far more than most
        weights = []
        for _, _, kind in self.actors:
            base = 1.0 if kind in (m.ActorKind.member_state, m.ActorKind.observer_state) else 0.4
            weights.append(base * rng.lognormvariate(0, 0.8))
        self.actor_weights = weights

        for i in range(new_dialogues):
            year = FIRST_NEW_YEAR + i
            dialogue_id = self.next_id(m.Dialogue)
            self.dialogues[year] = dialogue_id
            pillar = rng.choice([1, 2, 3])
            self.add(m.Dialogue, dict(
                id=dialogue_id, year=year, dates=f"{year}-09-{rng.randint(1, 28):02d}",
                kind="informal_interactive_dialogue", meeting="informal interactive dialogue",
                ordinal=_ordinal(i + 7), title=f"Synthetic dialogue {year} on pillar {pillar}", focus_pillars=[pillar],
                report_title=f"Implementing the responsibility to protect: report of {year}",
                report_symbol=f"A/{year - 1945}/{rng.randint(100, 999)}", report_date=f"{year}-07-{rng.randint(1, 28):02d}",
                participation_as_reported=f"{rng.randint(40, 90)} member states", source_urls=[], notes=None, detailed=True,
            ))

        themes_needed = spec.themes - len(self.theme_ids)
        combos = [f"{q} {t}" for q in QUALIFIERS for t in TOPICS]
        rng.shuffle(combos)
        taken_names = set(self.theme_names.values())
        combos = [c for c in combos if c not in taken_names][:themes_needed]
        if len(combos) < themes_needed:
            raise ValueError(f"themes: the vocabulary names at most {len(combos)} new themes")
        for name in combos:
            theme_id = self.next_id(m.Theme)
            self.theme_ids.append(theme_id)
            self.theme_names[theme_id] = name
            topic = next(t for t in TOPICS if name.endswith(t))
            self.add(m.Theme, dict(
                id=theme_id, slug=_slug(name), name=name, pillar=rng.choice([None, 1, 2, 3]),
                description=f"States discussed {name[0].lower() + name[1:]} as part of implementing RtoP.",
                keywords=[topic],
            ))
        theme_weights = [1 / (rank + 4) ** 0.9 for rank in range(len(self.theme_ids))]
        rng.shuffle(theme_weights)
        self.theme_weights = theme_weights

        # sources and their passages, every meeting two (or more) of them
        years = sorted(self.dialogues)
        sources: list[tuple[int, int, int]] = []  # (source id, dialogue id, year)
        for year in years:
            for _k in range(spec.sources_per_dialogue):
                sources.append((self.next_id(m.SourceDocument), self.dialogues[year], year))
        new_passages = self.need("passages", spec.passages, self.existing[m.Passage])
        per_source = [new_passages // len(sources) + (1 if i < new_passages % len(sources) else 0) for i in range(len(sources))]
        seen: set[str] = set()
        self.passages_of: dict[int, list[tuple[int, str]]] = {}  # dialogue id -> (source id, passage text)
        for (source_id, dialogue_id, year), count in zip(sources, per_source):
            texts = []
            while len(texts) < count:
                text = " ".join(rng.sample(self.pool, rng.randint(2, 4)))
                if text not in seen:
                    seen.add(text)
                    texts.append(text)
            offset, body = 0, []
            for ordinal, text in enumerate(texts, start=1):
                self.add(m.Passage, dict(id=self.next_id(m.Passage), source_id=source_id, ordinal=ordinal,
                                         char_offset=offset, text=text))
                body.append(text)
                offset += len(text) + 2
            kind = "dialogue summary" if source_id % 2 else "statements list"
            self.add(m.SourceDocument, dict(
                id=source_id, key=f"synthetic-{year}-{kind.split()[0]}-{source_id}",
                title=f"Synthetic {kind} of the {year} General Assembly dialogue on the Responsibility to Protect",
                publisher="Coalition records (synthetic)", date=f"{year}-10-01", date_note=None, kind=kind,
                url=None, dialogue_year=year, text="\n\n".join(body),
            ))
            self.passages_of.setdefault(dialogue_id, []).extend((source_id, t) for t in texts)
        self.sources_of: dict[int, list[int]] = {}
        for source_id, dialogue_id, _ in sources:
            self.sources_of.setdefault(dialogue_id, []).append(source_id)

        new_ids = {self.dialogues[y] for y in years[len(years) - new_dialogues:]} if new_dialogues else set()
        for year in years:
            dialogue_id = self.dialogues[year]
            source_id = self.sources_of[dialogue_id][0]
            if dialogue_id in new_ids:
                self._meeting_records(dialogue_id, year, source_id, officials)
            for _ in range(spec.unnamed_per_dialogue):
                quantity, count = rng.choice(UNNAMED)
                theme_id = rng.choices(self.theme_ids, self.theme_weights)[0]
                self.add(m.UnnamedClaim, dict(
                    id=self.next_id(m.UnnamedClaim), theme_id=theme_id, dialogue_id=dialogue_id, count=count,
                    quantity=quantity, stance=rng.choice(STANCES),
                    summary=rng.choice(SUMMARIES).format(x="the theme"), excerpt=rng.choice(self.pool), source_id=source_id,
                ))
        self._statements(years)
        self._positions(years)

    def _meeting_records(self, dialogue_id: int, year: int, source_id: int,
                         officials: list[tuple[int, str, m.ActorKind]]) -> None:
        rng = self.rng
        members = rng.randint(40, 90)
        for field_name, value in (("report_title", f"Implementing the responsibility to protect: report of {year}"),
                                  ("report_symbol", f"A/{year - 1945}/{rng.randint(100, 999)}"),
                                  ("report_date", f"{year}-07-{rng.randint(1, 28):02d}")):
            self.add(m.DialogueClaim, dict(id=self.next_id(m.DialogueClaim), dialogue_id=dialogue_id, field=field_name,
                                           measure=None, value_int=None, value_text=value, source_id=source_id,
                                           excerpt=value))
        self.add(m.DialogueClaim, dict(id=self.next_id(m.DialogueClaim), dialogue_id=dialogue_id, field="participation",
                                       measure="member_states", value_int=members, value_text=f"{members} member states",
                                       source_id=source_id, excerpt=f"{members} member states took the floor"))
        people = rng.sample(officials, 4)
        for (actor_id, name, _), role in zip(people, [m.RoleKind.opening_remarks, m.RoleKind.moderator,
                                                      m.RoleKind.panelist, m.RoleKind.panelist]):
            self.add(m.Role, dict(id=self.next_id(m.Role), dialogue_id=dialogue_id, actor_id=actor_id, role=role,
                                  title=rng.choice([None, "Special Adviser", "Director"]), source_id=source_id,
                                  excerpt=f"{name} took part in the {year} dialogue."))
        for _ in range(self.spec.quotes_per_dialogue):
            speaker = rng.choice(self.actors)
            self.add(m.Quote, dict(id=self.next_id(m.Quote), dialogue_id=dialogue_id, speaker_id=speaker[0],
                                   text=rng.choice(self.pool), source_id=source_id))

    def _statements(self, years: list[int]) -> None:
        rng = self.rng
        total = self.need("statements", self.spec.statements, self.existing[m.Statement])
        per_dialogue = [total // len(years) + (1 if i < total % len(years) else 0) for i in range(len(years))]
        states = [a for a in self.actors if a[2] in (m.ActorKind.member_state, m.ActorKind.observer_state)]
        for year, count in zip(years, per_dialogue):
            dialogue_id = self.dialogues[year]
            slots = [(a, s) for s in self.sources_of[dialogue_id] for a in self.actors]
            if count > len(slots):
                raise ValueError(f"statements: at most {len(slots)} per meeting with this many sources")
            for actor, source_id in rng.sample(slots, count):
                statement_id = self.next_id(m.Statement)
                self.add(m.Statement, dict(
                    id=statement_id, dialogue_id=dialogue_id, actor_id=actor[0],
                    languages=rng.choice([[], [], ["English"], ["French"], ["Spanish"], ["Arabic", "English"]]),
                    delivered=rng.random() > 0.03, note=None, source_id=source_id,
                    excerpt=f"Statement of {actor[1]} at the {year} dialogue",
                ))
                if rng.random() < 0.03:
                    for other in rng.sample([s for s in states if s[0] != actor[0]], rng.randint(2, 4)):
                        self.add(m.StatementBehalf, dict(id=self.next_id(m.StatementBehalf),
                                                         statement_id=statement_id, actor_id=other[0]))

    def _positions(self, years: list[int]) -> None:
        rng = self.rng
        total = self.need("positions", self.spec.positions, self.existing[m.Position])
        next_passage = {self.dialogues[y]: 0 for y in years}
        taken: set[tuple[int, int, int, str]] = set()
        made = 0
        actor_ids = [a[0] for a in self.actors]
        while made < total:
            year = rng.choice(years)
            dialogue_id = self.dialogues[year]
            theme_id = rng.choices(self.theme_ids, self.theme_weights)[0]
            passages = self.passages_of[dialogue_id]
            source_id, passage = passages[next_passage[dialogue_id] % len(passages)]
            excerpt = _excerpt(passage)
            next_passage[dialogue_id] += 1
            size = min(rng.choice(GROUP_SIZES), total - made)
            actors = set(rng.choices(actor_ids, self.actor_weights, k=size * 2))
            stance = rng.choice(STANCES)
            summary = rng.choice(SUMMARIES).format(x=self.theme_names[theme_id][0].lower() + self.theme_names[theme_id][1:])
            partial = rng.random() < 0.1
            for actor_id in list(actors)[:size]:
                key = (actor_id, theme_id, dialogue_id, excerpt)
                if key in taken:
                    continue
                taken.add(key)
                self.add(m.Position, dict(
                    id=self.next_id(m.Position), actor_id=actor_id, theme_id=theme_id, dialogue_id=dialogue_id,
                    stance=stance, summary=summary, excerpt=excerpt, source_id=source_id, partial=partial,
                ))
                made += 1

    async def insert(self, store: Store) -> None:
        order = [m.Dialogue, m.Theme, m.SourceDocument, m.DialogueClaim, m.Role, m.Quote, m.UnnamedClaim,
                 m.Statement, m.StatementBehalf, m.Position, m.Passage]
        async with store.sessions() as session:
            # a bigger page cache for this one connection: index inserts in random key order
            await session.execute(text("PRAGMA cache_size=-131072"))
            for model in order:
                rows = self.rows.get(model, [])
                for start in range(0, len(rows), 20_000):
                    await session.execute(insert(model), rows[start : start + 20_000])
            await session.commit()


@dataclass
class Built:
    store: Store
    counts: Counts
    seconds: float
    spec: Spec


async def build(db_path: Path, spec: Spec = DEFAULT) -> Built:
    """Migrates and seeds a new database at `db_path`, then adds the synthetic records; returns the open store."""
    if db_path.exists():
        db_path.unlink()
    started = time.perf_counter()
    store = await open_store(f"sqlite+aiosqlite:///{db_path}")
    builder = _Builder(spec)
    await builder.load(store)
    builder.build_rows()
    await builder.insert(store)
    await refresh_statistics(store.engine)  # as the next start of the bot would
    await refresh_search_lists(store.engine)
    await store.refresh_indexes()
    seconds = time.perf_counter() - started
    return Built(store, await count_rows(store), seconds, spec)


def main() -> None:  # pragma: no cover - a convenience: python -m benchmarks.synthetic PATH
    import sys

    path = Path(sys.argv[1] if len(sys.argv) > 1 else "synthetic.sqlite3")

    async def run() -> None:
        built = await build(path)
        await built.store.close()
        print(f"built {path} in {built.seconds:.1f} s: {asdict(built.counts)}")

    asyncio.run(run())


if __name__ == "__main__":  # pragma: no cover
    main()
