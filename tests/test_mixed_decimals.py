"""A column whose older rows write decimal commas (20,1) and newer ones points (18.2): told
as such, not as a column of text to forecast another column instead of."""

from __future__ import annotations

from pathlib import Path

from conftest import TINY, make_series, one_error_line, write_lines
from typer.testing import CliRunner

from forecaster.cli import app

runner = CliRunner()


def _mixed(tmp_path: Path, newest_points: int = 100) -> Path:
    data = make_series()
    rows = []
    for i, (t, v) in enumerate(zip(data["timestamp"], data["value"], strict=True)):
        value = f"{v:.1f}"
        rows.append(f"{t:%Y-%m-%d %H:%M:%S};"
                    f"{value if i >= len(data) - newest_points else value.replace('.', ',')}")
    return write_lines(tmp_path, ["timestamp;temp", *rows])


def test_mixed_decimal_separators_are_named(tmp_path: Path) -> None:
    path = _mixed(tmp_path)
    result = runner.invoke(app, ["train", str(path), "--model", str(tmp_path / "m"),
                                 "--target", "temp", *TINY])
    line = one_error_line(result, 65)
    assert line.startswith(f"Error: {path}: column 'temp' mixes decimal commas (row 2: '")
    assert "and decimal points (row 382: '" in line
    assert line.endswith("expected one decimal separator throughout: write every value "
                         "with a point (or every one with a comma)")
    assert "holds text" not in line


def test_commas_that_may_group_thousands_keep_their_advice(tmp_path: Path) -> None:
    rows = [f"2024-01-01 {h:02d}:00;{'3,227' if h < 12 else '3.5'}" for h in range(24)]
    path = write_lines(tmp_path, ["timestamp;temp", *rows])
    result = runner.invoke(app, ["train", str(path), "--model", str(tmp_path / "m"),
                                 "--target", "temp", *TINY])
    assert "its commas may group thousands" in one_error_line(result, 65)


def test_negative_numbers_with_the_minus_sign_are_read(tmp_path: Path) -> None:
    # A Nordic spreadsheet's export writes "−5,3" (U+2212): "'−5,3' is not a number;
    # expected plain numbers (10.5, not 10.5% or 10.5 USD)".
    series = make_series(100)
    cells = [f"{v - 10:.1f}".replace("-", "\u2212").replace(".", ",") for v in series["value"]]
    lines = ["timestamp;temp"] + [f"{t:%Y-%m-%d %H:%M};{c}"
                                  for t, c in zip(series["timestamp"], cells, strict=True)]
    path = write_lines(tmp_path, lines)
    result = runner.invoke(app, ["train", str(path), "--model", str(tmp_path / "m"), *TINY])
    assert result.exit_code == 0, result.output
    first = next(c for c in cells if "\u2212" in c)
    assert f"data.csv: column 'temp': read {first} as {first.replace(chr(0x2212), '-')} " \
           "(a minus sign)" in result.stderr, result.stderr
