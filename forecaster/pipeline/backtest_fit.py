"""The shape a backtest trains with, and what to change when its plan does not fit the file.

``forecast train`` shrinks its automatic window, segment and horizon on a short file
(``shape.fit_short``); a backtest takes that same shape, so that it evaluates the model
train would build, and shrinks it further only where its own span (the rows before
--start) cannot train it. When no plan fits, the advice names only options that were
tried and fit.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from forecaster.config import TrainSettings
from forecaster.data.loading import Frame
from forecaster.errors import ConfigError, DataError
from forecaster.pipeline.backtest_plan import (
    DEFAULT_START,
    BacktestSettings,
    Plan,
    make_plan,
    resolve_position,
)
from forecaster.pipeline.shape import fit_short, resolve_shape, train_fits
from forecaster.report import Reporter


def plan_fits(n: int, times: pd.DatetimeIndex, bt: BacktestSettings) -> bool:
    """Whether ``bt`` (its shape resolved) plans on ``n`` steps. Only "too little data"
    counts as not fitting; an option error (too many --folds) is raised as it is."""
    try:
        make_plan(n, times, bt)
    except DataError:
        return False
    return True


def backtest_shape(bt: BacktestSettings, frame: Frame, n: int, times: pd.DatetimeIndex,
                   report: Reporter | None = None) -> TrainSettings:
    """The automatic shape: ``forecast train``'s for this file, shrunk further only if the
    rows before --start cannot train it. Not shrunk for the plan when --start or --end was
    given: then the span is the user's choice, and the error says what to change."""
    given, st = bt.train, resolve_shape(bt.train, frame, report)
    if bt.start is not None or bt.end is not None:
        return fit_short(given, st, n, report)

    def fits(c: TrainSettings) -> bool:
        return plan_fits(n, times, replace(bt, train=c))

    shaped = fit_short(given, st, n, report, lambda c: train_fits(c, n) and fits(c))
    if fits(shaped):
        return shaped
    # No shape suits both (train refuses the file): the backtest's own check alone decides.
    return fit_short(given, st, n, report, fits)


def planned(path: str, bt: BacktestSettings, frame: Frame, n: int, times: pd.DatetimeIndex,
            report: Reporter) -> tuple[BacktestSettings, Plan]:
    """The settings with their shape resolved, and the plan.

    Raises:
        DataError: no plan fits; the message says why and which options would fit.
    """
    shaped = replace(bt, train=backtest_shape(bt, frame, n, times, report))
    try:
        return shaped, make_plan(n, times, shaped)
    except DataError as exc:  # the plan knows positions, not the file
        raise DataError(f"{path}: {exc}; {advice(bt, shaped.train, frame, n, times)}") from None


def advice(given: BacktestSettings, st: TrainSettings, frame: Frame, n: int,
           times: pd.DatetimeIndex) -> str:
    """Options that make the plan fit, each tried here first (the shape resolved anew)."""

    def works(change: dict, shape: dict | None = None) -> bool:
        bt = replace(given, **change, train=replace(given.train, **(shape or {})))
        try:
            return plan_fits(n, times, replace(bt, train=backtest_shape(bt, frame, n, times)))
        except ConfigError:  # e.g. a --val-size now shorter than the horizon
            return False

    tries = [f"--start {s}" for s in [_start(given, frame, n, times)] if s]
    if given.gap and works({"gap": 0}):
        tries.append("--gap 0")
    if given.end is not None and works({"end": None}):
        tries.append("no --end")
    step = given.train.segment or 1
    windows = sorted({max(2, st.window * k // 8 // step * step) for k in range(1, 8)},
                     reverse=True)
    tries += [f"--window {w}" for w in windows if w < st.window and works({}, {"window": w})][:1]
    horizons = [st.horizon // 2 ** k for k in range(1, 8) if st.horizon // 2 ** k >= 1]
    tries += [f"--horizon {h}" for h in horizons if works({}, {"horizon": h})][:1]
    if given.train.val_size and given.train.val_size > st.horizon and works(
            {}, {"val_size": st.horizon}):
        tries.append(f"--val-size {st.horizon}")
    if not tries:  # one change alone is not enough: a shorter window and horizon together
        tries = [f"--window {w} --horizon {h}" for w in windows for h in horizons
                 if w < st.window and works({}, {"window": w, "horizon": h})][:1]
    if not tries:
        return (f"no --start, --window or --horizon fits a backtest in these {n} steps; give "
                "more data")
    return "give " + (", ".join(tries[:-1]) + " or " if len(tries) > 1 else "") + tries[-1]


def _start(given: BacktestSettings, frame: Frame, n: int, times: pd.DatetimeIndex) -> str:
    """The --start (a fraction) nearest the current one that fits, or ''."""
    bt = replace(given, start="0.5")  # any --start: the shape then no longer depends on it
    bt = replace(bt, train=backtest_shape(bt, frame, n, times))
    here = resolve_position(given.start, times, DEFAULT_START, "--start",
                            day_first=given.train.data.day_first) / n
    for frac in sorted((k / 100 for k in range(1, 100)), key=lambda f: abs(f - here)):
        try:
            if plan_fits(n, times, replace(bt, start=f"{frac:.2f}")):
                return f"{frac:.2f}"
        except ConfigError:  # more --folds than origins there
            continue
    return ""
