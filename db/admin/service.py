"""Add, edit, remove and undo records, each change audited with its before and after state.

A change lands in the layer the session reads (`db.layers`): the shared base for
curator servers, else the server's own. In the base, seed records can be
corrected: the corrected record becomes an admin record, which the seeder leaves
alone; a removed seed record is remembered so that re-seeding does not bring it
back. In a server's layer, a shared record is never changed: removing it hides
it there, and correcting it hides it and adds the server's own version, with
its own copies of the records that hang off it (positions, statements, aliases
…) pointing at the new version — so the server keeps them, and every other
server, and re-seeding, keeps the shared record as it was. Every change is one
transaction together with its audit entry.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from db import models as m
from db.admin.entities import SPECS, Lookups, Portable, RecordKind, Spec, column_key_of
from db.layers import every_layer, layer_in
from db.errors import DuplicateRecord, InUse, RecordNotFound, ValidationError
from db.store import Store


@dataclass(frozen=True)
class ChangeAuthor:
    """Who makes a change, as the audit log records it."""

    user_id: int
    user_name: str
    guild_id: int | None


@dataclass(frozen=True)
class Change:
    entry_id: int
    action: str
    entity: str
    label: str
    record_id: int | None
    before: Portable | None
    after: Portable | None
    shared: bool = True  # made in the shared base (every server sees it), else in one server's layer only


@dataclass(frozen=True)
class AuditInfo:
    id: int
    at: datetime
    user_id: int
    user_name: str
    action: str
    entity: str
    label: str
    undone_by: int | None
    undoes: int | None


# What points at each kind of record: (model, column, description) — removal is refused while any exist.
REFERENCES: dict[str, tuple[tuple[type, str, str], ...]] = {
    RecordKind.actor: (
        (m.Position, "actor_id", "positions"),
        (m.Statement, "actor_id", "statements"),
        (m.StatementBehalf, "actor_id", "statements made on its behalf"),
        (m.Role, "actor_id", "roles"),
        (m.Quote, "speaker_id", "quotes"),
    ),
    RecordKind.theme: ((m.Position, "theme_id", "positions"), (m.UnnamedClaim, "theme_id", "unnamed counts")),
    RecordKind.dialogue: (
        (m.Position, "dialogue_id", "positions"),
        (m.Statement, "dialogue_id", "statements"),
        (m.Role, "dialogue_id", "roles"),
        (m.Quote, "dialogue_id", "quotes"),
        (m.UnnamedClaim, "dialogue_id", "unnamed counts"),
        (m.DialogueClaim, "dialogue_id", "source claims"),
    ),
    RecordKind.source: (
        (m.Position, "source_id", "positions"),
        (m.Statement, "source_id", "statements"),
        (m.Role, "source_id", "roles"),
        (m.Quote, "source_id", "quotes"),
        (m.UnnamedClaim, "source_id", "unnamed counts"),
        (m.DialogueClaim, "source_id", "source claims"),
        (m.Passage, "source_id", "passages"),
        (m.Pillar, "source_id", "pillars"),
        (m.PillarContribution, "source_id", "pillar contributions"),
    ),
}


def spec_for(entity: str) -> Spec:
    try:
        return SPECS[entity]
    except KeyError:
        raise ValidationError(f"Unknown kind of record “{entity}”.", sorted(SPECS)) from None


# keys of a snapshot that describe where a record is kept, not what it says
PLACE_KEYS = ("id", "origin", "layer", "replaced")


def _snapshot(spec: Spec, obj: Any) -> Portable:
    data = spec.to_portable(obj)
    data["id"] = obj.id
    data["origin"] = obj.origin.value
    data["layer"] = obj.layer
    return data


def _content(snapshot: Portable) -> Portable:
    return {k: v for k, v in snapshot.items() if k not in PLACE_KEYS}


def _layer(session: Session) -> int:
    """The layer the session reads and writes."""
    return layer_in(session) or m.BASE_LAYER


# -- a server's own versions of shared records ------------------------------------------

_MODELS = {mapper.class_.table_name: mapper.class_ for mapper in m.Base.registry.mappers
           if issubclass(mapper.class_, m.Layered)}


def _dependents(model: type[Any]) -> list[tuple[type[Any], str]]:
    """(model, attribute) of every layered column that points at `model`'s rows."""
    table = sa_inspect(model).local_table
    found = []
    for other in _MODELS.values():
        for column in sa_inspect(other).local_table.columns:
            if any(fk.column.table is table for fk in column.foreign_keys):
                found.append((other, column.key))
    return found


