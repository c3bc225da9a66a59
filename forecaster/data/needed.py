"""The columns a read will use, where the roles say so before the file is read.

A model's bundle names its time, series, target and feature columns; so does ``train``
given --time-col and --target. The checks run on every column of a table (units rows,
locale numbers) then look at those alone: a cron job reading one column of a logger's
export of 20,000 spent two minutes and 1.2 GB classifying columns it never read.
"""

from __future__ import annotations

import pandas as pd

from forecaster.data.spec import DataSpec, expand_names
from forecaster.data.target_all import wants_all


def needed_columns(spec: DataSpec, columns: list[str]) -> list[str] | None:
    """The file's columns the roles name, in file order; None where any role is left to
    be found among all of them (the time column, the targets, --target/--features all).

    Args:
        spec: the roles as given (a bundle's, or train's options).
        columns: the file's column names.

    Returns:
        The names (a named column the file lacks left out: it is refused later), or None.
    """
    if (not spec.targets or wants_all(spec.targets, columns)
            or wants_all(spec.features, columns)
            or (spec.time_col is None and not spec.time_parts)):
        return None
    given = [n for n in (spec.time_col, spec.series_col) if n is not None]
    named = set(expand_names([*given, *spec.time_parts, *spec.series_parts, *spec.targets,
                              *spec.features], columns))
    return [c for c in columns if c in named]


def only(raw: pd.DataFrame, columns: list[str] | None) -> pd.DataFrame:
    """``raw`` itself, or a copy of its ``columns`` (for checks that rewrite cells: give
    them back with ``raw[columns] = part``)."""
    return raw if columns is None else raw[columns].copy()
