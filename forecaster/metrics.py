"""Point and interval forecast metrics over arrays of forecasts and actuals (NumPy only)."""

from __future__ import annotations

import numpy as np

# The levels at which the bundle stores out-of-fold residual quantiles (per horizon step and
# target): prediction intervals (any level from 1 % to 99 %, interpolated) and the
# forecast-residual anomaly scores both read them.
QUANTILE_GRID = np.round(np.linspace(0.005, 0.995, 199), 6)


def mae(y: np.ndarray, yhat: np.ndarray) -> float:
    """Mean absolute error."""
    return float(np.mean(np.abs(y - yhat)))


def rmse(y: np.ndarray, yhat: np.ndarray) -> float:
    """Root mean squared error."""
    return float(np.sqrt(np.mean((y - yhat) ** 2)))


# A baseline MAE below this share of the actuals' mean magnitude is rounding noise (a
# seasonal naive exact on a pure sine: 7e-15), and a ratio to it is a meaningless 1e12.
NEGLIGIBLE = 1e-9


def mase(y: np.ndarray, yhat: np.ndarray, scale: np.ndarray) -> float:
    """Mean absolute scaled error (Hyndman and Koehler, 2006): the errors divided by the
    in-sample MAE of the seasonal naive forecast on the training rows (< 1: better than
    that baseline did in sample), so that figures compare across series and papers.

    Args:
        y: actuals.
        yhat: forecasts.
        scale: each point's scale (``evaluation.mase_scales``), the same shape.

    Returns:
        The MASE over the points whose scale is defined: a series or target whose training
        part was constant (a scale of 0, or negligible against its level: ``mase_scales``
        makes it NaN) has none and is left out; NaN (undefined) when no point has one.
    """
    scale = np.asarray(scale, dtype=np.float64)
    ok = np.isfinite(scale) & (scale > 0.0)
    if not ok.any():
        return float("nan")
    return float(np.mean(np.abs(y - yhat)[ok] / scale[ok]))


def mape(y: np.ndarray, yhat: np.ndarray) -> float:
    """Mean absolute percentage error over points where the actual is not zero."""
    nz = np.abs(y) > 1e-12
    return float("nan") if not nz.any() else float(100 * np.mean(np.abs((y - yhat)[nz] / y[nz])))


def smape(y: np.ndarray, yhat: np.ndarray) -> float:
    """Symmetric MAPE in percent; a point where both are zero counts as 0."""
    den = np.abs(y) + np.abs(yhat)
    ratio = np.divide(2 * np.abs(y - yhat), den, out=np.zeros_like(den, dtype=float),
                      where=den > 0)
    return float(100 * np.mean(ratio))


# Relative resolution of a computed bound. Bounds come from float32 network outputs and
# float32 residual quantiles, about the 7 significant digits the tool writes them with: a
# bound that lands on its actual can come out a few float32 units to either side of it.
RESOLUTION = float(np.finfo(np.float32).eps)


def coverage(y: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> float:
    """Share of actuals inside [lower, upper], to the bounds' resolution (``RESOLUTION``).

    Compared exactly, a flat stretch of 18.0 whose upper bound came out 17.99999998
    (written 18) was a miss: coverage 0.33 beside written rows that were all covered.
    """
    def slack(bound: np.ndarray) -> np.ndarray:
        return RESOLUTION * np.maximum(np.abs(y), np.abs(bound))

    return float(np.mean((y >= lower - slack(lower)) & (y <= upper + slack(upper))))


def pinball(y: np.ndarray, q_pred: np.ndarray, q: float) -> float:
    """Quantile (pinball) loss of a ``q`` forecast."""
    d = y - q_pred
    return float(np.mean(np.maximum(q * d, (q - 1) * d)))


def mse(y: np.ndarray, yhat: np.ndarray) -> float:
    """Mean squared error."""
    return float(np.mean((y - yhat) ** 2))


def width(lower: np.ndarray, upper: np.ndarray) -> float:
    """Mean width of the intervals [lower, upper]."""
    return float(np.mean(upper - lower))


def interval_pinball(y: np.ndarray, yhat: np.ndarray, lower: np.ndarray, upper: np.ndarray,
                     level: float) -> float:
    """Mean pinball loss of the lower bound, the point forecast (as the median) and the
    upper bound of a central ``level`` % interval."""
    lo_q, hi_q = (1 - level / 100) / 2, (1 + level / 100) / 2
    return float(np.mean([pinball(y, lower, lo_q), pinball(y, yhat, 0.5),
                          pinball(y, upper, hi_q)]))


def scorecard(y: np.ndarray, yhat: np.ndarray, lower: np.ndarray, upper: np.ndarray,
              scale: np.ndarray, level: float) -> dict[str, float]:
    """Every metric of a backtest report over the same points.

    Args:
        y: actuals.
        yhat: point forecasts.
        lower: lower interval bounds.
        upper: upper interval bounds.
        scale: each point's MASE scale (the in-sample seasonal-naive MAE).
        level: the interval's nominal level in percent.

    Returns:
        mae, rmse, mse, mape, smape, mase, coverage, width and pinball.
    """
    return {"mae": mae(y, yhat), "rmse": rmse(y, yhat), "mse": mse(y, yhat),
            "mape": mape(y, yhat), "smape": smape(y, yhat), "mase": mase(y, yhat, scale),
            "coverage": coverage(y, lower, upper), "width": width(lower, upper),
            "pinball": interval_pinball(y, yhat, lower, upper, level)}
