"""Export admin records to JSON (and positions to CSV); import them back, dry run first.

An import is checked by applying every row inside a transaction that is then
rolled back, so rows may refer to records added earlier in the same file; the
dry run reports each row's outcome. Applying runs the same steps in one
transaction and keeps nothing if any row fails.

A server exports what its admins added or corrected in its own layer and the
shared records it removed; a curator server, the shared base's. An import
applies in the importing server's layer, as the same changes made by hand would.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable

from sqlalchemy import Connection, insert, select
from sqlalchemy.orm import Session, selectinload

from db import models as m
from db.admin.entities import ORDER, SPECS, Lookups, Portable, RecordKind
from db.admin.service import ChangeAuthor, _layer, add_audited, edit_audited, remove_audited
from db.engine import sqlite_file
from db.errors import DomainError, ValidationError
from db.layers import every_layer, set_layer
from db.rehearsal import Rehearsal, rehearse, replay
from db.seeding import CHECKSUM_KEY
from db.store import Store

FORMAT = "rtop-briefing-bot/admin-records"
VERSION = 1
MAX_ROWS = 5000


@dataclass(frozen=True)
class RowOutcome:
    section: str
    row: int  # 1-based within its section
    action: str  # add | update | remove | unchanged | error
    label: str
    error: str | None = None


@dataclass
class ImportPlan:
    outcomes: list[RowOutcome] = field(default_factory=list)
    problem: str | None = None  # the file as a whole is unusable

    @property
    def errors(self) -> list[RowOutcome]:
        return [o for o in self.outcomes if o.action == "error"]

    @property
    def ok(self) -> bool:
        return self.problem is None and not self.errors

    def count(self, action: str) -> int:
        return sum(1 for o in self.outcomes if o.action == action)


def export_sync(session: Session) -> dict[str, Any]:
    layer = _layer(session)
    records: dict[str, list[Portable]] = {}
    for entity in ORDER:
        spec = SPECS[entity]
        rows = session.scalars(
            select(spec.model).where(spec.model.origin == m.Origin.admin, spec.model.layer == layer)
        ).all()
        items = []
        for row in rows:
            if entity is RecordKind.alias and row.actor.origin == m.Origin.admin and row.actor.layer == layer:
                continue  # exported with its actor
            items.append(spec.to_portable(row))
        records[entity] = sorted(items, key=lambda d: json.dumps([d.get(k) for k in spec.key], default=str))
    removed = []
    suppressions = select(m.SeedSuppression).order_by(m.SeedSuppression.id)
    for suppression in session.scalars(suppressions) if layer == m.BASE_LAYER else ():
        item: dict[str, Any] = {"entity": suppression.entity, "record": suppression.record}
        kind = SPECS.get(suppression.entity)
        correction = session.get(kind.model, suppression.replaced_by_id) if kind and suppression.replaced_by_id else None
        if kind is not None and correction is not None:  # corrected, not removed: importing it corrects the seed
            item["replaced_by"] = kind.portable_key(kind.to_portable(correction))  # record the same way
        removed.append(item)
    if layer != m.BASE_LAYER:
        removed = _hidden_in(session, layer)
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "records": records,
        "removed_seed_records": removed,
    }


def _hidden_in(session: Session, layer: int) -> list[dict[str, Any]]:
    """The shared records a server removed (not those it replaced with its own version), in portable form."""
    by_table = {spec.model.__tablename__: spec for spec in SPECS.values()}
    removed = []
    for hidden in session.scalars(
        select(m.HiddenRecord).where(m.HiddenRecord.layer == layer, m.HiddenRecord.replaced_by.is_(None))
    ):
        kind = by_table.get(hidden.table_name)
        if kind is None:
            continue
        with every_layer(session):  # hidden from this very session
            row = session.get(kind.model, hidden.row_id)
        if row is not None:
            removed.append({"entity": kind.entity, "record": kind.to_portable(row)})
    return removed


POSITION_COLUMNS = ["dialogue", "actor", "theme", "stance", "summary", "partial", "excerpt", "source", "source_title",
                    "source_url", "origin", "unnamed_quantity", "unnamed_count"]  # unnamed groups: no actor, a quantity


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what spreadsheets read as a formula (OWASP CSV injection)
TEXT_MARK = "'"


def csv_cell(value: Any) -> str:
    """A cell a spreadsheet shows as text: a leading apostrophe before a formula start (or before an apostrophe,
    so that `read_csv_cell` can always undo it)."""
    text = "" if value is None else str(value)
    return TEXT_MARK + text if text.startswith((*FORMULA_STARTS, TEXT_MARK)) else text


def read_csv_cell(cell: str) -> str:
    """The value `csv_cell` wrote."""
    return cell[1:] if cell.startswith(TEXT_MARK) else cell


def positions_csv_sync(session: Session) -> str:
    rows = session.scalars(
        select(m.Position).options(
            selectinload(m.Position.actor), selectinload(m.Position.theme), selectinload(m.Position.dialogue),
            selectinload(m.Position.source),
        )
    ).all()
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=POSITION_COLUMNS)
    writer.writeheader()
    for p in sorted(rows, key=lambda p: (p.dialogue.year, p.theme.slug, p.actor.name, p.id)):
        row = {
            "dialogue": p.dialogue.year, "actor": p.actor.name, "theme": p.theme.slug, "stance": p.stance.value,
            "summary": p.summary, "partial": p.partial, "excerpt": p.excerpt, "source": p.source.key,
            "source_title": p.source.title, "source_url": p.source.url or "", "origin": p.origin.value,
        }
        writer.writerow({column: csv_cell(value) for column, value in row.items()})
    unnamed = session.scalars(
        select(m.UnnamedClaim).options(
            selectinload(m.UnnamedClaim.theme), selectinload(m.UnnamedClaim.dialogue), selectinload(m.UnnamedClaim.source),
        )
    ).all()
    for u in sorted(unnamed, key=lambda u: (u.dialogue.year, u.theme.slug, u.id)):
        row = {
            "dialogue": u.dialogue.year, "actor": "", "theme": u.theme.slug, "stance": u.stance.value,
            "summary": u.summary, "partial": "", "excerpt": u.excerpt, "source": u.source.key,
            "source_title": u.source.title, "source_url": u.source.url or "", "origin": u.origin.value,
            "unnamed_quantity": u.quantity, "unnamed_count": "" if u.count is None else u.count,
        }
        writer.writerow({column: csv_cell(value) for column, value in row.items()})
    return buffer.getvalue()


class _FileProblem(ValueError):
    """What makes a file unreadable as a whole, said so that the admin can fix it."""


def _one_each(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, refused when it names a field twice (json would silently keep the last)."""
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise _FileProblem(
                f"The file gives `{key}` twice in one object ({_shown(found[key])} and {_shown(value)}); "
                "each field may appear once. Remove one and attach the file again."
            )
        found[key] = value
    return found


