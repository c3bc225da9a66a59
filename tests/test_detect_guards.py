"""``forecast detect-anomalies`` refuses what would make a cron job silently score nothing,
and checks its output paths before any scoring."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from conftest import TINY, make_series
from typer.testing import CliRunner

from forecaster.cli import app

runner = CliRunner()
ANOMALY = [a for a in TINY if a != "--no-anomaly"] + [
    "--anomaly-window", "24", "--anomaly-segment", "6", "--anomaly-epochs", "2"]


@pytest.fixture(scope="module")
def two(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A CSV of series 'a' (480 hourly rows) and 'b' (its first 400), and a bundle on it."""
    root = tmp_path_factory.mktemp("guards")
    csv, model = root / "two.csv", root / "m"
    parts = [make_series(n=480).assign(series="a"), make_series(n=400, seed=1).assign(series="b")]
    pd.concat(parts, ignore_index=True).to_csv(csv, index=False)
    result = runner.invoke(app, ["train", str(csv), "--model", str(model), "--series-col",
                                 "series", *ANOMALY])
    assert result.exit_code == 0, result.output
    return csv, model


def _detect(model: Path, *extra: str):
    return runner.invoke(app, ["detect-anomalies", "--model", str(model), "--exit-zero", *extra])


@pytest.mark.parametrize(("since", "message"), [
    ("", "Error: --since is empty; expected a timestamp such as 2026-03-01T12:00"),
    ("NaT", "Error: --since NaT: not a timestamp; expected e.g. 2026-03-01"),
])
def test_empty_or_nat_since_is_a_usage_error(two: tuple[Path, Path], since: str,
                                             message: str) -> None:
    # A cron job's --since "$LAST" with LAST unset must not score nothing and exit 0.
    result = _detect(two[1], "--since", since)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1


def test_an_unreadable_since_is_refused_before_the_data_is_read(two: tuple[Path, Path],
                                                                tmp_path: Path) -> None:
    # It was refused only once the data was loaded and checked: a drift warning came first.
    drifted = tmp_path / "drifted.csv"
    pd.read_csv(two[0]).assign(value=lambda d: d["value"] + 100).to_csv(drifted, index=False)
    result = _detect(two[1], "--data", str(drifted), "--since", "garbage")
    assert result.exit_code == 2, result.output
    assert result.stderr == ("Error: --since garbage: not a timestamp; expected e.g. 2026-03-01 "
                             "or 2026-03-01T12:00 (a step number for a series indexed by "
                             "steps)\n"), result.stderr
    assert "data drift" in _detect(two[1], "--data", str(drifted), "--quiet").stderr


CLOCK_ONLY = ("a time of day without a date, which would be dated today (after midnight, "
              "yesterday's 23:00 would lie in the future); expected a full timestamp such as "
              "2026-03-01T23:00, or --last N for the newest N rows\n")


@pytest.mark.parametrize("since", ["10:00", "10:00:00", "23:00Z", "10pm"])
def test_a_time_of_day_without_a_date_is_refused(two: tuple[Path, Path], since: str) -> None:
    # It was dated today: a cron run just after midnight whose --since 23:00 meant last
    # night scored nothing, exit 0, with only a warning.
    result = _detect(two[1], "--since", since)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr == f"Error: --since {since}: {CLOCK_ONLY}", result.stderr


RELATIVE = ("names no fixed time (pandas reads 'today' and 'now' as this very instant, past "
            "every row); expected a date such as 2026-03-01 or 2026-03-01T23:00 (today's in a "
            "script: $(date -u +%F)), or --last N for the newest N rows\n")


@pytest.mark.parametrize(("since", "word"), [("today", "today"), ("now", "now"),
                                             ("yesterday", "yesterday"), ("Today", "Today"),
                                             ("today 10:00", "today"), ("midnight", "midnight")])
def test_a_word_for_a_time_relative_to_the_run_is_refused(two: tuple[Path, Path], since: str,
                                                          word: str) -> None:
    # 'today' and 'now' were this instant: a cron's --since today lay past every row, and
    # each run scored nothing while the warning blamed the data feed.
    result = _detect(two[1], "--since", since)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr == f"Error: --since {since}: '{word}' {RELATIVE}", result.stderr


