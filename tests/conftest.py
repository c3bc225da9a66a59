"""Shared fixtures: tiny synthetic CSVs and tiny model settings so the suite stays fast."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

# Two cores in CI: one torch thread per test process avoids oversubscription.
os.environ.setdefault("OMP_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"

# Preamble of the helper scripts that fault tests fork from: imports done once, then
# ``run(argv)`` runs one forecast command in-process and returns its exit code.
IN_PROCESS_RUNNER = """
import json, os, signal, sys, time
from forecaster.cli import main
def run(argv):
    sys.argv = ["forecast", *argv]
    try:
        main()
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    return 0
"""

# Small enough to train in about a second, large enough to learn a daily cycle.
TINY = ["--epochs", "3", "--hidden", "8", "--layers", "1", "--window", "24", "--segment", "6",
        "--horizon", "6", "--folds", "2", "--batch-size", "64", "--ensemble", "1",
        "--no-anomaly"]


def make_series(n: int = 480, seed: int = 0, start: str = "2024-01-01", freq: str = "h",
                slope: float = 0.0, amplitude: float = 3.0) -> pd.DataFrame:
    """A daily-seasonal series with noise and an optional trend."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    y = 10 + amplitude * np.sin(2 * np.pi * t / 24) + slope * t + rng.normal(0, 0.3, n)
    return pd.DataFrame({"timestamp": pd.date_range(start, periods=n, freq=freq), "value": y})


@pytest.fixture
def series_csv(tmp_path: Path) -> Path:
    """A 480-row hourly single-series CSV."""
    path = tmp_path / "series.csv"
    make_series().to_csv(path, index=False)
    return path


def train_tiny(csv: Path, model: Path, *extra: str, tiny: list[str] = TINY) -> Path:
    """Train a bundle with the ``tiny`` settings (and ``extra`` options) through the CLI."""
    from typer.testing import CliRunner

    from forecaster.cli import app

    result = CliRunner().invoke(app, ["train", str(csv), "--model", str(model), *tiny, *extra])
    assert result.exit_code == 0, result.output
    return model


@pytest.fixture
def trained(tmp_path: Path, series_csv: Path) -> Path:
    """A bundle trained with the TINY settings on ``series_csv``."""
    return train_tiny(series_csv, tmp_path / "m")


def write_lines(tmp_path: Path, lines: list[str], name: str = "data.csv",
                prefix: str = "") -> Path:
    """A file in ``tmp_path`` holding ``lines`` (after ``prefix``), one per line."""
    path = tmp_path / name
    path.write_text(prefix + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def one_error_line(result, code: int) -> str:
    """The one ``Error:`` line of a CLI result that exited with ``code`` (not a crash)."""
    assert result.exit_code == code, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # not a crash
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return lines[0]


def utc(text: str) -> pd.Timestamp:
    """A UTC timestamp, as the loader's times are."""
    return pd.Timestamp(text, tz="UTC")


@pytest.fixture(params=["pyarrow", "c"])
def engine(request, monkeypatch) -> str:
    """Read CSVs with this parser (pyarrow, the ``fast`` extra, or pandas' C parser)."""
    import forecaster.data.loading as loading

    if request.param == "pyarrow":
        pytest.importorskip("pyarrow")
        monkeypatch.setattr(loading, "_engine", lambda: {"engine": "pyarrow"})
    else:
        monkeypatch.setattr(loading, "_engine", lambda: {})
    return request.param


@pytest.fixture(autouse=True)
def _torch_threads() -> None:
    import torch

    torch.set_num_threads(1)
