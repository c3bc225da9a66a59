"""Scoring for anomaly detection benchmarks (NAB score and event F1).

Pure numpy/pandas implementation of the rules in ``benchmarks/README.md`` section A1:

* Event F1, the overlap rule of Orion and telemanom: closed intervals; a labelled window is a
  true positive if any detected event overlaps it, otherwise a false negative; a detected event
  that overlaps no window is a false positive.
* The NAB score (standard profile), following NAB's own ``nab/sweeper.py``:

  - the first ``min(floor(0.15 N), 750)`` rows of a file are not scored at all (neither as
    detections nor as parts of windows; a window lying entirely inside that period is not
    scored);
  - a window runs from the first row stamped ``start`` to the first row stamped ``end``, as in
    NAB (rows merely inside ``[start, end]`` if those stamps are absent); with left row
    ``l``, right row ``r`` and width ``w = r - l + 1``, a detection at row ``i`` inside it earns
    ``A_TP * s(-(r - i + 1) / w) / s(-1)``, so the left edge earns exactly ``A_TP``;
  - only the best (earliest) detection per window counts; a window with no detection costs
    ``A_FN``;
  - every detected row outside all windows is a false positive and adds ``A_FP * s(y)``
    with ``y = |r_prev - i| / (w_prev - 1)`` for the closest preceding window, or
    ``-A_FP`` if no window precedes it;
  - ``s(y) = 2 / (1 + exp(5 y)) - 1``, and ``-1`` for ``y > 3`` (NAB's sweeper uses
    ``y >= 3``; the two differ by 3e-7 at exactly ``y = 3``).

* Normalisation ``100 (S - S_null) / (S_perfect - S_null)`` with ``S_perfect = A_TP * n_windows``
  and ``S_null = -A_FN * n_windows`` summed over the corpus.
* A threshold sweep that, like NAB, chooses one threshold for the whole corpus maximising the
  total raw score (detections are rows with ``score >= threshold``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

Window = tuple[pd.Timestamp, pd.Timestamp]

PROBATION_FRACTION = 0.15
PROBATION_MAX_ROWS = 750


class NabProfile(NamedTuple):
    """Weights of a NAB application profile.

    Attributes:
        a_tp: Reward for a detection at a window's left edge.
        a_fp: Cost of a false positive far from any preceding window.
        a_fn: Cost of a window with no detection.
    """

    a_tp: float = 1.0
    a_fp: float = 0.11
    a_fn: float = 1.0


STANDARD_PROFILE = NabProfile()


# ---------------------------------------------------------------------------------------------
# Event F1 (Orion / telemanom overlap rule)
# ---------------------------------------------------------------------------------------------


def _interval_bounds(intervals: Sequence[Window]) -> tuple[np.ndarray, np.ndarray]:
    """Return the starts and ends of intervals as int64 nanoseconds.

    Args:
        intervals: Pairs ``(start, end)`` of timestamps (anything ``pd.Timestamp`` accepts).

    Returns:
        Two int64 arrays, starts and ends.

    Raises:
        ValueError: If an interval ends before it starts.
    """
    if len(intervals) == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    starts = pd.DatetimeIndex([pd.Timestamp(s) for s, _ in intervals]).asi8
    ends = pd.DatetimeIndex([pd.Timestamp(e) for _, e in intervals]).asi8
    if np.any(ends < starts):
        raise ValueError("an interval ends before it starts")
    return starts, ends


def event_confusion(detected: Sequence[Window], windows: Sequence[Window]) -> tuple[int, int, int]:
    """Count true positives, false positives and false negatives with the overlap rule.

    Intervals are closed, so events that only touch a window's endpoint overlap it. A window is
    a true positive if any detected event overlaps it, otherwise a false negative; a detected
    event is a false positive if it overlaps no window. One event spanning two windows therefore
    makes both of them true positives.

    Args:
        detected: Detected events as ``(start, end)`` timestamp pairs.
        windows: Labelled anomaly windows as ``(start, end)`` timestamp pairs.

    Returns:
        ``(tp, fp, fn)``.
    """
    d_start, d_end = _interval_bounds(detected)
    w_start, w_end = _interval_bounds(windows)
    overlap = (d_start[:, None] <= w_end[None, :]) & (w_start[None, :] <= d_end[:, None])
    tp = int(overlap.any(axis=0).sum())
    fn = len(w_start) - tp
    fp = int((~overlap.any(axis=1)).sum())
    return tp, fp, fn


def f1_from_counts(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall and F1 from counts, defined as 0 where a denominator is 0.

    Args:
        tp: True positives.
        fp: False positives.
        fn: False negatives.

    Returns:
        ``(precision, recall, f1)``.
    """
    precision = tp / (tp + fp) if tp + fp > 0 else 0.0
    recall = tp / (tp + fn) if tp + fn > 0 else 0.0
    denom = precision + recall
    f1 = 2.0 * precision * recall / denom if denom > 0 else 0.0
    return float(precision), float(recall), float(f1)


