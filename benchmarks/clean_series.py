"""False alarms of ``forecast detect-anomalies`` on clean series (no anomaly at all).

Each file is generated here (seeded), trained with the tool's defaults and scored whole
(in-sample, as ``forecast train data.csv && forecast detect-anomalies`` does); any event is
a false alarm, and the exit code a cron job would turn into a mail. Kinds:

    a  15-minute daily sine + Gaussian noise      e  15-minute on/off schedule + noise
    b  hourly daily + weekly cycle + noise        f  15-minute daily sine + Student-t(5)
    c  hourly AR(1), phi 0.9                      g  hourly Poisson counts, daily rate
    d  hourly random walk                         h  hourly sine, noise 0.5 % of amplitude

Prints one row per file (events, peak scores, the telemanom floor and the highest score
over it) and the share of files that alarmed, per kind. About 1-3 minutes per file on one
core (29 files: about 60 minutes). ``--cron N`` also scores N runs of a cron job on the
series' continuation (the same seed, rows past the training file): each run appends 24 new
rows and scores them alone (``--last 24``), as ``forecast detect-anomalies --last 24`` from
cron does; a run with an event is a false alert.

Usage::

    OMP_NUM_THREADS=1 python benchmarks/clean_series.py [--files a:3000:1 ...] [--cron N]
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

# kind:rows:seed, the files of benchmarks/RESULTS-clean.md
FILES = ["a:3000:1", "b:3000:11", "c:2500:21", "d:3000:31", "e:3000:41", "f:3000:51",
         "g:2500:61", "h:3000:71", "a:3000:2", "b:4000:12", "c:4000:22", "d:2000:32",
         "e:4000:42", "f:4500:52", "g:4000:62", "h:2000:72", "a:4500:3", "b:2000:13",
         "c:3000:23", "d:5000:33", "e:2000:43", "f:2000:53", "g:3000:63", "h:4500:73",
         "a:2000:4", "a:3000:5", "f:3000:54", "e:3000:44", "a:3000:6"]


def generate(kind: str, n: int, seed: int) -> tuple[str, np.ndarray]:
    """The step and values of one clean series."""
    rng, t = np.random.default_rng(seed), np.arange(n)
    day15 = 2 * np.pi * t / 96  # a day of 15-minute steps
    if kind == "a":
        return "15min", 20 + 5 * np.sin(day15) + rng.normal(0, 0.5, n)
    if kind == "b":
        return "h", (50 + 8 * np.sin(2 * np.pi * t / 24) + 4 * np.sin(2 * np.pi * t / 168 + 1)
                     + rng.normal(0, 1.0, n))
    if kind == "c":
        x, e = np.zeros(n), rng.normal(0, 1, n)
        for i in range(1, n):
            x[i] = 0.9 * x[i - 1] + e[i]
        return "h", 10 + x
    if kind == "d":
        return "h", 100 + np.cumsum(rng.normal(0, 1, n))
    if kind == "e":
        on = ((t % 96) >= 32) & ((t % 96) < 64)
        return "15min", 10 + 6 * on + rng.normal(0, 0.5, n)
    if kind == "f":
        return "15min", 20 + 5 * np.sin(day15) + 0.5 * rng.standard_t(5, n)
    if kind == "g":
        return "h", rng.poisson(6 + 5 * np.sin(2 * np.pi * t / 24)).astype(float)
    return "h", 5 + 2 * np.sin(2 * np.pi * t / 24) + rng.normal(0, 0.01, n)


CRON_ROWS = 24  # rows per cron run: a day of hourly data, 6 hours of 15-minute data


def frame_of(kind: str, n: int, seed: int) -> pd.DataFrame:
    """The generated rows as the CSV holds them."""
    freq, values = generate(kind, n, seed)
    return pd.DataFrame({"timestamp": pd.date_range("2025-01-01", periods=n, freq=freq),
                         "value": np.round(values, 4)})


def cron_alerts(spec: str, model: Path, tmp: Path, runs: int) -> int:
    """Cron runs on the continuation of the training file that raised an event."""
    kind, n, seed = spec.split(":")
    rows = frame_of(kind, int(n) + runs * CRON_ROWS, int(seed))
    # The continuation must extend the training file, not redraw it.
    assert rows.iloc[:int(n)].equals(frame_of(kind, int(n), int(seed))), spec
    alerts, cut = 0, tmp / "cron.csv"
    for run in range(1, runs + 1):
        rows.iloc[:int(n) + run * CRON_ROWS].to_csv(cut, index=False)
        found = detect(DetectSettings(model_dir=model, data=cut, last=CRON_ROWS),
                       Reporter(quiet=True))
        alerts += int(len(found.events) > 0)
    return alerts


def run_one(spec: str, tmp: Path, cron: int = 0) -> dict:
    """Generate, train with the defaults, score the file whole; the false alarms."""
    kind, n, seed = spec.split(":")
    csv = tmp / f"{kind}_{n}_{seed}.csv"
    frame_of(kind, int(n), int(seed)).to_csv(csv, index=False)
    model = tmp / f"model_{kind}_{n}_{seed}"
    quiet = Reporter(quiet=True)
    train(csv, TrainSettings(model_dir=model), quiet)
    found = detect(DetectSettings(model_dir=model), quiet)
    floor = load_bundle(model).meta["anomaly"]["threshold"]["value"]
    top = float(found.table["score"].max())
    out = {"file": f"{kind}_{n}_{seed}", "kind": kind, "events": len(found.events),
           "peaks": ";".join(f"{p:.2f}" for p in found.events["peak_score"]),
           "floor": round(floor, 3), "max_score": round(top, 3),
           "max_over_floor": round(top / floor, 3)}
    if cron:
        out["cron_alerts"] = f"{cron_alerts(spec, model, tmp, cron)}/{cron}"
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--files", nargs="*", default=list(FILES), help="kind:rows:seed ...")
    ap.add_argument("--cron", type=int, default=0, help="cron runs of 24 new rows per file")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for spec in args.files:
            rows.append(run_one(spec, Path(tmp), args.cron))
            print(pd.DataFrame(rows[-1:]).to_string(index=False, header=len(rows) == 1),
                  flush=True)
    df = pd.DataFrame(rows)
    by_kind = df.groupby("kind").agg(files=("file", "size"),
                                     alarmed=("events", lambda e: int((e > 0).sum())))
    print(f"\n{by_kind.to_string()}\nfiles with a false alarm: "
          f"{int((df['events'] > 0).sum())} of {len(df)}")


if __name__ == "__main__":
    main()
