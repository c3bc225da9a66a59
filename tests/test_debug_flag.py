"""--debug shows an internal error's traceback, and the exit code stays 70: a traceback
that ended the process with Python's 1 read as "anomalies flagged" to a cron job, and
under --log-format json it was 40 lines of plain text in a JSON log."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from forecaster.cli import app

runner = CliRunner()
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def broken_predict(tmp_path: Path, monkeypatch) -> list[str]:
    """predict's arguments, with the library call failing as a bug would."""
    import forecaster.pipeline.predicting as predicting

    def bug(*args, **kwargs):
        raise RuntimeError("a bug in the library")

    monkeypatch.setattr(predicting, "predict", bug)
    shutil.copytree(FIXTURES / "bundle_v1", tmp_path / "m")
    return ["predict", "--model", str(tmp_path / "m"), "--data", str(FIXTURES / "tiny.csv")]


@pytest.mark.parametrize("debug", [[], ["--debug"]])
def test_an_internal_error_is_exit_70_with_or_without_debug(broken_predict: list[str],
                                                            debug: list[str]) -> None:
    result = runner.invoke(app, [*broken_predict, *debug])
    assert result.exit_code == 70, result.output
    assert result.stderr.splitlines()[-1].startswith("Error: internal error (RuntimeError")
    assert ("Traceback (most recent call last)" in result.stderr) == bool(debug)


def test_debug_under_json_logs_keeps_every_line_json(broken_predict: list[str]) -> None:
    result = runner.invoke(app, ["--log-format", "json", *broken_predict, "--debug"])
    assert result.exit_code == 70, result.output
    lines = [json.loads(x) for x in result.stderr.splitlines()]
    assert lines[-1]["level"] == "error" and "a bug in the library" in lines[-1]["traceback"]
    assert "the traceback is in its traceback field" in lines[-1]["msg"]  # not "above"
