"""Headless plots (matplotlib's Agg backend), imported only when a plot is asked for."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd

from forecaster.errors import OutputError

WIDTH_PX, HEIGHT_PX, DPI = 1200, 700, 100
MAX_SERIES = 6


def plot_detection(table: pd.DataFrame, events: pd.DataFrame, path: Path) -> None:
    """Draw each series with its events shaded and, beneath, the score and threshold.

    Args:
        table: the per-step detection table.
        events: the events table.
        path: the PNG to write (atomically), WIDTH_PX x HEIGHT_PX.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(dict.fromkeys(table["series"]))[:MAX_SERIES]  # many series: the first few
    fig, axes = plt.subplots(2 * len(names), 1, sharex=True, squeeze=False,
                             figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    for i, name in enumerate(names):
        part = table[table["series"] == name]
        _draw(axes[2 * i, 0], axes[2 * i + 1, 0], part, events[events["series"] == name], name)
    fig.tight_layout()
    _save(fig, Path(path))
    plt.close(fig)


def _draw(top, bottom, part: pd.DataFrame, events: pd.DataFrame, name: str) -> None:
    t = part["timestamp"].dt.tz_localize(None)
    top.plot(t, part["value"], lw=0.8, color="tab:blue")
    top.set_ylabel(f"{name or 'value'}")
    for ax in (top, bottom):
        for _, ev in events.iterrows():
            ax.axvspan(ev["start"].tz_localize(None), ev["end"].tz_localize(None),
                       color="tab:red", alpha=0.25, lw=0)
    bottom.plot(t, part["score"], lw=0.8, color="tab:gray", label="score")
    bottom.plot(t, part["threshold"], lw=1.0, ls="--", color="tab:red", label="threshold")
    bottom.set_ylabel("score")
    bottom.legend(loc="upper left", fontsize="small")


def _save(fig, path: Path) -> None:
    # Same rule as every output: readers see the old file or the whole new one.
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".png",
                                   dir=path.parent if str(path.parent) else ".")
        os.close(fd)
        fig.savefig(tmp, dpi=DPI, format="png")
        os.replace(tmp, path)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write the plot ({exc.strerror}); check the folder "
                          "exists and is writable") from None