def test_a_zone_abbreviation_in_since_says_to_write_the_offset(two: tuple[Path, Path]) -> None:
    # dateutil's UnknownTimezoneWarning came first, two raw lines on stderr.
    result = _detect(two[1], "--since", "2024-01-17 14:00 CET")
    assert result.exit_code == 2, result.output
    assert result.stderr == ("Error: --since 2024-01-17 14:00 CET: not a timestamp; expected "
                             "e.g. 2026-03-01 or 2026-03-01T12:00 (a step number for a series "
                             "indexed by steps); a zone abbreviation (CET) cannot be read: "
                             "write the UTC offset instead, as in 2024-01-17 14:00+01:00 (or "
                             "the time in UTC)\n"), result.stderr


def test_a_toml_local_time_for_since_is_refused(two: tuple[Path, Path], tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "forecast.toml").write_text("[detect-anomalies]\nsince = 10:00:00\n",
                                            encoding="utf-8")
    result = _detect(two[1])
    assert result.exit_code == 2, result.output
    assert result.stderr == (f"Error: --since 10:00:00: {CLOCK_ONLY[:-1]} (the value came "
                             "from file forecast.toml, table [detect-anomalies]: fix or remove it "
                             "there)\n"), result.stderr


@pytest.mark.parametrize("since", ["2024-01-20T10:00", "Jan 20 2024 10:00", "2024-01-20"])
def test_a_time_with_its_date_is_read(two: tuple[Path, Path], since: str) -> None:
    result = _detect(two[1], "--since", since, "--quiet")
    assert result.exit_code == 0, result.output
    assert "2024-01-20T10:00:00+00:00" in result.stdout


def test_since_after_the_last_row_warns_and_names_it(two: tuple[Path, Path]) -> None:
    result = _detect(two[1], "--since", "2099-01-01", "--quiet")
    assert result.exit_code == 0, result.output
    assert result.stdout == "series,timestamp,value,score,threshold,is_anomaly\n"
    assert ("Warning: --since 2099-01-01: no row at or after it; every series ends by "
            "2024-01-20T23:00:00+00:00, so nothing was scored") in result.stderr


def test_since_after_one_series_ends_warns_about_that_series(two: tuple[Path, Path]) -> None:
    result = _detect(two[1], "--since", "2024-01-19 00:00", "--quiet")
    assert result.exit_code == 0, result.output
    table = pd.read_csv(io.StringIO(result.stdout))
    assert set(table["series"]) == {"a"} and len(table) == 48
    assert ("Warning: --since 2024-01-19 00:00: no row at or after it in series 'b'; they "
            "end by 2024-01-17T15:00:00+00:00 and were not scored") in result.stderr


@pytest.mark.parametrize("with_output", [False, True])
def test_plot_into_a_missing_folder_fails_before_any_output(two: tuple[Path, Path],
                                                            tmp_path: Path,
                                                            with_output: bool) -> None:
    out, png = tmp_path / "o1.csv", tmp_path / "nodir" / "a.png"
    extra = ["--output", str(out)] if with_output else []
    result = _detect(two[1], *extra, "--plot", str(png))
    assert result.exit_code == 73, result.output
    assert result.stdout == "" and not out.exists()
    assert result.stderr == (f"Error: --plot {png}: the folder {png.parent} does not exist; "
                             "create it or choose another path\n")


def test_output_and_plot_to_one_file_is_refused(two: tuple[Path, Path], tmp_path: Path) -> None:
    same = tmp_path / "same.png"
    result = _detect(two[1], "--output", str(same), "--plot", str(same))
    assert result.exit_code == 73, result.output
    assert result.stderr == (f"Error: --plot {same}: the same file as --output; give each its "
                             "own path\n")
    assert not same.exists()


def test_plot_over_the_input_names_the_plot_option(two: tuple[Path, Path]) -> None:
    csv, model = two
    before = csv.read_bytes()
    result = _detect(model, "--plot", str(csv))
    assert result.exit_code == 73, result.output
    assert result.stderr == f"Error: --plot {csv}: that is the input file; choose another path\n"
    assert csv.read_bytes() == before


