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
* ``telemanom``: at detection, telemanom's threshold is chosen on the (EWMA-smoothed)
  scores being scored (at most ``MAX_SEQUENCES`` sequences, under half the steps),
  never below a *floor* from out-of-fold scores only: ``FLOOR_MARGIN`` times their
  ``FLOOR_Q`` quantile once the ``FLOOR_SKIP`` highest dense sequences are set aside
  (``set_aside``): a few faults inside the validation blocks cannot raise it, while a
  pattern that recurs in every block (a daily series' sharp transitions) still does.
  The floor keeps a near-perfect series from flagging its noise; the dynamic part is
  capped by the ``std`` rule on the same scores less those sequences
  (``telemanom_cap``). When no epsilon qualifies (peaks recurring more often than
  ``MAX_SEQUENCES``), nothing is flagged (``telemanom_rule``). Weak events are pruned
  as for ``dynamic``.
"""

from __future__ import annotations

import numpy as np

from forecaster.limits import THRESHOLD_RULES

RULES = THRESHOLD_RULES  # defined with the other choices of the settings
Z_GRID = np.arange(2.0, 10.5, 0.5)
MIN_THRESHOLD = 3.0
# telemanom rule: smoothing span, out-of-fold floor, and its selection limits.
EWMA_SPAN = 1  # chosen on the NAB dev subset: the window median already smooths
# Floor constants chosen on the NAB dev subset + the sample sensor, the set-aside budget and
# the join gap (anomaly_fit) and the density also on benchmarks/validation_faults.py and
# clean_series.py's heavy-tailed files (RESULTS-nab.md, Session 23).
FLOOR_Q = 0.995
FLOOR_MARGIN = 1.6
FLOOR_SKIP = 4  # out-of-fold sequences set aside before the floor's quantile
# ... together at most this share of the out-of-fold steps (two faults of 45 steps in 900
# went past 0.1, stayed in, and hid a third under the floor and cap they raised) ...
SKIP_SHARE = 0.25
# ... each dense, this share of its steps at or above 3: heavy-tailed noise joined into
# sparse runs, set aside, took the tail the floor must see (11 false events, Student-t).
FAULT_DENSITY = 0.3
MAX_SEQUENCES = 5
TELEMANOM_Z = np.arange(2.5, 12.5, 0.5)
MIN_DYNAMIC_STEPS = 200  # fewer scored steps: the floor alone


def calibrate(oof: np.ndarray, rule: str, q: float, k: float, trim: float,
              gap: int = 0) -> float:
    """The threshold on normalised scores under ``rule``.

    Args:
        oof: out-of-fold overall scores in time order (NaN where masked or between
            validation blocks; they break sequences for the dynamic rule).
        rule: one of ``RULES``.
        q: quantile for "quantile".
        k: multiplier for "std".
        trim: top fraction dropped before "std".
        gap: "telemanom": runs closer than this are one sequence (see ``set_aside``).
    """
    ok = oof[~np.isnan(oof)]
    if ok.size == 0:
        return float("inf")
    if rule == "telemanom":
        value = FLOOR_MARGIN * robust_floor(ewma(oof, EWMA_SPAN), FLOOR_Q, FLOOR_SKIP, gap)
    elif rule == "quantile":
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


def telemanom_cap(oof: np.ndarray, k: float, trim: float, gap: int) -> float:
    """The ``std`` rule's threshold on out-of-fold scores less the floor's set-aside sequences.

    Trimming alone kept the tail of faults longer than ``trim`` of the steps, lifting the
    cap over a smaller fault. Bundles without a recorded ``gap`` (0) keep the plain rule.
    """
    scores = set_aside(oof, FLOOR_SKIP, gap) if gap else oof
    return calibrate(scores, "std", 0.0, k, trim)


def robust_floor(scores: np.ndarray, q: float, skip: int, gap: int = 0) -> float:
    """The ``q`` quantile of out-of-fold scores outside their ``skip`` highest sequences."""
    x = set_aside(scores, skip, gap)
    ok = x[~np.isnan(x)]
    return float(np.quantile(ok, q)) if ok.size else 0.0


def set_aside(scores: np.ndarray, skip: int, gap: int = 0) -> np.ndarray:
    """A copy of ``scores`` with their ``skip`` highest sequences made NaN.

    A sequence is a run of steps at or above ``MIN_THRESHOLD`` (NaN breaks runs),
    runs fewer than ``gap`` steps apart joined into one: a fault's errors dip under 3
    and back, and its pieces each took one of the ``skip`` places. Only a dense one
    (``FAULT_DENSITY``) is set aside, though each takes its place. Up to ``skip``
    faults in the validation blocks cannot move what is left; a pattern that recurs
    more often than that (every daily transition) still counts.
    """
    x = np.asarray(scores, dtype=np.float64).copy()
    valid = ~np.isnan(x)
    high = np.nan_to_num(x, nan=-np.inf) >= MIN_THRESHOLD
    seqs = runs(close_gaps(high, gap) & valid)
    peaks = [float(np.max(x[a:b + 1])) for a, b in seqs]
    # Faults are the rare steps: runs that would take more than SKIP_SHARE of the scores
    # are the series' ordinary level (the maximum over hundreds of channels sits above 3
    # at nearly every step), and setting them aside left nothing: a floor of 3, and every
    # step of pure noise flagged.
    budget = SKIP_SHARE * np.count_nonzero(valid)
    for i in np.argsort(peaks)[::-1][:skip]:
        a, b = seqs[i]
        budget -= b - a + 1
        if budget < 0:
            break
        if high[a:b + 1].mean() >= FAULT_DENSITY:
            x[a:b + 1] = np.nan
    return x


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


def ewma(x: np.ndarray, span: int) -> np.ndarray:
    """Exponentially weighted moving average (alpha = 2 / (span + 1)) of a 1-D series,
    causal; NaN stays NaN and restarts the average (block and gap boundaries)."""
    if span <= 1:
        return np.asarray(x, dtype=np.float64).copy()
    alpha = 2.0 / (span + 1.0)
    out = np.full(len(x), np.nan)
    level = np.nan
    for i, v in enumerate(np.asarray(x, dtype=np.float64)):
        if np.isnan(v):
            level = np.nan
            continue
        level = v if np.isnan(level) else alpha * v + (1.0 - alpha) * level
        out[i] = level
    return out


def telemanom_rule(scores: np.ndarray, floor: float, cap: float = np.inf,
                   gap: int = 0) -> float:
    """The ``telemanom`` rule's threshold for one scored series.

    The dynamic epsilon (see ``telemanom_epsilon``), at most ``cap`` and never below
    ``floor``; ``floor`` alone when there are too few scores. When no epsilon qualifies,
    either the peaks recur more often than faults do (a daily pattern), and nothing is
    flagged: neither the cap nor the floor may re-admit them (with a final model whose
    errors at the recurring transitions ran above the floor, a daily NAB series raised 14
    events); or most scored steps lie above the floor (a level shift as long as what is
    scored, ``--last 200`` inside it), and the calibrated threshold alone decides: the
    epsilon assumes faults are the few, not the many. A pattern is told from one long fault
    above the calibrated threshold (a three-day fault whose errors peak daily: six runs
    for the epsilon, which went unflagged) by the events above that threshold, its runs
    joined across fewer than ``gap`` steps as events are: a few, on fewer than half the
    steps, are faults and flagged; a daily pattern joined into one long event is not.
    """
    ok = scores[~np.isnan(scores)]
    if ok.size < MIN_DYNAMIC_STEPS:
        return floor
    eps = telemanom_epsilon(scores)
    if eps is None:
        calibrated = max(floor, cap if np.isfinite(cap) else floor)
        if np.median(ok) > floor:
            return calibrated
        over = close_gaps(np.nan_to_num(scores, nan=-np.inf) >= calibrated, gap)
        few = 0 < len(runs(over)) <= MAX_SEQUENCES and over.sum() < 0.5 * ok.size
        return calibrated if few else max(_above(ok), floor)
    return max(floor, min(eps, cap))


def _above(values: np.ndarray) -> float:
    # The next representable value in the scores' own dtype: flags compare in that dtype,
    # and a float64 step above a float32 score rounds back onto it.
    return float(np.nextafter(values.max(), np.inf))


def telemanom_epsilon(scores: np.ndarray) -> float | None:
    """telemanom's epsilon, or None when none qualifies.

    Among mean + z sd (z in ``TELEMANOM_Z``), the one whose removal of the steps above
    it lowers mean and spread the most per flagged step and squared sequence count,
    with at most ``MAX_SEQUENCES`` sequences and fewer than half the steps flagged.
    Scores are shifted to be positive (the criterion divides by the mean).
    """
    ok = ~np.isnan(scores)
    shift = 1.0 - float(np.nanmin(scores))
    e = np.where(ok, scores.astype(np.float64) + shift, -np.inf)
    vals = e[ok]
    mean, sd = float(vals.mean()), float(vals.std())
    best, best_eps = -np.inf, None
    for z in TELEMANOM_Z:
        eps = mean + z * sd
        above = vals > eps
        n_above = int(above.sum())
        if n_above == 0 or n_above >= 0.5 * vals.size:
            continue
        n_seq = len(runs(e > eps))
        if n_seq > MAX_SEQUENCES:
            continue
        below = vals[~above]
        gain = (mean - below.mean()) / mean + (sd - below.std()) / max(sd, 1e-12)
        value = gain / (n_above + n_seq ** 2)
        if value >= best:
            best, best_eps = value, eps
    return None if best_eps is None else float(best_eps - shift)


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) index pairs, inclusive, of the runs of True in ``mask``."""
    padded = np.concatenate(([False], np.asarray(mask, dtype=bool), [False])).astype(np.int8)
    edges = np.diff(padded)
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1) - 1
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def prune_events(scores: np.ndarray, flags: np.ndarray, p: float, gap: int = 0) -> np.ndarray:
    """telemanom's pruning: sort the events' peaks, with the highest unflagged score
    last; the trailing events whose peak is within ``p`` (relative) of the next lower
    one are weak and dropped.

    Args:
        scores: overall scores (NaN where masked).
        flags: the steps at or above the threshold.
        p: minimum relative drop that marks an event as distinct.
        gap: events are the flagged runs joined as ``close_gaps`` joins them, and
            the highest unflagged score is taken more than ``gap`` steps away from
            any event: a fault's own shoulders (just under the threshold) are not
            the normal level it must stand out from.

    Returns:
        The flags with the pruned events cleared.
    """
    events = runs(close_gaps(flags, gap) if gap > 0 else flags)
    if not events or p <= 0:
        return flags
    peaks = np.array([np.nanmax(scores[a:b + 1]) for a, b in events])
    near = np.zeros(len(flags), dtype=bool)
    for a, b in events:
        near[max(a - gap, 0):b + gap + 1] = True
    rest = scores[~near & ~np.isnan(scores)]
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
