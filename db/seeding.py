"""Load the curated dataset in `seed/` into the store.

Seeding is idempotent: seed records are upserted by natural keys and updated in
place; records whose origin is ``admin`` are never changed or deleted, and an
admin record wins over a seed record with the same key. A checksum of the seed
folder lets a normal start skip seeding when nothing changed.
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence, TypeAlias, Unpack

import yaml
from sqlalchemy import Select, and_, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from db.models import (
    Actor,
    ActorAlias,
    ActorKind,
    Dialogue,
    MeetingKind,
    DialogueClaim,
    Origin,
    Passage,
    Pillar,
    PillarContribution,
    Position,
    Quote,
    REPORT_DOCUMENTS,
    REPORT_FACT_KINDS,
    ReportFact,
    Role,
    RoleKind,
    SeedSuppression,
    SourceDocument,
    Stance,
    Statement,
    StatementBehalf,
    StoreMeta,
    Theme,
    UnnamedClaim,
)
from db.admin.entities import BY_MODEL, key_json
from db.names import NameEntry, NameIndex, fold
from db.passages import split_passages
from db.yaml_text import load_yaml


SEED_DIR = Path(__file__).resolve().parent.parent / "seed"
TIMELINE_FILE = "ga-rtop-meetings.csv"
TIMELINE_SOURCE = "ga-rtop-meetings"
CHECKSUM_KEY = "seed_checksum"
RowKey: TypeAlias = tuple[Any, ...]  # a record's natural key, in the order of its key columns
MEASURES = {"member_states", "governments_represented", "regional_organisations", "civil_society", "icrtop_members"}
REPORTS_FILE = "reports.yaml"


class SeedError(ValueError):
    """The seed files are inconsistent; the message names the file and the record."""


class _Removed(Exception):
    """The record refers to a seed record an admin removed; it is skipped too."""


def normalise_ws(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@dataclass
class SeedData:
    sources: list[dict[str, Any]]
    actors: list[dict[str, Any]]
    themes: list[dict[str, Any]]
    pillars: list[dict[str, Any]]
    dialogues: dict[int, dict[str, Any]]
    positions: dict[int, dict[str, Any]]
    timeline: list[dict[str, str]]
    texts: dict[str, str]
    checksum: str
    reports: list[dict[str, Any]] = field(default_factory=list)  # reports.yaml: what documents say, point by point


@dataclass
class SeedReport:
    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    kept_admin: int = 0
    suppressed: int = 0
    skipped: bool = False
    by_table: dict[str, int] = field(default_factory=dict)


def _read_yaml(path: Path) -> Any:
    try:
        return load_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise SeedError(f"{path.name}: not valid YAML: {exc}") from exc


def checksum(seed_dir: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in seed_dir.rglob("*") if p.is_file() and p.suffix in {".yaml", ".csv", ".txt", ".md"}):
        digest.update(str(path.relative_to(seed_dir)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def load_seed_files(seed_dir: Path = SEED_DIR) -> SeedData:
    sources = _read_yaml(seed_dir / "sources.yaml") or []
    texts: dict[str, str] = {}
    for source in sources:
        texts[source["key"]] = (seed_dir / source["file"]).read_text(encoding="utf-8")
    actors: list[dict[str, Any]] = []
    for name in ("states.yaml", "others.yaml"):
        actors.extend(_read_yaml(seed_dir / "actors" / name) or [])

    def by_year(folder: str) -> dict[int, dict[str, Any]]:
        found = {}
        for path in sorted((seed_dir / folder).glob("*.yaml")):
            doc = _read_yaml(path) or {}
            found[int(doc.get("year") or path.stem)] = doc
        return found

    with (seed_dir / TIMELINE_FILE).open(encoding="utf-8", newline="") as handle:
        timeline = list(csv.DictReader(handle))
    return SeedData(
        sources=sources,
        actors=actors,
        themes=_read_yaml(seed_dir / "themes.yaml") or [],
        pillars=_read_yaml(seed_dir / "pillars.yaml") or [],
        dialogues=by_year("dialogues"),
        positions=by_year("positions"),
        timeline=timeline,
        texts=texts,
        checksum=checksum(seed_dir),
        reports=(_read_yaml(seed_dir / REPORTS_FILE) or []) if (seed_dir / REPORTS_FILE).exists() else [],
    )


def meeting_kind(meeting: str) -> str:
    text = meeting.casefold()
    if text.startswith("no "):
        return MeetingKind.no_meeting.value
    if "informal interactive dialogue" in text:
        return MeetingKind.informal_interactive_dialogue.value
    return MeetingKind.plenary_debate.value


MAX_KEY_VALUES = 5_000  # distinct values of a key column worth narrowing a query by (SQLite allows 32,766 parameters)


class _Syncer:
    """Upserts rows of one model by natural key, leaving admin records alone."""

    def __init__(self, session: Session, report: SeedReport) -> None:
        self.session = session
        self.report = report
        # entity -> natural key -> id of the admin record that corrected it (None: removed)
        self.suppressed: dict[str, dict[str, int | None]] = {}
        query = select(SeedSuppression.entity, SeedSuppression.natural_key, SeedSuppression.replaced_by_id)
        for entity, key, replaced_by in session.execute(query):
            self.suppressed.setdefault(entity, {})[key] = replaced_by

    def is_suppressed(self, model: type[Any], row_key: RowKey) -> bool:
        spec = BY_MODEL.get(model)
        return spec is not None and key_json(row_key) in self.suppressed.get(spec.entity, {})

    def replacement(self, model: type[Any], row_key: RowKey) -> Any | None:
        """The admin record that corrected this seed record under a new key, if it still exists."""
        spec = BY_MODEL.get(model)
        record_id = self.suppressed.get(spec.entity, {}).get(key_json(row_key)) if spec is not None else None
        return self.session.get(model, record_id) if record_id is not None else None

    @staticmethod
    def _candidates(model: Any, key: Sequence[str], rows: list[dict[str, Any]]) -> Select[Unpack[tuple[Any, ...]]]:
        """Every seed record of `model`, and the admin records that may share a natural key with `rows`.

        A store can hold far more admin records than the dataset has rows (years of
        recorded dialogues): loading them all to find the few that share a key took
        seconds and hundreds of megabytes. Each key column is narrowed to the values
        the dataset has (a superset of the matches, compared exactly afterwards).
        """
        narrowed = []
        for column_name in key:
            values = {row[column_name] for row in rows}
            if len(values) > MAX_KEY_VALUES:
                continue  # as many values as records: this column does not narrow much
            column = getattr(model, column_name)
            known = [v for v in values if v is not None]
            condition = column.in_(known)
            narrowed.append(or_(condition, column.is_(None)) if None in values else condition)
        admin_matches = and_(model.origin != Origin.seed, *narrowed) if rows else false()
        return select(model).where(or_(model.origin == Origin.seed, admin_matches))

    def sync(
        self,
        model: type[Any],
        key: Sequence[str],
        rows: Iterable[dict[str, Any]],
        *,
        delete_stale: bool = True,
        scope: Callable[[Any], bool] | None = None,
    ) -> dict[RowKey, Any]:
        rows = list(rows)
        existing: dict[RowKey, Any] = {}
        for obj in self.session.scalars(self._candidates(model, key, rows)):
            if scope is None or scope(obj):
                existing[tuple(getattr(obj, k) for k in key)] = obj
        result: dict[RowKey, Any] = {}
        for row in rows:
            row_key = tuple(row[k] for k in key)
            if row_key in result:
                raise SeedError(f"{model.__tablename__}: duplicate record {row_key}")
            obj = existing.get(row_key)
            if obj is None and self.is_suppressed(model, row_key):
                self.report.suppressed += 1  # an admin removed or corrected this seed record
                obj = self.replacement(model, row_key)
                if obj is None:
                    continue
                result[row_key] = obj  # corrected: what the dataset hangs off it hangs off the correction
                continue
            if obj is None:
                obj = model(**row, origin=Origin.seed)
                self.session.add(obj)
                self.report.inserted += 1
            elif obj.origin == Origin.admin:
                self.report.kept_admin += 1
            else:
                changed = False
                for column, value in row.items():
                    if getattr(obj, column) != value:
                        setattr(obj, column, value)
                        changed = True
                self.report.updated += changed
            result[row_key] = obj
        if delete_stale:
            for row_key, obj in existing.items():
                if row_key not in result and obj.origin == Origin.seed:
                    self.session.delete(obj)
                    self.report.deleted += 1
        self.session.flush()
        self.report.by_table[model.__tablename__] = len(result)
        return result


class _Seeder:
    def __init__(self, session: Session, data: SeedData) -> None:
        self.session = session
        self.data = data
        self.report = SeedReport()
        self.syncer = _Syncer(session, self.report)
        self.sources: dict[str, SourceDocument] = {}
        self.actors: dict[str, Actor] = {}
        self.actor_index = NameIndex([])
        self.themes: dict[str, Theme] = {}
        self.dialogues: dict[int, Dialogue] = {}

    # -- helpers -------------------------------------------------------------

    def source(self, key: str, where: str) -> SourceDocument:
        try:
            return self.sources[key]
        except KeyError:
            raise SeedError(f"{where}: unknown source {key!r}") from None

    def excerpt(self, source_key: str, excerpt: str, where: str) -> str:
        """Checks that the excerpt is verbatim (whitespace-normalised) in its source."""
        text = self.data.texts.get(source_key)
        if text is None:
            raise SeedError(f"{where}: unknown source {source_key!r}")
        if normalise_ws(excerpt) not in normalise_ws(text):
            raise SeedError(f"{where}: excerpt not found verbatim in {source_key}: {excerpt[:80]!r}")
        return normalise_ws(excerpt)

    def actor(self, name: str, where: str) -> Actor:
        resolution = self.actor_index.resolve(name)
        if resolution.entry is None:
            hints = ", ".join(s.entry.name for s in resolution.suggestions[:3])
            raise SeedError(f"{where}: unknown actor {name!r} (closest: {hints})")
        actor = self.actors.get(resolution.entry.name)
        if actor is None:
            raise _Removed()
        return actor

    def theme(self, slug: str, where: str) -> Theme:
        if slug in self.themes:
            return self.themes[slug]
        if any(t["slug"] == slug for t in self.data.themes):
            raise _Removed()
        raise SeedError(f"{where}: unknown theme {slug!r}")

    # -- steps ---------------------------------------------------------------

    def run(self) -> SeedReport:
        self.seed_sources()
        self.seed_actors()
        self.seed_themes()
        self.seed_dialogues()
        self.seed_claims()
        self.seed_roles_statements_quotes()
        self.seed_positions()
        self.seed_pillars()
        self.seed_report_facts()
        self.seed_passages()
        return self.report

    def seed_sources(self) -> None:
        rows = []
        for s in self.data.sources:
            rows.append(
                dict(
                    key=s["key"],
                    title=s["title"],
                    publisher=s["publisher"],
                    date=str(s["date"]) if s.get("date") else None,
                    date_note=s.get("date_note"),
                    kind=s["kind"],
                    url=s.get("url"),
                    address_note=s.get("address_note"),
                    dialogue_year=s.get("dialogue_year"),
                    text=self.data.texts[s["key"]],
                )
            )
        synced = self.syncer.sync(SourceDocument, ["key"], rows, delete_stale=False)
        self.sources = {k[0]: v for k, v in synced.items()}

    def seed_actors(self) -> None:
        rows = []
        for a in self.data.actors:
            try:
                kind = ActorKind(a["kind"]).value
            except ValueError:
                raise SeedError(f"actors: {a.get('name')!r} has unknown kind {a.get('kind')!r}") from None
            rows.append(dict(name=a["name"], kind=ActorKind(kind), iso3=a.get("iso3")))
        synced = self.syncer.sync(Actor, ["name"], rows, delete_stale=False)
        self.actors = {k[0]: v for k, v in synced.items()}
        alias_rows = []
        seen: dict[str, str] = {}
        for a in self.data.actors:
            for alias in a.get("aliases") or []:
                folded = fold(alias)
                if folded in seen and seen[folded] != a["name"]:
                    raise SeedError(f"actors: alias {alias!r} names both {seen[folded]} and {a['name']}")
                if folded in seen or folded == fold(a["name"]):
                    continue
                seen[folded] = a["name"]
                alias_rows.append(dict(actor_id=self.actors[a["name"]].id, alias=alias, folded=folded))
        self.syncer.sync(ActorAlias, ["folded"], alias_rows)
        self.actor_index = NameIndex(
            NameEntry(i, a["name"], a["kind"], tuple(a.get("aliases") or ()), a.get("iso3"))
            for i, a in enumerate(self.data.actors)
        )

    def seed_themes(self) -> None:
        rows = [
            dict(
                slug=t["slug"],
                name=t["name"],
                description=t["description"],
                pillar=t.get("pillar"),
                keywords=[str(k) for k in t.get("keywords") or []],
            )
            for t in self.data.themes
        ]
        synced = self.syncer.sync(Theme, ["slug"], rows, delete_stale=False)
        self.themes = {k[0]: v for k, v in synced.items()}

    def seed_dialogues(self) -> None:
        rows = []
        for r in self.data.timeline:
            year = int(r["year"])
            detail = self.data.dialogues.get(year, {})
            ordinal = detail.get("ordinal") or {}
            rows.append(
                dict(
                    year=year,
                    dates=r["dates"] or None,
                    kind=meeting_kind(r["meeting"]),
                    meeting=r["meeting"],
                    ordinal=ordinal.get("value") if isinstance(ordinal, dict) else ordinal,
                    title=detail.get("title"),
                    focus_pillars=list(detail.get("focus_pillars") or []),
                    report_title=r["report_title"] or None,
                    report_symbol=r["report_symbol"] or None,
                    report_date=r["report_date"] or None,
                    participation_as_reported=r["participation_as_reported"] or None,
                    source_urls=[u.strip() for u in r["sources"].split(";") if u.strip()],
                    notes=r["notes"] or None,
                    detailed=year in self.data.dialogues,
                )
            )
        missing = set(self.data.dialogues) - {row["year"] for row in rows}
        if missing:
            raise SeedError(f"dialogues: years {sorted(missing)} have files but no row in {TIMELINE_FILE}")
        synced = self.syncer.sync(Dialogue, ["year"], rows, delete_stale=False)
        self.dialogues = {k[0]: v for k, v in synced.items()}

    def seed_claims(self) -> None:
        rows: list[dict[str, Any]] = []
        timeline = self.sources.get(TIMELINE_SOURCE)
        for r in self.data.timeline:
            dialogue = self.dialogues[int(r["year"])]
            if timeline is None:
                break
            for field_name, column in (
                ("title", "report_title"),
                ("symbol", "report_symbol"),
                ("date", "report_date"),
                ("participation", "participation_as_reported"),
            ):
                if r[column]:
                    rows.append(
                        dict(
                            dialogue_id=dialogue.id,
                            field=field_name if field_name == "participation" else f"report_{field_name}",
                            measure="as_reported" if field_name == "participation" else None,
                            value_int=None,
                            value_text=r[column],
                            source_id=timeline.id,
                            excerpt=r[column],
                        )
                    )
        for year, doc in self.data.dialogues.items():
            dialogue = self.dialogues[year]
            where = f"dialogues/{year}.yaml"
            ordinal = doc.get("ordinal")
            if isinstance(ordinal, dict) and ordinal.get("source"):
                rows.append(
                    dict(
                        dialogue_id=dialogue.id,
                        field="ordinal",
                        measure=None,
                        value_int=None,
                        value_text=str(ordinal["value"]),
                        source_id=self.source(ordinal["source"], where).id,
                        excerpt=self.excerpt(ordinal["source"], ordinal["excerpt"], f"{where} ordinal"),
                    )
                )
            for i, claim in enumerate(doc.get("report_claims") or []):
                if claim["field"] not in {"title", "symbol", "date"}:
                    raise SeedError(f"{where} report_claims[{i}]: field must be title, symbol or date")
                rows.append(
                    dict(
                        dialogue_id=dialogue.id,
                        field=f"report_{claim['field']}",
                        measure=None,
                        value_int=None,
                        value_text=str(claim["value"]),
                        source_id=self.source(claim["source"], where).id,
                        excerpt=self.excerpt(claim["source"], claim["excerpt"], f"{where} report_claims[{i}]"),
                    )
                )
            for i, session in enumerate(doc.get("sessions") or []):
                rows.append(
                    dict(
                        dialogue_id=dialogue.id,
                        field="session",
                        measure=str(session["session"]),
                        value_int=None,
                        value_text=str(session["focus"]),
                        source_id=self.source(session["source"], where).id,
                        excerpt=self.excerpt(session["source"], session["excerpt"], f"{where} sessions[{i}]"),
                    )
                )
            for i, claim in enumerate(doc.get("participation") or []):
                if claim["measure"] not in MEASURES:
                    raise SeedError(f"{where} participation[{i}]: unknown measure {claim['measure']!r}")
                rows.append(
                    dict(
                        dialogue_id=dialogue.id,
                        field="participation",
                        measure=claim["measure"],
                        value_int=claim.get("value"),
                        value_text=str(claim.get("text") or claim.get("value")),
                        source_id=self.source(claim["source"], where).id,
                        excerpt=self.excerpt(claim["source"], claim["excerpt"], f"{where} participation[{i}]"),
                    )
                )
        self.syncer.sync(DialogueClaim, ["dialogue_id", "field", "measure", "source_id", "excerpt"], rows)

    def seed_roles_statements_quotes(self) -> None:
        roles, statements, quotes = [], [], []
        behalf: list[tuple[RowKey, list[str], str]] = []
        for year, doc in self.data.dialogues.items():
            dialogue = self.dialogues[year]
            where = f"dialogues/{year}.yaml"
            for i, r in enumerate(doc.get("roles") or []):
                here = f"{where} roles[{i}]"
                try:
                    role = RoleKind(r["role"])
                except ValueError:
                    raise SeedError(f"{here}: unknown role {r['role']!r}") from None
                try:
                    roles.append(
                        dict(
                            dialogue_id=dialogue.id,
                            actor_id=self.actor(r["actor"], here).id,
                            role=role,
                            title=r.get("title"),
                            session=r.get("session"),
                            source_id=self.source(r["source"], here).id,
                            excerpt=self.excerpt(r["source"], r["excerpt"], here),
                        )
                    )
                except _Removed:
                    continue
            for i, s in enumerate(doc.get("statements") or []):
                here = f"{where} statements[{i}]"
                try:
                    row = dict(
                        dialogue_id=dialogue.id,
                        actor_id=self.actor(s["actor"], here).id,
                        languages=list(s.get("languages") or []),
                        delivered=bool(s.get("delivered", True)),
                        note=s.get("note"),
                        source_id=self.source(s["source"], here).id,
                        excerpt=self.excerpt(s["source"], s["excerpt"], here),
                    )
                except _Removed:
                    continue
                statements.append(row)
                key = (row["dialogue_id"], row["actor_id"], row["source_id"])
                behalf.append((key, list(s.get("on_behalf_of") or []), here))
            for i, q in enumerate(doc.get("quotes") or []):
                here = f"{where} quotes[{i}]"
                try:
                    quotes.append(
                        dict(
                            dialogue_id=dialogue.id,
                            speaker_id=self.actor(q["speaker"], here).id,
                            text=self.excerpt(q["source"], q["text"], here),
                            source_id=self.source(q["source"], here).id,
                        )
                    )
                except _Removed:
                    continue
        self.syncer.sync(Role, ["dialogue_id", "actor_id", "role"], roles)
        synced = self.syncer.sync(Statement, ["dialogue_id", "actor_id", "source_id"], statements)
        behalf_rows = []
        for key, names, here in behalf:
            statement = synced.get(key)
            if statement is None:
                continue
            for name in names:
                try:
                    behalf_rows.append(dict(statement_id=statement.id, actor_id=self.actor(name, here).id))
                except _Removed:
                    continue
        self.syncer.sync(StatementBehalf, ["statement_id", "actor_id"], behalf_rows)
        self.syncer.sync(Quote, ["dialogue_id", "text"], quotes)

    def seed_positions(self) -> None:
        positions, unnamed = [], []
        for year, doc in self.data.positions.items():
            where = f"positions/{year}.yaml"
            if year not in self.dialogues:
                raise SeedError(f"{where}: no dialogue in {year}")
            dialogue = self.dialogues[year]
            for i, p in enumerate(doc.get("positions") or []):
                here = f"{where} positions[{i}]"
                try:
                    theme = self.theme(p["theme"], here)
                except _Removed:
                    continue
                excerpt = self.excerpt(p["source"], p["excerpt"], here)
                for name in p["actors"]:
                    try:
                        positions.append(
                            dict(
                                actor_id=self.actor(name, here).id,
                                theme_id=theme.id,
                                dialogue_id=dialogue.id,
                                stance=Stance(p["stance"]),
                                summary=p["summary"],
                                excerpt=excerpt,
                                source_id=self.source(p["source"], here).id,
                                partial=bool(p.get("partial", False)),
                            )
                        )
                    except _Removed:
                        continue
            for i, u in enumerate(doc.get("unnamed") or []):
                here = f"{where} unnamed[{i}]"
                try:
                    unnamed.append(
                        dict(
                            theme_id=self.theme(u["theme"], here).id,
                            dialogue_id=dialogue.id,
                            count=u.get("count"),
                            quantity=u["quantity"],
                            stance=Stance(u.get("stance") or "supports"),
                            summary=u["summary"],
                            excerpt=self.excerpt(u["source"], u["excerpt"], here),
                            source_id=self.source(u["source"], here).id,
                        )
                    )
                except _Removed:
                    continue
        self.syncer.sync(Position, ["actor_id", "theme_id", "dialogue_id", "excerpt"], positions)
        self.syncer.sync(UnnamedClaim, ["theme_id", "dialogue_id", "source_id", "excerpt"], unnamed)

    def seed_pillars(self) -> None:
        rows = []
        for p in self.data.pillars:
            where = f"pillars.yaml pillar {p['number']}"
            rows.append(
                dict(
                    number=int(p["number"]),
                    name=p["name"],
                    definition=self.excerpt(p["source"], p["definition"], where),
                    explainer=normalise_ws(p["explainer"]),
                    source_id=self.source(p["source"], where).id,
                )
            )
        synced = self.syncer.sync(Pillar, ["number"], rows, delete_stale=False)
        contributions = []
        for p in self.data.pillars:
            pillar = synced[(int(p["number"]),)]
            source_key = p["source"]
            for i, c in enumerate(p.get("contributions") or [], start=1):
                here = f"pillars.yaml pillar {p['number']} contribution {i}"
                contributions.append(
                    dict(
                        pillar_id=pillar.id,
                        ordinal=i,
                        heading=c["heading"],
                        excerpt=self.excerpt(c.get("source", source_key), c["excerpt"], here),
                        source_id=self.source(c.get("source", source_key), here).id,
                    )
                )
        self.syncer.sync(PillarContribution, ["pillar_id", "ordinal"], contributions)

    def seed_report_facts(self) -> None:
        rows = []
        for d, doc in enumerate(self.data.reports):
            where = f"{REPORTS_FILE}[{d}]"
            if doc.get("document") not in REPORT_DOCUMENTS:
                raise SeedError(f"{where}: document must be one of {', '.join(REPORT_DOCUMENTS)}")
            source = self.source(doc["source"], where)
            dialogue = self.dialogues.get(doc["dialogue"]) if doc.get("dialogue") else None
            ordinal = 0
            for section in doc.get("sections") or []:
                for f in section.get("facts") or []:
                    ordinal += 1
                    here = f"{where} {f.get('subject')!r}"
                    if f.get("kind") not in REPORT_FACT_KINDS:
                        raise SeedError(f"{here}: kind must be one of {', '.join(REPORT_FACT_KINDS)}")
                    try:
                        actor = self.actor(f["actor"], here) if f.get("actor") else None
                    except _Removed:
                        actor = None
                    rows.append(
                        dict(
                            source_id=source.id,
                            dialogue_id=dialogue.id if dialogue else None,
                            actor_id=actor.id if actor else None,
                            document=doc["document"],
                            pillar=section.get("pillar"),
                            section=section.get("section"),
                            kind=f["kind"],
                            ordinal=ordinal,
                            subject=f["subject"],
                            summary=normalise_ws(f["summary"]),
                            excerpt=self.excerpt(doc["source"], f["excerpt"], here),
                        )
                    )
        self.syncer.sync(ReportFact, ["source_id", "kind", "subject"], rows)

    def seed_passages(self) -> None:
        rows = []
        for key, source in self.sources.items():
            for ordinal, (offset, text) in enumerate(split_passages(self.data.texts[key]), start=1):
                rows.append(dict(source_id=source.id, ordinal=ordinal, char_offset=offset, text=text))
        self.syncer.sync(Passage, ["source_id", "ordinal"], rows)


def seed_session(session: Session, data: SeedData) -> SeedReport:
    """Upserts the whole dataset in the caller's transaction."""
    report = _Seeder(session, data).run()
    meta = session.get(StoreMeta, CHECKSUM_KEY)
    if meta is None:
        session.add(StoreMeta(key=CHECKSUM_KEY, value=data.checksum))
    else:
        meta.value = data.checksum
    return report


async def seed(session: AsyncSession, seed_dir: Path = SEED_DIR, *, force: bool = False) -> SeedReport:
    """Seeds the store in the caller's transaction, unless the dataset is unchanged since the last run."""
    current = checksum(seed_dir)
    if not force:
        meta = await session.get(StoreMeta, CHECKSUM_KEY)
        if meta is not None and meta.value == current:
            return SeedReport(skipped=True)
    data = load_seed_files(seed_dir)
    return await session.run_sync(lambda s: seed_session(s, data))