def events_from_detections(timestamps: pd.DatetimeIndex, detections: np.ndarray) -> list[Window]:
    """Turn a row-wise detection mask into events: runs of consecutive detected rows.

    Args:
        timestamps: Row timestamps, ascending.
        detections: Boolean mask, one entry per row.

    Returns:
        One ``(first timestamp, last timestamp)`` pair per run of ``True`` rows.
    """
    mask = np.asarray(detections, dtype=bool)
    if len(mask) != len(timestamps):
        raise ValueError("timestamps and detections differ in length")
    padded = np.concatenate(([False], mask, [False])).astype(np.int8)
    edges = np.diff(padded)
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1) - 1
    ts = pd.DatetimeIndex(timestamps)
    return [(ts[s], ts[e]) for s, e in zip(starts, ends, strict=True)]


# ---------------------------------------------------------------------------------------------
# NAB score
# ---------------------------------------------------------------------------------------------


def scaled_sigmoid(y: np.ndarray | float) -> np.ndarray:
    """NAB's scaled sigmoid ``s(y) = 2 / (1 + exp(5 y)) - 1``, and ``-1`` for ``y > 3``.

    Args:
        y: Relative position(s).

    Returns:
        ``s(y)`` as a float array (0-d for a scalar input).
    """
    y = np.asarray(y, dtype=float)
    out = 2.0 / (1.0 + np.exp(5.0 * np.minimum(y, 3.0))) - 1.0
    return np.where(y > 3.0, -1.0, out)


def probationary_length(n_rows: int) -> int:
    """Rows at the start of a file that NAB does not score: ``min(floor(0.15 N), 750)``.

    Args:
        n_rows: Number of rows in the file.

    Returns:
        The length of the probationary period in rows.
    """
    return int(min(math.floor(PROBATION_FRACTION * n_rows), PROBATION_MAX_ROWS))


class _FileSweep(NamedTuple):
    """Per-row NAB scores of one file, as NAB's sweeper computes them.

    Attributes:
        sweep: Score each row would earn if detected (TP credit inside a window, FP cost
            outside), already weighted by the profile.
        window_id: Index of the window holding each row, or -1 outside every window.
        scorable: False for rows in the probationary period.
        scored_windows: Indices of the windows that hold at least one scorable row.
    """

    sweep: np.ndarray
    window_id: np.ndarray
    scorable: np.ndarray
    scored_windows: np.ndarray


def _window_rows(ts: np.ndarray, start: int, end: int) -> tuple[int, int] | None:
    """Locate a window's first and last rows the way NAB's sweeper does.

    NAB enters a window at the first row whose timestamp equals the window's start and leaves
    it at the first row whose timestamp equals its end. For timestamps that match no row, the
    window starts at the first row at or after ``start`` and ends just before the first row
    after it that lies beyond ``end``.

    Args:
        ts: Row timestamps as int64 nanoseconds, in file order.
        start: Window start, int64 nanoseconds.
        end: Window end, int64 nanoseconds.

    Returns:
        ``(left, right)`` row indices, or None if no row lies in ``[start, end]``.
    """
    at_or_after = np.flatnonzero(ts >= start)
    if len(at_or_after) == 0 or ts[at_or_after[0]] > end:
        return None
    left = int(at_or_after[0])
    tail = ts[left:]
    exact = np.flatnonzero(tail == end)
    if len(exact):
        return left, left + int(exact[0])
    beyond = np.flatnonzero(tail > end)
    return left, left + (int(beyond[0]) - 1 if len(beyond) else len(tail) - 1)


