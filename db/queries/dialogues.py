from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from db import models as m
from db.queries.convert import quote_info, role_info, source_ref, statement_info
from db.queries.themes import list_themes
from db.results import Claim, DialogueDetail, DialogueSummary

_ROLE_ORDER = {"opening_remarks": 0, "moderator": 1, "panelist": 2}


def summary(d: m.Dialogue, detailed: bool | None = None) -> DialogueSummary:
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


async def _with_records(session: AsyncSession) -> set[int]:
    """Dialogues with records of who said what (seeded from the corpus or added by admins)."""
    found: set[int] = set()
    for model in (m.Position, m.Statement, m.Role):
        found.update(await session.scalars(select(model.dialogue_id).distinct()))
    return found


async def list_dialogues(session: AsyncSession) -> list[DialogueSummary]:
    rows = await session.scalars(select(m.Dialogue).order_by(m.Dialogue.year))
    recorded = await _with_records(session)
    return [summary(d, d.detailed or d.id in recorded) for d in rows]


async def dialogue_years(session: AsyncSession) -> list[int]:
    return list(await session.scalars(select(m.Dialogue.year).order_by(m.Dialogue.year)))


async def dialogue_detail(session: AsyncSession, year: int) -> DialogueDetail | None:
    dialogue = await session.scalar(
        select(m.Dialogue)
        .where(m.Dialogue.year == year)
        .options(selectinload(m.Dialogue.claims).selectinload(m.DialogueClaim.source))
    )
    if dialogue is None:
        return None
    roles = await session.scalars(
        select(m.Role)
        .where(m.Role.dialogue_id == dialogue.id)
        .options(selectinload(m.Role.actor), selectinload(m.Role.source), selectinload(m.Role.dialogue))
        .order_by(m.Role.id)
    )
    statements = await session.scalars(
        select(m.Statement)
        .where(m.Statement.dialogue_id == dialogue.id)
        .options(
            selectinload(m.Statement.actor),
            selectinload(m.Statement.source),
            selectinload(m.Statement.dialogue),
            selectinload(m.Statement.on_behalf_of).selectinload(m.StatementBehalf.actor),
        )
        .order_by(m.Statement.id)
    )
    quotes = await session.scalars(
        select(m.Quote)
        .where(m.Quote.dialogue_id == dialogue.id)
        .options(selectinload(m.Quote.speaker), selectinload(m.Quote.source), selectinload(m.Quote.dialogue))
        .order_by(m.Quote.id)
    )
    claims = tuple(
        Claim(c.field, c.measure, c.value_int, c.value_text, source_ref(c.source), c.excerpt)
        for c in sorted(dialogue.claims, key=lambda c: c.id)
    )
    role_infos = tuple(sorted((role_info(r) for r in roles), key=lambda r: _ROLE_ORDER.get(r.role, 9)))
    statement_infos = tuple(statement_info(s) for s in statements)
    quote_infos = tuple(quote_info(q) for q in quotes)
    themes = tuple(await list_themes(session, year))
    refs = [c.source for c in claims] + [r.source for r in role_infos] + [s.source for s in statement_infos]
    refs += [q.source for q in quote_infos] + [u.source for t in themes for u in t.unnamed]
    sources_in_db = await session.scalars(select(m.SourceDocument).where(m.SourceDocument.dialogue_year == year))
    refs += [source_ref(s) for s in sources_in_db]
    return DialogueDetail(
        summary=summary(dialogue, dialogue.detailed or bool(role_infos or statement_infos or themes)),
        focus_pillars=tuple(dialogue.focus_pillars or ()),
        participation_as_reported=dialogue.participation_as_reported,
        source_urls=tuple(dialogue.source_urls or ()),
        notes=dialogue.notes,
        claims=claims,
        roles=role_infos,
        statements=statement_infos,
        themes=themes,
        quotes=quote_infos,
        sources=tuple(dict.fromkeys(refs)),
    )
