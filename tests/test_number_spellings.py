"""Numbers spelled as accounting, SAP, Swiss and French exports and C's printf write them:
(12.04), 12.5-, 10'000.0, 10 000.5, -nan, 1.#INF. Each was refused as "'(12.04)' is not a
number", with advice to read it as missing."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from conftest import one_error_line, write_lines
from typer.testing import CliRunner

from forecaster.cli import app
from forecaster.data.loading import load_frame
from forecaster.data.spec import DataSpec

runner = CliRunner()
QUICK = ["--epochs", "1", "--folds", "0", "--no-anomaly", "--hidden", "4", "--layers", "1",
         "--window", "8", "--segment", "4", "--horizon", "2"]
AT = 51  # the row of the first odd cell (line 53 of the file)


def _file(tmp_path: Path, odd: dict[int, str], sep: str = ",") -> Path:
    """200 hourly rows of ``time<sep>value`` (values about 10, with decimal commas where
    ``sep`` is no comma), the cells of ``odd`` written in their place (quoted where they
    hold the separator)."""
    lines = [f"time{sep}value"]
    for i in range(200):
        value = f"{10 + 5 * math.sin(i / 5):.2f}"
        cell = odd.get(i, value if sep == "," else value.replace(".", ","))
        cell = f'"{cell}"' if sep in cell else cell
        lines.append(f"2024-01-{1 + i // 24:02d} {i % 24:02d}:00{sep}{cell}")
    return write_lines(tmp_path, lines)


def _read(path: Path) -> tuple[np.ndarray, list[str]]:
    frame = load_frame(path, DataSpec(targets=["value"]))
    return frame.series[0].values[:, 0], frame.notes


def _train(path: Path, tmp_path: Path):
    return runner.invoke(app, ["train", str(path), "--model", str(tmp_path / "m"), *QUICK])


@pytest.mark.parametrize(("cell", "sep", "value"), [
    ("(12.04)", ",", -12.04),
    ("(1,234.50)", ",", -1234.5),
    ("( 7 )", ",", -7.0),
    ("(1.234,50)", ";", -1234.5),
])
def test_accounting_brackets_are_read_as_negatives(tmp_path: Path, cell: str, sep: str,
                                                   value: float) -> None:
    three = "(3.00)" if sep == "," else "(3,00)"
    values, notes = _read(_file(tmp_path, {AT: cell, 80: three}, sep))
    assert values[AT] == pytest.approx(value) and values[80] == -3.0
    assert f"data.csv: column 'value': read 2 values written in brackets as negatives " \
           f"(e.g. '{cell}' as -" in notes[0], notes


def test_brackets_around_prices_in_a_column_of_prices(tmp_path: Path) -> None:
    prices = {i: f"${10 + i % 7}.50" for i in range(200)}
    values, notes = _read(_file(tmp_path, {**prices, AT: "($5.25)", 60: "( $1,200.00 )"}))
    assert values[AT] == -5.25 and values[60] == -1200.0 and values[0] == 10.5
    assert "read 2 values written in brackets as negatives (e.g. '($5.25)' as -$5.25)" \
           in notes[0]


def test_brackets_through_train_note_the_reading(tmp_path: Path) -> None:
    result = _train(_file(tmp_path, {AT: "(12.04)", 60: "(1.5)", 70: "(0.25)"}), tmp_path)
    assert result.exit_code == 0, result.output
    assert "data.csv: column 'value': read 3 values written in brackets as negatives " \
           "(e.g. '(12.04)' as -12.04)" in result.stderr


@pytest.mark.parametrize(("cell", "sep", "value"), [
    ("12.5-", ",", -12.5),
    ("1.234,50-", ";", -1234.5),
    ("0,5-", ";", -0.5),
])
def test_a_trailing_minus_is_read_as_negative(tmp_path: Path, cell: str, sep: str,
                                              value: float) -> None:
    values, notes = _read(_file(tmp_path, {AT: cell}, sep))
    assert values[AT] == pytest.approx(value)
    assert f"read 1 value written with a trailing minus as negative (e.g. '{cell}' as " \
           f"-{cell[:-1]})" in notes[0], notes


def test_a_trailing_minus_through_train(tmp_path: Path) -> None:
    result = _train(_file(tmp_path, {AT: "12.5-", 90: "3-"}), tmp_path)
    assert result.exit_code == 0, result.output
    assert "read 2 values written with a trailing minus as negatives (e.g. '12.5-' as " \
           "-12.5)" in result.stderr


@pytest.mark.parametrize(("cell", "sep", "value", "told"), [
    ("10'000.0", ",", 10000.0, "apostrophes"),
    ("10\u2019000.0", ",", 10000.0, "apostrophes"),
    ("10 000.5", ",", 10000.5, "spaces"),
    ("10\u00a0000.5", ",", 10000.5, "spaces"),
    ("10\u202f000.5", ",", 10000.5, "spaces"),
    ("1 234 567", ",", 1234567.0, "spaces"),
    ("10 000,5", ";", 10000.5, "spaces"),
    ("(1 234.50)", ",", -1234.5, "spaces"),
])
def test_thousands_grouped_by_apostrophes_or_spaces(tmp_path: Path, cell: str, sep: str,
                                                    value: float, told: str) -> None:
    values, notes = _read(_file(tmp_path, {AT: cell}, sep))
    assert values[AT] == pytest.approx(value)
    assert f"({told} grouping thousands)" in notes[0], notes


def test_a_no_break_space_is_named_in_the_note(tmp_path: Path) -> None:
    result = _train(_file(tmp_path, {AT: "10\u00a0000.5"}), tmp_path)
    assert result.exit_code == 0, result.output
    assert "column 'value': read 10\\xa0000.5 as 10000.5 (spaces grouping thousands)" \
           in result.stderr


@pytest.mark.parametrize("cell", ["-nan", "+nan", "-NaN", "-nan(ind)", "nan(snan)", "1.#IND",
                                  "-1.#IND", "1.#QNAN", "-1.#IND00", "1.#QNAN0"])
def test_c_spellings_of_nan_are_missing_as_nan_is(tmp_path: Path, cell: str) -> None:
    as_nan, _ = _read(_file(tmp_path, {AT: "nan"}))
    values, notes = _read(_file(tmp_path, {AT: cell}))
    np.testing.assert_array_equal(values, as_nan)
    assert "data.csv: filled 1 missing value" in " ".join(notes)


@pytest.mark.parametrize("cell", ["1.#INF", "-1.#INF", "1.#INF00"])
def test_c_spellings_of_infinity_are_refused_as_inf_is(tmp_path: Path, cell: str) -> None:
    line = one_error_line(_train(_file(tmp_path, {AT: cell}), tmp_path), 65)
    assert line == f"Error: {tmp_path / 'data.csv'}: row 53, column 'value': value '{cell}' " \
                   "is infinite or too large; remove or fix it (empty cells are filled by --fill)"


@pytest.mark.parametrize("odd", [
    {AT: "(12.04)", 60: "abc"},  # brackets among words: no column of negatives
    {AT: "1 2345"},  # a space that groups no thousands: two numbers run together?
    {AT: "10'0000.5"},
    {AT: "12.5-", 60: "(3.0)"},  # two ways of writing negatives
    {AT: "($5.25)"},  # a price among plain numbers
])
def test_odd_cells_not_read_throughout_are_still_refused(tmp_path: Path,
                                                         odd: dict[int, str]) -> None:
    line = one_error_line(_train(_file(tmp_path, odd), tmp_path), 65)
    assert f"row 53, column 'value': '{odd[AT]}' is not a number" in line


@pytest.mark.parametrize(("cell", "told"), [("(12.04)", "brackets mark"),
                                            ("12.04-", "a trailing minus marks")])
def test_negatives_beside_a_leading_minus_are_refused_without_missing_advice(
        tmp_path: Path, cell: str, told: str) -> None:
    # Brackets beside "-3.5" may mark estimates: advice to read them as missing lost them.
    line = one_error_line(_train(_file(tmp_path, {AT: cell, 60: "-3.5"}), tmp_path), 65)
    assert line.endswith(f"'{cell}' is not a number; expected numeric values (1 bad in all); "
                         f"{told} negatives in accounting exports, but this column also "
                         "writes values with a leading minus sign, so they may mean something "
                         "else: write every negative with a leading minus sign, or blank "
                         "those cells")


@pytest.mark.parametrize(("odd", "said", "how"), [
    ({AT: "($5.25)"}, "it is a negative amount written in brackets with a currency sign",
     "write it as -5.25, or blank it"),
    ({AT: "-$5.25"}, "it is an amount written with a currency sign", "write it as -5.25, or "
     "blank it"),
    ({AT: "($5.25)", 60: "( € 7 )"}, "they are negative amounts written in brackets with a "
     "currency sign", "write them as plain numbers ('($5.25)' as -5.25), or blank them"),
])
def test_a_priced_amount_among_plain_numbers_is_told_as_such(
        tmp_path: Path, odd: dict[int, str], said: str, how: str) -> None:
    # Was: "fix or blank those cells, or read them as missing with --na-values '($5.25)'",
    # which lost a negative amount. A sign is read only where every value carries it.
    line = one_error_line(_train(_file(tmp_path, odd), tmp_path), 65)
    assert line.endswith(f"'{odd[AT]}' is not a number; expected numeric values ({len(odd)} "
                         f"bad in all); {said}, but this column's other values are plain "
                         "numbers, and a currency sign is read only where every value "
                         f"carries it: {how}"), line
