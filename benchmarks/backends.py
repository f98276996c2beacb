"""The end-to-end benchmark on each store: `python -m benchmarks.backends [--rounds 3] [--postgres URL]`.

Seed scale, the same crowd (`benchmarks.e2e`: 50 simulated people through the real
client and the local Discord double) against three deployments, each round with freshly
started bot processes:

* SQLite, one process (what `python -m benchmarks` measures);
* PostgreSQL, one process;
* PostgreSQL, two shard processes (SHARD_COUNT=2, SHARD_IDS 0 and 1), a server on each
  shard and the people spread over both.

Prints, and writes into `benchmarks/results.md` between the markers below (`--out` for
another file), the median round of each: capacity (closed loop), p99 at the paced rate,
missed 3-second deadlines, and each median's ratio to SQLite's.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shutil
import statistics
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy.engine import make_url

from benchmarks import e2e, floor
from benchmarks.commands import Case, Env, build_cases

DEFAULT_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
DEFAULT_OUT = Path(__file__).resolve().parent / "results.md"
LOAD: list[float] = []  # the machine's 1-minute load average as the rounds began and ended
BEGIN, END = "<!-- backends: python -m benchmarks.backends -->", "<!-- /backends -->"


@dataclass
class Deployment:
    label: str
    database: str  # "sqlite" or "postgresql"
    shards: int
    rounds: list[e2e.E2EResult] = field(default_factory=list)

    def median(self, what: str) -> float:
        values = {
            "rate": [r.capacity.rate for r in self.rounds],
            "p99": [s.p99 if (s := r.paced.stats("done")) else float("nan") for r in self.rounds],
            "p50": [s.p50 if (s := r.paced.stats("done")) else float("nan") for r in self.rounds],
            "paced_rate": [r.paced.rate for r in self.rounds],
        }[what]
        return statistics.median(values)

    @property
    def missed(self) -> int:
        return sum(r.capacity.missed + r.paced.missed for r in self.rounds)

    @property
    def interactions(self) -> int:
        return sum(len(r.capacity.samples) + len(r.paced.samples) for r in self.rounds)

    @property
    def unhandled(self) -> int:
        return sum(r.unhandled_errors for r in self.rounds)


async def _crowd_cases(sqlite_path: Path, work: Path, runs: int) -> list[Case]:
    """The crowd's commands and arguments, sampled from the seed store as `python -m benchmarks` samples them."""
    from bot.client import BriefingBot
    from bot.config import Settings
    from bot.console import Console
    from db.ask import prepare as prepare_ask
    from db.store import open_store

    store = await open_store(f"sqlite+aiosqlite:///{sqlite_path}")
    settings = Settings(database_url=f"sqlite+aiosqlite:///{sqlite_path}", console_output_dir=work / "out", _env_file=None)
    console = Console(BriefingBot(settings), settings.console_output_dir)
    await console.start()
    env = Env(store, floor.connect(str(sqlite_path)), console.bot.tree)
    try:
        await prepare_ask(store)
        return build_cases(env, runs)
    finally:
        env.conn.close()
        await console.close()
        await store.close()


async def _postgres_database(server_url: str) -> str:
    """A new database on the server, migrated and seeded; its URL."""
    import asyncpg

    from db.store import open_store

    url = make_url(server_url)
    name = f"rtop_bench_{os.getpid()}"
    conn = await asyncpg.connect(user=url.username, password=url.password, host=url.host or "127.0.0.1",
                                 port=url.port or 5432, database=url.database or "postgres")
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    database = url.set(database=name).render_as_string(hide_password=False)
    store = await open_store(database)
    await store.close()
    return database


async def _drop_postgres_database(database: str) -> None:
    import asyncpg

    url = make_url(database)
    conn = await asyncpg.connect(user=url.username, password=url.password, host=url.host or "127.0.0.1",
                                 port=url.port or 5432, database="postgres")
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
    finally:
        await conn.close()


