"""Turning backtest forecasts into metrics, tables, an output table and a plot."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from forecaster.data.timestamps import is_step_freq, steps_as_numbers
from forecaster.io import render, write_output
from forecaster.metrics import scorecard
from forecaster.output_paths import check_output_paths, plot_format
from forecaster.pipeline.backtest_plan import BacktestSettings
from forecaster.pipeline.backtesting import BacktestResult, Forecasts, backtest
from forecaster.pipeline.fold_report import trends_unhandled
from forecaster.plotting import axis_values, finish, pyplot
from forecaster.report import Reporter

TABLE_METRICS = ("mae", "rmse", "mape", "smape", "mase", "coverage", "width", "pinball")
MAX_STEP_ROWS = 24
SCORE_KEYS = ("mae", "rmse", "mse", "mape", "smape", "mase", "coverage", "width", "pinball")


def backtest_and_write(data: Path, bt: BacktestSettings, report: Reporter, fmt: str = "csv",
                       output: Path | None = None, plot_to: Path | None = None) -> dict:
    """Run the backtest, show its tables, write every forecast and draw the plot if asked.

    The output paths are checked first: the backtest may run for minutes, and a bad
    ``--plot`` found after it would lose ``--output`` too.

    Args:
        data: the CSV to backtest.
        bt: the backtest's settings (its model settings in ``bt.train``).
        report: where the tables and messages go.
        fmt: "csv", or "json" (the forecasts and the metrics).
        output: the file for every forecast; None for stdout.
        plot_to: an image of history, forecasts and intervals at a few origins.

    Returns:
        The metrics (overall, per fold, series and horizon step, of every model).
    """
    check_output_paths({"--output": output, "--plot": plot_to}, [data], [])
    if plot_to is not None:
        plot_format(plot_to)
    res = backtest(data, bt, report)
    m = metrics(res, bt.level)
    show(report, res, m, bt.level)
    table = forecast_table(res)
    if plot_to is not None:
        plot(plot_to, res, table)
    table = output_table(table, res)
    write_output(render_json(table, m, res) if fmt == "json" else render(table, "csv"), output)
    return m


def scores(fc: Forecasts, rows: np.ndarray, level: float, steps: slice | int = slice(None),
           target: slice | int = slice(None)) -> dict[str, dict[str, float]]:
    """Every model's scorecard over the selected origins (and horizon steps, targets)."""
    y = fc.actual[rows][:, steps][..., target]
    seen = ~np.isnan(y)  # filled-in actuals are NaN: scored on observed values only

    def pick(a: np.ndarray) -> np.ndarray:
        return a[rows][:, steps][..., target][seen]

    if not seen.any():  # every actual here was filled in: nothing to score
        return {name: dict.fromkeys(SCORE_KEYS, float("nan")) for name in fc.models}
    unit = pick(np.broadcast_to(fc.scale, fc.actual.shape))
    return {name: scorecard(y[seen], pick(p), pick(lo), pick(hi), unit, level)
            for name, (p, lo, hi) in fc.models.items()}


def metrics(res: BacktestResult, level: float) -> dict:
    """Overall, per fold, per series and per horizon step metrics of every model."""
    fc = res.forecasts
    fold = _fold_of(res)
    everything = np.arange(len(fc.origins))
    out = {"overall": scores(fc, everything, level), "folds": [], "series": {}, "steps": []}
    for f in np.unique(fold):
        rows = np.flatnonzero(fold == f)
        out["folds"].append({"fold": int(f) + 1, "origins": int(rows.size),
                             "models": scores(fc, rows, level)})
    if len(res.frame.series) > 1:
        for i, s in enumerate(res.frame.series):
            rows = np.flatnonzero(fc.origins[:, 0] == i)
            if rows.size:
                out["series"][s.name] = scores(fc, rows, level)
    for h in range(fc.actual.shape[1]):
        out["steps"].append({"step": h + 1, "models": scores(fc, everything, level, h)})
    targets = res.frame.spec.targets
    if len(targets) > 1:  # pooled, a target in 1e4s hid one the model forecast 10 times better
        out["targets"] = {t: scores(fc, everything, level, target=j)
                          for j, t in enumerate(targets)}
    return out


