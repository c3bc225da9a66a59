"""The one interval method: residual quantiles scaled by input-window volatility ** 0.5."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from forecaster.bundle import load_bundle
from forecaster.cli import app
from forecaster.pipeline.intervals import (
    VOL_POWER,
    interval_bounds,
    interval_quantiles,
    mean_abs_change,
)


def test_volatility_scaled_quantiles_round_trip() -> None:
    rng = np.random.default_rng(0)
    z = rng.normal(size=(4000, 3, 1))
    vol = rng.uniform(0.5, 4.0, size=(4000, 1, 1))
    q = interval_quantiles([z * vol ** VOL_POWER], [vol])
    lo, hi = interval_bounds(np.zeros((1, 3, 1)), q, 90.0, np.full((1, 1, 1), 4.0))
    # The 5 % / 95 % quantiles of z (about -/+ 1.645), times 4 ** 0.5.
    assert np.allclose(lo, -1.645 * 2, atol=0.15) and np.allclose(hi, 1.645 * 2, atol=0.15)
    assert np.allclose(interval_bounds(np.ones((1, 3, 1)), q, 90.0)[0],
                       1 + interval_bounds(np.zeros((1, 3, 1)), q, 90.0)[0])


def test_mean_abs_change_is_floored() -> None:
    flat = np.zeros((1, 10, 1))
    assert mean_abs_change(flat, 0.01)[0, 0, 0] == 0.01
    steps = np.arange(10.0).reshape(1, 10, 1)
    assert mean_abs_change(steps, 0.01)[0, 0, 0] == 1.0


def test_new_bundles_store_scaled_and_unscaled_quantiles(trained: Path,
                                                         series_csv: Path) -> None:
    bundle = load_bundle(trained)
    assert float(bundle.tensors["intervals.vol_power"][0]) == VOL_POWER
    assert bundle.tensors["intervals.vol_quantiles"].shape == \
        bundle.tensors["intervals.quantiles"].shape
    result = CliRunner().invoke(app, ["predict", "--model", str(trained), "--data",
                                      str(series_csv)])
    assert result.exit_code == 0, result.output
    out = pd.read_csv(io.StringIO(result.stdout))
    assert (out["lower"] <= out["forecast"]).all() and (out["forecast"] <= out["upper"]).all()
    assert (out["upper"] > out["lower"]).any()


def test_few_residual_windows_give_a_band_around_the_forecast() -> None:
    # One validation window used to make every quantile the same residual: lower == upper,
    # beside the forecast (a 0 % band on a 144-row series' backtest).
    r = np.full((1, 3, 1), 5.0)
    lo, hi = interval_bounds(np.zeros((1, 3, 1)), interval_quantiles([r]), 90.0)
    assert (lo < 0).all() and (hi > 0).all()
    np.testing.assert_allclose(-lo, hi, rtol=1e-5)
    many = np.random.default_rng(0).normal(3.0, 1.0, (200, 3, 1))
    lo, hi = interval_bounds(np.zeros((1, 3, 1)), interval_quantiles([many]), 90.0)
    # Enough windows: a biased model's band keeps its offset, stretched to hold the forecast.
    assert (lo == 0).all() and (hi > 4).all()


def test_with_few_windows_each_step_borrows_the_errors_of_all_steps() -> None:
    # Two windows whose second step happened to be almost right: that step's band was
    # almost nothing (the airline passengers' backtest covered 46 % of its 90 % band).
    r = np.array([[[8.0], [0.1], [-9.0]], [[-7.0], [0.2], [10.0]]])
    lo, hi = interval_bounds(np.zeros((1, 3, 1)), interval_quantiles([r]), 90.0)
    assert hi[0, 1, 0] > 6 and lo[0, 1, 0] < -6
    assert hi[0, 2, 0] >= 9  # a step's own larger errors still count
    # With enough windows each step keeps its own errors.
    many = np.random.default_rng(0).normal(0.0, [[3.0], [0.1], [3.0]], (200, 3, 1))
    _, hi = interval_bounds(np.zeros((1, 3, 1)), interval_quantiles([many]), 90.0)
    assert hi[0, 1, 0] < 0.5


def test_window_volatility_equals_mean_abs_change_of_each_window() -> None:
    from forecaster.data.loading import Frame, Series
    from forecaster.data.scaling import Scaler
    from forecaster.data.spec import DataSpec
    from forecaster.pipeline.intervals import window_volatility

    rng = np.random.default_rng(1)
    series = [Series(name, pd.date_range("2024-01-01", periods=n, freq="h", tz="UTC"),
                     rng.normal(size=(n, 3)).cumsum(axis=0).astype(np.float32),
                     np.ones((n, 3), dtype=bool)) for name, n in (("a", 300), ("b", 200))]
    frame = Frame(series, DataSpec(targets=["x", "y"], features=["f"]), "h", 0)
    scalers = [Scaler.from_dict({"mean": [0.0] * 3, "scale": [2.0, 0.5, 1.0]}) for _ in series]
    origins = np.array([[0, 24], [1, 199], [0, 300], [1, 24], [0, 150]])
    for scaled in (False, True):
        got = window_volatility(frame, origins, 24, scalers, scaled)
        for row, (i, end) in enumerate(origins):
            x = series[i].values[end - 24:end, :2].astype(np.float64)
            scale = np.array([2.0, 0.5])
            want = mean_abs_change((x / scale if scaled else x)[None], 0.0)[0]
            assert np.allclose(got[row], want, rtol=1e-9), (row, scaled)


def test_the_band_always_holds_the_point_forecast() -> None:
    from forecaster.metrics import QUANTILE_GRID
    from forecaster.pipeline.intervals import interval_offsets

    # Step 1: every held-out residual positive (the model under-forecast); step 2: centred;
    # target 2 never observed (NaN quantiles: no interval).
    centred = np.linspace(-1.0, 1.0, len(QUANTILE_GRID))
    q = np.stack([np.stack([centred + 2.0, np.full_like(centred, np.nan)], axis=1),
                  np.stack([centred, np.full_like(centred, np.nan)], axis=1)], axis=1)
    lo, hi = interval_offsets(q, 90.0)  # (horizon, targets)
    assert lo[0, 0] == 0.0 and hi[0, 0] > 2.5
    assert lo[1, 0] < 0 < hi[1, 0]
    assert np.isnan(lo[:, 1]).all() and np.isnan(hi[:, 1]).all()


def test_train_warns_when_few_out_of_fold_windows_calibrate_the_intervals(
        tmp_path: Path, series_csv: Path) -> None:
    # Shampoo's 36 months left 1 validation window per fold: the band's width was a
    # guess (558, 288, 841 over three months) and nothing said so.
    months = pd.DataFrame({"month": pd.date_range("2001-01-01", periods=40, freq="MS"),
                           "sales": 100 + 3.0 * np.arange(40)})
    short = tmp_path / "short.csv"
    months.to_csv(short, index=False)
    tiny = ["--epochs", "2", "--hidden", "8", "--window", "6", "--horizon", "3", "--folds",
            "2", "--ensemble", "1", "--no-anomaly"]
    result = CliRunner().invoke(app, ["train", str(short), "--model", str(tmp_path / "s"),
                                      *tiny])
    assert result.exit_code == 0, result.output
    assert "Warning: the prediction intervals rest on 8 out-of-fold window(s)" in result.stderr
    result = CliRunner().invoke(app, ["train", str(series_csv), "--model",
                                      str(tmp_path / "m"), *tiny])
    assert result.exit_code == 0, result.output
    assert "prediction intervals rest on" not in result.stderr
