"""Times outside the years 1677 to 2262 that the data's nanosecond timestamps hold: a
``9999-12-31`` placeholder, a typo year, a stray Unix time are refused by their row (exit 65),
and a --since or --start past them by its value (exit 2), never as an internal error."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from forecaster.cli import app
from forecaster.data.option_times import check_readable, parse_when
from forecaster.errors import EXIT_DATA, ConfigError

runner = CliRunner()
TINY = ["--no-anomaly", "--epochs", "1", "--folds", "1", "--window", "8", "--segment", "4",
        "--horizon", "2", "--hidden", "4"]
HOURS = pd.date_range("2024-01-01", periods=300, freq="h")
SPAN = "lies outside the years 1677 to 2262 that can be read"


def _lines(unix: bool = False) -> list[str]:
    stamps = [str(int(t.timestamp())) if unix else f"{t:%Y-%m-%d %H:%M:%S}" for t in HOURS]
    return ["time,value"] + [f"{s},{i % 24 + 0.5}" for i, s in enumerate(stamps)]


def _train(tmp_path: Path, lines: list[str]):
    csv = tmp_path / "data.csv"
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return runner.invoke(app, ["train", str(csv), "--model", str(tmp_path / "m"), *TINY])


def _refused(result, message: str) -> None:
    assert result.exit_code == EXIT_DATA, result.output
    assert "internal error" not in result.stderr and result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: ")
    assert message in result.stderr, result.stderr


@pytest.mark.parametrize(("row", "cell"), [
    (101, "3024-01-05 04:00:00"),   # a typo year
    (301, "9999-12-31 23:00:00"),   # a database's placeholder as the last row
    (51, "2300-01-01 00:00:00"),
    (51, "1600-01-01 00:00:00"),
])
def test_a_year_outside_the_span_is_refused_by_its_row(tmp_path: Path, row: int,
                                                       cell: str) -> None:
    lines = _lines()
    lines[row - 1] = f"{cell},1.0"
    _refused(_train(tmp_path, lines),
             f"row {row}, column 'time': '{cell}' {SPAN}; fix or remove that row")


def test_a_split_date_outside_the_span_is_refused_by_its_row(tmp_path: Path) -> None:
    lines = ["year,month,day,hour,value"] + [f"{t.year},{t.month},{t.day},{t.hour},1.5"
                                             for t in HOURS]
    lines[10] = "3024,1,1,10,1.5"
    _refused(_train(tmp_path, lines), f"row 11, column 'year': '3024' {SPAN}")


@pytest.mark.parametrize(("cell", "message"), [
    ("9999999999", f"'9999999999' {SPAN}, though the column's other cells are Unix times in "
                   "seconds; fix or remove that row"),
    ("12", "'12' is too small for a Unix time in seconds (before 1973), though the column's "
           "other cells are Unix times in seconds"),
])
def test_a_stray_unix_time_is_named_by_its_row(tmp_path: Path, cell: str,
                                               message: str) -> None:
    lines = _lines(unix=True)
    lines[150] = f"{cell},1.0"
    _refused(_train(tmp_path, lines), f"row 151, column 'time': {message}")


@pytest.mark.parametrize(("text", "message"), [
    ("2262-04-12", "lies past 2262-04-11, the last day that can be read"),
    ("2300", "lies past 2262-04-11, the last day that can be read"),
    ("12/01/2300", "lies past 2262-04-11, the last day that can be read"),
    ("1600-01-01", "lies before 1677-09-21, the first day that can be read"),
])
def test_an_option_time_outside_the_span_says_so(text: str, message: str) -> None:
    expected = f"^--since {text}: {message}; expected a time within the data"
    with pytest.raises(ConfigError, match=expected):
        parse_when(text, HOURS.tz_localize("UTC"))
    if not text.isdigit():  # a number is left to the data (a step number, a year)
        with pytest.raises(ConfigError, match=expected):
            check_readable(text)


def test_start_past_the_span_is_a_usage_error_in_backtest(tmp_path: Path) -> None:
    csv = tmp_path / "data.csv"
    csv.write_text("\n".join(_lines()) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["backtest", str(csv), *TINY[1:], "--start", "2262-04-12"])
    assert result.exit_code == 2, result.output
    assert result.stderr == ("Error: --start 2262-04-12: lies past 2262-04-11, the last day "
                             "that can be read; expected a time within the data, such as "
                             "2026-03-01\n")
