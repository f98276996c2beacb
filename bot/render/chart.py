"""PNG bar charts of themes by number of actors (matplotlib, Agg, no pyplot state)."""

from __future__ import annotations

import io
import textwrap
import threading
from collections import OrderedDict
from concurrent.futures import Future
from typing import Mapping, Sequence

from bot.render.layout import Attachment, Citations, Reply, Section, build_reply
from db.results import SourceRef, ThemeCount

PALETTE = ["#1F6FB2", "#E0A800", "#2E8B57", "#C0392B", "#7D3C98"]
MAX_THEMES = 30


def _totals(per_year: Mapping[int, Sequence[ThemeCount]]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for counts in per_year.values():
        for c in counts:
            if c.named_actors or c.unnamed:
                totals[c.theme.name] = totals.get(c.theme.name, 0) + c.named_actors
    return totals


def _rows(per_year: Mapping[int, Sequence[ThemeCount]]) -> list[str]:
    """Themes with named actors, most first; themes raised only by unnamed groups have no bar."""
    totals = {name: n for name, n in _totals(per_year).items() if n}
    return sorted(totals, key=lambda name: (-totals[name], name))[:MAX_THEMES]


def render_png(per_year: Mapping[int, Sequence[ThemeCount]], title: str) -> bytes:
    """The chart as PNG. Drawing takes matplotlib a third of a second or more, so a chart of the
    same figures (the records unchanged since) is the PNG drawn before."""
    key = (_figures(per_year), title)
    with _LOCK:  # charts are drawn in worker threads
        png = _PNGS.get(key)
        if png is not None:
            _PNGS.move_to_end(key)
            return png
        drawing = _DRAWING.get(key)
        mine = drawing is None
        if mine:  # the first to ask draws; whoever asks meanwhile waits for that drawing
            drawing = _DRAWING[key] = Future()
    if not mine:
        return drawing.result()
    try:
        png = _draw(per_year, title)
    except BaseException as error:
        with _LOCK:
            _DRAWING.pop(key, None)
        drawing.set_exception(error)
        raise
    with _LOCK:
        _PNGS[key] = png
        while len(_PNGS) > MAX_CACHED_CHARTS:
            _PNGS.popitem(last=False)
        _DRAWING.pop(key, None)
    drawing.set_result(png)
    return png


MAX_CACHED_CHARTS = 64  # about 100 kB each
_PNGS: OrderedDict[tuple, bytes] = OrderedDict()
_DRAWING: dict[tuple, Future] = {}
_LOCK = threading.Lock()


def forget_charts() -> None:
    """Forgets every chart drawn (benchmarks measure the uncached path with it)."""
    with _LOCK:
        _PNGS.clear()


def _figures(per_year: Mapping[int, Sequence[ThemeCount]]) -> tuple:
    """Everything `_draw` reads from the counts, in order."""
    return tuple(
        (year, tuple((c.theme.name, c.named_actors, len(c.unnamed), sum(u.count or 0 for u in c.unnamed)) for c in counts))
        for year, counts in per_year.items()
    )


def _draw(per_year: Mapping[int, Sequence[ThemeCount]], title: str) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    themes = _rows(per_year)
    years = sorted(per_year)
    lookup = {(y, c.theme.name): c for y in years for c in per_year[y]}
    height = max(3.0, 0.42 * len(themes) * max(1, len(years)) ** 0.5 + 1.2)
    fig = Figure(figsize=(10, height), dpi=110)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    bar = 0.8 / max(1, len(years))
    for i, year in enumerate(years):
        values = [lookup[(year, t)].named_actors if (year, t) in lookup else 0 for t in themes]
        positions = [row + (i - (len(years) - 1) / 2) * bar for row in range(len(themes))]
        bars = ax.barh(positions, values, height=bar, color=PALETTE[i % len(PALETTE)], label=str(year))
        for rect, theme in zip(bars, themes):
            count = lookup.get((year, theme))
            if count is None or not count.named_actors:
                continue
            label = str(count.named_actors)
            unnamed = sum(u.count or 0 for u in count.unnamed)
            if count.unnamed:
                label += f" (+{unnamed} unnamed)" if unnamed else " (+unnamed)"
            ax.text(rect.get_width() + 0.15, rect.get_y() + rect.get_height() / 2, label, va="center", fontsize=8)
    ax.set_yticks(range(len(themes)))
    ax.set_yticklabels(["\n".join(textwrap.wrap(t, 38)) for t in themes], fontsize=8.5)
    ax.set_ylim(len(themes) - 0.5, -0.5)
    longest = max((lookup[k].named_actors for k in lookup), default=1)
    ax.set_xlim(0, max(3, longest) * 1.3)
    ax.set_xlabel("Actors the sources name (groups counted without names noted beside the bars)")
    ax.set_title(title, fontsize=12, loc="left")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.grid(axis="x", alpha=0.3)
    if len(years) > 1:
        ax.legend(title="Dialogue", loc="lower right")
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    # A figure's objects refer to one another, so only a full garbage collection would free
    # them, with the renderer's pixel buffer (megabytes a chart): let them go now.
    canvas.renderer = None
    fig.clear()
    return buffer.getvalue()


def theme_chart(per_year: Mapping[int, Sequence[ThemeCount]], sources: Sequence[SourceRef], year: int | None) -> Reply:
    where = f"the {year} dialogue" if year else "the dialogues with detailed records"
    title = f"Themes raised at {where}, by number of actors"
    png = render_png(per_year, title)
    citations = Citations()
    for ref in sources:
        citations.cite(ref)
    shown = _rows(per_year)
    unnamed_only = len(_totals(per_year)) - len(_totals({y: [c for c in v if c.named_actors] for y, v in per_year.items()}))
    reply = build_reply(
        title,
        description=(
            f"{len(shown)} themes with named actors" + (f" (the top {len(shown)})" if len(shown) == MAX_THEMES else "")
            + ". Bars count the actors the sources name; groups they count without names are noted beside the bars."
            + (f" {unnamed_only} more themes were raised only by unnamed groups: see `/theme list`." if unnamed_only else "")
        ),
        sections=[Section("Years", [", ".join(str(y) for y in sorted(per_year))])],
        citations=citations,
    )
    reply.pages[0][0].set_image(url="attachment://themes.png")
    reply.files.append(Attachment("themes.png", png, description=title[:1000]))
    return reply
