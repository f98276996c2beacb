"""The records admins can change, in a portable form that names things instead of numbering them.

A portable record refers to other records by their natural names (actor name,
theme slug, dialogue year, source key), so the same dictionaries serve the
audit log's before/after states, undo, and export/import between stores.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Any, Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import models as m
from db.errors import UnknownReference, ValidationError
from db.excerpts import check_excerpt
from db.names import NameEntry, NameIndex, fold
from db.text import clean_text

Portable = dict[str, Any]

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ISO3 = re.compile(r"^[A-Z]{3}$")
URL = re.compile(r"^https?://\S+$")
MEETING_KINDS = tuple(k.value for k in m.MeetingKind)
STATE_KINDS = (m.ActorKind.member_state, m.ActorKind.observer_state)


# -- validation helpers ----------------------------------------------------------


def text(data: Portable, field: str, *, limit: int, required: bool = True, minimum: int = 1) -> str | None:
    value = data.get(field)
    value = clean_text(value).strip() if isinstance(value, str) else value
    if value in (None, ""):
        if required:
            raise ValidationError(f"`{field}` is required.")
        return None
    if not isinstance(value, str):
        raise ValidationError(f"`{field}` must be text.")
    if len(value) < minimum:
        raise ValidationError(f"`{field}` must be at least {minimum} characters.")
    if len(value) > limit:
        raise ValidationError(f"`{field}` is {len(value)} characters; the limit is {limit}.")
    return value


def choice(data: Portable, field: str, allowed: tuple[str, ...], *, default: str | None = None) -> str:
    value = data.get(field, default)
    if not isinstance(value, str) or value not in allowed:
        raise ValidationError(f"`{field}` must be one of: {', '.join(allowed)}.")
    return str(value)


def integer(data: Portable, field: str, *, low: int, high: int, required: bool = True) -> int | None:
    value = data.get(field)
    if value in (None, ""):
        if required:
            raise ValidationError(f"`{field}` is required.")
        return None
    whole = isinstance(value, int) or (isinstance(value, float) and value.is_integer()) or isinstance(value, str)
    try:
        if isinstance(value, bool) or not whole:
            raise ValueError(value)
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        raise ValidationError(f"`{field}` must be a whole number.") from None
    if not low <= number <= high:
        raise ValidationError(f"`{field}` must be between {low} and {high}.")
    return number


def string_list(data: Portable, field: str, *, limit: int, each: int) -> list[str]:
    value = data.get(field) or []
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError(f"`{field}` must be a list of names.")
    value = list(dict.fromkeys(c for c in (clean_text(v).strip() for v in value) if c))
    if len(value) > limit:
        raise ValidationError(f"`{field}` holds {len(value)} entries; the limit is {limit}.")
    for v in value:
        if len(v) > each:
            raise ValidationError(f"`{field}`: “{v[:40]}…” is longer than {each} characters.")
    return value


def boolean(data: Portable, field: str, default: bool) -> bool:
    value = data.get(field, default)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().casefold() in ("true", "yes", "1", "false", "no", "0", ""):
        return value.strip().casefold() in ("true", "yes", "1")
    raise ValidationError(f"`{field}` must be true or false.")


# -- lookups -----------------------------------------------------------------------


class Lookups:
    """Resolves names in portable records to rows, with suggestions when they do not resolve."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._actors: NameIndex | None = None
        self._touched: set[int] = set()
        self._found: tuple[tuple[Any, ...], Any | None] | None = None

    def actors(self) -> NameIndex:
        if self._actors is None:
            rows = self.session.scalars(select(m.Actor)).all()
            aliases: dict[int, list[str]] = {}
            for alias in self.session.scalars(select(m.ActorAlias)):
                aliases.setdefault(alias.actor_id, []).append(alias.alias)
            self._actors = NameIndex(
                NameEntry(a.id, a.name, a.kind.value, tuple(aliases.get(a.id, ())), a.iso3) for a in rows
            )
        return self._actors

    def find(self, spec: Spec, columns: dict[str, Any]) -> Any | None:
        """The record with these key columns, if any (asked twice in a row for the same key, answered once)."""
        key = (spec.entity, tuple(columns[c] for c in spec.column_key))
        if self._found is not None and self._found[0] == key:
            return self._found[1]
        query = select(spec.model)
        for column in spec.column_key:
            query = query.where(getattr(spec.model, column) == columns[column])
        with self.session.no_autoflush:  # records are flushed as written; audit entries may wait
            found = self.session.scalar(query)
        self._found = (key, found)
        return found

    def changed(self, entity: str, obj: Any) -> None:
        """Keeps the actor index current after a write: one entry, not the whole index (imports write thousands)."""
        self._found = None
        if self._actors is None or entity not in (RecordKind.actor, RecordKind.alias):
            return
        self._refresh(obj.id if entity == RecordKind.actor else obj.actor_id)

    def reload(self) -> None:
        """Forgets what was looked up: records were hidden or replaced (in a server's layer)."""
        self._actors = None
        self._found = None
        self._touched.clear()

    def kept(self) -> None:
        """A savepoint was released: what changed in it stays."""
        self._touched.clear()

    def rolled_back(self) -> None:
        """After a savepoint's rollback: the entries changed in it are read again."""
        self._found = None
        for actor_id in list(self._touched):
            self._refresh(actor_id)
        self._touched.clear()

    def _refresh(self, actor_id: int) -> None:
        assert self._actors is not None
        self._touched.add(actor_id)
        actor = self.session.get(m.Actor, actor_id)
        if actor is None or actor in self.session.deleted:
            self._actors.discard(actor_id)
        else:
            self._actors.add(NameEntry(actor.id, actor.name, actor.kind.value,
                                       tuple(a.alias for a in actor.aliases), actor.iso3))

    def actor(self, name: Any, field: str = "actor") -> m.Actor:
        if not isinstance(name, str) or not name.strip():
            raise ValidationError(f"`{field}` is required.")
        result = self.actors().resolve(name)
        if result.entry is None:
            raise UnknownReference(
                f"No actor called “{name}” for `{field}`.", [s.entry.name for s in result.suggestions]
            )
        actor = self.session.get(m.Actor, result.entry.id)
        assert actor is not None
        return actor

    def theme(self, slug: Any) -> m.Theme:
        if not isinstance(slug, str) or not slug.strip():
            raise ValidationError("`theme` must be a theme's slug, e.g. `prevention`.")
        theme = self.session.scalar(select(m.Theme).where(m.Theme.slug == slug))
        if theme is None:
            themes = self.session.scalars(select(m.Theme)).all()
            index = NameIndex(NameEntry(t.id, t.name, "theme", tuple(t.keywords or ()), t.slug) for t in themes)
            result = index.resolve(str(slug or ""))
            if result.entry is not None:
                return self.session.get_one(m.Theme, result.entry.id)
            raise UnknownReference(f"No theme “{slug}”.", [s.entry.code or s.entry.name for s in result.suggestions])
        return theme

    def dialogue(self, year: Any) -> m.Dialogue:
        number = integer({"dialogue": year}, "dialogue", low=1945, high=2100)
        dialogue = self.session.scalar(select(m.Dialogue).where(m.Dialogue.year == number))
        if dialogue is None:
            years = list(self.session.scalars(select(m.Dialogue.year)))
            nearest = sorted(years, key=lambda y: abs(y - (number or 0)))[:5]
            raise UnknownReference(f"No dialogue in {number}. Add it first with /admin dialogue add.", [str(y) for y in nearest])
        return dialogue

    def source(self, key: Any) -> m.SourceDocument:
        if not isinstance(key, str) or not key.strip():
            raise ValidationError("`source` must be a source's key, or a new source's title and URL.")
        source = self.session.scalar(select(m.SourceDocument).where(m.SourceDocument.key == key))
        if source is None:
            keys = [k for k in self.session.scalars(select(m.SourceDocument.key))]
            close = sorted(keys, key=lambda k: -_overlap(str(key or ""), k))[:5]
            raise UnknownReference(f"No source with key “{key}”.", close)
        return source


