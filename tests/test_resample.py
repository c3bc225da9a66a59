"""``--resample``: event logs and irregular rows binned to a regular step."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import TINY
from typer.testing import CliRunner

from forecaster.data.loading import load_frame
from forecaster.data.spec import DataSpec
from forecaster.errors import DataError

runner = CliRunner()


def event_log(path: Path, hours: int = 400, seed: int = 0) -> pd.DataFrame:
    """Irregular events: a few an hour by day, none some nights, two at the same second."""
    rng = np.random.default_rng(seed)
    stamps = []
    for h in range(hours):
        busy = 8 <= h % 24 < 20
        n = rng.poisson(6 if busy else 0.3)
        stamps += list(pd.Timestamp("2025-01-06") + pd.Timedelta(hours=h)
                       + pd.to_timedelta(np.sort(rng.uniform(0, 3600, n)).astype(int), "s"))
    stamps.append(stamps[-1])  # a repeated timestamp: aggregated, not refused
    data = pd.DataFrame({"timestamp": stamps, "bytes": rng.gamma(2, 50, len(stamps))})
    data.to_csv(path, index=False)
    return data


def test_sum_and_count_bins_are_zero_where_nothing_happened(tmp_path: Path) -> None:
    csv = tmp_path / "events.csv"
    data = event_log(csv)
    frame = load_frame(csv, DataSpec(resample="h", aggregate="count"))
    (s,) = frame.series
    assert frame.freq == "h" and s.observed.all()
    hourly = data.set_index("timestamp")["bytes"].resample("h").count()
    assert np.array_equal(s.values[:, 0], hourly.loc[s.index.tz_localize(None)].to_numpy(float))
    assert (s.values[:, 0] == 0).any()  # quiet nights: zero events, observed
    total = load_frame(csv, DataSpec(resample="h", aggregate="sum")).series[0]
    lo, hi = (t.tz_localize(None) for t in (total.index[0], total.index[-1]))
    inside = data["timestamp"].between(lo, hi + pd.Timedelta(hours=1), inclusive="left")
    assert total.values[:, 0].sum() == pytest.approx(data.loc[inside, "bytes"].sum())


def test_mean_bins_without_rows_are_gaps_filled_and_masked(tmp_path: Path) -> None:
    csv = tmp_path / "events.csv"
    event_log(csv)
    (s,) = load_frame(csv, DataSpec(resample="h")).series
    empty = ~s.observed[:, 0]
    assert empty.any() and not np.isnan(s.values).any()  # filled by --fill, never observed


def test_an_unfinished_last_bin_is_left_out_with_a_note(tmp_path: Path) -> None:
    csv = tmp_path / "minutes.csv"
    t = pd.date_range("2025-01-01", periods=60 * 50 + 25, freq="min")  # ends at 02:24
    pd.DataFrame({"timestamp": t, "kwh": 1.0}).to_csv(csv, index=False)
    frame = load_frame(csv, DataSpec(resample="h", aggregate="sum"))
    (s,) = frame.series
    assert s.index[-1] == pd.Timestamp("2025-01-03 01:00", tz="UTC")  # 02:00 bin: 25 min
    assert (s.values[:, 0] == 60).all()
    assert any("not yet complete: left out" in n for n in frame.notes)
    late = tmp_path / "late.csv"
    pd.DataFrame({"timestamp": t[20:-25], "kwh": 1.0}).to_csv(late, index=False)
    (s,) = load_frame(late, DataSpec(resample="h", aggregate="sum")).series
    assert s.index[0] == pd.Timestamp("2025-01-01 01:00", tz="UTC")  # began at 00:20


def test_order_dates_binned_by_day_keep_their_first_and_last_day(tmp_path: Path) -> None:
    # A Superstore-style log: dates only, three orders a day, unsorted. Their repeated
    # dates made the rows' spacing 0, and the first and last days were dropped as partial.
    days = pd.date_range("2020-01-01", periods=60, freq="D")
    rows = pd.DataFrame({"Order Date": np.repeat(days, 3), "Sales": 100.0})
    csv = tmp_path / "orders.csv"
    rows.sample(frac=1, random_state=0).to_csv(csv, index=False, date_format="%m/%d/%Y")
    frame = load_frame(csv, DataSpec(resample="D", aggregate="sum"))
    (s,) = frame.series
    assert (s.index == days.tz_localize("UTC")).all() and (s.values[:, 0] == 300).all()
    assert not any("not yet complete" in n for n in frame.notes)


def test_train_predict_and_detect_use_the_recorded_bins(tmp_path: Path) -> None:
    csv, model = tmp_path / "events.csv", tmp_path / "m"
    event_log(csv)
    plain = runner.invoke(app(), ["train", str(csv), "--model", str(model), *TINY])
    assert plain.exit_code == 65 and "--resample" in plain.stderr  # repeated times: the option
    plain = runner.invoke(app(), ["train", str(csv), "--model", str(model), *TINY,
                                  "--duplicates", "last"])
    assert plain.exit_code == 65 and "--resample" in plain.stderr  # irregular: the option too
    res = runner.invoke(app(), ["train", str(csv), "--model", str(model), *TINY,
                                "--resample", "h", "--aggregate", "count"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app(), ["predict", "--model", str(model)])
    assert res.exit_code == 0, res.output
    fc = pd.read_csv(io.StringIO(res.stdout), parse_dates=["timestamp"])
    assert (fc["timestamp"].diff().dropna() == pd.Timedelta(hours=1)).all()
    info = runner.invoke(app(), ["info", "--model", str(model), "--format", "json"])
    assert json.loads(info.stdout)["data"]["resample"] == "h, count"
    # The nightly retrain need not repeat the bins: --warm-start takes them from the bundle.
    res = runner.invoke(app(), ["train", str(csv), "--model", str(model), *TINY,
                                "--warm-start"])
    assert res.exit_code == 0, res.output
    info = runner.invoke(app(), ["info", "--model", str(model), "--format", "json"])
    assert json.loads(info.stdout)["data"]["resample"] == "h, count"


@pytest.mark.parametrize(("args", "message"), [
    (["--resample", "h", "--freq", "h"], "--resample h and --freq h both given"),
    (["--aggregate", "sum"], "--aggregate sum without --resample"),
    (["--resample", "fortnight"], "--resample fortnight: unknown or non-positive step"),
    (["--resample", "h", "--aggregate", "median"], "--aggregate median: expected one of"),
    (["--resample", "ME"], "an end-of-period step would not hold its own period; use "
                           "--resample MS"),
])
def test_resample_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    csv = tmp_path / "events.csv"
    event_log(csv, hours=50)
    res = runner.invoke(app(), ["train", str(csv), "--model", str(tmp_path / "m"), *TINY,
                                *args])
    assert res.exit_code == 2, res.output
    assert res.stderr.startswith("Error: ") and message in res.stderr
    assert not (tmp_path / "m").exists()


def app():
    from forecaster.cli import app as the_app

    return the_app


def test_bins_finer_than_the_rows_or_on_step_numbers_are_refused(tmp_path: Path) -> None:
    daily, steps = tmp_path / "daily.csv", tmp_path / "steps.csv"
    pd.DataFrame({"date": pd.date_range("2024-01-01", periods=300, freq="D"),
                  "v": np.arange(300.0)}).to_csv(daily, index=False)
    res = runner.invoke(app(), ["train", str(daily), *TINY, "--resample", "h",
                                "--model", str(tmp_path / "m")])
    assert res.exit_code == 65, res.output
    assert ("bins are finer than the rows (a median 1D apart); give a coarser --resample "
            "(e.g. --resample D)") in res.stderr
    pd.DataFrame({"step": range(1, 301), "v": np.arange(300.0)}).to_csv(steps, index=False)
    res = runner.invoke(app(), ["train", str(steps), *TINY, "--resample", "h",
                                "--model", str(tmp_path / "m")])
    assert res.exit_code == 2, res.output
    assert "indexed by step numbers, not times" in res.stderr
    assert not (tmp_path / "m").exists()


def test_bins_as_long_as_the_file_name_the_bins_and_no_constant_column(tmp_path: Path) -> None:
    # One yearly bin of 300 daily rows was "constant" and the error said "1 rows".
    daily = tmp_path / "daily.csv"
    pd.DataFrame({"date": pd.date_range("2024-01-01", periods=300, freq="D"),
                  "v": np.arange(300.0)}).to_csv(daily, index=False)
    res = runner.invoke(app(), ["train", str(daily), *TINY, "--resample", "365D",
                                "--model", str(tmp_path / "m")])
    assert res.exit_code == 65, res.output
    assert res.stderr.startswith(f"Error: {daily}: 1 row per series at most in bins of "
                                 "--resample 365D, need at least"), res.stderr
    assert "use a shorter --resample than 365D or more data" in res.stderr
    assert "constant" not in res.stderr and not (tmp_path / "m").exists()


@pytest.mark.parametrize(("args", "message"), [
    (["--resample", "30min"], "--warm-start with --resample 30min: the bundle was trained "
                              "with --resample h"),
    (["--aggregate", "sum"], "--warm-start with --aggregate sum: the bundle was trained with "
                             "--aggregate count"),
    (["--resample", "h", "--aggregate", "count"], None),  # the same bins: fine
])
def test_a_warm_start_keeps_the_bins(tmp_path: Path, args: list[str],
                                     message: str | None) -> None:
    csv, model = tmp_path / "events.csv", tmp_path / "m"
    event_log(csv, hours=200)
    first = runner.invoke(app(), ["train", str(csv), "--model", str(model), *TINY,
                                  "--resample", "h", "--aggregate", "count"])
    assert first.exit_code == 0, first.output
    res = runner.invoke(app(), ["train", str(csv), "--model", str(model), *TINY,
                                "--warm-start", *args])
    if message is None:
        assert res.exit_code == 0, res.output
        return
    assert res.exit_code == 2, res.output
    assert res.stderr.startswith("Error: ") and message in res.stderr


def test_a_warm_start_keeps_the_step(tmp_path: Path) -> None:
    from conftest import make_series

    csv, model = tmp_path / "s.csv", tmp_path / "m"
    make_series(n=300).to_csv(csv, index=False)
    res = runner.invoke(app(), ["train", str(csv), "--model", str(model), *TINY])
    assert res.exit_code == 0, res.output
    same = runner.invoke(app(), ["train", str(csv), "--model", str(model), *TINY,
                                 "--warm-start", "--freq", "h"])
    assert same.exit_code == 0, same.output  # the step it inferred, now given: the same
    other = runner.invoke(app(), ["train", str(csv), "--model", str(model), *TINY,
                                  "--warm-start", "--freq", "2h"])
    assert other.exit_code == 2 and "--warm-start with --freq 2h: the bundle was trained " \
        "with --freq h" in other.stderr


def test_since_inside_a_bin_scores_that_bin(tmp_path: Path) -> None:
    # An hourly cron run passes the last row's time; the bin holding it was left out while
    # unfinished, and must be scored now, not skipped.
    csv, model = tmp_path / "events.csv", tmp_path / "m"
    event_log(csv, hours=300)
    res = runner.invoke(app(), ["train", str(csv), "--model", str(model), *TINY,
                                "--resample", "h", "--aggregate", "count"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app(), ["detect-anomalies", "--model", str(model), "--method",
                                "forecast", "--since", "2025-01-17 10:47:14", "--exit-zero"])
    assert res.exit_code == 0, res.output
    table = pd.read_csv(io.StringIO(res.stdout))
    assert table["timestamp"].iloc[0] == "2025-01-17T10:00:00+00:00"


def test_bin_means_carry_no_float_noise(tmp_path: Path) -> None:
    csv = tmp_path / "noise.csv"
    t = pd.date_range("2024-01-01", periods=24, freq="5min")
    pd.DataFrame({"timestamp": t, "v": [51.9, 51.922, 51.944] * 8}).to_csv(csv, index=False)
    (s,) = load_frame(csv, DataSpec(resample="h")).series
    assert repr(float(s.values[0, 0])) == "51.922"  # not 51.922000000000004, echoed as the value


@pytest.mark.parametrize(("step", "jitter", "advice"), [(15, 5, "--resample 15s"),
                                                       (28, 3, "--resample 30s")])
def test_off_grid_advice_for_scrapes_seconds_apart_is_seconds(
        tmp_path: Path, step: int, jitter: int, advice: str) -> None:
    """15-second scrapes with jitter were told to bin by the hour. (Scrapes within a tenth
    of a step of a 15-second grid are moved onto it, test_grid_inference.py: these lie up
    to 2 seconds either side.)"""
    rng = np.random.default_rng(0)
    offsets = np.arange(400) * step + rng.integers(0, jitter, 400)
    csv = tmp_path / "scrape.csv"
    pd.DataFrame({"time": pd.Timestamp("2024-01-01") + pd.to_timedelta(offsets, unit="s"),
                  "v": np.sin(np.arange(400) / 10)}).to_csv(csv, index=False)
    res = runner.invoke(app(), ["train", str(csv), *TINY, "--model", str(tmp_path / "m")])
    assert res.exit_code == 65, res.output
    assert res.stderr.strip().endswith(f"bin the rows with --resample (e.g. {advice})")


def _advised(message: str) -> str:
    """The step an error's advice names: '(e.g. --resample 15min)'."""
    return message.split("--resample ")[-1].split(")")[0]


