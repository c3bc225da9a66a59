"""One series put on its grid: rows off the grid checked and dropped, gaps filled by the
``--fill`` policy (``grid.regularise`` runs it for every series)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from forecaster.data.grid_checks import check_density, check_on_grid
from forecaster.data.spec import DataSpec
from forecaster.errors import DataError

if TYPE_CHECKING:  # loading imports grid, which imports this module
    from forecaster.data.loading import Series


def off_grid_frame(rows: pd.DataFrame, times: pd.DatetimeIndex, grid: pd.DatetimeIndex,
                   columns: list[str], spec: DataSpec, freq: str, path: Path, name: object,
                   every: dict[str, pd.DatetimeIndex]) -> tuple[pd.DataFrame, pd.DatetimeIndex,
                                                               pd.DatetimeIndex, np.ndarray]:
    """Rows not exactly on ``grid`` reindexed onto it, after the checks that they fit it.

    Returns:
        The values on the grid, the grid (cut at the last row on it), the rows off the
        grid after its end, and which rows lie off the grid.
    """
    off = check_on_grid(times, grid, freq, path, name, given=spec.freq is not None,
                        every=every)
    check_density(times, grid, freq, path, name,
                  explicit=(spec.freq or spec.resample) is not None,
                  binned=spec.resample is not None, every=every)
    # The grid ends at the last row on it: a last row off the grid (13:02 after
    # 12:55) made up a filled 13:00 that predict started from.
    grid = grid[grid <= times[~off][-1]] if off.any() else grid
    late = times[off][times[off] > grid[-1]]
    return rows.set_index("__time")[columns].reindex(grid), grid, late, off


def regular_series(name: object, frame: pd.DataFrame, grid: pd.DatetimeIndex,
                   late: pd.DatetimeIndex, policy: str, path: Path) -> tuple[Series, int]:
    """The series of ``frame`` with its gaps filled by ``policy``, and how many were filled."""
    from forecaster.data.loading import Series

    observed = frame.notna().to_numpy()
    values = _fill(frame, policy, path, name)
    series = Series(name=str(name), index=grid, values=values.astype(np.float64),
                    observed=observed, late_off=(len(late), late[0]) if len(late) else None)
    return series, int((~observed).sum())


def _fill(frame: pd.DataFrame, policy: str, path: Path, name: str) -> np.ndarray:
    if frame.isna().all().any():
        col = frame.columns[frame.isna().all().to_numpy()][0]
        where = f" in series '{name}'" if name else ""
        # One dead sensor among many series stops the whole run: say how to keep the rest.
        todo = (f"check the feed of '{col}' for series '{name}', or leave that series' rows "
                "out of the file") if name else f"check the feed of '{col}'"
        raise DataError(f"{path}: column '{col}' has no values{where} (every cell empty or "
                        f"a missing-value marker); expected at least one number: {todo}")
    if policy == "error" and frame.isna().any().any():
        missing = frame.isna().to_numpy()
        row = int(missing.any(axis=1).argmax())
        stamp, col = frame.index[row], frame.columns[missing[row].argmax()]
        where = f" of series '{name}'" if name else ""
        raise DataError(f"{path}: {int(missing.any(axis=1).sum())} step(s){where} lack a value "
                        f"(an empty cell or a gap in the times), the first at "
                        f"{stamp.isoformat()} in column '{col}'; --fill error expects every "
                        "value: fill them in, or choose --fill interpolate, ffill or zero")
    if policy == "zero":
        return frame.fillna(0.0).to_numpy()
    if policy == "interpolate":
        frame = frame.interpolate(method="linear", limit_direction="both")
    # ffill, and the leading edge of every policy: carry the nearest value.
    return frame.ffill().bfill().to_numpy()

