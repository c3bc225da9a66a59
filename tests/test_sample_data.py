"""The bundled sample data is reproducible and its fault labels are well placed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "sample_data"
SCRIPT = SAMPLE_DIR / "make_sample_data.py"
FILES = ("sensor.csv", "sensor_labels.csv", "multi_series.csv")


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Run the generator into a fresh folder and return that folder."""
    out = tmp_path_factory.mktemp("sample_data")
    subprocess.run([sys.executable, str(SCRIPT), str(out)], check=True, capture_output=True)
    return out


@pytest.mark.parametrize("name", FILES)
def test_generator_reproduces_committed_file(regenerated: Path, name: str) -> None:
    assert (regenerated / name).read_bytes() == (SAMPLE_DIR / name).read_bytes()


@pytest.mark.parametrize("name", FILES)
def test_files_are_small(name: str) -> None:
    assert (SAMPLE_DIR / name).stat().st_size < 200_000


def test_sensor_shape_and_gaps() -> None:
    sensor = pd.read_csv(SAMPLE_DIR / "sensor.csv", parse_dates=["timestamp"])
    assert list(sensor.columns) == ["timestamp", "temperature"]
    assert sensor["timestamp"].is_monotonic_increasing
    grid = pd.date_range(sensor["timestamp"].iloc[0], sensor["timestamp"].iloc[-1], freq="h")
    assert len(grid) == 2160
    missing = grid.difference(pd.DatetimeIndex(sensor["timestamp"]))
    assert len(missing) == 5
    assert (missing < grid[len(grid) // 2]).all()


def test_labels_lie_in_last_40_percent() -> None:
    sensor = pd.read_csv(SAMPLE_DIR / "sensor.csv", parse_dates=["timestamp"])
    labels = pd.read_csv(SAMPLE_DIR / "sensor_labels.csv", parse_dates=["start", "end"])
    assert list(labels.columns) == ["start", "end", "kind"]
    assert len(labels) == 4
    cutoff = sensor["timestamp"].iloc[int(0.6 * len(sensor))]
    assert (labels["start"] >= cutoff).all()
    assert (labels["end"] <= sensor["timestamp"].iloc[-1]).all()
    assert (labels["start"] <= labels["end"]).all()


def test_faults_stand_out() -> None:
    sensor = pd.read_csv(SAMPLE_DIR / "sensor.csv", parse_dates=["timestamp"])
    labels = pd.read_csv(SAMPLE_DIR / "sensor_labels.csv", parse_dates=["start", "end"])
    series = sensor.set_index("timestamp")["temperature"]
    # Deviation from the same hour one day earlier (seasonality roughly cancels).
    diff = (series - series.shift(freq="24h")).dropna()
    calm_sd = diff[diff.index < labels["start"].min()].std()
    for row in labels.itertuples():
        window = diff[row.start : row.end]
        assert window.abs().max() > 4 * calm_sd, row.kind


def test_multi_series_layout() -> None:
    multi = pd.read_csv(SAMPLE_DIR / "multi_series.csv", parse_dates=["timestamp"])
    assert list(multi.columns) == ["timestamp", "store", "sales", "price"]
    counts = multi["store"].value_counts()
    assert set(counts.index) == {"north", "south", "east"}
    assert (counts >= 365).all()
    assert multi["sales"].notna().all() and (multi["sales"] >= 0).all()
    assert multi["price"].notna().all() and (multi["price"] > 0).all()