def test_the_step_advised_for_irregular_rows_passes_when_given(tmp_path: Path) -> None:
    # A historian's "recorded values" export, rows some 10 minutes apart at random: the
    # advice was --resample 5min, which the same check then refused as too fine.
    rng = np.random.default_rng(1)
    seconds = np.cumsum(rng.exponential(600, 2900))
    csv = tmp_path / "rec.csv"
    stamps = pd.Timestamp("2026-10-01") + pd.to_timedelta(seconds, "s")
    pd.DataFrame({"Timestamp": stamps.strftime("%d-%b-%Y %H:%M:%S.%f").str[:-3],
                  "FIC101.PV": (50 + 5 * np.sin(seconds / 13751)).round(3)}
                 ).to_csv(csv, index=False)
    res = runner.invoke(app(), ["train", str(csv), *TINY, "--model", str(tmp_path / "m")])
    assert res.exit_code == 65, res.output
    step = _advised(res.stderr)
    (s,) = load_frame(csv, DataSpec(resample=step)).series  # no error: the advice works
    assert (~s.observed).mean() <= 0.25  # and leaves the anomaly model windows to score
    with pytest.raises(DataError, match="give a coarser --resample") as err:
        load_frame(csv, DataSpec(resample="5min"))
    assert _advised(str(err.value)) == step


