"""Stuck readings: one value repeated for longer than the training data repeats values.

A reconstruction model reconstructs a flat line well (there is no smoother input), so a
sensor stuck at an ordinary level scored lower than the days around it and was never
flagged. A stuck sensor repeats its last reading exactly, which no model is needed to
see: a run of equal readings far longer than almost any run in training is an anomaly.

The limit per channel is twice the run length that 99.5 % of the observed training
steps stay within, or that all but the ``SKIP`` longest runs stay within where that is
shorter (at least ``MIN_RUN``). A spell of L steps is L steps of the quantile: alone, a
5-hour spell in 10 days of 5-minute data set a limit above its own length, so a sensor
that stuck once was never flagged again. Up to ``SKIP`` spells are set aside (as the
threshold's floor sets aside its highest sequences); spells that recur more often than
that are how this channel behaves. "Twice" keeps a noisy sensor's ordinary ties from
being flagged. Data whose values repeat by nature (counts,
on/off, coarse readings) have long runs throughout training and so a high limit; a
channel that mostly repeats its last value in training (a flat line, a setpoint, a count
that is mostly 0) is never called stuck: its limit is 0.

A value the channel rests at (a level: held, two steps or more, in more than ``SKIP``
runs of training, as sunspots sit at 0 at each solar minimum) has a limit of its own:
its runs are how it behaves, not spells. Monthly sunspots held 0 for up to 7 months, and
with the channel's limit of 4 the 5th to 7th months were flagged. The level's limit is
twice its longest ordinary run: counted up from the run the channel limit would use (the
longest once ``SKIP`` are set aside), each run at most twice the one below it; a run
standing further apart is a spell, set aside. A value held in ``SKIP`` runs or fewer (a
sensor frozen at 23.7, a flat 0 where training never rested at 0) keeps the channel's.
"""

from __future__ import annotations

import numpy as np

QUANTILE = 0.995
FACTOR = 2
SKIP = 4  # the longest runs of training that may be stuck spells themselves
MIN_RUN = 4  # a run this long is never called stuck, whatever training showed
HOLDS = 0.5  # a channel whose training steps repeat the last value this often: never stuck
LEVELS = 8  # levels kept per channel (the values held in most runs): a bounded bundle
# Filled-in steps a run of equal readings spans: a holiday or two on a business-day grid
# (Christmas and Boxing Day), a reading or three dropped by a sensor.
GAP = 3