def _no_constant(name: str) -> Any:
    raise _FileProblem(f"The file holds {name}, which is not a JSON number. Attach a file made by /admin export.")


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:39] + "…"


def parse(payload: bytes) -> tuple[dict[str, Any] | None, str | None]:
    try:
        data = json.loads(payload.decode("utf-8-sig"), object_pairs_hook=_one_each, parse_constant=_no_constant)
    except _FileProblem as problem:
        return None, str(problem)
    except UnicodeDecodeError:
        return None, "The file is not UTF-8 text. Attach the JSON file made by /admin export."
    except json.JSONDecodeError as error:
        return None, f"The file is not valid JSON ({error}). Attach a file made by /admin export."
    except RecursionError:
        return None, "The file nests lists or objects far deeper than an export does. Attach a file made by /admin export."
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return None, "This is not an export of this bot (its `format` field is missing or different)."
    version = data.get("version")
    if type(version) is not int:
        return None, f"`version` must be the number {VERSION}, not {_shown(version)}."
    if version != VERSION:
        return None, f"Export version {version} is not supported: this bot reads version {VERSION}."
    records = data.get("records")
    if not isinstance(records, dict) or any(k not in SPECS for k in records):
        unknown = sorted(set(records or {}) - set(SPECS)) if isinstance(records, dict) else []
        return None, f"`records` must map record kinds to lists; unknown kinds: {', '.join(unknown) or 'none'}."
    removed = data.get("removed_seed_records")
    if removed is not None and not isinstance(removed, list):
        return None, f"`removed_seed_records` must be a list of removed seed records, not {_shown(removed)}."
    total = sum(len(v) for v in records.values() if isinstance(v, list)) + len(removed or [])
    if total > MAX_ROWS:
        return None, f"The file holds {total} rows; the limit is {MAX_ROWS} per import."
    return data, None


