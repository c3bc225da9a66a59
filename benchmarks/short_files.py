"""Validation MAE on short files against the least optimiser steps per epoch.

With a full batch (256 windows) a short file's epoch was one Adam step, and early stopping
ended its fits after a handful: the airline passengers' forecaster lost to seasonal naive.
``models/train.py`` now shrinks the batch so that an epoch takes at least ``MIN_STEPS``
steps. This script trains each file with each setting (the fold metrics of ``forecast
train``: forward-chaining validation, never a test split) and prints the mean fold MAE, the
seasonal naive MAE of the same folds, and the ratio to the first setting (the yardstick).

    OMP_NUM_THREADS=1 python benchmarks/short_files.py --min-steps 1,8

Data: the airline passengers (1949-1960) and shampoo sales (the classic 36 months) as
published, the sample sensor (all 90 days, and its first 30), seeded stand-ins for monthly
sunspots and a random-walk share price, and ETTh1's first 100 days when ``../shared`` has it.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
AIRLINE = [
    112, 118, 132, 129, 121, 135, 148, 148, 136, 119, 104, 118, 115, 126, 141, 135, 125, 149,
    170, 170, 158, 133, 114, 140, 145, 150, 178, 163, 172, 178, 199, 199, 184, 162, 146, 166,
    171, 180, 193, 181, 183, 218, 230, 242, 209, 191, 172, 194, 196, 196, 236, 235, 229, 243,
    264, 272, 237, 211, 180, 201, 204, 188, 235, 227, 234, 264, 302, 293, 259, 229, 203, 229,
    242, 233, 267, 269, 270, 315, 364, 347, 312, 274, 237, 278, 284, 277, 317, 313, 318, 374,
    413, 405, 355, 306, 271, 306, 315, 301, 356, 348, 355, 422, 465, 467, 404, 347, 305, 336,
    340, 318, 362, 348, 363, 435, 491, 505, 404, 359, 310, 337, 360, 342, 406, 396, 420, 472,
    548, 559, 463, 407, 362, 405, 417, 391, 419, 461, 472, 535, 622, 606, 508, 461, 390, 432]
SHAMPOO = [
    266.0, 145.9, 183.1, 119.3, 180.3, 168.5, 231.8, 224.5, 192.8, 122.9, 336.5, 185.9,
    194.3, 149.5, 210.1, 273.3, 191.4, 287.0, 226.0, 303.6, 289.9, 421.6, 264.5, 342.3,
    339.7, 440.4, 315.9, 439.3, 401.3, 437.4, 575.5, 407.6, 682.0, 475.3, 581.3, 646.9]


def _monthly(values, start: str, name: str) -> pd.DataFrame:
    months = pd.period_range(start, periods=len(values), freq="M").strftime("%Y-%m")
    return pd.DataFrame({"month": months, name: values})


def _sunspots(n: int = 2820) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    t = np.arange(n)
    cycle = np.abs(np.sin(np.pi * t / 132.0)) ** 1.5  # an 11-year cycle
    amp = pd.Series(np.repeat(rng.uniform(50, 180, n // 132 + 2), 132)[:n])
    amp = amp.rolling(24, min_periods=1, center=True).mean().to_numpy()
    spots = np.clip(amp * cycle + rng.gamma(2, 6, n) * (0.3 + cycle), 0, None).round(1)
    return _monthly(spots, "1749-01", "sunspots")


def _share_price(n: int = 1260) -> pd.DataFrame:
    rng = np.random.default_rng(2)
    days = pd.bdate_range("2015-01-02", periods=n)
    close = 100 * np.exp(np.cumsum(rng.normal(0.0003, 0.015, n)))
    return pd.DataFrame({"date": days.strftime("%Y-%m-%d"), "close": close.round(4)})


def files(where: Path) -> dict[str, Path]:
    """The data sets, written to ``where``."""
    sensor = pd.read_csv(ROOT / "sample_data" / "sensor.csv")
    frames = {"airline": _monthly(AIRLINE, "1949-01", "passengers"),
              "shampoo": _monthly(SHAMPOO, "2001-01", "sales"),
              "sensor": sensor, "sensor_30d": sensor.head(720),
              "sunspots": _sunspots(), "share_price": _share_price()}
    ett = ROOT.parent / "shared" / "data" / "ett" / "ETTh1.csv"
    if ett.is_file():
        frames["etth1_100d"] = pd.read_csv(ett, usecols=["date", "OT"]).head(2400)
    out = {}
    for name, frame in frames.items():
        out[name] = where / f"{name}.csv"
        frame.to_csv(out[name], index=False)
    return out


def fold_maes(path: Path, model: Path, min_steps: int) -> tuple[float, float]:
    """Mean fold MAE of the model and of seasonal naive, trained with ``min_steps``."""
    from forecaster.config import TrainSettings
    from forecaster.models import train as loop
    from forecaster.pipeline.training import train

    loop.MIN_STEPS = min_steps
    meta = train(path, TrainSettings(model_dir=model, anomaly=False)).meta
    folds = meta["metrics"]["folds"]
    return (float(np.mean([f["mae"] for f in folds])),
            float(np.mean([f["snaive_mae"] for f in folds])))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-steps", default="1,8", help="settings to compare, first is "
                        "the yardstick")
    parser.add_argument("--out", type=Path, help="also append JSON lines here")
    args = parser.parse_args()
    settings = [int(k) for k in args.min_steps.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        for name, path in files(Path(tmp)).items():
            base = None
            for k in settings:
                mae, snaive = fold_maes(path, Path(tmp) / f"m_{name}_{k}", k)
                base = base or mae
                print(f"{name:12s} min_steps={k:<3d} fold MAE {mae:10.4f}  seasonal naive "
                      f"{snaive:10.4f}  ratio to min_steps={settings[0]}: {mae / base:.3f}",
                      flush=True)
                if args.out:
                    with open(args.out, "a") as fh:
                        fh.write(json.dumps({"file": name, "min_steps": k, "mae": mae,
                                             "seasonal_naive_mae": snaive}) + "\n")


if __name__ == "__main__":
    main()