def _overlap(a: str, b: str) -> int:
    from rapidfuzz import fuzz

    return int(fuzz.WRatio(a, b))


# -- entity specifications ---------------------------------------------------------------


class RecordKind(enum.StrEnum):
    """The kinds of record admins change, in export/import order: what others refer to comes first.

    The values name them in the audit log, in export files and in seed suppressions.
    """

    source = "source"
    dialogue = "dialogue"
    actor = "actor"
    alias = "alias"
    theme = "theme"
    position = "position"
    statement = "statement"
    role = "role"
    quote = "quote"


@dataclass(frozen=True)
class Spec:
    """How one kind of record is named, validated, and converted to and from portable form."""

    entity: RecordKind
    model: type[Any]  # a mapped class of db.models
    key: tuple[str, ...]  # portable fields that identify a record
    column_key: tuple[str, ...]  # the same identity in table columns (what the seeder matches on)
    to_portable: Callable[[Any], Portable]
    to_columns: Callable[[Portable, Lookups], dict[str, Any]]
    label: Callable[[Portable], str]
    children: Callable[[Any, Portable, Lookups], None] | None = None  # writes dependent rows (aliases, behalf)

    def portable_key(self, record: Portable) -> Portable:
        return {k: record.get(k) for k in self.key}


def _dialogue_portable(d: m.Dialogue) -> Portable:
    return {
        "year": d.year,
        "kind": d.kind,
        "meeting": d.meeting,
        "dates": d.dates,
        "title": d.title,
        "focus_pillars": list(d.focus_pillars or []),
        "report_title": d.report_title,
        "report_symbol": d.report_symbol,
        "report_date": d.report_date,
        "participation_as_reported": d.participation_as_reported,
        "notes": d.notes,
    }


