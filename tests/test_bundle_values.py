"""A bundle.json edited by hand, its SHA256SUMS written again: values no train writes.

The checksums then agree, and the schema saw the right kinds: a threshold of 0 or 1e300, a
scale of 1e300 or a target renamed in one place only loaded, and flagged every step, none,
forecast -1e299, or failed inside (exit 70). ``forecast info`` read weights that fit no
network of the config. Each is a damaged bundle: exit 78, one ``Error:`` line naming the
version, the key (with its value) or tensor, and what to do.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from conftest import TINY, make_series, one_error_line
from typer.testing import CliRunner

from forecaster.bundle_versions import current_version_dir
from forecaster.cli import app

runner = CliRunner()
ANOMALY = [a for a in TINY if a != "--no-anomaly"] + [
    "--anomaly-window", "24", "--anomaly-segment", "4", "--anomaly-hidden", "8",
    "--anomaly-latent", "4", "--anomaly-epochs", "1", "--epochs", "1"]
COMMANDS = ["predict", "detect-anomalies", "info"]


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bundle of two versions (so rollback is offered), with an anomaly model."""
    root = tmp_path_factory.mktemp("values")
    make_series(480).to_csv(root / "series.csv", index=False)
    for _ in range(2):
        result = runner.invoke(app, ["train", str(root / "series.csv"), "--model",
                                     str(root / "m"), *ANOMALY])
        assert result.exit_code == 0, result.output
    return root / "m"


def _edited(trained: Path, tmp_path: Path, edit: Callable[[dict], object]) -> Path:
    """A copy of ``trained`` with ``edit`` applied and its sums written again, as
    ``sha256sum bundle.json weights.safetensors > SHA256SUMS`` does."""
    model = Path(shutil.copytree(trained, tmp_path / "m"))
    version = current_version_dir(model)
    meta = json.loads((version / "bundle.json").read_text())
    edit(meta)
    (version / "bundle.json").write_text(json.dumps(meta))
    sums = "".join(f"{hashlib.sha256((version / n).read_bytes()).hexdigest()}  {n}\n"
                   for n in ("bundle.json", "weights.safetensors"))
    (version / "SHA256SUMS").write_text(sums)
    return model


def _at(*path: str | int, value: object) -> Callable[[dict], None]:
    def edit(meta: dict) -> None:
        for key in path[:-1]:
            meta = meta[key]
        meta[path[-1]] = value
    return edit


def _run(command: str, model: Path):
    return runner.invoke(app, [command, "--model", str(model)])


