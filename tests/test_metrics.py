"""Point and interval metrics on hand-computed cases."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from forecaster.metrics import (
    coverage,
    interval_pinball,
    mae,
    mape,
    mase,
    mse,
    pinball,
    rmse,
    scorecard,
    smape,
    width,
)

Y = np.array([1.0, 2.0, 4.0])
F = np.array([2.0, 2.0, 1.0])  # errors -1, 0, 3


def test_point_metrics_by_hand() -> None:
    assert mae(Y, F) == pytest.approx(4 / 3)
    assert mse(Y, F) == pytest.approx(10 / 3)
    assert rmse(Y, F) == pytest.approx(math.sqrt(10 / 3))
    # |1-2|/1 + 0 + |4-1|/4 = 1 + 0.75 -> mean 1.75/3, in percent
    assert mape(Y, F) == pytest.approx(100 * 1.75 / 3)
    # 2*1/3 + 0 + 2*3/5
    assert smape(Y, F) == pytest.approx(100 * (2 / 3 + 6 / 5) / 3)


def test_mape_skips_zero_actuals_and_smape_zero_pairs() -> None:
    assert mape(np.array([0.0, 2.0]), np.array([5.0, 1.0])) == pytest.approx(50.0)
    assert math.isnan(mape(np.zeros(3), np.ones(3)))
    assert smape(np.array([0.0, 1.0]), np.array([0.0, 1.0])) == 0.0


def test_mase_divides_each_error_by_its_in_sample_scale() -> None:
    # Hyndman and Koehler: the scale is the training rows' seasonal-naive MAE, per series.
    scale = np.array([0.5, 2.0, 2.0])
    errors = np.abs(Y - F)
    assert mase(Y, F, scale) == pytest.approx(np.mean(errors / scale))
    # A series whose training part was constant has no scale: left out, not the whole.
    assert mase(Y, F, np.array([0.5, 0.0, 2.0])) == pytest.approx((1 / 0.5 + 3 / 2.0) / 2)
    assert mase(Y, F, np.array([0.5, np.nan, 2.0])) == pytest.approx((1 / 0.5 + 3 / 2.0) / 2)
    assert math.isnan(mase(Y, F, np.zeros(3)))


def test_mase_scales_are_the_in_sample_seasonal_naive_mae(tmp_path) -> None:
    from forecaster.data.loading import load_frame
    from forecaster.data.spec import DataSpec
    from forecaster.pipeline.evaluation import mase_scales

    t = np.arange(60)
    y = (t % 4) * 2.0 + t  # season 4: each value 4 more than a season before
    y[10] = np.nan  # a filled step takes no part
    path = tmp_path / "s.csv"
    pd.DataFrame({"time": pd.date_range("2024-01-01", periods=60, freq="h"),
                  "y": y}).to_csv(path, index=False)
    frame = load_frame(path, DataSpec())
    assert mase_scales(frame, np.array([0]), 0, 40, 4)[0, 0] == pytest.approx(4.0)
    # One pair a season apart is enough (6 rows of season 4: 240 rows of season 144 were
    # scaled by the one-step change, 8 times smaller).
    assert mase_scales(frame, np.array([0]), 0, 6, 4)[0, 0] == pytest.approx(4.0)
    # No more rows than a season: one-step changes (1, 1, 1).
    assert mase_scales(frame, np.array([0]), 0, 4, 4)[0, 0] == pytest.approx(
        np.mean(np.abs(np.diff(y[:4]))))


def test_interval_metrics_by_hand() -> None:
    lo, hi = np.array([0.0, 2.5, 3.0]), np.array([1.5, 3.0, 4.0])
    assert coverage(Y, lo, hi) == pytest.approx(2 / 3)  # 2.0 is outside [2.5, 3]
    # A bound on its actual but for float32 rounding covers it; one a 7th digit off does not.
    y = np.array([18.0, 18.0, 0.0, -5.0])
    assert coverage(y, y - 1, np.array([17.99999998, 18.0, 0.0, -5.000000001])) == 1.0
    assert coverage(y, y - 1, np.array([17.99999, 18.0, 0.0, -5.0])) == 0.75
    assert width(lo, hi) == pytest.approx((1.5 + 0.5 + 1.0) / 3)
    # q = 0.9: under-forecast costs 0.9 per unit, over-forecast 0.1
    assert pinball(np.array([1.0, 1.0]), np.array([0.0, 2.0]), 0.9) == pytest.approx(0.5)


def test_interval_pinball_averages_three_quantiles() -> None:
    y, f = np.array([1.0]), np.array([1.0])
    lo, hi = np.array([0.0]), np.array([3.0])
    # lower q=0.05: 0.05*1; median: 0; upper q=0.95: 0.05*2
    assert interval_pinball(y, f, lo, hi, 90.0) == pytest.approx((0.05 + 0 + 0.1) / 3)


def test_scorecard_has_every_metric() -> None:
    sc = scorecard(Y, F, F - 1, F + 1, np.ones_like(Y), 90.0)
    assert set(sc) == {"mae", "rmse", "mse", "mape", "smape", "mase", "coverage", "width",
                       "pinball"}
    assert sc["width"] == pytest.approx(2.0)


def test_a_negligible_scale_is_judged_against_its_own_series(tmp_path) -> None:
    # Judged against all series' actuals at once, a series near 0.002 beside one near 1e7
    # fell out of the overall MASE while its own MASE kept it.
    from forecaster.data.loading import load_frame
    from forecaster.data.spec import DataSpec
    from forecaster.pipeline.evaluation import mase_scales
    from forecaster.pipeline.prepare import make_grid

    t = np.arange(48)
    stamps = pd.date_range("2024-01-01", periods=48, freq="h")
    parts = [pd.DataFrame({"time": stamps, "id": name, "y": y}) for name, y in (
        ("tiny", 0.002 + 1e-4 * np.sin(t)), ("huge", 1e7 + 1e5 * np.sin(t)),
        ("flat", np.full(48, 1e13) + (t % 2) * 1e-3))]  # changes float64 cannot tell apart
    pd.concat(parts).to_csv(tmp_path / "s.csv", index=False)
    frame = load_frame(tmp_path / "s.csv", DataSpec(series_col="id"))
    scales = mase_scales(frame, np.asarray(make_grid(frame).offsets), 0, 48, 4)
    names = [s.name for s in frame.series]
    assert np.isfinite(scales[names.index("tiny"), 0]) and np.isfinite(
        scales[names.index("huge"), 0])
    assert np.isnan(scales[names.index("flat"), 0])
    # The overall MASE keeps the tiny series' points: (2 + 1) / 2, not the huge one's 1.
    from forecaster.metrics import mase

    y = np.array([0.002, 1e7])
    assert mase(y, y + np.array([2e-4, 1e5]), np.array([1e-4, 1e5])) == pytest.approx(1.5)


def test_a_season_whose_pairs_were_filled_in_falls_back_to_one_step(tmp_path) -> None:
    # 6 rows of season 4 with rows 4 and 5 filled: no pair a season apart observed, and
    # MASE showed - where the one-step scale exists.
    from forecaster.data.loading import load_frame
    from forecaster.data.spec import DataSpec
    from forecaster.pipeline.evaluation import mase_scales

    y = np.array([1.0, 3.0, 2.0, 5.0, np.nan, np.nan, 4.0, 6.0])
    pd.DataFrame({"time": pd.date_range("2024-01-01", periods=8, freq="h"),
                  "y": y}).to_csv(tmp_path / "s.csv", index=False)
    frame = load_frame(tmp_path / "s.csv", DataSpec())
    assert mase_scales(frame, np.array([0]), 0, 6, 4)[0, 0] == pytest.approx(
        np.mean(np.abs(np.diff(y[:4]))))

