"""What ``forecast backtest`` says about its plan before the first fit: the season it
compares with, the origins it forecasts from, and when there are too few of them; and,
after the fits, which series got no forecast and why."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from forecaster.data.loading import Frame
from forecaster.data.timestamps import time_text
from forecaster.errors import ConfigError
from forecaster.pipeline.backtest_plan import BacktestSettings, Plan, Refit, tail_note
from forecaster.report import Reporter

FEW_ORIGINS = 5  # fewer, and one unlucky origin decides the comparison with the baselines


def check_season(bt: BacktestSettings, plan: Plan) -> None:
    """Refuse a ``--season`` longer than the steps before the first origin."""
    if bt.season and bt.season > plan.origins.min():
        raise ConfigError(f"--season {bt.season}: only {plan.origins.min()} steps come before the "
                          "first origin, so seasonal naive and MASE would have no season to "
                          "repeat; give a shorter --season or a later --start")


def announce(csv_path: str | Path, bt: BacktestSettings, plan: Plan, season: int,
             times: pd.DatetimeIndex, report: Reporter) -> None:
    """Note the plan (origins, fits, season, the unforecast tail); warn of few origins."""
    short = season > plan.origins.min()  # automatic: --season's own was refused above
    report.note(f"backtest: {len(plan.origins)} origins, {len(plan.refits)} fit(s), season "
                f"{season}" + (f" (only {plan.origins.min()} steps before the first origin: "
                               "seasonal naive repeats the last value where no season came "
                               "before, and MASE is scaled by the one-step change where a fit "
                               "trains on no more than a season)" if short else ""))
    tail = tail_note(plan, times, bt.train.horizon, bt.stride or bt.train.horizon)
    if tail:
        report.note(f"{csv_path}: {tail}")
    if len(plan.origins) < FEW_ORIGINS:
        report.warn(f"backtest: only {len(plan.origins)} origin(s), so every metric rests on "
                    f"that many forecasts; give an earlier --start or a shorter --stride for more")
    if bt.window_kind == "sliding" and len(plan.refits) == 1:
        # Sliding keeps later refits to the first one's length: with one fit, nothing.
        report.warn(f"--window-kind sliding: no effect with one fit (--refit {bt.refit}, "
                    f"{len(plan.origins)} origin(s)): it keeps each later refit's training "
                    "rows to the first fit's length; give --refit each or every-N for refits, "
                    "or leave it out")


def has_fit_rows(refit: Refit, offset: int, n: int) -> bool:
    """Whether a series of ``n`` rows starting at grid row ``offset`` has the rows ``refit``
    fits its scaler and model on (two at least); without them it forecasts none of it."""
    lo, fit_hi = (int(np.clip(p - offset, 0, n)) for p in (refit.train_lo, refit.fit_hi))
    return fit_hi - lo >= 2


def warn_left_out(frame: Frame, offsets: list[int], plan: Plan, scored: set[int],
                  times: pd.DatetimeIndex, report: Reporter) -> None:
    """Name the series with no forecast in the backtest, and why: the table would otherwise
    read as if the file held only the others.

    Args:
        frame: the data.
        offsets: each series' first grid row.
        plan: the refits and origins.
        scored: indices of the series with forecasts.
        times: the grid's times.
        report: where the warnings go.
    """
    first = int(plan.origins.min())
    ended, unfit, other = [], [], []
    for i, s in enumerate(frame.series):
        if i in scored:
            continue
        if offsets[i] + len(s.index) <= first:
            ended.append(f"'{s.name}'")
        elif not any(has_fit_rows(r, offsets[i], len(s.index)) for r in plan.refits):
            unfit.append(f"'{s.name}'")
        else:
            other.append(f"'{s.name}'")
    at = time_text(times[first], times)
    if ended:
        they = "it ends" if len(ended) == 1 else "they end"
        report.warn(f"backtest: series {', '.join(ended)} left out: {they} before the first "
                    f"origin {at}; give an earlier --start to include them")
    if unfit:
        # It has origins enough: what it lacks is rows in a fit's training part (a series
        # that starts late), and the window advice sent users after the wrong cause.
        fit_end = time_text(times[min(plan.refits[-1].fit_hi, len(times) - 1)], times)
        report.warn(f"backtest: series {', '.join(unfit)} left out: no fit trains on its rows "
                    f"(the last fit trains on rows before {fit_end}, and it has fewer than 2 "
                    "of them), so none forecasts it; refit as the origins advance (--refit "
                    "each, or every-N), or give a later --start")
    if other:
        report.warn(f"backtest: series {', '.join(other)} left out: no origin has --window "
                    "rows before it and --horizon rows after it in that series")