def _dialogue_columns(data: Portable, _: Lookups) -> dict[str, Any]:
    kind = choice(data, "kind", MEETING_KINDS, default=m.MeetingKind.informal_interactive_dialogue.value)
    pillars = data.get("focus_pillars") or []
    if isinstance(pillars, str):
        pillars = [p for p in re.split(r"[,\s]+", pillars) if p]
    try:
        if not isinstance(pillars, list) or any(isinstance(p, bool) or not isinstance(p, (int, str)) for p in pillars):
            raise ValueError(pillars)
        pillars = sorted({int(p) for p in pillars})
    except ValueError:
        raise ValidationError("`focus_pillars` must be pillar numbers 1, 2 or 3.") from None
    if any(p not in (1, 2, 3) for p in pillars):
        raise ValidationError("`focus_pillars` must be pillar numbers 1, 2 or 3.")
    return {
        "year": integer(data, "year", low=1945, high=2100),
        "kind": kind,
        "meeting": text(data, "meeting", limit=200, required=False) or kind.replace("_", " "),
        "dates": text(data, "dates", limit=200, required=False),
        "title": text(data, "title", limit=300, required=False),
        "focus_pillars": pillars,
        "report_title": text(data, "report_title", limit=300, required=False),
        "report_symbol": text(data, "report_symbol", limit=80, required=False),
        "report_date": text(data, "report_date", limit=120, required=False),
        "participation_as_reported": text(data, "participation_as_reported", limit=1000, required=False),
        "notes": text(data, "notes", limit=1000, required=False),
    }


def _actor_portable(a: m.Actor) -> Portable:
    return {"name": a.name, "kind": a.kind.value, "iso3": a.iso3, "aliases": sorted(x.alias for x in a.aliases)}


def _actor_columns(data: Portable, _: Lookups) -> dict[str, Any]:
    kind = m.ActorKind(choice(data, "kind", tuple(k.value for k in m.ActorKind)))
    iso3 = text(data, "iso3", limit=3, required=False)
    if iso3 is not None:
        iso3 = iso3.upper()
        if not ISO3.match(iso3):
            raise ValidationError("`iso3` must be three letters (ISO 3166-1 alpha-3), e.g. CIV.")
        if kind not in STATE_KINDS:
            raise ValidationError("Only states have an ISO code; leave `iso3` empty for organisations and people.")
    return {"name": text(data, "name", limit=200, minimum=2), "kind": kind, "iso3": iso3}


def _actor_children(actor: m.Actor, data: Portable, lookups: Lookups) -> None:
    wanted = string_list(data, "aliases", limit=50, each=200)
    existing = {fold(a.alias): a for a in actor.aliases}
    folded_wanted = {fold(w): w for w in wanted if fold(w) != fold(actor.name)}
    for key, record in list(existing.items()):
        if key not in folded_wanted:
            actor.aliases.remove(record)
    for key, alias in folded_wanted.items():
        if key in existing:
            continue
        _check_alias_free(lookups, alias, actor.id)
        actor.aliases.append(m.ActorAlias(alias=alias, folded=key, origin=m.Origin.admin, layer=actor.layer))


def _check_alias_free(lookups: Lookups, alias: str, actor_id: int | None) -> None:
    clash = lookups.actors().lookup(alias)
    if clash is not None and clash[0].id != actor_id and clash[1] in ("exact", "alias", "folded"):
        raise ValidationError(f"“{alias}” already names {clash[0].name}.")


def _alias_portable(a: m.ActorAlias) -> Portable:
    return {"actor": a.actor.name, "alias": a.alias}


