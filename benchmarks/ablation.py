"""Does each piece of performance machinery pay? Each one switched off in turn, at a realistic scale.

`python -m benchmarks.ablation [--rounds 3] [--runs 60] [--out benchmarks/results.md]`

The store: every GA meeting fully recorded — 30 meetings, 2,500 statements,
50,000 positions (`REALISTIC`), built by the synthetic generator. The crowd:
every read command of `benchmarks.commands` (charts aside: their PNG memo is
not in question), its sampled arguments shuffled together, run through the
cog's path (`run_handler`) once with every cache empty (served) and once more
(warm). Each layer is measured on and off in alternating rounds, in this one
process; the figures are medians over the rounds of: served p50 and p99 (ms),
the process's CPU time per run (ms; barely touched by other work on the
machine, unlike wall time), and the memory the layer is meant to save (MB
still allocated, by tracemalloc, after the crowd: the caches' contents; for
page packing, 1,000 live page views).

A layer stays only where it improves one of these by more than 10 %
(`KEEP_ABOVE`); the table says which and by how much. Two layers measured so
were removed — the escaping memo of bot/render/embeds.py and the bot's
garbage-collector thresholds — and benchmarks/results.md keeps the run that
decided it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import platform
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

from benchmarks import floor, synthetic
from benchmarks.commands import Case, Env, build_cases
from benchmarks.measure import forget_everything, percentile, run_handler
from bot.render import memo, paginator
from db.ask import prepare as prepare_ask
from db.queries import cache as query_cache

REALISTIC = synthetic.Spec(dialogues=30, themes=80, positions=50_000, statements=2_500, passages=3_000)
KEEP_ABOVE = 0.10
RESULTS = Path(__file__).resolve().parent / "results.md"
BEGIN, END = "<!-- ablation: python -m benchmarks.ablation -->", "<!-- /ablation -->"
NS = 1e-6


# -- switching a layer off ---------------------------------------------------------------------------


def _replace_everywhere(original: object, stand_in: object) -> list[tuple[Any, str]]:
    """Puts `stand_in` wherever a loaded module of the project holds `original` (names imported with `from`)."""
    replaced = []
    for module in list(sys.modules.values()):
        name = getattr(module, "__name__", "")
        if not name.startswith(("bot", "cogs", "db")):
            continue
        for attribute, value in list(vars(module).items()):
            if value is original:
                setattr(module, attribute, stand_in)
                replaced.append((module, attribute))
    return replaced


@contextlib.contextmanager
def _swapped(original: object, stand_in: object) -> Iterator[None]:
    replaced = _replace_everywhere(original, stand_in)
    try:
        yield
    finally:
        for module, attribute in replaced:
            setattr(module, attribute, original)


@contextlib.contextmanager
def no_query_cache() -> Iterator[None]:
    """Every read computed from the database: the cache forgotten before each lookup."""
    real = query_cache.cached

    async def uncached(session, key, compute, size=lambda _: 1):  # type: ignore[no-untyped-def]
        return await compute()

    with _swapped(real, uncached):
        yield


@contextlib.contextmanager
def no_layout_memo() -> Iterator[None]:
    laidout = memo.LAIDOUT
    laidout.reply = lambda key, inputs, render: render().freeze()  # type: ignore[method-assign]
    try:
        yield
    finally:
        del laidout.reply


@contextlib.contextmanager
def no_shared_texts() -> Iterator[None]:
    with _swapped(query_cache.shared, lambda text: text):
        yield


@contextlib.contextmanager
def no_page_packing() -> Iterator[None]:
    real = paginator.PageView.pack
    paginator.PageView.pack = lambda self: None  # type: ignore[method-assign]
    try:
        yield
    finally:
        paginator.PageView.pack = real  # type: ignore[method-assign]


@dataclass(frozen=True)
class Layer:
    name: str
    where: str
    off: Callable[[], contextlib.AbstractContextManager[None]]
    memory: str = ""  # what its memory figure measures: "cache" or "views"


LAYERS = [
    Layer("query result cache", "db/queries/cache.py", no_query_cache, "cache"),
    Layer("layout memo (replies kept per result)", "bot/render/memo.py", no_layout_memo, "cache"),
    Layer("equal texts kept once (`shared`)", "db/queries/cache.py `shared`", no_shared_texts, "cache"),
    Layer("packed pages of live views", "bot/render/paginator.py `PageView.pack`", no_page_packing, "views"),
]


# -- measuring ---------------------------------------------------------------------------------------


@dataclass
class Pass:
    served_p50: float
    served_p99: float
    warm_p50: float
    cpu_per_run: float  # ms, served and warm runs together
    memory_mb: float | None = None


@dataclass
class LayerResult:
    layer: Layer
    on: list[Pass] = field(default_factory=list)
    off: list[Pass] = field(default_factory=list)


def _crowd(cases: list[Case], seed: int) -> list[tuple[Case, dict[str, Any]]]:
    runs = [(case, args) for case in cases for args in case.args]
    random.Random(seed).shuffle(runs)
    return runs


async def _timed(env: Env, runs: list[tuple[Case, dict[str, Any]]]) -> tuple[list[float], float]:
    millis = []
    cpu = time.process_time()
    for case, args in runs:
        started = time.perf_counter_ns()
        await run_handler(env, case, args)
        millis.append((time.perf_counter_ns() - started) * NS)
    return millis, time.process_time() - cpu


async def measure_pass(env: Env, runs: list[tuple[Case, dict[str, Any]]], memory: str) -> Pass:
    forget_everything()
    query_cache._TEXTS.clear()
    gc.collect()
    served, cpu_served = await _timed(env, runs)
    warm, cpu_warm = await _timed(env, runs)
    measured = Pass(percentile(served, 50), percentile(served, 99), percentile(warm, 50),
                    (cpu_served + cpu_warm) * 1000 / (len(served) + len(warm)))
    if memory == "cache":
        measured.memory_mb = await _cache_memory(env, runs)
    elif memory == "views":
        measured.memory_mb = await _view_memory(env, runs)
    return measured


async def _cache_memory(env: Env, runs: list[tuple[Case, dict[str, Any]]]) -> float:
    """MB still allocated after the served crowd, from empty caches: what the caches hold."""
    forget_everything()
    query_cache._TEXTS.clear()
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for case, args in runs:
            await run_handler(env, case, args)
        gc.collect()
        return (tracemalloc.get_traced_memory()[0] - before) / 1e6
    finally:
        tracemalloc.stop()


async def _view_memory(env: Env, runs: list[tuple[Case, dict[str, Any]]]) -> float:
    """MB held by live page views (MAX_LIVE_VIEWS of them) of the crowd's multi-page replies, once nothing else
    holds those replies (layouts and query results forgotten)."""
    forget_everything()
    gc.collect()
    tracemalloc.start()
    views: list[paginator.PageView] = []
    try:
        before = tracemalloc.get_traced_memory()[0]
        while len(views) < paginator.MAX_LIVE_VIEWS:
            for case, args in runs:
                reply = (await run_handler(env, case, args))[1]
                if len(reply.pages) > 1 and len(views) < paginator.MAX_LIVE_VIEWS:
                    view = paginator.PageView(reply, owner_id=len(views))
                    view.pack()
                    views.append(view)
            forget_everything()  # the views alone keep their pages
            if not views:
                break
        del reply
        gc.collect()
        held = (tracemalloc.get_traced_memory()[0] - before) / 1e6
    finally:
        tracemalloc.stop()
    for view in views:
        view.stop()
    return held


async def measure(rounds: int, runs: int, work: Path) -> tuple[list[LayerResult], synthetic.Counts, int]:
    built = await synthetic.build(work / "realistic.sqlite3", REALISTIC)
    store = built.store
    env = Env(store, floor.connect(str(work / "realistic.sqlite3")))
    await prepare_ask(store)
    cases = [c for c in build_cases(env, runs) if c.group in ("command", "reference") and c.query is not None]
    crowd = _crowd(cases, seed=11)
    for case, args in crowd[:50]:  # imports, compiled statements, the name indexes
        await run_handler(env, case, args)
    gc.collect()
    results = [LayerResult(layer) for layer in LAYERS]
    for round_ in range(rounds):
        for result in results:
            order = (True, False) if round_ % 2 == 0 else (False, True)
            for on in order:
                with contextlib.nullcontext() if on else result.layer.off():
                    measured = await measure_pass(env, crowd, result.layer.memory)
                (result.on if on else result.off).append(measured)
            print(f"round {round_ + 1}: {result.layer.name}: on {result.on[-1]} / off {result.off[-1]}", flush=True)
    env.conn.close()
    await store.close()
    return results, built.counts, len(crowd)


# -- reporting ---------------------------------------------------------------------------------------


def _median(passes: list[Pass], attribute: str) -> float | None:
    values = [getattr(p, attribute) for p in passes if getattr(p, attribute) is not None]
    return statistics.median(values) if values else None


METRICS = [("served_p50", "served p50 (ms)"), ("served_p99", "served p99 (ms)"), ("warm_p50", "warm p50 (ms)"),
           ("cpu_per_run", "CPU per run (ms)"), ("memory_mb", "memory (MB)")]


def gains(result: LayerResult) -> dict[str, float]:
    """Per metric: how much lower it is with the layer on (0.25 = a quarter less)."""
    found = {}
    for attribute, _ in METRICS:
        on, off = _median(result.on, attribute), _median(result.off, attribute)
        if on is not None and off:
            found[attribute] = 1 - on / off
    return found


def render(results: list[LayerResult], counts: synthetic.Counts, runs: int, rounds: int, seconds: float,
           argv: list[str]) -> str:
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        BEGIN,
        "## Performance machinery, each layer switched off",
        "",
        f"`python -m benchmarks.ablation {' '.join(argv)}`".replace(" `", "`") + f" — {stamp}, {seconds / 60:.1f} min. "
        f"Python {platform.python_version()}, {platform.machine()}.",
        "",
        f"A realistic store — {REALISTIC.describe()} ({counts.positions:,} positions, {counts.statements:,} statements "
        f"in all) — and a crowd of {runs:,} read commands (every read command's sampled arguments, shuffled) run "
        "through the cog's path, first with every cache empty (served), then again (warm). Each layer on and off in "
        f"alternating rounds; medians of {rounds} rounds. **Gain** = how much lower the figure is with the layer on; "
        f"a layer stays where one gain is over {KEEP_ABOVE:.0%}.",
        "",
        "| layer | where | served p50 on / off | served p99 on / off | warm p50 on / off | CPU per run on / off "
        "| memory on / off | best gain | verdict |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for result in results:
        cells = []
        for attribute, _ in METRICS:
            on, off = _median(result.on, attribute), _median(result.off, attribute)
            cells.append("—" if on is None or off is None else f"{on:.2f} / {off:.2f}")
        found = gains(result)
        best_metric = max(found, key=lambda k: found[k]) if found else None
        best = f"{found[best_metric]:+.0%} {dict(METRICS)[best_metric].split(' (')[0]}" if best_metric else "—"
        verdict = "keep" if best_metric and found[best_metric] > KEEP_ABOVE else "remove"
        lines.append(f"| {result.layer.name} | {result.layer.where} | " + " | ".join(cells) + f" | {best} | {verdict} |")
    lines += ["", "Memory: MB still allocated (tracemalloc) after the served crowd from empty caches, or held by "
              f"{paginator.MAX_LIVE_VIEWS:,} live page views of its multi-page replies.", END]
    return "\n".join(lines)


def write_section(markdown: str, out: Path) -> None:
    text = out.read_text(encoding="utf-8") if out.exists() else "# Benchmark results\n"
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + markdown + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n" + markdown + "\n"
    out.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ablation", description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--runs", type=int, default=60, help="sampled arguments per command (default 60)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as work:
        results, counts, runs = asyncio.run(measure(args.rounds, args.runs, Path(work)))
    markdown = render(results, counts, runs, args.rounds, time.perf_counter() - started, sys.argv[1:] if argv is None else argv)
    print(markdown)
    write_section(markdown, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
