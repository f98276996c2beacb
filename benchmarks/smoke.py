"""A seconds-long check of the benchmark machinery: `python -m benchmarks.smoke [FOLDER]`.

Builds a tiny synthetic store, then runs every measured command once computed
from the database and once from the caches, and compares each answer with its
raw-SQL floor. Prints a JSON report; exits non-zero when anything differs or is
empty. tests/test_benchmarks_smoke.py runs it in a subprocess.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

from benchmarks import floor, synthetic
from benchmarks.commands import Env, build_cases
from db.ask import prepare as prepare_ask
from benchmarks.measure import forget_answers, run_handler

SPEC = synthetic.Spec(dialogues=20, themes=45, positions=1_500, statements=300, passages=400, seed=11)


async def check(folder: Path) -> dict:
    db_path = folder / "smoke.sqlite3"
    built = await synthetic.build(db_path, SPEC)
    report: dict = {"spec": asdict(SPEC), "counts": asdict(built.counts), "cases": {}, "problems": []}
    try:
        report["every_meeting_detailed"] = built.store.detailed_years == built.store.years
        env = Env(built.store, floor.connect(str(db_path)))
        await prepare_ask(built.store)
        for case in build_cases(env, 2):
            if case.floor is None or case.project is None:
                continue
            checked = 0
            for args in case.args:
                for cached in (False, True):  # computed from the database, then answered from the caches
                    if not cached:
                        await forget_answers(env)
                    result, reply, _, _ = await run_handler(env, case, args)
                    answer = case.floor(env.conn, args)
                    if not answer:
                        report["problems"].append(f"{case.name} {args}: the floor's answer is empty")
                    elif case.project(result) != answer:
                        report["problems"].append(f"{case.name} {args} (cached: {cached}): differs from the floor")
                    if not reply.pages or not (reply.first or case.group == "reference"):
                        report["problems"].append(f"{case.name} {args}: no reply")
                    checked += 1
            report["cases"][case.name] = checked
        env.conn.close()
    finally:
        await built.store.close()
    return report


def main(argv: list[str]) -> int:
    if argv:
        report = asyncio.run(check(Path(argv[0])))
    else:
        with tempfile.TemporaryDirectory(prefix="rtop-smoke-") as folder:
            report = asyncio.run(check(Path(folder)))
    print(json.dumps(report))
    return 1 if report["problems"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
