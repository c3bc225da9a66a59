"""The step inferred from rows that stray a little from it: a few weekend sessions among
business days, one-minute scrapes a few milliseconds late or early."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from forecaster.cli import app
from forecaster.data.loading import load_frame
from forecaster.data.spec import DataSpec

runner = CliRunner()
FAST = ["--folds", "0", "--epochs", "1", "--ensemble", "1", "--hidden", "4", "--no-anomaly"]


def _closes(path: Path, days: pd.DatetimeIndex) -> Path:
    rng = np.random.default_rng(0)
    pd.DataFrame({"Date": days.strftime("%Y-%m-%d"),
                  "Close": 100 + np.cumsum(rng.normal(0, 1, len(days)))}).to_csv(path, index=False)
    return path


def test_two_saturday_sessions_leave_business_days_business_days(tmp_path: Path) -> None:
    # 300 weekday closes and 2 Saturday sessions were read as calendar days: a third of
    # the grid (every weekend) filled in, and predict forecast Saturdays and Sundays.
    days = pd.bdate_range("2023-01-02", periods=300).union(
        pd.DatetimeIndex(["2023-03-04", "2023-09-16"]))
    path = _closes(tmp_path / "close.csv", days)
    model = tmp_path / "m"
    result = runner.invoke(app, ["train", str(path), "--model", str(model), *FAST])
    assert result.exit_code == 0, result.output
    assert "dropped 2 row(s) off the 'B' grid, first at 2023-03-04" in result.output
    assert "filled" not in result.output
    result = runner.invoke(app, ["predict", "--model", str(model)])
    assert result.exit_code == 0, result.output
    stamps = pd.to_datetime(pd.read_csv(io.StringIO(result.stdout))["timestamp"])
    assert not (stamps.dt.day_of_week >= 5).any()


def test_many_weekend_rows_stay_calendar_days(tmp_path: Path) -> None:
    # Weekend rows beyond the share dropped off any grid (1 %), or any in a short file,
    # are data: the grid stays daily.
    weekdays = pd.bdate_range("2023-01-02", periods=300)
    many = weekdays.union(pd.date_range("2023-01-07", periods=5, freq="7D"))
    assert load_frame(_closes(tmp_path / "a.csv", many), DataSpec()).freq == "D"
    short = pd.bdate_range("2023-01-02", periods=60).union(pd.DatetimeIndex(["2023-01-07"]))
    assert load_frame(_closes(tmp_path / "b.csv", short), DataSpec()).freq == "D"
