"""End to end: the real bot, a separate process, against the local Discord double on 127.0.0.1.

The double (`tests/discord_double`, imported, not copied) runs in this process
together with the simulated people; the bot runs in a child process started
exactly as the end-to-end tests start it (`tests.discord_double.harness.running_bot`:
the real discord.py client, gateway websocket and REST over sockets, commands
synced), so the bot has its own interpreter and core, as it would in production
where Discord is somewhere else.

Two phases, both bounded in time and count:

* capacity — 50 users in a closed loop with no pause between interactions:
  the most interactions per second the bot sustains;
* paced — interactions arriving at a fixed rate (200/s by default; Poisson
  arrivals, open loop, so slow answers do not slow the arrivals) from the same
  50 users: the latency people see at that load, and missed 3-second deadlines.

The mix is what people do in a server: mostly typing into autocomplete and
read commands, some paging through long answers, the odd chart.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import resource
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.commands import Case
from benchmarks.measure import Stats
from tests.discord_double.server import INTERACTION_DEADLINE, DiscordDouble, User

USERS = 50
ANSWER_TIMEOUT = 10.0
# People read a page before they press Next. (Pressed within milliseconds of the answer, a button
# can reach the bot before discord.py has registered its view, and Discord's click goes unanswered.)
READING_SECONDS = 0.5

# (case name from benchmarks.commands, weight): what people do, roughly how often
MIX = [
    ("autocomplete state:", 14), ("autocomplete theme:", 10), ("autocomplete year:", 4),
    ("dialogue list", 4), ("dialogue show year:", 7), ("theme list", 4), ("theme list dialogue:", 5),
    ("theme states theme:", 7), ("theme states theme: dialogue:", 7), ("state profile state:", 9),
    ("pillar explain pillar:", 2), ("sources", 2), ("help", 2),
    ("ask question: (how many raised a theme in a year)", 3), ("ask question: (who spoke for)", 2),
    ("ask question: (what a state said in a year)", 3), ("ask question: (the year's report)", 2),
    ("ask question: (free text: passage search)", 3), ("next page", 6), ("theme chart dialogue:", 1),
]


def interaction_for(case: Case, args: dict[str, Any]) -> tuple[str, str, dict[str, Any], str | None]:
    """(kind, command path, option values, focused option) as the double takes them."""
    name = case.name
    if name == "autocomplete state:":
        return "autocomplete", "state profile", {"state": args["typed"]}, "state"
    if name == "autocomplete theme:":
        return "autocomplete", "theme states", {"theme": args["typed"]}, "theme"
    if name.startswith(("autocomplete year", "autocomplete dialogue")):
        return "autocomplete", "dialogue show", {"year": args["typed"]}, "year"
    if name.startswith("ask question"):
        return "command", "ask", {"question": args["question"]}, None
    table = {
        "dialogue list": ("dialogue list", {}),
        "dialogue show year:": ("dialogue show", {"year": args.get("year")}),
        "theme list": ("theme list", {}),
        "theme list dialogue:": ("theme list", {"dialogue": args.get("year")}),
        "theme states theme:": ("theme states", {"theme": args.get("slug")}),
        "theme states theme: dialogue:": ("theme states", {"theme": args.get("slug"), "dialogue": args.get("year")}),
        "state profile state:": ("state profile", {"state": args.get("name")}),
        "pillar explain pillar:": ("pillar explain", {"pillar": args.get("pillar")}),
        "sources": ("sources", {}),
        "help": ("help", {}),
        "theme chart dialogue:": ("theme chart", {"dialogue": args.get("year")}),
    }
    path, values = table[name]
    return "command", path, values, None


@dataclass
class Sample:
    action: str
    ack: float | None  # seconds from the interaction to the bot's first callback (Discord's deadline)
    done: float | None  # seconds until the person sees the answer (after "thinking…" for deferred ones)
    late: bool
    failed: str = ""


@dataclass
class Phase:
    name: str
    seconds: float
    samples: list[Sample] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return len(self.samples) / self.seconds if self.seconds else 0.0

    def stats(self, what: str = "done") -> Stats | None:
        values = [getattr(s, what) * 1000 for s in self.samples if getattr(s, what) is not None]
        return Stats.of(values)

    @property
    def missed(self) -> int:
        return sum(1 for s in self.samples if s.late or s.ack is None)

    @property
    def failures(self) -> int:
        return sum(1 for s in self.samples if s.failed)


@dataclass
class E2EResult:
    capacity: Phase
    paced: Phase
    target_rate: float
    users: int
    bot_peak_rss_mb: float
    bot_cpu_s: float
    driver_cpu_s: float
    unhandled_errors: int
    rejections: int
    refused: list[str] = field(default_factory=list)  # a few of the double's refusals, for the log
    bot: dict[str, Any] = field(default_factory=dict)  # the bot's own report: memory, GC, cache hits, live page views


class Crowd:
    """Fifty people, each with their own last long answer to page through, in the double's servers in turn."""

    def __init__(self, double: DiscordDouble, cases: dict[str, Case], seed: int = 11) -> None:
        self.double = double
        self.cases = cases
        self.rng = random.Random(seed)
        self.users = [User(id=9000 + i, name=f"campaigner-{i}") for i in range(USERS)]
        servers = list(double.guilds.values())
        self.channel = {u.id: servers[i % len(servers)][0] for i, u in enumerate(self.users)}  # each person's server
        self.pages: dict[int, tuple[Any, float]] = {}  # user -> (their last long answer, when they saw it)
        names = [n for n, _ in MIX if n == "next page" or n in cases]
        self.actions = names
        self.weights = [w for n, w in MIX if n in names]

    def pick(self) -> str:
        return self.rng.choices(self.actions, self.weights)[0]

    async def act(self, user: User, action: str) -> Sample:
        double = self.double
        try:
            if action == "next page":
                seen = self.pages.get(user.id)
                if seen is None or time.monotonic() - seen[1] < READING_SECONDS:
                    action = "autocomplete state:"  # nothing to page through yet: type into an option instead
                else:
                    del self.pages[user.id]
                    record = await double.click(user, seen[0], "Next")
                    return await self._outcome(action, record, user)
            case = self.cases[action]
            args = self.rng.choice(case.args)
            kind, path, values, focused = interaction_for(case, args)
            if kind == "autocomplete":
                record = await double.autocomplete(user, path, values, focused,  # type: ignore[arg-type]
                                                   channel_id=self.channel[user.id])
            else:
                record = await double.invoke(user, path, values, channel_id=self.channel[user.id])
            return await self._outcome(action, record, user)
        except Exception as error:  # noqa: BLE001 - a benchmark records failures and carries on
            return Sample(action, None, None, True, f"{type(error).__name__}: {error}")

    async def _outcome(self, action: str, record: Any, user: User) -> Sample:
        try:
            await record.answered(timeout=ANSWER_TIMEOUT)
        except asyncio.TimeoutError:
            return Sample(action, record.latency, None, True, "no answer")
        done = time.monotonic() - record.created
        late = record.latency is None or record.latency >= INTERACTION_DEADLINE or bool(record.rejected)
        final = record.final
        if final is not None and any(
            "Next" in (c.get("label") or "") and not c.get("disabled")
            for row in final.data.get("components") or [] for c in row.get("components") or []
        ):
            self.pages[user.id] = (final, time.monotonic())
        failed = "rejected" if record.rejected else ""
        return Sample(action, record.latency, done, late, failed)

    async def closed_loop(self, seconds: float, cap: int) -> Phase:
        phase = Phase("capacity", 0.0)
        end = time.monotonic() + seconds

        async def person(user: User) -> None:
            while time.monotonic() < end and len(phase.samples) < cap:
                phase.samples.append(await self.act(user, self.pick()))

        started = time.monotonic()
        await asyncio.gather(*(person(u) for u in self.users))
        phase.seconds = time.monotonic() - started
        return phase

    async def paced(self, rate: float, seconds: float, cap: int) -> Phase:
        phase = Phase("paced", 0.0)
        tasks: set[asyncio.Task] = set()
        started = time.monotonic()
        due = started
        sent = 0
        while sent < cap and due - started < seconds:
            due += self.rng.expovariate(rate)
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            user = self.rng.choice(self.users)
            task = asyncio.create_task(self.act(user, self.pick()))
            task.add_done_callback(lambda t: phase.samples.append(t.result()))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            sent += 1
        issued = time.monotonic() - started
        if tasks:
            await asyncio.wait(tasks, timeout=ANSWER_TIMEOUT + 5)
        phase.seconds = issued
        return phase


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def shard_servers(shards: int) -> dict[int, tuple[int, ...]]:
    """One server per shard (server id 777 moved onto shard n), three channels each; one shard: the double's default."""
    return {(n << 22) | 777: tuple(1001 + 1000 * n + c for c in range(3)) for n in range(shards)}


