"""Checks that look at a column's first rows before all of them (UCI's household power
file, 2 million rows of Date;Time, took 5 minutes to load, 4 of them joining the date and
time row by row): a column the first rows rule out is skipped, one they do not is looked at
whole, so the answers are those of the whole column."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from conftest import write_lines

from forecaster.data.dup_keys import row_numbers
from forecaster.data.loading import load_frame
from forecaster.data.numbers import DECIMAL_COMMA, fullmatch_spaced
from forecaster.data.spec import DataSpec
from forecaster.data.word_cells import numeral_shares
from forecaster.data.zones import written_times
from forecaster.errors import DataError


def test_digits_of_other_scripts_still_count_as_numerals() -> None:
    # ASCII digits are found by pyarrow's engine, the rest by Python's \d as before.
    cells = pd.Series(["\u0663", "x", "12", "Infinity", "\u0968\u0966"], dtype="str")
    assert numeral_shares([cells]).tolist() == [0.8]


def test_row_numbers_out_of_order_past_the_first_rows_are_row_numbers() -> None:
    ids = np.random.default_rng(0).permutation(3000) + 7
    assert row_numbers(pd.Series(ids.astype(str), dtype="str"))
    halves = pd.Series([f"{i + 0.5}" for i in ids], dtype="str")  # steps of 1, as before
    assert row_numbers(halves)


def test_readings_and_a_late_gap_are_no_row_numbers() -> None:
    readings = pd.Series([f"{v:.3f}" for v in np.linspace(0, 5, 2000)], dtype="str")
    assert not row_numbers(readings)
    late_gap = pd.Series([str(i) for i in [*range(1500), *range(1501, 2000)]], dtype="str")
    assert not row_numbers(late_gap)


def test_date_and_time_parts_are_joined_as_written() -> None:
    raw = pd.DataFrame({"Date": ["16/12/2006", "16/12/2006"], "Time": ["17:24:00", "17:25:00"]},
                       dtype="str")
    joined = written_times(raw, DataSpec(time_parts=["Date", "Time"]))
    assert joined.tolist() == ["16/12/2006 17:24:00", "16/12/2006 17:25:00"]


def test_a_repeated_date_and_time_is_named_as_written(tmp_path: Path) -> None:
    times = pd.date_range("2006-12-16 17:24", periods=40, freq="min")
    rows = ["Date;Time;Global_active_power"] + [
        f"{t.day}/{t.month}/{t.year};{t:%H:%M:%S};{1 + i / 100:.3f}"
        for i, t in enumerate(times)]
    rows.insert(30, rows[29].replace(";1.28", ";5.28"))  # the same minute, another value
    try:
        load_frame(write_lines(tmp_path, rows, "power.txt"), DataSpec())
    except DataError as exc:
        assert "duplicate timestamp 16/12/2006 17:52:00 (rows 30 and 31" in str(exc)
    else:
        raise AssertionError("a repeated row was read")


def test_time_ranges_past_the_first_rows_are_read_at_their_starts(tmp_path: Path) -> None:
    hours = pd.date_range("2024-01-01", periods=300, freq="h")
    rows = ["MTU,load"] + [f"{a:%d.%m.%Y %H:%M} - {a + pd.Timedelta('1h'):%d.%m.%Y %H:%M},{i}"
                           for i, a in enumerate(hours)]
    frame = load_frame(write_lines(tmp_path, rows), DataSpec())
    (s,) = frame.series
    assert s.index[0] == pd.Timestamp("2024-01-01", tz="UTC") and len(s.index) == 300


def test_thousands_dots_first_seen_after_the_first_rows_are_read(tmp_path: Path) -> None:
    times = pd.date_range("2024-01-01", periods=1500, freq="h")
    counts = [str(900 + i % 50) if i < 1200 else f"1.{i % 1000:03d}" for i in range(1500)]
    rows = ["time;count"] + [f"{t:%Y-%m-%d %H:%M};{c}" for t, c in zip(times, counts,
                                                                      strict=True)]
    frame = load_frame(write_lines(tmp_path, rows), DataSpec())
    (s,) = frame.series
    assert s.values[1200, 0] == 1200 and s.values[0, 0] == 900
    assert any("dots grouping thousands" in n for n in frame.notes)


def test_spaced_matches_answer_as_python_regex_does() -> None:
    cells = pd.Series([" 1,5 ", "1,5", "\u00a01,5", "\u0661,\u0665", "x", "+3", "-,5",
                       "1,5\t", "1, 5", "7"], dtype="str")
    core = rf"{DECIMAL_COMMA}|[+-]?\d+"
    python = cells.astype(object).str.fullmatch(rf"\s*(?:{core})\s*").astype(bool)
    assert fullmatch_spaced(cells, core).tolist() == python.tolist()
    assert python.tolist() == [True, True, True, True, False, True, True, True, False, True]


def test_decimal_commas_past_the_first_rows_are_read(tmp_path: Path) -> None:
    times = pd.date_range("2011-01-01 00:15", periods=1500, freq="15min")
    rows = ['"";"MT_001"'] + [f'"{t:%Y-%m-%d %H:%M:%S}";{"0" if i < 1200 else f"{i},25"}'
                              for i, t in enumerate(times)]
    (s,) = load_frame(write_lines(tmp_path, rows, "LD.txt"), DataSpec()).series
    assert s.values[1300, 0] == 1300.25 and s.values[0, 0] == 0
