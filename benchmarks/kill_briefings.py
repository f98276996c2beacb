"""Kill experiment for scheduled briefings: `python -m benchmarks.kill_briefings [--schedules 300] [--kills 20]`.

Many schedules, one per channel, fall due within a minute; Discord (the local
double) is slow to answer posts and sometimes answers 500 after storing one. The
bot runs as a process of its own and is killed with SIGKILL at random moments,
then started again, `--kills` times; a last start runs until nothing is due or
claimed. Then it counts, from the store and the double's channels: runs left
claimed, runs posted twice, runs never posted, and schedules whose rotation
moved on a different number of times than they posted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIRST_CHANNEL = 2001


async def _child(port: int, db_path: Path, work_dir: Path) -> None:
    """The bot, started as `python -m bot` starts it, pointed at the double on `port`; polls twice a second."""
    import logging
    from types import SimpleNamespace

    from tests.discord_double.harness import db_settings, point_discord_py_at, running_bot

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    where = SimpleNamespace(base=f"http://127.0.0.1:{port}/api/v10", gateway_url=f"ws://127.0.0.1:{port}/gateway")
    point_discord_py_at(where, SimpleNamespace(setattr=setattr))
    async with running_bot(where, db_settings(db_path, work_dir), sync=False) as running:  # type: ignore[arg-type]
        assert running.bot.scheduler is not None
        running.bot.scheduler.poll_seconds = 0.5
        print("ready", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until stdin closes


async def _store(work_dir: Path, schedules: int, spread: float) -> Path:
    """A seeded store with `schedules` daily schedules, one per channel, due within `spread` seconds from now."""
    from db.briefing_models import Cadence, ContentKind
    from db.briefings import Timing, create_schedule
    from db.store import open_store

    db_path = work_dir / "kill.sqlite3"
    kinds = [ContentKind.pillar, ContentKind.dialogue, ContentKind.theme, ContentKind.state]

    store = await open_store(f"sqlite+aiosqlite:///{db_path}")
    for n in range(schedules):
        await store.write(None, create_schedule, guild_id=777, channel_id=FIRST_CHANNEL + n,
                          timing=Timing(Cadence.daily, 9, 0, "UTC"), content=kinds[n % len(kinds)],
                          created_by=1, created_by_name="experiment", now=datetime.now(UTC))
    await store.close()
    start = datetime.now(UTC) + timedelta(seconds=8)
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute("SELECT id FROM briefing_schedules").fetchall()
        for (sid,) in rows:
            due = start + timedelta(seconds=random.uniform(0, spread))
            conn.execute("UPDATE briefing_schedules SET next_run_at = ? WHERE id = ?",
                         (due.strftime("%Y-%m-%d %H:%M:%S.%f"), sid))
    return db_path


async def _experiment(schedules: int, kills: int, spread: float, work_dir: Path) -> dict[str, int]:
    from tests.discord_double.server import DiscordDouble

    db_path = await _store(work_dir, schedules, spread)
    double = DiscordDouble(channel_ids=tuple(range(FIRST_CHANNEL, FIRST_CHANNEL + schedules)))
    double.accept_delay = double.post_delay = 0.1  # a slow Discord: a kill can come before or after it stores a post
    await double.start()
    log = (work_dir / "bot.log").open("w")
    loop = asyncio.get_running_loop()

    def start_bot() -> subprocess.Popen[str]:
        child = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.kill_briefings", "--child", str(double.port), str(db_path), str(work_dir)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True, cwd=ROOT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        return child

    async def wait_ready(child: subprocess.Popen[str]) -> None:
        line = await asyncio.wait_for(loop.run_in_executor(None, child.stdout.readline), 120)  # type: ignore[union-attr]
        if line.strip() != "ready":
            raise RuntimeError(f"the bot did not start: {line!r}; see {work_dir / 'bot.log'}")

    try:
        for _ in range(kills):
            child = start_bot()
            await wait_ready(child)
            for _ in range(random.randint(0, 3)):  # 500 after storing: discord.py retries, the nonce dedupes
                double.fail_after_accepting += 1
            await asyncio.sleep(random.uniform(0.3, 2.5))
            child.send_signal(signal.SIGKILL)
            await loop.run_in_executor(None, child.wait)
            child.stdin.close()  # type: ignore[union-attr]
            child.stdout.close()  # type: ignore[union-attr]
        double.fail_after_accepting = 0
        child = start_bot()
        await wait_ready(child)
        deadline = time.monotonic() + spread + 120
        while time.monotonic() < deadline:
            await asyncio.sleep(0.5)
            with sqlite3.connect(db_path) as conn:
                claimed = conn.execute("SELECT count(*) FROM briefing_runs WHERE status = 'claimed'").fetchone()[0]
                pending = conn.execute("SELECT count(*) FROM briefing_schedules WHERE posts_count = 0 AND id NOT IN "
                                       "(SELECT schedule_id FROM briefing_runs WHERE status != 'claimed')").fetchone()[0]
            if claimed == 0 and pending == 0:
                break
        child.stdin.close()  # type: ignore[union-attr]
        await loop.run_in_executor(None, child.wait)
    finally:
        log.close()
        await double.stop()

    with sqlite3.connect(db_path) as conn:
        statuses = dict(conn.execute("SELECT status, count(*) FROM briefing_runs GROUP BY status").fetchall())
        schedules_rows = conn.execute("SELECT id, channel_id, posts_count FROM briefing_schedules").fetchall()
    posted_in = {}
    for message in double.messages.values():
        if message.via == "channel":
            posted_in[message.channel_id] = posted_in.get(message.channel_id, 0) + 1
    text = (work_dir / "bot.log").read_text()
    return {
        "schedules": schedules,
        "kills": kills,
        "runs": sum(statuses.values()),
        "runs posted": statuses.get("posted", 0),
        "runs left claimed": statuses.get("claimed", 0),
        "runs abandoned": statuses.get("abandoned", 0),
        "runs failed": statuses.get("failed", 0),
        "posted twice": sum(1 for _, channel, _ in schedules_rows if posted_in.get(channel, 0) > 1),
        "never posted": sum(1 for _, channel, _ in schedules_rows if posted_in.get(channel, 0) == 0),
        "rotation moved on a different number of times than posted": sum(
            1 for _, channel, count in schedules_rows if count != posted_in.get(channel, 0)),
        "orphans taken over": text.count("which has stopped; resolving it"),
        "orphans found already posted and recorded": text.count("had been posted (message"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.kill_briefings", description=__doc__.splitlines()[0])
    parser.add_argument("--schedules", type=int, default=300)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--spread", type=float, default=40.0, help="seconds over which the runs fall due")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--child", nargs=3, metavar=("PORT", "DB", "DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        asyncio.run(_child(int(args.child[0]), Path(args.child[1]), Path(args.child[2])))
        return 0
    random.seed(args.seed)
    work_dir = Path(tempfile.mkdtemp(prefix="kill-briefings-"))
    figures = asyncio.run(_experiment(args.schedules, args.kills, args.spread, work_dir))
    for name, value in figures.items():
        print(f"{name}: {value}")
    failed = figures["runs left claimed"] or figures["posted twice"] or figures["never posted"]
    if failed:
        print(f"the bot's log and store: {work_dir}")
    else:
        shutil.rmtree(work_dir, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
