"""ORM rows to result types."""

from __future__ import annotations

from db import models as m
from db.results import (
    PositionInfo,
    QuoteInfo,
    RoleInfo,
    SourceRef,
    StatementInfo,
    ThemeInfo,
    UnnamedInfo,
)


def source_ref(s: m.SourceDocument) -> SourceRef:
    return SourceRef(s.key, s.title, s.publisher, s.date, s.date_note, s.kind, s.dialogue_year)


def theme_info(t: m.Theme) -> ThemeInfo:
    return ThemeInfo(t.slug, t.name, t.description, t.pillar, tuple(t.keywords or ()))


def role_info(r: m.Role) -> RoleInfo:
    return RoleInfo(
        r.dialogue.year, r.actor.name, r.actor.kind.value, r.role.value, r.title, source_ref(r.source), r.excerpt
    )


def statement_info(s: m.Statement) -> StatementInfo:
    return StatementInfo(
        year=s.dialogue.year,
        actor=s.actor.name,
        actor_kind=s.actor.kind.value,
        languages=tuple(s.languages or ()),
        on_behalf_of=tuple(b.actor.name for b in s.on_behalf_of),
        delivered=s.delivered,
        note=s.note,
        source=source_ref(s.source),
        excerpt=s.excerpt,
    )


def quote_info(q: m.Quote) -> QuoteInfo:
    return QuoteInfo(q.dialogue.year, q.speaker.name, q.text, source_ref(q.source))


def position_info(p: m.Position) -> PositionInfo:
    return PositionInfo(
        year=p.dialogue.year,
        actor=p.actor.name,
        actor_kind=p.actor.kind.value,
        theme=theme_info(p.theme),
        stance=p.stance.value,
        summary=p.summary,
        excerpt=p.excerpt,
        source=source_ref(p.source),
        partial=p.partial,
    )


def unnamed_info(u: m.UnnamedClaim) -> UnnamedInfo:
    return UnnamedInfo(
        year=u.dialogue.year,
        theme=theme_info(u.theme),
        count=u.count,
        quantity=u.quantity,
        stance=u.stance.value,
        summary=u.summary,
        excerpt=u.excerpt,
        source=source_ref(u.source),
    )
