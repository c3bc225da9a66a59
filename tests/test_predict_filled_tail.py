"""``forecast predict`` warns when the newest input rows were filled in, not observed."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
from conftest import TINY, make_series
from typer.testing import CliRunner

from forecaster.cli import app

runner = CliRunner()


def _predict(model: Path, csv: Path, *extra: str):
    return runner.invoke(app, ["predict", "--model", str(model), "--data", str(csv), *extra])


def test_filled_newest_rows_warn_and_leave_stdout_alone(tmp_path: Path, trained: Path,
                                                        series_csv: Path) -> None:
    stale = _gap(series_csv, tmp_path, slice(450, None))  # the last 30 of 480 hours empty
    result = _predict(trained, stale, "--quiet")
    assert result.exit_code == 0 and result.stderr.count("Warning: ") == 1, result.output
    assert ("Warning: the newest 30 row(s) of the data, from 2024-01-19T18:00:00+00:00 on, had "
            "value filled in by --fill interpolate, not observed (24 of the model's 24 input "
            "rows: more than 25%, and over twice its share in the file); the forecast starts "
            "from filled values: add the missing values, or check the data feed") in result.stderr
    table = pd.read_csv(io.StringIO(result.stdout))
    assert list(table.columns) == ["series", "timestamp", "target", "forecast", "lower", "upper"]
    assert len(table) == 6 and "Warning" not in result.stdout
    clean = _predict(trained, series_csv, "--quiet")
    assert clean.exit_code == 0 and "Warning" not in clean.stderr, clean.output


def test_one_warning_for_each_series_with_filled_newest_rows(tmp_path: Path) -> None:
    parts = [make_series(n=300, seed=k).assign(series=name) for k, name in enumerate("abc")]
    df = pd.concat(parts, ignore_index=True)
    csv, model = tmp_path / "three.csv", tmp_path / "m"
    df.to_csv(csv, index=False)
    result = runner.invoke(app, ["train", str(csv), "--model", str(model), "--series-col",
                                 "series", "--fill", "ffill", *TINY, "--folds", "0",
                                 "--quiet"])
    assert result.exit_code == 0, result.output
    rows = df.groupby("series").cumcount()
    df.loc[(df["series"] == "b") & (rows >= 295), "value"] = None
    df.loc[(df["series"] == "c") & (rows == 280), "value"] = None  # a gap, then new rows
    df.to_csv(csv, index=False)
    result = _predict(model, csv)
    assert result.exit_code == 0, result.output
    assert result.stderr.count("Warning: ") == 1
    assert ("Warning: the newest 5 row(s) of series 'b', from 2024-01-13T07:00:00+00:00 on, "
            "had value filled in by --fill ffill, not observed (5 of the model's 24 input "
            "rows)") in result.stderr


def _gap(csv: Path, tmp_path: Path, rows: slice) -> Path:
    df = pd.read_csv(csv)
    df.loc[rows, "value"] = None
    out = tmp_path / "gap.csv"
    df.to_csv(out, index=False)
    return out


def test_input_window_mostly_filled_after_an_outage_warns(tmp_path: Path, trained: Path,
                                                          series_csv: Path) -> None:
    # A 16-hour outage, then 4 real rows: the newest row is observed, but 16 of the 24
    # rows the forecast starts from are interpolated.
    gap = _gap(series_csv, tmp_path, slice(460, 475))
    result = _predict(trained, gap, "--quiet")
    assert result.exit_code == 0, result.output
    assert result.stderr.count("Warning: ") == 1
    assert ("Warning: 16 of the model's 24 input rows of the data, from "
            "2024-01-20T04:00:00+00:00 on, had value filled in by --fill interpolate, not "
            "observed (more than 25%, and over twice its share in the file: a gap in the "
            "data); the forecast starts from values "
            "nobody read, and its interval does not allow for them: add the missing values, "
            "or check the data feed (forecasts start from observed rows again once 18 of the "
            "last 24 are observed)") in result.stderr
    assert len(pd.read_csv(io.StringIO(result.stdout))) == 6
    strict = _predict(trained, gap, "--quiet", "--strict")
    assert strict.exit_code == 65, strict.output
    assert "Error: 16 of the model's 24 input rows of the data" in strict.stderr
    assert strict.stdout == ""


def test_a_quarter_of_the_input_window_filled_is_no_warning(tmp_path: Path, trained: Path,
                                                            series_csv: Path) -> None:
    gap = _gap(series_csv, tmp_path, slice(466, 471))  # 6 of 24: detect-anomalies' limit
    result = _predict(trained, gap, "--quiet", "--strict")
    assert result.exit_code == 0 and "Warning" not in result.stderr, result.output


def test_strict_fails_on_newest_rows_filled_over_a_quarter_of_the_window(
        tmp_path: Path, trained: Path, series_csv: Path) -> None:
    stale = _gap(series_csv, tmp_path, slice(450, None))  # the last 30 rows empty
    result = _predict(trained, stale, "--quiet", "--strict")
    assert result.exit_code == 65, result.output
    assert ("Error: the newest 30 row(s) of the data, from 2024-01-19T18:00:00+00:00 on, had "
            "value filled in by --fill interpolate, not observed (24 of the model's 24 input "
            "rows: more than 25%") in result.stderr
    late = _gap(series_csv, tmp_path, slice(475, None))  # 5 of 24: a warning only
    result = _predict(trained, late, "--quiet", "--strict")
    assert result.exit_code == 0, result.output
    assert "Warning: the newest 5 row(s) of the data" in result.stderr


def test_a_column_read_less_often_is_no_gap(tmp_path: Path) -> None:
    # b is read every 4th hour, in training too: 18 of 24 input rows filled on every run,
    # and --strict failed every cron run. An outage of a, 16 rows, is still a gap.
    t = pd.date_range("2024-01-01", periods=480, freq="h")
    df = pd.DataFrame({"timestamp": t, "a": make_series(n=480)["value"],
                       "b": make_series(n=480, seed=1)["value"]})
    df.loc[df.index % 4 != 0, "b"] = None
    csv, model = tmp_path / "wide.csv", tmp_path / "m"
    df.to_csv(csv, index=False)
    result = runner.invoke(app, ["train", str(csv), "--model", str(model), "--target", "a,b",
                                 *TINY, "--folds", "0", "--quiet"])
    assert result.exit_code == 0, result.output
    result = _predict(model, csv, "--quiet", "--strict")
    assert result.exit_code == 0 and "Warning" not in result.stderr, result.output
    df.loc[460:475, "a"] = None
    df.to_csv(csv, index=False)
    result = _predict(model, csv, "--quiet", "--strict")
    assert result.exit_code == 65, result.output
    assert "input rows of the data, from 2024-01-20T04:00:00+00:00 on, had a filled" in (
        result.stderr)


def test_a_short_file_or_past_outages_do_not_hide_a_stall(tmp_path: Path, trained: Path,
                                                          series_csv: Path) -> None:
    # A file of two windows, its newest one blank: with the window counted in the usual
    # share, it could never be filled twice as often, and --strict let it through.
    df = pd.read_csv(series_csv).tail(48).reset_index(drop=True)
    df.loc[24:, "value"] = None
    df.to_csv(tmp_path / "short.csv", index=False)
    result = _predict(trained, tmp_path / "short.csv", "--quiet", "--strict")
    assert result.exit_code == 65, result.output
    # Two past outages of 6 rows are no habit: a fresh stall of 3 rows is still news.
    df = pd.read_csv(series_csv)
    df.loc[list(range(100, 106)) + list(range(300, 306)) + [477, 478, 479], "value"] = None
    df.to_csv(tmp_path / "stall.csv", index=False)
    result = _predict(trained, tmp_path / "stall.csv", "--quiet")
    assert "Warning: the newest 3 row(s) of the data" in result.stderr, result.output

