"""A quoted field opened on one of a CSV's last lines and never closed: a last record still
being written is left out with a note; complete rows inside the open quote are refused,
naming the line, rather than vanishing into one cell (pyarrow read them so, in silence)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import train_tiny
from typer.testing import CliRunner

from forecaster.cli import app
from forecaster.data.loading import load_frame
from forecaster.data.spec import DataSpec
from forecaster.errors import EXIT_DATA, DataError

runner = CliRunner()
HOURS = pd.date_range("2024-01-10", periods=120, freq="h")


def _file(tmp_path: Path, tail: str, name: str = "data.csv") -> Path:
    # A logger's CSV with a text column, CRLF line ends; its last rows written by ``tail``
    # ({0} and {1}: the times of rows 121 and 122, on lines 122 and 123).
    rows = [f"{t:%Y-%m-%d %H:%M:%S},{10 + i % 24}," for i, t in enumerate(HOURS[:-2])]
    path = tmp_path / name
    later = [f"{t:%Y-%m-%d %H:%M:%S}" for t in HOURS[-2:]]
    path.write_bytes("\r\n".join(["timestamp,value,note", *rows, tail.format(*later)]).encode())
    return path


def _last(path: Path) -> tuple[pd.Timestamp, list[str]]:
    frame = load_frame(path, DataSpec(targets=["value"]))
    return frame.series[0].index[-1], frame.notes


def test_rows_inside_a_quote_left_open_at_the_end_are_refused(tmp_path: Path, engine) -> None:
    path = _file(tmp_path, '{0},50.0,"half\r\nline\r\n{1},51,\r\n')
    with pytest.raises(DataError) as info:
        load_frame(path, DataSpec(targets=["value"]))
    assert str(info.value) == (
        f"{path}: line 120 opens a quoted field that runs to the end of the file (line 122), "
        'taking in the rows after it; expected each " to be closed on its line: fix that line')


def test_a_last_record_with_its_quote_still_open_is_left_out(tmp_path: Path, engine) -> None:
    last, notes = _last(_file(tmp_path, '{0},50.0,"unterminated\r\n'))
    assert last == pd.Timestamp(HOURS[-3], tz="UTC")
    assert ("data.csv: the last row (line 120) opens a quoted field that is never closed (a "
            "writer may still be writing it); it was left out until it is: close the \" to "
            "keep it") in notes


def test_a_multi_line_note_still_being_written_is_left_out(tmp_path: Path, engine) -> None:
    last, notes = _last(_file(tmp_path, '{0},50.0,ok\r\n{1},51,"pump 3 tripped\r\nreset at\r\n'))
    assert last == pd.Timestamp(HOURS[-2], tz="UTC")
    assert any("the last row (line 121) opens a quoted field" in n for n in notes)


def test_a_closed_multi_line_note_at_the_end_is_read(tmp_path: Path, engine) -> None:
    last, notes = _last(_file(tmp_path, '{0},50.0,ok\r\n{1},51,"pump 3\r\nreset"\r\n'))
    assert last == pd.Timestamp(HOURS[-1], tz="UTC")
    assert not any("quoted field" in n for n in notes)


def test_predict_refuses_the_swallowed_rows_and_notes_the_open_record(tmp_path: Path) -> None:
    model = train_tiny(_file(tmp_path, "{0},50.0,\r\n{1},51,\r\n", "train.csv"), tmp_path / "m")
    swallowed = _file(tmp_path, '{0},50.0,"half\r\nline\r\n{1},51,\r\n')
    result = runner.invoke(app, ["predict", "--model", str(model), "--data", str(swallowed)])
    assert result.exit_code == EXIT_DATA and "Traceback" not in result.output
    assert result.stderr.strip().splitlines() == [
        f"Error: {swallowed}: line 120 opens a quoted field that runs to the end of the file "
        '(line 122), taking in the rows after it; expected each " to be closed on its line: '
        "fix that line"]
    open_end = _file(tmp_path, '{0},50.0,"unterminated\r\n', "open.csv")
    result = runner.invoke(app, ["predict", "--model", str(model), "--data", str(open_end)])
    assert result.exit_code == 0, result.output
    assert "open.csv: the last row (line 120) opens a quoted field" in result.stderr
