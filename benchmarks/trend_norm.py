"""``--anomaly-norm`` on trending series: injected faults found, false events on clean twins.

Four series grow fourfold over their file (monthly, weekly, daily, hourly; a seasonal cycle
proportional to the level, 2 % noise); two more grow by half under a seasonal swing of 25 %
and 5 % noise (``daily_slow``, ``hourly_slow``), or by 40 % over 400 days under a weekly
profile of sales (``daily_sales``: Saturdays 1.45 times the mean), where the raw values of
both ends share one range. Each comes twice: with three faults in its last 30 %
(the value x1.6, x0.4, x1.6 at one step) and clean. Each file is trained with the tool's
defaults (the forecaster cut to 5 epochs and one member: only the anomaly model matters
here) and scored whole, as ``forecast train f.csv && forecast detect-anomalies --events``
does. A fault is found when an event covers its step; an event covering none is false.
These series are synthetic validation data, generated here: no benchmark's test split.

Usage::

    OMP_NUM_THREADS=1 python benchmarks/trend_norm.py [--norms none revin auto]
        [--series monthly weekly daily hourly daily_slow hourly_slow]

About 1-2 minutes per file and norm on one core.
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

# name: (rows, step, season, growth over the file, seasonal swing, noise)
SERIES = {"monthly": (144, "MS", 12, 4.0, 0.15, 0.02), "weekly": (300, "W", 52, 4.0, 0.15, 0.02),
          "daily": (730, "D", 7, 4.0, 0.15, 0.02), "hourly": (1500, "h", 24, 4.0, 0.15, 0.02),
          "daily_slow": (730, "D", 7, 1.5, 0.25, 0.05),
          "hourly_slow": (1500, "h", 24, 1.5, 0.25, 0.05),
          "daily_sales": (400, "D", 7, 1.4, (0.75, 0.95, 1.0, 1.0, 1.05, 1.3, 1.45), 0.05)}
FAULTS = ((0.70, 1.6), (0.82, 0.4), (0.94, 1.6))  # (where in the file, factor)
FORECAST = [sys.executable, "-m", "forecaster"]


def generate(name: str, faults: bool, seed: int = 7) -> tuple[pd.DataFrame, list]:
    """One file: the series (with its faults if asked) and the faults' timestamps."""
    n, freq, season, growth, swing, noise = SERIES[name]
    rng = np.random.default_rng(seed + len(name))
    t = np.arange(n)
    level = 100 * np.exp(np.log(growth) * t / n)
    # A seasonal swing: a sine of that amplitude, or a profile (sales by day of the week).
    cycle = (np.asarray(swing)[t % season] if isinstance(swing, tuple)
             else 1 + swing * np.sin(2 * np.pi * t / season))
    y = level * cycle * (1 + rng.normal(0, noise, n))
    times = pd.date_range("2000-01-01", periods=n, freq=freq, tz="UTC")
    at = [int(n * where) for where, _ in FAULTS]
    if faults:
        for i, (_, factor) in zip(at, FAULTS, strict=True):
            y[i] *= factor
    return pd.DataFrame({"timestamp": times, "value": y.round(3)}), list(times[at])


def events_of(csv: Path, model: Path, norm: str) -> pd.DataFrame:
    """Train with ``--anomaly-norm norm`` and return the events of the whole file."""
    subprocess.run([*FORECAST, "train", str(csv), "--model", str(model), "--anomaly-norm",
                    norm, "--epochs", "5", "--ensemble", "1", "--quiet"], check=True,
                   stdout=subprocess.DEVNULL)
    out = subprocess.run([*FORECAST, "detect-anomalies", "--model", str(model), "--events",
                          "--exit-zero", "--quiet"], check=True, capture_output=True,
                         text=True).stdout
    events = pd.read_csv(io.StringIO(out))
    return events.assign(start=pd.to_datetime(events["start"]),
                         end=pd.to_datetime(events["end"]))


def score(events: pd.DataFrame, faults: list) -> tuple[int, int]:
    """Faults covered by an event, and events covering no fault."""
    covers = [[e.start <= f <= e.end for f in faults] for e in events.itertuples()]
    found = sum(any(c[j] for c in covers) for j in range(len(faults)))
    return found, sum(not any(c) for c in covers)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--norms", nargs="*", default=["none", "revin", "auto"])
    ap.add_argument("--series", nargs="*", default=list(SERIES), choices=list(SERIES))
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for norm in args.norms:
            for name in args.series:
                for faults in (True, False):
                    frame, when = generate(name, faults)
                    csv = Path(tmp) / f"{name}_{'faults' if faults else 'clean'}.csv"
                    frame.to_csv(csv, index=False)
                    found, false = score(events_of(csv, Path(tmp) / "m", norm),
                                         when if faults else [])
                    rows.append({"norm": norm, "file": csv.stem,
                                 "found": f"{found}/{len(when) if faults else 0}",
                                 "false events": false})
                    print(pd.DataFrame(rows[-1:]).to_string(index=False,
                                                            header=len(rows) == 1), flush=True)
    df = pd.DataFrame(rows)
    df["hits"] = df["found"].str.split("/").str[0].astype(int)
    total = df.groupby("norm", sort=False).agg(found=("hits", "sum"),
                                               false_events=("false events", "sum"))
    print(f"\nfaults found of {3 * len(args.series)}, and false events (both twins):\n{total}")


if __name__ == "__main__":
    main()
