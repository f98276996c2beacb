"""Next-run computation across daylight-saving changes (both hemispheres), and the missed-run policy."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from db.briefing_models import Cadence
from db.briefings.timing import (
    Timing,
    clock_changes_ahead,
    describe_rhythm,
    find_timezone,
    next_run,
    parse_time,
    plan_due,
    previous_run,
    rank_timezones,
)

PARIS = "Europe/Paris"  # CET/CEST: forward last Sunday of March 02:00, back last Sunday of October 03:00
SYDNEY = "Australia/Sydney"  # AEST/AEDT: forward first Sunday of October 02:00, back first Sunday of April 03:00
SANTIAGO = "America/Santiago"  # forward at midnight in September, back at midnight in April


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def runs(timing: Timing, after: datetime, count: int) -> list[datetime]:
    found = []
    for _ in range(count):
        after = next_run(timing, after)
        found.append(after)
    return found


def local(moment: datetime, zone: str) -> tuple[date, str, str]:
    at = moment.astimezone(ZoneInfo(zone))
    return at.date(), at.strftime("%H:%M"), at.tzname() or ""


# -- daily ------------------------------------------------------------------------------


def test_daily_paris_stays_at_nine_local_across_both_changes():
    timing = Timing(Cadence.daily, 9, 0, PARIS)
    spring = runs(timing, utc(2024, 3, 29, 12), 3)
    assert spring == [utc(2024, 3, 30, 8), utc(2024, 3, 31, 7), utc(2024, 4, 1, 7)]
    autumn = runs(timing, utc(2024, 10, 25, 12), 3)
    assert autumn == [utc(2024, 10, 26, 7), utc(2024, 10, 27, 8), utc(2024, 10, 28, 8)]
    assert {local(m, PARIS)[1] for m in spring + autumn} == {"09:00"}
    assert [local(m, PARIS)[2] for m in spring] == ["CET", "CEST", "CEST"]


def test_daily_sydney_stays_at_nine_local_across_both_changes():
    timing = Timing(Cadence.daily, 9, 0, SYDNEY)
    april = runs(timing, utc(2024, 4, 5, 12), 3)  # summer time ends on Sunday 7 April
    assert april == [utc(2024, 4, 5, 22), utc(2024, 4, 6, 23), utc(2024, 4, 7, 23)]
    october = runs(timing, utc(2024, 10, 4, 12), 3)  # summer time starts on Sunday 6 October
    assert october == [utc(2024, 10, 4, 23), utc(2024, 10, 5, 22), utc(2024, 10, 6, 22)]
    assert {local(m, SYDNEY)[1] for m in april + october} == {"09:00"}
    assert [local(m, SYDNEY)[0].day for m in april] == [6, 7, 8]


# -- weekly -----------------------------------------------------------------------------


def test_weekly_monday_paris_keeps_its_weekday_and_hour():
    timing = Timing(Cadence.weekly, 9, 0, PARIS, weekday=0)
    spring = runs(timing, utc(2024, 3, 20), 3)
    assert spring == [utc(2024, 3, 25, 8), utc(2024, 4, 1, 7), utc(2024, 4, 8, 7)]
    autumn = runs(timing, utc(2024, 10, 20), 2)
    assert autumn == [utc(2024, 10, 21, 7), utc(2024, 10, 28, 8)]
    for moment in spring + autumn:
        day, hour, _ = local(moment, PARIS)
        assert day.weekday() == 0 and hour == "09:00"


def test_weekly_sunday_sydney_on_the_change_days():
    timing = Timing(Cadence.weekly, 9, 0, SYDNEY, weekday=6)
    assert runs(timing, utc(2024, 3, 28), 2) == [utc(2024, 3, 30, 22), utc(2024, 4, 6, 23)]
    assert runs(timing, utc(2024, 9, 26), 2) == [utc(2024, 9, 28, 23), utc(2024, 10, 5, 22)]


def test_weekly_santiago_across_the_midnight_changes():
    timing = Timing(Cadence.weekly, 8, 30, SANTIAGO, weekday=6)
    september = runs(timing, utc(2024, 9, 1), 2)  # clocks jump 00:00 → 01:00 on Sunday 8 September
    assert september == [utc(2024, 9, 1, 12, 30), utc(2024, 9, 8, 11, 30)]
    april = runs(timing, utc(2024, 3, 31), 2)  # clocks fall back 00:00 → 23:00 on 6/7 April
    assert april == [utc(2024, 3, 31, 11, 30), utc(2024, 4, 7, 12, 30)]
    assert {local(m, SANTIAGO)[1] for m in september + april} == {"08:30"}


# -- monthly ----------------------------------------------------------------------------


def test_monthly_day_31_uses_the_last_day_of_shorter_months_in_local_time():
    timing = Timing(Cadence.monthly, 9, 0, PARIS, day=31)
    found = runs(timing, utc(2024, 1, 31, 12), 4)
    # 29 February (leap year), 31 March (the day summer time starts), 30 April
    assert found == [utc(2024, 2, 29, 8), utc(2024, 3, 31, 7), utc(2024, 4, 30, 7), utc(2024, 5, 31, 7)]
    assert [local(m, PARIS)[1] for m in found] == ["09:00"] * 4


def test_monthly_sydney_across_the_changes():
    timing = Timing(Cadence.monthly, 18, 15, SYDNEY, day=15)
    found = runs(timing, utc(2024, 3, 1), 8)
    assert found[0] == utc(2024, 3, 15, 7, 15)  # AEDT, UTC+11
    assert found[1] == utc(2024, 4, 15, 8, 15)  # AEST, UTC+10
    assert found[7] == utc(2024, 10, 15, 7, 15)  # AEDT again
    assert {local(m, SYDNEY)[1] for m in found} == {"18:15"}


# -- gaps and overlaps -------------------------------------------------------------------------


def test_a_time_in_the_spring_gap_runs_shifted_forward_by_the_gap():
    paris = Timing(Cadence.daily, 2, 30, PARIS)
    assert paris.clock_change(date(2024, 3, 31)) == "gap"
    assert runs(paris, utc(2024, 3, 30, 12), 2) == [utc(2024, 3, 31, 1, 30), utc(2024, 4, 1, 0, 30)]
    assert local(utc(2024, 3, 31, 1, 30), PARIS)[1] == "03:30"  # 02:30 does not exist that day
    sydney = Timing(Cadence.monthly, 2, 30, SYDNEY, day=6)
    assert sydney.clock_change(date(2024, 10, 6)) == "gap"
    assert next_run(sydney, utc(2024, 9, 10)) == utc(2024, 10, 5, 16, 30)  # 03:30 AEDT
    santiago = Timing(Cadence.daily, 0, 30, SANTIAGO)  # 00:00–00:59 does not exist on 8 September
    assert next_run(santiago, utc(2024, 9, 8, 0)) == utc(2024, 9, 8, 4, 30)  # 01:30 -03


def test_a_time_in_the_autumn_overlap_runs_once_at_the_first_occurrence():
    paris = Timing(Cadence.daily, 2, 30, PARIS)
    assert paris.clock_change(date(2024, 10, 27)) == "overlap"
    first = next_run(paris, utc(2024, 10, 26, 12))
    assert first == utc(2024, 10, 27, 0, 30)  # 02:30 CEST, the earlier of the two 02:30s
    assert next_run(paris, first) == utc(2024, 10, 28, 1, 30)  # the second 02:30 (01:30Z) is not a run
    sydney = Timing(Cadence.weekly, 2, 30, SYDNEY, weekday=6)
    assert next_run(sydney, utc(2024, 4, 1)) == utc(2024, 4, 6, 15, 30)  # 02:30 AEDT on 7 April
    assert next_run(sydney, utc(2024, 4, 6, 15, 30)) == utc(2024, 4, 13, 16, 30)


def test_clock_changes_ahead_names_the_affected_days():
    assert clock_changes_ahead(Timing(Cadence.daily, 2, 30, PARIS), utc(2024, 1, 1)) == {
        "gap": date(2024, 3, 31),
        "overlap": date(2024, 10, 27),
    }
    assert clock_changes_ahead(Timing(Cadence.daily, 9, 0, PARIS), utc(2024, 1, 1)) == {}
    weekly = Timing(Cadence.weekly, 2, 30, SYDNEY, weekday=0)  # Mondays never change clocks in Sydney
    assert clock_changes_ahead(weekly, utc(2024, 1, 1)) == {}


@pytest.mark.parametrize(
    "timing",
    [
        Timing(Cadence.daily, 2, 30, PARIS),
        Timing(Cadence.weekly, 0, 15, SANTIAGO, weekday=5),
        Timing(Cadence.weekly, 2, 30, SYDNEY, weekday=6),
        Timing(Cadence.monthly, 23, 59, SYDNEY, day=31),
        Timing(Cadence.monthly, 9, 0, "UTC", day=29),
    ],
    ids=["paris-daily", "santiago-weekly", "sydney-weekly", "sydney-monthly", "utc-monthly-29"],
)
def test_previous_and_next_run_bracket_any_instant(timing):
    rng = random.Random(2024)
    for _ in range(150):
        moment = utc(2023, 1, 1) + timedelta(seconds=rng.randrange(3 * 365 * 86400))
        before, after = previous_run(timing, moment), next_run(timing, moment)
        assert before <= moment < after
        assert next_run(timing, before) == after  # nothing runs between two neighbours
        for run in (before, after):
            day, hhmm, _ = local(run, timing.timezone)
            assert timing.occurs_on(day)
            if timing.clock_change(day) != "gap":
                assert hhmm == timing.local_time


# -- the missed-run policy ---------------------------------------------------------------------


GRACE = timedelta(hours=1)
DAILY = Timing(Cadence.daily, 9, 0, PARIS)


def test_not_due_yet_means_no_plan():
    assert plan_due(DAILY, utc(2024, 5, 6, 7), utc(2024, 5, 6, 6, 59), GRACE) is None


def test_a_run_missed_within_the_grace_window_posts_once():
    plan = plan_due(DAILY, utc(2024, 5, 6, 7), utc(2024, 5, 6, 7, 45), GRACE)
    assert plan.run_at == utc(2024, 5, 6, 7) and plan.missed == 0
    assert plan.next_run_at == utc(2024, 5, 7, 7)


def test_a_run_missed_by_more_than_the_grace_window_is_skipped():
    plan = plan_due(DAILY, utc(2024, 5, 6, 7), utc(2024, 5, 6, 8, 1), GRACE)
    assert plan.run_at is None and plan.missed == 1
    assert plan.first_missed == plan.last_missed == utc(2024, 5, 6, 7)
    assert plan.next_run_at == utc(2024, 5, 7, 7)


def test_a_long_outage_never_bursts_only_the_newest_run_can_post():
    # down from Monday morning to Thursday 09:20 local: Mon, Tue, Wed skipped, Thursday posts once
    plan = plan_due(DAILY, utc(2024, 5, 6, 7), utc(2024, 5, 9, 7, 20), GRACE)
    assert plan.run_at == utc(2024, 5, 9, 7)
    assert (plan.missed, plan.first_missed, plan.last_missed) == (3, utc(2024, 5, 6, 7), utc(2024, 5, 8, 7))
    assert plan.next_run_at == utc(2024, 5, 10, 7)
    # the same outage ending at 11:00 local: nothing posts
    late = plan_due(DAILY, utc(2024, 5, 6, 7), utc(2024, 5, 9, 9), GRACE)
    assert late.run_at is None and late.missed == 4


def test_zero_grace_posts_only_on_time():
    assert plan_due(DAILY, utc(2024, 5, 6, 7), utc(2024, 5, 6, 7), timedelta(0)).run_at == utc(2024, 5, 6, 7)
    assert plan_due(DAILY, utc(2024, 5, 6, 7), utc(2024, 5, 6, 7, 0, 1), timedelta(0)).run_at is None


# -- parsing and naming ----------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [("09:00", (9, 0)), ("9:05", (9, 5)), ("21.30", (21, 30)), ("7h45", (7, 45)), (" 00:00 ", (0, 0))])
def test_parse_time_accepts_24_hour_forms(text, expected):
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["25:00", "9", "9am", "12:60", "", "09:00:00"])
def test_parse_time_rejects_anything_else(text):
    with pytest.raises(ValueError, match="HH:MM|time of day"):
        parse_time(text)


def test_time_zones_are_found_case_insensitively_and_ranked_for_autocomplete():
    assert find_timezone("europe/paris") == PARIS
    assert find_timezone("America/New York") == "America/New_York"
    assert find_timezone("Mars/Olympus_Mons") is None
    assert rank_timezones("paris")[0] == PARIS
    assert rank_timezones("new york")[0] == "America/New_York"
    europe = rank_timezones("Europe/")
    assert len(europe) == 25 and all(name.startswith("Europe/") for name in europe)
    assert rank_timezones("")[0] == "UTC"
    assert all("syd" in name.casefold() for name in rank_timezones("syd"))


def test_timings_refuse_options_their_cadence_does_not_use():
    with pytest.raises(ValueError, match="weekday"):
        Timing(Cadence.weekly, 9, 0, PARIS)
    with pytest.raises(ValueError, match="day of the month"):
        Timing(Cadence.monthly, 9, 0, PARIS, day=32)
    with pytest.raises(ValueError, match="only weekly"):
        Timing(Cadence.daily, 9, 0, PARIS, weekday=1)
    with pytest.raises(ValueError, match="time zone"):
        Timing(Cadence.daily, 9, 0, "Mars/Olympus")


def test_rhythms_read_naturally():
    assert describe_rhythm(Timing(Cadence.weekly, 9, 0, PARIS, weekday=0)) == "every Monday at 09:00 Europe/Paris"
    assert describe_rhythm(Timing(Cadence.daily, 7, 30, "UTC")) == "every day at 07:30 UTC"
    assert describe_rhythm(Timing(Cadence.monthly, 9, 0, SYDNEY, day=31)) == (
        "on the 31st of every month (the last day in shorter months) at 09:00 Australia/Sydney"
    )
    assert describe_rhythm(Timing(Cadence.monthly, 9, 0, SYDNEY, day=2)).startswith("on the 2nd of every month at")
