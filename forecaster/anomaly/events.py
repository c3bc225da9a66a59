"""The events table: one row per contiguous run of flagged steps."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecaster.anomaly.thresholds import runs

EVENT_COLUMNS = ["series", "start", "end", "steps", "peak_score", "peak_time", "threshold",
                 "severity"]


def severity(peak: float, threshold: float) -> str:
    """low / medium / high by how far the peak exceeds the threshold (in robust sd)."""
    excess = peak - threshold
    return "low" if excess < 2.0 else "medium" if excess < 6.0 else "high"


def events_table(table: pd.DataFrame, spans: np.ndarray | None = None,
                 targets: list[str] | None = None) -> pd.DataFrame:
    """Events of a per-step table (columns series, timestamp, score, threshold, is_anomaly).

    ``peak_time`` is the step of the highest score: an event spans the flagged runs joined
    across a window, often far wider than the fault, which sits at its peak.
    With several channels (``score_<column>`` columns), each event also names the
    channel that scored highest at its peak: the sensor an alert is about.

    Args:
        table: the per-step rows, series after series.
        spans: (rows,) bool, the steps of the events where they are more than the flagged
            steps (flagged runs joined across short gaps); ``is_anomaly`` if None.
        targets: the channels an event may name (input features make no alert); all
            ``score_`` columns if None.
    """
    channels = [c for c in table.columns if c.startswith("score_")]
    named = channels if targets is None else [c for c in channels
                                              if c.removeprefix("score_") in targets]
    every = table["is_anomaly"].to_numpy(dtype=bool) if spans is None else spans
    rows = []
    for name, part in table.groupby("series", sort=False):
        flags = every[table.index.get_indexer(part.index)]
        scores = part["score"].to_numpy(dtype=float)
        stamps = part["timestamp"].to_numpy()
        thr = float(part["threshold"].iloc[0])
        for a, b in runs(flags):
            at = a + int(np.nanargmax(scores[a:b + 1]))
            peak = float(scores[at])
            row = [name, stamps[a], stamps[b], b - a + 1, peak, stamps[at], thr,
                   severity(peak, thr)]
            if channels:
                per = part[named].iloc[at].to_numpy(dtype=float) if named else np.full(1, np.nan)
                row.append(named[int(np.nanargmax(per))].removeprefix("score_")
                           if not np.isnan(per).all() else "")
            rows.append(row)
    out = pd.DataFrame(rows, columns=EVENT_COLUMNS + (["channel"] if channels else []))
    for col in ("start", "end", "peak_time"):
        out[col] = pd.to_datetime(out[col], utc=True)
    return out
