"""Which columns play which role: the time, the series key, the targets and the features.

Kept apart from ``loading`` so that reading a file and naming its columns stay short.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from forecaster.data.spec import DataSpec
from forecaster.data.timestamps import check_parts, column_list, detect_time
from forecaster.errors import DataError


def resolve_columns(raw: pd.DataFrame, spec: DataSpec, path: Path) -> DataSpec:
    """The spec with every role named: given columns checked, the others detected.

    Raises:
        DataError: a named column is missing, or no target can be chosen.
    """
    cols = list(raw.columns)
    named = [spec.time_col, *spec.time_parts, spec.series_col, *spec.targets, *spec.features]
    for name in (n for n in named if n):
        if name not in cols:
            raise DataError(f"{path}: no column '{name}'; the columns are {column_list(cols)}")
    time_col, parts = spec.time_col, list(spec.time_parts)
    if time_col is None and not parts:
        time_col, parts = detect_time(raw, path)
    if parts:
        check_parts(parts, path)
    used = {time_col, *parts, spec.series_col, *spec.features}
    targets = spec.targets or _detect_target(raw, [c for c in cols if c not in used], path)
    if set(targets) & set(spec.features):
        raise DataError(f"{path}: a column cannot be both a target and a feature")
    return DataSpec(time_col=time_col, time_parts=parts, targets=list(targets),
                    series_col=spec.series_col,
                    features=list(spec.features), freq=spec.freq, fill=spec.fill,
                    duplicates=spec.duplicates)


def _detect_target(raw: pd.DataFrame, candidates: list[str], path: Path) -> list[str]:
    numeric = [c for c in candidates if _mostly_numeric(raw[c])]
    if len(numeric) == 1:
        return numeric
    if not numeric:
        raise DataError(f"{path}: no numeric column to forecast among "
                        f"{column_list(candidates) or 'the columns'}; name one with --target")
    raise DataError(f"{path}: several numeric columns ({column_list(numeric)}); choose the "
                    "one(s) to forecast with --target (others can be inputs via --features)")


def _mostly_numeric(col: pd.Series) -> bool:
    text = col.str.strip()
    values = text[(text != "") & ~is_na_word(text)]
    return len(values) > 0 and pd.to_numeric(values, errors="coerce").notna().mean() > 0.9


def is_na_word(text: pd.Series) -> pd.Series:
    """Cells that spell a missing value (NA, NaN, null, ...)."""
    return text.str.lower().isin({"nan", "na", "n/a", "null", "none", "-", "?"})
