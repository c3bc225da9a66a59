"""Errors that advise retraining give a command that works when pasted: the data file,
the options the bundle was trained with, and the model directory in use."""

from __future__ import annotations

import io
import re
import shlex
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from forecaster.cli import app
from tests.conftest import TINY, make_series

runner = CliRunner()
ADVICE = re.compile(r"retrain with '(forecast train [^']*)'")


def _advice(stderr: str) -> list[str]:
    found = ADVICE.search(stderr)
    assert found, stderr
    return shlex.split(found.group(1))[1:]  # the words after "forecast"


@pytest.fixture
def keyed(tmp_path: Path) -> tuple[Path, Path]:
    """A two-store file (needs --series-col and --target) and a bundle trained on it in a
    directory other than the default."""
    parts = [make_series(240, seed=i).assign(store=s, sales=lambda f: f.value,
                                              price=1.0).drop(columns="value")
             for i, s in enumerate(("north", "south"))]
    csv = tmp_path / "stores.csv"
    pd.concat(parts).to_csv(csv, index=False)
    model = tmp_path / "models" / "stores"
    result = runner.invoke(app, ["train", str(csv), "--model", str(model), *TINY,
                                 "--series-col", "store", "--target", "sales"])
    assert result.exit_code == 0, result.output
    return csv, model


def _version(model: Path) -> Path:
    return model / "versions" / (model / "CURRENT").read_text().strip()


def test_damaged_weights_advise_the_command_that_trained_the_bundle(
        keyed: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    csv, model = keyed
    (_version(model) / "weights.safetensors").write_bytes(b"junk")
    monkeypatch.chdir(tmp_path)  # elsewhere than the default directory's parent
    result = runner.invoke(app, ["predict", "--model", str(model)])
    assert result.exit_code == 78 and result.stdout == "", result.output
    words = _advice(result.stderr)
    assert words[:2] == ["train", str(csv)] and words[-2:] == ["--model", str(model)]
    assert "--series-col" in words and "--target" in words and "--quiet" not in words
    retrain = runner.invoke(app, words)  # followed literally, it repairs the cron job
    assert retrain.exit_code == 0, retrain.output
    again = runner.invoke(app, ["predict", "--model", str(model)])
    assert again.exit_code == 0, again.output
    assert set(pd.read_csv(io.StringIO(again.stdout))["series"]) == {"north", "south"}


def test_a_longer_horizon_replaces_the_bundles_own(keyed: tuple[Path, Path]) -> None:
    csv, model = keyed
    result = runner.invoke(app, ["predict", "--model", str(model), "--horizon", "8"])
    assert result.exit_code == 2, result.output
    words = _advice(result.stderr)
    assert words.count("--horizon") == 1 and words[words.index("--horizon") + 1] == "8"
    assert words[-2:] == ["--model", str(model)]
    advised = runner.invoke(app, words)
    assert advised.exit_code == 0, advised.output
    longer = runner.invoke(app, ["predict", "--model", str(model), "--horizon", "8"])
    assert longer.exit_code == 0, longer.output


def test_an_unreadable_bundle_gets_a_placeholder_and_the_directory(
        keyed: tuple[Path, Path]) -> None:
    _, model = keyed
    (_version(model) / "bundle.json").write_text("{", encoding="utf-8")
    result = runner.invoke(app, ["detect-anomalies", "--model", str(model)])
    assert result.exit_code == 78, result.output
    assert _advice(result.stderr) == ["train", "DATA.csv", "--model", str(model)]


def test_the_default_directory_is_not_named(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    csv = tmp_path / "s.csv"
    make_series(240).to_csv(csv, index=False)
    trained = runner.invoke(app, ["train", str(csv), *TINY])
    assert trained.exit_code == 0, trained.output
    (_version(Path("forecast-model")) / "weights.safetensors").write_bytes(b"junk")
    result = runner.invoke(app, ["predict"])
    assert result.exit_code == 78, result.output
    assert _advice(result.stderr) == ["train", str(csv), *_given_by_tiny()]


def _given_by_tiny() -> list[str]:
    """TINY's options in train's order, the order the advice lists them in."""
    from typer.main import get_command

    pairs = dict(zip(TINY[:-1:2], TINY[1:-1:2], strict=True))  # TINY ends in --no-anomaly
    words: list[str] = []
    for param in get_command(app).commands["train"].params:
        flag = param.opts[0]
        words += [flag, pairs[flag]] if flag in pairs else []
        words += ["--no-anomaly"] if flag == "--anomaly" else []
    return words


def test_a_warm_start_with_no_bundle_names_trains_own_file_and_directory(
        tmp_path: Path) -> None:
    csv = tmp_path / "s.csv"
    make_series(240).to_csv(csv, index=False)
    model = tmp_path / "m"
    result = runner.invoke(app, ["train", str(csv), "--model", str(model), "--warm-start",
                                 *TINY])
    assert result.exit_code != 0 and not model.exists(), result.output
    assert "run 'forecast train " + f"{csv} --model {model}' without --warm-start first" in (
        result.stderr)
