"""Filled steps as a forecast may read them: the last value observed before them.

``--fill interpolate`` draws a gap's values towards the first reading after it. A window
whose newest inputs lie in a gap would then read its own target: on a random walk with 15 %
of its steps missing, the forecaster learned that and reached a one-step validation error
of 0.53 where no honest forecast does better than 1.13; the naive baseline, reading the same
values, was flattered alike. And at forecast time the newest rows can only be carried
forward, so training read its inputs one way and forecasting another. The forecaster's
inputs, its baselines and its counters therefore read every filled step as the last value
observed before it, ``--fill zero``'s zeros too (one unread newest reading of a level-100
series moved the window's level to 0, and the forecast to 1-11). The interpolated values
stay for the reconstruction model, which reads each window both ways, but not across the
end of a fold's training part (``carry_tail``).
"""

from __future__ import annotations

import numpy as np


def carried(values: np.ndarray, observed: np.ndarray, fill: str) -> np.ndarray:
    """``values`` with each filled step holding the last value observed before it.

    Args:
        values: (timesteps, channels) as filled by the --fill policy.
        observed: (timesteps, channels) False where a value was filled in.
        fill: the policy. ``interpolate`` reads later values; ``zero`` puts a 0 where a
            level-100 series was not read, and a window normalised by its newest value
            (``--norm last``) then forecast from 0; ``ffill`` already carries.

    Returns:
        The values a forecast made at any step may read; steps before a channel's first
        reading keep their fill (there is nothing earlier to carry).
    """
    if fill not in ("interpolate", "zero") or observed.all():
        return values
    n = len(values)
    last = np.where(observed, np.arange(n)[:, None], -1)  # (timesteps, channels)
    np.maximum.accumulate(last, axis=0, out=last)
    rows = np.where(last >= 0, last, np.arange(n)[:, None])
    return np.take_along_axis(values, rows, axis=0)


def carried_tail(values: np.ndarray, observed: np.ndarray, fill: str, n: int) -> np.ndarray:
    """The last ``n`` rows of ``carried``, reading the series only from the newest
    observation at or before the first of them (a forecast's input window, without
    carrying a long series whole, twice per series, at every predict)."""
    first = max(len(values) - n, 0)
    seen = [np.flatnonzero(observed[:first + 1, j]) for j in range(values.shape[1])]
    start = min((int(s[-1]) if len(s) else 0) for s in seen) if seen else first
    return carried(values[start:], observed[start:], fill)[-n:]


def carry_tail(values: np.ndarray, observed: np.ndarray, stop: int, fill: str) -> None:
    """Carry the last reading before ``stop`` over the filled steps between it and ``stop``,
    in place: a training part that ends in a gap must not be interpolated towards the
    first reading after its end.

    Args:
        values: (timesteps, channels), changed in place.
        observed: (timesteps, channels) False where a value was filled in.
        stop: the end (exclusive) of the training part.
        fill: the policy; only ``interpolate`` is changed.
    """
    if fill != "interpolate":
        return
    for j in range(values.shape[1]):
        seen = np.flatnonzero(observed[:stop, j])
        if len(seen) and seen[-1] < stop - 1:
            values[seen[-1] + 1:stop, j] = values[seen[-1], j]
