"""The themes chart is drawn in a worker process and remembered while its figures are unchanged."""

from __future__ import annotations

import asyncio
import os
import signal

import pytest

from bot.render import chart
from bot.render.chart_drawing import label, rows, slots
from db import queries as q
from tests.discord_double.harness import until

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def drawer():
    drawer = chart.ChartDrawer()
    yield drawer
    drawer.shutdown()


async def _figures(store, years):  # type: ignore[no-untyped-def]
    async with store.sessions() as session:
        return chart.figures_of({year: await q.list_themes(session, year) for year in years})


async def test_charts_are_drawn_in_another_process_and_drawn_once(store, drawer):
    figures = await _figures(store, [2014])
    first, second = await asyncio.gather(drawer.png(figures, "2014"), drawer.png(figures, "2014"))
    assert first.startswith(PNG_MAGIC) and len(first) > 10_000
    assert second is first  # who asked while it was drawn waited for the same drawing
    (worker,) = drawer.worker_pids()
    assert worker != os.getpid()
    assert await drawer.png(figures, "2014") is first  # the records unchanged: the PNG drawn before
    other = await drawer.png(await _figures(store, [2012]), "2012")
    assert other != first


async def test_a_new_worker_draws_when_the_worker_died(store, drawer):
    figures = await _figures(store, [2014])
    await drawer.png(figures, "before")
    (worker,) = drawer.worker_pids()
    os.kill(worker, signal.SIGKILL)
    png = await drawer.png(figures, "after")
    assert png.startswith(PNG_MAGIC)
    assert drawer.worker_pids() and drawer.worker_pids() != [worker]


async def test_a_worker_that_died_while_idle_is_replaced(store, drawer):
    figures = await _figures(store, [2014])
    await drawer.png(figures, "before")
    (worker,) = drawer.worker_pids()
    os.kill(worker, signal.SIGKILL)
    # until the pool has noticed: a chart asked for now finds it broken
    await until(lambda: bool(getattr(drawer._pool, "_broken", False)), what="the pool to notice its worker died")
    assert (await drawer.png(figures, "after")).startswith(PNG_MAGIC)


async def test_people_waiting_when_the_worker_dies_all_get_their_chart(store, drawer):
    figures = await _figures(store, [2014])
    await drawer.png(figures, "warm")
    (worker,) = drawer.worker_pids()
    waiting = [asyncio.create_task(drawer.png(figures, title)) for title in ("a", "a", "b")]
    await asyncio.sleep(0.05)  # they are waiting for the worker
    os.kill(worker, signal.SIGKILL)
    first, second, third = await asyncio.gather(*waiting)
    assert first is second and first.startswith(PNG_MAGIC) and third.startswith(PNG_MAGIC)
    assert len(drawer.worker_pids()) == 1


async def test_bars_keep_partial_lists_and_unnamed_groups(store):
    figures = await _figures(store, [2014])
    bars = {b.theme: b for _, year_bars in figures for b in year_bars}
    veto = bars["Veto restraint"]
    assert (veto.named, veto.unnamed_total, veto.unnamed_note) == (3, 14, "Fourteen states")
    assert label(veto) == "3 named + 14 not named (“Fourteen states”)"
    assert rows(figures)[0] == "Veto restraint"  # 3 named and 14 counted: the most actors
    prevention = bars["Prevention as the cornerstone"]
    assert prevention.partial and label(prevention) == "12 named, partial list"
    assert label(bars["National ownership of assistance"]) == "not named: Member States"


async def test_a_year_with_few_named_actors_charts_every_theme_raised(store):
    figures = await _figures(store, [2011])
    shown = rows(figures)
    assert len(shown) == 16  # four themes with named actors, twelve raised only by groups without names
    assert sum(1 for _, bars in figures for b in bars if b.named and b.theme in shown) == 4


async def test_every_label_sits_beside_its_own_bars(store):
    figures = await _figures(store, list(store.detailed_years))
    layout, top = slots(figures)
    raised_in = {(year, b.theme) for year, bars in figures for b in bars if b.named or b.unnamed_groups}
    end = 0.0
    for theme, years, first in layout:
        assert first >= end  # themes do not overlap
        assert years == [y for y, _ in figures if (y, theme) in raised_in]  # a slot only for a year with a bar
        end = first + len(years)
    assert end <= top
    assert rows(figures) == [theme for theme, _, _ in layout]


def test_the_chart_of_every_dialogue_shows_the_most_recent_five():
    assert chart.years_to_chart([2011, 2012, 2014], None) == ([2011, 2012, 2014], 0)
    assert chart.years_to_chart(list(range(2001, 2031)), None) == (list(range(2026, 2031)), 25)
    assert chart.years_to_chart(list(range(2001, 2031)), 2003) == ([2003], 0)


async def test_a_chart_says_which_dialogues_it_leaves_out(store, drawer, monkeypatch):
    monkeypatch.setattr(chart, "DRAWER", drawer)
    years, left_out = chart.years_to_chart([2009, 2010, *store.detailed_years, 2015, 2016], None)
    async with store.sessions() as session:
        per_year = {year: await q.list_themes(session, year) for year in years}
    reply = await chart.theme_chart(per_year, [], None, left_out=left_out)
    embed = reply.pages[0][0]
    assert embed.title == "Themes raised at the 5 most recent dialogues with detailed records, by number of actors"
    assert "2 earlier dialogues with detailed records are not shown: chart one with `dialogue:`." in embed.description
    assert reply.files[0].data.startswith(PNG_MAGIC)