EDITS = {
    # A floor of 0 or below let the dynamic part flag the series' noise; 1e300, nothing.
    "threshold 0": (_at("anomaly", "threshold", "value", value=0),
                    "'anomaly.threshold.value' holds 0, expected a number above 0"),
    "threshold -1": (_at("anomaly", "threshold", "value", value=-1.0),
                     "'anomaly.threshold.value' holds -1.0, expected a number above 0"),
    "threshold 1e300": (_at("anomaly", "threshold", "value", value=1e300),
                        "'anomaly.threshold.value' holds 1e+300, expected a number above 0 "
                        "and at most 1e+39"),
    "a rule's threshold 0": (_at("anomaly", "threshold", "all_rules", "std", value=0.0),
                             "'anomaly.threshold.all_rules.std' holds 0.0"),
    "k -5": (_at("anomaly", "threshold", "k", value=-5),
             "'anomaly.threshold.k' holds -5, expected a number from 0 to 1000"),
    "k 1e300": (_at("anomaly", "threshold", "k", value=1e300), "'anomaly.threshold.k' holds"),
    "q 0.1": (_at("anomaly", "threshold", "q", value=0.1),
              "'anomaly.threshold.q' holds 0.1, expected a number from 0.5 to 0.99999"),
    "method unknown": (_at("anomaly", "method", value="bogus"),
                       "'anomaly.method' holds 'bogus', expected one of reconstruction"),
    # A scale of 1e300 forecast -1e299 with exit 0; 0 named no value.
    "scale 1e300": (_at("scalers", "", "scale", value=[1e300]),
                    "'scalers..scale[0]' holds 1e+300, expected a number above 0"),
    "scale 0": (_at("scalers", "", "scale", value=[0.0]), "'scalers..scale[0]' holds 0.0"),
    "scale -1": (_at("scalers", "", "scale", value=[-1.0]), "'scalers..scale[0]' holds -1.0"),
    "mean 1e300": (_at("scalers", "", "mean", value=[1e300]),
                   "'scalers..mean[0]' holds 1e+300, expected a number from -1e+39 to 1e+39"),
    "min above max": (_at("scalers", "", "min", value=[1e6]),
                      "'scalers..min[0]' holds 1000000.0, above 'scalers..max[0]'"),
    "error scale 0": (_at("anomaly", "normalisation", "scale", value=[0.0]),
                      "'anomaly.normalisation.scale[0]' holds 0.0"),
    "error center -1e300": (_at("anomaly", "normalisation", "center", value=[-1e300]),
                            "'anomaly.normalisation.center[0]' holds -1e+300, expected a "
                            "number from 0"),
    # Renamed in one place: the file was read by one name and scaled by another (exit 70).
    "target empty": (_at("data", "spec", "targets", value=[""]),
                     "'data.spec.targets[0]' holds '' where 'data.targets' gives 'value'"),
    "no target": (_at("data", "targets", value=[]), "'data.targets' holds no name"),
    "column renamed": (_at("data", "columns", value=["x"]),
                       "'data.columns[0]' holds 'x' where 'data.targets then "
                       "data.spec.features' gives 'value'"),
    "anomaly column renamed": (_at("anomaly", "normalisation", "columns", value=["x"]),
                               "'anomaly.normalisation.columns[0]' holds 'x'"),
    "two targets counted": (_at("forecaster", "config", "n_targets", value=2),
                            "'forecaster.config.n_targets' holds 2 for 1 name(s)"),
    # Weights that fit no network of the config: info read them (exit 0).
    "forecaster hidden": (_at("forecaster", "config", "hidden", value=16),
                          "forecaster weights are damaged or do not match its config "
                          "(tensor forecaster.members.0."),
    "anomaly hidden": (_at("anomaly", "config", "hidden", value=16),
                       "anomaly weights are damaged or do not match their config (tensor "
                       "anomaly.net."),
    "members": (_at("forecaster", "members", value=2),
                "do not match its config (no tensor forecaster.members.1."),
    # Refused before a network is built: predict built a million layers first (minutes).
    "a million layers": (_at("forecaster", "config", "layers", value=10**6),
                         "the config asks for 1000000 recurrent layer(s) in all; the weights "
                         "hold"),
}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("case", sorted(EDITS))
def test_a_value_no_train_writes_is_a_damaged_bundle(trained: Path, tmp_path: Path,
                                                     case: str, command: str) -> None:
    edit, needle = EDITS[case]
    model = _edited(trained, tmp_path, edit)
    version = current_version_dir(model)
    result = _run(command, model)
    line = one_error_line(result, 78)
    assert line.startswith(f"Error: {version}: ") and needle in line, line
    assert "retrain with 'forecast train " in line and "forecast rollback" in line, line
    assert result.stdout == ""


def test_the_unedited_copy_loads(trained: Path, tmp_path: Path) -> None:
    # The edits above fail on their value alone: the same copy, untouched, serves each.
    model = _edited(trained, tmp_path, lambda meta: None)
    for command in COMMANDS:
        result = _run(command, model)
        assert result.exit_code in (0, 1), result.output  # 1: anomalies found


def test_rollback_refuses_a_version_with_a_value_no_train_writes(trained: Path,
                                                                 tmp_path: Path) -> None:
    model = Path(shutil.copytree(trained, tmp_path / "m"))
    current = current_version_dir(model)
    older = min(p for p in (model / "versions").iterdir() if p != current)
    meta = json.loads((older / "bundle.json").read_text())
    meta["anomaly"]["threshold"]["value"] = -1.0
    (older / "bundle.json").write_text(json.dumps(meta))
    sums = "".join(f"{hashlib.sha256((older / n).read_bytes()).hexdigest()}  {n}\n"
                   for n in ("bundle.json", "weights.safetensors"))
    (older / "SHA256SUMS").write_text(sums)
    line = one_error_line(runner.invoke(app, ["rollback", "--model", str(model)]), 78)
    assert f"{older}: bundle metadata 'anomaly.threshold.value' holds -1.0" in line, line
    assert current_version_dir(model) == current  # the working version stays in force


def test_a_constant_series_bundle_at_the_edges_loads(tmp_path: Path) -> None:
    # What train writes at the edge of each range: a scale of 1 for a flat channel, the
    # error scale at its floor (0.1), every threshold at its floor (3).
    csv = tmp_path / "flat.csv"
    pd.DataFrame({"timestamp": pd.date_range("2024-01-01", periods=480, freq="h"),
                  "value": 0.0}).to_csv(csv, index=False)
    model = tmp_path / "m"
    result = runner.invoke(app, ["train", str(csv), "--model", str(model), *ANOMALY])
    assert result.exit_code == 0, result.output
    meta = json.loads((current_version_dir(model) / "bundle.json").read_text())
    assert meta["scalers"][""]["scale"] == [1.0]
    assert meta["anomaly"]["normalisation"]["scale"] == [pytest.approx(0.1)]
    assert set(meta["anomaly"]["threshold"]["all_rules"].values()) == {3.0}
    for command in COMMANDS:
        result = _run(command, model)
        assert result.exit_code == 0, result.output
