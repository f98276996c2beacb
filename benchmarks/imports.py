"""The import of admin records at 1,000, 2,000 and 5,000 rows: `python -m benchmarks.imports [--quick]`.

Each row is a new organisation with one alias (the case that grew quadratically).
Every run starts from a fresh copy of the seeded store and times the dry run
(`Transfer.plan`) and the apply that follows (`Transfer.apply`, as Confirm does).
Reports medians over the runs, and the cost per row at each size against the
smallest (1.0 = linear). One more run at each size has another admin add a theme
every 50 ms meanwhile: the longest of those writes is how long a write waited
behind the import (and the import's time beside it, sharing the process).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from db.admin.service import Admin, ChangeAuthor
from db.admin.transfer import FORMAT, VERSION, Transfer
from db.store import open_store

SIZES = (1_000, 2_000, 5_000)
QUICK_SIZES = (100, 200, 500)
TARGET_S = 10.0  # dry run + apply of 5,000 rows
TARGET_WAIT_S = 1.0
EDITOR = ChangeAuthor(user_id=1, user_name="benchmark", guild_id=1)


def payload(rows: int) -> bytes:
    actors = [{"name": f"Imported Org {i}", "kind": "civil_society", "iso3": None, "aliases": [f"Imported alias {i}"]}
              for i in range(rows)]
    return json.dumps({"format": FORMAT, "version": VERSION, "records": {"actor": actors},
                       "removed_seed_records": []}).encode()


@dataclass
class ImportRun:
    rows: int
    dry_s: float
    apply_s: float
    cpu_s: float
    max_wait_s: float
    writes: int

    @property
    def total_s(self) -> float:
        return self.dry_s + self.apply_s


@dataclass
class ImportResult:
    rows: int
    runs: list[ImportRun]
    busy: ImportRun  # with another admin writing meanwhile

    def median(self, name: str) -> float:
        return statistics.median(getattr(r, name) for r in self.runs)

    @property
    def ms_per_row(self) -> float:
        return self.median("total_s") * 1000 / self.rows


async def _template(work: Path) -> Path:
    path = work / "import-template.sqlite3"
    store = await open_store(f"sqlite+aiosqlite:///{path}")
    await store.close()
    return path


async def _one(template: Path, work: Path, rows: int, run: int, *, others: bool = False) -> ImportRun:
    path = work / f"import-{rows}-{run}.sqlite3"
    shutil.copy(template, path)
    store = await open_store(f"sqlite+aiosqlite:///{path}")
    admin, transfer, data = Admin(store), Transfer(store), payload(rows)
    waits: list[float] = []
    stop = asyncio.Event()

    async def other_admin() -> None:
        while not stop.is_set():
            began = time.perf_counter()
            await admin.add("theme", {"slug": f"meanwhile-{len(waits)}", "name": f"Meanwhile {len(waits)}",
                                      "description": "A theme added while the import runs."}, EDITOR)
            waits.append(time.perf_counter() - began)
            await asyncio.sleep(0.05)

    writer = asyncio.create_task(other_admin() if others else stop.wait())
    try:
        cpu, began = time.process_time(), time.perf_counter()
        plan = await transfer.plan(data, EDITOR)
        checked = time.perf_counter()
        applied = await transfer.apply(data, EDITOR)
        done = time.perf_counter()
        cpu = time.process_time() - cpu
    finally:
        stop.set()
        await writer
        await store.close()
        path.unlink(missing_ok=True)
    if not (plan.ok and applied.ok and applied.count("add") == rows):
        raise RuntimeError(f"the {rows}-row import did not apply: {plan.problem or plan.errors[:1]}")
    return ImportRun(rows, checked - began, done - checked, cpu, max(waits, default=0.0), len(waits))


async def measure(work: Path, sizes: tuple[int, ...] = SIZES, runs: int = 3) -> list[ImportResult]:
    template = await _template(work)
    results = []
    for rows in sizes:
        alone = [await _one(template, work, rows, run) for run in range(runs)]
        results.append(ImportResult(rows, alone, await _one(template, work, rows, runs, others=True)))
    return results


def markdown(results: list[ImportResult]) -> list[str]:
    runs = len(results[0].runs) if results else 0
    out = ["## Import of admin records", "",
           f"One new organisation with one alias per row; a fresh copy of the seeded store each run. Medians of {runs} "
           "runs, in seconds; **per row** = (dry run + apply) / rows in ms; **×linear** = per row against the smallest "
           "size (1.0 = linear). **With another admin**: one more run while another admin adds a theme every 50 ms "
           "in the same process; **longest wait** = the slowest of those writes.", "",
           "| rows | dry run | apply | dry run + apply | CPU | per row | ×linear | with another admin: dry run + apply "
           "| longest wait | their writes |",
           "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    base = results[0].ms_per_row if results else 1.0
    for r in results:
        out.append(f"| {r.rows:,} | {r.median('dry_s'):.2f} | {r.median('apply_s'):.2f} | {r.median('total_s'):.2f} | "
                   f"{r.median('cpu_s'):.2f} | {r.ms_per_row:.2f} | {r.ms_per_row / base:.2f} | "
                   f"{r.busy.total_s:.2f} | {r.busy.max_wait_s:.2f} | {r.busy.writes} |")
    if results and results[-1].rows == SIZES[-1]:
        last = results[-1]
        longest = max(r.busy.max_wait_s for r in results)
        ok = last.median("total_s") <= TARGET_S and longest <= TARGET_WAIT_S
        out += ["", f"Target: {SIZES[-1]:,} rows within {TARGET_S:.0f} s (dry run + apply), no write waiting over "
                    f"{TARGET_WAIT_S:.0f} s: {'met' if ok else 'missed'} ({last.median('total_s'):.1f} s, longest wait "
                    f"{longest:.2f} s)."]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.imports", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"sizes {QUICK_SIZES}, one run each")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="rtop-import-bench-"))
    try:
        sizes, runs = (QUICK_SIZES, 1) if args.quick else (SIZES, args.runs)
        print("\n".join(markdown(asyncio.run(measure(work, sizes, runs)))))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
