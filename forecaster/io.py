"""Writing tables as CSV or JSON, to stdout or atomically to a file (the paths are checked
before any work in ``output_paths``)."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

import numpy as np
import pandas as pd

from forecaster.atomic import atomic_write_text, atomic_writer
from forecaster.errors import ConfigError, OutputError
from forecaster.limits import FORMATS
from forecaster.output_target import stdout_todo

# Columns that echo the user's own values: written in full (the shortest text that reads
# CSV's decimal text holds), not rounded like computed numbers.
EXACT = ("value", "actual")
# A row's interval: its width sets how finely the row's computed numbers are written.
BOUNDS = ("lower", "upper")
# Rows written at a time by ``write_parts``: memory stays small, the per-call cost shared.
BATCH_ROWS = 20_000


def render(df: pd.DataFrame, fmt: str) -> str:
    """The table as CSV or as a JSON list of records (timestamps in ISO 8601)."""
    _check_format(fmt)
    if fmt == "csv":
        return _csv(df, header=True)
    return json.dumps(_records(df), indent=1) + "\n"


def write_parts(fh: TextIO, parts: Iterable[pd.DataFrame], fmt: str) -> None:
    """Write a table part by part, byte for byte as ``render`` writes the parts joined.

    Args:
        fh: where the text goes.
        parts: the table's rows in order, in pieces with the same columns.
        fmt: csv or json.
    """
    _check_format(fmt)
    opened = False
    for df in _batched(parts):
        if fmt == "csv":
            fh.write(_csv(df, header=not opened))
            opened = True
        elif len(df):
            # The items of ``json.dumps(records, indent=1)``, without its brackets.
            fh.write((",\n" if opened else "[\n") + json.dumps(_records(df), indent=1)[2:-2])
            opened = True
    if fmt == "json":
        fh.write("\n]\n" if opened else "[]\n")


def _batched(parts: Iterable[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    """The parts joined into pieces of about ``BATCH_ROWS`` rows: formatting has a fixed
    cost per piece, which thousands of short series (--last 1 on every host) paid each."""
    rows = BATCH_ROWS
    held: list[pd.DataFrame] = []
    count = 0
    for df in parts:
        held.append(df)
        count += len(df)
        if count >= rows:
            yield held[0] if len(held) == 1 else pd.concat(held, ignore_index=True)
            held, count = [], 0
    if held:
        yield held[0] if len(held) == 1 else pd.concat(held, ignore_index=True)


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ConfigError(f"--format {fmt}: expected one of {', '.join(FORMATS)}")


def _text_times(df: pd.DataFrame) -> pd.DataFrame:
    """A copy with its timezone-aware columns as ISO 8601 strings.

    Step numbers arrive as integers: their producers know the series is step-indexed,
    while a lone time cannot tell step 0 from 1970-01-01T00:00 (a monthly forecast
    for January 1970 printed as step 0)."""
    df = df.copy()
    for col in df.columns:
        if pd.api.types.is_float_dtype(df[col].dtype):
            df[col] = df[col] + 0.0  # -0.0 prints as "-0"; adding 0.0 makes it 0.0
        elif isinstance(df[col].dtype, pd.DatetimeTZDtype):
            spec = _timespec(df[col])
            df[col] = df[col].map(lambda t, spec=spec: t.isoformat(timespec=spec))
    return df


def _timespec(times: pd.Series) -> str:
    """The one precision for a column's times: isoformat's default drops a zero fraction,
    so 250 ms rows alternated '00:01:15+00:00' and '00:01:15.250000+00:00', which pandas,
    taking the format from the first row, refuses to read."""
    if (times.dt.nanosecond.fillna(0) != 0).any():
        return "nanoseconds"
    micro = times.dt.microsecond.fillna(0)
    if (micro % 1000 != 0).any():
        return "microseconds"
    return "milliseconds" if (micro != 0).any() else "seconds"


def _csv(df: pd.DataFrame, header: bool) -> str:
    df = _text_times(df)
    for col in filter(lambda c: _exact(df, c), df.columns):
        df[col] = [None if v != v else _echo(v) for v in df[col].tolist()]
    units = _row_units(df)
    if units is not None:  # rows whose interval is narrow against their level
        for col in filter(lambda c: _fine(df, c), df.columns):
            df[col] = [None if v != v else _number(v, u)
                       for v, u in zip(df[col].tolist(), units, strict=True)]
    return df.to_csv(index=False, header=header, float_format=_number, lineterminator="\n")


def _echo(v: float) -> str:
    """A value read from the file, as its digits: the shortest text that reads back as it,
    without the '.0' of a whole number (a count of 112 passengers stays 112)."""
    text = repr(v)
    return text[:-2] if text.endswith(".0") else text


def _exact(df: pd.DataFrame, col: str) -> bool:
    # float32 holds about 7 digits: its 15 would be noise (60.091 as 60.0909996032715).
    return (col in EXACT or col.startswith("value_")) and df[col].dtype == "float64"


def _number(x: float, unit: float = math.inf) -> str:
    """A computed number as text: 7 significant digits, whole units from 10^7 on, and down
    to ``unit`` where that is finer.

    Seven digits is about what a float32 network resolves relative to a series' spread, but
    written as ``%.7g`` a meter reading of 123556590 would print as 1.235566e+08, hiding
    every step of the counter. A level far above its spread (1e8 varying by 0.01) needs
    more digits than either: ``unit`` is its row's step (see ``_row_units``). From 10^16 up
    float64 holds no more whole units: the shortest text that reads back as the number.
    """
    x = float(x)  # pandas passes numpy floats, whose repr names their type
    if unit < _default_unit(abs(x)):
        if unit <= math.ulp(x):  # finer than the float holds: every digit it has
            return _echo(x)
        return f"{x:.{-math.floor(math.log10(unit))}f}".rstrip("0").rstrip(".")
    if 1e7 <= abs(x) < 1e16:
        return f"{x:.0f}"
    return _echo(x) if abs(x) >= 1e16 and math.isfinite(x) else f"{x:.7g}"


def _default_unit(ax: float) -> float:
    """The step ``_number`` writes ``ax`` to without a ``unit`` (0: every digit)."""
    if ax == 0 or ax >= 1e16 or not math.isfinite(ax):
        return 0.0
    return 1.0 if ax >= 1e7 else 10.0 ** (math.floor(math.log10(ax)) - 6)


def _row_units(df: pd.DataFrame) -> np.ndarray | None:
    """Per row, the step its computed numbers are written to: a thousandth of its interval
    (three digits of the upper - lower width), so forecast and bounds stay apart where the
    default rounding would print one number for all three; None where no row needs it."""
    if not all(c in df.columns and df[c].dtype == "float64" for c in BOUNDS):
        return None
    width = (df["upper"] - df["lower"]).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        units = 10.0 ** (np.floor(np.log10(width)) - 2)
        level = np.abs(df[["lower", "upper"]].to_numpy()).max(axis=1)
        # 7 significant digits resolve level / 1e6, whole units 1: finer rows need more.
        finer = units < np.where(level >= 1e7, 1.0, level * 1e-6)
    units[~(np.isfinite(units) & (width > 0))] = math.inf
    return units if (finer & np.isfinite(units)).any() else None


def _fine(df: pd.DataFrame, col: str) -> bool:
    # float32 columns hold about 7 digits: more would be noise.
    return not _exact(df, col) and df[col].dtype == "float64"


def _records(df: pd.DataFrame) -> list:
    df = _text_times(df)
    columns, units = {}, _row_units(df)
    for col in df.columns:
        if units is not None and _fine(df, col):
            columns[col] = [_plain(v, lambda x, u=u: _number(x, u))
                            for v, u in zip(df[col].tolist(), units, strict=True)]
            continue
        number = repr if _exact(df, col) else _number
        columns[col] = [_plain(v, number) for v in df[col].tolist()]
    return [dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)]


def _plain(v: object, number: Callable[[float], str]) -> object:
    """A cell as a JSON value: floats rounded as in CSV, NaN and infinities null."""
    if isinstance(v, float):
        return float(number(v)) if math.isfinite(v) else None
    if isinstance(v, pd.Timestamp):
        return v.isoformat()
    return v


def write_output(text: str, output: Path | None) -> None:
    """Print to stdout, or write ``output`` (atomically if a file; see ``atomic_writer``)."""
    if output is None:
        write_stdout(text)
        return
    atomic_write_text(output, text)


def write_stdout(text: str) -> None:
    """Write all of ``text`` to stdout, or raise BrokenPipeError.

    When the reader of a pipe leaves during a large write (``| head -1``), the kernel
    takes part of it; CPython's buffered writer reports that short count, and text
    streams ignore it: the rest was dropped and the run exited 0, as if all was read.
    """
    out = sys.stdout
    if out is None:  # started with stdout closed (`>&-`)
        raise OutputError("stdout is closed, so the output has nowhere to go; run the "
                          "command with stdout open, or write a file with --output")
    raw = getattr(out, "buffer", None)
    if raw is None:  # a plain text stream (a test's capture): it takes everything
        out.write(text)
        return
    try:
        out.flush()
        data = memoryview(text.encode(out.encoding or "utf-8", out.errors or "strict"))
        while data:
            n = raw.write(data)
            if not n:
                raise BrokenPipeError("stdout took nothing")
            data = data[n:]
        raw.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:  # a full disk behind `> file`: not a bug, and not written
        raise OutputError(f"cannot write the output to stdout ({exc.strerror or exc}); "
                          f"{stdout_todo(exc)}, or write a file with --output") from None


class _Stdout:
    """Stdout as a stream whose writes go out whole (see ``write_stdout``)."""

    def write(self, text: str) -> int:
        write_stdout(text)
        return len(text)


@contextmanager
def output_stream(output: Path | None) -> Iterator[TextIO]:
    """Stdout, or ``output`` as ``atomic_writer`` writes it (a file: a temp file beside it,
    renamed onto it when the block succeeds; a FIFO or device: straight in).

    Args:
        output: the file to write; None for stdout (written as it comes).

    Yields:
        The text stream to write to.
    """
    if output is None:
        yield _Stdout()
        return
    with atomic_writer(output) as fh:
        yield fh
