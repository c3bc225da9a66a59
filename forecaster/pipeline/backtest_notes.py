"""What ``forecast backtest`` says about its plan before the first fit: the season it
compares with, the origins it forecasts from, and when there are too few of them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from forecaster.errors import ConfigError
from forecaster.pipeline.backtest_plan import BacktestSettings, Plan, tail_note
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