def test_output_paths_refuse_a_directory_or_a_file_as_folder(tmp_path: Path) -> None:
    from forecaster.errors import OutputError
    from forecaster.output_paths import check_output_paths

    (tmp_path / "f.csv").write_text("x\n", encoding="utf-8")
    with pytest.raises(OutputError, match=r"^--output .+: is a directory; expected a file"):
        check_output_paths({"--output": tmp_path}, [], [])
    with pytest.raises(OutputError, match=r"^--plot .+f\.csv/a\.png: .+f\.csv is a file, not a "
                                          r"folder; choose another path$"):
        check_output_paths({"--output": None, "--plot": tmp_path / "f.csv" / "a.png"}, [], [])
    check_output_paths({"--output": tmp_path / "a.csv", "--plot": tmp_path / "a.png"}, [], [])


@pytest.mark.skipif(not Path("/sys/kernel").is_dir(), reason="needs Linux's read-only /sys")
def test_an_unwritable_folder_fails_before_any_scoring(two: tuple[Path, Path],
                                                       tmp_path: Path) -> None:
    # /sys refuses new files even to root, as a folder without write permission would.
    out = tmp_path / "o.csv"
    result = _detect(two[1], "--output", str(out), "--plot", "/sys/forecast-test.png")
    assert result.exit_code == 73, result.output
    assert result.stdout == "" and not out.exists()
    (line,) = result.stderr.splitlines()
    assert line.startswith("Error: --plot /sys/forecast-test.png: permission denied: user ")
    assert "cannot write in the folder /sys (d" in line, line
    assert line.endswith("; choose a folder this account can write to, or have its owner open "
                         "it to yours")
    assert not list(tmp_path.iterdir())  # the probe's temp file is gone too


def _with_new_series(csv: Path, tmp_path: Path, rows: int) -> Path:
    """The training file plus a series 'c' that opened ``rows`` hours ago."""
    data = pd.read_csv(csv)
    new = make_series(n=rows, start="2024-01-20 20:00").assign(series="c")
    out = tmp_path / "with_c.csv"
    pd.concat([data, new], ignore_index=True).to_csv(out, index=False)
    return out


def test_a_new_short_series_is_skipped_not_fatal(two: tuple[Path, Path], tmp_path: Path) -> None:
    csv, model = two
    data = _with_new_series(csv, tmp_path, 4)
    result = runner.invoke(app, ["predict", "--model", str(model), "--data", str(data)])
    assert result.exit_code == 0, result.output
    assert set(pd.read_csv(io.StringIO(result.stdout))["series"]) == {"a", "b"}
    assert ("Warning: series 'c' has 4 rows; the model needs the last 24 to forecast: "
            "skipped until it has them") in result.stderr
    result = _detect(model, "--data", str(data), "--last", "3")
    assert result.exit_code == 0, result.output
    assert set(pd.read_csv(io.StringIO(result.stdout))["series"]) == {"a", "b"}
    assert "Warning: series 'c' has 4 rows; the anomaly model needs at least 24" in result.stderr


def test_a_new_short_series_is_left_out_of_a_retrain_not_fatal(two: tuple[Path, Path],
                                                                tmp_path: Path) -> None:
    csv, _ = two
    data, model = _with_new_series(csv, tmp_path, 4), str(tmp_path / "m")
    # The nightly retrain used to exit 65 until the new series had a window of rows.
    result = runner.invoke(app, ["train", str(data), "--model", model, "--series-col", "series",
                                 *ANOMALY])
    assert result.exit_code == 0, result.output
    assert ("with_c.csv: 1 series too short for one --window 24 plus --horizon 6, left out of "
            "this model: 'c' (4 rows)") in result.stderr
    result = runner.invoke(app, ["predict", "--model", model])
    assert result.exit_code == 0, result.output
    assert set(pd.read_csv(io.StringIO(result.stdout))["series"]) == {"a", "b"}
    assert "series 'c' has 4 rows" in result.stderr


