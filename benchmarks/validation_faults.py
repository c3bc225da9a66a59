"""Faults inside the training file's validation blocks: are they all found?

``forecast train data.csv && forecast detect-anomalies`` scores the file it trained on, so
the faults of that file sit in the forward-chaining folds' validation blocks too, among
the out-of-fold scores that the threshold is calibrated on. This benchmark generates
series of 3,000 one-minute steps (seeded), injects three faults into each (one in the
training-only part, two in the validation blocks, the last 30 %), trains with the tool's
defaults (except a one-epoch, one-member forecaster, which detection does not use) and
scores each file whole. A fault is found when an event overlaps it; an event that
overlaps no fault is a false alarm. Four files without faults count false alarms alone.

Bases: a sine (period 50), two harmonics (60), AR(1) + a sine (100), a square wave (80)
and a sawtooth (70). Faults: a spike, a level shift, a flat run, a noise burst, a
frequency change and a ramp, of 12 to 60 steps. Two pools: the first (10 files) was made
while looking into a missed fault; the second (8 faulty + 4 clean files) was made after,
to check the first's verdict on files not looked at.

About 30-60 seconds per file on one core (22 files)::

    OMP_NUM_THREADS=1 python benchmarks/validation_faults.py [--pool 1|2]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from forecaster.anomaly.settings import DetectSettings
from forecaster.config import TrainSettings
from forecaster.data.spec import DataSpec
from forecaster.pipeline.detecting import detect
from forecaster.pipeline.training import train

N = 3000
FAULTS = ["spike", "shift", "flat", "noise", "freq", "ramp"]
Case = tuple[str, np.ndarray, list[tuple[str, int, int]]]


def base(kind: str, rng: np.random.Generator) -> np.ndarray:
    """One clean series of ``N`` steps."""
    t = np.arange(N)
    if kind == "sine":
        return np.sin(2 * np.pi * t / 50) + rng.normal(0, 0.05, N)
    if kind == "harm":
        return (np.sin(2 * np.pi * t / 60) + 0.5 * np.sin(4 * np.pi * t / 60 + 1)
                + rng.normal(0, 0.1, N))
    if kind == "ar":
        e, x = rng.normal(0, 0.2, N), np.zeros(N)
        for i in range(1, N):
            x[i] = 0.9 * x[i - 1] + e[i]
        return x + np.sin(2 * np.pi * t / 100)
    if kind == "square":
        return np.sign(np.sin(2 * np.pi * t / 80)) + rng.normal(0, 0.05, N)
    return (t % 70) / 35.0 - 1 + rng.normal(0, 0.05, N)  # saw


def inject(y: np.ndarray, kind: str, at: int, n: int, rng: np.random.Generator) -> None:
    """Put one fault of ``n`` steps (a spike: one) into ``y`` at ``at``, in place."""
    sd = y.std()
    if kind == "spike":
        y[at] += 4 * sd
    elif kind == "shift":
        y[at:at + n] += 1.5 * sd
    elif kind == "flat":
        y[at:at + n] = y[at]
    elif kind == "noise":
        y[at:at + n] += rng.normal(0, sd, n)
    elif kind == "freq":
        y[at:at + n] = np.sin(2 * np.pi * np.arange(n) / 20) * sd * 1.4
    else:  # ramp
        y[at:at + n] += np.linspace(0, 2 * sd, n)


def pool1() -> list[Case]:
    """Ten files: faults at 1500 (30 steps), 2200 and 2600 (25 or 50 steps)."""
    out = []
    for i, kind in enumerate(["sine", "harm", "ar", "square", "saw"]):
        for j, n in enumerate([25, 50]):
            rng = np.random.default_rng(100 * i + j)
            y = base(kind, rng)
            faults = [(FAULTS[(i + j + 2 * f) % 6], at, ln)
                      for f, (at, ln) in enumerate([(1500, 30), (2200, n), (2600, n)])]
            out.append((f"{kind}_{n}", _injected(y, faults, rng), faults))
    return out


def pool2() -> list[Case]:
    """Eight files with faults at other places and lengths, and four clean files."""
    out, spots = [], np.random.default_rng(7)
    for i, kind in enumerate(["sine", "harm", "ar", "square", "saw", "harm", "sine", "ar"]):
        rng = np.random.default_rng(1000 + i)
        y, n = base(kind, rng), [15, 35, 60][i % 3]
        a, b = sorted(spots.choice(np.arange(2150, 2900, 150), 2, replace=False).tolist())
        faults = [(FAULTS[(i + 1) % 6], 1300, 30), (FAULTS[(i + 3) % 6], a, n),
                  (FAULTS[(i + 5) % 6], b, n // 2 + 5)]
        out.append((f"p2_{i}_{kind}", _injected(y, faults, rng), faults))
    for i, kind in enumerate(["sine", "harm", "ar", "saw"]):
        out.append((f"clean_{kind}", base(kind, np.random.default_rng(2000 + i)), []))
    return out


def _injected(y: np.ndarray, faults: list[tuple[str, int, int]],
              rng: np.random.Generator) -> np.ndarray:
    for kind, at, n in faults:
        inject(y, kind, at, n, rng)
    return y


def run_case(name: str, y: np.ndarray, faults: list, tmp: Path) -> tuple[list[bool], int]:
    """Train on one file and score it whole: which faults were found, and false alarms."""
    path = tmp / f"{name}.csv"
    stamps = pd.date_range("2024-01-01", periods=N, freq="min")
    pd.DataFrame({"time": stamps, "y": y}).to_csv(path, index=False)
    model = tmp / name
    train(path, TrainSettings(data=DataSpec(), model_dir=model, epochs=1, ensemble=1,
                              device="cpu"))
    found = detect(DetectSettings(model_dir=model))
    events = [(int((s - stamps[0].tz_localize("UTC")).total_seconds() // 60),
               int((e - stamps[0].tz_localize("UTC")).total_seconds() // 60))
              for s, e in zip(found.events["start"], found.events["end"], strict=True)]
    spans = [(at, at if kind == "spike" else at + n - 1) for kind, at, n in faults]
    hits = [any(a <= e and s <= b for s, e in events) for a, b in spans]
    false = sum(not any(a <= e and s <= b for a, b in spans) for s, e in events)
    return hits, false


def main() -> None:
    """Run the pools and print one line per file and the totals."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pool", choices=("1", "2", "both"), default="both")
    args = ap.parse_args()
    import torch

    torch.set_num_threads(1)
    cases = (pool1() if args.pool in ("1", "both") else []) + (
        pool2() if args.pool in ("2", "both") else [])
    found = missed = false = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, y, faults in cases:
            hits, fa = run_case(name, y, faults, Path(tmp))
            found, missed, false = found + sum(hits), missed + len(hits) - sum(hits), false + fa
            marks = " ".join(f"{k}:{'found' if h else 'MISSED'}" for (k, _, _), h in
                             zip(faults, hits, strict=True))
            print(f"{name}: {marks or 'no faults'}; false alarms {fa}", flush=True)
    print(f"total: {found} faults found, {missed} missed, {false} false alarms")


if __name__ == "__main__":
    main()
