"""Draws the themes chart as PNG (matplotlib, Agg, no pyplot state).

Runs in the chart worker process (see `bot.render.chart`), so it takes plain,
picklable figures and imports nothing of the bot's.
"""

from __future__ import annotations

import io
import textwrap
from typing import NamedTuple

PALETTE = ["#1F6FB2", "#E0A800", "#2E8B57", "#C0392B", "#7D3C98"]
MAX_THEMES = 30


class Bar(NamedTuple):
    theme: str
    named: int  # actors the sources name
    unnamed_groups: int  # groups the sources count without names
    unnamed_total: int  # the actors in those groups, where a source gives a number


Figures = tuple[tuple[int, tuple[Bar, ...]], ...]  # (year, bars) per year, in year order


def totals(figures: Figures) -> dict[str, int]:
    """Named actors per theme over the years, for every theme anyone raised."""
    found: dict[str, int] = {}
    for _, bars in figures:
        for b in bars:
            if b.named or b.unnamed_groups:
                found[b.theme] = found.get(b.theme, 0) + b.named
    return found


def rows(figures: Figures) -> list[str]:
    """Themes with named actors, most first; themes raised only by unnamed groups have no bar."""
    named = {name: n for name, n in totals(figures).items() if n}
    return sorted(named, key=lambda name: (-named[name], name))[:MAX_THEMES]


def draw(figures: Figures, title: str) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    themes = rows(figures)
    years = [year for year, _ in figures]
    lookup = {(year, b.theme): b for year, bars in figures for b in bars}
    height = max(3.0, 0.42 * len(themes) * max(1, len(years)) ** 0.5 + 1.2)
    fig = Figure(figsize=(10, height), dpi=110)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    width = 0.8 / max(1, len(years))
    for i, year in enumerate(years):
        values = [lookup[(year, t)].named if (year, t) in lookup else 0 for t in themes]
        positions = [row + (i - (len(years) - 1) / 2) * width for row in range(len(themes))]
        drawn = ax.barh(positions, values, height=width, color=PALETTE[i % len(PALETTE)], label=str(year))
        for rect, theme in zip(drawn, themes):
            bar = lookup.get((year, theme))
            if bar is None or not bar.named:
                continue
            ax.text(rect.get_width() + 0.15, rect.get_y() + rect.get_height() / 2, _label(bar), va="center", fontsize=8)
    ax.set_yticks(range(len(themes)))
    ax.set_yticklabels(["\n".join(textwrap.wrap(t, 38)) for t in themes], fontsize=8.5)
    ax.set_ylim(len(themes) - 0.5, -0.5)
    longest = max((b.named for b in lookup.values()), default=1)
    ax.set_xlim(0, max(3, longest) * 1.3)
    ax.set_xlabel("Actors the sources name (groups counted without names noted beside the bars)")
    ax.set_title(title, fontsize=12, loc="left")
    ax.xaxis.set_major_locator(MaxNLocator(nbins="auto", steps=[1, 2, 2.5, 5, 10], integer=True))
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


def _label(bar: Bar) -> str:
    label = str(bar.named)
    if bar.unnamed_groups:
        label += f" (+{bar.unnamed_total} unnamed)" if bar.unnamed_total else " (+unnamed)"
    return label


def warm_up() -> int:
    """Imports matplotlib in the worker before the first chart is asked for."""
    import os

    import matplotlib.backends.backend_agg  # noqa: F401

    return os.getpid()
