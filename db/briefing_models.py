"""Tables for scheduled briefings: the schedules, and one row per run (posted, skipped, missed or failed).

Times are stored in UTC (`next_run_at` is the instant of the next post); the
local rule (cadence, weekday or day, HH:MM, IANA time zone) is kept as typed so
that every next run is recomputed in the schedule's own time zone.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.models import Base, Tracked, _enum, utcnow


class Cadence(str, enum.Enum):
    daily = "daily"
    weekly = "weekly"
    monthly = "monthly"


class ContentKind(str, enum.Enum):
    pillar = "pillar"  # pillar explainer, 1 → 2 → 3 → 1
    dialogue = "dialogue"  # one dialogue's key facts, through the timeline
    theme = "theme"  # a theme and who raised it
    state = "state"  # one actor's record
    on_this_day = "on-this-day"  # dated events on the day's anniversary; silent on other days


class ScheduleStatus(str, enum.Enum):
    active = "active"
    paused = "paused"
    cancelled = "cancelled"


class RunTrigger(str, enum.Enum):
    scheduled = "scheduled"
    manual = "manual"  # /briefing post-now


class RunStatus(str, enum.Enum):
    claimed = "claimed"  # won by a scheduler, post under way (a dead owner's run is resolved by the next scheduler)
    posted = "posted"
    skipped = "skipped"  # nothing to post (no anniversary that day)
    missed = "missed"  # the bot was offline longer than the grace window
    failed = "failed"
    abandoned = "abandoned"  # the bot stopped mid-post and the run was past the grace window, not in the channel


class BriefingSchedule(Tracked, Base):
    """A channel's briefing rhythm; `rotation_key` is the item posted last (advanced only by a successful post)."""

    __tablename__ = "briefing_schedules"

    id: Mapped[int] = mapped_column(primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger, index=True)
    channel_id: Mapped[int] = mapped_column(BigInteger)
    cadence: Mapped[Cadence] = mapped_column(_enum(Cadence))
    weekday: Mapped[int | None] = mapped_column(Integer)  # 0 = Monday, weekly only
    day: Mapped[int | None] = mapped_column(Integer)  # 1–31, monthly only
    local_time: Mapped[str] = mapped_column(String(5))  # "HH:MM", 24-hour, in `timezone`
    timezone: Mapped[str] = mapped_column(String(64))  # IANA name
    content: Mapped[ContentKind] = mapped_column(_enum(ContentKind))
    rotation_key: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[ScheduleStatus] = mapped_column(_enum(ScheduleStatus), default=ScheduleStatus.active, index=True)
    pause_reason: Mapped[str | None] = mapped_column(String(500))
    paused_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    next_run_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)  # UTC
    last_message_id: Mapped[int | None] = mapped_column(BigInteger)
    last_posted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    posts_count: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_by_name: Mapped[str] = mapped_column(String(100))


class BriefingRun(Base):
    """One due or manual run of a schedule; the unique key makes a second claim of the same run impossible."""

    __tablename__ = "briefing_runs"
    __table_args__ = (UniqueConstraint("schedule_id", "trigger", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("briefing_schedules.id", ondelete="CASCADE"), index=True)
    trigger: Mapped[RunTrigger] = mapped_column(_enum(RunTrigger))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # UTC
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    status: Mapped[RunStatus] = mapped_column(_enum(RunStatus), index=True)
    item_key: Mapped[str | None] = mapped_column(String(200))
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    posted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    detail: Mapped[str | None] = mapped_column(String(500))
    claimed_by: Mapped[str | None] = mapped_column(String(120))  # "host:pid:token" of the claiming scheduler
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # renewed while it posts