def _apply(session: Session, data: dict[str, Any], editor: ChangeAuthor,
           layer: int) -> tuple[list[RowOutcome], list[m.AuditEntry]]:
    """Applies every row in `layer`, each in a savepoint so one failing row does not hide the others.

    Returns the outcomes and the audit entries, which the caller adds when the import is kept.
    """
    set_layer(session, layer)  # also on the private copy an import is checked on
    outcomes: list[RowOutcome] = []
    audit: list[m.AuditEntry] = []
    lookups = Lookups(session)  # one for the whole file, kept current row by row

    def row(section: str, number: int, item: Any, *, remove: bool = False) -> None:
        outcome, entry = _row(session, lookups, section, number, item, editor, remove=remove)
        outcomes.append(outcome)
        if entry is not None:
            audit.append(entry)

    for number, item in enumerate(data.get("removed_seed_records") or [], start=1):
        row("removed_seed_records", number, _with_correction(data, item), remove=True)
    for entity in ORDER:
        rows = data["records"].get(entity) or []
        if not isinstance(rows, list):
            outcomes.append(RowOutcome(entity, 0, "error", entity, "must be a list"))
            continue
        for number, record in enumerate(rows, start=1):
            row(entity, number, {"entity": entity, "record": record})
    return outcomes, audit


def _with_correction(data: dict[str, Any], item: Any) -> Any:
    """A corrected seed record's row, given the record in `records` that corrects it (`replaced_by` names it)."""
    if not isinstance(item, dict) or "replaced_by" not in item:
        return item
    entity = item.get("entity")
    spec = SPECS.get(entity) if isinstance(entity, str) else None
    rows = data["records"].get(entity) if spec is not None else None
    found = None
    if spec is not None and isinstance(rows, list):
        found = next((r for r in rows if isinstance(r, dict) and spec.portable_key(r) == item["replaced_by"]), None)
    return {**item, "correction": found}


def _row(session: Session, lookups: Lookups, section: str, number: int, item: Any, editor: ChangeAuthor, *,
         remove: bool = False) -> tuple[RowOutcome, m.AuditEntry | None]:
    entity = item.get("entity") if isinstance(item, dict) else None
    record = item.get("record") if isinstance(item, dict) else None
    if not isinstance(entity, str) or entity not in SPECS or not isinstance(record, dict):
        problem = ("each row must be an object with a known `entity` and its `record`" if remove
                   else "each row must be an object of the record's fields")
        return RowOutcome(section, number, "error", "?", problem), None
    spec = SPECS[entity]
    named = {k: record.get(k, "?") for k in ("year", "name", "slug", "key", "actor", "alias", "theme", "dialogue",
                                              "role", "speaker")}
    label = spec.label({k: v if isinstance(v, str) else _shown(v) for k, v in named.items()})
    savepoint = session.begin_nested()
    entry: m.AuditEntry | None = None
    try:
        existing = lookups.find(spec, spec.to_columns(record, lookups))
        if remove and "correction" in item:
            correction = item["correction"]
            if correction is None:
                raise ValidationError(f"`replaced_by` names no {entity} in `records`: {_shown(item['replaced_by'])}.")
            if existing is None:
                action = "unchanged"  # already corrected (or never seeded here): the row in `records` does the rest
            else:
                entry, _ = edit_audited(session, spec.entity, existing.id, correction, editor, lookups)
                action = "update"
        elif remove:
            if existing is None:
                action = "unchanged"
            else:
                entry, _ = remove_audited(session, spec.entity, existing.id, editor, lookups)
                action = "remove"
        elif existing is None:
            entry, _ = add_audited(session, spec.entity, record, editor, lookups)
            action = "add"
        else:
            try:
                entry, _ = edit_audited(session, spec.entity, existing.id, record, editor, lookups)
                action = "update"
            except ValidationError as error:
                if not error.message.startswith("Nothing changed"):
                    raise
                action = "unchanged"
        savepoint.commit()
        lookups.kept()
        return RowOutcome(section, number, action, label), entry
    except DomainError as error:
        savepoint.rollback()
        lookups.rolled_back()
        hint = f" (did you mean: {', '.join(error.suggestions[:3])})" if error.suggestions else ""
        return RowOutcome(section, number, "error", label, error.message + hint), None


def _seed_checksum(conn: Connection) -> str | None:
    """A re-seed in between changes seed records an import may have checked against."""
    return conn.scalar(select(m.StoreMeta.value).where(m.StoreMeta.key == CHECKSUM_KEY))


