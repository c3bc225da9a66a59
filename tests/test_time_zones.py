"""Offsets, month names and unnamed columns: times with and without an offset in one
column, daily rows at local midnight across DST, seaborn's flights (1949,Jan,112) and the
index column that DataFrame.to_csv writes under an empty header cell."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import TINY, make_series, train_tiny, utc, write_lines
from typer.testing import CliRunner

from forecaster.cli import app
from forecaster.data.loading import load_frame
from forecaster.data.spec import DataSpec
from forecaster.errors import EXIT_DATA, DataError

runner = CliRunner()
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def error_line(result) -> str:
    """The one ``Error:`` line of a refused command, checked against the exit contract."""
    assert result.exit_code == EXIT_DATA, result.output
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, result.stderr
    return errors[0]


def forecast_times(model: Path) -> pd.Series:
    result = runner.invoke(app, ["predict", "--model", str(model)])
    assert result.exit_code == 0, result.output
    return pd.to_datetime(pd.read_csv(io.StringIO(result.stdout))["timestamp"])


def _wall_clock_then_offsets(tmp_path: Path) -> Path:
    # A logger switched from local wall-clock time to ISO times with an offset.
    naive = pd.date_range("2024-01-01", periods=150, freq="h")
    aware = pd.date_range("2024-01-07T06:00", periods=100, freq="h", tz="-05:00")
    return write_lines(tmp_path, ["timestamp,value"]
                 + [f"{t:%Y-%m-%d %H:%M:%S},{i % 24}" for i, t in enumerate(naive)]
                 + [f"{t.isoformat()},{i % 24}" for i, t in enumerate(aware)])


def test_times_with_and_without_offsets_in_one_column_are_refused(tmp_path: Path) -> None:
    path = _wall_clock_then_offsets(tmp_path)
    with pytest.raises(DataError) as info:
        load_frame(path, DataSpec())
    assert str(info.value) == (
        f"{path}: column 'timestamp' mixes times without an offset (row 2: 2024-01-01 "
        "00:00:00) and with one (row 152: 2024-01-07T06:00:00-05:00); expected one kind "
        "throughout: write every time with its offset, or all in UTC")


def test_the_cli_refuses_the_mix_with_one_error_line(tmp_path: Path) -> None:
    path = _wall_clock_then_offsets(tmp_path)
    result = runner.invoke(app, ["train", str(path), "--model", str(tmp_path / "m"), *TINY])
    line = error_line(result)
    assert "mixes times without an offset (row 2: " in line
    assert "with one (row 152: 2024-01-07T06:00:00-05:00)" in line
    assert not (tmp_path / "m").exists()


def _paris_days(tmp_path: Path) -> Path:
    # pandas' to_csv of a tz-aware daily index: 2022-03-27 00:00:00+01:00, then +02:00.
    days = pd.date_range("2022-01-01", "2023-12-31", freq="D", tz="Europe/Paris")
    path = tmp_path / "paris.csv"
    pd.DataFrame({"value": 10 + np.arange(len(days)) % 7}, index=days.rename("timestamp")
                 ).to_csv(path)
    return path


def test_local_midnights_across_dst_read_as_their_dates(tmp_path: Path) -> None:
    frame = load_frame(_paris_days(tmp_path), DataSpec())
    (s,) = frame.series
    assert frame.freq == "D" and frame.n_filled == 0 and len(s.index) == 730
    # 2023-12-31T00:00:00+01:00 is 31 December, not 30 December at 23:00 UTC.
    assert s.index[0] == utc("2022-01-01") and s.index[-1] == utc("2023-12-31")
    assert s.values[:3, 0].tolist() == [10, 11, 12]


def test_forecasts_after_local_midnights_continue_at_the_next_dates(tmp_path: Path) -> None:
    model = train_tiny(_paris_days(tmp_path), tmp_path / "m")
    stamps = forecast_times(model)
    assert stamps.tolist() == list(pd.date_range("2024-01-01", periods=6, freq="D", tz="UTC"))


def test_business_days_at_local_midnight_forecast_the_next_business_days(
        tmp_path: Path) -> None:
    # yfinance: '2018-01-02 00:00:00-05:00', business days, -04:00 from March; ends on a
    # Friday.
    days = pd.bdate_range("2018-01-02", "2019-03-15", tz="America/New_York")
    path = tmp_path / "prices.csv"
    pd.DataFrame({"Date": [d.isoformat(sep=" ") for d in days],
                  "Close": 100 + np.arange(len(days)) % 5}).to_csv(path, index=False)
    frame = load_frame(path, DataSpec())
    assert frame.freq == "B" and frame.n_filled == 0
    assert frame.series[0].index[-1] == utc("2019-03-15")
    stamps = forecast_times(train_tiny(path, tmp_path / "m"))
    assert stamps.iloc[0] == utc("2019-03-18")  # the Monday after
    assert not (stamps.dt.day_of_week >= 5).any()


def test_local_midnights_with_one_offset_read_as_their_dates_too(tmp_path: Path) -> None:
    # A model trained on winter rows (+01:00) must read the spring's (+02:00) on the same
    # grid: one offset throughout is read as dates as well (it was 18:30 UTC the day before).
    days = pd.date_range("2024-01-01", periods=40, freq="D", tz="Asia/Kolkata")
    path = write_lines(tmp_path, ["timestamp,value"] + [f"{d.isoformat()},{i}"
                                                  for i, d in enumerate(days)])
    (s,) = load_frame(path, DataSpec()).series
    assert s.index[0] == utc("2024-01-01")


def test_hourly_times_with_offsets_stay_converted_to_utc(tmp_path: Path) -> None:
    hours = pd.date_range("2024-03-30", periods=72, freq="h", tz="Europe/Paris")
    path = write_lines(tmp_path, ["timestamp,value"] + [f"{h.isoformat()},{i}"
                                                  for i, h in enumerate(hours)])
    (s,) = load_frame(path, DataSpec()).series
    assert s.index[0] == utc("2024-03-29 23:00") and len(s.index) == 72


def _flights(tmp_path: Path, months: list[str] = MONTHS) -> Path:
    rows = [f"{y},{m},{100 + i}" for i, (y, m) in
            enumerate((y, m) for y in range(1949, 1961) for m in months)]
    return write_lines(tmp_path, ["year,month,passengers", *rows], "flights.csv")


def test_month_names_beside_a_year_make_monthly_times(tmp_path: Path) -> None:
    frame = load_frame(_flights(tmp_path), DataSpec())
    (s,) = frame.series
    assert frame.spec.time_parts == ["year", "month"] and frame.spec.targets == ["passengers"]
    assert frame.freq == "MS" and frame.n_filled == 0
    assert s.index[0] == utc("1949-01-01") and s.index[-1] == utc("1960-12-01")


@pytest.mark.parametrize("case", [str.upper, str.lower])
def test_full_month_names_in_any_case_are_read(tmp_path: Path, case) -> None:
    names = [case(m) for m in ("January", "February", "March", "April", "May", "June", "July",
                               "August", "September", "October", "November", "December")]
    spec = DataSpec(time_parts=["year", "month"], targets=["passengers"])
    (s,) = load_frame(_flights(tmp_path, names), spec).series
    assert s.index[13] == utc("1950-02-01")


def test_flights_train_without_options_and_predict_the_next_months(tmp_path: Path) -> None:
    tiny = [*TINY]
    tiny[tiny.index("--window") + 1] = "12"  # 144 months: room for the folds
    model = train_tiny(_flights(tmp_path), tmp_path / "m", tiny=tiny)
    stamps = forecast_times(model)
    assert stamps.iloc[0] == utc("1961-01-01") and stamps.iloc[1] == utc("1961-02-01")


def test_a_month_that_is_no_name_is_refused(tmp_path: Path) -> None:
    path = _flights(tmp_path, [*MONTHS[:11], "Dex"])
    with pytest.raises(DataError, match=r"row 13, column 'month': 'Dex' is not a whole "
                                        r"number; expected the month as a number or a name"):
        load_frame(path, DataSpec())


def _saved_index(tmp_path: Path, index: np.ndarray) -> Path:
    # DataFrame.to_csv with its index: header ',timestamp,value'.
    n = len(index)
    frame = pd.DataFrame({"timestamp": pd.date_range("2024-01-01", periods=n, freq="h"),
                          "value": np.arange(n) % 24 * 1.5}, index=index)
    path = tmp_path / "indexed.csv"
    frame.to_csv(path)
    return path


def test_a_saved_range_index_is_not_a_target(tmp_path: Path) -> None:
    frame = load_frame(_saved_index(tmp_path, np.arange(100)), DataSpec())
    assert frame.spec.targets == ["value"] and frame.spec.time_col == "timestamp"


def test_an_unnamed_column_is_named_by_its_place_in_messages(tmp_path: Path) -> None:
    path = _saved_index(tmp_path, np.arange(100)[::-1])  # no range, yet numbers the rows
    result = runner.invoke(app, ["train", str(path), "--model", str(tmp_path / "m"), *TINY])
    line = error_line(result)
    assert ("several numeric columns (value; left out the first column (no name in the "
            "header): row numbers)") in line
    assert "Unnamed" not in line


def test_a_saved_range_index_without_times_numbers_the_steps(tmp_path: Path) -> None:
    # pd.DataFrame({'value': ...}).to_csv(path), the tutorials' sine wave: refused with
    # "name it with --time-col", for a column with no name to give.
    path = tmp_path / "sine.csv"
    pd.DataFrame({"value": np.sin(np.arange(200) / 5)}).to_csv(path)
    train_tiny(path, tmp_path / "m")
    result = runner.invoke(app, ["predict", "--model", str(tmp_path / "m")])
    assert result.exit_code == 0, result.output
    out = pd.read_csv(io.StringIO(result.stdout))
    assert out["timestamp"].tolist() == list(range(200, 206))


def _r_saved(tmp_path: Path, first: int) -> Path:
    # R's write.csv(AirPassengers): header "","x" and quoted row names "1", "2", ...
    path = tmp_path / "rx.csv"
    rows = [f'"{first + i}",{10 + np.sin(i / 4):.4f}' for i in range(200)]
    path.write_text('"","x"\n' + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_r_row_names_from_one_number_the_steps(tmp_path: Path) -> None:
    train_tiny(_r_saved(tmp_path, 1), tmp_path / "m")
    result = runner.invoke(app, ["predict", "--model", str(tmp_path / "m")])
    assert result.exit_code == 0, result.output
    assert pd.read_csv(io.StringIO(result.stdout))["timestamp"].tolist() == list(range(201, 207))


def test_time_col_empty_names_the_column_with_no_header(tmp_path: Path) -> None:
    path = _r_saved(tmp_path, 5)  # not numbered from 0 or 1: not taken on its own
    refused = runner.invoke(app, ["train", str(path), "--model", str(tmp_path / "m"), *TINY])
    assert "name it with --time-col (--time-col '' for one with no name in the header)" in (
        error_line(refused))
    train_tiny(path, tmp_path / "m", "--time-col", "")
    result = runner.invoke(app, ["predict", "--model", str(tmp_path / "m")])
    assert result.exit_code == 0, result.output
    assert pd.read_csv(io.StringIO(result.stdout))["timestamp"].tolist() == list(range(205, 211))
    # info names it as the errors do, not as pandas does ("Unnamed: 0").
    info = runner.invoke(app, ["info", "--model", str(tmp_path / "m"), "--format", "json"])
    assert json.loads(info.stdout)["data"]["time"] == "the first column (no name in the header)"


def test_time_col_empty_without_such_a_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    make_series(n=100).to_csv(path, index=False)
    result = runner.invoke(app, ["train", str(path), "--time-col", "", *TINY])
    assert result.exit_code == 65, result.output
    assert error_line(result) == (f"Error: {path}: --time-col '' names the one column with no "
                                  "name in the header; found none or several among timestamp, "
                                  "value: give the time column's name")


@pytest.mark.parametrize("stamp", [
    lambda d: f"{d:%Y-%m-%d}T{'04' if 3 < d.month < 11 else '05'}:00:00Z",  # UTC midnights
    lambda d: f"{d:%Y-%m-%d}T16:00:00{'-04:00' if 3 < d.month < 11 else '-05:00'}",  # closes
])
def test_daily_bars_at_one_local_time_are_their_dates(tmp_path: Path, stamp) -> None:
    """A US exchange's days stamped 05:00Z, then 04:00Z after the clocks change (or a close
    at 16:00 local with its offset): read as dates, on the business-day grid."""
    days = pd.bdate_range("2022-01-03", periods=300)
    lines = ["timestamp,close"] + [f"{stamp(d)},{100 + i % 7}" for i, d in enumerate(days)]
    path = tmp_path / "bars.csv"
    path.write_text("\n".join(lines) + "\n")
    frame = load_frame(path, DataSpec())
    assert frame.freq == "B"
    assert (frame.series[0].index == days.tz_localize("UTC")).all()


@pytest.mark.parametrize("zone", ["Europe/Berlin", "Europe/London", "Europe/Helsinki",
                                  "Australia/Sydney", "Pacific/Auckland", "America/Chicago"])
def test_local_midnights_written_in_utc_are_their_local_dates(tmp_path: Path, zone) -> None:
    """pandas' tz_convert("UTC") of a daily index: Berlin's midnights fall at 23:00Z and
    22:00Z of the day before, Auckland's at 11:00Z and 12:00Z. Refused as off the daily
    grid before (and --resample D, the advice, dated them a day early)."""
    days = pd.bdate_range("2022-01-03", "2023-12-29")
    stamps = days.tz_localize(zone).tz_convert("UTC")
    path = tmp_path / "daily.csv"
    pd.DataFrame({"Date": stamps, "Close": np.arange(len(days)) % 9}).to_csv(path, index=False)
    frame = load_frame(path, DataSpec())
    assert frame.freq == "B"
    assert (frame.series[0].index == days.tz_localize("UTC")).all()
    assert (frame.series[0].values[:, 0] == np.arange(len(days)) % 9).all()


def test_berlin_new_year_written_in_utc_is_not_moved_a_century(tmp_path: Path) -> None:
    # 1 January 2027 in Berlin is 2026-12-31T23:00Z: read as 2027, a year the text never
    # writes, and moved back to 1927 as a two-digit year would be.
    stamps = pd.date_range("2026-06-01", "2027-01-01", freq="D", tz="Europe/Berlin")
    path = tmp_path / "berlin.csv"
    pd.DataFrame({"date": stamps.tz_convert("UTC"), "value": range(len(stamps))}).to_csv(
        path, index=False)
    (s,) = load_frame(path, DataSpec()).series
    assert s.index[-1] == pd.Timestamp("2027-01-01", tz="UTC") and len(s.index) == len(stamps)


@pytest.mark.parametrize(("clock", "first", "last"), [
    ("09:00", "2024-01-01", "2024-12-31"), ("18:00", "2024-01-01", "2024-12-31"),
    ("07:00", "2024-01-01", "2024-12-31"), ("17:00", "2024-01-01", "2024-12-31"),
    ("18:00", "2020-07-01", "2020-12-31"),  # only America's autumn change, on 1 November
])
def test_a_time_of_day_in_new_york_is_not_taken_for_midnights_further_east(
        tmp_path: Path, clock: str, first: str, last: str) -> None:
    # 09:00 in New York is 14:00Z then 13:00Z, Sydney's midnights' pair; 18:00 is Berlin's.
    # The clocks change on American dates, not Australian or European ones: refused as
    # before, not dated a day late.
    days = pd.date_range(first, last, freq="D")
    stamps = [pd.Timestamp(f"{d.date()} {clock}", tz="America/New_York").tz_convert("UTC")
              for d in days]
    path = tmp_path / "readings.csv"
    path.write_text("timestamp,value\n" + "".join(f"{t:%Y-%m-%dT%H:%M:%SZ},{i % 17}\n"
                                                   for i, t in enumerate(stamps)))
    with pytest.raises(DataError, match="off the 'D' grid"):
        load_frame(path, DataSpec())


@pytest.mark.parametrize("hours", [(4, 5), (22, 23)])
def test_two_readings_an_hour_apart_each_day_stay_times(tmp_path: Path, hours) -> None:
    # Twice a day, on alternate rows: times, not the Americas' or Berlin's midnights.
    times = [d + pd.Timedelta(hours=h) for d in pd.date_range("2024-01-01", periods=60)
             for h in hours]
    path = tmp_path / "twice.csv"
    path.write_text("time,v\n" + "".join(f"{t:%Y-%m-%dT%H:%M:%S}Z,{i}\n"
                                          for i, t in enumerate(times)))
    from forecaster.data.timestamps import parse_times  # the raw times, before any grid
    raw = pd.read_csv(path, dtype=str)
    assert parse_times(raw, "time", [], path).hour.tolist()[:2] == list(hours)


def test_daily_bars_of_several_symbols_are_their_dates(tmp_path: Path) -> None:
    days = pd.bdate_range("2024-01-02", periods=120)
    rows = [f"{sym},{d:%Y-%m-%d}T{'04' if 3 < d.month < 11 else '05'}:00:00Z,{i}"
            for sym in ("AAPL", "MSFT") for i, d in enumerate(days)]
    path = tmp_path / "bars.csv"
    path.write_text("symbol,timestamp,close\n" + "\n".join(rows) + "\n")
    frame = load_frame(path, DataSpec(series_col="symbol"))
    assert frame.freq == "B" and all((s.index == days.tz_localize("UTC")).all()
                                     for s in frame.series)


@pytest.mark.parametrize(("offset", "name"), [("+0000", "UTC"), ("+0100", "CET"),
                                              ("-0500", "EST")])
def test_go_times_with_an_offset_and_a_zone_name_are_read(tmp_path: Path, offset: str,
                                                          name: str) -> None:
    # Go's time.Time writes "2024-01-17 14:00:00 +0100 CET": "cannot parse ... expected ISO
    # 8601". The offset tells the time; the name after it is left out.
    hours = pd.date_range("2024-01-01", periods=48, freq="h", tz=offset[:3] + ":" + offset[3:])
    path = write_lines(tmp_path, ["time,value"] + [f"{t:%Y-%m-%d %H:%M:%S} {offset} {name},{i}"
                                                   for i, t in enumerate(hours)])
    result = runner.invoke(app, ["train", str(path), "--model", str(tmp_path / "m"),
                                 "--no-anomaly", "--epochs", "1", "--folds", "0", "--ensemble",
                                 "1", "--window", "8", "--segment", "4", "--horizon", "2",
                                 "--hidden", "4"])
    assert result.exit_code == 0, result.output
    frame = load_frame(path, DataSpec())
    (s,) = frame.series
    assert s.index[0] == hours[0].tz_convert("UTC") and len(s.index) == 48
    assert not frame.naive_times and frame.time_offsets == (offset,)
