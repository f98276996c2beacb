"""Per-server knowledge layers at scale: 1,000 servers with 50 records of their own each.

`python -m benchmarks.layers [--servers 1000] [--records 50] [--runs 300]` builds a
seeded store, adds the servers' own records (actors, aliases, themes, positions
and hidden shared records, through the ORM's bulk INSERT on the project's
models, so the triggers and the per-layer generations are the bot's own), and
times the read path a command takes in three places: a direct message (the
shared base), a server with no records of its own (it shares the base's
cached answers and names), and a server with its own layer — each as the cog
runs it: the layer's names (one generation query), a session reading the layer,
the query. Served = arguments drawn at random, answers cached as they come; uncached = every answer forgotten before each
run. Memory: the process's resident size after the store opens, after every
server's names were loaded once (at most `MAX_LAYER_NAMES` are kept), and the
size of one layer's names. The same reads on the seed store without any server
records come first, as the yardstick. The table is written into
`benchmarks/results.md` between the layer markers (`--out` for another file).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import platform
import random
import sqlite3
import tempfile
import time
import tracemalloc
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Awaitable, Callable

from sqlalchemy import insert, select

from benchmarks.measure import percentile
from db import models as m
from db import queries as q
from db.queries.cache import clear as forget_results
from db.store import MAX_LAYER_NAMES, Store, open_store

RESULTS = Path(__file__).resolve().parent / "results.md"
BEGIN, END = "<!-- layers: python -m benchmarks.layers -->", "<!-- /layers -->"
FIRST_SERVER = 1_100_000_000_000_000


def rss_mb() -> float:
    for line in open("/proc/self/status", encoding="ascii"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def add_servers(store: Store, servers: int, records: int, rng: random.Random) -> int:
    """Each server: a fifth actors (with an alias each), a tenth themes, the rest positions; two shared records hidden."""
    async with store.sessions() as session:
        actors = list((await session.execute(select(m.Actor.id))).scalars())
        themes = list((await session.execute(select(m.Theme.id))).scalars())
        dialogues = list((await session.execute(select(m.Dialogue.id).where(m.Dialogue.detailed))).scalars())
        sources = list((await session.execute(select(m.SourceDocument.id))).scalars())
        aliases = list((await session.execute(select(m.ActorAlias.id))).scalars())
    own_actors = max(1, records // 5 // 2)
    own_themes = max(1, records // 10)
    own_positions = records - 2 * own_actors - own_themes
    total = 0
    async with store.sessions.begin() as session:
        for n in range(servers):
            layer = FIRST_SERVER + n
            actor_rows = [dict(name=f"Coalition {n} member {i}", kind=m.ActorKind.civil_society, layer=layer,
                               origin=m.Origin.admin) for i in range(own_actors)]
            new_actors = list((await session.execute(insert(m.Actor).returning(m.Actor.id), actor_rows)).scalars())
            await session.execute(insert(m.ActorAlias), [
                dict(actor_id=a, alias=f"C{n}M{i}", folded=f"c{n}m{i}", layer=layer, origin=m.Origin.admin)
                for i, a in enumerate(new_actors)])
            theme_rows = [dict(slug=f"coalition-{n}-theme-{i}", name=f"Coalition {n} theme {i}",
                               description="A theme one coalition follows.", keywords=["local"], layer=layer,
                               origin=m.Origin.admin) for i in range(own_themes)]
            new_themes = list((await session.execute(insert(m.Theme).returning(m.Theme.id), theme_rows)).scalars())
            await session.execute(insert(m.Position), [
                dict(actor_id=rng.choice(actors + new_actors), theme_id=rng.choice(themes + new_themes),
                     dialogue_id=rng.choice(dialogues), stance=m.Stance.supports,
                     summary="Raised it, as the coalition recorded.", excerpt=f"Coalition {n} record {i}.",
                     source_id=rng.choice(sources), partial=False, layer=layer, origin=m.Origin.admin)
                for i in range(own_positions)])
            await session.execute(insert(m.HiddenRecord), [
                dict(layer=layer, table_name="actor_aliases", row_id=a, replaced_by=None)
                for a in rng.sample(aliases, 2)])
            total += own_actors * 2 + own_themes + own_positions
    return total


Read = Callable[[Store, int | None], Awaitable[Any]]


def _reads(rng: random.Random, store: Store) -> dict[str, Read]:
    """What the commands read, as their cogs do: the layer's names, then the query in a session of that layer."""
    slugs = [e.code for e in store.themes.entries]
    names = [e.name for e in store.actors.entries]
    years = list(store.detailed_years)

    async def theme_states(store: Store, guild: int | None) -> Any:
        await store.names(guild)
        async with store.reading(guild) as session:
            return await q.theme_states(session, rng.choice(slugs), rng.choice((None, *years)))

    async def state_profile(store: Store, guild: int | None) -> Any:
        await store.names(guild)
        async with store.reading(guild) as session:
            return await q.actor_profile(session, rng.choice(names))

    async def theme_list(store: Store, guild: int | None) -> Any:
        await store.names(guild)
        async with store.reading(guild) as session:
            return await q.list_themes(session, rng.choice((None, *years)))

    async def dialogue_show(store: Store, guild: int | None) -> Any:
        await store.names(guild)
        async with store.reading(guild) as session:
            return await q.dialogue_detail(session, rng.choice(years))

    async def autocomplete(store: Store, guild: int | None) -> Any:
        return (await store.names(guild)).actors.complete(rng.choice(names)[:3], 25)

    return {"/theme states": theme_states, "/state profile": state_profile, "/theme list": theme_list,
            "/dialogue show": dialogue_show, "state autocomplete": autocomplete}


