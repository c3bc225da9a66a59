"""Errors in a file that predict and detect-anomalies read, whose fix is an option of
train: they say so, rather than offering an option these commands refuse."""

from __future__ import annotations

from pathlib import Path

from conftest import make_series, one_error_line
from typer.testing import CliRunner

from forecaster.cli import app

runner = CliRunner()


def test_predict_on_a_text_cell_says_na_values_is_a_training_choice(trained: Path,
                                                                    tmp_path: Path) -> None:
    # "or read them as missing with --na-values 'n/a?'" sent a cron user to an option
    # predict refuses (exit 2); the markers are the model's, set at training.
    rows = make_series(n=480).astype({"value": object})
    rows.loc[5, "value"] = "n/a?"
    csv = tmp_path / "new.csv"
    rows.to_csv(csv, index=False)
    for command in (["predict"], ["detect-anomalies", "--method", "forecast"]):
        args = [*command, "--model", str(trained), "--data", str(csv)]
        line = one_error_line(runner.invoke(app, args), 65)
        assert "'n/a?' is not a number" in line and "--na-values 'n/a?'" in line
        assert line.endswith("(at training: predict and detect-anomalies use the model's "
                             "choice)")
    assert runner.invoke(app, ["predict", "--model", str(trained),
                               "--na-values", "n/a?"]).exit_code == 2
