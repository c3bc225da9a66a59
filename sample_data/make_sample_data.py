"""Regenerate the bundled sample CSVs deterministically.

Usage::

    python sample_data/make_sample_data.py [OUTPUT_DIR]

``OUTPUT_DIR`` defaults to the folder holding this script. Only numpy and pandas
are needed; every random draw comes from ``numpy.random.default_rng(7)`` in a
fixed order, so the output is byte-for-byte reproducible.

Files written:

* ``sensor.csv``: ``timestamp,temperature``; hourly plant sensor, 90 days, with
  five rows removed (gaps) in the first half and four faults in the last 40%.
* ``sensor_labels.csv``: ``start,end,kind``; the fault windows, inclusive.
* ``multi_series.csv``: ``timestamp,store,sales,price``; daily sales of three
  stores in long format, ``price`` being an input covariate.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 7
TS_FORMAT = "%Y-%m-%d %H:%M:%S"
DATE_FORMAT = "%Y-%m-%d"

SENSOR_START = "2026-01-01 00:00:00"
SENSOR_HOURS = 90 * 24
SENSOR_NOISE_SD = 0.5
SENSOR_AR_PHI = 0.6
# Hourly-grid positions dropped from the file (all in the first half).
SENSOR_GAPS = (100, 101, 333, 650, 901)

MULTI_START = "2025-01-01"
MULTI_DAYS = 400


@dataclass(frozen=True)
class Fault:
    """A fault injected into the sensor series.

    Attributes:
        kind: Label written to ``sensor_labels.csv``.
        start: Position of the first faulty hour on the hourly grid.
        hours: Length of the fault window in hours.
        size: Offset added (spike, dropout, level shift) or, for
            ``stuck_then_noise``, the number of leading flat hours.
    """

    kind: str
    start: int
    hours: int
    size: float


# Last 40% of the grid starts at hour 1296; every fault starts well after it.
SENSOR_FAULTS = (
    Fault("spike", 1400, 2, 12.0),
    Fault("dropout", 1590, 3, -15.0),
    Fault("level_shift", 1770, 12, 6.0),
    Fault("stuck_then_noise", 1998, 14, 6.0),
)
NOISE_BURST_VAR_FACTOR = 6.0

STORES = {
    # name: (base sales, trend per day, base price, price phase)
    "north": (120.0, 0.05, 4.99, 0.0),
    "south": (80.0, 0.02, 5.49, 2.0),
    "east": (200.0, 0.10, 4.49, 4.0),
}
# Monday..Sunday multipliers: weekends busier.
WEEKLY_SALES = np.array([0.90, 0.92, 0.95, 1.00, 1.08, 1.20, 1.05])
PRICE_ELASTICITY = -1.5


def ar1_noise(rng: np.random.Generator, n: int, phi: float, sd: float) -> np.ndarray:
    """Draw a stationary AR(1) series.

    Args:
        rng: Random generator.
        n: Number of samples.
        phi: Autoregressive coefficient, ``|phi| < 1``.
        sd: Marginal standard deviation of the series.

    Returns:
        Array of ``n`` samples.
    """
    innovations = rng.normal(0.0, sd * np.sqrt(1.0 - phi**2), size=n)
    out = np.empty(n)
    out[0] = rng.normal(0.0, sd)
    for i in range(1, n):
        out[i] = phi * out[i - 1] + innovations[i]
    return out


def sensor_baseline(index: pd.DatetimeIndex) -> np.ndarray:
    """Noise-free temperature: level, trend, daily and weekly seasonality.

    Args:
        index: Hourly timestamps.

    Returns:
        Array of expected readings.
    """
    n = len(index)
    trend = 3.0 * np.arange(n) / (n - 1)
    hour = index.hour.to_numpy()
    daily = 4.0 * np.sin(2.0 * np.pi * (hour - 9) / 24.0)
    weekend = (index.day_of_week.to_numpy() >= 5).astype(float)
    # Smooth the weekend step over 6 h so the weekly cycle has no hard edges.
    weekly = -2.0 * np.convolve(np.pad(weekend, 3, mode="edge"), np.ones(6) / 6, "valid")[:n]
    return 60.0 + trend + daily + weekly


def inject_faults(values: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Apply ``SENSOR_FAULTS`` to a copy of the readings.

    Args:
        values: Clean readings on the hourly grid.
        rng: Random generator, used for the noise burst.

    Returns:
        The faulty readings.
    """
    out = values.copy()
    for fault in SENSOR_FAULTS:
        window = slice(fault.start, fault.start + fault.hours)
        if fault.kind != "stuck_then_noise":
            out[window] += fault.size
            continue
        flat = int(fault.size)
        out[fault.start : fault.start + flat] = out[fault.start - 1]
        burst = slice(fault.start + flat, window.stop)
        extra_sd = SENSOR_NOISE_SD * np.sqrt(NOISE_BURST_VAR_FACTOR - 1.0)
        out[burst] += rng.normal(0.0, extra_sd, size=burst.stop - burst.start)
    return out


