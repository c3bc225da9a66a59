"""Headless plots (matplotlib's Agg backend), imported only when a plot is asked for."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from forecaster.atomic import atomic_writer
from forecaster.data.timestamps import is_steps, step_numbers
from forecaster.output_paths import plot_format

if TYPE_CHECKING:  # matplotlib is imported only when a plot is drawn
    from matplotlib.figure import Figure

WIDTH_PX, HEIGHT_PX, DPI = 1200, 700, 100
MAX_SERIES = 6
MAX_TITLE = 150  # characters of a series name that fit across the figure
MIN_SPAN = 0.004  # of the time axis (about 5 px): a one-step event is a zero-width span


def plot_detection(table: pd.DataFrame, events: pd.DataFrame, path: Path) -> None:
    """Draw each series with its events shaded and, beneath, the score and threshold.

    Args:
        table: the per-step detection table.
        events: the events table.
        path: the image to write (atomically), WIDTH_PX x HEIGHT_PX, in the format its
            suffix names (PNG, PDF, SVG, ...).
    """
    plt = pyplot()
    names = list(dict.fromkeys(table["series"]))[:MAX_SERIES]  # many series: the first few
    fig, axes = plt.subplots(max(2 * len(names), 1), 1, sharex=True, squeeze=False,
                             figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    if not names:  # no row after --since (a feed that stopped): say so, not last run's plot
        axes[0, 0].text(0.5, 0.5, "no rows scored", ha="center", va="center")
        axes[0, 0].set_axis_off()
    for i, name in enumerate(names):
        part = table[table["series"] == name]
        _draw(axes[2 * i, 0], axes[2 * i + 1, 0], part, events[events["series"] == name], name)
    finish(fig, Path(path))


def _draw(top, bottom, part: pd.DataFrame, events: pd.DataFrame, name: str) -> None:
    t = axis_values(part["timestamp"])
    top.plot(t, part["value"], lw=0.8, color="tab:blue")
    flagged = part["is_anomaly"].to_numpy(dtype=bool)
    top.scatter(t[flagged], part["value"][flagged], s=6, color="tab:red", zorder=3)
    top.set_ylabel("value")
    if name:  # as a title: a Prometheus name (node_load1{instance="..."}) overran the axis
        top.set_title(name if len(name) <= MAX_TITLE else name[:MAX_TITLE - 3] + "...",
                      loc="left", fontsize="small")
    starts, ends = axis_values(events["start"]), axis_values(events["end"])
    for ax in (top, bottom):
        for start, end in event_spans(starts, ends, t.min(), t.max()):
            ax.axvspan(start, end, color="tab:red", alpha=0.25, lw=0)
    bottom.plot(t, part["score"], lw=0.8, color="tab:gray", label="score")
    bottom.plot(t, part["threshold"], lw=1.0, ls="--", color="tab:red", label="threshold")
    bottom.set_ylabel("score")
    bottom.legend(loc="upper left", fontsize="small")


def axis_values(times: pd.Series) -> np.ndarray:
    """x values of UTC timestamps: step numbers for a step-indexed series, else naive
    datetimes (matplotlib has no use for the zone)."""
    if is_steps(times):
        return step_numbers(times)
    return pd.DatetimeIndex(times).tz_localize(None).to_numpy()


def event_spans(starts: np.ndarray, ends: np.ndarray, first: Any, last: Any) -> list[tuple]:
    """(start, end) of each event to shade, widened about its middle to at least
    ``MIN_SPAN`` of the x axis from ``first`` to ``last``, so that short events show.
    Works on datetimes and on step numbers alike."""
    least = (last - first) * MIN_SPAN
    spans = []
    for start, end in zip(starts, ends, strict=True):
        # least * 0: a zero of the axis' own kind (a Timedelta on dates, a number on steps)
        pad = max(least - (end - start), least * 0) / 2
        spans.append((start - pad, end + pad))
    return spans


def pyplot() -> Any:
    """matplotlib's pyplot, headless. Its notes on where it keeps its cache (a HOME it
    cannot write, as under cron or in a container) went to stderr as bare lines, with no
    time and outside ``--log-format json``; a plot does not need the cache kept."""
    import logging

    logging.getLogger("matplotlib").setLevel(logging.ERROR)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def finish(fig: Figure, path: Path) -> None:
    """Lay out ``fig``, save it atomically and close it. Characters its font lacks (a CJK
    column name, an emoji in a series name) are drawn as boxes, without matplotlib's
    two-line warning on stderr, which no log format expects."""
    import matplotlib.pyplot as plt

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        fig.tight_layout()
        save_figure(fig, path)
    plt.close(fig)


def save_figure(fig: Figure, path: Path, dpi: int = DPI) -> None:
    """Write ``fig`` in the format ``path``'s suffix names (see ``output_paths.plot_format``).

    Same rule as every output: readers see the old file or the whole new one.
    """
    fmt = plot_format(path)
    with atomic_writer(path, binary=True) as fh:
        fig.savefig(fh, dpi=dpi, format=fmt)
