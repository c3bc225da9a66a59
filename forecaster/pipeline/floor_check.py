"""The warning for --nonnegative given for a target whose readings go below zero."""

from __future__ import annotations

import numpy as np

from forecaster.data.loading import Frame
from forecaster.data.timestamps import column_label
from forecaster.report import Reporter


def warn_forced_floor(frame: Frame, setting: bool | None, report: Reporter) -> None:
    """Warn about each target that --nonnegative floors although it reads below zero.

    A balance, a temperature or a random walk floored at 0 is forecast 0 wherever it is
    negative: the fold errors grew, the intervals widened, and nothing said why.

    Args:
        frame: the training data (targets are its first columns).
        setting: --nonnegative (True), --allow-negative (False) or None (automatic,
            which never floors a target that goes negative).
        report: where the warnings go.
    """
    if setting is not True:
        return
    for j, col in enumerate(frame.spec.targets):
        values = np.concatenate([s.values[s.observed[:, j], j] for s in frame.series])
        below = values[values < 0]
        if below.size:
            report.warn(
                f"--nonnegative: '{column_label(col)}' reads below 0 in {below.size} of its "
                f"{values.size} values (down to {below.min():.4g}), yet its forecasts and "
                "intervals are floored at 0; leave --nonnegative out if those values are "
                "real readings, or mark broken ones with --na-values")
