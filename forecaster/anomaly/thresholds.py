"""Thresholds calibrated on out-of-fold scores, and the events they flag.

Three rules, all computed from the normalised out-of-fold scores that ``train``
stores in the bundle (never from the data being scored):

* ``quantile``: the ``q`` quantile of the out-of-fold scores.
* ``std``: mean + k * std of the out-of-fold scores after trimming the top
  ``trim`` fraction, so that faults inside the validation blocks do not
  inflate the spread they are measured against.
* ``dynamic``: the non-parametric threshold of Hundman et al. (2018,
  telemanom): among mean + z * std for z in 2..10, the one whose removal of the
  points above it lowers mean and spread the most per flagged point and
  sequence; at detection, weak events are pruned (see ``prune_events``).
"""

from __future__ import annotations

import numpy as np

RULES = ("std", "dynamic", "quantile")
Z_GRID = np.arange(2.0, 10.5, 0.5)
MIN_THRESHOLD = 3.0


def calibrate(oof: np.ndarray, rule: str, q: float, k: float, trim: float) -> float:
    """The threshold on normalised scores under ``rule``.

    Args:
        oof: out-of-fold overall scores in time order (NaN where masked or between
            validation blocks; they break sequences for the dynamic rule).
        rule: one of ``RULES``.
        q: quantile for "quantile".
        k: multiplier for "std".
        trim: top fraction dropped before "std".
    """
    ok = oof[~np.isnan(oof)]
    if ok.size == 0:
        return float("inf")
    if rule == "quantile":
        value = float(np.quantile(ok, q))
    elif rule == "std":
        kept = ok[ok <= np.quantile(ok, 1.0 - trim)] if trim > 0 else ok
        value = float(kept.mean() + k * kept.std())
    else:
        value = dynamic_threshold(oof)
    # A constant series has identical out-of-fold scores: every rule would put the
    # threshold on them and flag ties. Nothing within MIN_THRESHOLD robust sd of a
    # typical error is an anomaly.
    return max(value, MIN_THRESHOLD)


def dynamic_threshold(scores: np.ndarray) -> float:
    """telemanom's epsilon, computed on positive scores (shifted so the smallest is 1,
    because its criterion divides by the mean)."""
    ok = ~np.isnan(scores)
    shift = 1.0 - float(np.nanmin(scores))
    e = np.where(ok, scores + shift, np.nan)
    vals = e[ok]
    mean, sd = float(vals.mean()), float(vals.std())
    best, best_eps = -np.inf, mean + Z_GRID[-1] * sd
    for z in Z_GRID:
        eps = mean + z * sd
        above = vals > eps
        if not above.any() or above.all():
            continue
        below = vals[~above]
        gain = (mean - below.mean()) / mean + (sd - below.std()) / max(sd, 1e-12)
        n_seq = len(runs(np.nan_to_num(e, nan=-np.inf) > eps))
        value = gain / (int(above.sum()) + n_seq ** 2)
        if value > best:
            best, best_eps = value, eps
    return float(best_eps - shift)


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) index pairs, inclusive, of the runs of True in ``mask``."""
    padded = np.concatenate(([False], np.asarray(mask, dtype=bool), [False])).astype(np.int8)
    edges = np.diff(padded)
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1) - 1
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def prune_events(scores: np.ndarray, flags: np.ndarray, p: float) -> np.ndarray:
    """telemanom's pruning: sort the events' peaks, with the highest unflagged score
    last; the trailing events whose peak is within ``p`` (relative) of the next lower
    one are weak and dropped.

    Args:
        scores: overall scores (NaN where masked).
        flags: the steps at or above the threshold.
        p: minimum relative drop that marks an event as distinct.

    Returns:
        The flags with the pruned events cleared.
    """
    events = runs(flags)
    if not events or p <= 0:
        return flags
    peaks = np.array([np.nanmax(scores[a:b + 1]) for a, b in events])
    rest = scores[~flags & ~np.isnan(scores)]
    floor = float(rest.max()) if rest.size else 0.0
    order = np.argsort(-peaks)
    seq = np.concatenate([peaks[order], [floor]])
    # Relative drops on a positive scale: scores are centred at 0, so shift them.
    base = 1.0 - min(float(np.nanmin(scores)), 0.0)
    drop = (seq[:-1] - seq[1:]) / (seq[:-1] + base)
    weak: list[int] = []
    for i, d in enumerate(drop):
        weak = weak + [i] if d < p else []
    out = flags.copy()
    for i in weak:
        a, b = events[order[i]]
        out[a:b + 1] = False
    return out


def close_gaps(flags: np.ndarray, gap: int) -> np.ndarray:
    """Join flagged runs separated by fewer than ``gap`` unflagged steps into one event:
    one fault whose error dips for a step or two is still one fault."""
    out = flags.copy()
    events = runs(flags)
    for (_, end), (start, _) in zip(events[:-1], events[1:], strict=True):
        if start - end - 1 < gap:
            out[end + 1:start] = True
    return out
