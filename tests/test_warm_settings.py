"""Options given at the first ``train`` hold at every nightly ``train --warm-start``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import TINY, train_tiny
from typer.testing import CliRunner

from forecaster.bundle_versions import current_version_dir
from forecaster.cli import app

runner = CliRunner()
KEPT = "flag (kept by --warm-start)"
WITH_ANOMALY = [a for a in TINY if a != "--no-anomaly"] + [
    "--anomaly-window", "24", "--anomaly-segment", "6", "--anomaly-epochs", "2",
    "--anomaly-hidden", "8", "--anomaly-threshold", "std"]


def _meta(model: Path) -> dict:
    return json.loads((current_version_dir(model) / "bundle.json").read_text())


def _warm_start(csv: Path, model: Path, *extra: str) -> None:
    result = runner.invoke(app, ["train", str(csv), "--model", str(model), "--warm-start",
                                 "--quiet", *extra])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(("tiny", "expected"), [
    (TINY, {"anomaly": False}),
    (WITH_ANOMALY, {"anomaly": True, "anomaly_window": 24, "anomaly_epochs": 2,
                    "anomaly_threshold": "std"})], ids=["no-anomaly", "anomaly-options"])
def test_anomaly_options_of_the_first_train_survive_two_warm_starts(
        tmp_path: Path, series_csv: Path, tiny: list[str], expected: dict) -> None:
    # The first warm start recorded them as defaults, and the second then reset them:
    # the anomaly model came back, with the telemanom rule on 64-step windows.
    model = train_tiny(series_csv, tmp_path / "m", tiny=tiny)
    for _ in range(2):
        _warm_start(series_csv, model)
    meta = _meta(model)
    settings, sources = meta["settings"], meta["settings"]["sources"]
    assert {k: settings[k] for k in expected} == expected
    # Each as given at the first train; --anomaly itself only where --no-anomaly was.
    assert {sources[k] for k in expected if k != "anomaly" or not expected[k]} == {KEPT}
    assert ("anomaly" in meta) == expected["anomaly"]


def test_info_names_the_options_kept_by_a_warm_start(tmp_path: Path,
                                                      series_csv: Path) -> None:
    model = train_tiny(series_csv, tmp_path / "m")
    _warm_start(series_csv, model, "--epochs", "2")
    result = runner.invoke(app, ["info", "--model", str(model), "--format", "json"])
    assert result.exit_code == 0, result.output
    sources = json.loads(result.stdout)["sources"]
    assert sources["hidden"] == sources["anomaly"] == KEPT
    assert sources["epochs"] == "flag"  # given again: this run's value and source
    text = runner.invoke(app, ["info", "--model", str(model)], env={"COLUMNS": "400"}).stdout
    assert f"{KEPT}: " in text and "flag: epochs" in " ".join(text.split())


def test_keep_of_the_first_train_holds_at_a_warm_start(tmp_path: Path,
                                                       series_csv: Path) -> None:
    # --keep is the model directory's retention: a nightly warm start without it pruned a
    # bundle trained with --keep 10 back to 3 versions.
    model = train_tiny(series_csv, tmp_path / "m", "--keep", "1")
    _warm_start(series_csv, model)
    assert len(list((model / "versions").iterdir())) == 1
    assert _meta(model)["settings"]["sources"]["keep"] == KEPT
    _warm_start(series_csv, model, "--keep", "3")  # given again, it wins
    assert len(list((model / "versions").iterdir())) == 2


def test_a_warm_start_calibrates_the_anomaly_model_on_every_fold(tmp_path: Path,
                                                                 series_csv: Path) -> None:
    # It calibrated on one held-out block: on the same file, the threshold moved (7.22 to
    # 8.40 on the sample sensor) and a fourth event changed severity.
    model = train_tiny(series_csv, tmp_path / "m", tiny=WITH_ANOMALY)
    fresh = _meta(model)["anomaly"]["threshold"]
    _warm_start(series_csv, model)
    assert _meta(model)["anomaly"]["threshold"] == fresh
