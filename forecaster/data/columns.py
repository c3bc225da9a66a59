"""Which columns play which role: the time, the series key, the targets and the features.

Kept apart from ``loading`` so that reading a file and naming its columns stay short.
"""

from __future__ import annotations

import shlex
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pandas as pd

from forecaster.data.cells import is_na_word, shown
from forecaster.data.dup_keys import row_numbers, time_keys
from forecaster.data.labels import is_label, label_columns
from forecaster.data.row_lines import RowLines, line_of
from forecaster.data.spec import DataSpec, expand_names
from forecaster.data.target_all import wants_all
from forecaster.data.timestamps import (
    check_parts,
    column_list,
    detect_time,
    saved_index,
)
from forecaster.data.word_cells import passing, worded
from forecaster.errors import DataError

NUMERIC = 0.9  # a column is numeric where more than this share of its values are numbers


class ColumnError(DataError):
    """A ``DataError`` about a column that an option named.

    Attributes:
        column: the name, so that the CLI can say where the option's value came from (a
            stale ``FORECAST_TARGET`` in a cron job's environment, say).
    """

    def __init__(self, message: str, column: str = "") -> None:
        super().__init__(message)
        self.column = column


def resolve_columns(raw: pd.DataFrame, spec: DataSpec, path: Path,
                    first_row: RowLines = 2) -> DataSpec:
    """The spec with every role named: given columns checked, the others detected.

    Args:
        raw: the file's cells, as text.
        spec: the roles as given.
        path: the file, for messages.
        first_row: the first row's line in the file, for messages.

    Raises:
        DataError: a named column is missing, or no target can be chosen.
    """
    cols = list(raw.columns)
    every = wants_all(spec.targets, cols)  # --target all: chosen below, as by default
    inputs = wants_all(spec.features, cols)  # --features all: the rest, once targets are
    spec = _expanded(replace(spec, targets=[] if every else spec.targets,
                             features=[] if inputs else spec.features), cols)
    named = [spec.time_col, *spec.time_parts, *spec.series_cols, *spec.targets, *spec.features]
    if spec.time_col == "":
        raise ColumnError(f"{path}: --time-col '' names the one column with no name in the "
                          f"header; found none or several among {column_list(cols)}: give "
                          "the time column's name", "")
    # "" too: a header cell of spaces is read as "", and a model trained on it named a
    # column that a later file lacked: a KeyError (exit 70) where any other name is refused.
    for name in (n for n in named if n is not None):
        if name not in cols:
            raise ColumnError(f"{path}: no column '{name}'{_blank(name)}; the columns are "
                              f"{column_list(cols)}: check the name (case counts), or rename "
                              "the file's column (a model's later files need its training "
                              "columns)", name)
    time_col, parts = spec.time_col, list(spec.time_parts)
    if time_col is None and not parts:
        time_col, parts = detect_time(raw, path)
    if parts:
        check_parts(parts, path)
    _check_roles(time_col, parts, spec, path)
    used = {time_col, *parts, *spec.series_cols, *spec.features}
    if spec.time_col is not None and not spec.targets:
        _refuse_numeric_time(raw, spec.time_col, [c for c in cols if c not in used], path)
    targets = spec.targets or _detect_target(raw, [c for c in cols if c not in used], path,
                                                 first_row, [time_col] if time_col else parts,
                                                 spec.series_cols, every)
    features = list(spec.features)
    if inputs:
        features = _all_inputs(raw, [c for c in cols if c not in used and c not in targets],
                               path)
    return replace(spec, time_col=time_col, time_parts=parts, targets=list(targets),
                   features=features)


def _refuse_numeric_time(raw: pd.DataFrame, name: str, rest: list[str], path: Path) -> None:
    """Refuse a column of numbers named by ``--time-col`` where the file's times are in
    another column and no other column holds numbers: the error said no column was
    numeric, blaming the real time column's dates ('2026-01-01 00:00:00' is not a number).

    Raises:
        ColumnError: naming the column given, a value of it, and the time column found.
    """
    if not rest or not _mostly_numeric(raw[name]) or _numeric(raw, rest):
        return
    try:
        found, parts = detect_time(raw[rest], path)
    except DataError:
        return  # no times elsewhere: the error about the values is the one to give
    other = found or ",".join(parts)
    cells = raw[name].str.strip()
    first = cells[cells != ""].iloc[0]
    raise ColumnError(f"{path}: --time-col {name}: column '{name}' holds numbers "
                      f"({shown(first)}, ...), and the times are in column '{other}'; "
                      "expected --time-col to name the column of timestamps: give --time-col "
                      f"{shlex.quote(other)}, or leave it out ('{name}' is then the one "
                      "column to forecast)", name)