def _file_sweep(
    timestamps: pd.DatetimeIndex, windows: Sequence[Window], profile: NabProfile
) -> _FileSweep:
    """Compute the per-row NAB scores of one file.

    Args:
        timestamps: Row timestamps, in file order (ascending, but duplicates and stray rows
            as in NAB's own files are tolerated: windows are located as NAB does).
        windows: Labelled windows of the file (closed intervals, non-overlapping).
        profile: NAB weights.

    Returns:
        The per-row scores, window membership and probation mask.

    Raises:
        ValueError: If windows overlap.
    """
    ts = pd.DatetimeIndex(timestamps).asi8
    n = len(ts)
    w_start, w_end = _interval_bounds(windows)
    order = np.argsort(w_start, kind="stable")
    bounds = [_window_rows(ts, lo, hi) for lo, hi in zip(w_start[order], w_end[order], strict=True)]
    # A window holding no row cannot be detected nor scored: NAB never enters it.
    bounds = [b for b in bounds if b is not None]
    left = np.array([b[0] for b in bounds], dtype=np.int64)
    right = np.array([b[1] for b in bounds], dtype=np.int64)
    if np.any(left[1:] <= right[:-1]):
        raise ValueError("windows overlap")
    width = (right - left + 1).astype(float)

    rows = np.arange(n)
    window_id = np.full(n, -1, dtype=np.int64)
    for k, (lo, hi) in enumerate(zip(left, right, strict=True)):
        window_id[lo : hi + 1] = k

    sweep = np.empty(n, dtype=float)
    inside = window_id >= 0
    k_in = window_id[inside]
    pos_in = -(right[k_in] - rows[inside] + 1) / width[k_in]
    sweep[inside] = profile.a_tp * scaled_sigmoid(pos_in) / scaled_sigmoid(-1.0)

    outside = ~inside
    i_out = rows[outside]
    prev = np.searchsorted(right, i_out, side="left") - 1  # last window with right < i
    cost = np.full(len(i_out), -1.0)
    has_prev = prev >= 0
    p = prev[has_prev]
    # NAB divides by (w_prev - 1), which is 0 for a one-row window: use 1 there instead.
    denom = np.maximum(width[p] - 1.0, 1.0)
    cost[has_prev] = scaled_sigmoid(np.abs(right[p] - i_out[has_prev]) / denom)
    sweep[outside] = profile.a_fp * cost

    probation = probationary_length(n)
    scorable = rows >= probation
    scored_windows = np.flatnonzero(right >= probation)
    return _FileSweep(sweep, window_id, scorable, scored_windows)


def nab_raw_score(
    timestamps: pd.DatetimeIndex,
    detections: np.ndarray,
    windows: Sequence[Window],
    profile: NabProfile = STANDARD_PROFILE,
) -> float:
    """Raw NAB score of one file.

    Args:
        timestamps: Row timestamps, ascending.
        detections: Boolean mask, True where the detector flags the row.
        windows: Labelled windows of the file as ``(start, end)`` timestamp pairs.
        profile: NAB weights (standard profile by default).

    Returns:
        The file's raw score: best TP credit per detected window, ``-A_FN`` per missed window,
        plus the FP costs of detected rows outside windows; probationary rows ignored.
    """
    det = np.asarray(detections, dtype=bool)
    if len(det) != len(timestamps):
        raise ValueError("timestamps and detections differ in length")
    fs = _file_sweep(timestamps, windows, profile)
    active = det & fs.scorable
    fp_total = float(fs.sweep[active & (fs.window_id < 0)].sum())
    window_total = 0.0
    for k in fs.scored_windows:
        hits = fs.sweep[active & (fs.window_id == k)]
        window_total += max(-profile.a_fn, float(hits.max())) if len(hits) else -profile.a_fn
    return window_total + fp_total


def nab_null_and_perfect(
    windows: Sequence[Window], profile: NabProfile = STANDARD_PROFILE
) -> tuple[float, float]:
    """Scores of the null detector (flags nothing) and of the perfect detector.

    Args:
        windows: All labelled windows of the corpus (flattened over files).
        profile: NAB weights.

    Returns:
        ``(S_null, S_perfect) = (-A_FN * n_windows, A_TP * n_windows)``.
    """
    n = len(windows)
    return -profile.a_fn * n, profile.a_tp * n


def _normalise(total: float, n_windows: int, profile: NabProfile) -> float:
    """Normalise a corpus total to NAB's 0 (null) .. 100 (perfect) scale.

    Args:
        total: Sum of the raw scores over the corpus.
        n_windows: Number of labelled windows in the corpus.
        profile: NAB weights.

    Returns:
        The normalised score, or NaN for a corpus without windows.
    """
    s_null, s_perfect = -profile.a_fn * n_windows, profile.a_tp * n_windows
    if s_perfect == s_null:
        return float("nan")
    return 100.0 * (total - s_null) / (s_perfect - s_null)


def nab_normalised_score(
    files: Iterable[tuple[pd.DatetimeIndex, np.ndarray, Sequence[Window]]],
    profile: NabProfile = STANDARD_PROFILE,
) -> float:
    """Normalised NAB score of a detector over a set of files.

    Args:
        files: One ``(timestamps, detections, windows)`` triple per file, with ``detections``
            a boolean mask over the rows.
        profile: NAB weights.

    Returns:
        ``100 (S - S_null) / (S_perfect - S_null)``, with ``S`` the sum of the files' raw
        scores; NaN if the files hold no window at all.
    """
    total = 0.0
    n_windows = 0
    for timestamps, detections, windows in files:
        total += nab_raw_score(timestamps, detections, windows, profile)
        n_windows += len(windows)
    return _normalise(total, n_windows, profile)


