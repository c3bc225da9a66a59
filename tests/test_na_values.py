"""Missing-value markers (``--na-values``): UCI Air Quality's -200, NOAA's -9999."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import TINY, train_tiny, write_lines
from typer.testing import CliRunner

from forecaster.cli import app
from forecaster.data.loading import load_frame
from forecaster.data.sentinels import likely_marker
from forecaster.data.spec import DataSpec

runner = CliRunner()
MARKED = (50, 51, 52, 200, 333)  # rows holding the marker


def _air_quality(tmp_path: Path) -> Path:
    idx = pd.date_range("2004-03-10 18:00", periods=480, freq="h")
    temp = 15 + 5 * np.sin(np.arange(480) / 24 * 2 * np.pi)
    cells = [f"{v:.1f}".replace(".", ",") for v in temp]
    for i in MARKED:
        cells[i] = "-200"
    lines = ["Date;Time;T"] + [f"{t:%d/%m/%Y};{t:%H.%M.%S};{c}"
                               for t, c in zip(idx, cells, strict=True)]
    return write_lines(tmp_path, lines, "AirQualityUCI.csv")


def test_marked_cells_are_missing_and_filled(tmp_path: Path) -> None:
    frame = load_frame(_air_quality(tmp_path), DataSpec(na_values=["-200"]))
    (s,) = frame.series
    assert not s.observed[list(MARKED), 0].any() and s.observed.sum() == 480 - len(MARKED)
    assert s.values[:, 0].min() > 9  # filled from their neighbours, not -200
    assert not any("--na-values" in n for n in frame.notes)


def test_a_likely_marker_is_named_in_a_note(tmp_path: Path) -> None:
    frame = load_frame(_air_quality(tmp_path), DataSpec())
    assert frame.series[0].observed.all()  # read as data, as the file says
    (note,) = [n for n in frame.notes if "--na-values" in n]
    assert "column 'T': -200 appears in 5 rows, far from every other value" in note
    assert "train with --na-values -200" in note


@pytest.mark.parametrize("values", [
    np.r_[np.zeros(40), np.arange(1, 500)],          # a count with many zeros
    np.r_[np.full(2, -200.0), np.linspace(0, 40, 300)],  # seen twice: an outlier, no marker
    np.linspace(-5, 5, 300),                          # nothing repeated at the ends
    np.tile([40.5, 41.5, 42.5], 30),                  # a few levels: no measurement range
    np.r_[np.full(9, 60.0), np.linspace(0, 40, 300)],  # apart, but by less than twice
])
def test_ordinary_extremes_are_no_marker(values: np.ndarray) -> None:
    assert likely_marker(values) is None


def test_the_bundle_keeps_the_markers_for_detection(tmp_path: Path) -> None:
    path = _air_quality(tmp_path)
    tiny = [a for a in TINY if a != "--no-anomaly"] + ["--anomaly-epochs", "1",
                                                       "--anomaly-window", "16"]
    model = train_tiny(path, tmp_path / "m", "--na-values", "-200,-999", tiny=tiny)
    info = runner.invoke(app, ["info", "--model", str(model)])
    assert info.exit_code == 0, info.output
    assert "-200, -999" in info.stdout
    result = runner.invoke(app, ["detect-anomalies", "--model", str(model), "--exit-zero"])
    assert result.exit_code == 0, result.output
    out = pd.read_csv(io.StringIO(result.stdout))
    marked = out.iloc[list(MARKED)]  # missing readings: no value, no score, no flag
    assert marked["value"].isna().all() and marked["score"].isna().all()
    assert not marked["is_anomaly"].any() and out["value"].notna().sum() == 480 - len(MARKED)