def _fold_of(res: BacktestResult) -> np.ndarray:
    """The fold of each forecast, from the grid position of its origin."""
    fc, plan = res.forecasts, res.plan
    pos = fc.origins[:, 1] + np.asarray(res.grid.offsets)[fc.origins[:, 0]]
    return plan.fold[np.searchsorted(plan.origins, pos)]


def show(report: Reporter, res: BacktestResult, m: dict, level: float) -> None:
    """The overall table, then per fold and per horizon step."""
    cols = ["model", "MAE", "RMSE", "MAPE%", "sMAPE%", "MASE", f"cov{level:g}%", "width",
            "pinball"]
    rows = [[name, *(_fmt(sc[k], k) for k in TABLE_METRICS)] for name, sc in
            m["overall"].items()]
    n = len(res.forecasts.origins)
    report.table(f"Backtest over {n} forecasts of {res.forecasts.actual.shape[1]} steps "
                 f"(raw scale; MASE against seasonal naive, season {res.season})", cols, rows)
    if len(m["folds"]) > 1:
        report.table("Per fold: MAE", ["fold", "origins", *m["overall"]],
                     [[str(f["fold"]), str(f["origins"]),
                       *(_fmt(sc["mae"], "mae") for sc in f["models"].values())]
                      for f in m["folds"]])
    for kind, word in (("series", "series"), ("targets", "target")):
        for name, per in m.get(kind, {}).items():
            report.note(f"{word} {name}: " + ", ".join(
                f"{model} MAE {sc['mae']:.4g}" for model, sc in per.items()))
    _show_steps(report, res, m)
    for name, per in (m.get("targets") or {"": m["overall"]}).items():
        warn_beaten(report, per, bool(res.norm) and trends_unhandled(res.frame, res.norm, name),
                    name)


def warn_beaten(report: Reporter, overall: dict[str, dict[str, float]],
                trend: bool = False, target: str = "") -> None:
    """Warn when a baseline's MAE over the backtest is below the model's (the first entry),
    of one ``target`` where there are several: MAEs of targets in other units do not pool.

    ``train`` warns so of its folds; a backtest run from cron has no table to read either.
    """
    (model, own), *baselines = overall.items()
    scored = [(sc["mae"], name) for name, sc in baselines if np.isfinite(sc["mae"])]
    if not scored or not np.isfinite(own["mae"]) or not min(scored)[0] < own["mae"]:
        return
    best, name = min(scored)
    on = f" on '{target}'" if target else ""
    report.warn(f"over the backtest{on} the model's MAE ({own['mae']:.4g}) is above the {name} "
                f"forecast's ({best:.4g}): for this data {model} is no better than that "
                "baseline; try more history or a longer --window"
                + (", or --norm diff (the series trends: its later rows lie outside the range "
                   "of its earlier ones)" if trend else "")
                + ", and where it stays so, use that baseline")


def _show_steps(report: Reporter, res: BacktestResult, m: dict) -> None:
    steps = m["steps"]
    pick = np.unique(np.linspace(0, len(steps) - 1, min(len(steps), MAX_STEP_ROWS)).astype(int))
    lstm = res.model_name
    cols = ["step", f"{lstm} MAE", f"{lstm} coverage", "naive MAE", "seasonal naive MAE",
            "ETS MAE"]
    rows = [[str(steps[i]["step"]), _fmt(steps[i]["models"][lstm]["mae"], "mae"),
             _fmt(steps[i]["models"][lstm]["coverage"], "coverage"),
             *(_fmt(steps[i]["models"][b]["mae"], "mae")
               for b in ("naive", "seasonal naive", "ETS"))] for i in pick]
    report.table("Per horizon step (all steps in --format json)", cols, rows)


def _fmt(v: float, key: str) -> str:
    if not np.isfinite(v):
        return "–"
    if key == "coverage":
        return f"{100 * v:.1f}%"
    return f"{v:.3f}" if key in ("mase", "mape", "smape") else f"{v:.4g}"


