"""What briefings are about: the rotation of each content kind, and the dated events behind "on this day".

Rotations are recomputed from the store each time, so records added later join
them; a schedule remembers only the key it posted last and moves to the next
one after it (back to the first at the end, or when that key is gone).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, union
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from db import models as m
from db.briefing_models import ContentKind
from db.names import fold
from db.queries.convert import source_ref
from db.queries.themes import list_themes
from db.results import SourceRef
from db.seeding import TIMELINE_SOURCE

_ISO_DAY = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})((?:/\d{2})*)")


@dataclass(frozen=True)
class RotationItem:
    key: str  # what the schedule stores: pillar number, year, theme slug or actor name
    label: str


def next_item(items: list[RotationItem], last_key: str | None) -> RotationItem | None:
    """The item after `last_key`, wrapping round; the first one when `last_key` is unset or no longer there."""
    if not items:
        return None
    keys = [item.key for item in items]
    if last_key in keys:
        return items[(keys.index(last_key) + 1) % len(items)]
    return items[0]


async def rotation_items(session: AsyncSession, kind: ContentKind) -> list[RotationItem]:
    """The items a kind rotates through, in posting order (empty for "on this day", which follows the calendar)."""
    if kind is ContentKind.pillar:
        rows = await session.execute(select(m.Pillar.number, m.Pillar.name).order_by(m.Pillar.number))
        return [RotationItem(str(number), f"Pillar {number}: {name}") for number, name in rows]
    if kind is ContentKind.dialogue:
        rows = await session.execute(
            select(m.Dialogue.year, m.Dialogue.meeting).where(m.Dialogue.kind != "no_meeting").order_by(m.Dialogue.year)
        )
        return [RotationItem(str(year), f"{year} · {meeting}") for year, meeting in rows]
    if kind is ContentKind.theme:
        # most-raised first, as /theme list orders them; themes nobody is recorded raising are left out
        return [
            RotationItem(t.theme.slug, t.theme.name)
            for t in await list_themes(session)
            if t.named_actors or t.unnamed
        ]
    if kind is ContentKind.state:
        on_record = union(
            select(m.Statement.actor_id),
            select(m.StatementBehalf.actor_id),
            select(m.Role.actor_id),
            select(m.Position.actor_id),
            select(m.Quote.speaker_id),
        ).subquery()
        names = await session.scalars(select(m.Actor.name).where(m.Actor.id.in_(select(on_record.c[0]))))
        return [RotationItem(name, name) for name in sorted(names, key=fold)]
    return []


# -- on this day --------------------------------------------------------------------------


@dataclass(frozen=True)
class DatedEvent:
    """Something that happened on a known day: a meeting day, a report's date, a publication, a vote."""

    day: date
    year: int  # the dialogue year it belongs to
    what: str  # meeting | report | publication | decision
    text: str  # plain text (renderers escape it)
    source: SourceRef


def _days(text: str) -> list[date]:
    """Every full ISO date in `text`; "2009-07-23/24/28" gives three days."""
    found: list[date] = []
    for match in _ISO_DAY.finditer(text or ""):
        year, month = int(match[1]), int(match[2])
        for day in [match[3]] + [d for d in match[4].split("/") if d]:
            try:
                found.append(date(year, month, int(day)))
            except ValueError:
                continue
    return found


def _note(part: str) -> str:
    """"2009-07-21 (report presented)" → "report presented"."""
    inner = re.search(r"\(([^)]*)\)", part)
    return inner[1].strip() if inner else ""


async def dated_events(session: AsyncSession) -> list[DatedEvent]:
    """Every dated event in the store, oldest first, each with the source that gives its date."""
    sources = {s.key: s for s in await session.scalars(select(m.SourceDocument))}
    timeline = source_ref(sources[TIMELINE_SOURCE]) if TIMELINE_SOURCE in sources else None
    dialogues = list(
        await session.scalars(
            select(m.Dialogue)
            .options(selectinload(m.Dialogue.claims).selectinload(m.DialogueClaim.source))
            .order_by(m.Dialogue.year)
        )
    )
    events: list[DatedEvent] = []
    for d in dialogues:
        title = f"“{d.title}”" if d.title else ""
        if timeline is not None:
            for part in (d.dates or "").split(";"):
                note = _note(part)
                meeting = d.meeting + (f" ({note})" if note else "")
                for day in _days(part):
                    events.append(DatedEvent(day, d.year, "meeting", " — ".join(x for x in (meeting, title) if x), timeline))
            for part in (d.notes or "").split(";"):
                for day in _days(part):
                    events.append(DatedEvent(day, d.year, "decision", part.strip(), timeline))
        report = f"“{d.report_title}”" if d.report_title else "The report"
        if d.report_symbol:
            report += f" ({d.report_symbol})"
        reported = [c for c in sorted(d.claims, key=lambda c: c.id) if c.field == "report_date"]
        first_days = sorted({days[0] for c in reported if (days := _days(c.value_text))})
        for claim in reported:
            days = _days(claim.value_text)
            for n, day in enumerate(days):
                # sources agreeing on the report's date share one line; a later date keeps its words ("made public …")
                others = [x.isoformat() for x in first_days if x != day]
                differ = f" (sources differ: also given as {', '.join(others)})" if others else ""
                dated = f"dated {day.isoformat()}{differ}" if n == 0 else f"dated {claim.value_text}"
                text = f"Secretary-General's report {report} — {dated}"
                events.append(DatedEvent(day, d.year, "report", text, source_ref(claim.source)))
    for s in sources.values():
        if s.date:
            for day in _days(s.date)[:1]:
                events.append(DatedEvent(day, s.dialogue_year or day.year, "publication", f"{s.publisher} published “{s.title}” ({s.kind})", source_ref(s)))
    unique = list(dict.fromkeys(events))
    unique.sort(key=lambda e: (e.day, e.what, e.text))
    return unique


def events_on(events: list[DatedEvent], month: int, day: int) -> list[DatedEvent]:
    """The events whose anniversary is this month and day (29 February only in leap years)."""
    return [e for e in events if e.day.month == month and e.day.day == day]


def next_event_day(events: list[DatedEvent], after: date) -> date | None:
    """The first date after `after` that is the anniversary of some event (within the next year)."""
    anniversaries = {(e.day.month, e.day.day) for e in events}
    probe = after
    for _ in range(366 * 4):  # a 29 February anniversary may be four years off
        probe = date.fromordinal(probe.toordinal() + 1)
        if (probe.month, probe.day) in anniversaries:
            return probe
    return None
