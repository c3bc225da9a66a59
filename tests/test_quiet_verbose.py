"""--quiet and --verbose together: a usage error where both come from one place; the
stronger place wins where they come from two (flag > environment > file)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from forecaster.cli import app

runner = CliRunner()


@pytest.mark.parametrize(("args", "env", "said"), [
    (["-q", "-v"], {}, "--quiet and --verbose were both given"),
    ([], {"FORECAST_QUIET": "1", "FORECAST_VERBOSE": "1"},
     "--quiet and --verbose are both set (environment FORECAST_QUIET, environment "
     "FORECAST_VERBOSE)"),
])
@pytest.mark.parametrize("command", ["predict", "detect-anomalies"])
def test_quiet_and_verbose_from_one_place_are_refused(tmp_path: Path, command: str,
                                                      args: list[str], env: dict,
                                                      said: str) -> None:
    result = runner.invoke(app, [command, "-m", str(tmp_path / "none"), *args], env=env)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {said}; expected one of them")


def test_a_typed_flag_wins_over_the_environment(tmp_path: Path) -> None:
    # Past the check: the missing bundle is what is refused (exit 66), not the options.
    result = runner.invoke(app, ["predict", "-m", str(tmp_path / "none"), "-q"],
                           env={"FORECAST_VERBOSE": "1"})
    assert result.exit_code == 66, result.output
    assert "--quiet" not in result.stderr
