"""Draw a FigureData with matplotlib's Agg canvas (no display, no pyplot global state)."""

from __future__ import annotations

import io
import textwrap
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import EnvironmentBroken
from .series import FigureData, Panel, Series

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

FIGSIZE = (8.0, 4.5)  # inches
DPI = 100  # so every PNG is 800 × 450 pixels
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#7f7f7f", "#9467bd", "#8c564b", "#e377c2",
           "#222222")
MARKER_OFFSET = {"student": (6, 6), "reference": (6, 6), "context": (6, -12)}
INSTALL_HINT = "regquiz plot needs matplotlib: pip install 'regquiz[plots]'"


def require_matplotlib() -> None:
    """EnvironmentBroken naming the extra to install unless matplotlib can be imported."""
    import importlib.util

    try:
        found = importlib.util.find_spec("matplotlib") is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        raise EnvironmentBroken(INSTALL_HINT)


def preload() -> None:
    """Import matplotlib's canvas now (while a sandbox child starts, say), not when drawing."""
    require_matplotlib()
    try:
        import matplotlib.backends.backend_agg  # noqa: F401
        import matplotlib.figure  # noqa: F401
    except ImportError:
        raise EnvironmentBroken(INSTALL_HINT) from None


def render(data: FigureData) -> Figure:
    """A matplotlib Figure of the data, every panel side by side."""
    require_matplotlib()
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise EnvironmentBroken(INSTALL_HINT) from None
    figure = Figure(figsize=FIGSIZE, dpi=DPI)
    FigureCanvasAgg(figure)
    top = 0.86
    figure.suptitle(data.title, fontsize=10, y=0.985)
    if data.failure_line:
        wrapped = textwrap.fill(data.failure_line, width=125)
        figure.text(0.5, 0.935, wrapped, ha="center", va="top", fontsize=7.5, color="#b00020")
        top = 0.86 - 0.035 * wrapped.count("\n")
    figure.subplots_adjust(left=0.07, right=0.985, bottom=0.11, top=top, wspace=0.22)
    axes = figure.subplots(1, len(data.panels), squeeze=False)[0]
    for ax, panel in zip(axes, data.panels):
        _draw_panel(ax, panel)
    return figure


def png_bytes(data: FigureData) -> bytes:
    """The figure as PNG bytes, with the title and failures in its text chunks."""
    figure = render(data)
    buffer = io.BytesIO()
    metadata = {"Software": None, "Title": data.title, "Description": data.failure_line or None}
    figure.savefig(buffer, format="png", dpi=DPI, metadata=metadata)
    return buffer.getvalue()


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk."""
    if png[:8] != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def _draw_panel(ax: Axes, panel: Panel) -> None:
    ax.set_title(panel.title, fontsize=8)
    ax.set_xlabel(panel.xlabel, fontsize=8)
    ax.set_ylabel(panel.ylabel, fontsize=8)
    ax.tick_params(labelsize=7)
    ax.set_xscale(panel.xscale)
    ax.grid(True, alpha=0.25, linewidth=0.5)
    if panel.contours is not None:
        c = panel.contours
        ax.contour(c.x, c.y, c.z, levels=8, colors="#bbbbbb", linewidths=0.6, zorder=0)
    beside_student = any(series.kind == "student" for series in panel.series)
    for series in panel.series:
        _draw_series(ax, series, beside_student)
    for marker in panel.markers:
        colour = PALETTE[marker.group % len(PALETTE)]
        ax.plot([marker.x], [marker.y], marker="x" if marker.kind == "student" else "o",
                color=colour, markersize=6, zorder=5, linestyle="none")
        if marker.label:
            dx, dy = MARKER_OFFSET[marker.kind]
            ax.annotate(marker.label, (marker.x, marker.y), textcoords="offset points",
                        xytext=(dx if marker.side == "right" else -dx, dy), fontsize=7,
                        color=colour, ha="left" if marker.side == "right" else "right")
    if panel.xlim is not None:
        ax.set_xlim(*panel.xlim)
    if panel.ylim is not None:
        ax.set_ylim(*panel.ylim)
    else:
        _limit_to_reference(ax, panel)
    if any(series.label for series in panel.series):
        ax.legend(fontsize=6.5, loc=panel.legend, bbox_to_anchor=panel.legend_anchor,
                  framealpha=0.85)


def _draw_series(ax: Axes, series: Series, beside_student: bool) -> None:
    """The student's curves thin and on top; the reference wide and pale beneath them."""
    colour = PALETTE[series.group % len(PALETTE)]
    label = series.label or None
    pale = series.kind == "reference" and beside_student
    style: dict[str, Any]
    if series.style == "points":
        style = {"marker": "o", "linestyle": "none", "markersize": 7 if pale else 3.5,
                 "alpha": 0.35 if pale else 1.0}
    elif pale:
        style = {"linewidth": 5.0, "alpha": 0.3, "solid_capstyle": "round"}
    elif series.kind == "reference":
        style = {"linewidth": 1.8, "linestyle": (0, (5, 2)) if series.style == "dashed" else "-"}
    elif series.kind == "context":
        style = {"linewidth": 1.0, "linestyle": (0, (4, 3)), "alpha": 0.8}
    else:
        style = {"linewidth": 1.4, "linestyle": "--" if series.style == "dashed" else "-"}
    zorder = {"reference": 1, "context": 2, "student": 3}[series.kind]
    ax.plot(series.x, series.y, color=colour, label=label, zorder=zorder, **style)
    if series.band is not None:
        low, high = series.band
        ax.fill_between(series.x, low, high, color=colour, alpha=0.2, linewidth=0, zorder=zorder)


def _limit_to_reference(ax: Axes, panel: Panel) -> None:
    """Keep the reference in view: a student curve far off may leave the frame, not shrink it."""
    trusted = [s.y for s in panel.series if s.kind != "student" and s.y.size]
    if not trusted or not any(s.kind == "student" for s in panel.series):
        return
    joined = np.concatenate(trusted)
    low, high = float(joined.min()), float(joined.max())
    span = max(high - low, 1e-12)
    current = ax.get_ylim()
    ax.set_ylim(max(current[0], low - span), min(current[1], high + span))
