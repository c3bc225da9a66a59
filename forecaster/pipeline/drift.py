"""A gate against data that has drifted grossly from what the model was trained on."""

from __future__ import annotations

import numpy as np

from forecaster.bundle import Bundle
from forecaster.data.loading import Frame, Series
from forecaster.errors import DataError
from forecaster.report import Reporter

# Recent values this many training standard deviations from the training mean are
# implausible for a sensor or a price; a trend alone rarely gets there.
MAX_Z = 8.0
# A counter's training values span about its mean +- 1.7 sd (a steady rise); this far
# back on the other side, it was swapped or reset.
BELOW_RANGE = 3.0


def drift_problems(bundle: Bundle, frame: Frame, recent: int) -> list[str]:
    """Gross differences between ``frame`` and the training data.

    Args:
        bundle: the trained bundle (scalers, columns).
        frame: the new data, already checked for columns and frequency.
        recent: how many of the newest rows to compare.

    Returns:
        One message per problem; empty when the data looks like the training data.
    """
    problems = []
    scalers = bundle.meta["scalers"]
    # A model of step changes (a meter) expects its targets' levels to leave the training
    # range; its input features are still checked.
    levels = bundle.meta["forecaster"]["config"].get("norm") != "diff"
    for s in frame.series:
        known = scalers.get(s.name)
        where = f"series '{s.name}'" if s.name else "the data"
        if known is None:
            problems.append(f"{where} was not in the training data")
            continue
        tail = s.values[-recent:]
        z = np.abs(np.median(tail, axis=0) - np.asarray(known["mean"])) / np.asarray(
            known["scale"])
        for j, (col, zc) in enumerate(zip(frame.columns, z, strict=True)):
            if zc > MAX_Z and (levels or j >= len(frame.spec.targets)):
                problems.append(f"recent '{col}' values of {where} lie {zc:.0f} training "
                                "standard deviations from the training mean")
        problems += _counters_gone_back(bundle, s, frame.spec.targets, known, where)
    return problems


def _counters_gone_back(bundle: Bundle, s: Series, targets: list[str], known: dict,
                        where: str) -> list[str]:
    """A held counter now far on the wrong side of everything it read in training: a
    meter swapped or reset, whose forecast would start from the old meter's habits."""
    out = []
    held = bundle.meta["forecaster"].get("counters", {}).get(s.name, {})
    for j, col in enumerate(targets):
        way = held.get(col, 0)
        z = way * (s.values[-1, j] - known["mean"][j]) / known["scale"][j]
        if way and z < -BELOW_RANGE:
            out.append(f"'{col}' of {where} reads {s.values[-1, j]:.10g}, far "
                       f"{'below' if way > 0 else 'above'} anything it read in training, "
                       "though it only ever "
                       f"{'rose' if way > 0 else 'fell'}: a meter swapped or reset? retrain")
    return out


def drift_gate(bundle: Bundle, frame: Frame, recent: int, strict: bool,
               report: Reporter) -> None:
    """Warn about drift, or with ``strict`` refuse it (exit 65)."""
    problems = drift_problems(bundle, frame, recent)
    if problems and strict:
        raise DataError(f"data drift: {problems[0]} ({len(problems)} problem(s)); retrain "
                        "with 'forecast train' or drop --strict")
    for p in problems:
        report.warn(f"data drift: {p}")
