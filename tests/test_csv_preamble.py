"""Lines that tools write before a CSV's header: Excel's "sep=;" and '#' comment lines.

Every command reads such a file alike, through both CSV parsers (pyarrow, the ``fast``
extra, and pandas' C parser), and names lines by their number in the file.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from conftest import TINY, make_series
from typer.testing import CliRunner

from forecaster.cli import app
from forecaster.errors import EXIT_DATA

runner = CliRunner()
HORIZON = int(TINY[TINY.index("--horizon") + 1])


def save(tmp_path: Path, preamble: str, table: pd.DataFrame, sep: str = ",",
         decimal: str = ".") -> Path:
    """``table`` written as CSV after the lines of ``preamble``."""
    path = tmp_path / "data.csv"
    body = table.to_csv(index=False, sep=sep, decimal=decimal, date_format="%Y-%m-%d %H:%M")
    path.write_text(preamble + body, encoding="utf-8")
    return path


def train(path: Path, model: Path, *extra: str):
    return runner.invoke(app, ["train", str(path), "--model", str(model), *TINY, *extra])


def recorded(model: Path) -> dict:
    """The metadata of the model's bundle."""
    return json.loads(next((model / "versions").glob("*/bundle.json")).read_text())


def forecast_rows(model: Path, path: Path) -> pd.DataFrame:
    result = runner.invoke(app, ["predict", "--model", str(model), "--data", str(path)])
    assert result.exit_code == 0, result.output
    return pd.read_csv(io.StringIO(result.stdout))


def error_line(result) -> str:
    assert "Traceback" not in result.output
    (line,) = [x for x in result.stderr.splitlines() if x.startswith("Error: ")]
    return line


def test_excel_sep_line_with_decimal_commas(tmp_path: Path, engine: str) -> None:
    series = make_series()
    path = save(tmp_path, "sep=;\r\n", series, sep=";", decimal=",")
    assert "10," in path.read_text()  # decimal commas, as a European Excel writes them
    result = train(path, tmp_path / "m")
    assert result.exit_code == 0, result.output
    meta = recorded(tmp_path / "m")
    assert meta["data"]["columns"] == ["value"]
    assert meta["data"]["series"][""]["rows"] == len(series)
    # Read as 10.5, not 105: the training mean is the data's.
    assert meta["scalers"][""]["mean"][0] == pytest.approx(series["value"].mean(), rel=1e-3)
    assert len(forecast_rows(tmp_path / "m", path)) == HORIZON


def test_comment_lines_and_a_blank_line_before_the_header(tmp_path: Path, engine: str) -> None:
    series = make_series()
    path = save(tmp_path, "# exported by logger v2\n# units: degC\n\n", series)
    result = train(path, tmp_path / "m")
    assert result.exit_code == 0, result.output
    meta = recorded(tmp_path / "m")["data"]
    assert meta["columns"] == ["value"] and meta["series"][""]["rows"] == len(series)
    assert len(forecast_rows(tmp_path / "m", path)) == HORIZON
    scored = runner.invoke(app, ["detect-anomalies", "--model", str(tmp_path / "m"), "--data",
                                 str(path), "--method", "forecast", "--exit-zero"])
    assert scored.exit_code == 0, scored.output
    assert len(pd.read_csv(io.StringIO(scored.stdout))) > 0


@pytest.mark.parametrize(("preamble", "skipped"), [
    ("Category: All categories\n\n", "1 title line before the header (line 3)"),  # Trends
    ("https://www.CryptoDataDownload.com\n", "1 title line before the header (line 2)"),
    ("Sales by day\n# units EUR\n", "1 comment line and 1 title line before the header "
                                     "(line 3)"),
    # A spreadsheet pads the title's row, and the empty row under it, to the table's width:
    # "repeated column name(s) in the header: ''; rename them".
    ("Report by SCADA v2,\n", "1 title line before the header (line 2)"),
    ("Report by SCADA v2,\n,\n", "1 title line before the header (line 3)"),
])
def test_a_title_line_before_the_header_is_skipped(tmp_path: Path, engine: str, preamble: str,
                                                   skipped: str) -> None:
    # Refused as "line 3 has 2 fields, the header has 1": the title was taken for the header.
    series = make_series()
    path = save(tmp_path, preamble, series)
    result = train(path, tmp_path / "m")
    assert result.exit_code == 0, result.output
    assert f"data.csv: skipped {skipped}" in result.stderr
    assert recorded(tmp_path / "m")["data"]["series"][""]["rows"] == len(series)
    assert len(forecast_rows(tmp_path / "m", path)) == HORIZON


def test_a_one_word_header_over_decimal_commas_is_no_title(tmp_path: Path) -> None:
    # "level" over 1,1 and 2,2: the header, not a title; the rows are refused as before.
    path = tmp_path / "level.csv"
    path.write_text("level\n" + "".join(f"{i},{i}\n" for i in range(1, 30)))
    result = train(path, tmp_path / "m")
    assert error_line(result).endswith("line 2 has 2 fields, the header has 1; expected one "
                                       "field per header column: fix that line, or add the "
                                       "new column's name to the header")


def test_backtest_reads_past_the_comment_lines(tmp_path: Path) -> None:
    path = save(tmp_path, "# exported by logger v2\n", make_series(n=300))
    out = tmp_path / "bt.csv"
    tiny = [a for a in TINY if a != "--no-anomaly"]
    result = runner.invoke(app, ["backtest", str(path), *tiny, "--start", "0.9", "--output",
                                 str(out)])
    assert result.exit_code == 0, result.output
    assert (pd.read_csv(out)["target"] == "value").all()


