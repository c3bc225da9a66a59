"""ETTh1 accuracy benchmark of the forecaster's own library code (``forecast backtest``).

Protocols (see ../shared/benchmarks/README.md):
  F1 head-to-head: univariate OT, train rows [0, 8640), early stopping on [8640, 11520),
     120 origins 11520, 11544, ..., 14376, horizon 24, no refit; z-MSE/z-MAE with the train
     split's mean and population std; MASE against seasonal naive (24) on the same points.
  F2 papers: same split and scaling, every test window (stride 1); univariate OT at several
     horizons and multivariate 7 -> 7.

Everything runs through ``forecaster.pipeline.backtesting.backtest`` with
``--refit never --val-size 2880 --start <row 11520> --end <row 14399>``: the scaler, the
model and the ETS baseline see rows before 11520 only (the model's fitting rows are
[0, 8640); [8640, 11520) is its validation part). Rows from 14400 on are never read.

Usage:
  OMP_NUM_THREADS=1 python benchmarks/ett_benchmark.py --seeds 0 1 2 [--protocols f1 f2]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

# ../shared beside the project root, as the benchmark protocols lay it out.
DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "ett" / "ETTh1.csv"
TRAIN_END, VAL_END, TEST_END = 8640, 11520, 14400
COLUMNS = ["HUFL", "HULL", "MUFL", "MULL", "LUFL", "LULL", "OT"]
SETTINGS = ("window", "segment", "cell", "hidden", "layers", "dropout", "norm", "ensemble",
            "epochs", "batch_size", "lr", "patience")

# ../shared/benchmarks/README.md F1, measured on this kind of machine (2 cores).
PEERS_F1 = [
    ("statsforecast AutoETS (AAdN)", "2.8", 0.0318, 0.1328, 0.798),
    ("statsforecast AutoARIMA", "81.2", 0.0328, 0.1350, 0.812),
    ("Darts BlockRNNModel LSTM", "73.0–87.7", 0.1145, 0.2815, 1.692),
    ("Darts RNNModel LSTM (recursive)", "89.8–91.1", 0.0857, 0.2349, 1.412),
    ("NeuralForecast LSTM", "79.1–95.3", 0.1649, 0.3254, 1.956),
    ("Darts BlockRNNModel LSTM + RevIN", "68.7", 0.0383, 0.1547, 0.930),
    ("NeuralForecast LSTM + robust scaler", "83.4", 0.0483, 0.1717, 1.032),
]
# F2 published MSE / MAE (z-scale): (setting, horizon) -> {model: (mse, mae)}.
PUBLISHED_F2 = {
    ("univariate", 24): {"LSTMa": (0.114, 0.272), "Informer": (0.098, 0.247)},
    ("univariate", 168): {"LSTMa": (0.236, 0.392), "Informer": (0.183, 0.346)},
    ("multivariate", 24): {"LSTMa": (0.650, 0.624)},
    ("multivariate", 168): {"LSTMa": (1.212, 0.867)},
    ("multivariate", 96): {"SegRNN": (0.368, 0.395), "PatchTST": (0.414, 0.419),
                           "DLinear": (0.386, 0.400)},
}


def parse_args() -> argparse.Namespace:
    """Command-line options; model settings left unset keep the tool's defaults."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, default=DATA)
    p.add_argument("--seeds", type=int, nargs="+", default=[0])
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--protocols", nargs="+", default=["f1", "f2"], choices=["f1", "f2"])
    p.add_argument("--horizons", type=int, nargs="+", default=[24, 96, 168],
                   help="F2 univariate horizons")
    p.add_argument("--mv-horizons", type=int, nargs="*", default=[96],
                   help="F2 multivariate (7 -> 7) horizons")
    p.add_argument("--json", type=Path, help="also write every figure here")
    for name in SETTINGS:
        kind = str if name in ("cell", "norm") else float if name in ("dropout", "lr") else int
        p.add_argument(f"--{name.replace('_', '-')}", type=kind, default=None)
    return p.parse_args()