async def run(db_path: Path | str, cases: list[Case], *, capacity_seconds: float, paced_seconds: float,
              rate: float, cap: int, work_dir: Path, shards: int = 1) -> E2EResult:
    """One round. `db_path` is a SQLite file or a database URL; `shards` > 1 runs that many bot processes,
    SHARD_COUNT=shards and one SHARD_IDS each, with a server on every shard and the people spread over them."""
    double = DiscordDouble(guilds=shard_servers(shards)) if shards > 1 else DiscordDouble()
    await double.start()
    log_path = work_dir / "e2e-bot.log"
    log = log_path.open("w")
    children = []
    for shard in range(shards):
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        if shards > 1:
            env.update(SHARD_COUNT=str(shards), SHARD_IDS=str(shard))
        children.append(subprocess.Popen(
            [sys.executable, "-m", "benchmarks.e2e_bot", str(double.port), str(db_path), str(work_dir)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True,
            cwd=Path(__file__).resolve().parent.parent, env=env,
        ))
    loop = asyncio.get_running_loop()
    try:
        for child in children:
            line = await asyncio.wait_for(loop.run_in_executor(None, child.stdout.readline), 120)  # type: ignore[union-attr]
            if line.strip() != "ready":
                raise RuntimeError(f"the bot did not start: {line!r}; see {log_path}")
        crowd = Crowd(double, {c.name: c for c in cases})
        for user in crowd.users[:len(double.guilds)]:  # warm up every path once in every server (shard)
            for action in crowd.actions:
                await crowd.act(user, action)
        cpu0 = _cpu_seconds()
        capacity = await crowd.closed_loop(capacity_seconds, cap)
        await asyncio.sleep(0.5)
        paced = await crowd.paced(rate, paced_seconds, cap)
        driver_cpu = _cpu_seconds() - cpu0
    finally:
        reports = []
        for child in children:
            child.stdin.close()  # type: ignore[union-attr]
            report_line = await loop.run_in_executor(None, child.stdout.read)  # type: ignore[union-attr]
            child.wait(30)
            reports.append(json.loads(report_line.strip().splitlines()[-1]) if report_line.strip() else {})
        log.close()
        await double.stop()
    report = reports[0] if len(reports) == 1 else _combined(reports)
    return E2EResult(
        capacity=capacity, paced=paced, target_rate=rate, users=USERS,
        bot_peak_rss_mb=report.get("peak_rss_mb", float("nan")), bot_cpu_s=report.get("cpu_s", float("nan")),
        driver_cpu_s=driver_cpu, unhandled_errors=report.get("unhandled_errors", -1),
        rejections=len(double.rejections),
        refused=[f"{r.get('path')}: {str(r.get('errors'))[:200]}" for r in double.rejections[:5]],
        bot=report,
    )


def _combined(reports: list[dict[str, Any]]) -> dict[str, Any]:
    """The shard processes' reports as one: the highest peak memory, CPU and errors summed."""
    return {
        "peak_rss_mb": max(r.get("peak_rss_mb", float("nan")) for r in reports),
        "cpu_s": sum(r.get("cpu_s", float("nan")) for r in reports),
        "unhandled_errors": sum(r.get("unhandled_errors", 0) for r in reports) if all(reports) else -1,
        "processes": reports,
    }
