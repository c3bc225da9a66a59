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
    df = pd.read_csv(series_csv)
    df.loc[450:, "value"] = None  # the last 30 of 480 hours empty: a stalled feed
    stale = tmp_path / "stale.csv"
    df.to_csv(stale, index=False)
    result = _predict(trained, stale, "--quiet")
    assert result.exit_code == 0, result.output
    assert result.stderr.count("Warning: ") == 1
    assert ("Warning: the newest 30 row(s) of the data, from 2024-01-19T18:00:00+00:00 on, had "
            "value filled in by --fill interpolate, not observed (24 of the model's 24 input "
            "rows); the forecast starts from filled values: add the missing values, or check the "
            "data feed") in result.stderr
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
