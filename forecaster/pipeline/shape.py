"""Window, segment and horizon chosen from the data's frequency when not given.

The defaults were chosen on the validation split of ETTh1 (hourly) and carried
over to other frequencies through the season length: a window of 14 seasons
cut into one-season segments, and a horizon of one season
(benchmarks/RESULTS-accuracy.md).
"""

from __future__ import annotations

from dataclasses import replace

from forecaster.baselines import season_length
from forecaster.config import TrainSettings
from forecaster.data.loading import Frame
from forecaster.report import Reporter

SEASONS_PER_WINDOW = 14
MAX_SEGMENT = 48
MAX_WINDOW = 672
MAX_HORIZON = 96


def auto_segment(season: int) -> int:
    """The season, or its largest divisor not above MAX_SEGMENT (so segments tile it)."""
    return max(d for d in range(1, min(season, MAX_SEGMENT) + 1) if season % d == 0)


def resolve_shape(st: TrainSettings, frame: Frame, report: Reporter | None = None) -> TrainSettings:
    """Fill in window, segment and horizon left as None (auto).

    The window also shrinks, a segment at a time, so that the shortest evaluation
    fold keeps at least half the data for training.
    """
    if st.window and st.segment and st.horizon:
        return st
    season = season_length(frame.freq)
    horizon = st.horizon or min(max(season, 4), MAX_HORIZON)
    segment = st.segment or auto_segment(season if season > 1 else 4)
    if st.window:
        window = st.window
        if not st.segment:
            segment = _divisor_near(window, segment)
    else:
        longest = max(len(s.index) for s in frame.series)
        budget = min(MAX_WINDOW, max(2 * segment, longest // 6))
        window = max(2, min(SEASONS_PER_WINDOW * segment, budget) // segment) * segment
    if report is not None:
        report.detail(f"window {window}, segment {segment}, horizon {horizon} "
                      f"(season {season} at frequency '{frame.freq}')")
    return replace(st, window=window, segment=segment, horizon=horizon)


def _divisor_near(window: int, wanted: int) -> int:
    # A user-given window with an automatic segment: the largest divisor <= wanted.
    return max(d for d in range(1, min(window, wanted) + 1) if window % d == 0)