def _hidden(session: Session, obj: Any) -> m.HiddenRecord | None:
    return session.get(m.HiddenRecord, (_layer(session), obj.__tablename__, obj.id))


def _hidden_now(session: Session, obj: Any) -> m.HiddenRecord:
    """The record of `obj` hidden in the session's layer, which `_hide` has just written."""
    return session.get_one(m.HiddenRecord, (_layer(session), obj.__tablename__, obj.id))


def _visible(session: Session, obj: Any) -> bool:
    layer = _layer(session)
    return obj.layer == layer or (obj.layer == m.BASE_LAYER and _hidden(session, obj) is None)


def _hide(session: Session, obj: Any, replaced_by: int | None = None) -> None:
    session.add(m.HiddenRecord(layer=_layer(session), table_name=obj.__tablename__, row_id=obj.id,
                               replaced_by=replaced_by))
    session.flush()


def _clone(session: Session, obj: Any, **changes: Any) -> Any:
    """A copy of a shared row in the session's layer, with `changes`."""
    skip = {"id", "layer", "created_at", "updated_at"}
    columns = {a.key: getattr(obj, a.key) for a in obj.__mapper__.column_attrs if a.key not in skip}
    copy = type(obj)(**{**columns, **changes}, layer=_layer(session))
    session.add(copy)
    session.flush()
    return copy


def _replace(session: Session, obj: Any, copies: list[list[Any]], lookups: Lookups) -> Any:
    """The server's own version of shared `obj`: `obj` hidden in the layer, what hangs off it re-pointed or copied.

    `copies` collects [table, shared id, own id] of every row replaced, for undo.
    """
    _hide(session, obj)
    copy = _clone(session, obj)
    _hidden_now(session, obj).replaced_by = copy.id
    copies.append([obj.__tablename__, obj.id, copy.id])
    _repoint_shared(session, obj, copy, copies)
    session.flush()
    session.expire(copy)
    lookups.reload()
    return copy


def _repoint_shared(session: Session, old: Any, new: Any, copies: list[list[Any]]) -> None:
    """What hangs off a copied row follows the copy (a copied statement's on-behalf-of rows)."""
    layer = _layer(session)
    for model, attribute in _dependents(type(old)):
        for row in session.scalars(select(model).where(getattr(model, attribute) == old.id)).all():
            if row.layer == layer:
                setattr(row, attribute, new.id)
            else:
                _hide(session, row)
                own = _clone(session, row, **{attribute: new.id})
                _hidden_now(session, row).replaced_by = own.id
                copies.append([row.__tablename__, row.id, own.id])
                _repoint_shared(session, row, own, copies)


def _restore(session: Session, copies: list[list[Any]], lookups: Lookups) -> None:
    """Undoes `_replace`: the server's copies go, what points at them points at the shared rows again."""
    layer = _layer(session)
    for table, shared_id, own_id in reversed(copies):
        model = _MODELS[table]
        for other, attribute in _dependents(model):
            column = getattr(other, attribute)
            session.execute(update(other).where(column == own_id, other.layer == layer).values({attribute: shared_id}))
        session.execute(delete(model).where(model.id == own_id, model.layer == layer))
        session.execute(delete(m.HiddenRecord).where(
            m.HiddenRecord.layer == layer, m.HiddenRecord.table_name == table, m.HiddenRecord.row_id == shared_id))
    session.flush()
    session.expire_all()
    lookups.reload()


def _find_by_key(session: Session, spec: Spec, columns: dict[str, Any]) -> Any | None:
    query = select(spec.model)
    for column in spec.column_key:
        query = query.where(getattr(spec.model, column) == columns[column])
    return session.scalar(query)


def _suppress(session: Session, spec: Spec, obj: Any, record: Portable) -> m.SeedSuppression:
    """Remembers a seed record's key so re-seeding does not bring the old version back."""
    key = column_key_of(spec, obj)
    suppression = session.scalar(
        select(m.SeedSuppression).where(m.SeedSuppression.entity == spec.entity, m.SeedSuppression.natural_key == key)
    )
    if suppression is None:
        suppression = m.SeedSuppression(entity=spec.entity, natural_key=key, record=record, origin=m.Origin.admin)
        session.add(suppression)
    return suppression


