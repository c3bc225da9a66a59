"""One series' scaling for a fold, and the channels too little read to take part in it."""

from __future__ import annotations

import numpy as np

from forecaster.data.carry import carried, carry_tail
from forecaster.data.loading import Frame, Series
from forecaster.data.scaling import Scaler


def sat_out(frame: Frame, parts: list[tuple[int, int, int]], need: int) -> np.ndarray:
    """(series, channels): which channels of each series sit a fold out.

    A channel read fewer than ``need`` times (one window's targets, at least 2) in a
    series' training part has no scale worth the name there: read 5 hours of a daily swing,
    its scale is a fraction of the final model's. And a channel no series read before its
    early-stopping block is an output the fold's network never learnt (a wide file's column
    read only in that block). Either way its validation errors measure no model.

    Args:
        frame: the data.
        parts: per series, its training part's start, early-stopping start and end.
        need: the readings a channel needs in a series' training part.
    """
    scarce = np.stack([s.observed[lo:hi].sum(axis=0) < max(need, 2)
                       for s, (lo, _, hi) in zip(frame.series, parts, strict=True)])
    learnt = sum((s.observed[lo:max(es, lo)] & ~out).sum(axis=0) for s, (lo, es, _), out
                 in zip(frame.series, parts, scarce, strict=True))
    return scarce | (learnt == 0)


def fold_scaled(frame: Frame, s: Series, part: slice, hi: int, horizon: int,
                out: np.ndarray) -> tuple[Scaler, np.ndarray, np.ndarray]:
    """One series' scaler, scaled values and observed mask for a fold whose training part
    ends at ``hi``, the channels ``out`` sitting it out: unread and at 0, as a series
    without training rows does. Their scalers were fitted on filled values drawn from the
    first reading after the fold's end: a wide file's late-starting column widened its
    intervals 20-fold and lifted the anomaly floor above a 15-sd spike in the others."""
    observed = s.observed & ~out
    scaler = Scaler().fit(np.where(out, 0.0, s.values[part]), observed[part] | out)
    if horizon:  # a forecaster: its inputs never read a value after them
        scaled = scaler.transform(carried(s.values, s.observed, frame.spec.fill))
    else:  # the reconstructor: interpolated, but not towards rows after its part
        scaled = scaler.transform(s.values)
        carry_tail(scaled, s.observed, hi, frame.spec.fill)
    scaled[:, out] = 0.0
    return scaler, scaled, observed
