"""Fault suite (issue 5): damaged or hostile bundles, the committed v1 bundle, output safety.

Every damaged bundle must end in exit 78 with one ``Error:`` line and no traceback;
nothing in a bundle may ever be unpickled or followed outside the bundle. Extra
files that the loader does not know of are ignored (documented in forecaster/bundle.py),
so a later release can add some without breaking older readers.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import struct
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
import torch
from safetensors.torch import load_file, save_file
from typer.testing import CliRunner

from forecaster.bundle import load_bundle
from forecaster.bundle_json import MAX_JSON_BYTES
from forecaster.bundle_versions import current_version_dir
from forecaster.cli import app

runner = CliRunner()
FIXTURES = Path(__file__).resolve().parent / "fixtures"
BUNDLE_V1 = FIXTURES / "bundle_v1"
TINY_CSV = FIXTURES / "tiny.csv"
COLUMNS = ["series", "timestamp", "target", "forecast", "lower", "upper"]


@pytest.fixture
def model(tmp_path: Path) -> Path:
    """A private copy of the committed bundle, free to damage."""
    dest = tmp_path / "m"
    shutil.copytree(BUNDLE_V1, dest)
    return dest


def _predict(model: Path, *extra: str):
    return runner.invoke(app, ["predict", "--model", str(model), "--data", str(TINY_CSV),
                               *extra])


def _one_error_line(result, code: int) -> str:
    assert result.exit_code == code, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # not a crash
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return lines[0]


# --- the committed bundle of format version 1 -------------------------------------------


def test_committed_v1_bundle_loads_and_predicts() -> None:
    version = current_version_dir(BUNDLE_V1)
    meta = json.loads((version / "bundle.json").read_text())
    assert meta["format"] == "forecaster-bundle" and meta["format_version"] == 1
    assert sum(p.stat().st_size for p in BUNDLE_V1.rglob("*") if p.is_file()) < 50_000
    bundle = load_bundle(BUNDLE_V1)
    assert any(k.startswith("forecaster.") for k in bundle.tensors)
    result = _predict(BUNDLE_V1)
    assert result.exit_code == 0, result.output
    out = pd.read_csv(io.StringIO(result.stdout))
    assert list(out.columns) == COLUMNS and len(out) == meta["forecaster"]["config"]["horizon"]
    # Later releases must read it the same way: same steps, same numbers (to float noise).
    expected = pd.read_csv(FIXTURES / "bundle_v1_predict.csv")
    assert out["timestamp"].tolist() == expected["timestamp"].tolist()
    for col in ("forecast", "lower", "upper"):  # its unscaled intervals are still read as such
        pd.testing.assert_series_equal(out[col], expected[col], rtol=1e-4)
    assert not list(BUNDLE_V1.rglob(".*")), "reading the fixture wrote into it"


def test_a_bundle_of_pandas_before_2_2_still_loads(tmp_path: Path) -> None:
    # pandas 2.1 (Ubuntu 24.04's) recorded hourly data as "H", which pandas 3 refuses: the
    # bundle read as damaged after an upgrade, and every cron job failed with exit 78.
    model = tmp_path / "old"
    shutil.copytree(BUNDLE_V1, model)
    path = _version(model) / "bundle.json"
    meta = json.loads(path.read_text())
    assert meta["data"]["freq"] == "h"
    meta["data"]["freq"] = "H"
    path.write_text(json.dumps(meta))
    result = _predict(model)
    assert result.exit_code == 0, result.output
    expected = pd.read_csv(FIXTURES / "bundle_v1_predict.csv")
    assert pd.read_csv(io.StringIO(result.stdout))["timestamp"].tolist() == (
        expected["timestamp"].tolist())


def test_committed_v1_bundle_detects() -> None:
    result = runner.invoke(app, ["detect-anomalies", "--model", str(BUNDLE_V1), "--data",
                                 str(TINY_CSV), "--quiet"])
    assert result.exit_code in (0, 1), result.output
    table = pd.read_csv(io.StringIO(result.stdout))
    assert len(table) == len(pd.read_csv(TINY_CSV)) and "is_anomaly" in table.columns


# --- damaged and hostile bundles ---------------------------------------------------------


def _version(m: Path) -> Path:
    return current_version_dir(m)


def _edit_meta(m: Path, change: Callable[[dict], object]) -> None:
    """Apply ``change`` to the metadata in place (its return value is ignored)."""
    path = _version(m) / "bundle.json"
    meta = json.loads(path.read_text())
    change(meta)
    path.write_text(json.dumps(meta))


def _meta_as_list(m: Path) -> None:
    path = _version(m) / "bundle.json"
    path.write_text(json.dumps([json.loads(path.read_text())]))


def _edit_weights(m: Path, change: Callable[[dict], None]) -> None:
    path = _version(m) / "weights.safetensors"
    tensors = {k: v.clone() for k, v in load_file(str(path)).items()}  # not the mapped file
    change(tensors)
    save_file(tensors, str(path))


def _head_weight(tensors: dict) -> str:
    return next(k for k in tensors if k.startswith("forecaster.") and k.endswith("head.weight"))


def _reshape(t: dict) -> None:
    k = _head_weight(t)
    t[k] = torch.zeros(t[k].shape[0] + 1, t[k].shape[1])


def _retype(dtype: torch.dtype) -> Callable[[dict], None]:
    def change(t: dict) -> None:
        k = _head_weight(t)
        t[k] = t[k].to(dtype)
    return change


def _nan(t: dict) -> None:
    t[_head_weight(t)][0] = float("nan")


def _drop(t: dict) -> None:
    del t[_head_weight(t)]


def _header_length(n: int) -> Callable[[Path], None]:
    return lambda m: (_version(m) / "weights.safetensors").write_bytes(
        struct.pack("<Q", n) + b'{"a":1}' + b" " * 64)


def _set_current(text: Callable[[Path], str]) -> Callable[[Path], None]:
    return lambda m: (m / "CURRENT").write_text(text(m))


def _symlink_out(rel: str) -> Callable[[Path], None]:
    """Move ``rel`` (relative to the version dir, '.' for the dir) outside and link to it."""
    def damage(m: Path) -> None:
        src = _version(m) / rel if rel != "." else _version(m)
        outside = m.parent / f"outside-{src.name}"
        shutil.move(str(src), str(outside))
        src.symlink_to(outside)
    return damage


def _versions_symlink(m: Path) -> None:
    outside = m.parent / "outside-versions"
    shutil.move(str(m / "versions"), str(outside))
    (m / "versions").symlink_to(outside)


def _current_symlink(m: Path) -> None:
    outside = m.parent / "outside-CURRENT"
    shutil.move(str(m / "CURRENT"), str(outside))
    (m / "CURRENT").symlink_to(outside)


def _huge_json(m: Path) -> None:
    with open(_version(m) / "bundle.json", "r+b") as fh:  # sparse: no 16 MB on disk
        fh.truncate(MAX_JSON_BYTES + 1)


CASES = {
    "header length 2**40": (_header_length(2**40), "header length 1099511627776"),
    "header longer than the file": (_header_length(5000), "header length 5000"),
    "weights of 3 bytes": (lambda m: (_version(m) / "weights.safetensors").write_bytes(b"abc"),
                           "header length missing"),
    "tensor of another shape": (lambda m: _edit_weights(m, _reshape), "do not match"),
    "float64 tensor": (lambda m: _edit_weights(m, _retype(torch.float64)), "float32 only"),
    "int64 tensor": (lambda m: _edit_weights(m, _retype(torch.int64)), "float32 only"),
    "float16 tensor": (lambda m: _edit_weights(m, _retype(torch.float16)), "float32 only"),
    "missing tensor": (lambda m: _edit_weights(m, _drop), "do not match"),
    "NaN weights": (lambda m: _edit_weights(m, _nan), "holds NaN or infinite values"),
    "window no whole number of segments": (
        lambda m: _edit_meta(m, lambda d: d["forecaster"]["config"].update(
            window=d["forecaster"]["config"]["window"] + 1)), "no whole number of segments"),
    # Checked by DataSpec when the layout is read back: a damaged bundle, not a usage error.
    "na_values a string": (lambda m: _edit_meta(m, lambda d: d["data"]["spec"].update(
        na_values="-200")), "'data.spec': na_values '-200': expected a list of strings"),
    "aggregate unknown": (lambda m: _edit_meta(m, lambda d: d["data"]["spec"].update(
        aggregate="median")), "'data.spec.aggregate' holds 'median'"),
    "metrics null": (lambda m: _edit_meta(m, lambda d: d.update(metrics=None)),
                     "'metrics' holds null"),
    "format version 3": (lambda m: _edit_meta(m, lambda d: d.update(format_version=3)),
                         "format version 3,"),
    "format version as a string": (
        lambda m: _edit_meta(m, lambda d: d.update(format_version="1")), "format version '1'"),
    "format missing": (lambda m: _edit_meta(m, lambda d: d.pop("format")),
                       "not a forecaster bundle"),
    "bundle.json a list": (_meta_as_list, "expected a JSON object"),
    "bundle.json over the limit": (_huge_json, "over the"),
    "CURRENT with ..": (_set_current(lambda m: f"../{_version(m).name}\n"),
                        "not a bundle version"),
    "CURRENT absolute": (_set_current(lambda m: f"{_version(m).resolve()}\n"),
                         "not a bundle version"),
    "CURRENT empty": (_set_current(lambda m: ""), "names ''"),
    "CURRENT a symlink": (_current_symlink, "symbolic link"),
    "version dir a symlink": (_symlink_out("."), "symbolic link"),
    "versions dir a symlink": (_versions_symlink, "symbolic link"),
    "bundle.json a symlink": (_symlink_out("bundle.json"), "symbolic link"),
    "weights a symlink": (_symlink_out("weights.safetensors"), "symbolic link"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_damaged_bundle_exit_78_one_line(model: Path, case: str) -> None:
    damage, needle = CASES[case]
    good = _predict(model)
    assert good.exit_code == 0, good.output  # the copy is good before the damage
    damage(model)
    line = _one_error_line(_predict(model), 78)
    assert needle in line, line


def test_missing_out_of_fold_scores_are_a_damaged_bundle(model: Path) -> None:
    _edit_weights(model, lambda t: t.pop("anomaly.oof_scores"))
    result = runner.invoke(app, ["detect-anomalies", "--model", str(model), "--data",
                                 str(TINY_CSV)])
    assert "out-of-fold scores are missing" in _one_error_line(result, 78)


class _Evil:
    """Unpickling this creates a directory: proof that something was unpickled."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.mkdir, (str(self.marker),))