def _alias_columns(data: Portable, lookups: Lookups) -> dict[str, Any]:
    actor = lookups.actor(data.get("actor"))
    alias = text(data, "alias", limit=200, minimum=2)
    assert alias is not None
    _check_alias_free(lookups, alias, actor.id)
    return {"actor_id": actor.id, "alias": alias, "folded": fold(alias)}


def _theme_portable(t: m.Theme) -> Portable:
    return {"slug": t.slug, "name": t.name, "description": t.description, "pillar": t.pillar,
            "keywords": list(t.keywords or [])}


def _theme_columns(data: Portable, _: Lookups) -> dict[str, Any]:
    slug = text(data, "slug", limit=80, minimum=2)
    if not SLUG.match(slug or ""):
        raise ValidationError("`slug` must be lower-case words joined by hyphens, e.g. `early-warning-apps`.")
    return {
        "slug": slug,
        "name": text(data, "name", limit=120, minimum=2),
        "description": text(data, "description", limit=1000, minimum=10),
        "pillar": integer(data, "pillar", low=1, high=3, required=False),
        "keywords": string_list(data, "keywords", limit=30, each=60),
    }


def _source_portable(s: m.SourceDocument) -> Portable:
    return {"key": s.key, "title": s.title, "publisher": s.publisher, "url": s.url, "date": s.date,
            "kind": s.kind}


def _source_columns(data: Portable, _: Lookups) -> dict[str, Any]:
    url = text(data, "url", limit=500, required=False)
    if url is not None and not URL.match(url):
        raise ValidationError("`url` must start with http:// or https://.")
    key = text(data, "key", limit=80, minimum=3)
    if not SLUG.match(key or ""):
        raise ValidationError("`key` must be lower-case words joined by hyphens.")
    return {
        "key": key,
        "title": text(data, "title", limit=300, minimum=3),
        "publisher": text(data, "publisher", limit=200, required=False) or "Cited by a server admin",
        "url": url,
        "date": text(data, "date", limit=32, required=False),
        "date_note": None,
        "kind": text(data, "kind", limit=40, required=False) or "admin citation",
        "dialogue_year": None,
        "text": "",
    }


def _position_portable(p: m.Position) -> Portable:
    return {"actor": p.actor.name, "theme": p.theme.slug, "dialogue": p.dialogue.year, "stance": p.stance.value,
            "summary": p.summary, "excerpt": p.excerpt, "source": p.source.key, "partial": p.partial}


def _verified(columns: dict[str, Any], source: m.SourceDocument, field: str = "excerpt") -> dict[str, Any]:
    """The columns, once their excerpt is found in the source's stored text (a source given by title and
    address has none). Checked last, so that a malformed field is reported first."""
    if columns.get(field) is not None:
        check_excerpt(columns[field], source.key, source.text, field)
    return columns


def _position_columns(data: Portable, lookups: Lookups) -> dict[str, Any]:
    source = lookups.source(data.get("source"))
    columns = {
        "actor_id": lookups.actor(data.get("actor")).id,
        "theme_id": lookups.theme(data.get("theme")).id,
        "dialogue_id": lookups.dialogue(data.get("dialogue")).id,
        "stance": m.Stance(choice(data, "stance", tuple(s.value for s in m.Stance))),
        "summary": text(data, "summary", limit=300, minimum=5),
        "excerpt": text(data, "excerpt", limit=4000, minimum=10),
        "source_id": source.id,
        "partial": boolean(data, "partial", False),
    }
    return _verified(columns, source)


def _statement_portable(s: m.Statement) -> Portable:
    return {"actor": s.actor.name, "dialogue": s.dialogue.year, "languages": list(s.languages or []),
            "on_behalf_of": sorted(b.actor.name for b in s.on_behalf_of), "delivered": s.delivered,
            "note": s.note, "source": s.source.key, "excerpt": s.excerpt}


def _statement_columns(data: Portable, lookups: Lookups) -> dict[str, Any]:
    source = lookups.source(data.get("source"))
    columns = {
        "actor_id": lookups.actor(data.get("actor")).id,
        "dialogue_id": lookups.dialogue(data.get("dialogue")).id,
        "languages": string_list(data, "languages", limit=10, each=40),
        "delivered": boolean(data, "delivered", True),
        "note": text(data, "note", limit=200, required=False),
        "source_id": source.id,
        "excerpt": text(data, "excerpt", limit=4000, minimum=3),
    }
    return _verified(columns, source)


