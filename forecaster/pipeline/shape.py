"""Window, segment and horizon chosen from the data's frequency when not given.

The defaults were chosen on the validation split of ETTh1 (hourly) and carried
over to other frequencies through the season length: a window of 14 seasons
cut into one-season segments, and a horizon of one season
(benchmarks/RESULTS-accuracy.md). Also the series a shape leaves out, and the warnings about
what the shape cannot use: dropout with one layer, constant columns.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from forecaster.baselines import season_length
from forecaster.config import TrainSettings, check_val_size
from forecaster.data.loading import Frame
from forecaster.data.timestamps import is_step_freq
from forecaster.errors import DataError
from forecaster.pipeline.evaluation import is_counter
from forecaster.pipeline.prepare import (
    Grid,
    fold_room,
    make_grid,
    smallest_shape,
    train_need,
    window_words,
)
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
    fold keeps at least half the data for training. A --val-size shorter than the horizon
    is refused here, before ``fit_short`` could shrink the automatic horizon for it as if
    the data were short.
    """
    season = season_length(frame.freq)
    horizon = st.horizon or min(max(season, 4), MAX_HORIZON)
    if st.folds:  # backtest's settings keep the default folds: it always cuts one
        check_val_size(st.val_size, horizon, automatic=not st.horizon)
    if st.window and st.segment and st.horizon:
        return st
    automatic = auto_segment(season if season > 1 else 4)
    segment = st.segment or automatic
    if st.window:
        window = st.window
        if not st.segment:
            segment = _divisor_near(window, segment)
    else:
        longest = max(len(s.index) for s in frame.series)
        budget = min(MAX_WINDOW, max(2 * segment, longest // 6))
        # 14 seasons (counted in automatic segments) whatever segment is given: --segment 1
        # asks for per-step input, not for a window of 14 steps.
        window = max(2, min(SEASONS_PER_WINDOW * automatic, budget) // segment) * segment
        if report is not None and longest // 6 < min(SEASONS_PER_WINDOW * automatic,
                                                      MAX_WINDOW):
            # A detail, not a note: a usage error found after this (backtest's --folds)
            # must stay the only line a plain run prints.
            report.detail(f"window {window} steps, a sixth of the longest series ({longest} "
                          f"steps), instead of {SEASONS_PER_WINDOW} seasons "
                          f"({SEASONS_PER_WINDOW * automatic}): give --window to choose")
    if report is not None:
        # Step numbers lie on a grid of nanoseconds: "at frequency 'ns'" named none.
        at = ("on rows indexed by step numbers" if is_step_freq(frame.freq)
              else f"at frequency '{frame.freq}'")
        report.detail(f"window {window}, segment {segment}, horizon {horizon} "
                      f"(season {season} {at})")
    return replace(st, window=window, segment=segment, horizon=horizon)


def _divisor_near(window: int, wanted: int) -> int:
    # A user-given window with an automatic segment: the largest divisor <= wanted.
    return max(d for d in range(1, min(window, wanted) + 1) if window % d == 0)


def fit_short(given: TrainSettings, st: TrainSettings, n: int,
              report: Reporter | None = None,
              fits: Callable[[TrainSettings], bool] | None = None) -> TrainSettings:
    """Shrink the automatic horizon, segment and window until the data fits ``n`` steps.

    Only fields left automatic in ``given`` change: first the horizon (halved), then
    the segment (a divisor of the season's), then the window (whole segments, at least
    two). A short file (36 monthly rows) then trains on a small shape instead of being
    refused; if nothing fits, ``st`` comes back unchanged and the usual check explains.

    Args:
        given: the settings as the user gave them (None where automatic).
        st: the resolved settings.
        n: steps in the grid, for the message.
        report: where the note goes.
        fits: whether a shape fits; default: the training folds' check.
    """
    fits = fits or (lambda c: train_fits(c, n))
    if fits(st):
        return st
    horizons = _halvings(st.horizon) if not given.horizon else [st.horizon]
    segments = _divisors(st.segment) if not given.segment else [st.segment]
    for h in horizons:
        for seg in segments:
            for w in _windows(given, st, seg):
                if fits(replace(st, window=w, segment=seg, horizon=h)):
                    small = replace(st, window=w, segment=seg, horizon=h)
                    if report is not None:
                        report.note(f"short data ({n} steps): {_changes(st, small)}")
                    return small
    return st


def _changes(was: TrainSettings, now: TrainSettings) -> str:
    # Only what shrank: "horizon 96 instead of 96" read as a change that was not made.
    return ", ".join(f"{k} {getattr(now, k)} instead of {getattr(was, k)}"
                     for k in ("window", "segment", "horizon")
                     if getattr(now, k) != getattr(was, k))


def train_fits(st: TrainSettings, n: int) -> bool:
    """Whether the first fold (or, without folds, the whole series) trains with this shape:
    the checks of ``plan_folds`` and ``check_final_length``."""
    if st.folds == 0:
        return train_need(st, n) <= n
    _, _, train_len, need = fold_room(st, n)
    return need <= train_len


def _halvings(h: int) -> list[int]:
    out = [h]
    while out[-1] > 1:
        out.append(out[-1] // 2)
    return out


def _divisors(seg: int) -> list[int]:
    return [d for d in range(seg, 0, -1) if seg % d == 0]


def _windows(given: TrainSettings, st: TrainSettings, seg: int) -> list[int]:
    """Candidate windows, longest first: the given one, or whole segments up to the auto one."""
    if given.window:
        return [st.window] if st.window % seg == 0 else []
    return [k * seg for k in range(st.window // seg, 1, -1)]


def resolve_norm(st: TrainSettings, frame: Frame, offsets: Sequence[int], hi: int, n: int,
                 report: Reporter | None = None) -> TrainSettings:
    """Settle ``--norm auto``: "diff" for counters, "last" otherwise.

    A meter reading changes by little against its level, so forecasting its level from
    the last value loses the steps in the level's noise; its step changes are what
    repeat. The choice looks at the first half of the grid, and never at or after
    ``hi``, the first validation or test row: no evaluation sees data it was not
    entitled to, and ``train`` and ``backtest`` choose alike for one file.
    """
    if st.norm != "auto":
        return st
    if not is_counter(frame, offsets, 0, min(hi, n // 2)):
        return replace(st, norm="last")
    if report is not None:
        report.note(f"{', '.join(frame.spec.targets)}: rises (or falls) at nearly every change "
                    "in the training rows, like a meter: forecasting its step changes "
                    "(--norm diff; --norm last forecasts the level)")
    return replace(st, norm="diff")


def warn_unused(st: TrainSettings, report: Reporter) -> None:
    """Warn about options that cannot act, which were ignored without a word: a --dropout
    with one layer (it sits between layers; PyTorch warns alike), and the options that
    shape the validation folds when --folds 0 asks for none."""
    if st.dropout > 0 and st.layers == 1:
        report.warn(f"--dropout {st.dropout:g} has no effect with --layers 1: dropout sits "
                    "between stacked layers; add --layers 2 or more, or leave --dropout out")
    shaping = [f"--{name} {value}" for name, value in (
        ("val-size", st.val_size), ("gap", st.gap),
        ("window-kind", None if st.window_kind == "expanding" else st.window_kind))
        if value is not None]
    if st.folds == 0 and shaping:
        report.warn(f"{', '.join(shaping)}: no effect with --folds 0, which trains without "
                    "validation folds; give --folds 1 or more to validate, or leave them out")


def warn_constant(frame: Frame, report: Reporter) -> None:
    """Warn about constant columns: a target forecast flat, a feature that tells nothing."""
    for s in frame.series:
        flat = [c for j, c in enumerate(frame.columns) if np.ptp(s.values[:, j]) == 0]
        if flat:
            where = f"series '{s.name}' " if s.name else ""
            report.warn(f"{where}column(s) {', '.join(flat)} are constant: a constant target "
                        "is forecast at about that value (the network adds small offsets), "
                        "a constant feature tells the model nothing")


def length_option(given: TrainSettings) -> str:
    """The option that set the window's length, for advice to shorten it: "--segment" for
    an automatic window made of a given --segment's segments, else "--window"."""
    return "--segment" if given.window is None and given.segment else "--window"


def check_final_length(frame: Frame, st: TrainSettings, path: str,
                       length_option: str = "--window") -> None:
    """Enough rows to train at all (also when ``--folds 0``); ``length_option``: see
    ``window_words``."""
    longest = max(len(s.index) for s in frame.series)
    need = train_need(st, longest)
    if longest < need:
        bins = st.data.resample
        rows = f"{longest} row{'s' if longest != 1 else ''} per series at most" + (
            f" in bins of --resample {bins}" if bins else "")
        least = train_need(smallest_shape(st), longest)
        named, example = window_words(st, length_option)
        parts = ([f"a shorter --resample than {bins}"] if bins else []) + (
            [f"a shorter {length_option}/--horizon ({example} --horizon 1 needs {least})"]
            if least <= longest else [])
        advice = (", ".join(parts) + " or more data" if parts else
                  f"more data ({example} --horizon 1 needs {least})")
        raise DataError(f"{path}: {rows}, need at least {need} for {named} and "
                        f"--horizon {st.horizon}; use {advice}")


def fit_series(frame: Frame, given: TrainSettings, st: TrainSettings, path: str,
               report: Reporter) -> tuple[Frame, Grid, TrainSettings]:
    """The series to train on, their grid, and the shape fitted to them.

    A series too short for one window of the shape fitted to the whole file is left out
    (``drop_short``), and the shape is fitted again to the others: one far from them (20
    rows, 500 hours before) had widened the grid the shape was fitted to, and train failed.
    """
    grid = make_grid(frame)
    first = fit_short(given, st, grid.n)  # silent: the note is the final shape's
    kept = drop_short(frame, first, path, report)
    if kept is not frame:
        frame, grid = kept, make_grid(kept)
    return frame, grid, fit_short(given, st, grid.n, report)


def drop_short(frame: Frame, st: TrainSettings, path: str,
               report: Reporter | None = None) -> Frame:
    """The frame without the series too short for one window, left out with a warning,
    while another series is long enough (else ``check_final_length`` says what to do).

    A store opened yesterday must not stop the nightly retrain of all the others for weeks.
    """
    short = [s for s in frame.series if len(s.index) < st.window + st.horizon]
    if not short or len(short) == len(frame.series):
        return frame
    names = ", ".join(f"'{s.name}' ({len(s.index)} rows)" for s in short[:5])
    if report is not None:
        report.warn(f"{Path(path).name}: {len(short)} series too short for one --window "
                    f"{st.window} plus --horizon {st.horizon}, left out of this model: "
                    f"{names}; predict and detect-anomalies take them for series new since "
                    "training")
    gone = {s.name for s in short}
    return replace(frame, series=[s for s in frame.series if s.name not in gone])
