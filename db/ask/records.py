"""The few reads /ask needs beyond the commands' queries (each kept until the records change)."""

from __future__ import annotations

import re

from typing import Any, Unpack

from sqlalchemy import BindParameter, Select, bindparam, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from db import models as m
from db.queries.cache import cached
from db.queries.convert import reference, rows
from db.queries.themes import POSITION_COLUMNS, UNNAMED_COLUMNS, position_infos, unnamed_infos
from db.queries.pillars import pillar_explainer
from db.queries.reports import report_facts
from db.results import PositionInfo, ReportFactInfo, SourceRef, UnnamedInfo

STANCES: BindParameter[str] = bindparam("stances", expanding=True)
_DISSENT = {
    "positions": select(*POSITION_COLUMNS).where(m.Position.stance.in_(STANCES), m.Position.dialogue_id == bindparam("dialogue_id")).order_by(m.Position.id),
    "unnamed": select(*UNNAMED_COLUMNS).where(m.UnnamedClaim.stance.in_(STANCES), m.UnnamedClaim.dialogue_id == bindparam("dialogue_id")).order_by(m.UnnamedClaim.id),
}
_SOURCE_TEXT = select(m.SourceDocument.text).where(m.SourceDocument.key == bindparam("key"))


async def positions_with_stance(
    session: AsyncSession, year: int, stances: tuple[str, ...]
) -> tuple[tuple[PositionInfo, ...], tuple[UnnamedInfo, ...]]:
    """Every position and unnamed group of one meeting with one of `stances` (who opposed, who was concerned)."""

    async def read() -> tuple[tuple[PositionInfo, ...], tuple[UnnamedInfo, ...]]:
        ref = await reference(session)
        params = {"stances": list(stances), "dialogue_id": ref.dialogue_ids.get(year, -1)}
        named = position_infos(await rows(session, _DISSENT["positions"], params), ref)
        unnamed = unnamed_infos(await rows(session, _DISSENT["unnamed"], params), ref)
        return tuple(named), tuple(unnamed)

    return await cached(session, ("ask_stance", year, stances), read, lambda r: 1 + len(r[0]) + len(r[1]))


async def positions_with(
    session: AsyncSession, actor: str, stances: tuple[str, ...], years: tuple[int, ...]
) -> tuple[PositionInfo, ...]:
    """The positions with one of `stances` in the meetings and themes where `actor` has one (those it may be
    named together with), in `years` (every year if none): one actor's dissent without every meeting's."""

    async def read() -> tuple[PositionInfo, ...]:
        ref = await reference(session)
        actor_id = ref.actor_ids.get(actor)
        if actor_id is None:
            return ()
        own = select(m.Position.dialogue_id, m.Position.theme_id).where(
            m.Position.actor_id == actor_id, m.Position.stance.in_(STANCES)).distinct()
        if years:
            own = own.where(m.Position.dialogue_id.in_([ref.dialogue_ids[y] for y in years if y in ref.dialogue_ids]))
        pairs = [tuple(p) for p in await rows(session, own, {"stances": list(stances)})]
        if not pairs:
            return ()
        together = select(*POSITION_COLUMNS).where(
            m.Position.stance.in_(STANCES), tuple_(m.Position.dialogue_id, m.Position.theme_id).in_(pairs)
        ).order_by(m.Position.id)
        found = position_infos(await rows(session, together, {"stances": list(stances)}), ref)
        return tuple(sorted(found, key=lambda p: p.year))  # by meeting, each in the records' order

    return await cached(session, ("ask_stance_of", actor, years, stances), read, lambda r: 1 + len(r))


_SENTENCE = re.compile(r"(?<=[.!?”])\s+")


async def sentence_before(session: AsyncSession, source_key: str, excerpt: str) -> str | None:
    """The source's sentence just before `excerpt`: what "these countries" refers to."""

    async def read() -> str | None:
        found = await rows(session, _SOURCE_TEXT, {"key": source_key})
        if not found:
            return None
        text = " ".join(found[0][0].split())
        head = " ".join(excerpt.split())[:60]
        at = text.find(head)
        if at <= 0:
            return None
        before = _SENTENCE.split(text[:at].rstrip())
        return before[-1].strip() if before and before[-1].strip() else None

    return await cached(session, ("ask_before", source_key, excerpt[:80]), read)


_NOTES = select(m.Dialogue.year, m.Dialogue.notes).order_by(m.Dialogue.year)


async def meeting_notes(session: AsyncSession) -> dict[int, str | None]:
    """The timeline's note on each meeting (votes, resolutions, disagreements), by year."""

    async def read() -> dict[int, str | None]:
        return {year: notes for year, notes in await rows(session, _NOTES)}

    return await cached(session, "ask_notes", read, len)


def _first_of_theme(model: type[m.Position] | type[m.UnnamedClaim]) -> Select[Unpack[tuple[Any, ...]]]:
    rn = func.row_number().over(partition_by=model.theme_id, order_by=model.id).label("rn")
    sub = select(model.theme_id, model.source_id, model.excerpt, rn).where(model.dialogue_id == bindparam("dialogue_id")).subquery()
    return select(sub.c.theme_id, sub.c.source_id, sub.c.excerpt).where(sub.c.rn == 1)


_FIRST = (_first_of_theme(m.Position), _first_of_theme(m.UnnamedClaim))


async def first_excerpts(session: AsyncSession, year: int) -> dict[str, tuple[SourceRef, str]]:
    """One excerpt per theme raised at a meeting (the first recorded), by slug: what proves the theme came up."""

    async def read() -> dict[str, tuple[SourceRef, str]]:
        ref = await reference(session)
        out: dict[str, tuple[SourceRef, str]] = {}
        for statement in _FIRST:
            for theme_id, source_id, excerpt in await rows(session, statement, {"dialogue_id": ref.dialogue_ids.get(year, -1)}):
                out.setdefault(ref.themes[theme_id].slug, (ref.sources[source_id], excerpt))
        return out

    return await cached(session, ("ask_first", year), read, len)


async def report_points(session: AsyncSession) -> tuple[ReportFactInfo, ...]:
    """The Secretary-General's report point by point: its `report_facts` and, as points of kind "contribution",
    each item of its lists of what regional and sub-regional arrangements can do (the pillars' records)."""
    points = [f for f in await report_facts(session) if f.document == "report"]
    for number in (1, 2, 3):
        pillar = await pillar_explainer(session, number)
        if pillar is None:
            continue
        points.extend(ReportFactInfo(year=None, document="report", pillar=number, section=None, kind="contribution",
                                     subject=c.heading, summary=c.heading, excerpt=c.excerpt, actor=None,
                                     source=pillar.source) for c in pillar.contributions)
    return tuple(points)
