"""A gate against data that has drifted grossly from what the model was trained on."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from forecaster.bundle import Bundle
from forecaster.data.loading import Frame, Series
from forecaster.data.timestamps import time_text
from forecaster.errors import DataError
from forecaster.report import Reporter

# Recent values this many training standard deviations from the training mean are
# implausible for a sensor or a price; a trend alone rarely gets there.
MAX_Z = 8.0
# ... unless training read values as far out: a 0/1 column that is 1 in one row of a
# hundred has its 1 at 10 sd, and a count's bursts lie as far, yet such values are what
# the model learned from. So a value is drift only beyond the training range widened by
# this share of its width on each side (a count may go a little past its training peak).
# A sensor's range spans a few sd around its mean, so widened it still lies within MAX_Z
# and the sd rule alone decides there, as it did before the range was kept.
RANGE_SLACK = 0.5
# A counter's training values span about its mean +- 1.7 sd (a steady rise); this far
# back on the other side, it was swapped or reset.
BELOW_RANGE = 3.0


def drift_problems(bundle: Bundle, frame: Frame, recent: int,
                   anchored: bool = False, path: Path | None = None) -> list[str]:
    """Gross differences between ``frame`` and the training data.

    Args:
        bundle: the trained bundle (scalers, columns, each series' training end).
        frame: the new data, already checked for columns and frequency.
        recent: how many of the newest rows to compare.
        anchored: also check each column's newest observed value alone, and each observed
            value of the ``recent`` rows: the forecast starts from the one and its interval
            is scaled by the others (predict, whose ``recent`` is the model's input window;
            detect-anomalies scores such values instead).
        path: the data file, for messages.

    Returns:
        One message per problem; empty when the data looks like the training data.
    """
    problems = []
    checked = _level_columns(bundle, frame)
    for s in frame.series:
        known = bundle.meta["scalers"].get(s.name)
        where = f"series '{s.name}'" if s.name else "the data"
        if known is None:
            problems.append(f"{where} was not in the training data")
            continue
        problems += _ends_early(bundle, s, where)
        problems += _levels_far(bundle, frame, s, known, checked, recent, anchored)
        problems += _counters_gone_back(bundle, s, frame.spec.targets, known, where)
    return problems + _vanished(bundle, frame, path)


def _vanished(bundle: Bundle, frame: Frame, path: Path | None) -> list[str]:
    """Training series with no rows in ``frame``: predict and detect-anomalies would
    leave them out of their output, and a cron job reading it would never notice.

    The series come from the bundle's record of the training data, else its scalers
    (one per training series); a bundle with neither is not checked.
    """
    trained = bundle.meta.get("data", {}).get("series") or bundle.meta.get("scalers") or {}
    present = {s.name for s in frame.series}
    where = path if path is not None else "the data"
    return [f"series '{name}' of the training data has no rows in {where}: it is left out "
            "(removed from the file, renamed, or the file rewritten without it?)"
            for name in trained if name not in present]


def _levels_far(bundle: Bundle, frame: Frame, s: Series, known: dict, checked: set[str],
                recent: int, anchored: bool) -> list[str]:
    """The ``checked`` columns of ``s`` whose recent median (or, ``anchored``, newest
    observed value or any observed value of the ``recent`` rows) lies far from the
    training data (``_far``); a column once only."""
    where = f"series '{s.name}'" if s.name else "the data"
    level = np.median(s.values[-recent:], axis=0)
    far = {c: (j, z) for j, c in enumerate(frame.columns)
           if c in checked and (z := _far(level[j], known, j)) is not None}
    out = [f"recent '{c}' values of {where} lie {_count(z)} training standard deviations "
           f"from the training mean{_range(known, j)}" for c, (j, z) in far.items()]
    if anchored:
        held = bundle.meta["forecaster"].get("counters", {}).get(s.name, {})
        out += _newest_far(frame, s, known, checked - set(far) - set(held), recent)
    return out


def _count(z: float) -> str:
    """A distance in standard deviations as people read it: 12, 2,934, or 4.2e+38 (a
    reading of 9e29 on a series of sd 1e-9 printed 39 digits)."""
    return f"{z:,.0f}" if z < 1e6 else f"{z:.2g}"


def _level_columns(bundle: Bundle, frame: Frame) -> set[str]:
    """The columns whose levels must stay near their training range.

    A model of step changes (a meter, --norm diff) expects its targets' levels to leave
    the training range; its input features are still checked.
    """
    if bundle.meta["forecaster"]["config"].get("norm") != "diff":
        return set(frame.columns)
    return set(frame.columns[len(frame.spec.targets):])


def _newest_far(frame: Frame, s: Series, known: dict, cols: set[str],
                window: int) -> list[str]:
    """The columns among ``cols`` whose newest observed value, or another observed value
    in the last ``window`` rows (the model's input), lies far from training.

    One outlier in the newest row leaves the median of the recent rows alone, yet the
    forecast is normalised on the newest value (--norm last) and starts from it; one
    elsewhere in the window sets the window's volatility, which the interval scales with
    (a reading of 1e30 there gave bounds of +-4e14 on a band of 14 to 18). Held counters
    are left out by the caller: moving on is what they do, and going back is
    ``_counters_gone_back``'s to report. One message per column, the newest value first.
    """
    out = []
    label = f" of series '{s.name}'" if s.name else ""
    for j, col in enumerate(frame.columns):
        rows = np.flatnonzero(s.observed[:, j])
        if col not in cols or not len(rows):
            continue
        newest = s.values[rows[-1], j]
        if (z := _far(newest, known, j)) is not None:
            out.append(f"the newest '{col}'{label} ({newest:.10g}) lies {_count(z)} training "
                       "standard deviations from the training mean; the forecast starts "
                       f"from it{_range(known, j)}")
        elif (hit := _farthest_in(s, j, rows[rows >= len(s.values) - window], known)):
            z, row = hit
            out.append(f"'{col}'{label} at {time_text(s.index[row], s.index)} "
                       f"({s.values[row, j]:.10g}), in the model's input window (the last "
                       f"{window} rows), lies {_count(z)} training standard deviations from "
                       f"the training mean{_range(known, j)}; the forecast's interval is "
                       "scaled by that window: correct or blank that reading if it is a "
                       "misreading")
    return out


def _farthest_in(s: Series, j: int, rows: np.ndarray, known: dict) -> tuple[float, int] | None:
    """The distance and row of the farthest drift value of column ``j`` among ``rows``."""
    hits = [(z, int(r)) for r in rows if (z := _far(s.values[r, j], known, j)) is not None]
    return max(hits) if hits else None


def _far(value: float, known: dict, j: int) -> float | None:
    """How many training sd ``value`` lies from column ``j``'s training mean, when that
    makes it drift; None when it does not.

    Drift is both more than ``MAX_Z`` sd from the mean and outside the training range
    widened by ``RANGE_SLACK``; a bundle saved before the range was kept has the sd rule
    alone. A missing value (NaN) is no drift.
    """
    z = abs(value - known["mean"][j]) / known["scale"][j]
    if not z > MAX_Z:
        return None
    if "min" in known and "max" in known:
        lo, hi = known["min"][j], known["max"][j]
        slack = RANGE_SLACK * (hi - lo)
        if lo - slack <= value <= hi + slack:
            return None
    return z


def _range(known: dict, j: int) -> str:
    """Column ``j``'s training range for a message, when the bundle kept it."""
    if "min" not in known or "max" not in known:
        return ""
    return f" (training read {known['min'][j]:.6g} to {known['max'][j]:.6g})"


def _ends_early(bundle: Bundle, s: Series, where: str) -> list[str]:
    """A series that now ends before its training rows did: the file lost its newest rows
    (rotated, truncated, re-exported in part), and predict would forecast the past.

    Each series is held to its own training end, so one that had stopped reporting
    before training is not reported; bundles that did not record it are not checked.
    """
    trained = bundle.meta.get("data", {}).get("series", {}).get(s.name, {}).get("last")
    if trained is None:
        return []
    end, last = _utc(pd.Timestamp(trained)), _utc(s.index[-1])
    if last >= end:
        return []
    return [f"{where} ends at {time_text(last, s.index)}, before the training data's end "
            f"{time_text(end, s.index)}: the file lost rows since training (rotated or "
            "rewritten?)"]


def _utc(t: pd.Timestamp) -> pd.Timestamp:
    # Times are UTC; a zone-less one (an older record) is read as UTC, never compared raw.
    return t.tz_localize("UTC") if t.tzinfo is None else t.tz_convert("UTC")


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
               report: Reporter, anchored: bool = False, path: Path | None = None) -> None:
    """Warn about drift, or with ``strict`` refuse it (exit 65).

    Args:
        bundle: the trained bundle.
        frame: the new data.
        recent: how many of the newest rows to compare.
        strict: refuse (DataError) instead of warning.
        report: where the warnings go.
        anchored: also check the newest value alone (see ``drift_problems``).
        path: the data file, for messages.
    """
    problems = drift_problems(bundle, frame, recent, anchored, path)
    if problems and strict:
        raise DataError(f"data drift: {problems[0]} ({len(problems)} problem(s)); retrain "
                        "with 'forecast train' or drop --strict")
    for p in problems:
        report.warn(f"data drift: {p}")