def test_pickle_weights_refused_never_unpickled(model: Path, tmp_path: Path) -> None:
    marker = tmp_path / "UNPICKLED"
    weights = _version(model) / "weights.safetensors"
    good = {k: v.clone() for k, v in load_file(str(weights)).items()}
    torch.save({**good, "payload": _Evil(marker)}, weights)
    assert not marker.exists()
    proc = subprocess.run([sys.executable, "-m", "forecaster", "predict", "--model", str(model),
                           "--data", str(TINY_CSV)], capture_output=True, text=True,
                          env={**os.environ, "OMP_NUM_THREADS": "1"}, timeout=120)
    assert proc.returncode == 78, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "safetensors" in lines[0]
    assert proc.stdout == ""
    assert not marker.exists(), "the pickle payload was executed"
    # The payload is live, so the check above can fail: unpickling it makes the marker.
    torch.load(io.BytesIO(weights.read_bytes()), weights_only=False)
    assert marker.exists()


def test_unknown_extra_files_are_ignored(model: Path) -> None:
    before = _predict(model)
    assert before.exit_code == 0, before.output
    (model / "NOTES.txt").write_text("hello")
    (_version(model) / "extra.bin").write_bytes(b"\x00" * 10)
    (model / "versions" / "README").write_text("not a version")
    after = _predict(model)
    assert after.exit_code == 0, after.output
    assert after.stdout == before.stdout


