"""A bundle whose CURRENT is lost (missing, or naming no kept version) while its versions
are intact: the error names the version to make current again, and the line that does it.

It said "retrain" alone, and `forecast rollback` failed with the same line."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import one_error_line
from typer.testing import CliRunner

from forecaster.cli import app

runner = CliRunner()
FIXTURES = Path(__file__).resolve().parent / "fixtures"
OLD = "v20261121T070124Z-2118707376"  # the committed bundle's version
NEW = "v20261122T000000Z-abcd"
RETRAIN = "or retrain with 'forecast train DATA.csv --model m'"


@pytest.fixture
def model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``m``: two loadable versions, OLD current last (NEW was rolled back from)."""
    monkeypatch.chdir(tmp_path)
    shutil.copytree(FIXTURES / "bundle_v1", tmp_path / "m")
    shutil.copytree(tmp_path / "m" / "versions" / OLD, tmp_path / "m" / "versions" / NEW)
    (tmp_path / "m" / "HISTORY").write_text(f"{NEW}\n{OLD}\n")
    return Path("m")


def _advice(name: str, which: str) -> str:
    return (f"2 versions kept in m/versions; {name}{which} loads: 'echo {name} > "
            "m/CURRENT' names it again (rollback needs a current version to go back from); "
            f"{RETRAIN}")


@pytest.mark.parametrize("command", ["predict", "info", "rollback"])
def test_a_current_naming_no_version_names_the_one_current_last(model: Path,
                                                               command: str) -> None:
    (model / "CURRENT").write_text("series,timestamp,target\n")  # an -o written over it
    line = one_error_line(runner.invoke(app, [command, "--model", "m"]), 78)
    assert line == ("Error: m/CURRENT: names 'series,timestamp,target', not a bundle "
                    f"version; {_advice(OLD, ', current last,')}")
    assert (model / "CURRENT").read_text() == "series,timestamp,target\n"  # not repaired


def test_the_line_it_gives_makes_the_bundle_work_again(model: Path) -> None:
    (model / "CURRENT").write_text("garbage\n")
    line = one_error_line(runner.invoke(app, ["predict", "--model", "m"]), 78)
    subprocess.run(re.search(r"'(echo [^']*)'", line).group(1), shell=True, check=True)
    result = runner.invoke(app, ["predict", "--model", "m", "--quiet"])
    assert result.exit_code == 0, result.output


def test_a_missing_current_without_history_names_the_newest(model: Path) -> None:
    (model / "CURRENT").unlink()
    (model / "HISTORY").unlink()
    line = one_error_line(runner.invoke(app, ["predict", "--model", "m"]), 78)
    assert line == ("Error: m: no CURRENT file, which names the version in use; "
                    f"{_advice(NEW, ', the newest kept,')}")


def test_a_current_naming_a_missing_version_skips_a_damaged_one(model: Path) -> None:
    # The version missing is no rollback's to go back from: none is suggested.
    (model / "CURRENT").write_text("v20990101T000000Z-ffff\n")
    (model / "HISTORY").unlink()
    (model / "versions" / NEW / "bundle.json").write_text("{ truncated")
    line = one_error_line(runner.invoke(app, ["predict", "--model", "m"]), 78)
    assert line == ("Error: m/versions/v20990101T000000Z-ffff: missing or not a directory; "
                    f"{_advice(OLD, '')}")


def test_no_version_that_loads_says_retrain(model: Path) -> None:
    (model / "CURRENT").unlink()
    for name in (OLD, NEW):
        (model / "versions" / name / "bundle.json").write_text("{ truncated")
    line = one_error_line(runner.invoke(app, ["predict", "--model", "m"]), 78)
    assert line == ("Error: m: no CURRENT file, which names the version in use; 2 versions "
                    "kept in m/versions, but none loads: retrain with 'forecast train "
                    "DATA.csv --model m'")
