"""Bundle states that are not damage: no model yet, nothing to roll back to, no anomaly
model; and an automatic anomaly window that fits a short file."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from forecaster.bundle_versions import current_version_dir
from forecaster.cli import app
from forecaster.config import TrainSettings
from forecaster.data.folds import Fold
from forecaster.errors import DataError
from forecaster.pipeline.anomaly_shape import check_early

runner = CliRunner()
FAST = ["--epochs", "2", "--ensemble", "1", "--hidden", "8", "--anomaly-epochs", "2"]


class Recorder:
    """A reporter that keeps its lines."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def note(self, message: str) -> None:
        self.lines.append(message)

    def warn(self, message: str) -> None:
        self.lines.append("Warning: " + message)


def _monthly(tmp_path: Path, n: int) -> Path:
    rng = np.random.default_rng(0)
    path = tmp_path / "monthly.csv"
    pd.DataFrame({"month": pd.date_range("2022-01-01", periods=n, freq="MS"),
                  "sales": 1000 + 50 * np.sin(np.arange(n) / 2) + rng.normal(0, 5, n)}
                 ).to_csv(path, index=False)
    return path


def _no_model_message(model: Path) -> str:
    return (f"Error: {model}: no model bundle here; run 'forecast train DATA.csv --model "
            f"{model}' first, or point --model at one\n")


def test_short_file_shrinks_the_automatic_anomaly_window(tmp_path: Path) -> None:
    # 30 monthly rows: the first fold has 18 steps of past, too few for windows of two
    # 4-step segments; the automatic window takes two 2-step segments instead of failing.
    model = tmp_path / "m"
    result = runner.invoke(app, ["train", str(_monthly(tmp_path, 30)), "-m", str(model), *FAST])
    assert result.exit_code == 0, result.output
    config = json.loads((current_version_dir(model) / "bundle.json").read_text())
    assert (config["anomaly"]["config"]["window"], config["anomaly"]["config"]["segment"]) == (4, 2)
    assert "anomaly window 4 steps, segment 2 (the data is too short for 64)" in result.stderr


def test_a_given_anomaly_window_too_long_is_refused_before_training(tmp_path: Path) -> None:
    model = tmp_path / "m"
    result = runner.invoke(app, ["train", str(_monthly(tmp_path, 30)), "-m", str(model), *FAST,
                                 "--anomaly-window", "8"])
    assert result.exit_code == 65, result.output
    assert result.stderr.splitlines()[-1] == (
        "Error: --anomaly-window 8: the first validation block has 18 steps before it, too "
        "few to train on windows that long; use --anomaly-window 4 or less, fewer --folds, "
        "or --no-anomaly")
    assert "epoch" not in result.stderr and not model.exists()


def test_no_room_for_any_anomaly_window_skips_the_model_with_a_warning() -> None:
    st, report = TrainSettings(), Recorder()
    out = check_early(st, [Fold(0, 13, 14, 16)], 20, report)
    assert not out.anomaly and out.anomaly_window is None
    # It said "13 steps before it, too few for anomaly windows of 4 steps", which read as
    # a contradiction, and with --folds 0 counted a negative number of steps.
    assert report.lines == [
        "Warning: anomaly model skipped: it needs 8 training windows of at least 4 steps and "
        "an early-stopping part before the block its threshold is calibrated on, and only 13 "
        "steps lie before that block; pass --no-anomaly to skip it without this warning, or "
        "give more data or fewer --folds"]
    report.lines.clear()
    assert not check_early(replace(st, folds=0), [], 12, report).anomaly
    assert "only 0 steps lie before that block" in report.lines[0]
    assert report.lines[0].endswith("or give more data")
    roomy = check_early(st, [Fold(0, 200, 210, 260)], 260, report)
    assert (roomy.anomaly, roomy.anomaly_window, roomy.anomaly_segment) == (True, 64, 4)


def test_a_given_anomaly_segment_is_not_shrunk() -> None:
    # Refused, as a given window too long is: skipped, a nightly retrain dropped the model.
    st = TrainSettings(sources={"anomaly_segment": "flag"})
    with pytest.raises(DataError, match=r"^--anomaly-segment 4: an anomaly window holds two "
                       r"segments or more \(8 steps\), and the first calibration block has 18 "
                       r"steps before it, room for windows of 5 at most; give a smaller "
                       r"--anomaly-segment, fewer --folds, or --no-anomaly$"):
        check_early(st, [Fold(0, 18, 21, 24)], 30)
    assert check_early(TrainSettings(), [Fold(0, 18, 21, 24)], 30).anomaly_segment == 2


