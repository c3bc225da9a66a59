"""Point and interval metrics on hand-computed cases."""

from __future__ import annotations

import math

import numpy as np
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


def test_mase_is_relative_to_the_baseline() -> None:
    base = np.array([1.0, 4.0, 4.0])  # MAE 2/3
    assert mase(Y, F, base) == pytest.approx((4 / 3) / (2 / 3))
    assert math.isnan(mase(Y, F, Y))


def test_interval_metrics_by_hand() -> None:
    lo, hi = np.array([0.0, 2.5, 3.0]), np.array([1.5, 3.0, 4.0])
    assert coverage(Y, lo, hi) == pytest.approx(2 / 3)  # 2.0 is outside [2.5, 3]
    assert width(lo, hi) == pytest.approx((1.5 + 0.5 + 1.0) / 3)
    # q = 0.9: under-forecast costs 0.9 per unit, over-forecast 0.1
    assert pinball(np.array([1.0, 1.0]), np.array([0.0, 2.0]), 0.9) == pytest.approx(0.5)


def test_interval_pinball_averages_three_quantiles() -> None:
    y, f = np.array([1.0]), np.array([1.0])
    lo, hi = np.array([0.0]), np.array([3.0])
    # lower q=0.05: 0.05*1; median: 0; upper q=0.95: 0.05*2
    assert interval_pinball(y, f, lo, hi, 90.0) == pytest.approx((0.05 + 0 + 0.1) / 3)


def test_scorecard_has_every_metric() -> None:
    sc = scorecard(Y, F, F - 1, F + 1, Y + 1, 90.0)
    assert set(sc) == {"mae", "rmse", "mse", "mape", "smape", "mase", "coverage", "width",
                       "pinball"}
    assert sc["width"] == pytest.approx(2.0)
