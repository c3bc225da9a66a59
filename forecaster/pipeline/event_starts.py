"""Where an event under way at the first scored row began: a bounded look-back.

``--since``/``--last`` score only the newest rows. An event already under way when they
begin used to start at the first scored row, so hourly cron runs gave one fault a new
start each run, and alerts keyed by (series, start) repeated. When a series' first event
touches its first scored row, the rows before it are scored as a run that began
``LOOKBACK_REACHES`` merge reaches earlier would score them, flagged at the threshold the
scored rows used, and the event reaches back over those flagged or bridged as events are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pandas as pd

from forecaster.anomaly.thresholds import close_gaps
from forecaster.data.loading import Series

# Merge reaches (one anomaly window: forecast residuals do not reach back) looked back.
# One reach is what joins a fault's flagged runs, so a few cover a fault several windows
# long; with the default 64-row window on hourly rows, a fault keeps one start for 256
# hours of cron runs. The cost stays one extra scoring pass over five windows (these and
# the one after the cutoff that scores read), whatever the file's length or --last.
LOOKBACK_REACHES = 4

# (series, first row to score) -> (per-channel scores, overall score), as the scored rows'.
ScoreFn = Callable[[Series, int], tuple[np.ndarray, np.ndarray]]


def lookback_start(cutoff: int, merge: int) -> int:
    """The first row the look-back scores: ``LOOKBACK_REACHES`` merge reaches back."""
    return max(0, cutoff - LOOKBACK_REACHES * merge)


def truncated(s: Series, end: int) -> Series:
    """The series' rows before ``end``."""
    return replace(s, index=s.index[:end], values=s.values[:end], observed=s.observed[:end])


def context_scores(score: ScoreFn, s: Series, cutoff: int, need: int,
                   merge: int) -> tuple[np.ndarray, np.ndarray]:
    """Scores of the rows before ``cutoff`` as a run scoring from ``lookback_start`` has
    them (NaN before it): (rows before the cutoff, channels) and (rows before the cutoff,).

    A row's score reads fewer than ``need`` rows after it (the reconstruction windows
    covering it; forecast residuals read none), so the series is cut ``need`` rows past
    the cutoff: the look-back costs a few windows, not the newest rows over again.
    """
    part = truncated(s, min(len(s.index), cutoff + need))
    per, overall = score(part, lookback_start(cutoff, merge))
    return per[:cutoff], overall[:cutoff]


def context_flags(overall: np.ndarray, threshold: float, stuck: np.ndarray,
                  observed: np.ndarray) -> np.ndarray:
    """Rows before the cutoff flagged as a scored row is: at or above the threshold, or a
    stuck reading; observed. Not pruned: they join an event the scored rows kept."""
    return ((~np.isnan(overall) & (overall >= threshold)) | stuck) & observed


def rows_joined(before: np.ndarray, after: np.ndarray, merge: int) -> int:
    """How many of the rows ``before`` the cutoff the event under way at it reaches back
    over: flagged, or between flagged runs closer than ``merge`` (as ``close_gaps``
    joins an event); 0 where nothing before it joins."""
    joined = close_gaps(np.concatenate([before, after]), merge)
    k = len(before)
    if k == 0 or not joined[k]:
        return 0
    back = joined[:k][::-1]  # nearest the cutoff first
    return k if back.all() else int(np.argmin(back))


def under_way(score: ScoreFn, s: Series, cutoff: int, threshold: float,
              scored: tuple[np.ndarray, np.ndarray, np.ndarray], need: int, merge: int
              ) -> tuple[int, np.ndarray, np.ndarray, np.ndarray] | None:
    """Where the event under way at the first scored row began, and the rows before it.

    Args:
        score: scores the rows of a series from a given row on, as the scored rows were.
        s: the series.
        cutoff: its first scored row.
        threshold: the threshold the scored rows used.
        scored: the run's per-channel scores, overall scores and flags, every row: before
            the cutoff they hold only stuck readings (NaN and False elsewhere), merged in
            with ``fmax`` as the scored rows' were.
        need: the scorer's rows needed (a row's score reads fewer after it).
        merge: the scorer's merge reach.

    Returns:
        The event's first row, and per-channel scores, overall scores and flags of the
        rows before the cutoff; None where no row before the cutoff joins the event.
    """
    per, overall, flags = scored
    ctx_per, ctx_overall = context_scores(score, s, cutoff, need, merge)
    ctx_per, ctx_overall = np.fmax(ctx_per, per[:cutoff]), np.fmax(ctx_overall, overall[:cutoff])
    ctx_flags = context_flags(ctx_overall, threshold, flags[:cutoff],
                              s.observed[:cutoff].any(axis=1))
    back = rows_joined(ctx_flags[lookback_start(cutoff, merge):], flags[cutoff:], merge)
    return (cutoff - back, ctx_per, ctx_overall, ctx_flags) if back else None


def with_rows_before(table: pd.DataFrame, spans: np.ndarray,
                     before: pd.DataFrame | None) -> tuple[pd.DataFrame, np.ndarray]:
    """The per-step rows and event spans an events table is built from: the scored rows,
    after the rows of the event under way at the first of them where there are any."""
    if before is None or not len(before):
        return table, spans
    rows = pd.concat([before, table], ignore_index=True)
    return rows, np.concatenate([np.ones(len(before), dtype=bool), spans])
