"""Read a CSV into validated, regularly spaced series.

Every problem a user can fix becomes a ``DataError`` that names the file, the
column or row, what was found, what was expected and what to do.
"""

from __future__ import annotations

import os
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from forecaster.access import is_refusal, why_denied
from forecaster.data import csvlines, events, freq_steps, labels, numbers, sentinels, space_lines
from forecaster.data.columns import resolve_columns, skipped_inputs, skipped_text
from forecaster.data.day_clock import hour_column
from forecaster.data.duplicates import handle_duplicates
from forecaster.data.end_of_day import end_of_day_note
from forecaster.data.grid import regularise, series_times
from forecaster.data.grid_notes import grid_notes
from forecaster.data.interleaved import refuse_interleaved
from forecaster.data.jitter import snap_jitter
from forecaster.data.layout import Layout, read_layout
from forecaster.data.needed import needed_columns
from forecaster.data.nul_bytes import refuse_nul
from forecaster.data.open_quote import read_closed
from forecaster.data.option_times import day_order
from forecaster.data.padding import drop_padding
from forecaster.data.repeated_header import check_repeated_header
from forecaster.data.resample import newest_rows, resample_rows
from forecaster.data.row_lines import RowLines, row_lines
from forecaster.data.row_steps import number_rows
from forecaster.data.series_keys import series_keys
from forecaster.data.shape import check_shape
from forecaster.data.spec import DataSpec
from forecaster.data.step_columns import explain_missing
from forecaster.data.table_end import table_end
from forecaster.data.target_all import all_note, wants_all
from forecaster.data.time_ranges import range_starts
from forecaster.data.timestamps import parse_times
from forecaster.data.units_row import drop_units_rows
from forecaster.data.values import numeric_block
from forecaster.data.year_less import year_less_months
from forecaster.data.zone_names import drop_zone_names
from forecaster.data.zones import without_offset, written_offsets, written_times
from forecaster.digest import sha256_file
from forecaster.errors import DataError, MissingInputError


@dataclass
class Series:
    """One regularly spaced series.

    Attributes:
        name: series key ("" for a single-series file).
        index: UTC timestamps on the frequency grid.
        values: (timesteps, channels) float64 (as read: exact echoes), targets first, then features.
        observed: (timesteps, channels) bool, False where a value was filled in.
        late_off: the rows off the grid after its last step (count and first timestamp),
            left out: a feed whose clock moved since training writes its newest rows there.
        read_last: with --resample, its newest row as read (None: its newest step): bins
            are labelled by their start, and a last bin not yet complete is left out.
    """

    name: str
    index: pd.DatetimeIndex
    values: np.ndarray
    observed: np.ndarray
    late_off: tuple[int, pd.Timestamp] | None = None
    read_last: pd.Timestamp | None = None


@dataclass
class Frame:
    """All series of one file, with their shared layout.

    Attributes:
        notes: what reading did, for stderr (rows sorted, values filled, ...).
        warnings: what may be wrong with the roles given (a column of 0/1 anomaly labels
            chosen as a feature), for stderr as warnings.
        sha256: the file's digest when it was read, if taken ("" if not).
        naive_times: the file's times carry no UTC offset (read as UTC).
        time_offsets: the UTC offsets its times write (``zones.written_offsets``).
    """

    series: list[Series]
    spec: DataSpec
    freq: str
    n_filled: int
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sha256: str = ""
    naive_times: bool = False
    time_offsets: tuple[str, ...] | None = None

    @property
    def columns(self) -> list[str]:
        """Channel names: targets then features."""
        return self.spec.targets + self.spec.features


def file_sha256(path: Path) -> str:
    """Hex digest of a file, recorded in the bundle to tell what a model saw."""
    try:
        return sha256_file(path)
    except OSError as exc:
        raise unreadable(path, exc) from None


def unreadable(path: str | os.PathLike, exc: OSError) -> MissingInputError:
    """The error for an input that exists but cannot be read (no permission, a directory,
    a disk error): like a missing file, the user's to fix (exit 66), not an internal error."""
    why = exc.strerror or type(exc).__name__
    # Who is refused, and by what: the file, or a folder on its way that it cannot enter.
    who = f": {why_denied(Path(path))}" if is_refusal(exc) else ""
    return MissingInputError(f"{path}: cannot read the file ({why}){who}; expected a readable "
                             "CSV file: check its permissions and the path")


