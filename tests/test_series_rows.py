"""Series with too few rows for their grid: a series column that splits the file into
one-row series, a predict file of two rows, and a series sparser than the model's grid,
read by commands that take no --freq or --resample; and a series with no value at all."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import TINY, make_series, one_error_line, train_tiny
from typer.testing import CliRunner

from forecaster.cli import app

runner = CliRunner()


def test_series_col_of_row_ids_names_the_series_column(tmp_path: Path) -> None:
    # Every row its own series: "only 1 timestamp(s) ... (or give --freq)" sent the user
    # to --freq, after which the file still had one-row series.
    csv = tmp_path / "ids.csv"
    make_series(n=200).assign(id=range(200)).to_csv(csv, index=False)
    result = runner.invoke(app, ["train", str(csv), "--series-col", "id", "--target", "value",
                                 "--model", str(tmp_path / "m"), *TINY])
    line = one_error_line(result, 65)
    assert "200 series by column(s) id, none with more than 1 row(s)" in line
    assert "--series-col names a reading or a row id" in line and "--freq" not in line
    assert not (tmp_path / "m").exists()


@pytest.mark.parametrize("step", [["--freq", "h"], ["--resample", "2h"]])
def test_series_col_of_readings_is_named_with_a_step_given(tmp_path: Path,
                                                           step: list[str]) -> None:
    # With --freq (or --resample) the one-row series were only "1 row per series at most,
    # need at least 50": nothing said the series column was a reading.
    csv = tmp_path / "two.csv"
    make_series(n=200).assign(temp=lambda d: 2 * d["value"]).to_csv(csv, index=False)
    result = runner.invoke(app, ["train", str(csv), "--series-col", "value", "--target", "temp",
                                 *step, "--model", str(tmp_path / "m"), *TINY])
    line = one_error_line(result, 65)
    assert "200 series by column(s) value, none with more than 1 row(s), too few to " \
           "forecast" in line
    assert "--series-col names a reading or a row id" in line


def test_predict_on_two_rows_does_not_offer_freq(trained: Path, tmp_path: Path) -> None:
    # predict has no --freq option: the advice named one it would refuse.
    csv = tmp_path / "two.csv"
    make_series(n=2, start="2024-01-21").to_csv(csv, index=False)
    line = one_error_line(runner.invoke(app, ["predict", "--model", str(trained),
                                              "--data", str(csv)]), 65)
    assert "only 2 timestamp(s); need at least 3 to infer the frequency: give more rows" in line
    assert "or give --freq" not in line
    assert runner.invoke(app, ["predict", "--model", str(trained), "--freq", "h"]).exit_code == 2



@pytest.mark.parametrize(("every", "rows", "steps", "bins"), [(2, 240, 479, "2h"),
                                                            (3, 160, 478, "3h")])
def test_predict_on_a_sparser_series_advises_train_and_the_finest_bin(
        tmp_path: Path, every: int, rows: int, steps: int, bins: str) -> None:
    # Store B's feed now writes every other (or third) hour: the error said "give the
    # right --freq, or ... --resample", options predict and detect-anomalies refuse; then
    # it advised --resample D, a model of daily steps where bins of 2 or 3 hours fit.
    both = [make_series(n=480, seed=i).assign(store=s) for i, s in enumerate("AB")]
    csv = tmp_path / "stores.csv"
    pd.concat(both).to_csv(csv, index=False)
    model = train_tiny(csv, tmp_path / "m", "--series-col", "store")
    sparse = tmp_path / "sparse.csv"
    pd.concat([both[0], both[1].iloc[::every]]).to_csv(sparse, index=False)
    for command in (["predict"], ["detect-anomalies", "--method", "forecast"]):
        args = [*command, "--model", str(model), "--data", str(sparse)]
        line = one_error_line(runner.invoke(app, args), 65)
        assert f"(series 'B'): only {rows} of {steps} steps on the 'h' grid have a row" in line
        assert f"(e.g. --resample {bins}) when you retrain ('forecast train " in line


def test_a_series_with_no_value_says_how_to_keep_the_others(tmp_path: Path) -> None:
    # Store B's sensor dead for the whole file: "has no values in series 'B'; expected
    # numbers" said nothing of what to do, and the run fails for every series.
    b = make_series(n=480, seed=1).assign(store="B", value=float("nan"))
    csv = tmp_path / "dead.csv"
    pd.concat([make_series(n=480).assign(store="A"), b]).to_csv(csv, index=False)
    result = runner.invoke(app, ["train", str(csv), "--series-col", "store",
                                 "--model", str(tmp_path / "m"), *TINY])
    line = one_error_line(result, 65)
    assert "column 'value' has no values in series 'B' (every cell empty or a missing-value " \
           "marker); expected at least one number" in line
    assert line.endswith("or leave that series' rows out of the file")
