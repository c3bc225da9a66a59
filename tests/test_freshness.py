"""``--max-age``: a feed that stopped is an error for cron, not the same forecast again."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import TINY, make_series, train_tiny
from typer.testing import CliRunner

from forecaster.cli import app
from forecaster.data.loading import Frame, Series
from forecaster.data.spec import DataSpec
from forecaster.errors import ConfigError, DataError
from forecaster.pipeline.freshness import check_fresh, parse_age

runner = CliRunner()


def _ending(tmp_path: Path, last: pd.Timestamp) -> Path:
    """An hourly file of 480 rows whose newest row is at ``last`` (UTC)."""
    data = make_series(480)
    data["timestamp"] = pd.date_range(end=last.tz_localize(None), periods=480, freq="h")
    path = tmp_path / "feed.csv"
    data.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("command", ["predict", "detect-anomalies"])
def test_a_feed_that_stopped_is_exit_65_and_a_live_one_is_not(tmp_path: Path,
                                                              command: str) -> None:
    hour = pd.Timestamp.now(tz="UTC").floor("h")
    model = train_tiny(_ending(tmp_path, hour), tmp_path / "m", tiny=[
        *TINY[:-1], "--anomaly-window", "24", "--anomaly-segment", "6", "--anomaly-epochs",
        "1"])
    live = runner.invoke(app, [command, "--model", str(model), "--max-age", "3h"])
    assert live.exit_code in (0, 1) and live.stdout, live.output
    _ending(tmp_path, hour - pd.Timedelta(days=3))  # the logger stopped 3 days ago
    stale = runner.invoke(app, [command, "--model", str(model), "--max-age", "3h"])
    assert stale.exit_code == 65 and stale.stdout == "", stale.output
    assert stale.stderr.splitlines()[-1].startswith(
        f"Error: {tmp_path / 'feed.csv'}: the newest row of the data is from "
        f"{(hour - pd.Timedelta(days=3)).isoformat()}, 3 days ago, over --max-age 3h: the "
        "data stopped growing")
    assert runner.invoke(app, [command, "--model", str(model)]).exit_code in (0, 1)


def test_a_bad_duration_is_a_usage_error(trained: Path) -> None:
    result = runner.invoke(app, ["predict", "--model", str(trained), "--max-age", "soon"])
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().endswith(
        "Error: --max-age soon: expected a positive duration such as 2h, 90min or 1D")


def _frame(ends: dict[str, str], steps: bool = False) -> Frame:
    series = []
    for name, end in ends.items():
        idx = (pd.to_datetime(np.arange(10), unit="ns", utc=True) if steps
               else pd.date_range(end=end, periods=10, freq="h", tz="UTC"))
        observed = np.ones((10, 1), bool)
        observed[-2:] = False  # filled in: not evidence that the feed is alive
        series.append(Series(name, idx, np.zeros((10, 1)), observed))
    return Frame(series, DataSpec(targets=["v"]), "h", 0)


def test_the_stalest_series_is_named_and_filled_rows_do_not_count() -> None:
    now = pd.Timestamp("2026-01-10 12:00", tz="UTC")
    frame = _frame({"a": "2026-01-10 12:00", "b": "2026-01-09 12:00", "c": "2026-01-08"})
    check_fresh(frame, Path("f.csv"), None, now)  # no check asked
    with pytest.raises(DataError) as err:
        check_fresh(frame, Path("f.csv"), "2h", now)  # 'a' was observed 2 h ago: fresh
    assert ("the newest row of series 'c' (and 1 more series) is from "
            "2026-01-07T22:00:00+00:00, 2 days ago") in str(err.value)
    with pytest.raises(DataError, match=r"\(and 2 more series\)"):
        check_fresh(frame, Path("f.csv"), "1h", now)  # its filled 11:00 and 12:00 count not
    check_fresh(frame, Path("f.csv"), "3D", now)
    with pytest.raises(ConfigError, match="indexed by step numbers"):
        check_fresh(_frame({"": ""}, steps=True), Path("f.csv"), "2h", now)


@pytest.mark.parametrize("given", ["3600", "2", "1.5"])
def test_a_number_with_no_unit_is_a_usage_error(trained: Path, given: str) -> None:
    # pandas read --max-age 3600 as 3600 ns: every cron run failed, saying a row 17 min old
    # was "over --max-age 3600".
    result = runner.invoke(app, ["predict", "--model", str(trained), "--max-age", given])
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().endswith(
        f"Error: --max-age {given}: a number with no unit; expected a positive duration such "
        f"as {given}s, 90min, 2h or 1D")


@pytest.mark.parametrize("given", ["0", "0.0", "3600"])
def test_the_durations_a_unitless_number_is_pointed_to_are_accepted(given: str) -> None:
    # --max-age 0 suggested 0s, which was then refused as not positive.
    with pytest.raises(ConfigError) as refused:
        parse_age(given)
    suggested = re.search(r"such as (.*)$", str(refused.value))[1].replace(" or", ",")
    for duration in suggested.split(", "):
        assert parse_age(duration) > pd.Timedelta(0), duration


def test_a_machine_west_of_utc_is_told_how_times_without_offsets_are_read(
        monkeypatch) -> None:
    import time

    now = pd.Timestamp("2026-01-10 12:00", tz="UTC")
    frame = _frame({"": "2026-01-10 07:00"})  # local New York times, read as UTC
    frame.naive_times = True  # written without an offset
    west = time.struct_time((2026, 1, 10, 7, 0, 0, 5, 10, 0), {"tm_gmtoff": -5 * 3600})
    monkeypatch.setattr(time, "localtime", lambda *a: west)
    with pytest.raises(DataError, match=r"read as UTC, and this machine's clock is at "
                                        r"UTC-05:00: if the file's times are local"):
        check_fresh(frame, Path("f.csv"), "2h", now)


@pytest.mark.parametrize("command", ["predict", "detect-anomalies"])
def test_binned_rows_are_as_old_as_the_newest_row_read_not_their_last_bin(
        tmp_path: Path, command: str) -> None:
    # 5-minute rows binned to hours: the newest complete bin starts 55 to 119 min before
    # the newest row, and --max-age was measured from that start: every run exit 65.
    end = pd.Timestamp.now(tz="UTC").floor("5min")
    data = make_series(480 * 12, freq="5min")
    data["timestamp"] = pd.date_range(end=end.tz_localize(None), periods=len(data),
                                      freq="5min")
    csv = tmp_path / "flow.csv"
    data.to_csv(csv, index=False)
    model = train_tiny(csv, tmp_path / "m", "--resample", "h", "--aggregate", "sum", tiny=[
        *TINY[:-1], "--anomaly-window", "24", "--anomaly-segment", "6", "--anomaly-epochs",
        "1"])
    live = runner.invoke(app, [command, "--model", str(model), "--max-age", "30min"])
    assert live.exit_code in (0, 1) and live.stdout, live.output
    data["timestamp"] -= pd.Timedelta(hours=3)  # the logger stopped 3 hours ago
    data.to_csv(csv, index=False)
    stale = runner.invoke(app, [command, "--model", str(model), "--max-age", "2h"])
    assert stale.exit_code == 65, stale.output
    # Measured from the newest row (19:25 say), not from its bin's 19:00.
    assert (f"the newest row of the data is from {(end - pd.Timedelta(hours=3)).isoformat()}, "
            "3.") in stale.stderr and "over --max-age 2h" in stale.stderr


def test_binned_series_are_as_old_as_their_newest_value_or_the_file_for_totals(
        tmp_path: Path) -> None:
    from forecaster.data.loading import load_frame
    from forecaster.pipeline.freshness import newest_row

    times = pd.date_range("2026-01-01", periods=60, freq="5min", tz="UTC").tolist()
    csv = tmp_path / "f.csv"
    pd.DataFrame({"timestamp": times * 2, "host": ["a"] * 60 + ["b"] * 60,
                  "v": [1.0] * 60 + [1.0] * 50 + [None] * 10}).to_csv(csv, index=False)
    mean = {s.name: newest_row(s) for s in load_frame(csv, DataSpec(
        resample="h", series_col="host")).series}
    assert mean == {"a": times[-1], "b": times[49]}  # b's empty rows are no readings
    # Summed, a quiet host's hours are zeros up to the file's newest row.
    total = load_frame(csv, DataSpec(resample="h", aggregate="sum", series_col="host"))
    assert {newest_row(s) for s in total.series} == {times[-1]}


def _local_feed(tmp_path: Path, hours_east: int) -> Path:
    """A model of a live hourly feed written in local wall-clock time, without an offset,
    ``hours_east`` of UTC (New York in winter: -5), its newest row this hour there."""
    wall = pd.Timestamp.now(tz="UTC").tz_localize(None) + pd.Timedelta(hours=hours_east)
    path = _ending(tmp_path, wall.floor("h").tz_localize("UTC"))
    return train_tiny(path, tmp_path / "m", tiny=[
        *TINY[:-1], "--anomaly-window", "24", "--anomaly-segment", "6", "--anomaly-epochs",
        "1"])


HINT = "times written without a UTC offset are read as UTC"
FIX = "if the file's times are local, write them with their offset"


def test_local_times_west_of_utc_are_explained_whatever_the_machine_zone(
        tmp_path: Path) -> None:
    # A New York feed on a UTC server: --since an hour ago scored nothing on every run,
    # and --max-age 3h failed, with no word of the times read as UTC.
    model = _local_feed(tmp_path, -5)
    since = str(int((pd.Timestamp.now(tz="UTC") - pd.Timedelta(hours=1)).timestamp()))
    result = runner.invoke(app, ["detect-anomalies", "--model", str(model), "--since", since])
    assert result.exit_code == 0, result.output
    (line,) = [w for w in result.stderr.splitlines() if "Warning: --since" in w]
    assert "no row at or after it" in line and HINT in line and FIX in line
    stale = runner.invoke(app, ["predict", "--model", str(model), "--max-age", "3h"])
    assert stale.exit_code == 65, stale.output
    last = stale.stderr.splitlines()[-1]
    assert "over --max-age 3h" in last and HINT in last and FIX in last


@pytest.mark.parametrize(("first", "naive"), [
    ("2026-01-10 07:00:00", True), ("2026-01-10T07:00", True), ("20260110", True),
    ("2026-01-10T07:00:00-05:00", False), ("2026-01-10T12:00:00Z", False),
    ("2026-01-10 12:00:00 UTC", False), ("1768046400", False),  # Unix seconds are UTC
    ("2026-01-10T12:00:00z", False)])
def test_times_without_an_offset_are_told_apart(first: str, naive: bool) -> None:
    from forecaster.data.zones import without_offset

    assert without_offset(pd.Series(["", first])) is naive
    # Unix seconds whose first looks like a date and hour (1712-01-01 01:00), as the
    # parser reads them: a column of compact dates has every cell one.
    assert not without_offset(pd.Series(["1712010100", "1712013700"]))
    assert without_offset(pd.Series(["2024013113", "2024013114"]))


def test_rows_ahead_of_the_clock_are_warned_of(tmp_path: Path) -> None:
    # A Tokyo feed in local time without offsets read as rows 9 hours in the future: its
    # forecasts were labelled 9 hours late, and --since re-scored the same rows, silently.
    model = _local_feed(tmp_path, 9)
    for command in ("predict", "detect-anomalies"):
        result = runner.invoke(app, [command, "--model", str(model)])
        assert result.exit_code in (0, 1) and result.stdout, result.output
        (line,) = [w for w in result.stderr.splitlines() if "Warning:" in w]
        assert "feed.csv: the newest row of the data is from " in line
        assert "hours ahead of this machine's clock (" in line and HINT in line, line
    # Within a step of the clock (an hour labelled by its end) and in UTC: nothing said.
    hour = pd.Timestamp.now(tz="UTC").ceil("h")
    data = make_series(480)
    data["timestamp"] = pd.date_range(end=hour, periods=480, freq="h").strftime(
        "%Y-%m-%dT%H:%M:%SZ")
    data.to_csv(tmp_path / "utc.csv", index=False)
    result = runner.invoke(app, ["predict", "--model", str(model), "--data",
                                 str(tmp_path / "utc.csv")])
    assert result.exit_code == 0 and "ahead of" not in result.stderr, result.output
    # Hours ahead with offsets: the times say where they lie (day-ahead prices published
    # through tomorrow warned on every run to check a clock that was right).
    data["timestamp"] = pd.date_range(end=hour + pd.Timedelta(hours=26), periods=480,
                                      freq="h").strftime("%Y-%m-%dT%H:%M:%SZ")
    data.to_csv(tmp_path / "utc.csv", index=False)
    result = runner.invoke(app, ["predict", "--model", str(model), "--data",
                                 str(tmp_path / "utc.csv")])
    assert result.exit_code == 0 and "ahead of" not in result.stderr, result.output


def test_a_row_ahead_by_a_step_or_minutes_is_no_news() -> None:
    from types import SimpleNamespace

    from forecaster.pipeline.freshness import warn_ahead

    now, lines = pd.Timestamp("2026-01-10 12:00", tz="UTC"), []
    for end, freq in [("2026-01-10 15:00", "h"), ("2026-01-10 12:10", "5min"),
                      ("2026-01-10 12:15", "5min"), ("2026-02-01", "MS")]:
        index = pd.date_range(end=end, periods=10, freq=freq, tz="UTC")
        frame = Frame([Series("", index, np.zeros((10, 1)), np.ones((10, 1), bool))],
                      DataSpec(targets=["v"]), freq, 0, naive_times=True)
        warn_ahead(frame, Path("f.csv"), SimpleNamespace(warn=lines.append), now)
    # 3 hours of an hourly feed, and 15 min of a 5-minute one, are more than a step and
    # more than a clock's drift; 10 min of it, and a monthly row 22 days ahead, are not.
    assert len(lines) == 2, lines
    assert "the data is from 2026-01-10T15:00:00+00:00, 3.0 hours ahead" in lines[0]
    assert "the data is from 2026-01-10T12:15:00+00:00, 15 min ahead" in lines[1]