def sweep_threshold(
    files: Iterable[tuple[pd.DatetimeIndex, np.ndarray, Sequence[Window]]],
    profile: NabProfile = STANDARD_PROFILE,
    n_quantiles: int | None = 1000,
    candidates: np.ndarray | None = None,
) -> tuple[float, float]:
    """Pick the one corpus-wide threshold that maximises the total raw NAB score.

    Detections are rows whose score is at or above the threshold; NaN scores never detect.
    All candidate thresholds are scored at once: scorable rows of all files are sorted by
    score, and the total is accumulated row by row (FP costs add up, each window keeps its best
    credit), which is exactly the total NAB's sweeper reports for each threshold. The option of
    flagging nothing (threshold ``inf``, total ``S_null``) is always a candidate, as in NAB.

    Args:
        files: One ``(timestamps, scores, windows)`` triple per file, with ``scores`` the
            detector's anomaly scores (higher means more anomalous).
        profile: NAB weights.
        n_quantiles: Size of the quantile grid the candidates are drawn from (their unique
            values are used); ``None`` tries every distinct score, as NAB does.
        candidates: Explicit candidate thresholds; overrides ``n_quantiles``.

    Returns:
        ``(threshold, total raw score)``; ties go to the highest threshold.
    """
    all_scores: list[np.ndarray] = []
    all_sweep: list[np.ndarray] = []
    all_group: list[np.ndarray] = []
    n_scored_windows = 0
    offset = 0
    for timestamps, scores, windows in files:
        values = np.asarray(scores, dtype=float)
        if len(values) != len(timestamps):
            raise ValueError("timestamps and scores differ in length")
        fs = _file_sweep(timestamps, windows, profile)
        keep = fs.scorable & ~np.isnan(values)
        # Rows of windows that are not scored do not exist: they are all in probation.
        group = np.where(fs.window_id >= 0, fs.window_id + offset, -1)
        all_scores.append(values[keep])
        all_sweep.append(fs.sweep[keep])
        all_group.append(group[keep])
        n_scored_windows += len(fs.scored_windows)
        offset += len(windows)

    s_null = -profile.a_fn * n_scored_windows
    values = np.concatenate(all_scores) if all_scores else np.empty(0)
    if len(values) == 0:
        return float("inf"), float(s_null)
    sweep = np.concatenate(all_sweep)
    group = np.concatenate(all_group)

    order = np.argsort(-values, kind="stable")
    values, sweep, group = values[order], sweep[order], group[order]
    delta = sweep.copy()
    in_window = group >= 0
    if in_window.any():
        frame = pd.DataFrame({"g": group[in_window], "s": sweep[in_window]})
        best = np.maximum(frame.groupby("g")["s"].cummax().to_numpy(), -profile.a_fn)
        prev_best = (
            pd.Series(best).groupby(frame["g"].to_numpy()).shift(1).fillna(-profile.a_fn)
        ).to_numpy()
        delta[in_window] = best - prev_best
    totals = s_null + np.cumsum(delta)

    if candidates is not None:
        grid = np.unique(np.asarray(candidates, dtype=float))
    elif n_quantiles is None:
        grid = np.unique(values)
    else:
        grid = np.unique(
            np.quantile(values, np.linspace(0.0, 1.0, n_quantiles), method="inverted_cdf")
        )
    grid = grid[~np.isnan(grid)]
    # Number of rows with value >= t, for each candidate t (values sorted descending).
    counts = np.searchsorted(-values, -grid, side="right")
    grid_totals = np.where(counts > 0, totals[np.maximum(counts - 1, 0)], s_null)

    best_threshold, best_total = float("inf"), float(s_null)
    if len(grid):
        # Highest threshold among the maxima: iterate from the top, keep strict improvements.
        desc = np.argsort(-grid, kind="stable")
        idx = desc[int(np.argmax(grid_totals[desc]))]
        if grid_totals[idx] > best_total:
            best_threshold, best_total = float(grid[idx]), float(grid_totals[idx])
    return best_threshold, best_total


def load_windows(labels_json_path: str | Path, key: str) -> list[Window]:
    """Read one file's windows from a NAB ``labels_windows.json``.

    Args:
        labels_json_path: Path of the JSON file mapping ``"set/file.csv"`` to a list of
            ``[start, end]`` timestamp strings.
        key: The file's key, e.g. ``"realKnownCause/nyc_taxi.csv"``.

    Returns:
        The windows as ``(pd.Timestamp, pd.Timestamp)`` pairs, in file order.

    Raises:
        KeyError: If ``key`` is not in the file.
    """
    with open(labels_json_path, encoding="utf-8") as fh:
        labels = json.load(fh)
    return [(pd.Timestamp(start), pd.Timestamp(end)) for start, end in labels[key]]
