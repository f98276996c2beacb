from __future__ import annotations

from sqlalchemy import bindparam, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db import models as m
from db.queries.actors import (
    QUOTE_COLUMNS,
    ROLE_COLUMNS,
    STATEMENT_COLUMNS,
    behalf_names,
    quote_infos,
    role_infos,
    statement_infos,
)
from db.queries.cache import cached
from db.queries.convert import reference, rows
from db.queries.themes import list_themes
from db.results import SourceClaim, DialogueDetail, DialogueFacts, DialogueSummary

_ROLE_ORDER = {"opening_remarks": 0, "moderator": 1, "panelist": 2}

D, S = m.Dialogue, m.SourceDocument
SUMMARY_COLUMNS = (D.id, D.year, D.dates, D.kind, D.meeting, D.title, D.ordinal, D.report_title, D.report_symbol,
                   D.report_date, D.detailed)


def summary(d, detailed: bool | None = None) -> DialogueSummary:  # type: ignore[no-untyped-def]
    """A meeting's summary from a `Dialogue` or a row of its columns."""
    return DialogueSummary(
        year=d.year,
        dates=d.dates,
        kind=d.kind,
        meeting=d.meeting,
        title=d.title,
        ordinal=d.ordinal,
        report_title=d.report_title,
        report_symbol=d.report_symbol,
        report_date=d.report_date,
        detailed=d.detailed if detailed is None else detailed,
    )


def _has_records():  # type: ignore[no-untyped-def]
    """Whether a meeting has records of who said what (seeded from the corpus or added by admins)."""
    return or_(*(exists().where(model.dialogue_id == D.id) for model in (m.Position, m.Statement, m.Role)))


async def list_dialogues(session: AsyncSession) -> list[DialogueSummary]:
    """Every meeting by year (kept until the records change)."""
    return list(await cached(session, "list_dialogues", lambda: _list_dialogues(session), len))


async def _list_dialogues(session: AsyncSession) -> tuple[DialogueSummary, ...]:
    found = await rows(session, select(*SUMMARY_COLUMNS, _has_records().label("recorded")).order_by(D.year))
    return tuple(summary(d, d.detailed or bool(d.recorded)) for d in found)


async def dialogue_years(session: AsyncSession) -> list[int]:
    return list(await session.scalars(select(D.year).order_by(D.year)))


async def dialogue_facts(session: AsyncSession, year: int) -> DialogueFacts | None:
    """A meeting's summary and the sources' statements about it (kept until the records change)."""
    return await cached(session, ("dialogue_facts", year), lambda: _dialogue_facts(session, year),
                        lambda facts: 1 + len(facts.claims) if facts else 1)


async def _dialogue_facts(session: AsyncSession, year: int) -> DialogueFacts | None:
    meeting = next((d for d in await list_dialogues(session) if d.year == year), None)
    if meeting is None:
        return None
    ref = await reference(session)
    found = await rows(session, DETAIL["claims"], {"dialogue_id": ref.dialogue_ids[year]})
    return DialogueFacts(meeting, claim_infos(found, ref))


def claim_infos(found, ref) -> tuple[SourceClaim, ...]:  # type: ignore[no-untyped-def]
    return tuple(
        SourceClaim(field, measure, value_int, value_text, ref.sources[source_id], excerpt)
        for field, measure, value_int, value_text, source_id, excerpt in found
    )


async def dialogue_detail(session: AsyncSession, year: int) -> DialogueDetail | None:
    """One meeting in full (kept until the records change)."""
    return await cached(session, ("dialogue_detail", year), lambda: _dialogue_detail(session, year), _detail_size)


def _detail_size(detail: DialogueDetail | None) -> int:
    if detail is None:
        return 1
    return len(detail.claims) + len(detail.roles) + len(detail.statements) + len(detail.themes) + len(detail.quotes)


_MEETING = bindparam("dialogue_id")
_C, _St, _Sb, _R, _Q = m.DialogueClaim, m.Statement, m.StatementBehalf, m.Role, m.Quote
DETAIL = {  # the statements of a meeting's detail, built once
    "claims": select(_C.field, _C.measure, _C.value_int, _C.value_text, _C.source_id, _C.excerpt)
    .where(_C.dialogue_id == _MEETING)
    .order_by(_C.id),
    "roles": select(*ROLE_COLUMNS).where(_R.dialogue_id == _MEETING).order_by(_R.id),
    "behalf": select(_Sb.statement_id, _Sb.actor_id)
    .join(_St, _St.id == _Sb.statement_id)
    .where(_St.dialogue_id == _MEETING)
    .order_by(_Sb.statement_id, _Sb.actor_id),
    "statements": select(*STATEMENT_COLUMNS).where(_St.dialogue_id == _MEETING).order_by(_St.id),
    "quotes": select(*QUOTE_COLUMNS).where(_Q.dialogue_id == _MEETING).order_by(_Q.id),
}
MEETING_OF_YEAR = select(*SUMMARY_COLUMNS, D.focus_pillars, D.participation_as_reported, D.source_urls, D.notes).where(
    D.year == bindparam("year")
)


async def _dialogue_detail(session: AsyncSession, year: int) -> DialogueDetail | None:
    found = await rows(session, MEETING_OF_YEAR, {"year": year})
    if not found:
        return None
    dialogue = found[0]
    ref = await reference(session)
    parts = {part: await rows(session, statement, {"dialogue_id": dialogue.id}) for part, statement in DETAIL.items()}
    claims = claim_infos(parts["claims"], ref)
    role_list = tuple(sorted(role_infos(parts["roles"], ref), key=lambda r: _ROLE_ORDER.get(r.role, 9)))
    statement_list = tuple(statement_infos(parts["statements"], behalf_names(parts["behalf"], ref), ref))
    quote_list = tuple(quote_infos(parts["quotes"], ref))
    themes = tuple(await list_themes(session, year))
    refs_cited = [c.source for c in claims] + [r.source for r in role_list] + [s.source for s in statement_list]
    refs_cited += [q.source for q in quote_list] + [u.source for t in themes for u in t.unnamed]
    refs_cited += [source for source in ref.sources.values() if source.dialogue_year == year]
    return DialogueDetail(
        summary=summary(dialogue, dialogue.detailed or bool(role_list or statement_list or themes)),
        focus_pillars=tuple(dialogue.focus_pillars or ()),
        participation_as_reported=dialogue.participation_as_reported,
        source_urls=tuple(dialogue.source_urls or ()),
        notes=dialogue.notes,
        claims=claims,
        roles=role_list,
        statements=statement_list,
        themes=themes,
        quotes=quote_list,
        sources=tuple(dict.fromkeys(refs_cited)),
    )
