"""What a briefing note on one actor needs beyond its profile: who the sources name alongside it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from db.queries.actors import actor_profile
from db.queries.themes import theme_states
from db.results import PositionCompany, StateBrief


async def state_brief(session: AsyncSession, name: str) -> StateBrief | None:
    """An actor's profile, each position with the other actors its source names on that theme at that dialogue.

    Only named actors are "alongside": a group the source counts without names
    (“Fourteen states…”) is kept apart, since the source does not say who is in it.
    Built from the cached profile and theme queries, so it follows every change to the records.
    """
    profile = await actor_profile(session, name)
    if profile is None:
        return None
    company = []
    for p in profile.positions:
        states = await theme_states(session, p.theme.slug, p.year)
        group = next((g for g in states.groups if g.year == p.year), None) if states else None
        alongside = tuple(
            dict.fromkeys(o for o in (group.positions if group else ()) if o.source == p.source and o.actor != p.actor)
        )
        unnamed = tuple(u for u in (group.unnamed if group else ()) if u.source == p.source)
        company.append(PositionCompany(p, alongside, unnamed))
    return StateBrief(profile, tuple(company))
