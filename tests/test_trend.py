"""Per-window normalisation lets a rising series be forecast above its training range."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
from conftest import make_series
from typer.testing import CliRunner

from forecaster.bundle import load_bundle
from forecaster.cli import app


def test_rising_series_keeps_rising(tmp_path: Path) -> None:
    csv = tmp_path / "rising.csv"
    data = make_series(n=600, slope=0.05, seed=3, amplitude=0.5)
    data.to_csv(csv, index=False)
    runner = CliRunner()
    model = tmp_path / "m"
    result = runner.invoke(app, ["train", str(csv), "--model", str(model), "--no-anomaly",
                                 "--window", "48", "--segment", "12", "--horizon", "24",
                                 "--hidden", "16", "--layers", "1", "--epochs", "25",
                                 "--folds", "1", "--seed", "0"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["predict", "--model", str(model)])
    assert result.exit_code == 0, result.output
    fc = pd.read_csv(io.StringIO(result.stdout))["forecast"].to_numpy()
    top = data["value"].max()
    # The series gains 1.2 over 24 steps; the forecast must climb past anything seen,
    # which a model scaled by training statistics alone tends not to do.
    assert fc[-1] > top + 0.5
    assert fc[-12:].mean() > fc[:12].mean()


def meter(n: int = 600, level: float = 123456789.0, seed: int = 0) -> pd.DataFrame:
    """An hourly meter reading: a daily consumption pattern summed onto a large level."""
    rng = np.random.default_rng(seed)
    use = 50 + 20 * np.sin(2 * np.pi * np.arange(n) / 24) + rng.normal(0, 2, n)
    return pd.DataFrame({"timestamp": pd.date_range("2025-01-01", periods=n, freq="h"),
                         "meter_kwh": np.round(level + np.cumsum(use), 1)})


def test_a_meter_is_forecast_by_its_steps(tmp_path: Path) -> None:
    csv, model = tmp_path / "meter.csv", tmp_path / "m"
    data = meter()
    data.iloc[:-24].to_csv(csv, index=False)
    runner = CliRunner()
    result = runner.invoke(app, ["train", str(csv), "--model", str(model), "--no-anomaly",
                                 "--window", "48", "--segment", "12", "--horizon", "24",
                                 "--hidden", "16", "--epochs", "15", "--folds", "1",
                                 "--ensemble", "1"])
    assert result.exit_code == 0, result.output
    assert "forecasting its step changes (--norm diff" in result.stderr
    assert load_bundle(model).meta["forecaster"]["config"]["norm"] == "diff"
    result = runner.invoke(app, ["predict", "--model", str(model)])
    assert result.exit_code == 0, result.output
    fc = pd.read_csv(io.StringIO(result.stdout))["forecast"].to_numpy()
    truth = data["meter_kwh"].to_numpy()[-24:]
    # A day's use is about 1,200 kWh. Forecast as levels (--norm last) this small model
    # missed by up to 398 kWh; forecast by its steps, by up to 187.
    assert np.abs(fc - truth).max() < 250, (fc - truth)
    rise = truth[-1] - truth[0]
    assert abs((fc[-1] - fc[0]) - rise) < 0.3 * rise
    # A meter never reads below its last value: even a wide band's lower bound holds there,
    # and every column climbs from step to step.
    result = runner.invoke(app, ["predict", "--model", str(model), "--level", "99"])
    assert result.exit_code == 0, result.output
    wide = pd.read_csv(io.StringIO(result.stdout))
    assert load_bundle(model).meta["forecaster"]["counters"] == {"": {"meter_kwh": 1}}
    info = runner.invoke(app, ["info", "--model", str(model), "--format", "json"])
    assert json.loads(info.stdout)["data"]["counters"] == {"": {"meter_kwh": 1}}
    assert (wide["lower"] >= data["meter_kwh"].iloc[-25]).all()
    assert all((np.diff(wide[c]) >= 0).all() for c in ("lower", "forecast", "upper"))
    # Months later the reading lies far above the training range: no "data drift" for a
    # model of step changes, and --strict does not refuse it.
    later = tmp_path / "later.csv"
    meter(n=3000).to_csv(later, index=False)
    result = runner.invoke(app, ["predict", "--model", str(model), "--data", str(later),
                                 "--strict"])
    assert result.exit_code == 0, result.output
    assert "drift" not in result.stderr
    # detect-anomalies scores a meter by its forecaster's residuals (the bundle has no
    # anomaly model at all here): quiet on the ordinary rows, a jump flagged at its step.
    result = runner.invoke(app, ["detect-anomalies", "--model", str(model), "--data",
                                 str(later), "--last", "200", "--events"])
    assert result.exit_code == 0, result.output
    jumped = meter(n=3000)
    jumped.loc[2950:, "meter_kwh"] += 500.0  # ten hours' use in one step
    jumped.to_csv(later, index=False)
    result = runner.invoke(app, ["detect-anomalies", "--model", str(model), "--data",
                                 str(later), "--last", "200", "--events"])
    assert result.exit_code == 1, result.output
    events = pd.read_csv(io.StringIO(result.stdout), parse_dates=["start"])
    assert events["start"].tolist() == [pd.Timestamp(jumped["timestamp"][2950], tz="UTC")]
    # A new meter: readings restart near 0. The forecast would start from the old meter's
    # habits: a warning, and --strict refuses it.
    swapped = meter(n=700)
    swapped.loc[650:, "meter_kwh"] -= swapped["meter_kwh"][650] - 10.0
    swapped.to_csv(later, index=False)
    result = runner.invoke(app, ["predict", "--model", str(model), "--data", str(later)])
    assert result.exit_code == 0, result.output
    assert "far below anything it read in training" in result.stderr
    result = runner.invoke(app, ["predict", "--model", str(model), "--data", str(later),
                                 "--strict"])
    assert result.exit_code == 65 and "a meter swapped or reset? retrain" in result.stderr


def test_the_counter_choice_reads_only_rows_before_the_first_validation_row() -> None:
    from forecaster.config import TrainSettings
    from forecaster.data.loading import Frame, Series
    from forecaster.data.spec import DataSpec
    from forecaster.pipeline.shape import resolve_norm

    def frame(values: np.ndarray) -> Frame:
        idx = pd.date_range("2025-01-01", periods=len(values), freq="h", tz="UTC")
        s = Series("", idx, values[:, None], np.ones((len(values), 1), bool))
        return Frame([s], DataSpec(targets=["meter_kwh"]), "h", 0)

    values = meter(n=200)["meter_kwh"].to_numpy()
    noisy = values.copy()
    noisy[90:] = values[90] + np.random.default_rng(0).normal(0, 50, 110)  # a sensor from 90 on
    st, at = TrainSettings(), np.array([0])
    assert resolve_norm(st, frame(noisy), at, 80, 200).norm == "diff"  # rows 0-79 only
    assert resolve_norm(st, frame(noisy), at, 200, 200).norm == "last"  # rows 0-99
    swapped = values.copy()
    swapped[150:] -= values[150] - 5.0  # a new meter from row 150: one change against the rise
    assert resolve_norm(st, frame(swapped), at, 200, 400).norm == "diff"
    assert resolve_norm(TrainSettings(norm="revin"), frame(values), at, 80, 200).norm == "revin"


def test_drift_skips_a_counters_levels_but_not_its_features() -> None:
    from types import SimpleNamespace

    from forecaster.data.loading import Frame, Series
    from forecaster.data.spec import DataSpec
    from forecaster.pipeline.drift import drift_problems

    idx = pd.date_range("2025-01-01", periods=10, freq="h", tz="UTC")
    values = np.column_stack([np.full(10, 1e8), np.full(10, 1e6)])  # both far off
    frame = Frame([Series("", idx, values, np.ones((10, 2), bool))],
                  DataSpec(targets=["meter"], features=["temp"]), "h", 0)

    def bundle(norm: str) -> SimpleNamespace:
        return SimpleNamespace(meta={"scalers": {"": {"mean": [0.0, 10.0], "scale": [1.0, 1.0]}},
                                     "forecaster": {"config": {"norm": norm}}})

    assert [p.split("'")[1] for p in drift_problems(bundle("diff"), frame, 5)] == ["temp"]
    assert len(drift_problems(bundle("last"), frame, 5)) == 2


def test_counters_held_at_their_last_reading_only_when_they_never_go_back() -> None:
    from forecaster.data.loading import Frame, Series
    from forecaster.data.spec import DataSpec
    from forecaster.pipeline.evaluation import counter_directions, hold_counters, is_counter

    def frame(*columns: np.ndarray) -> Frame:
        idx = pd.date_range("2025-01-01", periods=len(columns[0]), freq="h", tz="UTC")
        values = np.stack(columns, axis=1)
        s = Series("", idx, values, np.ones(values.shape, bool))
        return Frame([s], DataSpec(targets=[f"t{i}" for i in range(len(columns))]), "h", 0)

    n = 288 * 10  # ten days every 5 minutes
    rising = meter(n=n)["meter_kwh"].to_numpy()
    swapped = rising.copy()
    swapped[300:] -= rising[300] - 5.0  # one meter swap: still held
    # "Energy today" resets every midnight: 9 falls in 2,879 changes, few enough to be
    # forecast by its steps (is_counter), too many to be held at its last reading.
    daily = np.tile(np.cumsum(np.full(288, 2.0)), 10)
    level = 100 + np.sin(np.arange(n) / 5.0)
    columns = (rising, swapped, -rising, daily, level)
    dirs = counter_directions(frame(*columns), np.array([0]), 0, n)
    assert dirs.tolist() == [[1, 1, -1, 0, 0]]  # (series, targets)
    assert is_counter(frame(daily), np.array([0]), 0, n)
    fc = np.array([[[10.0, 10.0], [9.0, 12.0], [11.0, 8.0]]])  # (windows, horizon, targets)
    held = hold_counters(fc, np.array([[[10.5, 10.5]]]), np.array([[1, -1]]))
    assert held[0, :, 0].tolist() == [10.5, 10.5, 11.0]  # never under the last, never falling
    assert held[0, :, 1].tolist() == [10.0, 10.0, 8.0]


def test_backtest_holds_a_meter_at_each_origins_last_reading(tmp_path: Path) -> None:
    csv, out = tmp_path / "meter.csv", tmp_path / "bt.csv"
    meter(n=400).to_csv(csv, index=False)
    res = CliRunner().invoke(app, ["backtest", str(csv), "--epochs", "1", "--hidden", "4",
                                   "--window", "24", "--segment", "6", "--horizon", "6",
                                   "--start", "0.85", "--level", "99", "--ensemble", "1",
                                   "--output", str(out), "-q"])
    assert res.exit_code == 0, res.output
    table = pd.read_csv(out)
    assert (table[["lower", "forecast", "upper"]].min(axis=1) >= table["naive"]).all()
    steps = table.sort_values(["origin", "step"]).groupby("origin")["lower"]
    assert steps.apply(lambda x: (np.diff(x) >= 0).all()).all()


def test_a_meter_is_held_beside_a_series_that_is_not(tmp_path: Path) -> None:
    # Two sites in one long file: one meter, one temperature. Decided across both, the
    # meter was not held, and its forecast fell below its own last reading.
    csv, model = tmp_path / "sites.csv", tmp_path / "m"
    site = meter(n=400).assign(site="m1").rename(columns={"meter_kwh": "v"})
    t = np.arange(400)
    temp = site.assign(site="t1", v=20 + 5 * np.sin(2 * np.pi * t / 24))
    pd.concat([site, temp]).to_csv(csv, index=False)
    res = CliRunner().invoke(app, ["train", str(csv), "--model", str(model), "--series-col",
                                   "site", "--epochs", "1", "--hidden", "4", "--window", "24",
                                   "--segment", "6", "--horizon", "6", "--folds", "1",
                                   "--ensemble", "1", "--no-anomaly"])
    assert res.exit_code == 0, res.output
    assert load_bundle(model).meta["forecaster"]["counters"] == {"m1": {"v": 1}}
    res = CliRunner().invoke(app, ["predict", "--model", str(model), "--level", "99"])
    assert res.exit_code == 0, res.output
    fc = pd.read_csv(io.StringIO(res.stdout))
    m1 = fc[fc["series"] == "m1"]
    assert (m1[["lower", "forecast", "upper"]].min(axis=1) >= site["v"].iloc[-1]).all()
    assert (fc[fc["series"] == "t1"]["lower"] < 20).any()  # the temperature is not held
