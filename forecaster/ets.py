"""A cheap fitted baseline: damped additive Holt-Winters (ETS(A,Ad,A) / ETS(A,Ad,N)).

Parameters are fitted by least squares (scipy's L-BFGS-B) on a training part only; the
fitted filter then runs over the whole series with those parameters fixed, so the state at
an origin ``t`` depends on rows ``[start, t)`` only. NumPy and SciPy, no other dependency.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import product

import numpy as np

# Fitting on the last few thousand steps keeps a fit under a few seconds on long files.
MAX_FIT_STEPS = 3000
PHI_BOUNDS = (0.8, 0.98)
# Seasons up to a week of hours or a day of 10-minute rows get the full stability test:
# the roots of a degree-m polynomial take ms at 200, seconds at 400 (2 cores).
MAX_ROOTS_SEASON = 200


@dataclass(frozen=True)
class EtsParams:
    """Smoothing parameters and the season length (1: no seasonal component).

    Attributes:
        alpha: level smoothing.
        beta: trend smoothing.
        gamma: seasonal smoothing (0 without a season).
        phi: trend damping.
        season: season length in steps.
    """

    alpha: float
    beta: float
    gamma: float
    phi: float
    season: int


def initial_state(y: np.ndarray, m: int) -> tuple[float, float, np.ndarray]:
    """Level, trend and ``m`` seasonal terms from the first two seasons (or first steps)."""
    if m > 1 and len(y) >= 2 * m:
        first, second = y[:m].mean(), y[m:2 * m].mean()
        return float(first), float((second - first) / m), y[:m] - first
    k = min(len(y), 10)
    return float(y[0]), float((y[k - 1] - y[0]) / max(k - 1, 1)), np.zeros(max(m, 1))


def run_filter(y: np.ndarray, p: EtsParams) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Run the error-correction equations over ``y``.

    Returns:
        level[t] and trend[t] after seeing y[t]; seasonal terms s with s[t + m] the term
        updated at t (s[:m] are the initial ones); the sum of squared one-step errors.
    """
    m = max(p.season, 1)
    lvl, trd, s0 = initial_state(y, m)
    n = len(y)
    level, trend, seas = np.empty(n), np.empty(n), np.empty(n + m)
    seas[:m] = s0
    a, b, g, phi = p.alpha, p.beta, p.gamma, p.phi
    sse = 0.0
    s = seas.tolist()
    for t, v in enumerate(y.tolist()):
        damped = phi * trd
        err = v - (lvl + damped + s[t])
        sse += err * err
        lvl = lvl + damped + a * err
        trd = damped + b * err
        s[t + m] = s[t] + g * err
        level[t], trend[t] = lvl, trd
    seas[:] = s
    return level, trend, seas, sse


def fit_ets(y: np.ndarray, season: int, seasonal: bool | None = None) -> EtsParams:
    """Fit a damped additive model on ``y`` (the training part).

    Args:
        y: 1-D training values.
        season: season length; the seasonal model is tried only with two full seasons.
        seasonal: force the seasonal (True) or non-seasonal (False) form; None picks the
            one with the lower AIC.

    Returns:
        The fitted parameters.
    """
    y = np.asarray(y, dtype=np.float64)[-MAX_FIT_STEPS:]
    forms = [False, True] if seasonal is None else [seasonal]
    forms = [f for f in forms if not f or (season > 1 and len(y) >= 3 * season)] or [False]
    fits = [_fit_form(y, season if f else 1) for f in forms]
    return min(fits, key=lambda pair: pair[1])[0]


