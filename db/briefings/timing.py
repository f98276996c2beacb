"""When scheduled briefings run: a local wall-clock rule turned into UTC instants with `zoneinfo`.

A schedule says "09:00 Europe/Paris every Monday"; it stays at 09:00 local time
whatever daylight-saving time does. Days when the clocks change are handled
deterministically:

* a local time that does not exist that day (spring forward: 02:30 in Paris on
  the last Sunday of March) runs as if the clocks had not changed yet, that is
  shifted forward by the gap — at 03:30 summer time (PEP 495, ``fold=0``);
* a local time that happens twice (fall back) runs once, at the first of the
  two, still in summer time (``fold=0``);
* a monthly day the month lacks (31 in April) runs on the month's last day.

Missed runs: when the bot comes back, the newest occurrence that is due posts
once if it is no older than the grace window; every older one is skipped, so a
long outage never produces a burst of posts.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from db.briefing_models import Cadence

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ONE_DAY = timedelta(days=1)
SCAN_DAYS = 400  # longer than any gap between two occurrences (at most 31 days)
MISSED_CAP = 1000  # counting missed runs stops here (the count is for the log)

_TIME = re.compile(r"^\s*(\d{1,2})\s*[:.hH]\s*(\d{2})\s*$")


def as_utc(moment: datetime) -> datetime:
    """Aware UTC; a naive value (as SQLite returns it) is taken to be UTC already."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def parse_time(text: str) -> tuple[int, int]:
    """"09:00", "9:00", "21.30" or "9h30" → (hour, minute); anything else raises ValueError."""
    match = _TIME.match(text or "")
    if not match:
        raise ValueError(f"“{(text or '')[:20]}” is not a time: write it as HH:MM in 24-hour form, e.g. 09:00 or 17:30.")
    hour, minute = int(match[1]), int(match[2])
    if hour > 23 or minute > 59:
        raise ValueError(f"“{text.strip()[:20]}” is not a time of day: hours go from 00 to 23, minutes from 00 to 59.")
    return hour, minute


@lru_cache(maxsize=1)
def timezone_names() -> tuple[str, ...]:
    """Every IANA zone name zoneinfo knows (system data or the tzdata package), sorted."""
    return tuple(sorted(available_timezones()))


@lru_cache(maxsize=1)
def _folded_names() -> dict[str, str]:
    return {name.casefold(): name for name in timezone_names()}


def find_timezone(text: str) -> str | None:
    """The IANA name for `text`, ignoring case and accepting spaces for underscores; None if unknown."""
    key = (text or "").strip().replace(" ", "_").casefold()
    return _folded_names().get(key)


COMMON_TIMEZONES = (
    "UTC", "America/New_York", "Europe/London", "Europe/Paris", "Europe/Berlin", "Europe/Zurich",
    "Africa/Nairobi", "Africa/Lagos", "Africa/Johannesburg", "Asia/Kolkata", "Asia/Bangkok",
    "Asia/Manila", "Asia/Tokyo", "Australia/Sydney", "America/Sao_Paulo", "America/Santiago",
    "America/Mexico_City", "America/Los_Angeles",
)


def rank_timezones(typed: str, limit: int = 25) -> list[str]:
    """Zone names for autocomplete: whole name, then a part ("paris", "new york"), then anywhere in it."""
    key = (typed or "").strip().replace(" ", "_").casefold()
    if not key:
        return [name for name in COMMON_TIMEZONES if name in _folded_names().values()][:limit]
    ranked: list[tuple[int, int, str]] = []
    for folded, name in _folded_names().items():
        parts = folded.split("/")
        if folded.startswith(key):
            rank = 0
        elif any(part.startswith(key) for part in parts[1:]):
            rank = 1
        elif key in folded:
            rank = 2
        else:
            continue
        ranked.append((rank, len(name), name))
    return [name for _, _, name in sorted(ranked)[:limit]]