def load_frame(path: str | os.PathLike, spec: DataSpec, steps: bool = False) -> Frame:
    """Read, validate and regularise a CSV.

    Args:
        path: the CSV file.
        spec: column roles and policies; unset roles are detected and filled in
            on the returned frame's ``spec``.
        steps: whole numbers in the time column are step numbers whatever their range
            (a bundle trained on step numbers reading its data again).

    Returns:
        The validated frame.

    Raises:
        MissingInputError: the file does not exist.
        DataError: the content is malformed.
    """
    path = Path(path)
    # Rows are named by their lines in the file, after any preamble and blank lines.
    raw, notes, first_row = _read_csv(path, spec)
    try:
        return _frame(path, raw, notes, first_row, spec, steps)
    except DataError as exc:  # "only 2 timestamps" of a 3-row file: say the third is left out
        raise csvlines.with_cut_line(exc, notes) from None


def _frame(path: Path, raw: pd.DataFrame, notes: list[str], first_row: RowLines,
           spec: DataSpec, steps: bool) -> Frame:
    raw, spec = events.count_events(raw, spec, path)
    raw, steps_note = number_rows(raw, path, spec)  # several columns of values alone
    raw, ranges_note = range_starts(raw, spec.time_col, path)  # rows labelled by intervals
    raw = drop_zone_names(raw, spec.time_col)  # Go's "+0100 CET": the offset tells
    notes += [n for n in (steps_note, ranges_note) if n]
    every = wants_all(spec.targets, list(raw.columns))  # --target all
    inputs = wants_all(spec.features, list(raw.columns))  # --features all
    given = bool(spec.targets) and not every
    try:
        spec = resolve_columns(raw, spec, path, first_row)
    except DataError as exc:
        raise events.explain(explain_missing(exc, raw, path, steps), raw, spec, path) from None
    notes += [all_note(path, spec.targets)] if every else []
    notes += [all_note(path, spec.features, "--features", "inputs")] if inputs else []
    notes += [] if given or every else skipped_text(raw, spec, path, first_row)
    notes += skipped_inputs(raw, spec, path, first_row) if inputs and (given or every) else []
    label_notes, warned = labels.label_notes(raw, spec, path, detected=not given)
    notes += label_notes
    notes = numbers.read_columns_only(notes, spec.targets + spec.features, raw)
    raw, year_note = year_less_months(raw, spec.time_col, path)
    notes += [n for n in (year_note, end_of_day_note(raw, spec, path)) if n]
    times = parse_times(raw, spec.time_col, spec.time_parts, path, first_row, steps)
    spec = freq_steps.read(spec, times, path)  # --freq 10: ten steps, on step numbers
    spec = replace(spec, day_first=day_order(written_times(raw, spec), times))
    data = numeric_block(raw, spec, path, first_row)
    notes += [] if spec.na_values else sentinels.marker_notes(path.name, data)
    data.insert(0, "__time", times)
    data.insert(0, "__series", series_keys(raw, spec, path, first_row))
    refuse_interleaved(raw, data, spec, path)  # tags scanned at different phases
    data = _sorted(data, path, notes)
    # The times as read, for advice on a --resample step; without binning they stay so.
    read = series_times(data) if spec.resample else None
    newest = newest_rows(data, spec) if spec.resample else {}
    if spec.resample:  # rows sharing a bin, or a timestamp, are aggregated
        data = resample_rows(data, spec, path, notes)
    else:
        data = snap_jitter(data, spec, path, notes, first_row)
        data = handle_duplicates(data, spec, path, written_times(raw, spec), first_row, notes,
                                 hour_column(raw, spec.time_col), raw)
    series, freq, n_filled, n_off, first_off = regularise(data, spec, path, read)
    series = [replace(s, read_last=newest.get(s.name)) for s in series]
    notes += grid_notes(path, series, freq, spec.fill, n_filled, n_off, first_off,
                        spec.targets + spec.features)
    # The first and last rows: a file's offsets change with daylight saving time.
    written = written_times(pd.concat([raw.head(1000), raw.tail(1000)]), spec)
    return Frame(series=series, spec=spec, freq=freq, n_filled=n_filled, notes=notes,
                 warnings=warned, naive_times=without_offset(written),
                 time_offsets=written_offsets(written))


