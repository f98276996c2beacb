from __future__ import annotations

from sqlalchemy import BindParameter, ColumnElement, bindparam, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db import models as m
from db.models import Dialogue, DialogueClaim, Quote, Role, Statement, StatementBehalf
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
from db.queries.convert import AnyRow, Reference, Rows, reference, rows
from db.queries.themes import list_themes
from db.results import DialogueDetail, DialogueFacts, DialogueSummary, MeetingSpeakers, SourceClaim

_ROLE_ORDER = {"opening_remarks": 0, "moderator": 1, "panelist": 2}

SUMMARY_COLUMNS = (
    Dialogue.id, Dialogue.year, Dialogue.dates, Dialogue.kind, Dialogue.meeting, Dialogue.title, Dialogue.ordinal,
    Dialogue.report_title, Dialogue.report_symbol, Dialogue.report_date, Dialogue.detailed,
)


def summary(d: Dialogue | AnyRow, detailed: bool | None = None) -> DialogueSummary:
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


def _has_records() -> ColumnElement[bool]:
    """Whether a meeting has records of who said what (seeded from the corpus or added by admins)."""
    return or_(*(exists().where(model.dialogue_id == Dialogue.id) for model in (m.Position, Statement, Role)))


async def list_dialogues(session: AsyncSession) -> list[DialogueSummary]:
    """Every meeting by year (kept until the records change)."""
    return list(await cached(session, "list_dialogues", lambda: _list_dialogues(session), len))


async def _list_dialogues(session: AsyncSession) -> tuple[DialogueSummary, ...]:
    found = await rows(session, select(*SUMMARY_COLUMNS, _has_records().label("recorded")).order_by(Dialogue.year))
    return tuple(summary(d, d.detailed or bool(d.recorded)) for d in found)


async def dialogue_years(session: AsyncSession) -> list[int]:
    return list(await session.scalars(select(Dialogue.year).order_by(Dialogue.year)))


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


def claim_infos(found: Rows, ref: Reference) -> tuple[SourceClaim, ...]:
    """Rows of DETAIL["claims"], read by column name."""
    return tuple(
        SourceClaim(row.field, row.measure, row.value_int, row.value_text, ref.sources[row.source_id], row.excerpt)
        for row in found
    )


async def dialogue_detail(session: AsyncSession, year: int) -> DialogueDetail | None:
    """One meeting in full (kept until the records change)."""
    return await cached(session, ("dialogue_detail", year), lambda: _dialogue_detail(session, year), _detail_size)


def _detail_size(detail: DialogueDetail | None) -> int:
    if detail is None:
        return 1
    return len(detail.claims) + len(detail.roles) + len(detail.statements) + len(detail.themes) + len(detail.quotes)


_MEETING: BindParameter[int] = bindparam("dialogue_id")
DETAIL = {  # the statements of a meeting's detail, built once
    "claims": select(DialogueClaim.field, DialogueClaim.measure, DialogueClaim.value_int, DialogueClaim.value_text,
                     DialogueClaim.source_id, DialogueClaim.excerpt)
    .where(DialogueClaim.dialogue_id == _MEETING)
    .order_by(DialogueClaim.id),
    "roles": select(*ROLE_COLUMNS).where(Role.dialogue_id == _MEETING).order_by(Role.id),
    "behalf": select(StatementBehalf.statement_id, StatementBehalf.actor_id)
    .join(Statement, Statement.id == StatementBehalf.statement_id)
    .where(Statement.dialogue_id == _MEETING)
    .order_by(StatementBehalf.statement_id, StatementBehalf.actor_id),
    "statements": select(*STATEMENT_COLUMNS).where(Statement.dialogue_id == _MEETING).order_by(Statement.id),
    "quotes": select(*QUOTE_COLUMNS).where(Quote.dialogue_id == _MEETING).order_by(Quote.id),
}
MEETING_OF_YEAR = select(
    *SUMMARY_COLUMNS, Dialogue.focus_pillars, Dialogue.participation_as_reported, Dialogue.source_urls, Dialogue.notes
).where(Dialogue.year == bindparam("year"))


async def meeting_speakers(session: AsyncSession, year: int) -> MeetingSpeakers | None:
    """Who spoke at one meeting, as the sources list them (kept until the records change)."""
    return await cached(session, ("meeting_speakers", year), lambda: _meeting_speakers(session, year),
                        lambda found: 1 + (len(found.claims) + len(found.roles) + len(found.statements) if found else 0))


async def _meeting_speakers(session: AsyncSession, year: int) -> MeetingSpeakers | None:
    ref = await reference(session)
    if year not in ref.dialogue_ids:
        return None
    meeting = {"dialogue_id": ref.dialogue_ids[year]}
    parts = {part: await rows(session, DETAIL[part], meeting) for part in ("claims", "roles", "behalf", "statements")}
    return MeetingSpeakers(
        claims=claim_infos(parts["claims"], ref),
        roles=tuple(sorted(role_infos(parts["roles"], ref), key=lambda r: _ROLE_ORDER.get(r.role, 9))),
        statements=tuple(statement_infos(parts["statements"], behalf_names(parts["behalf"], ref), ref)),
    )


async def _dialogue_detail(session: AsyncSession, year: int) -> DialogueDetail | None:
    found = await rows(session, MEETING_OF_YEAR, {"year": year})
    speakers = await meeting_speakers(session, year)
    if not found or speakers is None:
        return None
    dialogue = found[0]
    ref = await reference(session)
    claims, role_list, statement_list = speakers.claims, speakers.roles, speakers.statements
    quote_list = tuple(quote_infos(await rows(session, DETAIL["quotes"], {"dialogue_id": dialogue.id}), ref))
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
