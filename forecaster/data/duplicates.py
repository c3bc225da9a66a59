"""Rows that share a timestamp: an error naming them, or the --duplicates policy."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from forecaster.data.spec import DataSpec
from forecaster.errors import DataError


def _clock_change_hint(times: pd.Series) -> str:
    # Local clock times repeat one hour when daylight saving time ends (late October in
    # Europe, early November in North America); dropping them would lose a real hour.
    span = times.max() - times.min()
    if span <= pd.Timedelta(hours=1) and times.iloc[0].month in (10, 11):
        return ("; if these are local clock times repeated when daylight saving time ended, "
                "write the timestamps with their UTC offset (+02:00, then +01:00) or in UTC")
    return ""


def handle_duplicates(data: pd.DataFrame, spec: DataSpec, path: Path) -> pd.DataFrame:
    """Apply ``--duplicates`` to rows sharing a (series, timestamp) key.

    Raises:
        DataError: with the default policy "error", naming the first repeated timestamp.
    """
    dup = data.duplicated(["__series", "__time"], keep=False)
    if not dup.any():
        return data
    if spec.duplicates == "error":
        times = data.loc[dup, "__time"]
        rows = sorted(int(i) + 2 for i in times.index[times == times.iloc[0]])[:2]
        several = "" if spec.series_col else ("if the file holds several series, name "
                                              "their column with --series-col; else ")
        raise DataError(f"{path}: duplicate timestamp {times.iloc[0]:%Y-%m-%d %H:%M:%S} (rows "
                        f"{' and '.join(map(str, rows))}; {int(dup.sum())} rows share a "
                        f"timestamp); {several}keep one with --duplicates first|last|mean "
                        "(at training: predict and detect-anomalies use the model's choice)"
                        f"{_clock_change_hint(times)}")
    if spec.duplicates == "mean":
        return data.groupby(["__series", "__time"], as_index=False, sort=False).mean()
    return data.drop_duplicates(["__series", "__time"], keep=spec.duplicates)
