"""``detect-anomalies --method forecast --lead``: residuals of forecasts made far ahead show a
context anomaly (a 'holiday' with no daily cycle) that one-step residuals follow."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from forecaster.cli import app

runner = CliRunner()
HOLIDAY = pd.Timestamp("2024-02-20", tz="UTC")


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import torch

    torch.set_num_threads(1)
    root = tmp_path_factory.mktemp("lead")
    t = pd.date_range("2024-01-01", periods=24 * 70, freq="h", tz="UTC")
    rng = np.random.default_rng(0)
    y = 10 + 5 * np.sin(2 * np.pi * t.hour.to_numpy() / 24) + rng.normal(0, 0.3, len(t))
    holiday = (t >= HOLIDAY) & (t < HOLIDAY + pd.Timedelta(days=1))
    y[holiday] = 10 + rng.normal(0, 0.3, holiday.sum())  # no daily cycle that day
    pd.DataFrame({"timestamp": t, "load": y}).to_csv(root / "load.csv", index=False)
    model = root / "m"
    result = runner.invoke(app, ["train", str(root / "load.csv"), "--model", str(model),
                                 "--no-anomaly", "--window", "48", "--segment", "24",
                                 "--horizon", "24", "--epochs", "8", "--ensemble", "1",
                                 "--hidden", "16", "--layers", "1"])
    assert result.exit_code == 0, result.output
    return model


def _holiday_score(model: Path, *extra: str) -> float:
    result = runner.invoke(app, ["detect-anomalies", "--model", str(model), "--method",
                                 "forecast", "--exit-zero", *extra])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(io.StringIO(result.stdout), parse_dates=["timestamp"])
    day = (table["timestamp"] >= HOLIDAY) & (table["timestamp"] < HOLIDAY + pd.Timedelta(days=1))
    rest = table.loc[~day, "score"]
    return float(table.loc[day, "score"].mean() / rest.abs().mean())


def test_far_ahead_residuals_show_the_holiday_more_than_one_step(model: Path) -> None:
    one_step = _holiday_score(model)
    day_ahead = _holiday_score(model, "--lead", "horizon")
    assert day_ahead > 2 * one_step and day_ahead > 3, (one_step, day_ahead)


def test_far_ahead_residuals_flag_the_holiday(model: Path) -> None:
    result = runner.invoke(app, ["detect-anomalies", "--model", str(model), "--method",
                                 "forecast", "--lead", "24", "--threshold", "std", "--k", "4",
                                 "--events"])
    assert result.exit_code == 1, result.output
    ev = pd.read_csv(io.StringIO(result.stdout), parse_dates=["start", "end"])
    end = HOLIDAY + pd.Timedelta(days=1)
    assert ((ev["start"] < end) & (ev["end"] >= HOLIDAY)).any(), ev


@pytest.mark.parametrize(("extra", "needle"), [
    (["--method", "reconstruction", "--lead", "3"], "applies to --method forecast only"),
    (["--method", "forecast", "--lead", "0"], "expected a number of steps from 1"),
    (["--method", "forecast", "--lead", "25"], "looks 24 step(s) ahead"),
    # Options the run's rule does not read changed nothing, silently.
    (["--method", "forecast", "--threshold", "dynamic"], "not the residual series"),
    (["--method", "forecast", "--q", "0.9"], "--q 0.9: only the quantile rule reads it"),
    (["--method", "forecast", "--threshold", "quantile", "--k", "3"],
     "--k 3: only the std and telemanom rules read it"),
])
def test_lead_errors_are_one_line(model: Path, extra: list[str], needle: str) -> None:
    result = runner.invoke(app, ["detect-anomalies", "--model", str(model), *extra])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert needle in result.stderr


def test_forecast_residuals_are_judged_alike_with_or_without_an_anomaly_model(
        tmp_path: Path, series_csv: Path) -> None:
    # The same forecaster: --method forecast took k = 8 from the reconstruction model's
    # record when there was one, and k = 4 when trained with --no-anomaly.
    from conftest import TINY

    with_model = [a for a in TINY if a != "--no-anomaly"] + ["--anomaly-window", "16",
                                                             "--anomaly-epochs", "1"]
    lines = []
    for name, flags in (("with", with_model), ("without", TINY)):
        model = tmp_path / name
        result = runner.invoke(app, ["train", str(series_csv), "--model", str(model), *flags])
        assert result.exit_code == 0, result.output
        result = runner.invoke(app, ["detect-anomalies", "--model", str(model), "--method",
                                     "forecast", "--threshold", "std", "--exit-zero"])
        assert result.exit_code == 0, result.output
        lines.append(pd.read_csv(io.StringIO(result.stdout))["threshold"].iloc[0])
    assert lines[0] == lines[1] == 8.0