def _add_audit(entries: list[m.AuditEntry]) -> Callable[[Connection], None]:
    """The audit entries, written when the import is applied and stamped with that time."""
    def add(conn: Connection) -> None:
        now = datetime.now(timezone.utc)
        columns = [c.key for c in m.AuditEntry.__table__.columns if c.key not in ("id", "at")]
        rows = [{**{c: getattr(entry, c) for c in columns}, "at": now} for entry in entries]
        if rows:
            conn.execute(insert(m.AuditEntry), rows)
    return add


Checked = tuple[list[RowOutcome], list[m.AuditEntry]]


@dataclass
class _Checked:
    digest: str
    editor: ChangeAuthor
    rehearsal: Rehearsal[Checked]


REHEARSALS = 3  # an import checked again on a fresh copy when the store changed meanwhile, before it applies in place


class Transfer:
    """Export and import. On a SQLite store an import is checked on a private copy (no write lock), and applied by
    replaying the checked writes in one short transaction; the dry run's check is reused when nothing changed."""

    def __init__(self, store: Store, guild_id: int | None = None) -> None:
        self.store = store
        self.guild_id = guild_id  # the server whose layer is exported or imported into
        self.layer = store.layer_of(guild_id)
        self._database = sqlite_file(store.engine)
        self._checked: _Checked | None = None

    async def export(self) -> tuple[str, str]:
        """(JSON of the layer's admin records, CSV of every position the server sees)."""
        async with self.store.reading(self.guild_id) as session:
            data = await session.run_sync(export_sync)
            positions = await session.run_sync(positions_csv_sync)
        return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True), positions

    async def plan(self, payload: bytes, editor: ChangeAuthor) -> ImportPlan:
        """The dry run: every row applied and reported, then rolled back."""
        data, problem = parse(payload)
        if data is None:
            return ImportPlan(problem=problem)
        if self._database is None:
            return await self._in_store(data, editor, keep=False)
        return ImportPlan(outcomes=(await self._check(payload, data, editor)).result[0])

    async def apply(self, payload: bytes, editor: ChangeAuthor) -> ImportPlan:
        """Everything in one transaction, or nothing if any row fails."""
        data, problem = parse(payload)
        if data is None:
            return ImportPlan(problem=problem)
        if self._database is None:
            return await self._in_store(data, editor, keep=True)
        for _ in range(REHEARSALS):
            rehearsal = self._reusable(payload, editor) or await self._check(payload, data, editor)
            self._checked = None
            outcomes, audit = rehearsal.result
            plan = ImportPlan(outcomes=outcomes)
            if not plan.ok:
                return plan
            async with self.store.sessions.turn():
                done = await asyncio.to_thread(replay, self._database, rehearsal, _seed_checksum,
                                               free_ids=(m.AuditEntry.__tablename__,), then=_add_audit(audit))
            if done:
                await self.store.names(self.guild_id)
                return plan
        return await self._in_store(data, editor, keep=True)  # the store kept changing: apply it in place

    async def _check(self, payload: bytes, data: dict[str, Any], editor: ChangeAuthor) -> Rehearsal[Checked]:
        assert self._database is not None
        rehearsal = await asyncio.to_thread(rehearse, self._database, lambda s: _apply(s, data, editor, self.layer),
                                            _seed_checksum)
        self._checked = _Checked(_digest(payload), editor, rehearsal)
        return rehearsal

    def _reusable(self, payload: bytes, editor: ChangeAuthor) -> Rehearsal[Checked] | None:
        checked = self._checked
        if checked is not None and checked.digest == _digest(payload) and checked.editor == editor:
            return checked.rehearsal
        return None

    async def _in_store(self, data: dict[str, Any], editor: ChangeAuthor, *, keep: bool) -> ImportPlan:
        """The import in one transaction of the store itself (PostgreSQL, an in-memory store, or a busy store)."""
        sessions = self.store.sessions.begin() if keep else self.store.sessions()
        async with sessions as session:
            outcomes, audit = await session.run_sync(lambda s: _apply(s, data, editor, self.layer))
            plan = ImportPlan(outcomes=outcomes)
            if keep and plan.ok:
                session.add_all(audit)
            else:
                await session.rollback()
        if keep and plan.ok:
            await self.store.names(self.guild_id)
        return plan


def _digest(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()