def _unsuppress(session: Session, spec: Spec, obj: Any) -> None:
    session.execute(
        delete(m.SeedSuppression).where(
            m.SeedSuppression.entity == spec.entity, m.SeedSuppression.natural_key == column_key_of(spec, obj)
        )
    )


def _audit(session: Session, editor: ChangeAuthor, action: str, spec: Spec, before: Portable | None,
           after: Portable | None, undoes: m.AuditEntry | None = None) -> m.AuditEntry:
    label = spec.label(after or before or {})
    entry = m.AuditEntry(
        guild_id=editor.guild_id, user_id=editor.user_id, user_name=editor.user_name[:100], action=action,
        entity=spec.entity, label=label[:300], before=before, after=after, undoes_id=undoes.id if undoes else None,
    )
    if undoes is not None:
        session.add(entry)
        session.flush()
        undoes.undone_by_id = entry.id
    return entry


def _change(session: Session, entry: m.AuditEntry, record_id: int | None) -> Change:
    """Records the audit entry and returns the change as the interfaces show it."""
    session.add(entry)
    session.flush()
    return Change(entry.id, entry.action, entry.entity, entry.label, record_id, entry.before, entry.after,
                  shared=_layer(session) == m.BASE_LAYER)


def _write(session: Session, spec: Spec, obj: Any | None, data: Portable, lookups: Lookups,
           *, record_id: int | None = None) -> Any:
    """Validates a portable record and writes it into `obj` (or a new row); returns the row."""
    columns = spec.to_columns(data, lookups)
    if spec.entity is RecordKind.actor:
        _check_name_free(lookups, columns["name"], columns["iso3"], obj.id if obj is not None else None)
    clash = lookups.find(spec, columns)
    if clash is not None and clash is not obj:
        label = spec.label(spec.to_portable(clash))
        raise DuplicateRecord(f"That is already recorded as {label} (record #{clash.id}). Edit that one instead.")
    if obj is None:
        obj = spec.model(**columns, origin=m.Origin.admin, layer=_layer(session))
        if record_id is not None:
            obj.id = record_id
        session.add(obj)
    else:
        for column, value in columns.items():
            setattr(obj, column, value)
        obj.origin = m.Origin.admin
    if spec.children is not None:
        spec.children(obj, data, lookups)  # before the flush: a new record's collections need no loading
    session.flush()
    lookups.changed(spec.entity, obj)
    return obj


def _check_name_free(lookups: Lookups, name: str, iso3: str | None, actor_id: int | None) -> None:
    """Refuses a name that only looks different from another actor's name, alias or code (case, width, invisibles),
    and another state's ISO code."""
    coded = lookups.actors().get_code(iso3) if iso3 else None
    if coded is not None and coded.id != actor_id:
        raise DuplicateRecord(f"The ISO code {iso3} already belongs to {coded.name} (record #{coded.id}).",
                              [coded.name])
    found = lookups.actors().lookup(name)
    if found is not None and found[0].id != actor_id:
        raise DuplicateRecord(
            f"“{name}” is already recorded as {found[0].name} (record #{found[0].id}). "
            "Use that name, or edit that record instead.",
            [found[0].name],
        )


def _load(session: Session, spec: Spec, record_id: int | None) -> Any:
    obj = session.get(spec.model, record_id) if record_id is not None else None
    if obj is None or not _visible(session, obj):
        raise RecordNotFound(f"There is no {spec.entity} #{record_id}. It may have been removed already.")
    return obj


def _references(session: Session, spec: Spec, obj: Any) -> list[str]:
    """What still points at `obj` where it is seen: in the layer, or in every layer for a shared record."""
    found = []
    for model, column, description in REFERENCES.get(spec.entity, ()):
        query = select(func.count()).select_from(model).where(getattr(model, column) == obj.id)
        if obj.layer == m.BASE_LAYER and _layer(session) == m.BASE_LAYER:
            with every_layer(session):  # servers' own records may point at a shared one
                count = session.scalar(query)
        else:
            count = session.scalar(query)
        if count:
            found.append(f"{count} {description}")
    return found


# -- the operations, each in one transaction ---------------------------------------------


def add_sync(session: Session, entity: RecordKind, data: Portable, editor: ChangeAuthor) -> Change:
    return _change(session, *add_audited(session, entity, data, editor, Lookups(session)))


def edit_sync(session: Session, entity: RecordKind, record_id: int, changes: Portable, editor: ChangeAuthor) -> Change:
    return _change(session, *edit_audited(session, entity, record_id, changes, editor, Lookups(session)))


