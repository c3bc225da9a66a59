"""Event logs: files of timestamps with no number beside them, forecast as the number of
rows per step with ``--resample STEP --aggregate count``."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import TINY
from typer.testing import CliRunner

from forecaster.cli import app
from forecaster.data.loading import load_frame
from forecaster.data.spec import DataSpec
from forecaster.errors import EXIT_DATA

runner = CliRunner()
HORIZON = int(TINY[TINY.index("--horizon") + 1])
COUNT = ["--resample", "1h", "--aggregate", "count"]


def event_log(path: Path, hours: int = 400, extra: dict | None = None) -> pd.Series:
    """A log of events, several an hour by day and none on some nights, written with the
    ``extra`` text columns; returns the times."""
    rng = np.random.default_rng(0)
    stamps = []
    for h in range(hours):
        n = rng.poisson(6 if 8 <= h % 24 < 20 else 0.3)
        stamps += list(pd.Timestamp("2025-01-06") + pd.Timedelta(hours=h)
                       + pd.to_timedelta(np.sort(rng.integers(0, 3600, n)), "s"))
    times = pd.Series(stamps, name="timestamp")
    table = times.to_frame()
    for name, values in (extra or {}).items():
        table[name] = [values[i % len(values)] for i in range(len(table))]
    table.to_csv(path, index=False)
    return times


def recorded(model: Path) -> dict:
    """The data section of the model's bundle."""
    return json.loads(next((model / "versions").glob("*/bundle.json")).read_text())["data"]


def error_line(result) -> str:
    assert "Traceback" not in result.output
    (line,) = [x for x in result.stderr.splitlines() if x.startswith("Error: ")]
    return line


@pytest.mark.parametrize("extra", [None, {"level": ["INFO", "WARN", "ERROR"],
                                          "host": ["web-1", "web-2"]}],
                         ids=["timestamps-only", "with-text-columns"])
def test_an_event_log_is_trained_on_and_forecast_as_counts(tmp_path: Path,
                                                          extra: dict | None) -> None:
    csv, model = tmp_path / "events.csv", tmp_path / "m"
    event_log(csv, extra=extra)
    result = runner.invoke(app, ["train", str(csv), "--model", str(model), *TINY, *COUNT])
    assert result.exit_code == 0, result.output
    data = recorded(model)
    assert data["columns"] == ["count"] and data["targets"] == ["count"]
    assert pd.Timedelta(pd.tseries.frequencies.to_offset(data["freq"])) == pd.Timedelta("1h")
    result = runner.invoke(app, ["predict", "--model", str(model)])
    assert result.exit_code == 0, result.output
    forecast = pd.read_csv(io.StringIO(result.stdout))
    assert len(forecast) == HORIZON and (forecast["target"] == "count").all()
    assert (forecast["forecast"] >= 0).all()  # quiet nights: zero counts, floored at zero


def test_each_bin_holds_its_number_of_rows(tmp_path: Path) -> None:
    csv = tmp_path / "events.csv"
    times = event_log(csv, hours=100, extra={"level": ["INFO"]})
    for targets in ([], ["count"]):
        frame = load_frame(csv, DataSpec(resample="h", aggregate="count", targets=targets))
        (s,) = frame.series
        assert frame.columns == ["count"] and s.observed.all()
        hourly = times.groupby(times.dt.floor("h")).size()
        hourly = hourly.reindex(s.index.tz_localize(None), fill_value=0)
        assert s.values[:, 0].tolist() == hourly.astype(float).tolist()
        assert (s.values[:, 0] == 0).any()  # an hour with no events is 0, observed


def test_counts_per_series(tmp_path: Path) -> None:
    csv, model = tmp_path / "events.csv", tmp_path / "m"
    event_log(csv, extra={"host": ["web-1", "web-2"]})
    result = runner.invoke(app, ["train", str(csv), "--model", str(model), *TINY, *COUNT,
                                 "--series-col", "host"])
    assert result.exit_code == 0, result.output
    assert set(recorded(model)["series"]) == {"web-1", "web-2"}
    result = runner.invoke(app, ["predict", "--model", str(model)])
    assert result.exit_code == 0, result.output
    assert len(pd.read_csv(io.StringIO(result.stdout))) == 2 * HORIZON


@pytest.mark.parametrize(("extra", "args", "found"), [
    (None, [], "found only timestamps (timestamp), no numeric column to forecast"),
    (None, ["--resample", "1h"], "found only timestamps (timestamp)"),
    ({"level": ["INFO", "WARN"]}, [],
     "no numeric column to forecast among level (row 2, column 'level': 'INFO' is not a "
     "number)"),
])
def test_without_count_an_event_log_is_refused_with_the_way_to_count_it(
        tmp_path: Path, extra: dict | None, args: list[str], found: str) -> None:
    csv, model = tmp_path / "events.csv", tmp_path / "m"
    event_log(csv, hours=100, extra=extra)
    result = runner.invoke(app, ["train", str(csv), "--model", str(model), *TINY, *args])
    assert result.exit_code == EXIT_DATA, result.output
    line = error_line(result)
    assert found in line
    assert line.endswith("if each row is one event (a log), forecast the number of rows per "
                         "step with --resample STEP --aggregate count (e.g. --resample 1h "
                         "--aggregate count)")
    assert not model.exists()


def test_numbers_with_units_are_not_taken_for_events(tmp_path: Path) -> None:
    """Grafana's formatted data (45.2 %): export the plain numbers; counting rows is no fix."""
    csv = tmp_path / "cpu.csv"
    times = pd.date_range("2025-01-06", periods=48, freq="h")
    pd.DataFrame({"time": times, "cpu": [f"{40 + i % 9}.2 %" for i in range(48)]}).to_csv(
        csv, index=False)
    result = runner.invoke(app, ["train", str(csv), "--model", str(tmp_path / "m"), *TINY])
    assert result.exit_code == EXIT_DATA, result.output
    line = error_line(result)
    assert "'40.2 %' is not a number" in line and "--aggregate count" not in line


def test_a_host_that_goes_silent_counts_zeros_to_the_end_of_the_file(tmp_path: Path) -> None:
    # db stops logging 12 hours before web: its silent hours were no bins at all (never
    # scored, forecast from 12 hours back), and its last bin was judged unfinished by db's
    # own sparse rows although web's rows had long passed it.
    web = pd.date_range("2025-01-06", "2025-01-20 23:50", freq="10min")
    db = pd.date_range("2025-01-06 00:05", "2025-01-20 11:35", freq="30min")
    rows = pd.concat([pd.DataFrame({"timestamp": web, "host": "web"}),
                      pd.DataFrame({"timestamp": db, "host": "db"})]).sort_values("timestamp")
    rows.to_csv(tmp_path / "log.csv", index=False)
    frame = load_frame(tmp_path / "log.csv", DataSpec(resample="h", aggregate="count",
                                                      series_col="host"))
    series = {s.name: s for s in frame.series}
    last = pd.Timestamp("2025-01-20 23:00", tz="UTC")
    assert series["db"].index[-1] == series["web"].index[-1] == last
    quiet = series["db"].index >= pd.Timestamp("2025-01-20 12:00", tz="UTC")
    assert (series["db"].values[quiet, 0] == 0).all() and series["db"].observed[quiet].all()
    assert series["db"].values[series["db"].index == pd.Timestamp("2025-01-20 11:00",
                                                                    tz="UTC"), 0][0] == 2
