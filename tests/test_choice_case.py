"""The values of choice options are read whatever their case, as --format's are: the LSTM
literature writes `LSTM` and `GRU`, and `--cell LSTM` was refused ("expected one of gru,
lstm"). The value is stored as the choice it names, in lower case."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import TINY, one_error_line
from typer.testing import CliRunner

from forecaster.bundle_versions import current_version_dir
from forecaster.cli import app

runner = CliRunner()


def _settings(model: Path) -> dict:
    meta = json.loads((current_version_dir(model) / "bundle.json").read_text())
    return {**meta["settings"], **meta["data"]["spec"]}


def test_train_choices_in_capitals_are_stored_as_named(tmp_path: Path,
                                                       series_csv: Path) -> None:
    model = tmp_path / "m"
    result = runner.invoke(app, [
        "--log-format", "JSON", "train", str(series_csv), "--model", str(model), *TINY,
        "--cell", "LSTM", "--fill", "Interpolate", "--window-kind", "Expanding",
        "--anomaly-threshold", "STD", "--anomaly-combine", "Mean"])
    assert result.exit_code == 0, result.output
    got = _settings(model)
    assert (got["cell"], got["fill"], got["window_kind"], got["anomaly_threshold"],
            got["anomaly_combine"]) == ("lstm", "interpolate", "expanding", "std", "mean")
    assert json.loads(result.stderr.splitlines()[-1])  # the JSON log was taken


def test_detect_choices_in_capitals_are_taken(trained: Path) -> None:
    result = runner.invoke(app, ["detect-anomalies", "--model", str(trained), "--method",
                                 "Forecast", "--threshold", "Quantile", "--exit-zero"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("series,timestamp")


def test_a_choice_in_capitals_in_forecast_toml_is_taken(tmp_path: Path, series_csv: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "forecast.toml").write_text('[train]\ncell = "GRU"\n')
    result = runner.invoke(app, ["train", str(series_csv), "--model", "m", *TINY])
    assert result.exit_code == 0, result.output
    assert _settings(tmp_path / "m")["cell"] == "gru"


def test_a_value_that_is_no_choice_is_named_as_typed(tmp_path: Path,
                                                     series_csv: Path) -> None:
    result = runner.invoke(app, ["train", str(series_csv), "--model", str(tmp_path / "m"),
                                 *TINY, "--cell", "Transformer"])
    assert one_error_line(result, 2) == ("Error: --cell Transformer: expected one of gru, "
                                         "lstm")
