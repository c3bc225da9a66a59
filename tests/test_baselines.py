"""Baselines and the fitted exponential smoothing on hand-computed cases."""

from __future__ import annotations

import numpy as np
import pytest

from forecaster.baselines import drift, ets, naive, season_length, seasonal_naive
from forecaster.ets import EtsParams, ets_forecast, fit_ets, run_filter

Y = np.array([1.0, 2.0, 3.0, 10.0, 20.0, 30.0])


def test_naive_repeats_the_last_value_before_the_origin() -> None:
    out = naive(Y, np.array([3, 6]), 2)
    np.testing.assert_array_equal(out, [[3.0, 3.0], [30.0, 30.0]])


def test_seasonal_naive_repeats_the_last_season() -> None:
    # origin 6, season 3: last season is 10, 20, 30
    out = seasonal_naive(Y, np.array([6]), 5, 3)
    np.testing.assert_array_equal(out, [[10.0, 20.0, 30.0, 10.0, 20.0]])


def test_seasonal_naive_with_less_than_a_season_before_the_origin() -> None:
    # origin 2, season 4: y[0], y[1] are two steps of the last season; the phases with
    # no season before them take the last value (they repeated y[0], the clipped row).
    y = np.array([5.0, 7.0, 1.0, 2.0, 3.0, 4.0, 9.0, 9.0])
    out = seasonal_naive(y, np.array([2]), 4, 4)
    np.testing.assert_array_equal(out, [[7.0, 7.0, 5.0, 7.0]])


def test_drift_extends_the_first_to_last_line() -> None:
    # origin 4: first 1, last 10 over 3 steps -> slope 3
    np.testing.assert_allclose(drift(Y, np.array([4]), 2), [[13.0, 16.0]])


def test_baselines_keep_channels() -> None:
    y2 = np.stack([Y, -Y], axis=1)
    assert naive(y2, np.array([3]), 4).shape == (1, 4, 2)
    assert drift(y2, np.array([3]), 4)[0, 0, 1] == pytest.approx(-4.0)


def test_season_length_from_frequency() -> None:
    assert season_length("h") == 24
    assert season_length("ns") == season_length("100ms") == 1  # step numbers, kHz data
    assert season_length("15min") == 96
    assert season_length("D") == 7


def test_ets_filter_by_hand() -> None:
    # no season, alpha 1: the level is the last value, trend starts at the first slope
    p = EtsParams(alpha=1.0, beta=0.0, gamma=0.0, phi=0.5, season=1)
    y = np.array([1.0, 2.0, 3.0])
    level, trend, _, _ = run_filter(y, p)
    np.testing.assert_allclose(level, y)
    # trend: initial (3 - 1) / 2 = 1, damped by 0.5 each step
    np.testing.assert_allclose(trend, [0.5, 0.25, 0.125])
    # forecast from origin 3: 3 + 0.125 * (0.5, 0.5 + 0.25)
    np.testing.assert_allclose(ets_forecast(y, p, np.array([3]), 2), [[3.0625, 3.09375]])


def test_ets_seasonal_terms_are_reused_one_season_later() -> None:
    p = EtsParams(alpha=0.0, beta=0.0, gamma=0.0, phi=0.9, season=2)
    y = np.array([1.0, 3.0, 1.0, 3.0, 1.0, 3.0])
    f = ets_forecast(y, p, np.array([6]), 4)
    np.testing.assert_allclose(f, [[1.0, 3.0, 1.0, 3.0]])


def test_ets_fits_a_seasonal_series_and_uses_only_the_past() -> None:
    t = np.arange(24 * 12)
    y = 10 + 3 * np.sin(2 * np.pi * t / 24) + 0.01 * t
    p = fit_ets(y[:200], 24)
    assert p.season == 24
    f = ets(y, np.array([200, 240]), 24, 24, fit_lo=0, fit_hi=200)
    truth = np.stack([y[200:224], y[240:264]])
    assert np.abs(f - truth).mean() < 0.3
    changed = y.copy()
    changed[240:] += 100  # the future of origin 240 must not matter
    np.testing.assert_allclose(ets(changed, np.array([240]), 24, 24, 0, 200), f[1:])


def test_ets_fit_is_not_stuck_at_the_naive_forecast() -> None:
    # Airline-like (trend, a season growing with it). A single fixed start ended here at
    # alpha -> 1, gamma -> 0 (the last value, season ignored): 2.4 times the sum of
    # squares of a plain grid point.
    t = np.arange(144)
    season = 1 + 0.22 * np.sin(2 * np.pi * (t % 12 - 3) / 12) + 0.08 * np.sin(np.pi * (t % 12) / 3)
    noise = 1 + 0.02 * np.random.default_rng(0).standard_normal(144)
    y = np.round(112 * np.exp(0.0105 * t) * season * noise)[:115]
    p = fit_ets(y, 12)
    grid = EtsParams(0.2, 0.2 * 0.1, 0.8 * 0.9, 0.98, 12)
    assert p.season == 12 and run_filter(y, p)[3] <= run_filter(y, grid)[3]


def _office_power(n: int) -> np.ndarray:
    """15-minute power demand: a working-day hump, flat weekends, noise (Malhotra et al.)."""
    t = np.arange(n)
    hour, weekday = (t % 96) / 4, (t // 96) % 7 < 5
    hump = np.clip((hour - 7) / 1.5, 0, 1) * np.clip((18 - hour) / 1.5, 0, 1)
    return 680 + np.where(weekday, 1000 * hump, 0) + 25 * np.random.default_rng(5).normal(size=n)


def test_ets_on_a_long_file_stays_near_the_data() -> None:
    # Fitted on the last 3,000 steps and run from the first of 30,000, the filter drifted
    # (forecasts from -1475 for a series never under 600; MAE 8 x seasonal naive's).
    y = _office_power(30_000)
    origins = np.arange(24_000, 29_900, 96)
    actual = y[origins[:, None] + np.arange(96)]
    fc = ets(y, origins, 96, 96, fit_lo=0, fit_hi=24_000)
    snaive = seasonal_naive(y, origins, 96, 96)
    assert fc.min() > 0.5 * y.min()
    assert np.abs(fc - actual).mean() < 2 * np.abs(snaive - actual).mean()


@pytest.mark.parametrize("params", [EtsParams(0.7887, 0.233, 0.0796, 0.8, 96),
                                    EtsParams(0.5, 0.4, 0.45, 0.98, 12)])
def test_inadmissible_parameters_are_told_apart(params: EtsParams) -> None:
    from forecaster.ets import admissible

    assert not admissible(params)  # a root of 1.0001 (the power-demand fit); a wide swing
    assert admissible(EtsParams(0.3, 0.01, 0.1, 0.9, params.season))
    assert admissible(EtsParams(0.8, 0.5, 0.0, 0.9, 1))
