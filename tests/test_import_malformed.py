"""Malformed import files get an error that names the row and the field (or what is wrong with the file)."""

from __future__ import annotations

import json

import pytest

from db.admin.service import ChangeAuthor
from db.admin.transfer import FORMAT, VERSION, Transfer

ALICE = ChangeAuthor(user_id=11, user_name="alice", guild_id=99)
POSITION = {"actor": "Cuba", "theme": "veto-restraint", "dialogue": 2014, "stance": "supports",
            "summary": "A summary of the position.", "excerpt": "An excerpt of the statement.",
            "source": "2014-dialogue-summary"}
ROLE = {"actor": "Cuba", "dialogue": 2014, "role": "panelist", "title": None, "source": "2014-dialogue-summary",
        "excerpt": "Cuba sat on the panel."}


def _file(records: dict | None = None, **top) -> bytes:
    data = {"format": FORMAT, "version": VERSION, "records": records or {}, "removed_seed_records": [], **top}
    return json.dumps(data).encode()


ROWS = [
    ("dialogue", {"year": "1e400-placeholder", "kind": "plenary_debate"}, "year"),
    ("dialogue", {"year": 2030.5, "kind": "plenary_debate"}, "year"),
    ("dialogue", {"year": 2030, "kind": "plenary_debate", "focus_pillars": 2}, "focus_pillars"),
    ("dialogue", {"year": 2030, "kind": "plenary_debate", "focus_pillars": [1, None]}, "focus_pillars"),
    ("dialogue", {"year": 2030, "kind": "plenary_debate", "focus_pillars": [{"a": 1}]}, "focus_pillars"),
    ("dialogue", {"year": 2030, "kind": {"plenary": True}}, "kind"),
    ("role", {**ROLE, "role": 5}, "role"),
    ("role", {**ROLE, "role": ["panelist"]}, "role"),
    ("position", {**POSITION, "theme": {"slug": "veto-restraint"}}, "theme"),
    ("position", {**POSITION, "source": ["2014-dialogue-summary"]}, "source"),
    ("position", {**POSITION, "actor": 42}, "actor"),
    ("position", {**POSITION, "dialogue": [2014]}, "dialogue"),
    ("position", {**POSITION, "partial": {"yes": 1}}, "partial"),
    ("position", {**POSITION, "summary": 12345}, "summary"),
    ("actor", {"name": "Number Org", "kind": "civil_society", "aliases": [None]}, "aliases"),
    ("actor", {"name": "Number Org", "kind": "civil_society", "aliases": 7}, "aliases"),
    ("actor", {"name": ["List", "Org"], "kind": "civil_society"}, "name"),
    ("statement", {"actor": "Cuba", "dialogue": 2014, "source": "2014-dialogue-summary", "excerpt": "Cuba (Spanish)",
                   "languages": "Spanish", "on_behalf_of": {"Cuba": 1}}, "on_behalf_of"),
]


async def test_each_malformed_row_is_an_error_naming_its_row_and_field(store):
    records: dict[str, list] = {"actor": [{"name": "Fine Org", "kind": "civil_society"}]}
    expected = {("actor", 1): None}
    for section, record, field in ROWS:
        records.setdefault(section, []).append(record)
        expected[(section, len(records[section]))] = field
    payload = _file(records).replace(b'"1e400-placeholder"', b"1e400")
    plan = await Transfer(store).plan(payload, ALICE)
    assert plan.problem is None
    errors = {(e.section, e.row): e.error for e in plan.errors}
    assert set(errors) == {key for key, field in expected.items() if field}, plan.outcomes
    for key, error in errors.items():
        assert f"`{expected[key]}`" in error, (key, error)


@pytest.mark.parametrize("removed", [5, "text", {"entity": "actor"}, [5], [{"entity": {"a": 1}, "record": {}}],
                                     [{"entity": "actor", "record": [1]}]])
async def test_malformed_removed_seed_records_are_refused_clearly(store, removed):
    plan = await Transfer(store).plan(_file(removed_seed_records=removed), ALICE)
    problem = plan.problem or " ".join(f"{e.section} row {e.row}: {e.error}" for e in plan.errors)
    assert "removed_seed_records" in problem
    assert not plan.ok


async def test_whole_file_problems_say_what_is_wrong(store):
    transfer = Transfer(store)
    deep = b'{"format": "x", "records": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    assert "nest" in (await transfer.plan(deep, ALICE)).problem
    duplicate = _file({"actor": []}).replace(b'"records"', b'"records": {}, "records"', 1)
    assert "`records` twice" in (await transfer.plan(duplicate, ALICE)).problem
    inner = b'{"format": "%s", "version": 1, "records": {"actor": [{"name": "A Org", "name": "B Org", ' \
            b'"kind": "civil_society"}]}}' % FORMAT.encode()
    assert "`name` twice" in (await transfer.plan(inner, ALICE)).problem
    text_version = (await transfer.plan(_file(version="1"), ALICE)).problem
    assert "number 1" in text_version and '"1"' in text_version
    assert "expected" not in text_version or "version 1 is not supported" not in text_version
    assert "true" in (await transfer.plan(_file(version=True), ALICE)).problem
    assert "NaN" in (await transfer.plan(b'{"format": "%s", "version": NaN}' % FORMAT.encode(), ALICE)).problem
    assert "`records`" in (await transfer.plan(json.dumps({"format": FORMAT, "version": 1, "records": [1]}).encode(),
                                               ALICE)).problem
