"""The step inferred from rows that stray a little from it: a few weekend sessions among
business days, one-minute scrapes a few milliseconds late or early."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from forecaster.cli import app
from forecaster.data.loading import load_frame
from forecaster.data.spec import DataSpec

runner = CliRunner()
FAST = ["--folds", "0", "--epochs", "1", "--ensemble", "1", "--hidden", "4", "--no-anomaly"]


def _closes(path: Path, days: pd.DatetimeIndex) -> Path:
    rng = np.random.default_rng(0)
    pd.DataFrame({"Date": days.strftime("%Y-%m-%d"),
                  "Close": 100 + np.cumsum(rng.normal(0, 1, len(days)))}).to_csv(path, index=False)
    return path


def _sessions(tmp_path: Path, saturdays: list[str]) -> tuple[Path, Path, str]:
    """300 weekday closes and Saturday sessions, trained: (file, bundle, train's output)."""
    days = pd.bdate_range("2023-01-02", periods=300).union(pd.DatetimeIndex(saturdays))
    path = _closes(tmp_path / "close.csv", days)
    model = tmp_path / "m"
    result = runner.invoke(app, ["train", str(path), "--model", str(model), *FAST])
    assert result.exit_code == 0, result.output
    return path, model, result.output


def test_two_saturday_sessions_leave_business_days_business_days(tmp_path: Path) -> None:
    # 300 weekday closes and 2 Saturday sessions were read as calendar days: a third of
    # the grid (every weekend) filled in, and predict forecast Saturdays and Sundays.
    _, model, said = _sessions(tmp_path, ["2023-03-04", "2023-09-16"])
    assert "dropped 2 row(s) off the 'B' grid, first at 2023-03-04" in said
    assert "filled" not in said
    result = runner.invoke(app, ["predict", "--model", str(model)])
    assert result.exit_code == 0, result.output
    stamps = pd.to_datetime(pd.read_csv(io.StringIO(result.stdout))["timestamp"])
    assert not (stamps.dt.day_of_week >= 5).any()


def test_many_weekend_rows_stay_calendar_days(tmp_path: Path) -> None:
    # Weekend rows beyond the share dropped off any grid (1 %), or beyond one in 50 rows
    # of a short file, are data: the grid stays daily.
    weekdays = pd.bdate_range("2023-01-02", periods=300)
    many = weekdays.union(pd.date_range("2023-01-07", periods=5, freq="7D"))
    assert load_frame(_closes(tmp_path / "a.csv", many), DataSpec()).freq == "D"
    short = pd.bdate_range("2023-01-02", periods=60).union(
        pd.DatetimeIndex(["2023-01-07", "2023-02-11"]))
    assert load_frame(_closes(tmp_path / "b.csv", short), DataSpec()).freq == "D"


def test_a_business_day_model_reads_a_short_file_with_a_saturday_session(
        tmp_path: Path) -> None:
    # Trained on business days (two Saturday sessions dropped), predict --data on the last
    # 80 rows, one of them a Saturday, read them as calendar days (the 1 % rule wants 100
    # rows) and refused them: "data has frequency 'D', the model was trained on 'B'".
    path, model, _ = _sessions(tmp_path, ["2023-03-04", "2024-02-03"])
    tail = tmp_path / "tail.csv"
    pd.read_csv(path).tail(80).to_csv(tail, index=False)
    result = runner.invoke(app, ["predict", "--model", str(model), "--data", str(tail)])
    assert result.exit_code == 0, result.output
    assert "dropped 1 row(s) off the 'B' grid, first at 2024-02-03" in result.output
    forecast = pd.read_csv(io.StringIO(result.stdout), parse_dates=["timestamp"])
    assert (forecast.timestamp.dt.day_of_week < 5).all()


def _scrapes(path: Path, jitter_ms: np.ndarray, start: str = "2024-03-01",
             step_s: int = 60, missing: tuple[int, ...] = (7, 8, 200)) -> Path:
    """Rows ``step_s`` apart, each ``jitter_ms`` off its step, some scrapes missing."""
    on_grid = pd.date_range(start, periods=len(jitter_ms), freq=f"{step_s}s", tz="UTC")
    stamps = (on_grid + pd.to_timedelta(jitter_ms, unit="ms")).delete(list(missing))
    values = np.sin(np.arange(len(stamps)) / 20).round(4)
    pd.DataFrame({"timestamp": stamps.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                  "latency_ms": values}).to_csv(path, index=False)
    return path


def test_millisecond_jitter_is_moved_onto_the_minute_grid(tmp_path: Path) -> None:
    # Scrapes at 00:01:00.001, 00:01:59.995, ...: the step was read as '59990ms', every
    # row off its grid, and --freq min refused them too (advising --freq 59990ms).
    jitter = np.random.default_rng(0).integers(-80, 81, 400)
    jitter[5] = 80
    path = _scrapes(tmp_path / "ms.csv", jitter)
    model = tmp_path / "m"
    result = runner.invoke(app, ["train", str(path), "--model", str(model), *FAST])
    assert result.exit_code == 0, result.output
    assert "to the nearest step of the 'min' grid, none by more than 80ms" in result.output
    frame = load_frame(path, DataSpec())
    (s,) = frame.series
    assert frame.freq == "min" and frame.n_filled == 3 and len(s.index) == 400
    assert (s.index == s.index.round("min")).all()
    assert load_frame(path, DataSpec(freq="min")).freq == "min"
    result = runner.invoke(app, ["predict", "--model", str(model)])
    assert result.exit_code == 0, result.output
    stamps = pd.to_datetime(pd.read_csv(io.StringIO(result.stdout))["timestamp"])
    assert (stamps == stamps.dt.round("min")).all()


def test_second_jitter_keeps_each_series_phase(tmp_path: Path) -> None:
    # A series scraped at :30 of each minute (± 3 s) beside one exactly at :00: each is
    # moved onto its own phase, the :30 one not to a whole minute.
    rng = np.random.default_rng(1)
    a = _scrapes(tmp_path / "a.csv", rng.integers(-3000, 3001, 300) + 30_000, missing=())
    b = _scrapes(tmp_path / "b.csv", np.zeros(300, dtype=int), missing=())
    frames = [pd.read_csv(a).assign(host="a"), pd.read_csv(b).assign(host="b")]
    path = tmp_path / "both.csv"
    pd.concat(frames).to_csv(path, index=False)
    frame = load_frame(path, DataSpec(series_col="host"))
    assert frame.freq == "min" and frame.n_filled == 0
    (sa, sb) = frame.series
    assert (sa.index.second == 30).all() and (sa.index.microsecond == 0).all()
    assert (sb.index.second == 0).all()
    assert any("moved 300 row(s)" in n for n in frame.notes), frame.notes  # series a alone


def test_rows_farther_than_a_tenth_of_a_step_are_not_moved(tmp_path: Path) -> None:
    # ± 15 s around each minute: not one grid stamped late or early. The error stays,
    # naming a --resample step. Rows exactly 59.9 s apart keep that step of their own.
    wide = np.random.default_rng(2).integers(-15_000, 15_001, 400)
    path = _scrapes(tmp_path / "wide.csv", wide)
    result = runner.invoke(app, ["train", str(path), "--model", str(tmp_path / "m"), *FAST])
    assert result.exit_code == 65, result.output
    assert "--resample" in result.output and "moved" not in result.output
    frame = load_frame(_scrapes(tmp_path / "drift.csv", -100 * np.arange(400)), DataSpec())
    assert frame.freq == "59900ms" and not any("moved" in n for n in frame.notes)


def test_two_scrapes_nearest_one_step_name_both_rows(tmp_path: Path) -> None:
    # A scrape repeated a second later: both lie nearest one minute. Reported as a
    # duplicate timestamp, it named a time the file held once.
    jitter = np.random.default_rng(3).integers(-2000, 2001, 300)
    path = _scrapes(tmp_path / "twice.csv", jitter, missing=())
    lines = path.read_text().splitlines()
    stamp = pd.Timestamp(lines[101].split(",")[0]) + pd.Timedelta(seconds=1)
    lines.insert(102, f"{stamp:%Y-%m-%dT%H:%M:%S.%fZ},0.5")
    path.write_text("\n".join(lines) + "\n")
    result = runner.invoke(app, ["train", str(path), "--model", str(tmp_path / "m"), *FAST])
    assert result.exit_code == 65, result.output
    assert "rows 102 and 103" in result.output and "--duplicates first|last|mean" in result.output
    frame = load_frame(path, DataSpec(duplicates="mean"))
    assert frame.freq == "min" and len(frame.series[0].index) == 300


def _rows(path: Path, times: pd.DatetimeIndex) -> Path:
    pd.DataFrame({"time": times.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                  "v": np.sin(np.arange(len(times)) / 5.0)}).to_csv(path, index=False)
    return path


def test_rows_that_keep_a_spacing_of_their_own_are_not_moved(tmp_path: Path) -> None:
    # 100 rows exactly 59.9 s apart drift under a tenth of a minute: they were moved to
    # whole minutes, while the same feed 400 rows long stayed '59900ms', and predict
    # refused the one for the other's model.
    start = pd.Timestamp("2025-01-01", tz="UTC")
    for n in (100, 400):
        times = start + pd.to_timedelta(np.arange(n) * 59.9, unit="s")
        frame = load_frame(_rows(tmp_path / f"s{n}.csv", times), DataSpec())
        assert frame.freq == "59900ms" and not frame.notes
        assert frame.series[0].index[0] == start


def test_a_clock_that_moved_once_or_retries_are_not_jitter(tmp_path: Path) -> None:
    # Hourly rows at :00, then at :03 after a restart, were all put on a :02 grid no row
    # lay on; retries 2 minutes after on-grid rows were refused as rows "jittering around"
    # the grid. Both are rows off the grid, as the grid checks say.
    from forecaster.errors import DataError

    hours = pd.date_range("2025-01-01", periods=400, freq="h", tz="UTC")
    moved = hours.where(np.arange(400) < 200, hours + pd.Timedelta(minutes=3))
    retries = hours.append(hours[10:18] + pd.Timedelta(minutes=2)).sort_values()
    for name, times in (("restart", moved), ("retries", retries)):
        try:
            load_frame(_rows(tmp_path / f"{name}.csv", times), DataSpec())
        except DataError as exc:
            assert "timestamps are off the 'h' grid" in str(exc), exc
        else:
            raise AssertionError(f"{name}: read without an error")


def test_a_series_of_one_row_beside_a_longer_one_is_no_jitter(tmp_path: Path) -> None:
    # A series of one row had no spacing: the own-grid check took argmax of no gaps
    # (ValueError, exit 70) where the file loads, the short series left to later checks.
    path = tmp_path / "two.csv"
    path.write_text("timestamp,id,v\n2024-01-01 00:00:00,a,1\n2024-01-01 01:00:00,a,2\n"
                    "2024-01-01 02:00:00,a,3\n2024-01-01 03:00:00,a,4\n"
                    "2024-01-01 00:00:00,b,1.0\n")
    frame = load_frame(path, DataSpec(series_col="id"))
    assert frame.freq == "h"