# --- output safety ------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["out.csv", "versions/out.csv", "../m/sub/../out.csv"])
def test_output_into_model_dir_refused(model: Path, where: str) -> None:
    before = sorted(p.relative_to(model) for p in model.rglob("*"))
    _one_error_line(_predict(model, "--output", str(model / where)), 73)
    assert sorted(p.relative_to(model) for p in model.rglob("*")) == before


def test_output_over_a_bundle_file_refused(model: Path) -> None:
    target = _version(model) / "bundle.json"
    before = target.read_bytes()
    line = _one_error_line(_predict(model, "--output", str(target)), 73)
    assert "model directory" in line
    assert target.read_bytes() == before
    assert load_bundle(model).meta["format_version"] == 1


@pytest.mark.parametrize("command", ["predict", "detect-anomalies"])
def test_output_over_recorded_training_file_refused(model: Path, tmp_path: Path,
                                                    command: str) -> None:
    # Without --data, these read the CSV recorded at training: never write over it.
    data = tmp_path / "train.csv"
    shutil.copy(TINY_CSV, data)
    _edit_meta(model, lambda d: d["data"].update(path=str(data)))
    before = data.read_bytes()
    ok = runner.invoke(app, [command, "--model", str(model), "--quiet"])
    assert ok.exit_code in (0, 1) and ok.stdout, ok.output  # it does read that file
    result = runner.invoke(app, [command, "--model", str(model), "--output", str(data)])
    line = _one_error_line(result, 73)
    assert "input file" in line
    assert data.read_bytes() == before


def _listing(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def test_output_into_missing_directory_leaves_nothing(model: Path, tmp_path: Path) -> None:
    before = _listing(tmp_path)
    line = _one_error_line(_predict(model, "--output", str(tmp_path / "nodir" / "p.csv")), 73)
    assert "nodir" in line
    assert _listing(tmp_path) == before


def test_output_onto_a_directory_leaves_no_temp_file(model: Path, tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    before = _listing(tmp_path)
    _one_error_line(_predict(model, "--output", str(target)), 73)
    assert _listing(tmp_path) == before  # the temp file written beside it was removed


def test_a_damaged_bundle_with_an_older_version_names_rollback(trained: Path,
                                                               series_csv: Path) -> None:
    from conftest import train_tiny

    train_tiny(series_csv, trained)  # a second version: the first is kept
    (_version(trained) / "bundle.json").write_text("{ truncated")
    line = _one_error_line(_predict(trained), 78)
    assert line.endswith(f"; or go back to the version before with 'forecast rollback "
                         f"--model {trained}'")
    res = runner.invoke(app, ["rollback", "--model", str(trained)])
    assert res.exit_code == 0, res.output
    res = _predict(trained)
    assert res.exit_code == 0, res.output


@pytest.mark.parametrize("command", ["predict", "info", "rollback"])
def test_a_missing_current_is_damage_for_every_command(model: Path, command: str) -> None:
    # rollback said "no model bundle here" (66) where predict and info say damaged (78).
    (model / "CURRENT").unlink()
    line = _one_error_line(runner.invoke(app, [command, "--model", str(model)]), 78)
    # Its version is kept: the line names it, and how to make it current again.
    assert ": no CURRENT file, which names the version in use; 1 version kept" in line, line
