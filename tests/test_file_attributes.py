"""Files and folders made immutable or append-only with ``chattr``: they refuse root too,
with the EPERM of a permission, and root was told to "run as its owner", which it was.

The tests set the attributes for real, so they need ``chattr`` and the right to use it
(root, on a file system with attributes); elsewhere they are skipped.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import TINY, one_error_line
from typer.testing import CliRunner

from forecaster.cli import app
from forecaster.ops.lock import LOCK_NAME

runner = CliRunner()


@contextmanager
def chattr(flag: str, path: Path) -> Iterator[None]:
    """``path`` with the attribute ``flag`` ("i" or "a") set, taken off again after."""
    done = shutil.which("chattr") and subprocess.run(
        ["chattr", f"+{flag}", str(path)], capture_output=True).returncode == 0
    if not done:
        pytest.skip("chattr is not available here (not root, or no attributes)")
    try:
        yield
    finally:  # else tmp_path could never be removed
        subprocess.run(["chattr", f"-{flag}", str(path)], check=True)


def _train(series_csv: Path, model: Path):
    return runner.invoke(app, ["train", str(series_csv), "--model", str(model), *TINY])


def test_an_immutable_lock_names_the_attribute_and_its_chattr(trained: Path,
                                                             series_csv: Path) -> None:
    lock = trained / LOCK_NAME
    with chattr("i", lock):
        line = one_error_line(_train(series_csv, trained), 73)
    assert line == (f"Error: {lock}: the bundle's lock file is not writable: {lock} is "
                    "immutable ('chattr +i', shown by 'lsattr -d'), which refuses every "
                    f"account, root included: run 'chattr -i {lock}' as root to allow it; "
                    "train and rollback open it for writing"), line


def test_an_immutable_versions_folder_names_the_attribute(trained: Path,
                                                          series_csv: Path) -> None:
    versions = trained / "versions"
    with chattr("i", versions):
        line = one_error_line(_train(series_csv, trained), 73)
    assert line.startswith(f"Error: {versions}: permission denied: {versions} is immutable "
                           ), line
    assert "run as the account" not in line and line.endswith(
        f"run 'chattr -i {versions}' as root to allow it"), line


def test_an_append_only_output_names_the_attribute(trained: Path, tmp_path: Path) -> None:
    out = tmp_path / "forecast.csv"
    out.write_text("kept\n")
    with chattr("a", out):
        result = runner.invoke(app, ["predict", "--model", str(trained), "--output", str(out)])
        line = one_error_line(result, 73)
    assert f"{out} is append-only ('chattr +a'" in line, line
    assert "cannot write in the folder" not in line, line
    assert out.read_text() == "kept\n"