def _statement_children(statement: m.Statement, data: Portable, lookups: Lookups) -> None:
    names = string_list(data, "on_behalf_of", limit=60, each=200)
    wanted = {lookups.actor(n, "on_behalf_of").id for n in names}
    for behalf in list(statement.on_behalf_of):
        if behalf.actor_id not in wanted:
            statement.on_behalf_of.remove(behalf)
    have = {b.actor_id for b in statement.on_behalf_of}
    for actor_id in wanted - have:
        statement.on_behalf_of.append(m.StatementBehalf(actor_id=actor_id, origin=m.Origin.admin, layer=statement.layer))


def _role_portable(r: m.Role) -> Portable:
    return {"actor": r.actor.name, "dialogue": r.dialogue.year, "role": r.role.value, "title": r.title,
            "session": r.session, "source": r.source.key, "excerpt": r.excerpt}


def _role_columns(data: Portable, lookups: Lookups) -> dict[str, Any]:
    source = lookups.source(data.get("source"))
    columns = {
        "actor_id": lookups.actor(data.get("actor")).id,
        "dialogue_id": lookups.dialogue(data.get("dialogue")).id,
        "role": m.RoleKind(choice(data, "role", tuple(r.value for r in m.RoleKind))),
        "title": text(data, "title", limit=300, required=False),
        "session": text(data, "session", limit=40, required=False),
        "source_id": source.id,
        "excerpt": text(data, "excerpt", limit=4000, minimum=3),
    }
    return _verified(columns, source)


def _quote_portable(q: m.Quote) -> Portable:
    return {"speaker": q.speaker.name, "dialogue": q.dialogue.year, "text": q.text, "source": q.source.key}


def _quote_columns(data: Portable, lookups: Lookups) -> dict[str, Any]:
    source = lookups.source(data.get("source"))
    columns = {
        "speaker_id": lookups.actor(data.get("speaker"), "speaker").id,
        "dialogue_id": lookups.dialogue(data.get("dialogue")).id,
        "text": text(data, "text", limit=1000, minimum=3),
        "source_id": source.id,
    }
    return _verified(columns, source, "text")


SPECS: dict[str, Spec] = {
    spec.entity: spec
    for spec in (
        Spec(RecordKind.source, m.SourceDocument, ("key",), ("key",), _source_portable, _source_columns, lambda d: f"source {d['key']}"),
        Spec(RecordKind.dialogue, m.Dialogue, ("year",), ("year",), _dialogue_portable, _dialogue_columns, lambda d: f"dialogue {d['year']}"),
        Spec(RecordKind.actor, m.Actor, ("name",), ("name",), _actor_portable, _actor_columns, lambda d: f"actor {d['name']}", _actor_children),
        Spec(RecordKind.alias, m.ActorAlias, ("actor", "alias"), ("folded",), _alias_portable, _alias_columns,
             lambda d: f"alias “{d['alias']}” of {d['actor']}"),
        Spec(RecordKind.theme, m.Theme, ("slug",), ("slug",), _theme_portable, _theme_columns, lambda d: f"theme {d['slug']}"),
        Spec(RecordKind.position, m.Position, ("actor", "theme", "dialogue", "excerpt"),
             ("actor_id", "theme_id", "dialogue_id", "excerpt"), _position_portable, _position_columns,
             lambda d: f"position of {d['actor']} on {d['theme']} ({d['dialogue']})"),
        Spec(RecordKind.statement, m.Statement, ("actor", "dialogue", "source"), ("dialogue_id", "actor_id", "source_id"), _statement_portable, _statement_columns,
             lambda d: f"statement of {d['actor']} ({d['dialogue']})", _statement_children),
        Spec(RecordKind.role, m.Role, ("actor", "dialogue", "role"), ("dialogue_id", "actor_id", "role"), _role_portable, _role_columns,
             lambda d: f"{d['role'].replace('_', ' ')} role of {d['actor']} ({d['dialogue']})"),
        Spec(RecordKind.quote, m.Quote, ("dialogue", "text"), ("dialogue_id", "text"), _quote_portable, _quote_columns,
             lambda d: f"quote of {d['speaker']} ({d['dialogue']})"),
    )
}
ORDER = tuple(RecordKind)
BY_MODEL: dict[type, Spec] = {spec.model: spec for spec in SPECS.values()}


def plain(value: Any) -> Any:
    import enum

    return value.value if isinstance(value, enum.Enum) else value


def key_json(values: tuple[Any, ...] | list[Any]) -> str:
    """The canonical text of a record's column key, as stored for removed seed records."""
    import json

    return json.dumps([plain(v) for v in values], ensure_ascii=False)


def column_key_of(spec: Spec, obj: Any) -> str:
    return key_json([getattr(obj, c) for c in spec.column_key])