def run_lengths(values: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """(timesteps, channels): how many observed readings in a row, ending at each step, hold
    its value; 0 where the step is not observed.

    A gap of up to ``GAP`` filled-in steps neither breaks a run nor counts in it: a quote
    stale over a holiday (filled in on a business-day grid) is one run, not two. A longer
    outage breaks it: equal readings either side of it say nothing of the time between.
    """
    out = np.zeros(values.shape, dtype=np.int64)
    for c in range(values.shape[1]):
        at = np.flatnonzero(observed[:, c])  # the observed steps, in order
        same = np.zeros(len(at), dtype=bool)
        same[1:] = (values[at[1:], c] == values[at[:-1], c]) & (np.diff(at) <= GAP + 1)
        starts = np.flatnonzero(~same)  # each run's first observed step
        first = starts[np.cumsum(~same) - 1]
        out[at, c] = np.arange(len(at)) - first + 1
    return out


def run_limits(values: np.ndarray, observed: np.ndarray) -> list[int]:
    """Per channel, the longest run of equal readings that is not called stuck (0: no
    run is; a constant art_flatline, trained on its first day, was called stuck a day
    later)."""
    runs = run_lengths(values, observed)
    limits = []
    for c in range(runs.shape[1]):
        seen = runs[observed[:, c], c]
        if seen.size and (seen > 1).mean() > HOLDS:
            limits.append(0)
            continue
        typical = min(float(np.quantile(seen, QUANTILE)) if seen.size else 1.0,
                      _unskipped(runs[:, c]))
        limits.append(max(int(np.ceil(FACTOR * typical)), MIN_RUN))
    return limits


def _unskipped(runs: np.ndarray) -> float:
    """The longest run once the ``SKIP`` longest are set aside (inf: too few runs)."""
    lengths = np.sort(runs[_ends(runs)])[::-1]
    return float(lengths[SKIP]) if len(lengths) > SKIP else np.inf


def _ends(runs: np.ndarray) -> np.ndarray:
    """Where each run of one channel's run lengths has its last observed step (the next
    observed step starts another: a run may span filled-in steps, whose length is 0)."""
    at = np.flatnonzero(runs > 0)
    ends = np.zeros(len(runs), dtype=bool)
    ends[at] = np.append(runs[at[1:]], 0) != runs[at] + 1
    return ends


def run_levels(values: np.ndarray, observed: np.ndarray,
               limits: list[int]) -> list[list[list[float]]]:
    """Per channel, ``[value, limit]`` of each level whose limit exceeds the channel's
    (none where that is 0: never stuck already), the values held in most runs first."""
    runs = run_lengths(values, observed)
    return [_channel_levels(values[:, c], runs[:, c], limits[c]) if limits[c] else []
            for c in range(runs.shape[1])]


def _channel_levels(values: np.ndarray, runs: np.ndarray, limit: int) -> list[list[float]]:
    """``[value, limit]`` of one channel's levels with a limit above ``limit``."""
    ends = _ends(runs) & (runs > 1)  # held runs: a single reading is held by nothing
    held, lengths = values[ends], runs[ends]
    found, where, counts = np.unique(held, return_inverse=True, return_counts=True)
    order = np.lexsort((-lengths, where))  # by value, longest run first
    ends_at = np.cumsum(counts)
    levels = []
    for i in np.flatnonzero(counts > SKIP):  # held in fewer runs: maybe spells, all of them
        own = _level_limit(lengths[order[ends_at[i] - counts[i]:ends_at[i]]])
        if own > limit:  # else the channel's limit says the same
            levels.append((-counts[i], float(found[i]), own))
    return [[v, own] for _, v, own in sorted(levels)[:LEVELS]]


def _level_limit(lengths: np.ndarray) -> int:
    """Twice the longest ordinary run of one level (``lengths``: longest first, more than
    ``SKIP``): from the run the channel limit would use, up while a run is at most twice
    the one below it; the runs above the first wider gap are spells."""
    k = SKIP
    while k > 0 and lengths[k - 1] <= FACTOR * lengths[k]:
        k -= 1
    return int(FACTOR * lengths[k])


def stuck_scores(values: np.ndarray, observed: np.ndarray, limits: list[int],
                 unit: float, levels: list[list[list[float]]] | None = None) -> np.ndarray:
    """(timesteps, channels) scores of stuck readings, 0 elsewhere.

    A step whose run exceeds its limit (its level's where it holds one, else its
    channel's; 0: none does) scores ``unit`` times run / limit: higher the longer the
    sensor stays stuck (an event's severity grows with it).
    """
    runs = run_lengths(values, observed)  # (timesteps, channels)
    bound = np.repeat(np.asarray(limits, dtype=np.float64)[None, :], len(runs), axis=0)
    for c, pairs in enumerate(levels or []):
        if pairs and limits[c] > 0:
            bound[:, c] = _level_bounds(values[:, c], pairs, limits[c])
    ratio = np.where(bound > 0, runs / np.maximum(bound, 1.0), 0.0)
    return np.where(ratio > 1.0, unit * ratio, 0.0)


def _level_bounds(values: np.ndarray, pairs: list[list[float]], limit: int) -> np.ndarray:
    """Each step's limit in one channel: its level's where it holds one (never below the
    channel's), else the channel's."""
    table = np.asarray(sorted(pairs), dtype=np.float64)  # (levels, 2), by value
    at = np.clip(np.searchsorted(table[:, 0], values), 0, len(table) - 1)
    return np.where(table[at, 0] == values, np.maximum(table[at, 1], limit), limit)


def lenient(limits: dict[str, list[int]]) -> list[int]:
    """Per channel, the most lenient of the series' limits (0, never stuck, above all):
    the limits of a series new since training."""
    table = np.asarray(list(limits.values()), dtype=np.int64)  # (series, channels)
    return np.where((table == 0).any(axis=0), 0, table.max(axis=0)).tolist()


def lenient_levels(levels: dict[str, list[list[list[float]]]],
                   channels: int) -> list[list[list[float]]]:
    """Per channel, every series' levels, each at its longest limit: the levels of a
    series new since training."""
    merged: list[dict[float, int]] = [{} for _ in range(channels)]
    for series in levels.values():
        for c, pairs in enumerate(series):
            for value, limit in pairs:
                merged[c][value] = max(int(limit), merged[c].get(value, 0))
    return [[[v, lim] for v, lim in sorted(m.items())] for m in merged]


def longest_spell(stuck: np.ndarray, values: np.ndarray, observed: np.ndarray, unit: float,
                  start: int = 0) -> tuple[int, int, float, int] | None:
    """One channel's longest stuck spell at or after row ``start``, for a message: (first
    row, observed readings, value, limit of its run), or None where none is flagged there.

    Args:
        stuck: the channel's ``stuck_scores`` (``unit`` times run / limit where stuck).
        values: the channel's values.
        observed: which of them were read.
        unit: the scores' unit.
        start: the first row scored.
    """
    hit = np.flatnonzero(stuck[start:] > 0) + start
    if not hit.size:
        return None
    runs = run_lengths(values[:, None], observed[:, None])[:, 0]
    end = int(hit[np.argmax(runs[hit])])
    steps = int(runs[end])
    at = np.flatnonzero(observed)  # the run's first reading: filled-in steps it spans aside
    first = int(at[np.searchsorted(at, end) - steps + 1])
    return first, steps, values[end].item(), int(round(unit * steps / stuck[end]))
