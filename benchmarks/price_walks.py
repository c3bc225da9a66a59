"""``detect-anomalies`` on prices: random walks scored on new rows, and faults injected in them.

A price is a random walk: its level has no range to learn, and new rows leave the range of
the training rows as a matter of course. Two checks, on series generated here (seeded; no
benchmark's test split):

* ``new`` (the default): twelve geometric random walks (1 % a step; hourly, 3,000 or 5,000
  rows, and business-daily, 2,500 or 1,500 rows), each drawn until its all-time high falls in
  its last 2 %. Each is trained on its first 70 % and its remaining rows are scored alone
  (``--since`` the first new row), as a daily job scores the rows since training; any event
  is a false alarm. Prints the norm ``auto`` chose and the events.
* ``faults``: hourly random walks (additive, 1 a step, and geometric, 1 % a step; 3,000
  rows; seeds 1 to 3) with three one-step faults in the last 30 % (``--size`` step sds:
  +, -, +), trained with ``--anomaly-norm none`` and ``revin`` and scored whole; a fault is
  found when an event covers its step, other events are false.

Training uses the tool's defaults for the anomaly model; the forecaster, which the anomaly
model does not depend on, is cut to one member and one epoch. About a minute per training on
one core (``new``: 12, ``faults``: 12).

Usage::

    OMP_NUM_THREADS=1 python benchmarks/price_walks.py [new|faults] [--size 6]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from forecaster.anomaly.settings import DetectSettings
from forecaster.bundle import load_bundle
from forecaster.config import TrainSettings
from forecaster.pipeline.detecting import detect
from forecaster.pipeline.training import train
from forecaster.report import Reporter

# (name, step, rows, first seed): the walks of the `new` check.
WALKS = [(f"h{s}", "h", n, s) for s, n in ((1, 3000), (2, 3000), (3, 3000), (4, 5000),
                                           (5, 5000), (6, 5000))] + \
        [(f"d{s}", "B", n, s) for s, n in ((1, 2500), (2, 2500), (3, 2500), (4, 1500),
                                           (5, 1500), (6, 1500))]
FAULTS = ((0.70, 1.0), (0.82, -1.0), (0.94, 1.0))  # (where in the file, sign)
QUIET = Reporter(quiet=True)


def walk(step: str, n: int, seed: int) -> pd.DataFrame:
    """A geometric random walk whose all-time high falls in its last 2 % (seeds tried from
    ``seed`` in steps of 1,000)."""
    while True:
        x = 100 * np.exp(np.cumsum(np.random.default_rng(seed).normal(0, 0.01, n)))
        if np.argmax(x) >= n - max(10, n // 50):
            break
        seed += 1000
    times = (pd.bdate_range("2012-01-02", periods=n) if step == "B"
             else pd.date_range("2024-01-01", periods=n, freq=step))
    return pd.DataFrame({"timestamp": times, "close": np.round(x, 2)})


def settings(model: Path, **over: object) -> TrainSettings:
    """The anomaly model's defaults; a minimal forecaster (not scored here)."""
    return TrainSettings(model_dir=model, ensemble=1, epochs=1, **over)


def new_rows(tmp: Path) -> None:
    """Train on the first 70 % of each walk, score the rest alone."""
    for name, step, n, seed in WALKS:
        frame, cut = walk(step, n, seed), int(0.7 * n)
        csv, whole, model = tmp / f"{name}.csv", tmp / f"{name}_all.csv", tmp / name
        frame.iloc[:cut].to_csv(csv, index=False)
        frame.to_csv(whole, index=False)
        train(csv, settings(model), QUIET)
        found = detect(DetectSettings(model_dir=model, data=whole,
                                      since=str(frame["timestamp"].iloc[cut])), QUIET)
        ev = found.events
        above = float((frame["close"].iloc[cut:] > frame["close"].iloc[:cut].max()).mean())
        print(f"{name} rows {n} new rows above the training max {above:.0%} norm "
              f"{load_bundle(model).meta['anomaly']['config']['norm']} events {len(ev)} "
              f"flagged {int(found.table['is_anomaly'].sum())} steps "
              f"{ev['steps'].tolist()} severity {ev['severity'].tolist()}", flush=True)


def faulty(kind: str, seed: int, size: float, n: int = 3000) -> tuple[pd.DataFrame, list]:
    """An hourly random walk with three one-step faults of ``size`` step sds."""
    steps = np.random.default_rng(seed).normal(0, 1, n)
    y = 100 + np.cumsum(steps) if kind == "add" else 100 * np.exp(np.cumsum(steps / 100))
    at = [int(n * where) for where, _ in FAULTS]
    for i, (_, sign) in zip(at, FAULTS, strict=True):
        y[i] = y[i] + sign * size if kind == "add" else y[i] * (1 + sign * size / 100)
    times = pd.date_range("2024-01-01", periods=n, freq="h", tz="UTC")
    return pd.DataFrame({"timestamp": times, "close": y.round(3)}), list(times[at])


def faults(tmp: Path, size: float) -> None:
    """Faults found and false events with levels (none) and shapes (revin)."""
    total: dict[str, list[int]] = {"none": [0, 0], "revin": [0, 0]}
    for kind in ("add", "geo"):
        for seed in (1, 2, 3):
            frame, stamps = faulty(kind, seed, size)
            csv = tmp / f"{kind}{seed}.csv"
            frame.to_csv(csv, index=False)
            for norm in ("none", "revin"):
                model = tmp / f"{kind}{seed}_{norm}"
                train(csv, settings(model, anomaly_norm=norm), QUIET)
                ev = detect(DetectSettings(model_dir=model), QUIET).events
                hit = [bool(((ev["start"] <= t) & (t <= ev["end"])).any()) for t in stamps]
                false = sum(not any(a <= t <= b for t in stamps)
                            for a, b in zip(ev["start"], ev["end"], strict=True))
                total[norm][0] += sum(hit)
                total[norm][1] += false
                print(f"{kind} seed {seed} {norm}: found {sum(hit)} of 3, false {false}",
                      flush=True)
    for norm, (hit, false) in total.items():
        print(f"{norm}: found {hit} of 18, false events {false}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("check", nargs="?", default="new", choices=("new", "faults"))
    ap.add_argument("--size", type=float, default=6.0, help="fault size, in step sds")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.check == "new":
            new_rows(Path(tmp))
        else:
            faults(Path(tmp), args.size)


if __name__ == "__main__":
    main()
