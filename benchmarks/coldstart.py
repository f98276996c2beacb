"""Cold start to ready, in a fresh process: imports, migrate, seed, name indexes, cogs, one answer.

`python -m benchmarks.coldstart DB_PATH WORK_DIR` starts the bot as the offline
console starts it (`BriefingBot.setup_hook`: `open_store` migrates and seeds,
loads the name indexes, then every cog is loaded), answers `/sources` to prove
it is ready, and prints its timings and peak resident memory as JSON. The
driver (`run`) times the whole process from spawn to that line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.measure import peak_rss_mb, percentile


@dataclass
class ColdStart:
    label: str
    runs: int
    wall_p50: float  # seconds, process spawn to the first answer
    wall_max: float
    open_p50: float  # seconds inside the process: migrate + seed + indexes + cogs
    import_p50: float
    peak_rss_mb: float  # the largest over the runs
    seeded: bool


def _child(db_path: Path, work_dir: Path) -> None:
    started = time.perf_counter()
    import asyncio

    from bot.client import BriefingBot
    from bot.config import Settings
    from bot.console import Console

    imported = time.perf_counter()

    async def start() -> dict:
        settings = Settings(database_url=f"sqlite+aiosqlite:///{db_path}", console_output_dir=work_dir / "out",
                            _env_file=None)
        console = Console(BriefingBot(settings), settings.console_output_dir)
        t0 = time.perf_counter()
        await console.start()
        opened = time.perf_counter() - t0
        outcome = await console.run("/sources", turn_pages=False)
        ready_at = time.time()
        seeded = console.bot.store.seed_report is not None and not console.bot.store.seed_report.skipped
        await console.close()
        return {"open_s": opened, "answered": not outcome.error, "seeded": seeded, "ready_at": ready_at}

    report = asyncio.run(start())
    report["import_s"] = imported - started
    report["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(report), flush=True)


def run(label: str, prepare, runs: int, work_dir: Path) -> ColdStart:  # type: ignore[no-untyped-def]
    """`prepare()` returns the database path to start on (a fresh copy, or a new empty path) for each run."""
    walls, opens, imports, rss, seeded = [], [], [], [], False
    root = Path(__file__).resolve().parent.parent
    for _ in range(runs):
        db_path = prepare()
        spawned_at = time.time()
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks.coldstart", str(db_path), str(work_dir)],
            capture_output=True, text=True, cwd=root, env={**os.environ, "PYTHONUNBUFFERED": "1"}, timeout=600,
        )
        if done.returncode != 0:
            raise RuntimeError(f"cold start failed: {done.stderr[-2000:]}")
        report = json.loads(done.stdout.strip().splitlines()[-1])
        walls.append(report["ready_at"] - spawned_at)
        if not report["answered"]:
            raise RuntimeError("cold start: /sources answered with an error")
        opens.append(report["open_s"])
        imports.append(report["import_s"])
        rss.append(report["peak_rss_mb"])
        seeded = seeded or report["seeded"]
    return ColdStart(label, runs, percentile(walls, 50), max(walls), percentile(opens, 50), percentile(imports, 50),
                     max(rss), seeded)


if __name__ == "__main__":
    _child(Path(sys.argv[1]), Path(sys.argv[2]))
