"""python -m benchmarks [--scale seed|synthetic|both] [--quick] [--only PREFIX] [--out benchmarks/results.md]

Builds the store at each scale (the seed as the bot builds it; the synthetic
store with `benchmarks.synthetic`), then measures:

* every read command's handler path (query + rendering, as its cog runs it) and
  autocomplete, p50/p95/p99 over many runs with sampled arguments: as served
  (the bot's caches start empty and fill as the runs go) and uncached (every
  run computed from the database), against the same answer computed with one
  raw SQL query through `sqlite3` (the floor), checking both give the same answer;
* the same commands through the real command tree (offline console), to show
  what discord.py's plumbing adds;
* cold start to ready (migrate, seed, indexes, cogs, first answer) in a fresh
  process, and its peak resident memory;
* end to end: the real client against the local Discord double, 50 simulated
  people (`benchmarks.e2e`);
* the import of admin records at 1,000, 2,000 and 5,000 rows, dry run and apply,
  and how long another admin's write waits meanwhile (`benchmarks.imports`).

Prints a results table and writes it as markdown. `--quick` is a short smoke
run (tiny synthetic store, a few runs each); `--profile NAME` profiles one
command's handler with pyinstrument (`pip install -e ".[bench]"`).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import platform
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path
from typing import Any

from benchmarks import coldstart, e2e, floor, imports, synthetic
from benchmarks.commands import Env, build_cases
from db.ask import prepare as prepare_ask
from benchmarks.measure import CaseResult, forget_answers, measure_case, measure_console, run_handler, seconds_per_run

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = Path(__file__).resolve().parent / "results.md"

TARGETS = {
    "command_p99_ms": 25.0,
    "autocomplete_p99_ms": 5.0,
    "ratio": 3.0,
    "cold_start_s": 3.0,
    "peak_rss_mb": 200.0,
    "e2e_rate": 200.0,
    "e2e_p99_ms": 250.0,
}


@dataclass
class Plan:
    runs: int
    uncached_runs: int
    console_runs: int
    case_budget_s: float
    cold_runs: int
    reseed: bool
    capacity_s: float
    paced_s: float
    rate: float
    cap: int
    spec: synthetic.Spec
    e2e_rounds: int  # the end-to-end benchmark, each round with a freshly started bot; the median round counts
    e2e: bool = True
    only: str | None = None  # measure only the commands whose name starts with this (no cold start, no end to end)


FULL = Plan(runs=200, uncached_runs=60, console_runs=40, case_budget_s=40.0, cold_runs=3, reseed=True,
            capacity_s=15.0, paced_s=20.0, rate=200.0, cap=20_000, spec=synthetic.DEFAULT, e2e_rounds=3)
QUICK = Plan(runs=8, uncached_runs=3, console_runs=3, case_budget_s=3.0, cold_runs=1, reseed=False,
             capacity_s=1.5, paced_s=1.5, rate=50.0, cap=400, spec=synthetic.TINY, e2e_rounds=1)


@dataclass
class ScaleResult:
    scale: str
    counts: synthetic.Counts
    build_s: float
    cases: list[CaseResult] = field(default_factory=list)
    cold: list[coldstart.ColdStart] = field(default_factory=list)
    e2e: list[e2e.E2EResult] = field(default_factory=list)  # one per round


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- running ------------------------------------------------------------------------------------


async def _build(scale: str, plan: Plan, work: Path) -> tuple[Any, Path, synthetic.Counts, float]:
    from db.store import open_store

    db_path = work / f"{scale}.sqlite3"
    if scale == "seed":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
        started = time.perf_counter()
        store = await open_store(f"sqlite+aiosqlite:///{db_path}")
        seconds = time.perf_counter() - started
        return store, db_path, await synthetic.count_rows(store), seconds
    log(f"building the synthetic store ({plan.spec.describe()}) …")
    built = await synthetic.build(db_path, plan.spec)
    log(f"  built in {built.seconds:.1f} s")
    return built.store, db_path, built.counts, built.seconds


async def _console(db_path: Path, work: Path):  # type: ignore[no-untyped-def]
    from bot.client import BriefingBot
    from bot.config import Settings
    from bot.console import Console

    settings = Settings(database_url=f"sqlite+aiosqlite:///{db_path}", console_output_dir=work / "console-output",
                        _env_file=None)
    console = Console(BriefingBot(settings), settings.console_output_dir)
    await console.start()
    return console


async def _measure_scale(scale: str, plan: Plan, work: Path) -> ScaleResult:
    store, db_path, counts, build_s = await _build(scale, plan, work)
    result = ScaleResult(scale, counts, build_s)
    console = await _console(db_path, work)
    env = Env(store, floor.connect(str(db_path)), console.bot.tree)
    await prepare_ask(store)
    cases = build_cases(env, plan.runs)
    crowd = build_cases(env, plan.runs)  # for end to end: every sampled argument, whatever the time budgets keep
    if plan.only:
        cases = [c for c in cases if c.name.startswith(plan.only)]
    for case in cases:
        # a time budget per case, so a slow command (before a fix) cannot hold the whole run
        per_run = await seconds_per_run(env, case) or 1e-3
        budget = max(5, int(plan.case_budget_s / per_run))
        if budget < len(case.args):
            case.args = case.args[:budget]
            case.note = (case.note + "; " if case.note else "") + f"{budget} runs (time budget)"
        measured = await measure_case(env, case, warmup=min(3, len(case.args)),
                                      uncached_runs=min(plan.uncached_runs, len(case.args)))
        measured.console = await measure_console(console, case, min(plan.console_runs, len(case.args)))
        result.cases.append(measured)
        h = measured.handler
        log(f"  {scale:9s} {case.name:52s} p50 {h.p50:8.2f} ms  p99 {h.p99:8.2f} ms"
            + (f"  uncached p50 {measured.uncached.p50:7.2f}" if measured.uncached else "")
            + (f"  floor {measured.floor.p50:7.2f} ms  ×{measured.ratio:.1f}" if measured.floor and measured.ratio else "")
            + (f"  MISMATCH {measured.mismatches[0]}" if measured.mismatches else ""))
    await console.close()

    if plan.only:
        env.conn.close()
        await store.close()
        return result
    log(f"  {scale}: cold start …")
    cold_dir = work / "cold"
    cold_dir.mkdir(exist_ok=True)
    if scale == "seed":
        def fresh() -> Path:
            target = cold_dir / "fresh.sqlite3"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
            return target

        result.cold.append(coldstart.run("empty database: migrate, seed, indexes, cogs", fresh, plan.cold_runs, work))
    else:
        def copy(reseed: bool = False):  # type: ignore[no-untyped-def]
            def prepare() -> Path:
                target = cold_dir / "copy.sqlite3"
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{target}{suffix}").unlink(missing_ok=True)
                with sqlite3.connect(db_path) as source, sqlite3.connect(target) as copy_:
                    source.backup(copy_)  # a consistent copy of a live WAL database
                if reseed:  # the dataset changed since the last start (a new release): seeding runs
                    with sqlite3.connect(target) as conn:
                        conn.execute("DELETE FROM store_meta WHERE key = 'seed_checksum'")
                return target
            return prepare

        result.cold.append(coldstart.run("existing store: migrate (no-op), seed skipped, indexes, cogs", copy(),
                                         plan.cold_runs, work))
        if plan.reseed:
            result.cold.append(coldstart.run("existing store, seed dataset changed: re-seed over the records",
                                             copy(True), 1, work))
    if plan.e2e:
        for round_ in range(1, plan.e2e_rounds + 1):
            log(f"  {scale}: end to end, {e2e.USERS} users, round {round_} of {plan.e2e_rounds} …")
            r = await e2e.run(db_path, crowd, capacity_seconds=plan.capacity_s, paced_seconds=plan.paced_s,
                              rate=plan.rate, cap=plan.cap, work_dir=work)
            result.e2e.append(r)
            paced = r.paced.stats()
            log(f"    capacity {r.capacity.rate:.0f}/s; paced {r.paced.rate:.0f}/s p99 "
                f"{paced.p99 if paced else float('nan'):.0f} ms; missed {r.capacity.missed + r.paced.missed}")
    env.conn.close()
    await store.close()
    return result


async def profile(scale: str, name: str, plan: Plan, work: Path, runs: int, uncached: bool) -> str:
    """pyinstrument's view of one command's handler over `runs` sampled arguments."""
    from pyinstrument import Profiler

    store, db_path, _, _ = await _build(scale, plan, work)
    console = await _console(db_path, work)
    env = Env(store, floor.connect(str(db_path)), console.bot.tree)
    await prepare_ask(store)
    case = next((c for c in build_cases(env, runs) if c.name == name), None)
    if case is None or case.render is None:
        names = ", ".join(c.name for c in build_cases(env, 1) if c.render is not None)
        raise SystemExit(f"no command {name!r}; one of: {names}")
    for args in case.args[:3]:
        await run_handler(env, case, args)
    profiler = Profiler(interval=0.0005, async_mode="enabled")
    profiler.start()
    for args in case.args:
        if uncached:
            await forget_answers(env)
        await run_handler(env, case, args)
    profiler.stop()
    await console.close()
    await store.close()
    return profiler.output_text(unicode=True, color=False, show_all=False)


# -- reporting -------------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    packages = ", ".join(f"{p} {version(p)}" for p in
                         ("discord.py", "SQLAlchemy", "aiosqlite", "aiohttp", "alembic", "rapidfuzz", "matplotlib"))
    return {
        "cores": f"{usable} usable ({os.cpu_count()} online)",
        "cpu": cpu,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "packages": packages,
    }


def _ms(value: float | None) -> str:
    if value is None or value != value:
        return "—"
    return f"{value:.2f}" if value < 10 else f"{value:.1f}" if value < 100 else f"{value:,.0f}"


def _mark(ok: bool) -> str:
    return "✅" if ok else "❌"


def render_markdown(results: list[ScaleResult], argv: list[str], started: datetime, seconds: float) -> str:
    info = machine()
    command = " ".join(["python -m benchmarks", *argv])
    out = ["# Benchmark results", ""]
    out.append(f"`{command}` — {started:%Y-%m-%d %H:%M} UTC, {seconds / 60:.1f} min.")
    out.append("")
    out.append(f"Machine: {info['cores']} cores, {info['cpu']}, {info['os']}. Python {info['python']}, "
               f"SQLite {info['sqlite']}; {info['packages']}.")
    out.append("")
    out.append("| scale | meetings | actors (states) | themes | positions | statements | passages | sources | built in |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        c = r.counts
        out.append(f"| {r.scale} | {c.dialogues} | {c.actors} ({c.states}) | {c.themes} | {c.positions:,} | "
                   f"{c.statements:,} | {c.passages:,} | {c.sources} | {r.build_s:.1f} s |")
    out.append("")
    out.append(
        "Times in milliseconds. **served** = the cog's path (session, queries, renderer, first page as JSON) with the "
        "bot's caches starting empty and filling as the runs go, arguments sampled from the store (light and heavy "
        "themes, states and years alike, so repeats are few); **warm** = the same runs again, every answer cached; "
        "**uncached** = every answer forgotten before each run (as after a change to the records); **floor** = the "
        "same answer from one raw SQL query through `sqlite3`, compared with the handler's on every served run; "
        "**×floor** = uncached p50 / floor p50; **console** = the command through the real command tree, "
        "transformers and callback (offline console, warm, p50): console − warm is what discord.py's plumbing adds."
    )
    for r in results:
        out.append("")
        out.append(f"## {r.scale.capitalize()} scale")
        out.append("")
        out.append("| command | runs | served p50 | p95 | p99 | warm p50 | uncached p50 | uncached p99 | floor p50 "
                   "| floor p99 | ×floor | console | pages | same answer |")
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        for m in r.cases:
            if m.case.group == "autocomplete":
                continue
            h, u = m.handler, m.uncached
            same = "—" if not m.compared else (f"✅ {m.compared}/{m.compared}" if not m.mismatches
                                              else f"❌ {m.mismatches[0][:80]}")
            name = m.case.name if m.case.name.startswith("(") else f"`/{m.case.name}`"
            if m.case.note:
                name += f" ({m.case.note})"
            out.append(
                f"| {name} | {h.runs} | {_ms(h.p50)} | {_ms(h.p95)} | {_ms(h.p99)} | {_ms(m.warm.p50 if m.warm else None)} | "
                f"{_ms(u.p50 if u else None)} | {_ms(u.p99 if u else None)} | "
                f"{_ms(m.floor.p50 if m.floor else None)} | {_ms(m.floor.p99 if m.floor else None)} | "
                f"{f'{m.ratio:.1f}' if m.ratio else '—'} | "
                f"{_ms(m.console.p50 if m.console else None)} | {m.pages:.1f} | {same} |"
            )
        out.append("")
        out.append("| autocomplete | runs | p50 | p95 | p99 | max |")
        out.append("|---|---:|---:|---:|---:|---:|")
        for m in r.cases:
            if m.case.group == "autocomplete":
                h = m.handler
                out.append(f"| `{m.case.name}` | {h.runs} | {_ms(h.p50)} | {_ms(h.p95)} | {_ms(h.p99)} | {_ms(h.max)} |")
        out.append("")
        out.append("| cold start (fresh process) | runs | spawn → first answer p50 | max | in-process start p50 "
                   "| imports p50 | peak RSS |")
        out.append("|---|---:|---:|---:|---:|---:|---:|")
        for c in r.cold:
            out.append(f"| {c.label} | {c.runs} | {c.wall_p50:.2f} s | {c.wall_max:.2f} s | {c.open_p50:.2f} s | "
                       f"{c.import_p50:.2f} s | {c.peak_rss_mb:.0f} MB |")
        if r.e2e:
            out += _e2e_lines(r.e2e)
    out.append("")
    out.append("## Targets")
    out.append("")
    out += targets(results)
    out.append("")
    return "\n".join(out)


def _paced_p99(x: e2e.E2EResult) -> float:
    stats = x.paced.stats("done")
    return stats.p99 if stats else float("nan")


@dataclass
class E2ESummary:
    """The rounds of the end-to-end benchmark: medians across rounds, peaks and sums over all."""

    rounds: list[e2e.E2EResult]

    @property
    def rate(self) -> float:
        return statistics.median(x.capacity.rate for x in self.rounds)

    @property
    def paced_p99(self) -> float:
        return statistics.median(_paced_p99(x) for x in self.rounds)

    @property
    def peak_rss_mb(self) -> float:
        return max(x.bot_peak_rss_mb for x in self.rounds)

    @property
    def missed(self) -> int:
        return sum(x.capacity.missed + x.paced.missed for x in self.rounds)

    @property
    def interactions(self) -> int:
        return sum(len(x.capacity.samples) + len(x.paced.samples) for x in self.rounds)


def _e2e_lines(rounds: list[e2e.E2EResult]) -> list[str]:
    first = rounds[0]
    out = ["", f"End to end: {first.users} simulated people, the bot in its own process against the Discord double on "
           "127.0.0.1; latency = interaction sent → answer seen; ack = → the bot's first callback (Discord's 3-second "
           "deadline). Arguments are sampled as for the commands above, every one of them (a time budget above "
           "shortens a command's runs, not the crowd's choice). "
           + (f"{len(rounds)} rounds, each with a freshly started bot (cold caches); the targets take the median round."
              if len(rounds) > 1 else "One round, with a freshly started bot (cold caches)."), "",
           "| round | phase | interactions | per second | p50 | p95 | p99 | max | ack p99 | missed deadlines | failures |",
           "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for number, x in enumerate(rounds, start=1):
        for phase, label in ((x.capacity, "capacity: closed loop, no pauses"),
                             (x.paced, f"paced: {x.target_rate:.0f}/s offered, open loop")):
            d, a = phase.stats("done"), phase.stats("ack")
            out.append(f"| {number} | {label} | {len(phase.samples):,} | {phase.rate:.0f} | {_ms(d.p50 if d else None)} | "
                       f"{_ms(d.p95 if d else None)} | {_ms(d.p99 if d else None)} | {_ms(d.max if d else None)} | "
                       f"{_ms(a.p99 if a else None)} | {phase.missed} | {phase.failures} |")
    if len(rounds) > 1:
        summary = E2ESummary(rounds)
        out.append(f"| median | capacity / paced p99 | | {summary.rate:.0f} | | | {_ms(summary.paced_p99)} | | | "
                   f"{summary.missed} (all rounds) | |")
    out.append("")
    for number, x in enumerate(rounds, start=1):
        b = x.bot
        worker = b.get("chart_worker_peak_rss_mb") or 0
        ready = b.get("ready_rss_mb", float("nan"))
        line = (f"Round {number}, bot process: peak RSS {x.bot_peak_rss_mb:.0f} MB (ready {ready:.0f} MB"
                + (f"; its chart worker process {worker:.0f} MB more" if worker else "") + "), "
                f"CPU {x.bot_cpu_s:.1f} s; driver and double CPU {x.driver_cpu_s:.1f} s; unhandled errors in the bot: "
                f"{x.unhandled_errors}; payloads the double refused: {x.rejections}.")
        if "gc_s" in b:
            lookups = b["cache_hits"] + b["cache_misses"]
            line += (f" Garbage collection {b['gc_s']:.1f} s ({b['gc_full']} full, longest pause "
                     f"{b['gc_longest_ms']:.0f} ms); query cache hits {b['cache_hits']:,} of {lookups:,}; "
                     f"{b['page_views']:,} page-button views alive at the end.")
            if b.get("cache_misses_by_kind"):
                line += " Cache misses by query: " + ", ".join(f"{k} {n:,}" for k, n in b["cache_misses_by_kind"].items()) + "."
        out.append(line)
        out.append("")
    return out[:-1]


def targets(results: list[ScaleResult]) -> list[str]:
    scale = next((r for r in results if r.scale == "synthetic"), results[-1])
    lines = [f"Checked at {scale.scale} scale.", "", "| target | result | |", "|---|---|---|"]
    commands = [m for m in scale.cases if m.case.group == "command"]
    worst = max(commands, key=lambda m: m.handler.p99)
    lines.append(f"| every read command p99 ≤ {TARGETS['command_p99_ms']:.0f} ms (served) | worst `/{worst.case.name}` "
                 f"{_ms(worst.handler.p99)} ms | {_mark(worst.handler.p99 <= TARGETS['command_p99_ms'])} |")
    over = [m for m in commands if m.handler.p99 > TARGETS["command_p99_ms"]]
    if over:
        lines.append("| … over the target | " + ", ".join(f"`/{m.case.name}` {_ms(m.handler.p99)}" for m in over) + " | |")
    for m in (m for m in scale.cases if m.case.group == "chart"):
        lines.append(f"| … `/{m.case.name}` (a PNG, deferred first) p99 ≤ {TARGETS['command_p99_ms']:.0f} ms | "
                     f"{_ms(m.handler.p99)} ms | {_mark(m.handler.p99 <= TARGETS['command_p99_ms'])} |")
    autos = [m for m in scale.cases if m.case.group == "autocomplete"]
    if autos:  # none with --only
        worst_auto = max(autos, key=lambda m: m.handler.p99)
        lines.append(f"| autocomplete p99 ≤ {TARGETS['autocomplete_p99_ms']:.0f} ms | worst `{worst_auto.case.name}` "
                     f"{_ms(worst_auto.handler.p99)} ms | {_mark(worst_auto.handler.p99 <= TARGETS['autocomplete_p99_ms'])} |")
    ratios = [m for m in commands if m.ratio]
    within = [m for m in ratios if m.ratio <= TARGETS["ratio"]]
    if ratios:
        worst_ratio = max(ratios, key=lambda m: m.ratio)
        lines.append(f"| handler / floor ≤ {TARGETS['ratio']:.0f} (uncached p50 / floor p50) | {len(within)} of "
                     f"{len(ratios)} commands; worst `/{worst_ratio.case.name}` ×{worst_ratio.ratio:.1f} | "
                     f"{_mark(worst_ratio.ratio <= TARGETS['ratio'])} |")
    over = [m for m in ratios if m.ratio > TARGETS["ratio"]]
    if over:
        lines.append("| … over the target (uncached / floor p50) | " + ", ".join(
            f"`/{m.case.name}` {_ms(m.uncached.p50 if m.uncached else m.handler.p50)} / {_ms(m.floor.p50)}"
            for m in over) + " | |")
    for c in scale.cold + [c for r in results if r is not scale for c in r.cold]:
        lines.append(f"| cold start ≤ {TARGETS['cold_start_s']:.0f} s: {c.label} | {c.wall_p50:.2f} s "
                     f"| {_mark(c.wall_p50 <= TARGETS['cold_start_s'])} |")
    for c in scale.cold + [c for r in results if r is not scale for c in r.cold]:
        lines.append(f"| peak RSS ≤ {TARGETS['peak_rss_mb']:.0f} MB: cold start, {c.label} | {c.peak_rss_mb:.0f} MB "
                     f"| {_mark(c.peak_rss_mb <= TARGETS['peak_rss_mb'])} |")
    if scale.e2e:
        x = E2ESummary(scale.e2e)
        rate = scale.e2e[0].target_rate
        lines.append(f"| peak RSS ≤ {TARGETS['peak_rss_mb']:.0f} MB: the bot end to end (highest round) | {x.peak_rss_mb:.0f} MB "
                     f"| {_mark(x.peak_rss_mb <= TARGETS['peak_rss_mb'])} |")
        lines.append(f"| ≥ {TARGETS['e2e_rate']:.0f} interactions/s end to end (capacity, median round) | {x.rate:.0f}/s "
                     f"| {_mark(x.rate >= TARGETS['e2e_rate'])} |")
        lines.append(f"| p99 ≤ {TARGETS['e2e_p99_ms']:.0f} ms at {rate:.0f}/s (median round) | "
                     f"{_ms(x.paced_p99)} ms | {_mark(x.paced_p99 <= TARGETS['e2e_p99_ms'])} |")
        lines.append(f"| no missed 3-second deadline (all rounds) | {x.missed} missed of {x.interactions:,} "
                     f"| {_mark(x.missed == 0)} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=("seed", "synthetic", "both"), default="both")
    parser.add_argument("--quick", action="store_true", help="a short smoke run (tiny synthetic store, few runs)")
    parser.add_argument("--out", type=Path, default=None,
                        help=f"markdown results (default {DEFAULT_OUT.relative_to(ROOT)}; --quick writes none unless given)")
    parser.add_argument("--runs", type=int, help="runs per command (default 200, quick 8)")
    parser.add_argument("--no-e2e", action="store_true", help="skip the end-to-end benchmark")
    parser.add_argument("--no-imports", action="store_true", help="skip the import benchmark (1k/2k/5k rows)")
    parser.add_argument("--work", type=Path, help="where to build the databases (default: a temporary folder)")
    parser.add_argument("--profile", metavar="COMMAND", help='profile one command\'s handler, e.g. "theme states theme:"')
    parser.add_argument("--uncached", action="store_true", help="with --profile: empty the caches before each run")
    parser.add_argument("--only", metavar="PREFIX",
                        help='measure only the commands named so, e.g. "ask question" (no cold start, end to end or imports)')
    args = parser.parse_args(argv)
    plan = replace(QUICK if args.quick else FULL)
    if args.runs:
        plan.runs = args.runs
    plan.e2e = not args.no_e2e and not args.only
    plan.only = args.only
    if args.only:
        args.no_imports = True
    logging.basicConfig(level=logging.WARNING)
    work = args.work or Path(tempfile.mkdtemp(prefix="rtop-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        if args.profile:
            scale = "seed" if args.scale == "seed" else "synthetic"
            print(asyncio.run(profile(scale, args.profile, plan, work, min(plan.runs, 50), args.uncached)))
            return 0
        out = args.out if args.out is not None else (None if args.quick else DEFAULT_OUT)
        scales = ["seed", "synthetic"] if args.scale == "both" else [args.scale]
        started = datetime.now(timezone.utc)
        t0 = time.perf_counter()
        results = [asyncio.run(_measure_scale(scale, plan, work)) for scale in scales]
        imported = [] if args.no_imports else asyncio.run(
            imports.measure(work, imports.QUICK_SIZES if args.quick else imports.SIZES, 1 if args.quick else 3))
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    markdown = render_markdown(results, argv, started, time.perf_counter() - t0)
    if imported:
        markdown = "\n".join([markdown.rstrip("\n"), "", *imports.markdown(imported), ""])
    print(markdown)
    if out is not None:
        out.write_text(markdown, encoding="utf-8")
        log(f"results written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