def test_a_short_series_far_from_the_others_does_not_set_the_shape(tmp_path: Path) -> None:
    # 'c', 20 rows 500 hours before 'a' and 'b', widened the grid the automatic shape was
    # fitted to: left out, it still stopped the train with a window the others lack.
    parts = [make_series(n=150, seed=k).assign(series=name) for k, name in enumerate("ab")]
    parts.append(make_series(n=20, start="2023-12-11").assign(series="c"))
    csv = tmp_path / "far.csv"
    pd.concat(parts, ignore_index=True).to_csv(csv, index=False)
    result = runner.invoke(app, ["train", str(csv), "--model", str(tmp_path / "m"),
                                 "--series-col", "series", "--epochs", "1", "--hidden", "4",
                                 "--ensemble", "1", "--no-anomaly"])
    assert result.exit_code == 0, result.output
    assert "left out of this model: 'c' (20 rows)" in result.stderr


def test_no_series_long_enough_is_an_error(two: tuple[Path, Path], tmp_path: Path) -> None:
    csv, model = two
    only = tmp_path / "only_c.csv"
    make_series(n=4).assign(series="c").to_csv(only, index=False)
    result = runner.invoke(app, ["predict", "--model", str(model), "--data", str(only)])
    assert result.exit_code == 65, result.output
    assert result.stderr.endswith(f"\nError: {only}: series 'c' has 4 rows; the model needs "
                                  "the last 24 to forecast. Give more history\n")


def test_strict_does_not_call_a_one_row_anomaly_drift(two: tuple[Path, Path],
                                                      tmp_path: Path) -> None:
    csv, model = two
    data = pd.read_csv(csv)
    last_a = data.index[data["series"] == "a"][-1]
    data.loc[last_a, "value"] += 1000.0  # a fault in the newest row, 400 sd off
    spiked = tmp_path / "spiked.csv"
    data.to_csv(spiked, index=False)
    result = runner.invoke(app, ["detect-anomalies", "--model", str(model), "--data",
                                 str(spiked), "--last", "1", "--strict", "--events"])
    assert result.exit_code == 1, result.output
    assert set(pd.read_csv(io.StringIO(result.stdout))["series"]) == {"a"}


def test_scored_rows_with_no_observed_value_warn_and_fail_strict(two: tuple[Path, Path],
                                                                 tmp_path: Path) -> None:
    # A sensor sending NA: every scored step filled in, none scored, exit 0 and silence.
    data = pd.read_csv(two[0])
    newest = data.index[(data["series"] == "b")][-12:]
    data.loc[newest, "value"] = float("nan")
    data.to_csv(tmp_path / "na.csv", index=False)
    result = _detect(two[1], "--data", str(tmp_path / "na.csv"), "--last", "6", "--quiet")
    assert result.exit_code == 0, result.output
    assert ("Warning: na.csv: the 6 row(s) scored of series 'b', from 2024-01-17T10:00:00+00:00 "
            "on, hold no observed value") in result.stderr
    strict = _detect(two[1], "--data", str(tmp_path / "na.csv"), "--last", "6", "--strict")
    assert strict.exit_code == 65, strict.output
    assert strict.stderr.splitlines()[-1].startswith("Error: na.csv: the 6 row(s) scored")
    assert strict.stdout == ""


def test_scored_rows_mostly_blank_warn_and_fail_strict(two: tuple[Path, Path],
                                                      tmp_path: Path) -> None:
    # 3 of the 4 rows asked for blank: the run's "no anomaly" rested on one real row, and
    # only the loader's "filled" note said anything.
    data = pd.read_csv(two[0])
    newest = data.index[(data["series"] == "b")]
    data.loc[newest[-3:], "value"] = float("nan")
    data.to_csv(tmp_path / "mostly.csv", index=False)
    result = _detect(two[1], "--data", str(tmp_path / "mostly.csv"), "--last", "4", "--quiet")
    assert result.exit_code == 0, result.output
    assert result.stderr.count("Warning: ") == 1
    assert ("Warning: mostly.csv: 3 of the 4 row(s) scored of series 'b', from "
            "2024-01-17T12:00:00+00:00 on, hold no observed value (filled in by --fill "
            "interpolate), so at most 1 could be scored: check the data feed") in result.stderr
    strict = _detect(two[1], "--data", str(tmp_path / "mostly.csv"), "--last", "4", "--strict")
    assert strict.exit_code == 65, strict.output
    assert strict.stderr.splitlines()[-1].startswith("Error: mostly.csv: 3 of the 4 row(s)")
    assert strict.stdout == ""
    half = _detect(two[1], "--data", str(tmp_path / "mostly.csv"), "--last", "6", "--strict",
                   "--quiet")  # 3 of 6: half, not most
    assert half.exit_code == 0 and "Warning" not in half.stderr, half.output


