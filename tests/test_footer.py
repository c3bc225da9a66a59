"""Free text after the table (the DataMarket exports of the tutorials' data sets) is left
out with a note; rows of the wrong width are still refused."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import TINY
from typer.testing import CliRunner

from forecaster.cli import app
from forecaster.data.loading import load_frame
from forecaster.data.spec import DataSpec
from forecaster.errors import DataError

runner = CliRunner()
CAPTION = "International airline passengers: monthly totals in thousands. Jan 49 ? Dec 60"


def _airline(tmp_path: Path, tail: str) -> Path:
    months = pd.date_range("1949-01", periods=144, freq="MS").strftime("%Y-%m")
    rows = [f'"{m}",{100 + i % 12 * 5 + i}' for i, m in enumerate(months)]
    path = tmp_path / "international-airline-passengers.csv"
    path.write_text('"Month","International airline passengers"\n' + "\n".join(rows) + "\n"
                    + tail, encoding="utf-8")
    return path


@pytest.mark.parametrize("tail", [
    f"\n{CAPTION}\n\n",                                   # DataMarket: blank line, caption
    f"{CAPTION}\n",                                       # one field, no blank line
    f'\n"{CAPTION}"',                                     # quoted, no line end
    "\nDaily minimum temperatures in Melbourne, Australia, 1981-1990\n",  # commas
    "\nSource: DataMarket\nUnits: thousands\n",
    # As wide as the header (two fields): the female births' and Baltimore water captions.
    "\nDaily total female births in California, 1959\n\n",
    "\nAnnual water usage in Baltimore in liters per capita per day, 1885 to 1968\n",
])
def test_a_footer_of_text_is_left_out(tmp_path: Path, tail: str) -> None:
    frame = load_frame(_airline(tmp_path, tail), DataSpec())
    assert len(frame.series[0].index) == 144
    assert frame.series[0].values[-1, 0] == 100 + 143 % 12 * 5 + 143
    assert any("line(s) of text after the table (a footer: " in n for n in frame.notes)


@pytest.mark.parametrize(("tail", "line"), [
    ('"1961-01"\n', 146),                       # a row cut short: no words, not a footer
    ('"1961-01",400,12\n', 146),                # a row too wide, right after the rows
    ("\n" + "some words here\n" * 6, 147),      # more text than a caption
    ("Jan-61\n", 146),                          # a row cut short, with a month's name
])
def test_other_trailing_lines_are_still_refused(tmp_path: Path, tail: str, line: int) -> None:
    with pytest.raises(DataError, match=f"line {line} has"):
        load_frame(_airline(tmp_path, tail), DataSpec())


def test_words_as_wide_as_the_header_right_after_the_rows_are_a_row(tmp_path: Path) -> None:
    # No blank line sets them apart: read as a row, and refused with its row.
    with pytest.raises(DataError, match="row 146, column 'Month': 'Daily total births in "
                       "California' cannot be read as a time"):
        load_frame(_airline(tmp_path, "Daily total births in California, 1959\n"), DataSpec())


def test_rows_of_a_city_after_a_blank_line_stay_rows(tmp_path: Path) -> None:
    # "New York,2024-01-17,217" after a blank line: words first, like a caption, but the
    # rows above start with words too (the series column), so they are rows.
    rows = [f"Berlin,2024-01-{d:02d},{200 + d}" for d in range(1, 21)]
    rows += [""] + [f"New York,2024-01-{d:02d},{200 + d}" for d in range(17, 21)]
    path = tmp_path / "cities.csv"
    path.write_text("city,date,sales\n" + "\n".join(rows) + "\n", encoding="utf-8")
    frame = load_frame(path, DataSpec(series_col="city"))
    assert len(frame.series) == 2 and not frame.notes


@pytest.mark.parametrize(("tail", "sep"), [
    ("\nTotal,123.456\n", ","),
    ("\n\nAverage;12,5\n", ";"),  # a decimal comma
    ("\nSUM,\"1,234.5\"\n", ","),  # thousands grouped, quoted
])
def test_a_summary_line_after_a_blank_line_is_left_out(tmp_path: Path, tail: str,
                                                       sep: str) -> None:
    # It was refused as a row: "row 1251 ... cannot parse 'Total'".
    times = pd.date_range("2026-01-01", periods=1250, freq="h")
    path = tmp_path / "meter.csv"
    path.write_text(f"timestamp{sep}kwh\n" + "".join(f"{t}{sep}{i % 24}\n" for i, t in
                                                     enumerate(times)) + tail, encoding="utf-8")
    frame = load_frame(path, DataSpec())
    assert len(frame.series[0].index) == 1250
    (note,) = [n for n in frame.notes if "after the table" in n]
    assert note.startswith("meter.csv: left out 1 line(s) of text after the table (a footer: ")


@pytest.mark.parametrize("tail", ["Total,123.456\n",  # no blank line: a row
                                  "\nnull,5\n",      # a missing time, not a word
                                  "\nTotal,n/a\n"])  # no figure
def test_other_lines_of_one_word_stay_rows(tmp_path: Path, tail: str) -> None:
    with pytest.raises(DataError, match="row 14[67], column 'Month'"):
        load_frame(_airline(tmp_path, tail), DataSpec())


def test_train_on_a_datamarket_export_notes_the_footer(tmp_path: Path) -> None:
    path = _airline(tmp_path, f"\n{CAPTION}\n")
    result = runner.invoke(app, ["train", str(path), "--model", str(tmp_path / "m"), *TINY])
    assert result.exit_code == 0, result.output
    assert ("international-airline-passengers.csv: left out 1 line(s) of text after the table "
            "(a footer: 'International airline passengers: monthly totals in thous...')"
            ) in result.stderr


def test_a_last_line_being_written_is_not_taken_for_a_footer(tmp_path: Path) -> None:
    path = tmp_path / "stores.csv"
    path.write_text("store,timestamp,sales\n" + "".join(
        f"north,2024-01-{d:02d},{d}\n" for d in range(1, 29)) + "south", encoding="utf-8")
    frame = load_frame(path, DataSpec(series_col="store"))
    assert any("has no line end and only 1 of 3 fields" in n for n in frame.notes)


@pytest.mark.parametrize("tail", ["   \n", "\t\n", " \r\n\t\n", "\n  \n", "   "])
def test_last_lines_of_only_spaces_or_tabs_are_blank_lines(tmp_path: Path, tail: str) -> None:
    # An editor's stray indent on the last line was refused as a row of one field (exit 65).
    frame = load_frame(_airline(tmp_path, tail), DataSpec())
    assert len(frame.series[0].index) == 144


def test_train_takes_a_file_whose_last_line_is_a_tab(tmp_path: Path) -> None:
    path = _airline(tmp_path, "\t\n")
    result = runner.invoke(app, ["train", str(path), "--model", str(tmp_path / "m"), *TINY])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "m").is_dir()


def test_a_last_line_of_tabs_in_a_tab_separated_file_is_still_padding(tmp_path: Path) -> None:
    path = tmp_path / "data.tsv"
    path.write_text("month\tvalue\n" + "".join(
        f"2024-{m:02d}\t{m}\n" for m in range(1, 13)) + "\t\n", encoding="utf-8")
    assert len(load_frame(path, DataSpec()).series[0].index) == 12