def _blank(name: str) -> str:
    return "" if name.strip() else " (a header cell left blank)"


def _all_inputs(raw: pd.DataFrame, candidates: list[str], path: Path) -> list[str]:
    """``--features all``: the numeric columns left, less labels (the answer: SKAB's
    anomaly and changepoint would leak into the inputs), saved indexes and row numbers."""
    candidates = [c for c in candidates if not saved_index(raw[c])]
    labels = label_columns(raw, candidates)
    numeric = _numeric(raw, candidates)
    found = [c for c in numeric if c not in labels and not row_numbers(raw[c])]
    if not found:
        left = f" (left: {column_list(candidates)})" if candidates else ""
        raise DataError(f"{path}: --features all found no numeric column besides the "
                        f"target(s), time and series columns{left}; expected at least one: "
                        "leave --features out to forecast from the target(s) alone")
    return found


def _expanded(spec: DataSpec, cols: list[str]) -> DataSpec:
    # Options hold names as given ("a,b", or a column named "price, USD"); only here,
    # with the columns known, can they be split.
    time = expand_names([spec.time_col] if spec.time_col is not None else [], cols)
    keys = expand_names(spec.series_cols, cols)  # "store,item": a series per pair
    return replace(spec, time_col=time[0] if len(time) == 1 else None,
                   time_parts=time if len(time) > 1 else expand_names(spec.time_parts, cols),
                   series_col=keys[0] if len(keys) == 1 else None,
                   series_parts=keys if len(keys) > 1 else [],
                   targets=expand_names(spec.targets, cols),
                   features=expand_names(spec.features, cols))


def _check_roles(time_col: str | None, parts: list[str], spec: DataSpec, path: Path) -> None:
    # A name given twice would train two outputs (or feed two inputs) from one column, and
    # a column in two roles is read twice: as times and as numbers, say.
    for option, names in (("--target", spec.targets), ("--features", spec.features),
                          ("--series-col", spec.series_cols)):
        twice = [n for n, k in Counter(names).items() if k > 1]
        if twice:
            raise ColumnError(f"{path}: column '{twice[0]}' is named more than once in "
                              f"{option}; name each column once", twice[0])
    roles = [("the time column", [time_col, *parts]), ("the series column", spec.series_cols),
             ("a target", spec.targets), ("a feature", spec.features)]
    seen: dict[str, str] = {}
    for role, names in roles:
        for name in filter(None, names):
            if name in seen:
                raise ColumnError(f"{path}: column '{name}' is both {seen[name]} and {role}; "
                                  "give each column one role (--time-col, --series-col, "
                                  "--target, --features)", name)
            seen[name] = role


def _detect_target(raw: pd.DataFrame, candidates: list[str], path: Path,
                   first_row: RowLines, times: list[str], series: list[str],
                   every: bool = False) -> list[str]:
    # The only numeric column; or with --target all, each one (the keys of stacked
    # series aside: they are refused alike, as values they would be forecast).
    candidates = [c for c in candidates if not saved_index(raw[c])]
    labels = label_columns(raw, candidates)  # the answer, not a value (Yahoo's is_anomaly)
    candidates = [c for c in candidates if c not in labels]
    numeric = _numeric(raw, candidates)
    if every:  # row numbers (a saved index, Favorita's id) are no values either
        numeric = [c for c in numeric if not row_numbers(raw[c])] or numeric
    if len(numeric) == 1 or (every and numeric and not time_keys(raw, times, series,
                                                                 candidates)[0]):
        return numeric
    if not numeric and labels:  # a machine's 0/1 state, named 'label', is data too
        raise DataError(f"{path}: the only numeric column, {', '.join(labels)}, holds 0/1 "
                        "values named like anomaly labels, left out of the default; expected "
                        f"a column to forecast: give --target {labels[0]} if it is one")
    if not numeric:
        why = _why_not(raw, candidates, first_row)
        raise DataError(f"{path}: no numeric column to forecast among "
                        f"{column_list(candidates) or 'the columns'}{why}; "
                        "expected plain numbers (10.5, not 10.5% or 10.5 USD): fix the values, or "
                        "name one with --target")
    keys, when = time_keys(raw, times, series, candidates)
    if keys:  # stacked series (Store, Dept): keys to name, not values to forecast
        rest = [c for c in numeric if c not in keys and not row_numbers(raw[c])]
        listed = " and ".join(f"'{k}'" for k in keys)
        name = "they name" if len(keys) > 1 else "it names"
        option = shlex.quote(",".join([*series, *keys]))  # "Store Type,Dept" pastes whole
        raise DataError(f"{path}: several numeric columns, and rows at {when} differ in "
                        f"{listed}: if {name} the series, give --series-col {option}; then "
                        f"choose the one(s) to forecast among {column_list(rest)} with --target "
                        "(others can be inputs via --features)")
    counters = [c for c in numeric if row_numbers(raw[c])]  # PM2.5's 'No': no candidate
    values = [c for c in numeric if c not in counters] or numeric
    left = f"; left out {', '.join(labels)}: 0/1 labels" if labels else ""
    left += f"; left out {column_list(counters)}: row numbers" if values != numeric else ""
    raise DataError(f"{path}: several numeric columns ({column_list(values)}{left}); choose "
                    "the one(s) to forecast with --target, or --target all for each (others "
                    "can be inputs via --features)")


