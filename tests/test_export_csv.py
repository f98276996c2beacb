"""The positions CSV cannot run formulas in a spreadsheet, and every value reads back as it was recorded."""

from __future__ import annotations

import csv
import io
import json

import pytest

from db.admin.service import Admin, ChangeAuthor
from db.admin.transfer import FORMULA_STARTS, Transfer, csv_cell, read_csv_cell

ALICE = ChangeAuthor(user_id=11, user_name="alice", guild_id=99)
HOSTILE = ['=HYPERLINK("http://evil.example","x")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
           "\tTabbed summary", "\rCarriage summary", "'quoted already"]


@pytest.mark.parametrize("value", [*HOSTILE, "plain text", "", "a=b"])
def test_csv_cells_are_neutralised_and_read_back(value):
    cell = csv_cell(value)
    assert not cell.startswith(FORMULA_STARTS)
    assert read_csv_cell(cell) == value


async def test_exported_positions_csv_has_no_formula_cells(store):
    admin = Admin(store)
    org = "=Formula Org"
    await admin.add("actor", {"name": org, "kind": "civil_society"}, ALICE)
    key = await admin.ensure_source("@Evil source", "https://example.org/evil", ALICE)
    for n, summary in enumerate(HOSTILE):
        await admin.add("position", {"actor": org, "theme": "veto-restraint", "dialogue": 2014, "stance": "supports",
                                     "summary": f"{summary} {n}"[:300] if summary.strip() else f"summary {n}",
                                     "excerpt": f"-Excerpt number {n} of the statement.", "source": key}, ALICE)
    records, positions = await Transfer(store).export()
    rows = list(csv.reader(io.StringIO(positions)))
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS), row
    header, *body = rows
    ours = [dict(zip(header, map(read_csv_cell, r))) for r in body if read_csv_cell(r[1]) == org]
    assert len(ours) == len(HOSTILE)
    assert {r["excerpt"] for r in ours} == {f"-Excerpt number {n} of the statement." for n in range(len(HOSTILE))}
    # the JSON export keeps values as they are, and imports them back unchanged
    exported = json.loads(records)
    assert any(p["summary"].startswith("=HYPERLINK") for p in exported["records"]["position"])
    plan = await Transfer(store).plan(records.encode(), ALICE)
    assert plan.ok and plan.count("unchanged") == len(HOSTILE) + 2


async def test_the_positions_csv_keeps_unnamed_groups_as_counts(store):
    _, positions = await Transfer(store).export()
    header, *body = list(csv.reader(io.StringIO(positions)))
    rows = [dict(zip(header, map(read_csv_cell, r))) for r in body]
    veto = [r for r in rows if r["theme"] == "veto-restraint" and r["dialogue"] == "2014" and not r["actor"]]
    assert [(r["unnamed_quantity"], r["unnamed_count"]) for r in veto] == [("Fourteen states", "14")]
    vague = [r for r in rows if r["unnamed_quantity"] == "Many Member States"]
    assert vague and vague[0]["unnamed_count"] == ""
    assert all(r["unnamed_quantity"] == "" for r in rows if r["actor"])
