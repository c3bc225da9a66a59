"""Times on the command line (--since, --start) are read as the file's own times are."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from conftest import TINY, make_series
from typer.testing import CliRunner

from forecaster.cli import app
from forecaster.data.option_times import parse_when
from forecaster.errors import ConfigError

runner = CliRunner()
MONTHS = pd.date_range("1949-01-01", "1960-12-01", freq="MS", tz="UTC")  # AirPassengers
HOURS = pd.date_range("2024-01-01", periods=480, freq="h", tz="UTC")


def _utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


@pytest.mark.parametrize(("text", "expected"), [
    ("Jun-60", "1960-06-01"),          # as the file's Jan-49 is 1949, not 2049
    ("1960-06", "1960-06-01"),
    ("1960M06", "1960-06-01"),
    ("6/1/60", "1960-06-01"),           # month first names a month start; day first not
    ("1/6/60", "1960-06-01"),           # day first names one
])
def test_a_monthly_file_reads_two_digit_years_in_the_past(text: str, expected: str) -> None:
    assert parse_when(text, MONTHS) == _utc(expected)


@pytest.mark.parametrize(("text", "expected"), [
    ("5/1/2024", "2024-01-05"),         # May 1 lies after the data: the data decide
    ("1/5/2024", "2024-01-05"),         # month first; day first (1 May) is not in the data
    ("13/1/2024", "2024-01-13"),        # only one reading exists
    ("2024-01-02", "2024-01-02"),       # year first is never read day first
    ("2024-01-02T05:00+02:00", "2024-01-02T03:00"),
])
def test_the_data_decide_between_day_and_month_first(text: str, expected: str) -> None:
    assert parse_when(text, HOURS) == _utc(expected)


def test_a_date_both_readings_of_which_are_in_the_data_is_refused() -> None:
    year = pd.date_range("2024-01-01", periods=365, freq="D", tz="UTC")
    with pytest.raises(ConfigError, match=r"^--start 2/1/2024: reads as 2024-02-01 \(month "
                       r"first\) or 2024-01-02 \(day first\), and the data do not tell "
                       r"which; write it year first \(YYYY-MM-DD\)$"):
        parse_when("2/1/2024", year, "--start")


@pytest.mark.parametrize(("day_first", "expected"), [(True, "2024-11-01"),
                                                     (False, "2024-01-11")])
def test_the_files_own_order_decides_first(day_first: bool, expected: str) -> None:
    # A cron --since past the last row of a day-first file: 01/11 is 1 November there,
    # though 11 January names one of its rows.
    year = pd.date_range("2024-01-01", periods=300, freq="D", tz="UTC")
    assert parse_when("01/11/2024", year, day_first=day_first) == _utc(expected)


def test_year_less_months_are_read_as_the_files_are() -> None:
    # Shampoo sales: '3-01' in the file is 1903-01, but --start 3-01 was refused.
    shampoo = pd.date_range("1901-01-01", periods=36, freq="MS", tz="UTC")
    assert parse_when("3-01", shampoo, "--start") == _utc("1903-01-01")
    assert parse_when("1903-01", shampoo, "--start") == _utc("1903-01-01")
    with pytest.raises(ValueError):  # a file of real dates gives no year-less reading
        parse_when("3-01", MONTHS, "--start")


def test_a_time_finer_than_the_datas_unit_moves_to_the_next_one() -> None:
    # It crashed ("Cannot losslessly convert units") comparing with second-unit rows.
    hours = HOURS.as_unit("s")
    when = parse_when("2024-01-02T10:00:00.000000001", hours)
    assert when == _utc("2024-01-02T10:00:01") and when.unit == "s"


def test_a_date_after_the_data_that_reads_both_ways_is_refused() -> None:
    # A cron job's --since read the wrong way round would score nothing, silently.
    with pytest.raises(ConfigError, match="reads as 2025-02-01 .month first. or 2025-01-02"):
        parse_when("02/01/2025", HOURS)


@pytest.mark.parametrize(("text", "expected"), [
    ("1704153600", "2024-01-02"),        # date +%s
    ("1704153600000", "2024-01-02"),     # milliseconds
    ("1704153600000000", "2024-01-02"),  # microseconds (Binance)
    ("1704153600000000000", "2024-01-02"),  # nanoseconds (InfluxDB 1)
    ("1704153600.125", "2024-01-02T00:00:00.125"),  # Prometheus' fractional seconds
    ("20240102", "2024-01-02"),          # eight digits stay a compact date
])
def test_unix_times_are_read_as_such(text: str, expected: str) -> None:
    assert parse_when(text, HOURS) == _utc(expected)


def test_a_unix_time_past_2262_is_past_the_end() -> None:
    assert parse_when("9999999999", HOURS) > HOURS[-1]  # it wrapped round to 1702


def test_compact_dates_and_unix_seconds_are_told_apart_by_the_data() -> None:
    """2024010905 is 2024-01-09 05:00 beside data of 2024, not Unix seconds in 2034; and
    1701011200 (compact: 1701-01-01 12:00) is Unix seconds beside data of 2023."""
    days = pd.date_range("2024-01-01", periods=200, freq="h", tz="UTC")
    assert parse_when("2024010905", days) == _utc("2024-01-09 05:00")
    assert parse_when("202401090500", days) == _utc("2024-01-09 05:00")
    recent = pd.date_range("2023-11-01", periods=2000, freq="h", tz="UTC")
    assert parse_when("1701011200", recent) == pd.Timestamp(1701011200, unit="s", tz="UTC")


@pytest.mark.parametrize("text", ["", "NaT", "soon"])
def test_text_that_is_no_time_is_a_value_error(text: str) -> None:
    with pytest.raises(ValueError):
        parse_when(text, HOURS)


@pytest.mark.parametrize("text", ["today", "now", "tomorrow"])
def test_start_and_end_refuse_a_time_relative_to_the_run(text: str) -> None:
    # --start today was this instant: "outside the data", read as 2026-...T02:22:07.27
    with pytest.raises(ConfigError, match=f"^--start {text}: '{text}' names no fixed time"):
        parse_when(text, HOURS, "--start")


@pytest.fixture(scope="module")
def day_first(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """An hourly CSV with day-first dates (UCI's 16/12/2006 17:24), and a bundle on it."""
    root = tmp_path_factory.mktemp("dayfirst")
    csv, model = root / "power.csv", root / "m"
    frame = make_series(n=480)
    frame["timestamp"] = frame["timestamp"].dt.strftime("%d/%m/%Y %H:%M")
    frame.to_csv(csv, index=False)
    result = runner.invoke(app, ["train", str(csv), "--model", str(model), *TINY[:-1],
                                 "--anomaly-window", "24", "--anomaly-segment", "6",
                                 "--anomaly-epochs", "2"])
    assert result.exit_code == 0, result.output
    return csv, model


def test_since_past_the_end_of_a_day_first_file_is_past_the_end(
        day_first: tuple[Path, Path]) -> None:
    # 1/2/2024 is 1 February there: after the last row (20 January), not 2 January.
    result = runner.invoke(app, ["detect-anomalies", "--model", str(day_first[1]),
                                 "--since", "1/2/2024", "--exit-zero"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "series,timestamp,value,score,threshold,is_anomaly\n"
    assert "--since 1/2/2024 (read as 2024-02-01T00:00:00+00:00): no row" in result.stderr


def test_since_on_a_day_first_file_scores_from_that_day(day_first: tuple[Path, Path]) -> None:
    result = runner.invoke(app, ["detect-anomalies", "--model", str(day_first[1]),
                                 "--since", "2/1/2024", "--exit-zero", "--quiet"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(io.StringIO(result.stdout))
    assert table["timestamp"].iloc[0] == "2024-01-02T00:00:00+00:00"
    assert len(table) == 480 - 24


def test_start_outside_the_data_says_how_it_was_read(day_first: tuple[Path, Path]) -> None:
    result = runner.invoke(app, ["backtest", str(day_first[0]), *TINY[:-1], "--start", "25/3/2024"])
    assert result.exit_code == 2, result.output
    assert result.stderr == ("Error: --start 25/3/2024 (read as 2024-03-25T00:00:00+00:00): "
                             "outside the data (2024-01-01T00:00:00+00:00 .. "
                             "2024-01-20T23:00:00+00:00); give one within it\n")


def test_start_with_a_zone_abbreviation_says_to_write_the_offset() -> None:
    from forecaster.pipeline.backtest_plan import resolve_position
    with pytest.raises(ConfigError, match=r"^--start 2024-01-10 10:00 CET: expected a timestamp"
                       r".*; a zone abbreviation \(CET\) cannot be read: write the UTC offset "
                       r"instead, as in 2024-01-17 14:00\+01:00"):
        resolve_position("2024-01-10 10:00 CET", HOURS, 0.5, "--start")