def _sorted(data: pd.DataFrame, path: Path, notes: list[str]) -> pd.DataFrame:
    # Rows go series by series, each in time order. Series taking turns row by row (a long
    # file written as it is logged) is no disorder: note only a series out of time order.
    ordered = data.sort_values(["__series", "__time"], kind="stable")
    if ordered.index.equals(data.index):
        return data
    if not data.groupby("__series", sort=False)["__time"].is_monotonic_increasing.all():
        notes.append(f"{path.name}: rows were not in time order; they were sorted")
    return ordered


def _read_csv(path: Path, spec: DataSpec) -> tuple[pd.DataFrame, list[str], RowLines]:
    # The cells, as text; notes; and the header's line in the file.
    try:
        return _read_checked(path, spec)
    except OSError as exc:  # PermissionError, IsADirectoryError, ... from any of the opens
        raise unreadable(path, exc) from None


def _read_checked(path: Path, spec: DataSpec) -> tuple[pd.DataFrame, list[str], RowLines]:
    csvlines.check_regular_file(path)
    if not path.exists():
        dangling = " (a symbolic link to a missing file, or a loop of links)" if (
            path.is_symlink()) else ""
        raise MissingInputError(f"{path}: no such file{dangling}; check the path")
    if path.is_dir():
        raise MissingInputError(f"{path}: is a directory, expected a CSV file")
    if path.stat().st_size == 0:
        raise DataError(f"{path}: the file is empty; expected a CSV with a header row")
    csvlines.refuse_packed(path)
    layout = read_layout(path)
    sep, width = layout.sep, len(layout.header)
    stop, note = table_end(path, sep, width)
    span = layout.span(stop)
    refuse_nul(path, span)
    engine = _engine()
    with csvlines.open_span(path, span) as fh:  # pyarrow takes a line of spaces for a row
        engine = {} if engine and space_lines.has_space_lines(fh, sep) else engine
    if engine:
        # pyarrow's reader threads, stopped by a decoding error, aborted the process at
        # exit (134) about one run in ten: check the text before handing it over.
        csvlines.check_utf8(path, span)
    try:
        raw, span, note = read_closed(partial(_read_span, path, layout, engine), path, sep,
                                      width, span, note)
    except UnicodeDecodeError:
        raise csvlines.not_utf8(path) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise csvlines.parse_error(path, exc, sep, width, span) from None
    # A header of several rows was read from its last row: its names are the layout's.
    raw.columns = layout.header if layout.stacked else [str(c).strip() for c in raw.columns]
    first_row = row_lines(path, span, len(raw), sep)
    raw, layout, padding = drop_padding(raw, layout, path.name)
    if not engine:  # pyarrow refuses rows of the wrong width itself (a ParserError)
        csvlines.check_padded_rows(raw, path, sep, width, span)
    try:
        check_shape(raw, path, layout)
    except DataError as exc:  # "no data rows" in a file of one row without its line end
        raise csvlines.with_cut_line(exc, [note or ""]) from None
    check_repeated_header(raw, path, layout.header, first_row)
    needed = needed_columns(spec, list(raw.columns))  # a wide file's other columns: unread
    raw, first_row, units = drop_units_rows(raw, first_row, path.name, sep, needed)
    raw, steps = number_rows(raw, path)
    notes = [n for n in (layout.stacked, layout.row_names, note, padding, units, steps) if n]
    if layout.comments or layout.titles:
        notes.append(f"{path.name}: skipped {layout.preamble()} before the header "
                     f"(line {layout.line})")
    return raw, notes + numbers.locale_numbers(raw, path, sep, needed), first_row


def _read_span(path: Path, layout: Layout, engine: dict, span: csvlines.Span) -> pd.DataFrame:
    """The cells of the part of ``path`` that ``span`` covers, as text."""
    with nullcontext(path) if span == csvlines.Span() else csvlines.open_span(
            path, span) as src:
        return pd.read_csv(src, encoding="utf-8-sig", dtype=str, sep=layout.sep,
                           keep_default_na=False, **_names(layout), **engine)


def _names(layout: Layout) -> dict:
    # Rows one field wider than the header (R's row names): the names are the layout's,
    # the header line skipped (pyarrow refuses a header narrower than its rows).
    return {"header": None, "names": layout.header, "skiprows": 1} if layout.row_names else {}


def _engine() -> dict:
    # pyarrow parses large files several times faster; it is optional.
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return {}
    return {"engine": "pyarrow"}