def test_a_hash_in_the_data_is_data(tmp_path: Path, engine: str) -> None:
    # Rooms named "#1" and "#2" start data lines with '#': only lines before the header
    # are comments.
    rooms = [make_series(seed=k).assign(room=f"#{k}") for k in (1, 2)]
    table = pd.concat(rooms)[["room", "timestamp", "value"]]
    table["note"] = "door #3"
    path = save(tmp_path, "# visitors per room\n", table)
    result = train(path, tmp_path / "m", "--series-col", "room", "--target", "value")
    assert result.exit_code == 0, result.output
    meta = recorded(tmp_path / "m")["data"]
    assert {name: s["rows"] for name, s in meta["series"].items()} == {"#1": 480, "#2": 480}
    assert set(forecast_rows(tmp_path / "m", path)["series"]) == {"#1", "#2"}


def test_a_row_of_the_wrong_width_is_named_by_its_line_in_the_file(tmp_path: Path,
                                                                   engine: str) -> None:
    lines = make_series(n=60).to_csv(index=False, date_format="%Y-%m-%d %H:%M").splitlines()
    lines[30] += ",7"  # the header is line 4, so this row is line 34
    path = tmp_path / "data.csv"
    path.write_text("sep=,\n# logger v2\n\n" + "\n".join(lines) + "\n", encoding="utf-8")
    result = train(path, tmp_path / "m")
    assert result.exit_code == EXIT_DATA, result.output
    assert error_line(result) == (
        f"Error: {path}: line 34 has 3 fields, the header has 2; expected one field per "
        "header column: fix that line, or add the new column's name to the header")


@pytest.mark.parametrize(("cell", "column", "message"), [
    ("2024-01-02 0x:00", "timestamp", "cannot parse"),  # an unreadable time
    ("abc", "value", "is not a number"),
    ("2024-01-01 00:00", "timestamp", "duplicate timestamp"),  # row 1's time again
])
def test_bad_cells_are_named_by_their_line_in_the_file(tmp_path: Path, cell: str, column: str,
                                                        message: str) -> None:
    table = make_series(n=60).astype(str)
    table.loc[30, column] = cell  # the header is line 3, so this row is line 34
    path = save(tmp_path, "# logger v2\n\n", table)
    result = train(path, tmp_path / "m")
    assert result.exit_code == EXIT_DATA, result.output
    assert message in result.stderr, result.stderr
    assert re.search(r"rows? (4 and )?34\b", result.stderr), result.stderr


@pytest.mark.parametrize(("preamble", "found"), [
    ("# exported by logger v2\n\n# units: degC\n", "only 2 comment lines"),
    ("sep=;\n", "only the 'sep=;' line"),
])
def test_a_file_of_only_a_preamble_is_refused(tmp_path: Path, engine: str, preamble: str,
                                              found: str) -> None:
    path = tmp_path / "data.csv"
    path.write_text(preamble, encoding="utf-8")
    result = train(path, tmp_path / "m")
    assert result.exit_code == EXIT_DATA, result.output
    assert error_line(result) == (
        f"Error: {path}: has no header row, {found}; expected a CSV with a header row and "
        "data rows after them: check that this is the file (or export) holding the data")
    assert not (tmp_path / "m").exists()


def test_a_header_written_as_a_comment_is_named(tmp_path: Path, engine: str) -> None:
    lines = make_series(n=60).to_csv(index=False, date_format="%Y-%m-%d %H:%M").splitlines()
    path = tmp_path / "data.csv"
    path.write_text("# " + "\n".join(lines) + "\n", encoding="utf-8")
    result = train(path, tmp_path / "m")
    assert result.exit_code == EXIT_DATA, result.output
    line = error_line(result)
    assert f"{path}: line 2, the first after 1 comment line (2024-01-01 00:00," in line
    assert line.endswith("or remove the '#' of a header written as a comment")


def test_a_campbell_toa5_file_trains(tmp_path: Path) -> None:
    # A TOA5 logger file: station line, header, units row, processing row, then data.
    # The station line was taken for the header: "line 2 has 4 fields, the header has 8;
    # ... fix or remove that line", the real header.
    hours = pd.date_range("2024-01-01", periods=48, freq="h")
    path = tmp_path / "CR1000_Hourly.dat"
    path.write_text('"TOA5","CR1000","CR1000","12345","CR1000.Std.32","CPU:prog.CR1",'
                    '"1234","Hourly"\n"TIMESTAMP","RECORD","AirTC_Avg","RH"\n'
                    '"TS","RN","Deg C","%"\n"","","Avg","Smp"\n'
                    + "".join(f'"{t:%Y-%m-%d %H:%M:%S}",{i},{i / 2},"NAN"\n'
                              for i, t in enumerate(hours)), encoding="utf-8")
    model = tmp_path / "m"
    result = runner.invoke(app, ["train", str(path), "--model", str(model), "--target",
                                 "AirTC_Avg", "--no-anomaly", "--epochs", "1", "--folds", "0",
                                 "--ensemble", "1", "--window", "8", "--segment", "4",
                                 "--horizon", "2", "--hidden", "4"])
    assert result.exit_code == 0, result.output
    assert "CR1000_Hourly.dat: skipped 1 title line before the header (line 2)" \
           in result.stderr, result.stderr
    assert "left out line 3 ('TS,RN,Deg C,%'), line 4 (',,Avg,Smp') under the header" \
           in result.stderr, result.stderr
    result = runner.invoke(app, ["predict", "--model", str(model)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1].startswith(",2024-01-03T00:00:00+00:00,AirTC_Avg,")