def truncated_csv(src: Path, folder: Path) -> tuple[Path, pd.DataFrame]:
    """Rows [0, 14400) of ETTh1 in a scratch CSV (the protocol never reads later rows)."""
    df = pd.read_csv(src, nrows=TEST_END)
    path = folder / "ETTh1_0_14400.csv"
    df.to_csv(path, index=False)
    return path, df


def settings(args: argparse.Namespace, targets: list[str], horizon: int, stride: int,
             seed: int, dates: pd.Series):
    """The backtest settings of one run: tool defaults unless a flag overrides them."""
    from forecaster.config import TrainSettings
    from forecaster.data.spec import DataSpec
    from forecaster.pipeline.backtest_plan import BacktestSettings

    chosen = {k: getattr(args, k) for k in SETTINGS if getattr(args, k) is not None}
    st = TrainSettings(data=DataSpec(time_col="date", targets=targets), horizon=horizon,
                       val_size=VAL_END - TRAIN_END, seed=seed, device="cpu", **chosen)
    return BacktestSettings(train=st, start=str(dates[VAL_END]), end=str(dates[TEST_END - 1]),
                            stride=stride, refit="never", season=24, level=90.0)


def z_stats(df: pd.DataFrame, targets: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Train-split mean and population std of each target."""
    train = df[targets].to_numpy(np.float64)[:TRAIN_END]
    return train.mean(0), train.std(0)


def score(point, lower, upper, actual, snaive, mean, std) -> dict:
    """z-scale MSE/MAE, MASE vs seasonal naive, 90 % coverage and z-width."""
    zp, za = (point - mean) / std, (actual - mean) / std
    return {"mse_z": float(np.mean((zp - za) ** 2)), "mae_z": float(np.mean(np.abs(zp - za))),
            "mase": float(np.mean(np.abs(point - actual)) / np.mean(np.abs(snaive - actual))),
            "coverage": float(np.mean((actual >= lower) & (actual <= upper))),
            "width_z": float(np.mean((upper - lower) / std))}


def run_setting(args, path, df, targets, horizon, stride) -> dict:
    """Every seed of one (targets, horizon, stride) setting, their ensemble and baselines."""
    from forecaster.pipeline.backtesting import backtest

    mean, std = z_stats(df, targets)
    runs, points = [], []
    for seed in args.seeds:
        t0 = time.perf_counter()
        res = backtest(path, settings(args, targets, horizon, stride, seed, df["date"]))
        wall = time.perf_counter() - t0
        fc = res.forecasts
        snaive = fc.models["seasonal naive"][0]
        ours = fc.models[res.model_name]
        runs.append({"seed": seed, "train_s": res.train_seconds, "wall_s": wall,
                     "epochs": res.epochs, **score(*ours, fc.actual, snaive, mean, std)})
        points.append(ours)
    ens = [np.mean([p[j] for p in points], 0) for j in range(3)]
    base = {name: score(*fc.models[name], fc.actual, snaive, mean, std)
            for name in ("naive", "seasonal naive", "drift", "ETS")}
    return {"targets": targets, "horizon": horizon, "stride": stride, "windows": len(fc.origins),
            "seeds": runs, "ensemble": score(*ens, fc.actual, snaive, mean, std),
            "baselines": base, "model": res.model_name}


def _ms(values: list[float]) -> str:
    return f"{np.mean(values):.4f} ± {np.std(values):.4f}" if len(values) > 1 else \
        f"{values[0]:.4f}"


def f1_table(r: dict) -> str:
    """Markdown table of the head-to-head protocol."""
    naive = r["baselines"]["naive"]["mse_z"]
    head = ("| run | train s | z-MSE | z-MAE | MASE vs snaive | z-MSE / naive | 90% coverage "
            "| width (z) |\n|---|---|---|---|---|---|---|---|\n")
    rows = []
    for s in r["seeds"]:
        rows.append(f"| ours {r['model']} seed {s['seed']} (epochs {s['epochs'][0]}) | "
                    f"{s['train_s']:.1f} | {s['mse_z']:.4f} | {s['mae_z']:.4f} | "
                    f"{s['mase']:.3f} | {s['mse_z'] / naive:.3f} | {s['coverage']:.3f} | "
                    f"{s['width_z']:.3f} |")
    if len(r["seeds"]) > 1:
        mses = [s["mse_z"] for s in r["seeds"]]
        rows.append(f"| **ours, mean ± sd over {len(mses)} seeds** | "
                    f"{np.mean([s['train_s'] for s in r['seeds']]):.1f} | **{_ms(mses)}** | "
                    f"{_ms([s['mae_z'] for s in r['seeds']])} | "
                    f"{np.mean([s['mase'] for s in r['seeds']]):.3f} | "
                    f"{np.mean(mses) / naive:.3f} | "
                    f"{np.mean([s['coverage'] for s in r['seeds']]):.3f} | |")
        e = r["ensemble"]
        rows.append(f"| ours, forecasts averaged over the {len(mses)} seeds | "
                    f"{sum(s['train_s'] for s in r['seeds']):.1f} | {e['mse_z']:.4f} | "
                    f"{e['mae_z']:.4f} | {e['mase']:.3f} | {e['mse_z'] / naive:.3f} | "
                    f"{e['coverage']:.3f} | {e['width_z']:.3f} |")
    for name, b in r["baselines"].items():
        label = "ETS (ours: damped Holt-Winters, fitted)" if name == "ETS" else name
        rows.append(f"| {label} | – | {b['mse_z']:.4f} | {b['mae_z']:.4f} | {b['mase']:.3f} | "
                    f"{b['mse_z'] / naive:.3f} | {b['coverage']:.3f} | {b['width_z']:.3f} |")
    for name, secs, mse, mae, mase in PEERS_F1:
        rows.append(f"| {name} (README, published) | {secs} | {mse:.4f} | {mae:.4f} | "
                    f"{mase:.3f} | {mse / naive:.3f} | | |")
    return head + "\n".join(rows) + "\n"


def f2_table(results: list[dict]) -> str:
    """Markdown table of the papers' protocol."""
    head = ("| setting | h | windows | ours z-MSE | ours z-MAE | ensemble z-MSE / MAE | naive "
            "MSE / MAE | ETS MSE / MAE | 90% cov. | train s | published MSE / MAE |\n"
            "|---|---|---|---|---|---|---|---|---|---|---|\n")
    rows = []
    for r in results:
        kind = "univariate" if len(r["targets"]) == 1 else "multivariate"
        pub = "; ".join(f"{m} {a:.3f} / {b:.3f}" for m, (a, b) in
                        PUBLISHED_F2.get((kind, r["horizon"]), {}).items()) or "–"
        s, e, b = r["seeds"], r["ensemble"], r["baselines"]
        rows.append(
            f"| {kind} | {r['horizon']} | {r['windows']} | {_ms([x['mse_z'] for x in s])} | "
            f"{_ms([x['mae_z'] for x in s])} | {e['mse_z']:.4f} / {e['mae_z']:.4f} | "
            f"{b['naive']['mse_z']:.4f} / {b['naive']['mae_z']:.4f} | "
            f"{b['ETS']['mse_z']:.4f} / {b['ETS']['mae_z']:.4f} | "
            f"{np.mean([x['coverage'] for x in s]):.3f} | "
            f"{np.mean([x['train_s'] for x in s]):.1f} | {pub} |")
    return head + "\n".join(rows) + "\n"


def main() -> None:
    """Run the chosen protocols and print markdown tables."""
    args = parse_args()
    import torch

    torch.set_num_threads(args.threads)
    out = {"argv": " ".join(__import__("sys").argv), "seeds": args.seeds}
    with tempfile.TemporaryDirectory() as tmp:
        path, df = truncated_csv(args.data, Path(tmp))
        if "f1" in args.protocols:
            out["f1"] = run_setting(args, path, df, ["OT"], 24, 24)
            print("## F1 head-to-head (120 origins, horizon 24)\n\n" + f1_table(out["f1"]),
                  flush=True)
        if "f2" in args.protocols:
            specs = [(["OT"], h) for h in args.horizons]
            specs += [(COLUMNS, h) for h in args.mv_horizons]
            out["f2"] = [run_setting(args, path, df, t, h, 1) for t, h in specs]
            print("## F2 papers' protocol (every test window)\n\n" + f2_table(out["f2"]),
                  flush=True)
    if args.json:
        args.json.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