@pytest.mark.parametrize(("segment", "window"), [(48, 96), (24, 48), (16, 64), (8, 64)])
def test_a_given_segment_gets_a_window_of_whole_segments(segment: int, window: int) -> None:
    # 64 steps held no segment of 48: the anomaly model was skipped on 1,500 rows, with a
    # warning that blamed the data, and detect-anomalies then had no model.
    st = check_early(TrainSettings(anomaly_segment=segment,
                                   sources={"anomaly_segment": "flag"}), [], 1500)
    assert (st.anomaly, st.anomaly_window, st.anomaly_segment) == (True, window, segment)


def test_train_with_a_long_segment_keeps_its_anomaly_model(tmp_path: Path,
                                                           series_csv: Path) -> None:
    result = runner.invoke(app, ["train", str(series_csv), "-m", str(tmp_path / "m"), *FAST,
                                 "--anomaly-segment", "48"])
    assert result.exit_code == 0, result.output
    assert "anomaly window 96 steps, segment 48 (whole segments of --anomaly-segment 48)" \
        in result.stderr
    config = json.loads((current_version_dir(tmp_path / "m") / "bundle.json").read_text())
    assert (config["anomaly"]["config"]["window"], config["anomaly"]["config"]["segment"]) \
        == (96, 48)


@pytest.mark.parametrize("leftover", ["nothing", "lock", "interrupted first write"])
@pytest.mark.parametrize("command", ["predict", "info", "detect-anomalies", "rollback"])
def test_a_directory_without_any_version_reads_as_no_model_yet(tmp_path: Path, leftover: str,
                                                                command: str) -> None:
    model = tmp_path / "m"
    model.mkdir()
    if leftover != "nothing":
        (model / ".lock").write_text("123\n")
    if leftover == "interrupted first write":
        (model / "versions" / ".incoming-abc").mkdir(parents=True)
    result = runner.invoke(app, [command, "--model", str(model)])
    assert result.exit_code == 66, result.output
    assert result.stderr == _no_model_message(model)


def test_nothing_to_roll_back_to_is_a_usage_error_that_says_to_train(trained: Path,
                                                                    series_csv: Path) -> None:
    # Exit 2 as for detect-anomalies without an anomaly model: a request the bundle cannot
    # serve, not damage (78). The line says the current version stays and what to run.
    current = (trained / "CURRENT").read_text().strip()
    result = runner.invoke(app, ["rollback", "--model", str(trained)])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(
        f"Error: {trained}: no version older than {current} is kept, so there is nothing to "
        f"roll back to and {current} stays current; rollback undoes a retrain: to replace "
        f"this model, run 'forecast train {series_csv} ")
    assert result.stderr.endswith(
        f" --model {trained}' (it keeps the last --keep versions to roll back to)\n")
    assert len(result.stderr.splitlines()) == 1
    assert (trained / "CURRENT").read_text().strip() == current


def test_detecting_with_a_bundle_without_anomaly_model_is_a_usage_error(trained: Path) -> None:
    result = runner.invoke(app, ["detect-anomalies", "--model", str(trained)])
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines()[-1].startswith("Error: ")
    assert "--no-anomaly" in result.stderr and "--method forecast" in result.stderr



def test_warm_start_settles_the_automatic_anomaly_window_again(tmp_path: Path) -> None:
    # Shrunk to 4 steps for 30 months; the anomaly model is refit from scratch on a warm
    # start, so the grown file gets the window it has room for, not the old one.
    model = tmp_path / "m"
    result = runner.invoke(app, ["train", str(_monthly(tmp_path, 30)), "-m", str(model), *FAST])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["train", str(_monthly(tmp_path, 120)), "-m", str(model),
                                 "--warm-start"])
    assert result.exit_code == 0, result.output
    config = json.loads((current_version_dir(model) / "bundle.json").read_text())
    assert config["anomaly"]["config"]["window"] > 4


def test_a_given_window_that_fits_only_across_several_series_still_trains(
        tmp_path: Path) -> None:
    # Three stores of 30 months: one store's past is too short for windows of 8, the
    # three together are not (fold_data counts them all).
    one = pd.read_csv(_monthly(tmp_path, 30))
    path = tmp_path / "stores.csv"
    pd.concat([one.assign(store=k) for k in "ABC"]).to_csv(path, index=False)
    result = runner.invoke(app, ["train", str(path), "-m", str(tmp_path / "m"), *FAST,
                                 "--series-col", "store", "--anomaly-window", "8"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("command", ["predict", "info", "detect-anomalies", "train"])
def test_a_plain_file_given_as_the_model_is_named_as_such(tmp_path: Path, series_csv: Path,
                                                         command: str) -> None:
    plain = tmp_path / "model.txt"
    plain.write_text("not a bundle\n")
    args = [command, "--model", str(plain)]
    if command == "train":
        args += [str(series_csv), "--epochs", "1", "--no-anomaly"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == (73 if command == "train" else 66), result.output
    assert result.stderr.startswith(f"Error: {plain}: is a file, not a model")
    assert plain.read_text() == "not a bundle\n"
