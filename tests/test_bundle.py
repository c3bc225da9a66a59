"""The model bundle: safe, atomic, and refused clearly when damaged."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import torch
from conftest import TINY, train_tiny
from typer.testing import CliRunner

from forecaster import bundle as bundle_mod
from forecaster.bundle import load_bundle
from forecaster.cli import app
from forecaster.pipeline.predicting import load_forecaster

runner = CliRunner()


def _predict(model: Path) -> str:
    result = runner.invoke(app, ["predict", "--model", str(model)])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_save_load_gives_identical_forecasts(trained: Path) -> None:
    assert _predict(trained) == _predict(trained)
    b = load_bundle(trained)
    net = load_forecaster(b)
    x = torch.randn(3, net.cfg.window, net.cfg.n_channels + 1)
    again = load_forecaster(load_bundle(trained))
    torch.testing.assert_close(net(x), again(x), rtol=0, atol=0)


def test_bundle_holds_no_pickle_and_plain_json(trained: Path) -> None:
    version = bundle_mod.current_version_dir(trained)
    assert sorted(p.name for p in version.iterdir()) == ["SHA256SUMS", "bundle.json",
                                                         "weights.safetensors"]
    meta = json.loads((version / "bundle.json").read_text())
    # Version 1 while nothing in it needs more: older releases still read it.
    assert meta["format_version"] == 1
    assert meta["data"]["sha256"] and meta["data"]["freq"] == "h"
    assert isinstance(meta["scalers"][""]["mean"][0], float)
    assert len(meta["metrics"]["folds"]) == 2
    assert b"pickle" not in (version / "weights.safetensors").read_bytes()[:200]


def test_interrupted_train_leaves_old_bundle(trained: Path, series_csv: Path,
                                             monkeypatch) -> None:
    before = _predict(trained)
    current = (trained / "CURRENT").read_text()

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(bundle_mod, "_write_json", boom)
    result = runner.invoke(app, ["train", str(series_csv), "--model", str(trained), *TINY,
                                 "--seed", "5"])
    assert result.exit_code == 130
    # train prints no rows: it was told "rows printed so far are incomplete".
    assert result.stderr.splitlines()[-1] == (
        "Error: interrupted; no model or output file was changed")
    monkeypatch.undo()
    assert (trained / "CURRENT").read_text() == current
    assert _predict(trained) == before


def test_retrain_replaces_and_keeps_versions(trained: Path, series_csv: Path) -> None:
    for seed in ("1", "2", "3"):
        result = runner.invoke(app, ["train", str(series_csv), "--model", str(trained), *TINY,
                                     "--seed", seed, "--keep", "2"])
        assert result.exit_code == 0, result.output
    assert len(list((trained / "versions").iterdir())) == 2


def _corrupt_version(model: Path, name: str, data: bytes) -> None:
    (bundle_mod.current_version_dir(model) / name).write_bytes(data)


@pytest.mark.parametrize("damage, needle", [
    (lambda m: _corrupt_version(m, "weights.safetensors", b"\x00" * 64), "weights"),
    (lambda m: _corrupt_version(m, "bundle.json", b"{not json"), "not valid JSON"),
    (lambda m: (m / "CURRENT").write_text("../../etc\n"), "not a bundle version"),
    (lambda m: (m / "CURRENT").unlink(), "no CURRENT"),
])
def test_damaged_bundle_is_refused(trained: Path, damage, needle: str) -> None:
    damage(trained)
    result = runner.invoke(app, ["predict", "--model", str(trained)])
    assert result.exit_code == 78, result.output
    assert result.stderr.startswith("Error: ") and needle in result.stderr
    assert "Traceback" not in result.output


def _edit_meta(model: Path, edit) -> None:
    path = bundle_mod.current_version_dir(model) / "bundle.json"
    meta = json.loads(path.read_text())
    edit(meta)
    path.write_text(json.dumps(meta))


@pytest.mark.parametrize("edit, needle", [
    (lambda m: m["data"].pop("freq"), "lacks 'data.freq'"),
    (lambda m: m["data"].update(freq="fortnightly"), "'data.freq' holds 'fortnightly'"),
    (lambda m: m["data"]["spec"].update(targets=5), "'data.spec.targets' holds 5, not a list"),
    (lambda m: m.update(forecaster=[]), "'forecaster' holds a list, not an object"),
    (lambda m: m.update(anomaly={"threshold": {"value": "high"}}), "lacks 'anomaly.config'"),
    (lambda m: m["forecaster"].update(nonnegative=None), "'forecaster.nonnegative' holds"),
])
@pytest.mark.parametrize("command", ["predict", "info", "detect-anomalies"])
def test_a_hand_damaged_bundle_json_is_a_damaged_bundle(trained: Path, edit, needle: str,
                                                        command: str) -> None:
    # Valid JSON of the wrong shape was an internal error (exit 70) deep in a command.
    _edit_meta(trained, edit)
    result = runner.invoke(app, [command, "--model", str(trained)])
    assert result.exit_code == 78, result.output
    assert result.stderr.startswith("Error: ") and needle in result.stderr


def test_wrong_format_version_is_refused(trained: Path) -> None:
    path = bundle_mod.current_version_dir(trained) / "bundle.json"
    meta = json.loads(path.read_text())
    meta["format_version"] = 999
    path.write_text(json.dumps(meta))
    result = runner.invoke(app, ["predict", "--model", str(trained)])
    assert result.exit_code == 78
    assert "format version 999" in result.stderr


def test_mismatched_weights_are_refused(trained: Path) -> None:
    path = bundle_mod.current_version_dir(trained) / "bundle.json"
    meta = json.loads(path.read_text())
    meta["forecaster"]["config"]["hidden"] = 99
    del meta["checksums"]  # as a bundle from before the checksums
    path.write_text(json.dumps(meta))
    (path.parent / "SHA256SUMS").unlink()
    result = runner.invoke(app, ["predict", "--model", str(trained)])
    assert result.exit_code == 78
    assert "do not match" in result.stderr


def test_deleted_checksums_are_a_damaged_bundle(trained: Path) -> None:
    # With SHA256SUMS gone, a version passed for one written before checksums: an edited
    # threshold of -5 then flagged every step, with every check switched off.
    version = bundle_mod.current_version_dir(trained)
    (version / "SHA256SUMS").unlink()
    result = runner.invoke(app, ["predict", "--model", str(trained)])
    assert result.exit_code == 78, result.output
    assert result.stderr.startswith(f"Error: {version / 'SHA256SUMS'}: missing, though "
                                    "bundle.json says the version was written with checksums")


@pytest.mark.parametrize("command, edit", [
    # Each loaded cleanly: a wrong forecast, wrong bounds, alerting off; all with exit 0.
    ("predict", lambda m: m["forecaster"]["config"].update(norm="revin")),
    ("predict", lambda m: m["scalers"][""].update(scale=[m["scalers"][""]["scale"][0] * 5])),
    ("detect-anomalies", lambda m: m["anomaly"]["threshold"].update(value=1e9)),
])
def test_a_value_changed_by_hand_is_a_damaged_bundle(tmp_path: Path, series_csv: Path,
                                                     command: str, edit) -> None:
    model = tmp_path / "m"
    tiny = [a for a in TINY if a != "--no-anomaly"] + ["--anomaly-epochs", "2"]
    result = runner.invoke(app, ["train", str(series_csv), "--model", str(model), *tiny])
    assert result.exit_code == 0, result.output
    _edit_meta(model, edit)
    result = runner.invoke(app, [command, "--model", str(model)])
    assert result.exit_code == 78, result.output
    assert result.stderr.startswith("Error: ") and "changed since training" in result.stderr
    assert result.stdout == ""


def test_the_checksums_are_sha256sum_s(trained: Path) -> None:
    import hashlib

    version = bundle_mod.current_version_dir(trained)
    lines = (version / "SHA256SUMS").read_text().splitlines()
    for line in lines:
        digest, name = line.split("  ")
        assert hashlib.sha256((version / name).read_bytes()).hexdigest() == digest
    assert len(lines) == 2


def test_symlinked_weights_are_refused(trained: Path, tmp_path: Path) -> None:
    version = bundle_mod.current_version_dir(trained)
    outside = tmp_path / "elsewhere.safetensors"
    (version / "weights.safetensors").rename(outside)
    (version / "weights.safetensors").symlink_to(outside)
    result = runner.invoke(app, ["predict", "--model", str(trained)])
    assert result.exit_code == 78
    assert "symbolic link" in result.stderr


def test_per_step_model_round_trips(tmp_path: Path, series_csv: Path) -> None:
    model = tmp_path / "m1"
    args = list(TINY)
    args[args.index("--segment") + 1] = "1"
    result = runner.invoke(app, ["train", str(series_csv), "--model", str(model), *args])
    assert result.exit_code == 0, result.output
    net = load_forecaster(load_bundle(model))
    assert net.cfg.segment == 1 and not net.cfg.embed
    assert _predict(model) == _predict(model)


def test_a_saved_version_is_readable_as_the_umask_allows(tmp_path: Path) -> None:
    import os

    from forecaster.bundle import Bundle, save_bundle

    old = os.umask(0o022)
    try:
        version = save_bundle(tmp_path / "m", Bundle(meta={"x": 1}, tensors={}))
    finally:
        os.umask(old)
    assert version.stat().st_mode & 0o777 == 0o755  # not mkdtemp's 0700
    assert (tmp_path / "m" / "CURRENT").stat().st_mode & 0o777 == 0o644
    # safetensors' own 0600 kept other accounts (a cron user) from the weights alone.
    for name in ("weights.safetensors", "bundle.json", "SHA256SUMS"):
        assert (version / name).stat().st_mode & 0o777 == 0o644, name


def test_every_file_of_a_version_reaches_the_disk_before_it_is_named(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The weights too: safetensors writes them itself, and a crash after CURRENT named the
    version left weights that never reached the disk (the JSON files were fsynced)."""
    from forecaster.bundle import Bundle, save_bundle

    synced, real = [], os.fsync

    def fsync(fd: int) -> None:
        synced.append(os.path.basename(os.readlink(f"/proc/self/fd/{fd}")))
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    version = save_bundle(tmp_path / "m", Bundle(meta={"x": 1}, tensors={"w": torch.ones(2)}))
    written = {p.name for p in version.iterdir()}
    assert written == {"bundle.json", "weights.safetensors", "SHA256SUMS"}
    assert written <= set(synced), synced


def test_a_model_directory_named_in_another_encoding_loads(tmp_path: Path,
                                                            series_csv: Path) -> None:
    # Latin-1 'modèle' on a UTF-8 system: train wrote it, and every load failed (exit 78,
    # "Path ... is not valid UTF-8"), which no retrain could mend.
    model = tmp_path / os.fsdecode(b"mod\xe8le")
    train_tiny(series_csv, model)
    result = CliRunner().invoke(app, ["predict", "--model", str(model), "--data",
                                      str(series_csv)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(("extra", "said"), [([], True), (["--output", "out.csv"], False)])
def test_an_interrupted_predict_speaks_of_printed_rows_only_when_it_prints(
        trained: Path, tmp_path: Path, monkeypatch, extra: list[str], said: bool) -> None:
    # With --output nothing was printed: "rows printed so far are incomplete" misled.
    import forecaster.pipeline.predicting as predicting

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(predicting, "load_data_for", boom)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["predict", "--model", str(trained), *extra])
    assert result.exit_code == 130
    assert ("rows printed so far are incomplete" in result.stderr) is said
