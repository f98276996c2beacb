"""The bot's side of the end-to-end benchmark: `python -m benchmarks.e2e_bot PORT DB_PATH_OR_URL WORK_DIR`.

Started by `benchmarks.e2e` as a process of its own. It imports only the standard
library at the top: the chart worker process imports this main module again
(multiprocessing's spawn does), and should weigh what it weighs under `python -m bot`.
Prints "ready", serves until its stdin closes, then prints its report as JSON. SHARD_COUNT and
SHARD_IDS in the environment make it one shard process of several (`benchmarks.backends`).
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any


class _GcClock:
    """Time the bot spends in the garbage collector (gc.callbacks), and its longest pause."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.longest = 0.0
        self.full = 0
        self._started = 0.0

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        spent = time.perf_counter() - self._started
        self.seconds += spent
        self.longest = max(self.longest, spent)
        self.full += info["generation"] == 2


async def _serve(port: int, db_path: Path | str, work_dir: Path) -> dict[str, Any]:
    import gc
    import logging
    from collections import Counter

    from bot import discord_internals
    from tests.discord_double.harness import db_settings, point_discord_py_at, running_bot

    try:
        from db.queries.cache import STATS as lookups
    except ImportError:  # a version of the bot before the query caches
        lookups = {}

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    where = SimpleNamespace(base=f"http://127.0.0.1:{port}/api/v10", gateway_url=f"ws://127.0.0.1:{port}/gateway")
    point_discord_py_at(where, SimpleNamespace(setattr=setattr))
    clock = _GcClock()
    gc.callbacks.append(clock)
    loop = asyncio.get_running_loop()
    async with running_bot(where, db_settings(db_path, work_dir)) as running:  # type: ignore[arg-type]
        ready_rss = _rss_mb()
        print("ready", flush=True)
        await loop.run_in_executor(None, sys.stdin.read)  # until the driver closes our stdin
        unhandled = [r for r in running.errors.records if r.exc_info]
        views = discord_internals.view_count(running.bot) // 3  # three buttons a view
        end_rss = _rss_mb()
        try:
            from bot.render.chart import DRAWER
            chart_rss = max((_rss_mb(f"/proc/{pid}/status", "VmHWM:") for pid in DRAWER.worker_pids()), default=0.0)
        except ImportError:  # versions that drew charts in the bot's own process
            chart_rss = 0.0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    hits = sum(n for (_, found), n in lookups.items() if found)
    misses = sum(n for (_, found), n in lookups.items() if not found)
    return {
        "peak_rss_mb": _rss_mb(field="VmHWM:"),
        "ready_rss_mb": ready_rss,
        "end_rss_mb": end_rss,
        "chart_worker_peak_rss_mb": chart_rss,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "unhandled_errors": len(unhandled),
        "gc_s": clock.seconds,
        "gc_longest_ms": clock.longest * 1000,
        "gc_full": clock.full,
        "cache_hits": hits,
        "cache_misses": misses,
        "cache_misses_by_kind": dict(Counter({kind: n for (kind, found), n in lookups.items() if not found}).most_common()),
        "page_views": views,
    }


def _rss_mb(status: str = "/proc/self/status", field: str = "VmRSS:") -> float:
    try:
        for line in open(status, encoding="ascii"):
            if line.startswith(field):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def main(argv: list[str]) -> None:
    if len(argv) == 3:
        database = argv[1] if "://" in argv[1] else Path(argv[1])
        report = asyncio.run(_serve(int(argv[0]), database, Path(argv[2])))
        print(json.dumps(report), flush=True)
        return
    raise SystemExit("usage: python -m benchmarks.e2e_bot PORT DB_PATH WORK_DIR (started by python -m benchmarks)")


if __name__ == "__main__":
    main(sys.argv[1:])
