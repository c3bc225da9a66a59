"""A bundle whose folders this account may not write in is refused before any training.

A train by an account that may not write in the bundle (``chmod a-w``, another user's
bundle) trained every fold and the final model, then failed to write ``CURRENT`` or the
new version (exit 73): minutes of work thrown away. Root passes every permission check,
so ``no_new_files`` refuses what the system would refuse another account.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import TINY
from typer.testing import CliRunner

import forecaster.pipeline.training as training
from forecaster.cli import app

runner = CliRunner()


@pytest.fixture
def no_new_files(monkeypatch):
    """``no_new_files(folder)``: creating a file in ``folder`` is refused (opening one
    that is there still works, as in a folder without write permission); training fails
    the test, so a refusal found only after it shows."""
    folders: list[str] = []
    real_open = os.open

    def refusing_open(path, flags, *args, **kwargs):
        here = os.path.abspath(os.fspath(path))
        if (flags & os.O_CREAT and os.path.dirname(here) in folders
                and not os.path.lexists(here)):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_open(path, flags, *args, **kwargs)

    def no_training(*args, **kwargs):
        raise AssertionError("trained before finding the bundle's folder not writable")

    monkeypatch.setattr(os, "open", refusing_open)
    monkeypatch.setattr(training, "fit_ensemble", no_training)
    return lambda folder: folders.append(os.path.abspath(folder))


@pytest.mark.parametrize("where", ["", "versions"])
def test_a_bundle_folder_not_writable_is_refused_before_training(
        trained: Path, series_csv: Path, no_new_files, where: str) -> None:
    folder = trained / where if where else trained
    current = (trained / "CURRENT").read_text()
    kept = sorted(os.listdir(trained / "versions"))
    no_new_files(folder)
    result = runner.invoke(app, ["train", str(series_csv), "--model", str(trained), *TINY])
    assert result.exit_code == 73, result.output
    line = result.stderr.strip()
    assert line.startswith(f"Error: {folder}: permission denied: user "), line
    assert f"cannot write in the folder {folder} (" in line, line
    assert f"'chmod -R g+rwX {trained}'" in line and "\n" not in line, line
    # The bundle is left as it was, and the check leaves no file of its own behind.
    assert (trained / "CURRENT").read_text() == current
    assert sorted(os.listdir(trained / "versions")) == kept
    assert not [n for n in os.listdir(folder) if n.startswith(".write-check-")]


def test_a_new_model_dir_still_trains(tmp_path: Path, series_csv: Path) -> None:
    model = tmp_path / "new" / "m"
    result = runner.invoke(app, ["train", str(series_csv), "--model", str(model), *TINY])
    assert result.exit_code == 0, result.output
    assert (model / "CURRENT").is_file()
    assert not [n for n in os.listdir(model) if n.startswith(".write-check-")]


def test_a_bundle_folder_its_owner_made_read_only_says_to_give_the_write_back(
        trained: Path, series_csv: Path, no_new_files) -> None:
    trained.chmod(0o555)  # root passes it: the refusal is no_new_files'
    no_new_files(trained)
    try:
        result = runner.invoke(app, ["train", str(series_csv), "--model", str(trained), *TINY])
    finally:
        trained.chmod(0o755)
    assert result.exit_code == 73, result.output
    assert f"cannot write in the folder {trained} (dr-xr-xr-x" in result.stderr
    assert f"run 'chmod -R u+w {trained}' to train or roll it back" in result.stderr