def _fit_form(y: np.ndarray, m: int) -> tuple[EtsParams, float]:
    from scipy.optimize import minimize

    def params(x: np.ndarray) -> EtsParams:
        a = float(x[0])
        return EtsParams(a, a * float(x[1]), (1 - a) * float(x[2]) if m > 1 else 0.0,
                         float(x[3]), m)

    def loss(x: np.ndarray) -> float:
        sse = run_filter(y, params(x))[3]
        return sse if math.isfinite(sse) else 1e300

    bounds = [(1e-4, 0.9999), (1e-4, 0.9999), (1e-4, 0.9999), PHI_BOUNDS]
    # One fixed start got stuck at alpha -> 1, gamma -> 0 (the naive forecast) on seasonal
    # series such as the airline passengers (SSE 2.6 x a coarse grid's best): start the
    # local search from the best point of a coarse grid instead.
    starts = sorted(_starts(m), key=loss)
    start = next((x for x in starts if admissible(params(x))), starts[0])
    res = minimize(loss, start, method="L-BFGS-B", bounds=bounds, options={"maxiter": 60})
    best = _admissible_towards(start, res.x, lambda x: admissible(params(x)))
    n, k = len(y), 4 + (m if m > 1 else 0) + 2
    aic = n * math.log(max(loss(best), 1e-300) / n) + 2 * k
    return params(best), aic


def admissible(p: EtsParams) -> bool:
    """Whether the filter forgets its start: the roots of the model's characteristic
    polynomial lie in the unit circle (Hyndman et al. 2008, ch. 10, ETS(A,Ad,A)).

    A fit on the last few thousand steps can land just outside (a root of 1.0001 on
    15-minute power demand): run from the first row over 30,000 steps, the level then
    swung to -184 and the forecasts of a series that never drops below 600 went negative.
    """
    m, a, b, g, phi = p.season, p.alpha, p.beta, p.gamma, p.phi
    if m <= 1:
        return True  # inside the usual bounds (beta <= alpha, phi >= 0.8) always so
    if not (max(1 - 1 / phi - a, 0) <= g <= 1 + 1 / phi - a) or b < -(1 - phi) * (g / m + a):
        return False
    if a < 1 - 1 / phi - g * (1 - m + phi + phi * m) / (2 * phi * m):
        return False
    if m > MAX_ROOTS_SEASON:
        return True  # the simple conditions above only: the roots would cost seconds
    rising = [phi * (1 - a - g), a + b - a * phi + g - 1, *[a + b - a * phi] * (m - 2),
              a + b - phi, 1.0]  # coefficients from the constant term up
    return bool(np.abs(np.roots(rising[::-1])).max() <= 1 + 1e-10)


def _admissible_towards(start: np.ndarray, end: np.ndarray, ok) -> np.ndarray:
    """``end`` if admissible, else the admissible point found nearest to it on the line
    from ``start`` (a few halvings: testing at every step of the search would multiply
    the cost of a fit)."""
    if ok(end) or not ok(start):
        return end if ok(end) else start
    lo, hi = 0.0, 1.0
    for _ in range(6):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if ok(start + mid * (end - start)) else (lo, mid)
    return start + lo * (end - start)


def _starts(m: int) -> list[np.ndarray]:
    """Coarse grid of (alpha, beta / alpha, gamma / (1 - alpha), phi) starting points."""
    gammas = (0.05, 0.3, 0.7) if m > 1 else (0.05,)
    return [np.array(x) for x in product((0.1, 0.3, 0.5, 0.8, 0.99), (0.01, 0.1), gammas,
                                         (0.9, 0.98))]


def ets_forecast(y: np.ndarray, p: EtsParams, origins: np.ndarray, horizon: int,
                 lo: int = 0) -> np.ndarray:
    """Forecasts from every origin with fixed parameters.

    Args:
        y: 1-D values of the whole series.
        p: fitted parameters.
        origins: positions t (the forecast uses y[lo:t] only and predicts y[t:t+horizon]).
        horizon: steps ahead.
        lo: where the filter starts (the start of the training part).

    Returns:
        (origins, horizon) forecasts.
    """
    origins = np.asarray(origins, dtype=np.int64)
    hi = int(origins.max()) if origins.size else lo
    level, trend, seas, _ = run_filter(np.asarray(y[lo:hi], dtype=np.float64), p)
    m = max(p.season, 1)
    i = origins - lo - 1  # index of the last row each origin may use
    h = np.arange(1, horizon + 1)
    damp = np.cumsum(p.phi ** h)  # phi + phi^2 + ... + phi^h
    s_idx = i[:, None] + 1 + (h[None, :] - 1) % m  # s[t + m] was updated at t
    return level[i][:, None] + trend[i][:, None] * damp[None, :] + seas[s_idx]
