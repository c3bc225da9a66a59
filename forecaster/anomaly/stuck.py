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
"""

from __future__ import annotations

import numpy as np

QUANTILE = 0.995
FACTOR = 2
SKIP = 4  # the longest runs of training that may be stuck spells themselves
MIN_RUN = 4  # a run this long is never called stuck, whatever training showed
HOLDS = 0.5  # a channel whose training steps repeat the last value this often: never stuck


def run_lengths(values: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """(timesteps, channels): how many observed steps in a row, ending at each step, hold
    its value; 0 where the step is not observed (a filled-in step breaks a run)."""
    out = np.zeros(values.shape, dtype=np.int64)
    n = len(values)
    for c in range(values.shape[1]):
        same = np.zeros(n, dtype=bool)
        same[1:] = observed[1:, c] & observed[:-1, c] & (values[1:, c] == values[:-1, c])
        starts = np.flatnonzero(~same)  # each run's first step
        first = starts[np.cumsum(~same) - 1]
        out[:, c] = np.where(observed[:, c], np.arange(n) - first + 1, 0)
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
    ends = (runs > 0) & (np.append(runs[1:], 0) != runs + 1)  # each run's last step
    lengths = np.sort(runs[ends])[::-1]
    return float(lengths[SKIP]) if len(lengths) > SKIP else np.inf


def stuck_scores(values: np.ndarray, observed: np.ndarray, limits: list[int],
                 unit: float) -> np.ndarray:
    """(timesteps, channels) scores of stuck readings, 0 elsewhere.

    A step whose run exceeds its channel's limit (0: none does) scores ``unit`` times
    run / limit: higher the longer the sensor stays stuck (an event's severity grows
    with it).
    """
    runs = run_lengths(values, observed)  # (timesteps, channels)
    limits = np.asarray(limits, dtype=np.float64)
    ratio = np.where(limits > 0, runs / np.maximum(limits, 1.0), 0.0)
    return np.where(ratio > 1.0, unit * ratio, 0.0)


def lenient(limits: dict[str, list[int]]) -> list[int]:
    """Per channel, the most lenient of the series' limits (0, never stuck, above all):
    the limits of a series new since training."""
    table = np.asarray(list(limits.values()), dtype=np.int64)  # (series, channels)
    return np.where((table == 0).any(axis=0), 0, table.max(axis=0)).tolist()
