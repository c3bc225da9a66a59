"""Filled steps are read as the last observation before them wherever a forecast reads
them: interpolation towards the first reading after a gap let windows read their targets."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from forecaster.cli import app
from forecaster.config import TrainSettings
from forecaster.data.carry import carried, carried_tail, carry_tail
from forecaster.data.loading import load_frame
from forecaster.data.spec import DataSpec
from forecaster.pipeline.prepare import fold_data, make_grid

GAP = slice(200, 210)  # rows missing from the file; row 210 is the first reading after
CUT = 205  # a training part that ends inside the gap
VAL_GAP = slice(250, 260)  # a gap in the validation block; row 260 is the reading after


def test_carried_holds_the_last_observation() -> None:
    values = np.array([[1.0, 5.0], [2.0, 6.0], [3.0, 7.0], [4.0, 8.0]])
    observed = np.array([[True, False], [False, True], [False, False], [True, True]])
    out = carried(values, observed, "interpolate")
    # Column 0: rows 1-2 take row 0's reading; column 1: row 0 keeps its fill (nothing
    # earlier), row 2 takes row 1's.
    assert out.tolist() == [[1.0, 5.0], [1.0, 6.0], [1.0, 6.0], [4.0, 8.0]]
    # A 0 put where nothing was read is carried over too (the mask still says "filled").
    zeros = carried(values * observed, observed, "zero")
    assert zeros.tolist() == [[1.0, 0.0], [1.0, 6.0], [1.0, 6.0], [4.0, 8.0]]
    assert carried(values, observed, "ffill") is values  # already carried


def test_a_zero_filled_newest_row_does_not_pull_the_forecast_to_zero(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    t = np.arange(600)
    y = 100 + 10 * np.sin(2 * np.pi * t / 24) + rng.normal(size=600)
    y[[100, 101, 300, 599]] = np.nan  # the newest reading missing, as a cron run may find it
    path = tmp_path / "level.csv"
    pd.DataFrame({"time": pd.date_range("2024-01-01", periods=600, freq="h"),
                  "y": y}).to_csv(path, index=False)
    model = str(tmp_path / "m")
    runner = CliRunner()
    result = runner.invoke(app, ["train", str(path), "--model", model, "--fill", "zero",
                                 "--no-anomaly", "--epochs", "2", "--folds", "1",
                                 "--window", "24", "--segment", "4", "--horizon", "6",
                                 "--hidden", "8", "--ensemble", "1"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["predict", "--model", model])
    assert result.exit_code == 0, result.output
    forecast = pd.read_csv(io.StringIO(result.stdout))["forecast"]
    # Anchored on the 0 put in the newest row (--norm last), it forecast 1 to 11.
    assert forecast.between(70, 130).all(), forecast.tolist()


def test_carry_tail_stops_at_the_part_end() -> None:
    values = np.arange(10.0)[:, None]
    observed = np.ones((10, 1), bool)
    observed[4:8] = False
    carry_tail(values, observed, 6, "interpolate")
    assert values[:, 0].tolist() == [0, 1, 2, 3, 3, 3, 6, 7, 8, 9]


def _frame(tmp_path: Path, after: int, shift: float):
    rng = np.random.default_rng(0)
    y = np.cumsum(rng.normal(size=400))
    y[after:] += shift  # only readings at or after the first one after a gap
    keep = np.ones(400, bool)
    keep[GAP] = keep[VAL_GAP] = False
    path = tmp_path / f"walk{after}_{shift:g}.csv"
    pd.DataFrame({"time": pd.date_range("2024-01-01", periods=400, freq="h")[keep],
                  "y": y[keep]}).to_csv(path, index=False)
    frame = load_frame(path, DataSpec())
    return frame, make_grid(frame)


def _inputs_before(ws, end: int) -> np.ndarray:
    """The input rows of every window that ends before ``end`` (one series: rows are
    positions)."""
    x = ws.inputs.numpy()
    return np.stack([x[s:s + ws.window] for s in ws.starts.tolist() if s + ws.window <= end])


@pytest.mark.parametrize("horizon", [6, 0], ids=["forecaster", "reconstructor"])
def test_no_window_reads_a_reading_after_it(tmp_path: Path, horizon: int) -> None:
    st = TrainSettings(window=24, horizon=6, segment=6)
    for after, end, sets in ((210, CUT, ("train", "early")), (260, 260, ("val",))):
        if horizon == 0 and sets == ("val",):
            continue  # the reconstructor reads each validation window both ways
        a, b = (fold_data(*_frame(tmp_path, after, shift), st, 0, CUT, (CUT + 6, 300),
                          horizon=horizon) for shift in (0.0, 1000.0))
        # Training windows end before the cut, and a forecast made inside the validation
        # gap ends before the reading after it: neither may read that reading.
        for name in sets:
            np.testing.assert_array_equal(_inputs_before(getattr(a, name), end),
                                          _inputs_before(getattr(b, name), end))


def test_carried_tail_is_the_tail_of_carried() -> None:
    rng = np.random.default_rng(0)
    for _ in range(300):
        n, c = int(rng.integers(1, 40)), int(rng.integers(1, 4))
        values, observed = rng.normal(size=(n, c)), rng.random((n, c)) > rng.random()
        w = int(rng.integers(1, n + 1))
        np.testing.assert_array_equal(carried_tail(values, observed, "interpolate", w),
                                      carried(values, observed, "interpolate")[-w:])
