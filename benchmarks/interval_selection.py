"""Choose the 90 % interval method on ETTh1 validation data only, then report it on test.

F1 head-to-head split (see ett_benchmark.py): the model fits on rows [0, 8640) and early-stops
on [8640, 11520); its forecasts at every validation origin (stride 1) are the calibration data.
The validation origins are split in time: residual quantiles are taken on the first 2/3
(dropping the last ``horizon`` origins so no calibration target lies in the held-out part) and
coverage and width are measured on the last 1/3. The candidate with held-out coverage closest
to nominal wins (narrower width on ties within 0.5 points). Only then is the chosen method
recalibrated on the whole validation part and applied to the 120 test origins.

Usage:
  OMP_NUM_THREADS=1 python benchmarks/interval_selection.py --seeds 0 [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from dataclasses import replace
from pathlib import Path

import ett_benchmark as ett
import numpy as np
import pandas as pd

LEVEL = 90.0
# name -> (lookback steps for the volatility, 0 = unscaled; exponent; finite-sample correction)
CANDIDATES = {
    "unscaled": (0, 0.0, False),
    "unscaled + conformal": (0, 0.0, True),
    "scaled, window 336": (336, 1.0, False),
    "scaled^0.5, window 336": (336, 0.5, False),
    "scaled, last 48": (48, 1.0, False),
    "scaled^0.5, last 48": (48, 0.5, False),
    "scaled, last 24": (24, 1.0, False),
    "scaled^0.5, last 24": (24, 0.5, False),
}


def volatility(y: np.ndarray, origins: np.ndarray, lookback: int, floor: float) -> np.ndarray:
    """(origins,) mean absolute one-step change over the ``lookback`` steps before each origin,
    floored like ``forecast backtest``'s (1 % of the series' scale)."""
    idx = origins[:, None] + np.arange(-lookback, 0)[None, :]
    return np.maximum(np.abs(np.diff(y[idx], axis=1)).mean(axis=1), floor)


def bounds(cal_res, cal_vol, point, vol, power, conformal, level=LEVEL):
    """Per-step quantiles of residual / vol**power on calibration, times vol**power."""
    a = (1 - level / 100) / 2
    lo_q, hi_q = a, 1 - a
    if conformal:  # split-conformal finite-sample levels for each tail
        n = len(cal_res)
        lo_q = max(np.floor((n + 1) * a) / n, 0.0)
        hi_q = min(np.ceil((n + 1) * (1 - a)) / n, 1.0)
    s_cal = cal_vol[:, None] ** power
    r = cal_res / s_cal
    lo = np.quantile(r, lo_q, axis=0, method="higher" if conformal else "linear")
    hi = np.quantile(r, hi_q, axis=0, method="higher" if conformal else "linear")
    s = vol[:, None] ** power
    return point + lo[None] * s, point + hi[None] * s


def evaluate(actual, lower, upper, std):
    return {"coverage": float(np.mean((actual >= lower) & (actual <= upper))),
            "width_z": float(np.mean((upper - lower) / std))}


def run_seed(path: Path, df: pd.DataFrame, seed: int, args) -> dict:
    from forecaster.baselines import season_length
    from forecaster.data.loading import load_frame
    from forecaster.models.train import predict_batches
    from forecaster.pipeline.backtest_plan import make_plan
    from forecaster.pipeline.backtesting import actuals, refit_data
    from forecaster.pipeline.ensemble import fit_ensemble
    from forecaster.pipeline.evaluation import to_raw
    from forecaster.pipeline.prepare import make_grid, resolve_device
    from forecaster.pipeline.shape import resolve_shape
    from forecaster.report import Reporter

    bt = ett.settings(args, ["OT"], 24, 24, seed, df["date"])
    report = Reporter(quiet=True)
    frame = load_frame(path, bt.train.data)
    bt = replace(bt, train=resolve_shape(bt.train, frame, report))
    grid = make_grid(frame)
    plan = make_plan(grid.n, pd.date_range(grid.start, periods=grid.n, freq=frame.freq), bt)
    assert len(plan.refits) == 1 and season_length(frame.freq) == 24
    refit = plan.refits[0]
    data = refit_data(frame, grid, bt, refit)
    dev = resolve_device("cpu")
    net, _ = fit_ensemble(frame, bt.train, data.fit, data.val, dev, report, "fit")
    h = bt.train.horizon
    val = to_raw(predict_batches(net, data.val).numpy(), data.val_origins, data.scalers, 1)[..., 0]
    test = to_raw(predict_batches(net, data.test).numpy(), data.test_origins, data.scalers,
                  1)[..., 0]
    v_act = actuals(frame, data.val_origins, h)[..., 0]
    t_act = actuals(frame, data.test_origins, h)[..., 0]
    y = frame.series[0].values[:, 0].astype(np.float64)
    floor = 0.01 * float(data.scalers[0].scale_[0])
    _, std = ett.z_stats(df, ["OT"])
    std = float(std[0])
    vo, to = data.val_origins[:, 1], data.test_origins[:, 1]
    assert vo.min() >= 336 and vo.max() + h <= ett.VAL_END and to.min() >= ett.VAL_END
    order = np.argsort(vo)
    cut = int(len(order) * 2 / 3)
    cal, hold = order[:cut - h], order[cut:]
    out = {"seed": seed, "val_origins": [int(vo.min()), int(vo.max())],
           "cal": [int(vo[cal].min()), int(vo[cal].max())],
           "hold": [int(vo[hold].min()), int(vo[hold].max())],
           "validation": {}, "test": {}}
    res = v_act - val
    for name, (lb, p, conf) in CANDIDATES.items():
        vol_v = volatility(y, vo, lb, floor) if lb else np.ones(len(vo))
        lo, hi = bounds(res[cal], vol_v[cal], val[hold], vol_v[hold], p, conf)
        out["validation"][name] = evaluate(v_act[hold], lo, hi, std)

    def on_test(name: str) -> dict:
        """The chosen method, calibrated on the whole validation part, on the test origins."""
        lb, p, conf = CANDIDATES[name]
        vol_v = volatility(y, vo, lb, floor) if lb else np.ones(len(vo))
        vol_t = volatility(y, to, lb, floor) if lb else np.ones(len(to))
        lo, hi = bounds(res, vol_v, test, vol_t, p, conf)
        return evaluate(t_act, lo, hi, std)

    return out, on_test


def choose(results: list[dict]) -> tuple[str, dict]:
    """Closest mean held-out coverage to nominal; narrower on ties within 0.5 points."""
    mean = {n: {k: float(np.mean([r["validation"][n][k] for r in results]))
                for k in ("coverage", "width_z")} for n in CANDIDATES}
    best_gap = min(abs(m["coverage"] - LEVEL / 100) for m in mean.values())
    tied = [n for n, m in mean.items() if abs(m["coverage"] - LEVEL / 100) <= best_gap + 0.005]
    return min(tied, key=lambda n: mean[n]["width_z"]), mean


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, default=ett.DATA)
    p.add_argument("--seeds", type=int, nargs="+", default=[0])
    p.add_argument("--json", type=Path)
    args = p.parse_args()
    for name in ett.SETTINGS:
        setattr(args, name, None)
    import torch

    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp:
        path, df = ett.truncated_csv(args.data, Path(tmp))
        runs = [run_seed(path, df, s, args) for s in args.seeds]
    results = [r for r, _ in runs]
    chosen, mean = choose(results)  # fixed before any test figure exists
    for r, on_test in runs:
        r["test"][chosen] = on_test(chosen)
    r0 = results[0]
    print(f"calibration origins {r0['cal']}, held-out origins {r0['hold']} (rows)")
    print("| candidate | held-out val coverage | held-out val width (z) |\n|---|---|---|")
    for n, m in mean.items():
        mark = " **(chosen)**" if n == chosen else ""
        print(f"| {n}{mark} | {m['coverage']:.3f} | {m['width_z']:.3f} |")
    t = [r["test"][chosen] for r in results]
    cov, wid = np.mean([x["coverage"] for x in t]), np.mean([x["width_z"] for x in t])
    print(f"\nchosen: {chosen}; test coverage {cov:.3f}, width {wid:.3f} z "
          f"(per seed {[round(x['coverage'], 3) for x in t]})")
    if args.json:
        args.json.write_text(json.dumps({"chosen": chosen, "mean_validation": mean,
                                         "runs": results}, indent=1) + "\n")


if __name__ == "__main__":
    main()