def skipped_text(raw: pd.DataFrame, spec: DataSpec, path: Path,
                 first_row: RowLines) -> list[str]:
    """A note naming the columns passed over as text where the target was chosen by
    default: prices written '$106.79' were skipped, and the volume forecast, silently.

    Args:
        raw: the file's cells, as text.
        spec: the roles, the target detected.
        path: the file, for the note.
        first_row: the first row's line in the file, for the note.

    Returns:
        The note, or nothing where no column of text was passed over.
    """
    return [f"{path.name}: forecasting {column_list(spec.targets)}, the only numeric "
            f"column; left out {text}: name the target with --target if it is one of those, "
            "after fixing its cells" for text in _left_out(raw, spec, first_row, empty=True)]


def skipped_inputs(raw: pd.DataFrame, spec: DataSpec, path: Path,
                   first_row: RowLines) -> list[str]:
    """A note naming the columns ``--features all`` passed over as text: a wind direction
    ('NW') was left out of the inputs without a word."""
    return [f"{path.name}: --features all: left out {text}: a network reads "
            "numbers only; to use such a column, write it as numbers (one 0/1 column per "
            "category) and name it with --features" for text in _left_out(raw, spec, first_row)]


def _left_out(raw: pd.DataFrame, spec: DataSpec, first_row: RowLines,
              empty: bool = False) -> list[str]:
    """The columns of text no role took, with why the first is no number ("as text: cbwd
    (row 2, column 'cbwd': 'NW' is not a number)"), as one entry; with ``empty``, the
    columns without a value as another (an export's 'value' column left empty, and another
    column forecast without a word); none where there is none."""
    unnamed = [c for c in raw.columns if c not in spec.named]
    numeric = set(_numeric(raw, unnamed))
    free = [c for c in unnamed if c not in numeric]
    words = dict(zip(free, worded([raw[c] for c in free]), strict=True))  # in one pass
    text = [c for c in free if (words[c] or not_numbers(raw[c].str.strip()).any())
            and not is_label(raw[c])]
    blank = [c for c in free if empty and c not in text and _no_values(raw[c])]
    out = [f"as text: {column_list(text, limit=8)} "
           f"({_why_not(raw, text, first_row).strip(' ()')})"] if text else []
    return out + ([f"as empty: {column_list(blank, limit=8)} (every cell empty or a "
                   "missing-value word)"] if blank else [])


def _no_values(col: pd.Series) -> bool:
    # No cell holds anything but spaces or a missing-value word (NA, -).
    text = col.str.strip()
    return bool(((text == "") | is_na_word(text)).all())


def _why_not(raw: pd.DataFrame, candidates: list[str], first_row: RowLines) -> str:
    # The first cell that is not a number tells at once what is wrong ('10%', '$10').
    if not candidates:
        return ""
    name = candidates[0]
    bad = not_numbers(raw[name].str.strip())
    if not bad.any():
        return f" (column '{name}' has no values: every cell is empty or a missing-value word)"
    row = int(bad.to_numpy().argmax())
    cell = shown(raw[name].iloc[row].strip())
    return f" (row {line_of(first_row, row)}, column '{name}': '{cell}' is not a number)"


def not_numbers(text: pd.Series) -> pd.Series:
    """Cells that are neither numbers nor missing (empty, NA, ...): '10%', '$10', 'true'."""
    present = (text != "") & ~is_na_word(text)
    return present & pd.to_numeric(text.where(present, None), errors="coerce").isna()


def _numeric(raw: pd.DataFrame, names: list[str]) -> list[str]:
    # The columns of ``names`` mostly of numbers, in order; words ruled out at once.
    found = passing([raw[c] for c in names], _mostly_numeric, NUMERIC, strict=True)
    return [names[j] for j in found]


def _mostly_numeric(col: pd.Series) -> bool:
    text = col.str.strip()
    values = text[(text != "") & ~is_na_word(text)]
    return len(values) > 0 and pd.to_numeric(values, errors="coerce").notna().mean() > NUMERIC
