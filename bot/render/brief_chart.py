"""Draws one theme's chart for its briefing note: per dialogue, the actors the sources name, by stance.

Runs in the worker process (see `bot.render.chart`): plain, picklable figures in,
PNG out, matplotlib without pyplot state.
"""

from __future__ import annotations

import io
from typing import NamedTuple

STANCES = ("supports", "concerned", "neutral", "opposes")
STANCE_COLOURS = {"supports": "#2E8B57", "concerned": "#E0A800", "neutral": "#8C96A0", "opposes": "#C0392B"}


class YearBar(NamedTuple):
    year: int
    named: tuple[tuple[str, int], ...]  # (stance, actors the sources name with it)
    unnamed: str  # the groups counted without names, as a short label ("" for none)


ThemeFigures = tuple[YearBar, ...]


def draw_theme(figures: ThemeFigures, title: str) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    fig = Figure(figsize=(7.5, 3.4), dpi=120)  # sharp at A4 width, and a third quicker than 150
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    labels = [str(bar.year) for bar in figures]
    bottoms = [0] * len(figures)
    for stance in STANCES:
        values = [dict(bar.named).get(stance, 0) for bar in figures]
        if any(values):
            ax.bar(labels, values, bottom=bottoms, width=0.55, color=STANCE_COLOURS[stance], label=stance)
            bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
    top = max(bottoms, default=0)
    for i, bar in enumerate(figures):
        text = str(bottoms[i]) + (f"\n+ {bar.unnamed}" if bar.unnamed else "")
        ax.text(i, bottoms[i] + max(top, 1) * 0.03, text, ha="center", va="bottom", fontsize=8)
    ax.set_ylim(0, max(top, 1) * 1.45)
    ax.set_ylabel("Actors the sources name")
    ax.set_xlabel("Dialogue (groups counted without names noted above the bars)", fontsize=8)
    ax.set_title(title, fontsize=10, loc="left")
    ax.yaxis.set_major_locator(MaxNLocator(nbins="auto", steps=[1, 2, 2.5, 5, 10], integer=True))
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if top:
        ax.legend(title="Stance", loc="upper left", fontsize=8, title_fontsize=8, frameon=False, ncols=4)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    canvas.renderer = None  # as in chart_drawing.draw: free the pixel buffer now
    fig.clear()
    return buffer.getvalue()
