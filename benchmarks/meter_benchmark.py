"""Counters: ``--norm auto`` (which takes ``diff`` for a meter) against ``--norm last``.

A meter reading (an hourly kWh counter near 1.2e8 that grows by a daily pattern of use,
50 +/- 20 kWh/h with noise) is backtested with the tool's defaults, once per
normalisation; the drift forecast of the same run is the yardstick. The series is
generated here (seeded), so the figure needs no data download.

Usage::

    OMP_NUM_THREADS=2 python benchmarks/meter_benchmark.py [--rows 2000] [--seed 0]
"""

from __future__ import annotations

import argparse
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from forecaster.config import TrainSettings
from forecaster.pipeline.backtest_plan import BacktestSettings
from forecaster.pipeline.backtest_report import metrics
from forecaster.pipeline.backtesting import backtest


def meter(rows: int, seed: int) -> pd.DataFrame:
    """The hourly meter reading (kWh, one decimal)."""
    rng = np.random.default_rng(seed)
    use = 50 + 20 * np.sin(2 * np.pi * np.arange(rows) / 24) + rng.normal(0, 3, rows)
    return pd.DataFrame({"timestamp": pd.date_range("2025-01-01", periods=rows, freq="h"),
                         "meter_kwh": np.round(123456789.0 + np.cumsum(use), 1)})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "meter.csv"
        meter(args.rows, args.seed).to_csv(csv, index=False)
        base = BacktestSettings(train=TrainSettings(model_dir=Path(tmp) / "unused"))
        print("| --norm | model MAE | drift MAE | model / drift |")
        print("|---|---|---|---|")
        for norm in ("last", "auto"):
            res = backtest(csv, replace(base, train=replace(base.train, norm=norm)))
            overall = metrics(res, base.level)["overall"]
            model = next(m for m in overall if m not in ("naive", "seasonal naive", "drift",
                                                         "ETS", "weekly naive"))
            mae, drift = overall[model]["mae"], overall["drift"]["mae"]
            print(f"| {norm} | {mae:.1f} | {drift:.1f} | {mae / drift:.2f} |")


if __name__ == "__main__":
    main()
