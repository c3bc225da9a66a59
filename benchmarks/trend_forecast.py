"""Forecasting trending series by level (``--norm last``) or by change (``--norm diff``).

The data: the four generated series of ``trend_norm.py`` (monthly, weekly, daily, hourly;
each grows fourfold over its file with a seasonal cycle proportional to the level and 2 %
noise), two noise seeds each, with no faults. Each file is trained with the defaults
(``--no-anomaly``) and ``--norm last`` or ``--norm diff``; the figure is the mean over
``train``'s forward-chaining folds of the validation MAE, against seasonal naive's on the
same blocks. Validation data only: no test split is read or scored.

Usage:
  OMP_NUM_THREADS=1 python benchmarks/trend_forecast.py [--seeds 7 8]   # about 5 minutes
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from trend_norm import SERIES, generate  # noqa: E402

from forecaster.config import TrainSettings  # noqa: E402
from forecaster.pipeline.training import train  # noqa: E402


def fold_mae(csv: Path, model: Path, norm: str) -> tuple[float, float]:
    """Mean validation MAE over the folds, and seasonal naive's, for one setting."""
    meta = train(csv, TrainSettings(model_dir=str(model), norm=norm, anomaly=False)).meta
    folds = meta["metrics"]["folds"]
    return (float(np.mean([f["mae"] for f in folds])),
            float(np.mean([f["snaive_mae"] for f in folds])))


def main() -> None:
    """Print one row per file and the mean change of MAE."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[7, 8])
    args = ap.parse_args()
    print("| file | seasonal naive MAE | `last` MAE | `diff` MAE | diff / last |")
    print("|---|---|---|---|---|")
    ratios = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in SERIES:
            for seed in args.seeds:
                csv = Path(tmp) / f"{name}_{seed}.csv"
                generate(name, False, seed)[0].to_csv(csv, index=False)
                (last, snaive), (diff, _) = (fold_mae(csv, Path(tmp) / f"m_{n}", n)
                                             for n in ("last", "diff"))
                ratios.append(diff / last)
                print(f"| {name}, seed {seed} | {snaive:.3f} | {last:.3f} | {diff:.3f} | "
                      f"{diff / last:.3f} |", flush=True)
    print(f"\nmean diff / last: {np.mean(ratios):.3f} (below 1: changes forecast better); "
          f"diff better on {sum(r < 1 for r in ratios)} of {len(ratios)} files")


if __name__ == "__main__":
    main()