def test_rows_after_an_outage_that_get_no_score_are_warned_of(two: tuple[Path, Path],
                                                              tmp_path: Path) -> None:
    # A logger down for 12 hours, then 6 new rows: every 24-step window around them is
    # over a quarter filled in, so none got a score; cron read "no anomaly" in silence.
    data = pd.read_csv(two[0])
    rows_a = data.index[data["series"] == "a"]
    data = data.drop(index=rows_a[-18:-6])
    data.to_csv(tmp_path / "outage.csv", index=False)
    result = _detect(two[1], "--data", str(tmp_path / "outage.csv"), "--last", "6", "--quiet")
    assert result.exit_code == 0, result.output
    out = pd.read_csv(io.StringIO(result.stdout))
    assert out.loc[out["series"] == "a", "score"].isna().all()
    assert ("Warning: outage.csv: 6 observed row(s) of series 'a' got no score, first at "
            "2024-01-20T18:00:00+00:00: every anomaly window around them is more than 25% "
            "filled in (a gap in the data); rows after a gap are scored once 18 of a window's "
            "24 rows are observed; check the data feed") in result.stderr


def test_a_series_that_fell_behind_since_training_is_warned_of(two: tuple[Path, Path],
                                                               tmp_path: Path) -> None:
    # 'b' ended 80 hours before 'a' at training (no news); now its feed stopped 10 hours
    # earlier still: every --last run scored its same rows again, and predict forecast it
    # from its old end, silently.
    data = pd.read_csv(two[0])
    data = data.drop(index=data.index[data["series"] == "b"][-10:])
    data.to_csv(tmp_path / "stopped.csv", index=False)
    assert "Warning" not in _detect(two[1], "--last", "6", "--quiet").stderr
    result = _detect(two[1], "--data", str(tmp_path / "stopped.csv"), "--last", "6", "--quiet")
    assert result.exit_code == 0, result.output
    assert ("Warning: series 'b' ends before the newest row of the file "
            "(2024-01-20T23:00:00+00:00; 'b' ends at 2024-01-17T05:00:00+00:00): --last 6 "
            "scores their same last rows again on every run") in result.stderr
    forecast = runner.invoke(app, ["predict", "--model", str(two[1]), "--data",
                                   str(tmp_path / "stopped.csv")])
    assert forecast.exit_code == 0, forecast.output
    assert "their forecasts start after their own last rows" in forecast.stderr


def _moved_clock(two: tuple[Path, Path], tmp_path: Path, rows: int) -> Path:
    """The file with ``rows`` new rows of series 'a' at half past the hour (its clock moved)."""
    data = pd.read_csv(two[0])
    new = pd.DataFrame({"timestamp": pd.date_range("2024-01-21 00:30", periods=rows, freq="h")
                        .strftime("%Y-%m-%d %H:%M:%S"), "value": 50.0, "series": "a"})
    pd.concat([data, new], ignore_index=True).to_csv(tmp_path / "moved.csv", index=False)
    return tmp_path / "moved.csv"