@dataclass(frozen=True)
class Timing:
    """A schedule's local rule. `weekday` (0 = Monday) is for weekly, `day` (1–31) for monthly."""

    cadence: Cadence
    hour: int
    minute: int
    timezone: str
    weekday: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if not (0 <= self.hour <= 23 and 0 <= self.minute <= 59):
            raise ValueError("the time must be between 00:00 and 23:59")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {self.timezone!r}") from None
        if self.cadence is Cadence.weekly and (self.weekday is None or not 0 <= self.weekday <= 6):
            raise ValueError("a weekly schedule needs a weekday")
        if self.cadence is Cadence.monthly and (self.day is None or not 1 <= self.day <= 31):
            raise ValueError("a monthly schedule needs a day of the month from 1 to 31")
        if self.cadence is not Cadence.weekly and self.weekday is not None:
            raise ValueError("only weekly schedules take a weekday")
        if self.cadence is not Cadence.monthly and self.day is not None:
            raise ValueError("only monthly schedules take a day of the month")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def local_time(self) -> str:
        return f"{self.hour:02d}:{self.minute:02d}"

    def occurs_on(self, day: date) -> bool:
        if self.cadence is Cadence.daily:
            return True
        if self.cadence is Cadence.weekly:
            return day.weekday() == self.weekday
        assert self.day is not None
        return day.day == min(self.day, calendar.monthrange(day.year, day.month)[1])

    def at(self, day: date) -> datetime:
        """The UTC instant of this schedule's wall-clock time on `day` (DST policy in the module docstring)."""
        wall = datetime(day.year, day.month, day.day, self.hour, self.minute, tzinfo=self.zone)  # fold=0
        return wall.astimezone(UTC)

    def clock_change(self, day: date) -> Literal["gap", "overlap"] | None:
        """Whether the wall-clock time does not exist ("gap") or happens twice ("overlap") on `day`."""
        wall = datetime(day.year, day.month, day.day, self.hour, self.minute, tzinfo=self.zone)
        first, second = wall.utcoffset(), wall.replace(fold=1).utcoffset()
        if first == second:
            return None
        return "gap" if wall.astimezone(UTC).astimezone(self.zone).replace(tzinfo=None) != wall.replace(tzinfo=None) else "overlap"


def next_run(timing: Timing, after: datetime) -> datetime:
    """The first occurrence strictly after `after` (aware), in UTC."""
    after = as_utc(after)
    day = after.astimezone(timing.zone).date() - ONE_DAY
    for _ in range(SCAN_DAYS):
        if timing.occurs_on(day):
            moment = timing.at(day)
            if moment > after:
                return moment
        day += ONE_DAY
    raise AssertionError(f"no occurrence of {timing} within {SCAN_DAYS} days")  # pragma: no cover


def previous_run(timing: Timing, at: datetime) -> datetime:
    """The latest occurrence at or before `at`, in UTC."""
    at = as_utc(at)
    day = at.astimezone(timing.zone).date() + ONE_DAY
    for _ in range(SCAN_DAYS):
        if timing.occurs_on(day):
            moment = timing.at(day)
            if moment <= at:
                return moment
        day -= ONE_DAY
    raise AssertionError(f"no occurrence of {timing} within {SCAN_DAYS} days")  # pragma: no cover


def clock_changes_ahead(timing: Timing, start: datetime, days: int = 366) -> dict[str, date]:
    """The first day in the coming year on which the time falls in a DST gap and/or overlap."""
    found: dict[str, date] = {}
    day = as_utc(start).astimezone(timing.zone).date()
    for _ in range(days):
        if timing.occurs_on(day):
            change = timing.clock_change(day)
            if change and change not in found:
                found[change] = day
        day += ONE_DAY
    return found


@dataclass(frozen=True)
class DuePlan:
    """What to do with a schedule whose `next_run_at` has passed."""

    expected: datetime  # the stored next_run_at: the compare-and-set value
    run_at: datetime | None  # the occurrence to post now, or None when every due one is too old
    missed: int  # occurrences skipped (capped at MISSED_CAP)
    first_missed: datetime | None
    last_missed: datetime | None
    next_run_at: datetime  # the first occurrence after now


def plan_due(timing: Timing, next_run_at: datetime, now: datetime, grace: timedelta) -> DuePlan | None:
    """None if not due yet. Otherwise: post the newest due occurrence if it is at most `grace` old, skip the rest."""
    next_run_at, now = as_utc(next_run_at), as_utc(now)
    if next_run_at > now:
        return None
    latest = max(previous_run(timing, now), next_run_at)
    older: list[datetime] = []
    moment = next_run_at
    while moment < latest and len(older) < MISSED_CAP:
        older.append(moment)
        moment = next_run(timing, moment)
    if now - latest <= grace:
        run_at, missed = latest, older
    else:
        run_at, missed = None, older + [latest]
    return DuePlan(
        expected=next_run_at,
        run_at=run_at,
        missed=len(missed),
        first_missed=missed[0] if missed else None,
        last_missed=missed[-1] if missed else None,
        next_run_at=next_run(timing, now),
    )


def describe_rhythm(timing: Timing) -> str:
    """"every Monday at 09:00 Europe/Paris", "every day at 07:30 UTC", "on the 31st of every month at …"."""
    when = f"at {timing.local_time} {timing.timezone}"
    if timing.cadence is Cadence.daily:
        return f"every day {when}"
    if timing.cadence is Cadence.weekly:
        assert timing.weekday is not None
        return f"every {WEEKDAYS[timing.weekday]} {when}"
    assert timing.day is not None
    last = " (the last day in shorter months)" if timing.day > 28 else ""
    return f"on the {ordinal(timing.day)} of every month{last} {when}"


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def local_label(moment: datetime, zone: str) -> str:
    """"Mon 8 Apr 2024, 09:00 CEST": an instant as the schedule's readers see it."""
    local = as_utc(moment).astimezone(ZoneInfo(zone))
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M} {local.tzname()}"