def forecast_table(res: BacktestResult) -> pd.DataFrame:
    """One row per origin, step and target: the model's forecast, bounds, the actual and
    the baselines' point forecasts."""
    fc, frame = res.forecasts, res.frame
    n, h, k = fc.actual.shape
    idx = np.indices((n, h, k)).reshape(3, -1)  # origin row, step, target
    o = fc.origins[idx[0]]
    stamps = [s.index for s in frame.series]
    point, lower, upper = (a[idx[0], idx[1], idx[2]] for a in fc.models[res.model_name])
    table = pd.DataFrame({
        "series": [frame.series[i].name for i in o[:, 0]],
        "origin": [stamps[i][p - 1] for i, p in o],
        "timestamp": [stamps[i][p + s] for (i, p), s in zip(o, idx[1], strict=True)],
        "step": idx[1] + 1, "target": np.asarray(frame.spec.targets)[idx[2]],
        "forecast": point, "lower": lower, "upper": upper,
        "actual": fc.actual[idx[0], idx[1], idx[2]],
        "fold": _fold_of(res)[idx[0]] + 1, "refit": fc.refit[idx[0]] + 1})
    for name in fc.models:
        if name != res.model_name:
            table[name.replace(" ", "_")] = fc.models[name][0][idx[0], idx[1], idx[2]]
    return table


def output_table(table: pd.DataFrame, res: BacktestResult) -> pd.DataFrame:
    """``forecast_table`` as written out: times as step numbers for step-indexed series."""
    return steps_as_numbers(table, is_step_freq(res.frame.freq))


def render_json(table: pd.DataFrame, m: dict, res: BacktestResult) -> str:
    """The forecasts and every metric (overall, folds, series, steps) as one JSON object."""
    from forecaster.io import render

    doc = {"model": res.model_name, "season": res.season,
           "train_seconds": round(res.train_seconds, 3), "best_epochs": res.epochs,
           "metrics": _finite(m), "forecasts": json.loads(render(table, "json"))}
    return json.dumps(doc, indent=1) + "\n"


def _finite(obj: object) -> object:
    """Metrics for JSON: NaN and infinities as null, other floats at 7 significant digits
    like every computed number the tool writes (a full float64 is noise past them)."""
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_finite(v) for v in obj]
    if isinstance(obj, float):
        return float(f"{obj:.7g}") if np.isfinite(obj) else None
    return obj


def plot(path: Path, res: BacktestResult, table: pd.DataFrame, n_origins: int = 4) -> None:
    """History, forecasts and intervals of the first series and target at a few origins."""
    plt = pyplot()
    # The first series with forecasts: one that ends before --start has none.
    s = res.frame.series[int(res.forecasts.origins[0, 0])]
    rows = table[(table["series"] == s.name) & (table["target"] == res.frame.spec.targets[0])]
    origins = rows["origin"].unique()
    pick = origins[np.unique(np.linspace(0, len(origins) - 1, min(n_origins, len(origins)))
                             .astype(int))]
    fig, ax = plt.subplots(figsize=(11, 4))
    lo = max(0, s.index.get_loc(pick[0]) - 3 * int(rows["step"].max()))
    hi = s.index.get_loc(rows["timestamp"].max()) + 1
    ax.plot(axis_values(s.index[lo:hi]), s.values[lo:hi, 0], color="black", lw=0.8,
            label="actual")
    for i, origin in enumerate(pick):
        r = rows[rows["origin"] == origin]
        x = axis_values(r["timestamp"])
        ax.plot(x, r["forecast"], color="C0", label="forecast" if i == 0 else None)
        ax.fill_between(x, r["lower"], r["upper"], color="C0", alpha=0.2,
                        label="interval" if i == 0 else None)
        ax.axvline(axis_values(pd.Series([origin]))[0], color="grey", ls=":", lw=0.8)
    ax.set_title(f"Backtest of {res.frame.spec.targets[0]}" + (f" ({s.name})" if s.name else ""))
    ax.legend(loc="best")
    finish(fig, Path(path))
