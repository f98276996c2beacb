"""Timing the handlers, their floors and the console path; percentiles."""

from __future__ import annotations

import gc
import inspect
import time
from dataclasses import dataclass, field
from typing import Any, Sequence

from benchmarks.commands import Case, Env

try:  # the caches this project's read path keeps (absent from versions before them: nothing to forget)
    from bot.render.chart import forget_charts
    from bot.render.memo import forget_layouts
    from db.queries.cache import clear as forget_results
except ImportError:  # pragma: no cover
    forget_charts = forget_layouts = forget_results = lambda: None  # noqa: E731

NS = 1e-6  # nanoseconds to milliseconds


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited from the parent across exec)."""
    try:
        for line in open("/proc/self/status", encoding="ascii"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def forget_everything() -> None:
    """The bot as just started: no cached query results, no remembered layouts, no charts drawn."""
    forget_results()
    forget_layouts()
    forget_charts()


async def forget_answers(env: Env) -> None:
    """Every answer forgotten, as after a change to the records; the small tables of names,
    years and sources every answer refers to are read again at once (the first answer after
    a change reads them; the others find them)."""
    forget_everything()
    try:
        from db.queries.convert import reference
    except ImportError:  # pragma: no cover - versions before the cache
        return
    async with env.store.sessions() as session:
        await reference(session)


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (the value below which `pct` % of the runs fall)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


@dataclass
class Stats:
    runs: int
    p50: float
    p95: float
    p99: float
    max: float

    @classmethod
    def of(cls, millis: Sequence[float]) -> "Stats | None":
        if not millis:
            return None
        return cls(len(millis), percentile(millis, 50), percentile(millis, 95), percentile(millis, 99), max(millis))


@dataclass
class CaseResult:
    case: Case
    handler: Stats | None = None  # as served: the caches start empty and fill as the runs go
    query: Stats | None = None
    render: Stats | None = None
    uncached: Stats | None = None  # every run computed from the database: the answers forgotten before each
    warm: Stats | None = None  # every run answered from the caches (the served runs once more)
    floor: Stats | None = None
    console: Stats | None = None
    compared: int = 0
    mismatches: list[str] = field(default_factory=list)
    empty: int = 0
    pages: float = 0.0  # mean number of pages of the reply

    @property
    def ratio(self) -> float | None:
        """Uncached handler p50 / floor p50: both compute the answer from the database."""
        handler = self.uncached or self.handler
        if handler is None or self.floor is None or not self.floor.p50:
            return None
        return handler.p50 / self.floor.p50


async def run_handler(env: Env, case: Case, args: dict[str, Any]) -> tuple[Any, Any, int, int]:
    """(query result, reply, query ns, total ns): the cog's path up to the payload it would send."""
    started = time.perf_counter_ns()
    result = None
    if case.query is not None:
        async with env.store.sessions() as session:
            result = await case.query(session, env, args)
    queried = time.perf_counter_ns()
    assert case.render is not None
    reply = case.render(result, args, env)
    if inspect.isawaitable(reply):  # the chart is drawn in the worker process
        reply = await reply
    _payload = [embed.to_dict() for embed in reply.first]
    done = time.perf_counter_ns()
    return result, reply, queried - started, done - started


def run_floor(env: Env, case: Case, args: dict[str, Any]) -> tuple[Any, int]:
    assert case.floor is not None
    started = time.perf_counter_ns()
    answer = case.floor(env.conn, args)
    return answer, time.perf_counter_ns() - started


def _describe_difference(mine: Any, floors: Any) -> str:
    if isinstance(mine, tuple) and isinstance(floors, tuple) and len(mine) == len(floors):
        for i, (a, b) in enumerate(zip(mine, floors)):
            if a != b:
                return f"part {i}: handler {str(a)[:300]} != floor {str(b)[:300]}"
    return f"handler {str(mine)[:300]} != floor {str(floors)[:300]}"


async def seconds_per_run(env: Env, case: Case, probes: int = 3) -> float:
    """What one of `measure_case`'s runs costs (served and warm handler, and the floor): median of a few probes."""
    if case.complete is not None:
        return 0.0
    spent = []
    for args in (case.args * probes)[:probes]:
        started = time.perf_counter()
        await run_handler(env, case, args)
        await run_handler(env, case, args)
        if case.floor is not None:
            run_floor(env, case, args)
        spent.append(time.perf_counter() - started)
    return sorted(spent)[len(spent) // 2]


async def measure_case(env: Env, case: Case, *, warmup: int = 3, uncached_runs: int = 0, compare: bool = True) -> CaseResult:
    """Served runs (floor interleaved and compared), then `uncached_runs` runs with the caches emptied before each."""
    out = CaseResult(case)
    if case.complete is not None:
        for args in case.args[:warmup]:
            await case.complete(env, args)
        millis = []
        for args in case.args:
            started = time.perf_counter_ns()
            choices = await case.complete(env, args)
            millis.append((time.perf_counter_ns() - started) * NS)
            out.empty += not choices
        out.handler = Stats.of(millis)
        return out
    for args in case.args[:warmup]:  # imports, compiled statements, the name indexes: not the caches
        await run_handler(env, case, args)
        if case.floor is not None:
            run_floor(env, case, args)
    forget_everything()
    total, query, render, floor_ms, pages = [], [], [], [], 0
    gc.collect()
    for args in case.args:
        result, reply, q_ns, t_ns = await run_handler(env, case, args)
        total.append(t_ns * NS)
        query.append(q_ns * NS)
        render.append((t_ns - q_ns) * NS)
        pages += len(reply.pages)
        if case.floor is not None:
            answer, f_ns = run_floor(env, case, args)
            floor_ms.append(f_ns * NS)
            if compare and case.project is not None:
                mine = case.project(result)
                out.compared += 1
                if mine != answer and len(out.mismatches) < 3:
                    out.mismatches.append(f"{args}: {_describe_difference(mine, answer)}")
                if not answer:
                    out.empty += 1
    out.handler, out.query, out.render, out.floor = Stats.of(total), Stats.of(query), Stats.of(render), Stats.of(floor_ms)
    out.pages = pages / max(1, len(case.args))
    out.warm = Stats.of([(await run_handler(env, case, args))[3] * NS for args in case.args])
    if uncached_runs and case.query is not None:
        cold = []
        for args in case.args[:uncached_runs]:
            await forget_answers(env)
            cold.append((await run_handler(env, case, args))[3] * NS)
        out.uncached = Stats.of(cold)
        for args in case.args:  # warm again, for the console runs that follow
            await run_handler(env, case, args)
    return out


async def measure_console(console: Any, case: Case, runs: int) -> Stats | None:
    """The same command through the real command tree, transformers and callback (offline console)."""
    if case.line is None or case.complete is not None:
        return None
    args_list = case.args[:runs]
    for args in args_list[:2]:
        await console.run(case.line(args), turn_pages=False)
    millis = []
    for args in args_list:
        line = case.line(args)
        started = time.perf_counter_ns()
        outcome = await console.run(line, turn_pages=False)
        millis.append((time.perf_counter_ns() - started) * NS)
        if outcome.error:
            raise RuntimeError(f"the console answered {line!r} with an error")
    return Stats.of(millis)
