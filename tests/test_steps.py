"""Series indexed by step numbers (Yahoo's A1 files, sine-wave examples) instead of times."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import train_tiny
from typer.testing import CliRunner

from forecaster.cli import app
from forecaster.data.loading import load_frame
from forecaster.data.spec import DataSpec
from forecaster.data.timestamps import is_steps, step_numbers
from forecaster.errors import DataError

TINY = ["--epochs", "2", "--hidden", "8", "--layers", "1", "--window", "24", "--segment", "4",
        "--horizon", "4", "--ensemble", "1", "--anomaly-window", "16", "--anomaly-epochs", "3"]
runner = CliRunner()


def _yahoo(tmp_path: Path, n: int = 600, stride: int = 1, spike: int | None = 500) -> Path:
    steps = np.arange(1, n + 1) * stride
    value = np.sin(np.arange(n) / 8.0)
    if spike is not None:
        value[spike] += 6.0
    path = tmp_path / "a1.csv"
    pd.DataFrame({"timestamp": steps, "value": value, "is_anomaly": 0}).to_csv(path, index=False)
    return path


def test_step_numbers_load_as_a_regular_grid(tmp_path: Path) -> None:
    frame = load_frame(_yahoo(tmp_path, stride=10), DataSpec(targets=["value"]))
    (s,) = frame.series
    assert is_steps(s.index) and frame.freq == "10ns"
    assert step_numbers(s.index)[:3].tolist() == [10, 20, 30]


def test_yahoo_a3_timestamps_column_of_unix_seconds_is_the_time(tmp_path: Path) -> None:
    # Yahoo's A3/A4 files name their time column 'timestamps': "no time column found".
    path = tmp_path / "A3Benchmark-TS1.csv"
    rows = [f"{1416722400 + 3600 * i},{np.sin(i / 4):.4f},0,0,{i * 0.5}" for i in range(200)]
    path.write_text("timestamps,value,anomaly,changepoint,trend\n" + "\n".join(rows) + "\n")
    frame = load_frame(path, DataSpec(targets=["value"]))
    assert frame.spec.time_col == "timestamps" and frame.freq == "h"
    assert frame.series[0].index[0] == pd.Timestamp("2014-11-23 06:00", tz="UTC")


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import torch

    torch.set_num_threads(1)
    root = tmp_path_factory.mktemp("steps")
    return train_tiny(_yahoo(root), root / "m", "--target", "value", tiny=TINY)


def test_predict_continues_the_step_numbers(model: Path) -> None:
    result = runner.invoke(app, ["predict", "--model", str(model)])
    assert result.exit_code == 0, result.output
    out = pd.read_csv(io.StringIO(result.stdout))
    assert out["timestamp"].tolist() == [601, 602, 603, 604]


def test_timestamps_given_to_a_model_of_steps_say_steps(model: Path, tmp_path: Path) -> None:
    # "the model was trained on 'ns'" told a user nothing about step numbers.
    hours = pd.date_range("2024-01-01", periods=600, freq="h")
    pd.DataFrame({"timestamp": hours, "value": np.sin(np.arange(600) / 8.0)}).to_csv(
        tmp_path / "hourly.csv", index=False)
    result = runner.invoke(app, ["predict", "--model", str(model), "--data",
                                 str(tmp_path / "hourly.csv")])
    assert result.exit_code == 65, result.output
    assert ("data has frequency 'h', the model was trained on step numbers (1, 2, 3, ...) "
            "for times") in result.stderr


def test_detect_reports_steps_and_since_takes_a_step(model: Path) -> None:
    result = runner.invoke(app, ["detect-anomalies", "--model", str(model), "--events"])
    assert result.exit_code == 1, result.output
    events = pd.read_csv(io.StringIO(result.stdout))
    assert ((events["start"] <= 501) & (events["end"] >= 501)).any()  # the spike, row 501
    result = runner.invoke(app, ["detect-anomalies", "--model", str(model), "--since", "590",
                                 "--exit-zero", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert [r["timestamp"] for r in json.loads(result.stdout)] == list(range(590, 601))


def test_detect_since_refuses_a_negative_step_and_warns_past_the_end(model: Path) -> None:
    # '-1' parsed as the year -1: an internal error (OutOfBoundsDatetime), not a usage error.
    # A fraction, 590.5, is neither a date nor a step.
    # A word too ("abc" lost the steps' range to an early check for times no data reads).
    for since in ("-1", "1990-01-01", "590.5", "abc"):  # a date would select nothing
        result = runner.invoke(app, ["detect-anomalies", "--model", str(model),
                                     f"--since={since}"])
        assert result.exit_code == 2, result.output
        assert result.stderr == (f"Error: --since {since}: this data is indexed by whole step "
                                 "numbers, not dates or fractions; expected a step number "
                                 "from 0 (the data's steps run 1 to 600)\n")
    for since in ("1000", "10000000000"):  # past the largest step a series holds, too
        result = runner.invoke(app, ["detect-anomalies", "--model", str(model), "--since",
                                     since])
        assert result.exit_code == 0, result.output
        assert (f"Warning: --since {since}: no row at or after it; the data ends at step 600, "
                "so nothing was scored") in result.stderr


def test_info_shows_the_step_range(model: Path) -> None:
    result = runner.invoke(app, ["info", "--model", str(model), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)["data"]
    assert (data["first"], data["last"], data["index"]) == (1, 600, "steps")
    folds = json.loads(result.stdout)["folds"]  # fold periods in steps, not 1970 times
    assert all(isinstance(f["val_start"], int) and f["val_end"] <= 600 for f in folds)


def test_info_json_gives_the_step_in_steps(model: Path) -> None:
    # "freq": "ns" read as one nanosecond, and fold bounds came as text ("561") beside
    # the numbers of first and last: a script got the grid's internal units.
    result = runner.invoke(app, ["info", "--model", str(model), "--format", "json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["data"]["freq"] == 1
    assert all(isinstance(f[k], int) for f in summary["folds"]
               for k in ("train_start", "train_end", "val_start", "val_end"))
    result = runner.invoke(app, ["info", "--model", str(model)])
    assert result.exit_code == 0, result.output
    assert "every 1 step(s)" in result.stdout


def test_backtest_start_takes_a_step(tmp_path: Path) -> None:
    result = runner.invoke(app, ["backtest", str(_yahoo(tmp_path, spike=None)), "--target",
                                 "value", "--start", "561", *TINY[:-4], "-q"])
    assert result.exit_code == 0, result.output
    out = pd.read_csv(io.StringIO(result.stdout))
    assert out["timestamp"].min() == 561 and out["origin"].min() == 560


@pytest.mark.parametrize("start", ["700", "99999999999"])
def test_backtest_start_past_the_steps_names_them(tmp_path: Path, start: str) -> None:
    # It named them as nanoseconds of 1970 (1970-01-01 00:00:00.000000001+00:00).
    result = runner.invoke(app, ["backtest", str(_yahoo(tmp_path, spike=None)), "--target",
                                 "value", "--start", start, *TINY[:-4]])
    assert result.exit_code == 2, result.output
    assert result.stderr == (f"Error: --start {start}: outside the data (step 1 .. step 600); "
                             "give one within it\n")


def test_dates_before_1970_are_dates_not_steps(tmp_path: Path) -> None:
    # The airline passengers, 1949-1960: before the epoch, not in its first second.
    months = pd.period_range("1949-01", periods=144, freq="M").strftime("%Y-%m")
    path = tmp_path / "airline.csv"
    pd.DataFrame({"Month": months, "y": 100.0 + np.arange(144)}).to_csv(path, index=False)
    (s,) = load_frame(path, DataSpec()).series
    assert not is_steps(s.index)
    model = tmp_path / "m"
    result = runner.invoke(app, ["train", str(path), "--model", str(model), "--folds", "0",
                                 "--no-anomaly", *TINY[:-4]])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["predict", "--model", str(model)])
    assert result.exit_code == 0, result.output
    out = pd.read_csv(io.StringIO(result.stdout))
    assert out["timestamp"].tolist()[:2] == ["1961-01-01T00:00:00+00:00",
                                             "1961-02-01T00:00:00+00:00"]


def _monthly(tmp_path: Path, first: str, name: str) -> Path:
    when = pd.date_range(first, periods=240, freq="MS")
    path = tmp_path / name
    pd.DataFrame({"month": when.strftime("%Y-%m"),
                  "value": 10 + np.sin(np.arange(240) * np.pi / 6)}).to_csv(path, index=False)
    return path


def test_january_1970_is_a_date_not_step_0(tmp_path: Path) -> None:
    # A lone time on 1970-01-01T00:00 was taken for step 0: a monthly forecast for
    # January 1970 printed "0", and a fold starting then was recorded as "0".
    model = train_tiny(_monthly(tmp_path, "1950-01", "m.csv"), tmp_path / "m",
                       tiny=[*TINY[:-8], "--horizon", "1", "--ensemble", "1",
                             "--anomaly-window", "16", "--anomaly-epochs", "2", "--folds", "2"])
    result = runner.invoke(app, ["predict", "--model", str(model), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert [r["timestamp"] for r in json.loads(result.stdout)] == ["1970-01-01T00:00:00+00:00"]
    later = _monthly(tmp_path, "1950-02", "later.csv")  # its last row is January 1970
    result = runner.invoke(app, ["detect-anomalies", "--model", str(model), "--data", str(later),
                                 "--last", "1", "--exit-zero"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(io.StringIO(result.stdout))
    assert table["timestamp"].tolist() == ["1970-01-01T00:00:00+00:00"]


def test_fold_labels_on_january_1970(tmp_path: Path) -> None:
    from forecaster.data.loading import load_frame as load
    from forecaster.pipeline.prepare import grid_time

    frame = load(_monthly(tmp_path, "1950-01", "m.csv"), DataSpec(targets=["value"]))
    grid = type("Grid", (), {"start": frame.series[0].index[0]})()
    assert grid_time(frame, grid, 240) == "1970-01-01T00:00:00+00:00"


def test_a_step_bundle_reads_step_numbers_in_the_serial_date_range(tmp_path: Path) -> None:
    # Steps 17900.. in a column 'time' trained as steps; new rows from 18300 on read as
    # spreadsheet serial dates (1950-02-06 ...) and were refused.
    def part(first: int, name: str) -> Path:
        path = tmp_path / name
        pd.DataFrame({"time": np.arange(first, first + 400),
                      "value": np.sin(np.arange(400) / 8.0)}).to_csv(path, index=False)
        return path

    model = train_tiny(part(17900, "old.csv"), tmp_path / "m", tiny=TINY)
    result = runner.invoke(app, ["predict", "--model", str(model), "--data",
                                 str(part(18300, "new.csv"))])
    assert result.exit_code == 0, result.output
    assert pd.read_csv(io.StringIO(result.stdout))["timestamp"].iloc[0] == 18700


def test_one_column_of_values_is_read_as_steps_in_file_order(tmp_path: Path) -> None:
    # A sine-wave example's file: a header and one value per line, no time at all.
    path = tmp_path / "sinewave.csv"
    values = np.sin(np.arange(300) / 8.0)
    path.write_text("sinewave\n" + "\n".join(f"{v:.6f}" for v in values) + "\n")
    frame = load_frame(path, DataSpec())
    (s,) = frame.series
    assert frame.spec.targets == ["sinewave"] and is_steps(s.index)
    assert step_numbers(s.index)[[0, -1]].tolist() == [0, 299]
    np.testing.assert_allclose(s.values[:, 0], np.round(values, 6))
    assert any("read as steps 0 to 299" in n for n in frame.notes)


@pytest.mark.parametrize("header", ["c0,c1,c2", "0,1,2"])
def test_columns_of_values_alone_are_read_as_steps(tmp_path: Path, header: str) -> None:
    # LSTNet's exchange_rate.txt once given a header, or as pandas' to_csv(index=False)
    # writes it (0,1,2: pandas' names, once refused as "looks like data").
    path = tmp_path / "exchange_rate.csv"
    rates = np.abs(np.sin(np.arange(300)[:, None] / [8.0, 11.0, 13.0])) + 0.5  # (rows, 3)
    path.write_text(header + "\n" + "\n".join(",".join(f"{v:.6f}" for v in row)
                                              for row in rates) + "\n")
    frame = load_frame(path, DataSpec(targets=header.split(",")))
    (s,) = frame.series
    assert is_steps(s.index) and step_numbers(s.index)[[0, -1]].tolist() == [0, 299]
    np.testing.assert_allclose(s.values, np.round(rates, 6))


def test_a_values_only_file_trains_and_predicts_past_its_last_row(tmp_path: Path) -> None:
    path = tmp_path / "sinewave.csv"
    path.write_text("sinewave\n" + "\n".join(f"{np.sin(i / 8):.5f}" for i in range(300)) + "\n")
    model = train_tiny(path, tmp_path / "m", "--no-anomaly", tiny=TINY)
    result = runner.invoke(app, ["predict", "--model", str(model)])
    assert result.exit_code == 0, result.output
    out = pd.read_csv(io.StringIO(result.stdout))
    assert out["timestamp"].tolist() == [300, 301, 302, 303]


def test_one_column_of_unix_times_is_not_read_as_values(tmp_path: Path) -> None:
    # Rising Unix times under a name not known as a time column are times, not values
    # to forecast over steps: refused as before, with the way to add the values.
    path = tmp_path / "events.csv"
    times = [1700000000 + 37 * i for i in range(200)]
    times[50], times[51] = times[51], times[50]  # a log's lines a little out of order
    path.write_text("created\n" + "\n".join(map(str, times)))
    with pytest.raises(DataError, match="found 1 column"):
        load_frame(path, DataSpec())


def _table(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text(header + "\n" + "\n".join(rows) + "\n")
    return path


def test_a_lone_day_column_newest_first_is_still_the_time(tmp_path: Path) -> None:
    # Read as values alone, the file was forecast in file order: reversed.
    path = _table(tmp_path / "d.csv", "day,price,vol",
                  [f"{120 - i},{100 + (i * 7) % 13},{i % 5}" for i in range(120)])
    frame = load_frame(path, DataSpec(targets=["price"]))
    assert frame.spec.time_col == "day" and not any("read as steps" in n for n in frame.notes)


@pytest.mark.parametrize(("header", "rows", "spec"), [
    # Unix seconds under an unknown name, newest first: times, not values.
    ("created,temp", [f"{1700000000 - 60 * i},{(i * 7) % 13}" for i in range(120)], {}),
    # ... or shuffled, and compact dates alike.
    ("created,temp", [f"{1700000000 + 60 * ((i * 37) % 120)},{(i * 7) % 13}"
                      for i in range(120)], {}),
    ("d,amount", [f"2024{1 + (i * 5) % 12:02d}{1 + (i * 3) % 28:02d},{(i * 7) % 13}"
                  for i in range(120)], {}),
    # Stacked stores with no time: their rows would number one after another.
    ("store,sales", [f"{1 + i // 60},{(i * 7) % 13}" for i in range(180)],
     {"series_col": "store", "targets": ["sales"]}),
])
def test_no_time_column_is_still_refused_where_steps_would_misread(
        tmp_path: Path, header: str, rows: list[str], spec: dict) -> None:
    with pytest.raises(DataError, match="no time column found"):
        load_frame(_table(tmp_path / "f.csv", header, rows), DataSpec(**spec))


def test_a_given_time_column_makes_no_step_column(tmp_path: Path) -> None:
    path = _table(tmp_path / "f.csv", "idx,a,b",
                  [f"{(i * 37) % 100},{i % 7},{i % 5}" for i in range(100)])
    with pytest.raises(DataError, match=r"several numeric columns \(a, b\)"):
        load_frame(path, DataSpec(time_col="idx"))


def test_a_model_of_columns_of_values_reads_them_again(tmp_path: Path) -> None:
    # The bundle names the time column 'step', which the file has not: predict and
    # detect-anomalies failed with "no column 'step'" on every such model.
    path = tmp_path / "rates.csv"
    rates = np.abs(np.sin(np.arange(300)[:, None] / [8.0, 11.0])) + 0.5  # (rows, 2)
    path.write_text("a,b\n" + "\n".join(f"{x:.5f},{y:.5f}" for x, y in rates) + "\n")
    model = train_tiny(path, tmp_path / "m", "--target", "a", "--no-anomaly", tiny=TINY)
    result = runner.invoke(app, ["predict", "--model", str(model)])
    assert result.exit_code == 0, result.output
    assert pd.read_csv(io.StringIO(result.stdout))["timestamp"].iloc[0] == 300
