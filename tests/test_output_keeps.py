"""--output and --plot never replace the configuration file the run read, nor a file of
another model bundle: both were written over (exit 0), and the next run failed on them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import one_error_line
from typer.testing import CliRunner

from forecaster.bundle_nest import bundle_entry
from forecaster.cli import app

runner = CliRunner()
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TINY_CSV = FIXTURES / "tiny.csv"
BACKTEST = ["--epochs", "1", "--hidden", "4", "--layers", "1", "--window", "24", "--segment",
            "6", "--horizon", "6", "--ensemble", "1", "--quiet"]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory holding two bundles, ``m`` and ``other``."""
    monkeypatch.chdir(tmp_path)
    for name in ("m", "other"):
        shutil.copytree(FIXTURES / "bundle_v1", tmp_path / name)
    return tmp_path


def _command(command: str) -> list[str]:
    if command == "backtest":
        return ["backtest", str(TINY_CSV), *BACKTEST]
    extra = ["--exit-zero"] if command == "detect-anomalies" else []
    return [command, "--data", str(TINY_CSV), "--quiet", *extra]


@pytest.mark.parametrize(("command", "option"), [
    ("predict", "--output"), ("detect-anomalies", "--output"), ("detect-anomalies", "--plot"),
    ("backtest", "--output"), ("backtest", "--plot")])
def test_the_configuration_file_read_is_refused(project: Path, command: str,
                                                option: str) -> None:
    # `forecast predict -o forecast.toml` replaced the file with the forecast (exit 0); the
    # next run stopped at "not valid TOML" (exit 2).
    config = project / "forecast.toml"
    config.write_text(f'model = "m"\n[{command}]\n', encoding="utf-8")
    before = config.read_bytes()
    result = runner.invoke(app, [*_command(command), option, "forecast.toml"])
    assert one_error_line(result, 73) == (
        f"Error: {option} forecast.toml: that is the configuration file forecast.toml, which "
        "this run read its settings from; choose another path")
    assert config.read_bytes() == before and result.stdout == ""


def test_a_configuration_file_given_with_config_is_refused(project: Path) -> None:
    config = project / "keep.toml"
    config.write_text('model = "m"\n', encoding="utf-8")
    result = runner.invoke(app, ["--config", "keep.toml", *_command("predict"), "-o",
                                 "./keep.toml"])
    assert one_error_line(result, 73) == (
        "Error: --output keep.toml: that is the configuration file keep.toml, which this "
        "run read its settings from; choose another path")
    assert config.read_text() == 'model = "m"\n'


@pytest.mark.parametrize("entry", ["CURRENT", "HISTORY", ".lock", "versions/x.csv"])
def test_a_file_of_another_bundle_is_refused(project: Path, entry: str) -> None:
    # `forecast predict -m m -o other/CURRENT` exited 0; then every run on `other` exited 78
    # ("names 'series,timestamp,...', not a bundle version").
    pointer = (project / "other" / "CURRENT").read_bytes()
    result = runner.invoke(app, ["predict", "--model", "m", "--data", str(TINY_CSV), "-o",
                                 f"other/{entry}"])
    shown = entry.split("/")[0] + ("/" if "/" in entry else "")
    assert one_error_line(result, 73) == (
        f"Error: --output other/{entry}: that is part of the model bundle other (its "
        f"{shown}), which the write would damage; choose another path")
    assert (project / "other" / "CURRENT").read_bytes() == pointer
    assert not (project / "other" / "versions" / "x.csv").exists()
    again = runner.invoke(app, ["predict", "--model", "other", "--data", str(TINY_CSV), "-q"])
    assert again.exit_code == 0, again.output


def test_a_new_file_beside_a_bundles_own_files_is_written(project: Path) -> None:
    # A project folder trained with `-m .` is a bundle; its other files are no part of it.
    result = runner.invoke(app, ["predict", "--model", "m", "--data", str(TINY_CSV), "-q",
                                 "-o", "other/forecast.csv"])
    assert result.exit_code == 0, result.output
    assert (project / "other" / "forecast.csv").read_text().startswith("series,timestamp")


def test_bundle_entry(project: Path) -> None:
    assert bundle_entry(Path("other/CURRENT")) == (Path("other"), "CURRENT")
    assert bundle_entry(Path("other/versions/v/weights.safetensors")) == (Path("other"),
                                                                          "versions")
    assert bundle_entry(Path("other/forecast.csv")) is None
    assert bundle_entry(Path("CURRENT")) is None  # the working directory is no bundle