def remove_sync(session: Session, entity: RecordKind, record_id: int, editor: ChangeAuthor) -> Change:
    return _change(session, *remove_audited(session, entity, record_id, editor, Lookups(session)))


# The same operations for a caller that makes many in one transaction (an import): they share
# one Lookups, and return the audit entry for the caller to add. An import adds all of its
# entries at the end, in one statement: a flush for each row took most of an import's time.


def add_audited(session: Session, entity: RecordKind, data: Portable, editor: ChangeAuthor,
                lookups: Lookups) -> tuple[m.AuditEntry, int]:
    spec = spec_for(entity)
    obj = _write(session, spec, None, _cited(session, data, editor), lookups)
    after = _snapshot(spec, obj)
    return _audit(session, editor, "add", spec, None, after), obj.id


def edit_audited(session: Session, entity: RecordKind, record_id: int, changes: Portable, editor: ChangeAuthor,
                 lookups: Lookups) -> tuple[m.AuditEntry, int]:
    spec = spec_for(entity)
    obj = _load(session, spec, record_id)
    before = _snapshot(spec, obj)
    old_key = column_key_of(spec, obj)
    data = {**spec.to_portable(obj), **{k: v for k, v in _cited(session, changes, editor).items() if v is not None}}
    in_base = _layer(session) == m.BASE_LAYER
    copies: list[list[Any]] = []
    suppression = None
    if in_base and before["origin"] == m.Origin.seed.value:
        # the seed version must not come back under its old key when the dataset is re-seeded
        suppression = _suppress(session, spec, obj, _content(before))
    target = obj if obj.layer == _layer(session) else _replace(session, obj, copies, lookups)
    _write(session, spec, target, data, lookups)
    after = _snapshot(spec, target)
    if after == before or (copies and _content(after) == _content(before)):
        raise ValidationError("Nothing changed: the new values are the same as the recorded ones.")
    if suppression is not None and column_key_of(spec, obj) == old_key:
        _unsuppress(session, spec, obj)  # same key: the admin record itself wins over the seed
    elif suppression is not None:
        suppression.replaced_by_id = obj.id  # the seeder hangs the seed record's dependents on the correction
    if copies:
        after["replaced"] = copies
    return _audit(session, editor, "edit", spec, before, after), target.id


def remove_audited(session: Session, entity: RecordKind, record_id: int, editor: ChangeAuthor,
                   lookups: Lookups) -> tuple[m.AuditEntry, None]:
    spec = spec_for(entity)
    obj = _load(session, spec, record_id)
    uses = _references(session, spec, obj)
    if uses:
        raise InUse(f"{spec.label(spec.to_portable(obj))} is still used by {', '.join(uses)}. Remove those first.")
    before = _snapshot(spec, obj)
    if obj.layer != _layer(session):
        _hide(session, obj)  # a shared record: gone from this server only
        lookups.reload()
    else:
        if obj.origin == m.Origin.seed:
            _suppress(session, spec, obj, _content(before))
        session.delete(obj)
        session.flush()
        lookups.changed(spec.entity, obj)
    return _audit(session, editor, "remove", spec, before, None), None