def make_sensor(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Build the sensor series and its fault labels.

    Args:
        rng: Random generator.

    Returns:
        ``(sensor, labels)`` frames ready to be written.
    """
    index = pd.date_range(SENSOR_START, periods=SENSOR_HOURS, freq="h")
    clean = sensor_baseline(index)
    clean += ar1_noise(rng, SENSOR_HOURS, SENSOR_AR_PHI, SENSOR_NOISE_SD)
    values = inject_faults(clean, rng)
    sensor = pd.DataFrame({"timestamp": index, "temperature": values.round(3)})
    sensor = sensor.drop(index=list(SENSOR_GAPS)).reset_index(drop=True)
    labels = pd.DataFrame(
        {
            "start": [index[f.start] for f in SENSOR_FAULTS],
            "end": [index[f.start + f.hours - 1] for f in SENSOR_FAULTS],
            "kind": [f.kind for f in SENSOR_FAULTS],
        }
    )
    return sensor, labels


def make_store(rng: np.random.Generator, name: str, index: pd.DatetimeIndex) -> pd.DataFrame:
    """Build one store's daily sales and price.

    Args:
        rng: Random generator.
        name: Store name, a key of ``STORES``.
        index: Daily timestamps.

    Returns:
        Frame with ``timestamp,store,sales,price``.
    """
    base, slope, base_price, phase = STORES[name]
    t = np.arange(len(index))
    drift = np.cumsum(rng.normal(0.0, 0.002, size=len(index)))
    price = base_price * (1.0 + 0.06 * np.sin(2.0 * np.pi * t / 120.0 + phase) + drift)
    level = (base + slope * t) * WEEKLY_SALES[index.day_of_week.to_numpy()]
    level *= (price / base_price) ** PRICE_ELASTICITY
    sales = np.maximum(level + rng.normal(0.0, 0.05 * base, size=len(index)), 0.0)
    return pd.DataFrame(
        {"timestamp": index, "store": name, "sales": sales.round(3), "price": price.round(3)}
    )


def make_multi_series(rng: np.random.Generator) -> pd.DataFrame:
    """Build the long-format multi-store frame.

    Args:
        rng: Random generator.

    Returns:
        Frame with ``timestamp,store,sales,price``, one block per store.
    """
    index = pd.date_range(MULTI_START, periods=MULTI_DAYS, freq="D")
    frames = [make_store(rng, name, index) for name in STORES]
    return pd.concat(frames, ignore_index=True)


def write_csv(frame: pd.DataFrame, path: Path, date_format: str = TS_FORMAT) -> None:
    """Write a frame with fixed formatting so output is byte-stable.

    Args:
        frame: Frame to write.
        path: Destination file.
        date_format: ``strftime`` format for datetime columns.
    """
    frame.to_csv(
        path, index=False, float_format="%.3f", date_format=date_format, lineterminator="\n"
    )


def generate(out_dir: Path) -> list[Path]:
    """Write all sample files into ``out_dir``.

    Args:
        out_dir: Destination folder, created if missing.

    Returns:
        Paths of the written files.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    sensor, labels = make_sensor(rng)
    multi = make_multi_series(rng)
    paths = [out_dir / "sensor.csv", out_dir / "sensor_labels.csv", out_dir / "multi_series.csv"]
    write_csv(sensor, paths[0])
    write_csv(labels, paths[1])
    write_csv(multi, paths[2], DATE_FORMAT)
    return paths


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point.

    Args:
        argv: Arguments, defaulting to ``sys.argv[1:]``.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "out_dir",
        nargs="?",
        type=Path,
        default=Path(__file__).resolve().parent,
        help="output folder (default: this script's folder)",
    )
    args = parser.parse_args(argv)
    for path in generate(args.out_dir):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