def test_the_step_advised_for_a_slow_tag_beside_a_fast_one_is_the_slow_ones(
        tmp_path: Path) -> None:
    # A tag every 15 minutes and one hourly: the advice was --resample D, a model of 20
    # daily steps, where h fits both.
    rows = [("FAST.PV", t, 1.0) for t in pd.date_range("2026-10-01", periods=2000,
                                                         freq="15min")]
    rows += [("SLOW.PV", t, 2.0) for t in pd.date_range("2026-10-01", periods=500, freq="h")]
    csv = tmp_path / "tags.csv"
    pd.DataFrame(rows, columns=["TagName", "DateTime", "Value"]).to_csv(csv, index=False)
    with pytest.raises(DataError, match=r"series 'SLOW.PV'.*\(e\.g\. --resample h\)$"):
        load_frame(csv, DataSpec(series_col="TagName"))
    frame = load_frame(csv, DataSpec(series_col="TagName", resample="h"))
    assert [len(s.index) for s in frame.series] == [500, 500]


@pytest.mark.parametrize("start", ["2026-10-01 03:00", "2026-10-01 03:07"])
def test_a_tag_of_a_few_rows_is_named_rather_than_a_coarse_step_for_all(
        tmp_path: Path, start: str) -> None:
    # 5 hourly rows beside 2000 quarter-hours (on the grid, or off it at :07): the advice
    # was --resample D for the whole file, 21 daily steps, where the 5 rows are the misfit.
    rows = [("FAST.PV", t, 1.0) for t in pd.date_range("2026-10-01", periods=2000,
                                                         freq="15min")]
    rows += [("TINY.PV", t, 2.0) for t in pd.date_range(start, periods=5, freq="h")]
    csv = tmp_path / "tags.csv"
    data = pd.DataFrame(rows, columns=["TagName", "DateTime", "Value"])
    data.to_csv(csv, index=False)
    with pytest.raises(DataError, match=r"series 'TINY.PV'.*only 5 rows, against 2000 in "
                       r"another: leave its rows out of the file \(the other series fit the "
                       r"'15min' grid\)$"):
        load_frame(csv, DataSpec(series_col="TagName"))
    data[data["TagName"] != "TINY.PV"].to_csv(csv, index=False)  # the advice, followed
    assert len(load_frame(csv, DataSpec(series_col="TagName")).series[0].index) == 2000
