"""The events table: one row per contiguous run of flagged steps."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecaster.anomaly.thresholds import runs

EVENT_COLUMNS = ["series", "start", "end", "steps", "peak_score", "threshold", "severity"]


def severity(peak: float, threshold: float) -> str:
    """low / medium / high by how far the peak exceeds the threshold (in robust sd)."""
    excess = peak - threshold
    return "low" if excess < 2.0 else "medium" if excess < 6.0 else "high"


def events_table(table: pd.DataFrame) -> pd.DataFrame:
    """Events of a per-step table (columns series, timestamp, score, threshold, is_anomaly)."""
    rows = []
    for name, part in table.groupby("series", sort=False):
        flags = part["is_anomaly"].to_numpy(dtype=bool)
        scores = part["score"].to_numpy(dtype=float)
        stamps = part["timestamp"].to_numpy()
        thr = float(part["threshold"].iloc[0])
        for a, b in runs(flags):
            peak = float(np.nanmax(scores[a:b + 1]))
            rows.append([name, stamps[a], stamps[b], b - a + 1, peak, thr, severity(peak, thr)])
    out = pd.DataFrame(rows, columns=EVENT_COLUMNS)
    for col in ("start", "end"):
        out[col] = pd.to_datetime(out[col], utc=True)
    return out
