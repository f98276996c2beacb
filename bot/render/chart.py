"""The themes chart: a PNG drawn in a worker process, remembered while its figures are unchanged.

Drawing takes matplotlib from a third of a second to seconds of pure Python. In a
thread it would hold the interpreter lock that long and stall every other
interaction the bot is answering, so one worker process draws (on another core)
while the event loop goes on. A chart of the same figures (the records unchanged
since) is the PNG drawn before; people asking for a chart being drawn wait for it.
The same worker builds the briefing notes' PDFs (`bot.render.brief`), for the same reason.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import threading
from collections import OrderedDict
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable, Hashable, Mapping, Sequence

from bot.render.chart_drawing import PALETTE, Bar, Figures, draw, rows, totals, warm_up
from bot.render.layout import Attachment, Citations, Reply, Section, build_reply
from db.results import SourceRef, ThemeCount

log = logging.getLogger(__name__)

MAX_CACHED_CHARTS = 64  # about 100 kB each (a briefing note's files: 50 to 300 kB)
MAX_YEARS = len(PALETTE)  # one colour per dialogue: more bars to a theme would not be told apart


class ChartDrawer:
    """One worker process that draws charts (and builds briefing notes), and what it made, least recently used out."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._pngs: OrderedDict[tuple[Hashable, ...], Any] = OrderedDict()
        self._drawing: dict[tuple[Hashable, ...], Future[Any]] = {}

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                # spawn, not fork: the bot has threads (aiosqlite, the event loop) a fork would copy mid-step
                self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
            return self._pool

    def start(self) -> None:
        """Starts the worker and imports matplotlib and fpdf2 there, so the first chart or note need not wait."""
        from bot.render.brief_pdf import prepare

        self._executor().submit(warm_up)
        self._executor().submit(prepare)  # the first briefing note's fonts

    async def png(self, figures: Figures, title: str) -> bytes:
        png: bytes = await self.made(draw, figures, title)
        return png

    async def made(self, work: Callable[..., Any], *args: Hashable) -> Any:
        """What `work(*args)` returns, made in the worker (`work` a module-level function, `args` picklable)."""
        key = (work, *args)
        with self._lock:
            png = self._pngs.get(key)
            if png is not None:
                self._pngs.move_to_end(key)
                return png
            drawing = self._drawing.get(key)
        if drawing is None:
            drawing = self._submit(key)
        try:
            return await asyncio.wrap_future(drawing)
        except BrokenProcessPool:  # the worker died (killed, out of memory): a new one draws it once more
            self._replace_broken_pool()
            with self._lock:
                drawing = self._drawing.get(key)  # another asker may have asked the new worker already
            if drawing is None or drawing.done():
                drawing = self._submit(key)
            return await asyncio.wrap_future(drawing)

    def _submit(self, key: tuple[Any, ...]) -> Future[Any]:
        try:
            drawing = self._executor().submit(*key)  # (work, *args), as `made` builds it
        except BrokenProcessPool:  # the worker died while nobody was waiting for it
            self._replace_broken_pool()
            drawing = self._executor().submit(*key)
        with self._lock:
            self._drawing[key] = drawing
        drawing.add_done_callback(lambda done: self._drawn(key, done))
        return drawing

    def _drawn(self, key: tuple[Hashable, ...], done: Future[Any]) -> None:
        with self._lock:
            if self._drawing.get(key) is done:
                del self._drawing[key]
            if done.cancelled() or done.exception() is not None:
                return
            self._pngs[key] = done.result()
            while len(self._pngs) > MAX_CACHED_CHARTS:
                self._pngs.popitem(last=False)

    def _replace_broken_pool(self) -> None:
        """Lets a broken pool go (once, however many askers saw it break); the next chart starts a new worker."""
        with self._lock:
            pool = self._pool
            if pool is None or not getattr(pool, "_broken", False):
                return
        log.warning("The chart worker stopped; starting a new one")
        self._discard_pool()

    def _discard_pool(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
            self._drawing.clear()
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def forget(self) -> None:
        """Forgets every chart drawn (benchmarks measure the uncached path with it)."""
        with self._lock:
            self._pngs.clear()

    def worker_pids(self) -> list[int]:
        pool = self._pool
        return list(getattr(pool, "_processes", None) or {}) if pool is not None else []

    def shutdown(self, wait: float = 2.0) -> None:
        """Stops the worker (the bot calls this when it closes); a later chart starts a new one.

        A worker still drawing after `wait` seconds is terminated, so closing never hangs on it.
        """
        pool = self._pool
        processes = list((getattr(pool, "_processes", None) or {}).values()) if pool is not None else []
        self._discard_pool()
        for process in processes:
            process.join(wait)
            if process.is_alive():
                process.terminate()
                process.join(wait)


DRAWER = ChartDrawer()
forget_charts = DRAWER.forget


def figures_of(per_year: Mapping[int, Sequence[ThemeCount]]) -> Figures:
    """Everything the drawing shows, as plain values: the worker's input and the PNG's cache key."""
    return tuple(
        (year, tuple(Bar(c.theme.name, c.named_actors, len(c.unnamed), sum(u.count or 0 for u in c.unnamed), c.partial,
                         c.unnamed[0].quantity if len(c.unnamed) == 1 else "")
                     for c in per_year[year]))
        for year in sorted(per_year)
    )


def years_to_chart(detailed_years: Sequence[int], year: int | None) -> tuple[list[int], int]:
    """(the years the chart shows, how many earlier detailed years it leaves out)."""
    if year is not None:
        return [year], 0
    years = sorted(detailed_years)
    return years[-MAX_YEARS:], max(0, len(years) - MAX_YEARS)


async def theme_chart(per_year: Mapping[int, Sequence[ThemeCount]], sources: Sequence[SourceRef],
                      year: int | None, *, left_out: int = 0) -> Reply:
    """The chart of `per_year`'s dialogues; `left_out` earlier detailed dialogues are named as not shown."""
    if year:
        where = f"the {year} dialogue"
    elif left_out:
        where = f"the {len(per_year)} most recent dialogues with detailed records"
    else:
        where = "the dialogues with detailed records"
    title = f"Themes raised at {where}, by number of actors"
    figures = figures_of(per_year)
    png = await DRAWER.png(figures, title)
    citations = Citations()
    for ref in sources:
        citations.cite(ref)
    shown = rows(figures)
    raised = totals(figures)
    not_shown = len(raised) - len(shown)
    unnamed_only = sum(1 for name in shown if not raised[name])
    reply = build_reply(
        title,
        description=(
            f"{len(shown)} themes" + (f" (the top {len(shown)}; {not_shown} more in `/theme list`)" if not_shown else "")
            + ". Solid bars count the actors the sources name; hatched segments are groups they count"
            " (“Fourteen states”) or only describe (“Many Member States”) without names; “partial list” marks"
            " names the source gives among others."
            + (f" {unnamed_only} of the themes were raised only by groups without names." if unnamed_only else "")
            + (f" {left_out} earlier dialogues with detailed records are not shown: chart one with `dialogue:`."
               if left_out else "")
        ),
        sections=[Section("Years", [", ".join(str(y) for y in sorted(per_year))])],
        citations=citations,
    )
    reply.pages[0][0].set_image(url="attachment://themes.png")
    reply.files.append(Attachment("themes.png", png, description=title[:1000]))
    return reply
