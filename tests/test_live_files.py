"""Files that a data logger is still writing to, or that are not files at all.

A cron job reads a CSV while a logger appends to it: the last line may be unfinished, and a
logger may start writing a column the header lacks. Each case is read through both CSV
parsers (pyarrow, the ``fast`` extra, and pandas' C parser), which must agree.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import make_series
from typer.testing import CliRunner

import forecaster.data.table_end as table_end
import forecaster.pipeline.training as training
from forecaster.cli import app
from forecaster.data.loading import load_frame
from forecaster.data.spec import DataSpec
from forecaster.errors import EXIT_DATA, EXIT_NO_INPUT, DataError

TINY = ["--no-anomaly", "--epochs", "1", "--folds", "1", "--window", "8", "--segment", "4",
        "--horizon", "2", "--hidden", "4", "--layers", "1"]
SPEC = DataSpec(targets=["temp"], features=["hum"])
runner = CliRunner()


def logged(n: int = 48) -> list[str]:
    """Lines (header first) of an hourly logger writing temp and hum."""
    idx = pd.date_range("2026-01-01", periods=n, freq="h")
    return ["timestamp,temp,hum"] + [f"{t:%Y-%m-%dT%H:%M:%SZ},{20 + i % 5},{40 + i % 3}.5"
                                     for i, t in enumerate(idx)]


def save(tmp_path: Path, lines: list[str], end: str = "\n", name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(("\n".join(lines) + end).encode())
    return path


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> Path:
    """A bundle trained on a clean logger file."""
    root = tmp_path_factory.mktemp("live")
    result = runner.invoke(app, ["train", str(save(root, logged())), "--model",
                                 str(root / "m"), "--target", "temp", "--features", "hum",
                                 *TINY])
    assert result.exit_code == 0, result.output
    return root / "m"


def error_line(result) -> str:
    assert "Traceback" not in result.output
    (line,) = [x for x in result.stderr.splitlines() if x.startswith("Error: ")]
    return line


# --- 1. the last line, unfinished -----------------------------------------------------------

def test_unfinished_short_last_line_is_left_out_with_a_note(tmp_path: Path, engine) -> None:
    path = save(tmp_path, [*logged(), "2026-01-03T00:00:00Z,1"], end="")
    frame = load_frame(path, SPEC)
    (s,) = frame.series
    assert len(s.index) == 48 and s.observed.all()
    assert frame.notes == ["data.csv: the last line has no line end and only 2 of 3 fields "
                           "(a writer may still be writing it); it was left out"]


def test_unfinished_full_last_line_is_left_out_with_a_note(tmp_path: Path, engine) -> None:
    # Every field, but "4" may be the start of "40.5": only whole lines are read.
    path = save(tmp_path, [*logged(), "2026-01-03T00:00:00Z,19.5,4"], end="")
    frame = load_frame(path, SPEC)
    (s,) = frame.series
    assert len(s.index) == 48 and s.observed.all()
    assert frame.notes == ["data.csv: the last line has no line end (a writer may still be "
                           "writing it); it was left out until it ends: end the file with a "
                           "line break to keep it"]


def test_a_last_line_longer_than_the_bytes_read_back(tmp_path: Path, engine,
                                                     monkeypatch) -> None:
    # The end of the file is read back in steps; a last line longer than one step is whole.
    monkeypatch.setattr(table_end, "TAIL_BYTES", 5)
    path = save(tmp_path, [*logged(), "2026-01-03T00:00:00Z,1"], end="")
    assert "only 2 of 3 fields" in load_frame(path, SPEC).notes[0]
    assert load_frame(save(tmp_path, logged(), end="\r\n"), SPEC).notes == []


def test_predict_on_a_file_being_written(tmp_path: Path, model: Path, engine) -> None:
    path = save(tmp_path, [*logged(), "2026-01-03T00:00:00Z,1"], end="")
    result = runner.invoke(app, ["predict", "--model", str(model), "--data", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[0].endswith(
        "data.csv: the last line has no line end and only 2 of 3 fields (a writer may still "
        "be writing it); it was left out")
    assert result.stdout.splitlines()[1].split(",")[1] == "2026-01-03T00:00:00+00:00"


def test_predict_and_detect_leave_out_a_full_last_line_without_a_line_end(
        tmp_path: Path, model: Path, engine) -> None:
    # "...,1" being written as "...,18.56": scored, it paged someone; forecast from, it
    # bent the forecast.
    path = save(tmp_path, [*logged(), "2026-01-03T00:00:00Z,1,40"], end="")
    for command in (["predict"], ["detect-anomalies", "--method", "forecast", "--last", "3"]):
        result = runner.invoke(app, [*command, "--model", str(model), "--data", str(path)])
        assert result.exit_code in (0, 1), result.output
        assert ("data.csv: the last line has no line end (a writer may still be writing "
                "it); it was left out until it ends") in result.stderr
        assert "drift" not in result.stderr
        assert "2026-01-03T00:00:00+00:00" in result.stdout.splitlines()[1] if (
            command == ["predict"]) else "2026-01-03" not in result.stdout


def test_a_row_written_twice_is_left_out_not_refused(tmp_path: Path, model: Path) -> None:
    # The same last row twice: refused as a duplicate timestamp on every cron run until
    # someone edited the file (predict takes no --duplicates). A repeat with another
    # value is still refused.
    lines = logged()
    path = save(tmp_path, [*lines, lines[-1]])
    result = runner.invoke(app, ["predict", "--model", str(model), "--data", str(path)])
    assert result.exit_code == 0, result.output
    assert ("data.csv: left out 1 row(s) repeating an earlier row's time and values, first "
            "on line 50") in result.stderr
    # Re-sent as the uploader writes it now: other digits, another way to say UTC.
    time, temp, hum = lines[-1].split(",")
    resent = save(tmp_path, [*lines, f"{time.replace('Z', '+00:00')},{temp}.0,{hum}0"],
                  name="resent.csv")
    result = runner.invoke(app, ["predict", "--model", str(model), "--data", str(resent)])
    assert result.exit_code == 0, result.output
    assert "resent.csv: left out 1 row(s) repeating an earlier row's time" in result.stderr
    changed = lines[-1].split(",")[0] + ",99,40.5"  # the same time, another reading
    other = save(tmp_path, [*lines, changed], name="other.csv")
    refused = runner.invoke(app, ["predict", "--model", str(model), "--data", str(other)])
    assert refused.exit_code == EXIT_DATA and "duplicate timestamp" in error_line(refused)


# --- 2. rows of the wrong width --------------------------------------------------------------

@pytest.mark.parametrize(("line", "fields", "todo"), [
    ("2026-01-02T10:00:00Z,21,40.5,7", 4,
     "fix that line, or add the new column's name to the header"),
    ("2026-01-02T10:00:00Z,21", 2, "fix or remove that line"),
])
def test_a_row_of_the_wrong_width_names_its_line(tmp_path: Path, model: Path, engine,
                                                 line: str, fields: int, todo: str) -> None:
    lines = logged()
    lines[35] = line
    path = save(tmp_path, lines)
    result = runner.invoke(app, ["predict", "--model", str(model), "--data", str(path)])
    assert result.exit_code == EXIT_DATA, result.output
    assert error_line(result) == (f"Error: {path}: line 36 has {fields} fields, the header "
                                  f"has 3; expected one field per header column: {todo}")


def test_a_new_column_on_every_row_is_an_error(tmp_path: Path, engine) -> None:
    # pandas' C parser would take the first column as the index.
    path = save(tmp_path, [logged()[0]] + [f"{x},1" for x in logged()[1:]])
    with pytest.raises(DataError, match="line 2 has 4 fields, the header has 3"):
        load_frame(path, SPEC)


def test_empty_cells_in_the_last_column_are_missing_values(tmp_path: Path, engine) -> None:
    lines = logged()
    lines[5] = lines[5].rsplit(",", 1)[0] + ","
    frame = load_frame(save(tmp_path, lines), SPEC)
    assert frame.n_filled == 1


# --- 3. long files written as they are logged ----------------------------------------------

def test_series_taking_turns_in_time_order_are_not_noted_as_unsorted(tmp_path: Path) -> None:
    idx = pd.date_range("2026-01-01", periods=30, freq="h")
    lines = ["timestamp,store,sales"] + [f"{t:%Y-%m-%dT%H:%M:%SZ},{k},{i}"
                                         for i, t in enumerate(idx) for k in "AB"]
    frame = load_frame(save(tmp_path, lines), DataSpec(series_col="store"))
    assert frame.notes == []
    assert [s.values[:, 0].tolist() for s in frame.series] == [list(range(30))] * 2
    lines[3], lines[5] = lines[5], lines[3]  # A's second and third hours swapped
    frame = load_frame(save(tmp_path, lines), DataSpec(series_col="store"))
    assert frame.notes == ["data.csv: rows were not in time order; they were sorted"]
    assert np.diff(frame.series[0].values[:, 0]).min() == 1


# --- 4. pipes and standard input -------------------------------------------------------------

@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
@pytest.mark.parametrize("command", ["train", "predict"])
def test_a_pipe_is_refused(tmp_path: Path, model: Path, command: str) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    args = (["train", str(fifo), "--model", str(tmp_path / "m"), *TINY] if command == "train"
            else ["predict", "--model", str(model), "--data", str(fifo)])
    result = runner.invoke(app, args)
    assert result.exit_code == EXIT_NO_INPUT, result.output
    assert error_line(result) == (f"Error: {fifo}: is a pipe; expected a CSV file, which is "
                                  "read more than once: write the data to a file first (e.g. "
                                  "cmd > data.csv) and give its path")


@pytest.mark.skipif(not Path("/dev/fd").is_dir(), reason="no /dev/fd")
def test_process_substitution_is_refused_at_training(tmp_path: Path) -> None:
    # train <(cmd): /dev/fd/63 is a pipe (train resolved it to /proc/<pid>/fd/pipe:[inode]
    # once; it keeps the path as typed now).
    read, write = os.pipe()
    try:
        result = runner.invoke(app, ["train", f"/dev/fd/{read}", "--model",
                                     str(tmp_path / "m"), *TINY])
    finally:
        os.close(read)
        os.close(write)
    assert result.exit_code == EXIT_NO_INPUT, result.output
    assert re.fullmatch(rf"Error: /dev/fd/{read}: is a pipe; expected a CSV file, .*",
                        error_line(result))


def test_standard_input_is_refused(tmp_path: Path, model: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["predict", "--model", str(model), "--data", "-"])
    assert result.exit_code == EXIT_NO_INPUT, result.output
    assert error_line(result).startswith("Error: -: standard input is not supported; "
                                         "expected a CSV file")
    result = runner.invoke(app, ["train", "-", "--model", str(tmp_path / "m"), *TINY])
    assert result.exit_code == EXIT_NO_INPUT, result.output  # train makes the path absolute
    assert error_line(result).startswith("Error: -: standard input is not supported; ")
    assert not (tmp_path / "m").exists()


def test_a_file_without_a_last_line_end_reads_alike_in_train_and_predict(tmp_path: Path,
                                                                          engine) -> None:
    # Train kept the last row and predict left it out: "the file lost rows since
    # training", and --strict failed on a file nobody had touched.
    path = save(tmp_path, [*logged(), "2026-01-03T00:00:00Z,21,40.5"], end="")
    result = runner.invoke(app, ["train", str(path), "--model", str(tmp_path / "m"),
                                 "--target", "temp", "--features", "hum", *TINY])
    assert result.exit_code == 0, result.output
    strict = runner.invoke(app, ["predict", "--model", str(tmp_path / "m"), "--strict"])
    assert strict.exit_code == 0, strict.output
    assert strict.stdout.splitlines()[1].split(",")[1] == "2026-01-03T00:00:00+00:00"


@pytest.mark.parametrize(("rows", "message"), [
    (3, "only 2 timestamp(s); need at least 3"),
    (1, "has a header but no data rows"),
])
def test_an_error_after_the_last_line_was_left_out_says_so(tmp_path: Path, rows: int,
                                                            message: str) -> None:
    # The note that the unterminated last line was left out is never shown when the rows
    # left are too few: the error had to say it.
    path = save(tmp_path, logged(rows), end="")
    with pytest.raises(DataError, match=re.escape(message)) as caught:
        load_frame(path, SPEC)
    assert str(caught.value).endswith("(the file's last line has no line end and was left out "
                                      "as one still being written: end the file with a line "
                                      "break to keep it)")


def test_a_last_line_of_bare_separators_without_a_line_end_is_padding(tmp_path: Path) -> None:
    frame = load_frame(save(tmp_path, [*logged(), ",,"], end=""), SPEC)
    assert len(frame.series[0].index) == 48
    assert frame.notes == ["data.csv: left out 1 line(s) of bare separators at the end "
                           "(spreadsheet padding)"]


def test_a_link_to_the_data_is_read_where_it_points_now(tmp_path: Path) -> None:
    # Log rotation repoints current.csv at a new month's file: the bundle recorded the
    # link's target, so predict went on forecasting from the old file, with no warning.
    make_series(240).to_csv(tmp_path / "jan.csv", index=False)
    make_series(300).to_csv(tmp_path / "feb.csv", index=False)
    link = tmp_path / "current.csv"
    link.symlink_to("jan.csv")
    model = tmp_path / "m"
    result = runner.invoke(app, ["train", str(link), "--model", str(model), *TINY])
    assert result.exit_code == 0, result.output
    link.unlink()
    link.symlink_to("feb.csv")
    out = runner.invoke(app, ["predict", "--model", str(model)])
    assert out.exit_code == 0, out.output
    first = pd.Timestamp(out.stdout.splitlines()[1].split(",")[1])
    assert first == pd.Timestamp("2024-01-01", tz="UTC") + pd.Timedelta(hours=300)


def test_the_digest_is_of_the_rows_trained_on(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    # It was taken when the bundle was saved: rows appended while training were in it.
    csv = tmp_path / "grow.csv"
    make_series(240).to_csv(csv, index=False)
    before = hashlib.sha256(csv.read_bytes()).hexdigest()
    fit = training._train

    def appending(*args, **kwargs):
        with open(csv, "a", encoding="utf-8") as fh:
            fh.write("2024-02-01 00:00:00,1.0\n")
        return fit(*args, **kwargs)

    monkeypatch.setattr(training, "_train", appending)
    result = runner.invoke(app, ["train", str(csv), "--model", str(tmp_path / "g"), *TINY])
    assert result.exit_code == 0, result.output
    info = runner.invoke(app, ["info", "--model", str(tmp_path / "g"), "--format", "json"])
    assert json.loads(info.stdout)["data"]["sha256"] == before


@pytest.mark.parametrize("command", ["predict", "detect-anomalies", "train"])
def test_a_row_appended_while_the_file_is_read_is_left_for_the_next_run(
        tmp_path: Path, model: Path, monkeypatch, command: str) -> None:
    # The file ended with a line break when its end was looked at; the logger then wrote
    # half its next row before the parser got there: read "to the end", the half row failed
    # the run with exit 65 as a malformed file (1 cron run in 12 beside a busy logger).
    path = save(tmp_path, logged(60))
    look = table_end.unfinished_last_line

    def then_append(*args):
        stop = look(*args)
        with open(path, "a") as fh:
            fh.write("2026-01-03T12:0")
        return stop

    monkeypatch.setattr(table_end, "unfinished_last_line", then_append)
    args: dict[str, list[str]] = {"predict": ["--model", str(model), "--data", str(path)],
            "detect-anomalies": ["--model", str(model), "--data", str(path), "--method",
                                 "forecast", "--exit-zero"],
            "train": [str(path), "--model", str(tmp_path / "m2"), "--target", "temp", *TINY]}
    result = runner.invoke(app, [command, *args[command]])
    assert result.exit_code == 0, result.output


def test_half_a_character_appended_while_the_file_is_read_is_no_encoding_error(
        tmp_path: Path, model: Path, monkeypatch) -> None:
    # A logger half-way through writing "é" (its first byte only) after the end was looked
    # at: the UTF-8 check read to the end of the file and called it "not UTF-8".
    path = save(tmp_path, logged(60))
    look = table_end.unfinished_last_line

    def then_append(*args):
        stop = look(*args)
        with open(path, "ab") as fh:
            fh.write(b"2026-01-03T12:00:00Z,21,40.5,caf\xc3")
        return stop

    monkeypatch.setattr(table_end, "unfinished_last_line", then_append)
    result = runner.invoke(app, ["predict", "--model", str(model), "--data", str(path)])
    assert result.exit_code == 0, result.output
