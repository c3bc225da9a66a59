"""The forward-chaining folds as ``forecast train`` scores and reports them: their metrics,
a table, and a warning when a plain baseline forecasts the validation blocks better than
the model."""

from __future__ import annotations

import numpy as np

from forecaster.baselines import season_length
from forecaster.config import TrainSettings
from forecaster.data.loading import Frame
from forecaster.metrics import mae, mase, rmse
from forecaster.pipeline.anomaly_norm import trends
from forecaster.pipeline.describe import fold_row
from forecaster.report import Reporter

BASELINES = {"naive_mae": "naive (the last value)", "snaive_mae": "seasonal naive"}


def show_folds(report: Reporter, results: list[dict], frame: Frame, st: TrainSettings) -> None:
    """The fold table, then ``warn_beaten``, with advice for a window shorter than one
    season and for a target that trends and is not forecast by its changes."""
    cols = ["fold", "validation", "MAE", "RMSE", "MASE", "naive MAE", "seasonal naive MAE"]
    metrics = ("mae", "rmse", "mase", "naive_mae", "snaive_mae")
    rows = []
    for r in results:
        several = bool(r.get("targets"))
        row = fold_row({**r, "fold": f"{r['fold']} (all)" if several else r["fold"]}, metrics)
        rows.append(_unitless(row, cols) if several else row)
        rows += [fold_row({**r, **t, "fold": f"{r['fold']} {name}"}, metrics)
                 for name, t in (r.get("targets") or {}).items()]
    if rows:
        report.table("Forward-chaining validation (raw scale)", cols, rows)
    # Per target where there are several: pooled, a target in 1e4s hid one the model
    # forecast 10 times better than the baselines, and the warning said to use them.
    names = list(results[0].get("targets") or {}) if results else []
    per = {n: [{**r, **r["targets"][n]} for r in results] for n in names} or {"": results}
    for name, rows in per.items():
        if rows:
            warn_beaten(report, rows, st.window < season_length(frame.freq),
                        trends_unhandled(frame, st.norm, name), name)


def _unitless(row: list[str], cols: list[str]) -> list[str]:
    """The pooled row of several targets with MASE alone: a mean absolute error over a
    wind direction in degrees and a pressure in mbar (7.47 for Jena's) is in no unit."""
    return [v if c in ("fold", "validation", "MASE") else "-" for c, v in zip(cols, row,
                                                                             strict=True)]


def trends_unhandled(frame: Frame, norm: str, target: str = "") -> bool:
    """Whether a target of ``frame`` (``target`` alone, if named) trends
    (``anomaly_norm.trends``) while ``norm`` does not forecast changes: the airline
    passengers lost to seasonal naive with --norm last (MAE 34 against 36) and beat it with
    --norm diff (23), which no advice named."""
    targets = frame.spec.targets
    cols = [targets.index(target)] if target else list(range(len(targets)))
    return norm != "diff" and any(trends(s.values[:, cols], s.observed[:, cols])
                                  for s in frame.series)


def warn_beaten(report: Reporter, results: list[dict], short_window: bool = False,
                trend: bool = False, target: str = "") -> None:
    """Warn when a baseline's MAE over all folds is below the model's (on ``target``'s
    figures, named in the warning, where there are several).

    The table shows it, but a cron log has no table: a model that loses to repeating
    the last value (a random walk, too short a history for the season) saved silently.
    """
    scored = [r for r in results if r.get("mae") is not None]
    if not scored:
        return
    model = sum(r["mae"] for r in scored)
    key = min(BASELINES, key=lambda k: sum(r[k] for r in scored))
    best = sum(r[key] for r in scored)
    if not model > best:
        return
    worse = sum(r["mae"] > r[key] for r in scored)
    on = f" on '{target}'" if target else ""
    report.warn(f"on validation{on} the model's MAE ({model / len(scored):.4g}) is above the "
                f"{BASELINES[key]} forecast's ({best / len(scored):.4g}; worse in {worse} of "
                f"{len(scored)} folds): for this data it is no better than that baseline; try "
                "more history" + (" or a --window of at least one season" if short_window
                                  else "")
                + (", or --norm diff (the series trends: its later rows lie outside the "
                   "range of its earlier ones)" if trend else "")
                + ", and compare in 'forecast backtest'")


def fold_scores(truth: np.ndarray, raw: np.ndarray, naive: np.ndarray,
                snaive: np.ndarray, scale: np.ndarray) -> dict[str, float | None]:
    """Fold metrics over the observed actuals only (filled-in ones are NaN in ``truth``);
    ``scale`` is each point's MASE scale (``evaluation.mase_scales``)."""
    seen = ~np.isnan(truth)
    if not seen.any():  # a validation block inside a gap: nothing to score
        return dict.fromkeys(("mae", "rmse", "mase", "naive_mae", "naive_rmse", "snaive_mae",
                              "snaive_rmse"))
    y, p, n, s = truth[seen], raw[seen], naive[seen], snaive[seen]
    unit = np.broadcast_to(scale, truth.shape)[seen]
    return {"mae": mae(y, p), "rmse": rmse(y, p), "mase": finite_or_none(mase(y, p, unit)),
            "naive_mae": mae(y, n), "naive_rmse": rmse(y, n),
            "snaive_mae": mae(y, s), "snaive_rmse": rmse(y, s)}


def finite_or_none(x: float) -> float | None:
    # JSON has no NaN: MASE is undefined (None) when the baseline is exact (constant data).
    return x if np.isfinite(x) else None
