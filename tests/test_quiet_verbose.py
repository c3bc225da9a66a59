"""--quiet and --verbose together: a usage error where both come from one place; the
stronger place wins where they come from two (flag > environment > a command's table of the
file > its top level)."""

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


@pytest.mark.parametrize(("toml", "code"), [
    # The command's own table is more particular than the top level: it wins.
    ('quiet = true\n[predict]\nverbose = true\n', 66),
    ('verbose = true\n[predict]\nquiet = true\n', 66),
    # One table, or the top level alone: which to follow is the user's to say.
    ('[predict]\nquiet = true\nverbose = true\n', 2),
    ('quiet = true\nverbose = true\n', 2),
])
def test_a_command_table_wins_over_the_top_level(tmp_path: Path, monkeypatch, toml: str,
                                                  code: int) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "forecast.toml").write_text(toml)
    result = runner.invoke(app, ["predict", "-m", str(tmp_path / "none")])
    assert result.exit_code == code, result.output
    assert ("--quiet and --verbose are both set" in result.stderr) == (code == 2)
