"""A grid's size checked before it is built: a slip such as "--freq 1ms" for MS asked
for gigabytes before any other check could say the step was too fine."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from forecaster.data.freq_steps import on_steps, step_word
from forecaster.data.spec import DataSpec
from forecaster.data.timestamps import time_text
from forecaster.errors import DataError

# Steps per series past which a grid is refused (and 100 per row): 10M float64 values
# are 80 MB a column, and a network trained on CPU has no use for more.
MAX_GRID = 10_000_000


def check_grid_size(times: pd.DatetimeIndex, offset: pd.DateOffset, spec: DataSpec,
                    freq: str, path: Path) -> None:
    """Refuse a step so fine that the grid alone would not fit in memory (10 GiB for
    "--freq 1ms" over 400 hourly rows).

    Args:
        times: the rows' sorted times.
        offset: the step.
        spec: the data spec: whether the step was given (--freq, --resample) or inferred
            (then a row far off the rest is what makes the grid so long).
        freq: the step's alias.
        path: the file, for messages.
    """
    try:
        step = pd.Timedelta(offset)
    except ValueError:  # calendar steps (MS, B) have no fixed length, and are never that fine
        return
    steps = (times[-1] - times[0]) // step + 1 if len(times) else 0
    if steps <= max(100 * len(times), MAX_GRID):
        return
    what = _step_as_given(spec, freq, times)
    if not (spec.freq or spec.resample):
        raise DataError(f"{path}: the rows run from {time_text(times[0], times)} to "
                        f"{time_text(times[-1], times)}, {steps:,} steps of {what} for "
                        f"{len(times):,} rows: remove a row far from the others (a wrong "
                        "date?), or bin the rows to a coarser step with --resample")
    own = ("a bare number of steps" if on_steps(freq, times) else
           "e.g. h, 5min, D; 'MS' for month starts")
    raise DataError(f"{path}: {what} would make {steps:,} steps for {len(times):,} "
                    f"rows, far finer than the rows are apart: give the data's own step "
                    f"({own}) or a coarser one")


def _step_as_given(spec: DataSpec, freq: str, times: pd.DatetimeIndex) -> str:
    """The step as the user gave it (or as it was inferred), for a message."""
    if spec.resample:  # steps as the number given (--resample 10), not as '10ns'
        return f"--resample {step_word(spec.resample, times)}"
    if spec.freq:
        return f"--freq {step_word(freq, times)}"
    return f"the inferred step of {step_word(freq, times)}" if on_steps(freq, times) else \
        f"the inferred step '{freq}'"
