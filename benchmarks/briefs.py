"""Briefing notes at seed scale: /brief state|theme|dialogue from the store to the attached PDF and Markdown.

    .venv/bin/python -m benchmarks.briefs [--runs 40] [--out benchmarks/results-briefs.md]

Each run makes the reply the command makes (`cogs.brief`: the session and queries,
the note's words, the PDF and Markdown built in the worker process, the chart
drawn there for a theme), with the worker's memory of notes and charts forgotten
first, so every run lays its PDF out; the query caches are warm, as in a running
bot. Arguments are drawn (seeded) from every actor with records, every theme and
dialogue year. Reports p50/p95/p99, the p99 target (≤ 1 s per note), and two
ratios on the medians: a note built against the same note kept by the worker (what a
second person asking pays), and against the command's embed answer.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from benchmarks.measure import percentile
from bot.render import embeds
from bot.render.chart import DRAWER
from cogs.brief import dialogue_reply, state_reply, theme_reply
from db import queries as q
from db.store import Store, open_store

TARGET_P99_MS = 1000.0
LIMIT = 10 * 1024 * 1024  # a server without boosts
DAY = date(2026, 1, 1)

Make = Callable[[Store, dict], Awaitable[object]]


@dataclass
class Kind:
    name: str
    note: Make  # the /brief reply
    embed: Make  # the command's embed answer, for the ratio


async def _state_embed(store: Store, a: dict) -> object:
    async with store.sessions() as session:
        return embeds.actor_profile(await q.actor_profile(session, a["name"]))


async def _theme_embed(store: Store, a: dict) -> object:
    async with store.sessions() as session:
        return embeds.theme_states(await q.theme_states(session, a["slug"], a["year"]), a["year"])


async def _dialogue_embed(store: Store, a: dict) -> object:
    async with store.sessions() as session:
        return embeds.dialogue_detail(await q.dialogue_detail(session, a["year"]))


KINDS = [
    Kind("brief state state:", lambda s, a: state_reply(s, a["name"], DAY, public=False, size_limit=LIMIT), _state_embed),
    Kind("brief theme theme: [dialogue:]",
         lambda s, a: theme_reply(s, a["slug"], a["year"], DAY, public=False, size_limit=LIMIT), _theme_embed),
    Kind("brief dialogue year:", lambda s, a: dialogue_reply(s, a["year"], DAY, public=False, size_limit=LIMIT),
         _dialogue_embed),
]


async def _arguments(store: Store, rng: random.Random, runs: int) -> dict[str, list[dict]]:
    names = [e.name for e in store.actors.entries]
    rng.shuffle(names)
    actors: list[str] = []
    async with store.sessions() as session:
        for name in names:  # profiles only as far as `runs` actors with records (not every actor's)
            if not (await q.actor_profile(session, name)).empty:  # type: ignore[union-attr]
                actors.append(name)
                if len(actors) == runs:
                    break
        themes = [t.theme.slug for t in await q.list_themes(session) if t.named_actors or t.unnamed]
    years = list(store.years)
    theme_args = [{"slug": rng.choice(themes), "year": rng.choice([None, *store.detailed_years])} for _ in range(runs)]
    return {
        KINDS[0].name: [{"name": actors[n % len(actors)]} for n in range(runs)],
        KINDS[1].name: theme_args,
        KINDS[2].name: [{"year": rng.choice(years)} for _ in range(runs)],
    }


async def _time(make: Make, store: Store, args: list[dict], forget: bool) -> list[float]:
    millis = []
    for a in args:
        if forget:
            DRAWER.forget()
        start = time.perf_counter_ns()
        await make(store, a)
        millis.append((time.perf_counter_ns() - start) / 1e6)
    return millis


async def run(runs: int, seed: int = 17, database: Path | None = None) -> list[str]:
    with tempfile.TemporaryDirectory() as work:
        store = await open_store(f"sqlite+aiosqlite:///{database or Path(work) / 'seed.sqlite3'}")
        try:
            rng = random.Random(seed)
            plan = await _arguments(store, rng, runs)
            DRAWER.start()
            lines = [
                (f"Seed scale, {runs} runs per command; the worker's notes and charts forgotten before each "
                 "built run; times in ms."),
                "",
                ("| command | built p50 | p95 | p99 | p99 ≤ 1 s | kept by the worker p50 | built / kept | "
                 "embed answer p50 | built / embed |"),
                "|---|---|---|---|---|---|---|---|---|",
            ]
            for kind in KINDS:
                args = plan[kind.name]
                await _time(kind.note, store, args[:3], True)  # the worker started, fonts and matplotlib imported
                built = await _time(kind.note, store, args, True)
                await _time(kind.note, store, args, False)  # every note of the sample kept by the worker
                kept = await _time(kind.note, store, args, False)
                embed = await _time(kind.embed, store, args, False)
                p50, p99 = percentile(built, 50), percentile(built, 99)
                kept50, embed50 = percentile(kept, 50), percentile(embed, 50)
                lines.append(
                    f"| `/{kind.name}` | {p50:.0f} | {percentile(built, 95):.0f} | {p99:.0f} | "
                    f"{'met' if p99 <= TARGET_P99_MS else 'MISSED'} | {kept50:.1f} | ×{p50 / kept50:.0f} | "
                    f"{embed50:.1f} | ×{p50 / embed50:.0f} |"
                )
            return lines
        finally:
            DRAWER.shutdown()
            await store.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.briefs", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--out", type=Path, default=None, help="also write the table here (Markdown)")
    parser.add_argument("--database", type=Path, default=None, help="a seeded SQLite file (default: a new one)")
    options = parser.parse_args(argv)
    lines = asyncio.run(run(options.runs, database=options.database))
    text = "\n".join(lines)
    print(text)
    if options.out:
        from benchmarks.__main__ import machine

        facts = "\n".join(f"- {key}: {value}" for key, value in machine().items())
        options.out.write_text(f"# Briefing notes benchmark\n\n`python -m benchmarks.briefs --runs {options.runs}`\n\n"
                               f"{facts}\n\n{text}\n", encoding="utf-8")
    missed = any("MISSED" in line for line in lines)
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
