"""Resets of a counter: the windows a step-change model must not learn from.

With ``--norm diff`` the forecaster learns a meter's step changes. One reset or meter swap
in the training rows (13,000 kWh back to 0) is a change thousands of steps large: the
windows that span it carried nearly all of the squared error, and the model learnt to
forecast no change at all (a flat forecast with a zero-width interval). Such windows are
left out of training; validation still scores them, so the fold table shows the reset.
"""

from __future__ import annotations

import numpy as np

# A change against the counter's direction this many times its typical step is a reset
# (a correction of a reading or two, at most 1 % of changes, stays in).
RESET_STEPS = 20.0


def reset_steps(values: np.ndarray, observed: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Positions in ``[lo, hi)`` whose change from the step before goes against the
    counter, far; the direction and typical step are those of ``[lo, hi)`` alone.

    Args:
        values: (timesteps, targets) one series' target values (filled steps included).
        observed: (timesteps, >= targets) False where a value was filled in.
        lo: first position of the training part.
        hi: end of the training part (exclusive).

    Returns:
        Sorted positions p (the reset lies between p - 1 and p), in any target.
    """
    found = []
    for j in range(values.shape[1]):
        d = np.diff(values[lo:hi, j])
        seen = observed[lo + 1:hi, j] & observed[lo:hi - 1, j]
        if not seen.any():
            continue
        direction = np.sign(np.median(d[seen]))
        typical = float(np.median(np.abs(d[seen])))
        if direction == 0 or typical == 0:
            continue
        found.append(np.flatnonzero(-direction * d > RESET_STEPS * typical) + lo + 1)
    return np.unique(np.concatenate(found)) if found else np.empty(0, dtype=np.int64)


def clear_of(starts: np.ndarray, resets: np.ndarray, span: int) -> np.ndarray:
    """The window ``starts`` whose ``span`` steps (inputs and targets) hold no reset."""
    if not len(resets) or not len(starts):
        return starts
    # A reset at p joins steps p - 1 and p: a window holding both has it.
    first = np.searchsorted(resets, starts + 1)
    inside = (first < len(resets)) & (resets[np.minimum(first, len(resets) - 1)]
                                      < starts + span)
    return starts[~inside]