async def measure(args: argparse.Namespace, work: Path) -> list[Deployment]:
    from db.store import open_store

    sqlite_path = work / "seed.sqlite3"
    store = await open_store(f"sqlite+aiosqlite:///{sqlite_path}")
    await store.close()
    cases = await _crowd_cases(sqlite_path, work, args.runs)
    postgres = await _postgres_database(args.postgres)
    LOAD.append(os.getloadavg()[0])
    deployments = [Deployment("SQLite, 1 process", "sqlite", 1), Deployment("PostgreSQL, 1 process", "postgresql", 1),
                   Deployment("PostgreSQL, 2 shard processes", "postgresql", 2)]
    try:
        for number in range(1, args.rounds + 1):
            for d in deployments:  # interleaved, so a busy moment of the machine does not fall on one deployment
                print(f"round {number} of {args.rounds}: {d.label} …", file=sys.stderr, flush=True)
                database: Path | str = sqlite_path if d.database == "sqlite" else postgres
                result = await e2e.run(database, cases, capacity_seconds=args.seconds, paced_seconds=args.seconds,
                                       rate=args.rate, cap=20_000, work_dir=work, shards=d.shards)
                d.rounds.append(result)
                paced = result.paced.stats("done")
                print(f"  capacity {result.capacity.rate:.0f}/s; paced {result.paced.rate:.0f}/s, p99 "
                      f"{paced.p99 if paced else float('nan'):.0f} ms; missed "
                      f"{result.capacity.missed + result.paced.missed}", file=sys.stderr, flush=True)
    finally:
        LOAD.append(os.getloadavg()[0])
        await _drop_postgres_database(postgres)
    return deployments


def markdown(deployments: list[Deployment], args: argparse.Namespace, started: datetime) -> str:
    base = deployments[0]
    cores = os.cpu_count()
    lines = [
        BEGIN,
        "## End to end on each store",
        "",
        f"`python -m benchmarks.backends --rounds {args.rounds} --seconds {args.seconds:g} --rate {args.rate:g}`, "
        f"{started:%Y-%m-%d %H:%M} UTC, on {cores} cores ({platform.processor() or platform.machine()}), Python "
        f"{platform.python_version()}; the store at seed scale, PostgreSQL 15 on the same machine (127.0.0.1). "
        "The crowd of `benchmarks.e2e` (50 people, the same commands and arguments) against each deployment, "
        f"{args.rounds} rounds, each with freshly started bot processes, the deployments taking turns within a "
        "round. The figures are the median round's; the ratio is to SQLite's median. Driver, double and bot "
        "processes share the cores (with two shard processes, three Python processes and the database on "
        f"{cores} cores), so the machine, not the store, bounds capacity here. The machine's load average (1 minute) "
        f"was {' at the start, '.join(f'{x:.1f}' for x in LOAD)} at the end"
        + (f" ({cores} cores: other work was running too)." if max(LOAD, default=0) > (cores or 1) else "."),
        "",
        "| deployment | capacity (closed loop) | × SQLite | p50 at the paced rate | p99 at the paced rate | × SQLite "
        "| paced rate reached | missed 3-s deadlines (all rounds) | unhandled errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for d in deployments:
        lines.append(
            f"| {d.label} | {d.median('rate'):.0f}/s | {d.median('rate') / base.median('rate'):.2f} "
            f"| {d.median('p50'):.0f} ms | {d.median('p99'):.0f} ms | {d.median('p99') / base.median('p99'):.2f} "
            f"| {d.median('paced_rate'):.0f}/s of {args.rate:.0f}/s | {d.missed} of {d.interactions:,} | {d.unhandled} |"
        )
    lines += ["", "Rounds (capacity /s; paced p99 ms):", ""]
    for d in deployments:
        rounds = "; ".join(
            f"{r.capacity.rate:.0f}/s, {s.p99 if (s := r.paced.stats('done')) else float('nan'):.0f} ms" for r in d.rounds
        )
        lines.append(f"* {d.label}: {rounds}")
    lines += ["", END]
    return "\n".join(lines) + "\n"


def write_section(out: Path, section: str) -> None:
    """Replaces the section between the markers in `out`, or appends it."""
    text = out.read_text(encoding="utf-8") if out.exists() else ""
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        text = head + section.rstrip("\n") + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section
    out.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.backends", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=10.0, help="each phase (capacity, paced) of a round")
    parser.add_argument("--rate", type=float, default=200.0, help="interactions per second offered in the paced phase")
    parser.add_argument("--runs", type=int, default=50, help="arguments sampled per command")
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL") or DEFAULT_POSTGRES,
                        help="a PostgreSQL server's URL (a database of its own is created there and dropped after)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--work", type=Path, help="where to keep the store and the bots' log (default: a temporary folder)")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="rtop-backends-"))
    work.mkdir(parents=True, exist_ok=True)
    started = datetime.now(timezone.utc)
    try:
        deployments = asyncio.run(measure(args, work))
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    section = markdown(deployments, args, started)
    print(section)
    write_section(args.out, section)
    print(f"written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