def test_newest_rows_off_the_grid_are_warned_of_not_silently_dropped(two: tuple[Path, Path],
                                                                     tmp_path: Path) -> None:
    # A collector restarted on another phase writes every new row off the grid: a cron
    # --last run scored old rows, said nothing above a note, and exited 0.
    moved = _moved_clock(two, tmp_path, 3)
    warning = ("Warning: moved.csv: the newest 3 row(s) of series 'a', from "
               "2024-01-21T00:30:00+00:00 on, are off the 'h' grid, which ends at "
               "2024-01-20T23:00:00+00:00: they are not forecast from or scored")
    result = _detect(two[1], "--data", str(moved), "--last", "6", "--quiet")
    assert result.exit_code == 0, result.output
    assert warning in result.stderr and "retrain with --resample h" in result.stderr
    forecast = runner.invoke(app, ["predict", "--model", str(two[1]), "--data", str(moved)])
    assert forecast.exit_code == 0, forecast.output
    assert warning in forecast.stderr


def test_many_rows_off_the_grid_name_the_train_options(two: tuple[Path, Path],
                                                       tmp_path: Path) -> None:
    # --freq and --resample are options of train: detect-anomalies refuses them.
    result = _detect(two[1], "--data", str(_moved_clock(two, tmp_path, 12)))
    assert result.exit_code == 65, result.output
    assert "12 timestamps are off the 'h' grid" in result.stderr
    assert f"when you retrain ('forecast train {tmp_path / 'moved.csv'} " in result.stderr
    assert result.stderr.rstrip().endswith(
        f"--model {two[1]}'): the other commands read the data as the model was trained")


def test_rows_blank_in_the_target_only_count_as_blank(tmp_path: Path) -> None:
    # A feature read beside a target gone blank: a row counted blank only where every
    # column was, so 5 of 6 rows scored without a target read said nothing of it (or,
    # with --method forecast, blamed the series' first window).
    data = make_series(n=400).assign(temp=make_series(n=400, seed=2)["value"])
    data.to_csv(tmp_path / "feat.csv", index=False)
    model = tmp_path / "m"
    result = runner.invoke(app, ["train", str(tmp_path / "feat.csv"), "--model", str(model),
                                 "--features", "temp", *ANOMALY])
    assert result.exit_code == 0, result.output
    data.loc[data.index[-6:-1], "value"] = float("nan")
    data.to_csv(tmp_path / "blank.csv", index=False)
    for method in ("reconstruction", "forecast"):
        result = _detect(model, "--data", str(tmp_path / "blank.csv"), "--last", "6",
                         "--method", method, "--quiet")
        assert result.exit_code == 0, result.output
        (line,) = result.stderr.strip().splitlines()  # one warning, not "got no score"
        assert line.endswith(
            "Warning: blank.csv: 5 of the 6 row(s) scored of the data, from "
            "2024-01-17T10:00:00+00:00 on, hold no observed value of 'value' (filled in by "
            "--fill interpolate), so at most 1 could be scored: check the data feed")


def test_one_silent_column_of_a_wide_file_is_warned_of(tmp_path: Path) -> None:
    # One host of a wide export stops reporting: its cells are filled in, the other
    # columns are observed, and a cron run said nothing but "filled 6 missing values".
    data = make_series(n=400).assign(db=make_series(n=400, seed=2)["value"] * 2)
    data.to_csv(tmp_path / "wide.csv", index=False)
    model = tmp_path / "m"
    result = runner.invoke(app, ["train", str(tmp_path / "wide.csv"), "--model", str(model),
                                 "--target", "value,db", *ANOMALY])
    assert result.exit_code == 0, result.output
    data.loc[data.index[-6:], "db"] = float("nan")
    data.to_csv(tmp_path / "silent.csv", index=False)
    warning = ("silent.csv: column(s) db hold no observed value in the 6 row(s) scored, from "
               "2024-01-17T10:00:00+00:00 on (filled in by --fill interpolate)")
    result = _detect(model, "--data", str(tmp_path / "silent.csv"), "--last", "6", "--quiet")
    assert result.exit_code == 0, result.output
    assert f"Warning: {warning}" in result.stderr
    assert "Warning" not in _detect(model, "--last", "6", "--quiet").stderr
    # --strict fails on gross drift, not on one sensor's late cells: still a warning.
    strict = _detect(model, "--data", str(tmp_path / "silent.csv"), "--last", "6", "--strict")
    assert strict.exit_code == 0, strict.output
    assert f"Warning: {warning}" in strict.stderr
