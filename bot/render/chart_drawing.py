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
    unnamed_groups: int  # groups the sources count or describe without names
    unnamed_total: int  # the actors in those groups, where a source gives a number
    partial: bool = False  # the named actors come from a list the source gives only in part
    unnamed_note: str = ""  # the group as the source puts it ("Fourteen states"), when there is one


Figures = tuple[tuple[int, tuple[Bar, ...]], ...]  # (year, bars) per year, in year order

UNCOUNTED = 0.8  # the length of a segment for a group the source describes without a number ("Many Member States")
SLOT = 0.34  # inches a bar takes
GAP = 0.22  # inches between themes


def raised(bar: Bar) -> bool:
    return bool(bar.named or bar.unnamed_groups)


def weight(bar: Bar) -> float:
    """How long a bar is drawn: named actors, then the counted (or an uncounted group's stub) unnamed ones."""
    return bar.named + (bar.unnamed_total or (UNCOUNTED if bar.unnamed_groups else 0))


def totals(figures: Figures) -> dict[str, int]:
    """Named actors per theme over the years, for every theme anyone raised."""
    found: dict[str, int] = {}
    for _, bars in figures:
        for b in bars:
            if raised(b):
                found[b.theme] = found.get(b.theme, 0) + b.named
    return found


def rows(figures: Figures) -> list[str]:
    """Every theme raised, most actors first (named, then counted without names); at most MAX_THEMES."""
    size: dict[str, tuple[float, int]] = {}
    for _, bars in figures:
        for b in bars:
            if raised(b):
                total, named = size.get(b.theme, (0.0, 0))
                size[b.theme] = (total + weight(b), named + b.named)
    return sorted(size, key=lambda name: (-size[name][0], -size[name][1], name))[:MAX_THEMES]


def label(bar: Bar) -> str:
    """What a bar says beside it: named actors (and whether the list is partial), then the unnamed."""
    parts = []
    if bar.named:
        parts.append(f"{bar.named} named" + (", partial list" if bar.partial else ""))
    if bar.unnamed_groups == 1 and bar.unnamed_note:
        note = bar.unnamed_note if len(bar.unnamed_note) <= 34 else bar.unnamed_note[:33] + "…"
        parts.append(f"{bar.unnamed_total} not named (“{note}”)" if bar.unnamed_total else f"not named: {note}")
    elif bar.unnamed_groups:
        counted = f", {bar.unnamed_total} counted" if bar.unnamed_total else ""
        parts.append(f"{bar.unnamed_groups} groups not named{counted}")
    return " + ".join(parts)


def slots(figures: Figures) -> tuple[list[tuple[str, list[int], float]], float]:
    """Where each theme's bars go: (theme, the years it was raised in, its first slot), and the slots in all.

    A theme gets one slot per year it was raised in, not one per year charted, so its label
    (at the middle of its slots) sits beside its own bars.
    """
    present_in = {(year, b.theme) for year, bars in figures for b in bars if raised(b)}
    years = [year for year, _ in figures]
    layout, top = [], 0.0
    for theme in rows(figures):
        present = [year for year in years if (year, theme) in present_in]
        layout.append((theme, present, top))
        top += len(present) + GAP / SLOT
    return layout, top


def draw(figures: Figures, title: str) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator
    from matplotlib.patches import Patch

    themes = rows(figures)
    years = [year for year, _ in figures]
    colour = {year: PALETTE[i % len(PALETTE)] for i, year in enumerate(years)}
    lookup = {(year, b.theme): b for year, bars in figures for b in bars if raised(b)}
    layout, top = slots(figures)
    height = max(2.6, top * SLOT + 1.6)
    fig = Figure(figsize=(10, height), dpi=110)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    longest = max((weight(b) for b in lookup.values()), default=1.0)
    ticks = []
    for theme, present, first in layout:
        ticks.append(first + (len(present) - 1) / 2)
        for j, year in enumerate(present):
            bar, y = lookup[(year, theme)], first + j
            if bar.named:
                ax.barh(y, bar.named, height=0.86, color=colour[year])
            rest = weight(bar) - bar.named
            if rest:
                ax.barh(y, rest, left=bar.named, height=0.86, color=colour[year], alpha=0.3, hatch="///",
                        edgecolor=colour[year], linewidth=0.6)
            ax.text(weight(bar) + longest * 0.01, y, label(bar), va="center", fontsize=8)
    ax.set_yticks(ticks)
    ax.set_yticklabels(["\n".join(textwrap.wrap(t, 38)) for t in themes], fontsize=8.5)
    ax.set_ylim(top - GAP / SLOT + 0.5, -0.5) if layout else ax.set_ylim(0.5, -0.5)
    ax.set_xlim(0, max(3.0, longest) * 1.55)
    ax.set_xlabel("Actors the sources name; hatched: groups they count or describe without names")
    ax.set_title(title, fontsize=12, loc="left")
    ax.xaxis.set_major_locator(MaxNLocator(nbins="auto", steps=[1, 2, 2.5, 5, 10], integer=True))
    ax.grid(axis="x", alpha=0.3)
    handles = [Patch(color=colour[y], label=str(y)) for y in years] if len(years) > 1 else []
    handles.append(Patch(facecolor="white", edgecolor="#555555", hatch="///", label="not named in the source"))
    ax.legend(handles=handles, title="Dialogue" if len(years) > 1 else None, loc="lower right", fontsize=8)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    # A figure's objects refer to one another, so only a full garbage collection would free
    # them, with the renderer's pixel buffer (megabytes a chart): let them go now.
    canvas.renderer = None
    fig.clear()
    return buffer.getvalue()


def warm_up() -> int:
    """Imports matplotlib in the worker before the first chart is asked for."""
    import os

    import matplotlib.backends.backend_agg  # noqa: F401

    return os.getpid()