def undo_sync(session: Session, entry_id: int | None, editor: ChangeAuthor) -> Change:
    entry = _undo_target(session, entry_id, editor)
    spec = spec_for(entry.entity)
    lookups = Lookups(session)
    record_id = (entry.after or entry.before or {}).get("id")
    copies = (entry.after or {}).get("replaced") or []
    later = session.scalar(
        select(m.AuditEntry).where(
            m.AuditEntry.id > entry.id,
            m.AuditEntry.undone_by_id.is_(None),
            m.AuditEntry.action != "undo",
            or_(*_mentions([record_id, *(own for _, _, own in copies)])),
        )
    )
    if later is not None:
        raise ValidationError(f"Entry #{later.id} changed the same record later. Undo #{later.id} first.")
    in_base = _layer(session) == m.BASE_LAYER
    if entry.action == "add":
        obj = _load(session, spec, record_id)
        uses = _references(session, spec, obj)
        if uses:
            raise InUse(f"Cannot undo: the record is now used by {', '.join(uses)}.")
        before, after = _snapshot(spec, obj), None
        session.delete(obj)
        result_id = None
    elif entry.action == "remove":
        data = dict(entry.before or {})
        shared = None
        if data.get("layer", _layer(session)) != _layer(session):
            with every_layer(session):  # hidden from this very session
                shared = session.get(spec.model, data.get("id"))
        if shared is not None:  # a shared record this server had hidden: seen here again
            session.execute(delete(m.HiddenRecord).where(
                m.HiddenRecord.layer == _layer(session), m.HiddenRecord.table_name == shared.__tablename__,
                m.HiddenRecord.row_id == shared.id))
            obj = shared
        else:
            obj = _write(session, spec, None, data, lookups, record_id=data.get("id"))
            if in_base and data.get("origin") == m.Origin.seed.value:
                obj.origin = m.Origin.seed
                _unsuppress(session, spec, obj)
        before, after, result_id = None, _snapshot(spec, obj), obj.id
    elif entry.action == "edit":
        obj = _load(session, spec, record_id)
        before = _snapshot(spec, obj)
        if copies:  # the server's own version goes; the shared record is seen again
            _restore(session, copies, lookups)
            obj = _load(session, spec, copies[0][1])
        else:
            data = dict(entry.before or {})
            _write(session, spec, obj, data, lookups)
            if in_base and data.get("origin") == m.Origin.seed.value:
                obj.origin = m.Origin.seed  # back to the seed version under its own key
                _unsuppress(session, spec, obj)
        after, result_id = _snapshot(spec, obj), obj.id
    else:
        raise ValidationError(f"Entry #{entry.id} ({entry.action}) cannot be undone.")
    session.flush()
    return _change(session, _audit(session, editor, "undo", spec, before, after, undoes=entry), result_id)


def _mentions(record_ids: list[int | None]) -> list[Any]:
    # the record's id in either snapshot (json_extract on SQLite, ->> on PostgreSQL)
    ids = [i for i in record_ids if i is not None]
    return [
        m.AuditEntry.before["id"].as_integer().in_(ids),
        m.AuditEntry.after["id"].as_integer().in_(ids),
    ]


def _undo_target(session: Session, entry_id: int | None, editor: ChangeAuthor) -> m.AuditEntry:
    if entry_id is None:
        entry = session.scalar(
            select(m.AuditEntry)
            .where(m.AuditEntry.undone_by_id.is_(None), m.AuditEntry.action.in_(("add", "edit", "remove")),
                   m.AuditEntry.guild_id == editor.guild_id)
            .order_by(m.AuditEntry.id.desc())
        )
        if entry is None:
            raise RecordNotFound("There is nothing to undo in this server.")
        return entry
    entry = session.get(m.AuditEntry, entry_id)
    if entry is None or entry.guild_id != editor.guild_id:
        raise RecordNotFound(f"There is no audit entry #{entry_id} for this server. See /admin audit.")
    if entry.undone_by_id is not None:
        raise ValidationError(f"Entry #{entry_id} was already undone by #{entry.undone_by_id}.")
    if entry.action not in ("add", "edit", "remove"):
        raise ValidationError(f"Entry #{entry_id} is an {entry.action}; undo its own change instead.")
    return entry


def ensure_source_sync(session: Session, title: str, url: str | None, editor: ChangeAuthor) -> str:
    """The key of the source with this URL (or else title), adding it as an admin source if new."""
    from db.admin.entities import SLUG

    url = url or None
    query = select(m.SourceDocument).where(m.SourceDocument.url == url if url else m.SourceDocument.title == title)
    existing = session.scalar(query)
    if existing is not None:
        return existing.key
    words = "".join(c if c.isalnum() else " " for c in title.casefold()).split()[:6]
    base = "-".join(words) if SLUG.match("-".join(words) or "") else "source"
    key, n = f"admin-{base}"[:70], 2
    while session.scalar(select(m.SourceDocument).where(m.SourceDocument.key == key)) is not None:
        key, n = f"admin-{base}"[:66] + f"-{n}", n + 1
    add_sync(session, RecordKind.source, {"key": key, "title": title, "url": url}, editor)
    return key


def _cited(session: Session, data: Portable, editor: ChangeAuthor) -> Portable:
    """A record may cite a new source as {"title", "url"}; it is added in the same transaction."""
    source = data.get("source")
    if isinstance(source, dict):
        title = (source.get("title") or "").strip()
        if not title:
            raise ValidationError("Cite a source: pick an existing one, or give the new source's title (and URL).")
        data = {**data, "source": ensure_source_sync(session, title, (source.get("url") or "").strip(), editor)}
    return data