async def _time(read: Read, store: Store, guild: int | None, runs: int, *, uncached: bool) -> tuple[float, float]:
    timings = []
    for _ in range(runs):
        if uncached:
            forget_results()
        started = time.perf_counter_ns()
        await read(store, guild)
        timings.append((time.perf_counter_ns() - started) / 1e6)
    return percentile(timings, 50), percentile(timings, 99)


async def measure(store: Store, places: dict[str, int | None], runs: int, seed: int) -> list[tuple[str, str, list[float]]]:
    rows = []
    for name, read in _reads(random.Random(seed), store).items():
        for place, guild in places.items():
            await read(store, guild)  # the names of the place are loaded once, as by its first command
            warm = await _time(read, store, guild, runs, uncached=False)
            cold = await _time(read, store, guild, max(20, runs // 5), uncached=True)
            rows.append((name, place, [*warm, *cold]))
    return rows


async def run(servers: int, records: int, runs: int, work: Path) -> str:
    started = time.perf_counter()
    path = work / "layers.sqlite3"
    store = await open_store(f"sqlite+aiosqlite:///{path}")
    gc.collect()
    rss_open = rss_mb()
    yardstick = await measure(store, {"DM (seed store only)": None}, runs, 1)
    built = time.perf_counter()
    added = await add_servers(store, servers, records, random.Random(2005))
    built = time.perf_counter() - built
    own, empty = FIRST_SERVER + servers // 2, FIRST_SERVER + servers + 7
    places = {"DM (the base)": None, "server without own records": empty, "server with its own layer": own}
    rows = await measure(store, places, runs, 1)
    gc.collect()
    rss_before = rss_mb()
    load = time.perf_counter()
    for n in range(servers):
        await store.names(FIRST_SERVER + n)
    load = (time.perf_counter() - load) / servers
    gc.collect()
    rss_after = rss_mb()
    tracemalloc.start()
    store._names.pop(own, None)
    before = tracemalloc.get_traced_memory()[0]
    await store.names(own)
    one_layer = (tracemalloc.get_traced_memory()[0] - before) / 1024 / 1024
    tracemalloc.stop()
    await store.close()
    size = path.stat().st_size / 1024 / 1024
    seconds = time.perf_counter() - started
    lines = [
        BEGIN,
        "## Server layers",
        "",
        f"`python -m benchmarks.layers --servers {servers} --records {records} --runs {runs}` — "
        f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {seconds:.0f} s. Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}.",
        "",
        f"The seed store plus {servers:,} servers with {records} records of their own each ({added:,} rows and "
        f"{2 * servers:,} hidden shared records, added in {built:.1f} s; file {size:.1f} MB). Each read is the cog's "
        "path: the place's names (one query for the layer's generation), a session reading the layer, the query. "
        "Milliseconds; served = arguments drawn at random, answers cached as they come; uncached = every answer forgotten before each run "
        f"({runs} served runs, {max(20, runs // 5)} uncached, per row).",
        "",
        "| read | where | served p50 | served p99 | uncached p50 | uncached p99 |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for name, place, (w50, w99, c50, c99) in yardstick + rows:
        lines.append(f"| {name} | {place} | {w50:.2f} | {w99:.2f} | {c50:.2f} | {c99:.2f} |")
    lines += [
        "",
        f"Memory: {rss_open:.0f} MB resident after the store opened; {rss_before:.0f} MB after the reads above; "
        f"{rss_after:.0f} MB after every server's names were loaded once ({load * 1000:.1f} ms each; at most "
        f"{MAX_LAYER_NAMES} servers' names are kept, the least recently used go first); one server's names "
        f"(actors, themes, years) take {one_layer:.2f} MB. A server without records of its own shares the base's "
        "names and cached answers.",
        END,
    ]
    return "\n".join(lines) + "\n"


def write_section(section: str, out: Path) -> None:
    text = out.read_text(encoding="utf-8") if out.exists() else ""
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + section + text[text.index(END) + len(END) + 1:]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    out.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.layers", description=__doc__.split("\n\n")[0])
    parser.add_argument("--servers", type=int, default=1000)
    parser.add_argument("--records", type=int, default=50)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as work:
        section = asyncio.run(run(args.servers, args.records, args.runs, Path(work)))
    write_section(section, args.out)
    print(section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
