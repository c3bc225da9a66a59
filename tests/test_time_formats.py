"""Time columns the parser alone misreads: lone day/hour columns, 1949M01, day-first
quarter-hours, two-digit years (Jan-25) and clock times without dates."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import utc, write_lines
from typer.testing import CliRunner

from forecaster.cli import app
from forecaster.data.loading import load_frame
from forecaster.data.spec import DataSpec
from forecaster.data.time_guess import grid_fill, pivot_years
from forecaster.data.timestamps import is_steps, step_numbers
from forecaster.errors import DataError


@pytest.mark.parametrize(("name", "first"), [("day", 1), ("hour", 0), ("Minute", 0)])
def test_a_lone_day_or_hour_column_numbers_the_steps(tmp_path: Path, name: str,
                                                     first: int) -> None:
    rows = [f"{name},value"] + [f"{i},{i % 7}" for i in range(first, first + 40)]
    (s,) = load_frame(write_lines(tmp_path, rows), DataSpec()).series
    assert is_steps(s.index)
    assert step_numbers(s.index).tolist() == list(range(first, first + 40))


def test_year_m_month_reads_as_monthly_dates(tmp_path: Path) -> None:
    stamps = [f"{y}M{m:02d}" for y in (1949, 1950, 1951) for m in range(1, 13)]
    frame = load_frame(write_lines(tmp_path, ["Month,value"] + [f"{t},{i}" for i, t in
                                                          enumerate(stamps)]), DataSpec())
    (s,) = frame.series
    assert frame.freq == "MS" and frame.n_filled == 0
    assert s.index[0] == utc("1949-01-01") and s.index[-1] == utc("1951-12-01")


def test_month_and_day_without_a_year_ask_for_the_time_column(tmp_path: Path) -> None:
    rows = ["month,day,value"] + [f"{m},{d},1" for m in (1, 2) for d in range(1, 29)]
    with pytest.raises(DataError, match="no time column found.*--time-col"):
        load_frame(write_lines(tmp_path, rows), DataSpec())


def _quarter_hours(first: str, periods: int = 480) -> pd.DatetimeIndex:
    return pd.date_range(first, periods=periods, freq="15min")


def test_day_first_quarter_hours_read_day_first(tmp_path: Path) -> None:
    # 1 to 5 March: the first 50 rows all fall on 1 March and look regular either way.
    rows = ["timestamp,value"] + [f"{t:%d/%m/%Y %H:%M},{i % 9}"
                                  for i, t in enumerate(_quarter_hours("2021-03-01"))]
    frame = load_frame(write_lines(tmp_path, rows), DataSpec())
    (s,) = frame.series
    assert frame.freq == "15min" and frame.n_filled == 0
    assert s.index[0] == utc("2021-03-01") and s.index[-1] == utc("2021-03-05 23:45")


def test_day_first_date_and_time_columns_read_day_first(tmp_path: Path) -> None:
    rows = ["Date;Time;power"] + [f"{t:%d/%m/%Y;%H:%M:%S};{i % 9}"
                                  for i, t in enumerate(_quarter_hours("2021-01-01", 500))]
    (s,) = load_frame(write_lines(tmp_path, rows), DataSpec()).series
    assert s.index[0] == utc("2021-01-01") and s.index[-1] == utc("2021-01-06 04:45")


def test_month_first_quarter_hours_stay_month_first(tmp_path: Path) -> None:
    rows = ["timestamp,value"] + [f"{t:%m/%d/%Y %H:%M},{i % 9}"
                                  for i, t in enumerate(_quarter_hours("2021-03-01"))]
    (s,) = load_frame(write_lines(tmp_path, rows), DataSpec()).series
    assert s.index[0] == utc("2021-03-01") and s.index[-1] == utc("2021-03-05 23:45")


def test_grid_fill_counts_the_steps_that_hold_a_time() -> None:
    regular = _quarter_hours("2021-03-01", 96)
    assert grid_fill(regular) == pytest.approx(1.0)
    assert grid_fill(regular[::2].append(regular[-1:])) > 0.9
    assert grid_fill(regular.append(pd.DatetimeIndex(["2021-04-01"]))) < 0.05


def test_two_digit_years_in_the_future_go_back_a_century(tmp_path: Path) -> None:
    stamps = [f"{t:%b-%y}" for t in pd.date_range("1949-01-01", periods=60, freq="MS")]
    frame = load_frame(write_lines(tmp_path, ["Month,value"] + [f"{t},{i}" for i, t in
                                                          enumerate(stamps)]), DataSpec())
    (s,) = frame.series
    assert stamps[0] == "Jan-49" and frame.freq == "MS"
    assert s.index[0] == utc("1949-01-01") and s.index[-1] == utc("1953-12-01")


@pytest.mark.parametrize("fmt", ["%b-%y", "%b %y", "%B %y", "%b'%y"])
def test_spreadsheet_months_with_two_digit_years_read_as_months(tmp_path: Path,
                                                                 fmt: str) -> None:
    # Excel's mmm-yy: pandas read Jan-25 as 25 January of the year 1, and the file was refused.
    stamps = [f"{t:{fmt}}" for t in pd.date_range("2015-01-01", periods=120, freq="MS")]
    frame = load_frame(write_lines(tmp_path, ["Month,sales"] + [f"{t},{i}" for i, t in
                                                          enumerate(stamps)]), DataSpec())
    (s,) = frame.series
    assert frame.freq == "MS" and frame.n_filled == 0
    assert s.index[0] == utc("2015-01-01") and s.index[-1] == utc("2024-12-01")


def test_month_names_with_days_and_no_year_are_not_read_as_years(tmp_path: Path) -> None:
    # Jan 01, Jan 02, ...: days (their number changes from row to row), not years.
    stamps = [f"{t:%b %d}" for t in pd.date_range("2021-01-01", periods=60, freq="D")]
    with pytest.raises(DataError):
        load_frame(write_lines(tmp_path, ["date,value"] + [f"{t},{i}" for i, t in
                                                     enumerate(stamps)]), DataSpec())


@pytest.mark.parametrize(("text", "today", "year"), [
    # The parser reads Jan-25 as 25 January (of the year 1): only years past 31 are years.
    ("Jan-45", "2040-06-01", 1945),  # after 2040: the previous century
    ("Jan-45", "2050-06-01", 2045),  # in the past: as read
    ("Jan-40", "2040-06-01", 2040),  # this year is no future
    ("2049-01-01", "2040-06-01", 2049),  # written out in full
])
@pytest.mark.filterwarnings("ignore:Could not infer format")
def test_pivot_years_depends_on_today(text: str, today: str, year: int) -> None:
    col = pd.Series([text, text])
    times = pd.to_datetime(col, utc=True)
    assert (pd.DatetimeIndex(pivot_years(times, col, utc(today))).year == year).all()


def test_clock_times_without_dates_are_refused(tmp_path: Path) -> None:
    rows = ["time,value"] + [f"00:{m:02d},{m}" for m in range(60)] + ["01:00,60"]
    with pytest.raises(DataError, match="times of day without dates.*'00:00'.*'date' column"):
        load_frame(write_lines(tmp_path, rows), DataSpec())


def test_date_and_clock_columns_still_combine(tmp_path: Path) -> None:
    rows = ["date,time,value"] + [f"2024-01-01,{h:02d}:00,{h}" for h in range(24)]
    frame = load_frame(write_lines(tmp_path, rows), DataSpec())
    assert frame.freq == "h" and frame.series[0].index[-1] == utc("2024-01-01 23:00")


def test_date_and_time_columns_on_a_12_hour_clock_combine(tmp_path: Path) -> None:
    # Excel's US exports: "1/2/2024,1:00:00 PM". Auto-detection took Date alone ("duplicate
    # timestamp 01/01/2024"), and --time-col Date,Time was refused: "should hold the time
    # of day ... but holds '12:00:00 AM'".
    hours = pd.date_range("2024-01-01", periods=48, freq="h")
    path = write_lines(tmp_path, ["Date,Time,value"] + [f"{t:%m/%d/%Y,%I:%M:%S %p},{i}"
                                                         for i, t in enumerate(hours)])
    result = CliRunner().invoke(app, ["train", str(path), "--model", str(tmp_path / "m"),
                                      "--no-anomaly", "--epochs", "1", "--folds", "0",
                                      "--ensemble", "1", "--window", "8", "--segment", "4",
                                      "--horizon", "2", "--hidden", "4"])
    assert result.exit_code == 0, result.output
    frame = load_frame(path, DataSpec())
    (s,) = frame.series
    assert frame.spec.time_parts == ["Date", "Time"] and frame.freq == "h"
    assert s.index[0] == utc("2024-01-01 00:00") and s.index[13] == utc("2024-01-01 13:00")
    assert s.values[[0, 13, 47], 0].tolist() == [0, 13, 47]


def _hour_ending(t: pd.Timestamp, sep: str) -> str:
    """``t`` as an hour-ending log writes it: midnight as 24:00 of the day before."""
    day = t - pd.Timedelta("1D") if t.hour == 0 else t
    return f"{day:%m/%d/%Y}{sep}{'24:00' if t.hour == 0 else f'{t:%H:%M}'}"


@pytest.mark.parametrize(("header", "sep"), [
    ("Date (MM/DD/YYYY),Time (HH:MM),GHI", ","),  # NREL's TMY3: a date and a clock column
    ("timestamp,GHI", " "),
])
def test_24_00_is_midnight_ending_the_day(tmp_path: Path, header: str, sep: str) -> None:
    # "cannot parse '01/01/1988 24:00' as a timestamp; expected ISO 8601", which 24:00 is.
    hours = pd.date_range("1988-01-01 01:00", periods=48, freq="h")
    rows = [header] + [f"{_hour_ending(t, sep)},{i}" for i, t in enumerate(hours)]
    frame = load_frame(write_lines(tmp_path, rows), DataSpec())
    (s,) = frame.series
    assert frame.freq == "h" and frame.n_filled == 0 and len(s.index) == 48
    assert s.index[22] == utc("1988-01-01 23:00") and s.index[23] == utc("1988-01-02 00:00")
    assert s.values[[23, 24], 0].tolist() == [23, 24]


def test_a_column_of_no_readable_times_is_not_blamed_on_one_row(tmp_path: Path) -> None:
    # JavaScript's Date strings: no row reads, yet row 2 was "'Mon Jan 01 ...' cannot be
    # read as a time, unlike the other rows" (its weekday split off as a date format), and
    # a units row was suggested; every row is alike, and the parser's error says so.
    hours = pd.date_range("2024-01-01", periods=48, freq="h")
    rows = ["time,value"] + [f'"{t:%a %b %d %Y %H:%M:%S} GMT+0000 (Coordinated Universal '
                             f'Time)",{i}' for i, t in enumerate(hours)]
    with pytest.raises(DataError) as info:
        load_frame(write_lines(tmp_path, rows), DataSpec(time_col="time"))
    assert "row 2, column 'time': cannot parse 'Mon Jan 01 2024 00:00:00 GMT+0000 " \
           "(Coord...' as a timestamp" in str(info.value) and "(48 bad value(s) in all)" \
           in str(info.value), str(info.value)
    assert "unlike the other rows" not in str(info.value)


def test_dates_in_two_formats_are_named_not_called_duplicates(tmp_path: Path) -> None:
    # Read cell by cell, 01/03/2020 after ISO dates became 3 January: "duplicate timestamp",
    # whose suggested --duplicates would have dropped real rows.
    days = pd.date_range("2020-01-01", periods=120, freq="D")
    rows = ["date,value"] + [f"{t:%Y-%m-%d}," if i < 60 else f"{t:%d/%m/%Y},"
                             for i, t in enumerate(days)]
    rows = [r + ("1" if i else "") for i, r in enumerate(rows)]
    with pytest.raises(DataError, match=r"writes dates in more than one format: '2020-01-01' "
                                        r"\(row 2\) and '01/03/2020' \(row 62\)"):
        load_frame(write_lines(tmp_path, rows), DataSpec())


@pytest.mark.parametrize("fmt", ["{y}Q{q}", "{y} Q{q}", "{y}-Q{q}", "Q{q} {y}"])
def test_quarters_as_statistics_offices_write_them(tmp_path: Path, fmt: str) -> None:
    stamps = [fmt.format(y=y, q=q) for y in range(2000, 2010) for q in range(1, 5)]
    frame = load_frame(write_lines(tmp_path, ["quarter,gdp"] + [f"{t},{i}" for i, t in
                                                          enumerate(stamps)]), DataSpec())
    (s,) = frame.series
    assert frame.freq.startswith("QS") and frame.n_filled == 0
    assert s.index[0] == utc("2000-01-01") and s.index[-1] == utc("2009-10-01")


@pytest.mark.parametrize("suffix", ["", ".5"])
def test_spreadsheet_serial_dates_are_refused_not_read_as_steps(tmp_path: Path,
                                                                suffix: str) -> None:
    # Whole serials (45292 = 2024-01-01) were read as step numbers: no calendar, a
    # forecast for "step 45592", and no word said.
    rows = ["date,sales"] + [f"{45292 + i}{suffix},{i % 7}" for i in range(60)]
    with pytest.raises(DataError, match=r"column 'date' holds numbers \(45292(\.5)? to "
                       r"45351(\.5)?\) that read as spreadsheet serial dates \(2024-01-01 to "
                       r"2024-02-29\).*name it 'step'"):
        load_frame(write_lines(tmp_path, rows), DataSpec())


def test_step_numbers_in_the_serial_range_are_steps_in_a_step_column(tmp_path: Path) -> None:
    rows = ["step,sales"] + [f"{45292 + i},{i % 7}" for i in range(60)]
    (s,) = load_frame(write_lines(tmp_path, rows), DataSpec()).series
    assert step_numbers(s.index)[0] == 45292


@pytest.mark.parametrize("stray", ["2024-02-17 15:00", "2023-12-01 00:00"])
def test_one_stray_row_is_named_as_a_gap_not_a_wrong_step(tmp_path: Path, stray: str) -> None:
    # predict and detect-anomalies (which infer the step afresh) were told to give
    # --freq or --resample, options they do not have, for one row a month off.
    rows = ["timestamp,value"] + [f"{t:%Y-%m-%d %H:%M},{i % 24}" for i, t in
                                  enumerate(pd.date_range("2024-01-01", periods=400, freq="h"))]
    path = write_lines(tmp_path, [*rows, f"{stray},5"])
    with pytest.raises(DataError, match=r"743 steps on the 'h' grid have no row between "
                       r".* remove a stray row"):
        load_frame(path, DataSpec())


def test_an_off_grid_row_beside_a_gap_does_not_change_its_count(tmp_path: Path) -> None:
    # Tolerated off-grid rows have no grid position (-1): counted as one, they made the
    # gap after them 400 steps longer and named the off-grid row as its start.
    hours = pd.date_range("2024-01-01", periods=400, freq="h")
    rows = ["timestamp,value"] + [f"{t:%Y-%m-%d %H:%M},{i % 24}" for i, t in enumerate(hours)]
    path = write_lines(tmp_path, [*rows, "2024-01-17 15:30,5", "2024-02-17 15:00,5"])
    with pytest.raises(DataError, match=r": 743 steps on the 'h' grid have no row between "
                       r"2024-01-17T15:00:00\+00:00 and 2024-02-17T15:00:00\+00:00, "
                       r"more than the 401 rows"):
        load_frame(path, DataSpec())


def test_one_stray_cell_with_day_and_month_either_way_is_refused(tmp_path: Path) -> None:
    # One cell in 1,200 passed the mixed-format check; read month first, 05/01 became
    # May, and predict filled the months up to it and forecast from there (exit 0).
    hours = pd.date_range("2024-01-01", periods=1200, freq="h")
    rows = ["timestamp,value"] + [f"{t:%Y-%m-%d %H:%M},{i % 24}" for i, t in enumerate(hours)]
    rows[100] = "05/01/2024 03:00,3"
    with pytest.raises(DataError, match=r"writes row 101 as '05/01/2024 03:00', unlike the "
                       r"other dates, and its day and month could be either"):
        load_frame(write_lines(tmp_path, rows), DataSpec())
    rows[100] = "2024/01/05 03:00,3"  # one way only: kept, as before
    assert len(load_frame(write_lines(tmp_path, rows), DataSpec()).series[0].index) == 1200


def test_shampoo_sales_years_1_to_3_are_read_as_1901_to_1903(tmp_path: Path) -> None:
    """The shampoo-sales file of the LSTM tutorials: "1-01" to "3-12", and a footer."""
    rows = [f'"{1 + i // 12}-{i % 12 + 1:02d}",{266 + 7.5 * i:.1f}' for i in range(36)]
    path = tmp_path / "shampoo.csv"
    path.write_text('"Month","Sales of shampoo over a three year period"\n' + "\n".join(rows)
                    + "\n\nSales of shampoo over a three year period\n")
    frame = load_frame(path, DataSpec())
    (s,) = frame.series
    assert frame.freq == "MS" and s.index[0] == pd.Timestamp("1901-01-01", tz="UTC")
    assert s.index[-1] == pd.Timestamp("1903-12-01", tz="UTC") and s.values[-1, 0] == 528.5
    assert any("years written 1 to 3 ('1-01') are read as 1901 to 1903" in n
               for n in frame.notes)


@pytest.mark.parametrize(("step", "digits", "freq"), [(1 / 12, 15, "MS"), (1 / 12, 6, "MS"),
                                                      (0.25, 6, "QS-JAN")])
def test_r_decimal_years_are_months(tmp_path: Path, step: float, digits: int,
                                    freq: str) -> None:
    # R's write.csv(data.frame(time = time(AirPassengers), ...)): 1949, 1949.08333333333...
    rows = [f"{1949 + i * step:.{digits}g},{100 + i}" for i in range(48)]
    path = tmp_path / "ts.csv"
    path.write_text("time,value\n" + "\n".join(rows) + "\n")
    frame = load_frame(path, DataSpec())
    (s,) = frame.series
    assert frame.freq == freq and s.index[0] == pd.Timestamp("1949-01-01", tz="UTC")
    assert s.index[1] == pd.Timestamp("1949-04-01" if step == 0.25 else "1949-02-01", tz="UTC")


@pytest.mark.parametrize("years", [
    [f"{1949 + i * 0.3:.1f}" for i in range(40)],  # one decimal: no twelfths to tell apart
    # lubridate's decimal_date of month ends: 2015.082192 (31 January) is no twelfth, and
    # 31 December (2015.99726) made a month 13: an internal error.
    [f"{d.year + (d.day_of_year - 1) / (365 + d.is_leap_year):.6f}"
     for d in pd.date_range("2015-01-31", periods=40, freq="ME")],
])
def test_fractions_of_a_year_that_are_no_months_are_refused(tmp_path: Path,
                                                            years: list[str]) -> None:
    path = tmp_path / "ts.csv"
    path.write_text("time,value\n" + "".join(f"{y},{i}\n" for i, y in enumerate(years)))
    with pytest.raises(DataError, match="holds plain numbers"):
        load_frame(path, DataSpec())


def test_iso_week_dates_read_as_their_mondays(tmp_path: Path) -> None:
    # 2018-W01 is ISO 8601 (a week date), yet was refused as no ISO 8601; in a column
    # named 'week' no time column was found at all.
    from typer.testing import CliRunner

    from forecaster.cli import app

    mondays = pd.date_range("2018-01-01", periods=120, freq="W-MON")
    rows = ["week,sales"] + [f"{t:%G-W%V},{i}" for i, t in enumerate(mondays)]
    path = write_lines(tmp_path, rows)
    frame = load_frame(path, DataSpec())
    (s,) = frame.series
    assert frame.freq == "W-MON" and frame.n_filled == 0
    assert s.index[0] == utc("2018-01-01") and s.index[-1] == utc(f"{mondays[-1]:%Y-%m-%d}")
    model = tmp_path / "m"
    fast = ["--folds", "0", "--epochs", "1", "--ensemble", "1", "--hidden", "4",
            "--no-anomaly", "--horizon", "2"]
    result = CliRunner().invoke(app, ["train", str(path), "--model", str(model), *fast])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(app, ["predict", "--model", str(model)])
    assert result.exit_code == 0, result.output
    assert "2020-04-20T00:00:00+00:00" in result.stdout  # the Monday after the last week


@pytest.mark.parametrize(("cell", "day"), [("2020W031", "2020-01-13"), ("2020-W03-3", "2020-01-15"),
                                           ("2020-w53", "2020-12-28")])
def test_iso_week_date_spellings(tmp_path: Path, cell: str, day: str) -> None:
    start = pd.Timestamp(day)
    weeks = [start + pd.Timedelta(weeks=k) for k in range(30)]
    fmt = "%GW%V%u" if "-" not in cell else ("%G-W%V-%u" if cell.count("-") == 2 else "%G-w%V")
    rows = ["date,value"] + [f"{t.strftime(fmt)},{i}" for i, t in enumerate(weeks)]
    assert rows[1].split(",")[0] == cell
    (s,) = load_frame(write_lines(tmp_path, rows), DataSpec()).series
    assert s.index[0] == utc(day) and len(s.index) == 30