# -- the async facade used by the cogs ---------------------------------------------------


class Admin:
    """Changes to the store made by server admins."""

    def __init__(self, store: Store, guild_id: int | None = None) -> None:
        self.store = store
        self.guild_id = guild_id  # the server whose layer is read and changed

    def _session(self) -> AsyncSession:
        return self.store.reading(self.guild_id)

    async def _run(self, fn: Callable[..., Change], *args: Any) -> Change:
        async with self.store.writing(self.guild_id) as session:
            change: Change = await session.run_sync(lambda s: fn(s, *args))
        await self.store.names(self.guild_id)  # this process's indexes at once; others' on their next command
        return change

    async def add(self, kind: RecordKind, data: Portable, editor: ChangeAuthor) -> Change:
        return await self._run(add_sync, kind, data, editor)

    async def edit(self, kind: RecordKind, record_id: int, changes: Portable, editor: ChangeAuthor) -> Change:
        return await self._run(edit_sync, kind, record_id, changes, editor)

    async def remove(self, kind: RecordKind, record_id: int, editor: ChangeAuthor) -> Change:
        return await self._run(remove_sync, kind, record_id, editor)

    async def undo(self, entry_id: int | None, editor: ChangeAuthor) -> Change:
        return await self._run(undo_sync, entry_id, editor)

    async def get(self, kind: RecordKind, record_id: int) -> Portable:
        spec = spec_for(kind)
        async with self._session() as session:
            return await session.run_sync(lambda s: _snapshot(spec, _load(s, spec, record_id)))

    async def find(self, kind: RecordKind, key: Portable) -> int:
        """The id of the record a person names by its natural key (a year, a name, a slug)."""

        def lookup(session: Session) -> int:
            lookups = Lookups(session)
            if kind == RecordKind.actor:
                return lookups.actor(key.get("name")).id
            if kind == RecordKind.theme:
                return lookups.theme(key.get("slug")).id
            if kind == RecordKind.dialogue:
                return lookups.dialogue(key.get("year")).id
            if kind == RecordKind.source:
                return lookups.source(key.get("key")).id
            raise ValidationError(f"Pick the {kind} from the list by its number.")

        async with self._session() as session:
            return await session.run_sync(lookup)

    async def pick(self, kind: RecordKind, typed: str, limit: int = 25) -> list[tuple[int, str]]:
        """(id, label) of records matching what an admin typed, for record pickers."""
        spec = spec_for(kind)
        needle = typed.strip().casefold()

        def search(session: Session) -> list[tuple[int, str]]:
            rows = session.scalars(select(spec.model).order_by(spec.model.id.desc()).limit(2000)).all()
            found = []
            for row in rows:
                label = f"#{row.id} {spec.label(spec.to_portable(row))}"
                if not needle or needle in label.casefold():
                    found.append((row.id, label))
                if len(found) >= limit:
                    break
            return found

        async with self._session() as session:
            return await session.run_sync(search)

    async def sources(self, typed: str, limit: int = 25) -> list[tuple[str, str]]:
        """(key, title) of the sources whose key or title contains what was typed."""
        needle = f"%{typed.strip()}%"
        async with self._session() as session:
            rows = await session.execute(
                select(m.SourceDocument.key, m.SourceDocument.title)
                .where(or_(m.SourceDocument.key.ilike(needle), m.SourceDocument.title.ilike(needle)))
                .order_by(m.SourceDocument.dialogue_year.is_(None), m.SourceDocument.key)
                .limit(limit)
            )
            return [(key, title) for key, title in rows]

    async def audit(self, guild_id: int | None, limit: int = 50) -> list[AuditInfo]:
        async with self._session() as session:
            rows = await session.scalars(
                select(m.AuditEntry).where(m.AuditEntry.guild_id == guild_id).order_by(m.AuditEntry.id.desc()).limit(limit)
            )
            return [
                AuditInfo(r.id, r.at, r.user_id, r.user_name, r.action, r.entity, r.label, r.undone_by_id, r.undoes_id)
                for r in rows
            ]

    async def ensure_source(self, title: str, url: str | None, editor: ChangeAuthor) -> str:
        """The key of the source with this URL (or title), adding it as an admin source if new."""
        async with self.store.writing(self.guild_id) as session:
            key = await session.run_sync(lambda s: ensure_source_sync(s, title, url, editor))
        return key


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)
