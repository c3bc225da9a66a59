"""predict and detect-anomalies on a file holding several series that the model was not
trained to tell apart: the error said "give --series-col site", an option only train has
("No such option" when followed); it now says to retrain with it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import one_error_line
from typer.testing import CliRunner

from forecaster.cli import app

runner = CliRunner()
FIXTURES = Path(__file__).resolve().parent / "fixtures"
RETRAIN = ("retrain with 'forecast train {data} ", "--series-col site --model m' (predict and "
           "detect-anomalies read the data as the model was trained)")
COMMANDS = [["predict"], ["detect-anomalies", "--method", "forecast", "--exit-zero"]]


@pytest.fixture
def model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``m``: the committed bundle, trained on one series."""
    monkeypatch.chdir(tmp_path)
    return Path(shutil.copytree(FIXTURES / "bundle_v1", tmp_path / "m"))


def _two_sites(shift: str = "0h") -> pd.DataFrame:
    tiny = pd.read_csv(FIXTURES / "tiny.csv", parse_dates=["timestamp"])
    other = tiny.assign(site="b", timestamp=tiny["timestamp"] + pd.Timedelta(shift))
    return pd.concat([tiny.assign(site="a"), other])



CASES = {
    # Both sites' rows at each timestamp: duplicate timestamps.
    "stacked": ("long.csv", "0h", "duplicate timestamp 2024-01-01 00:00:00 (rows 2 and 122 of "
                "time column 'timestamp'; 120 timestamp(s) repeat, in 240 rows); rows at "
                "2024-01-01 00:00:00 differ in column 'site', and the model reads one series",
                "else give a file with one row per timestamp"),
    # Each site on a grid of its own, half a step apart: rows taking turns.
    "turns": ("turns.csv", "30min", "column 'site' holds 2 distinct values ('a', 'b') whose "
              "rows each lie on a regular grid of their own, taking turns in time: read as one "
              "series they would be merged; expected one series, or a column naming each",
              "else drop the column from the file"),
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("command", COMMANDS)
def test_series_the_model_does_not_tell_apart(model: Path, command: list[str],
                                              case: str) -> None:
    name, shift, found, other = CASES[case]
    sites = _two_sites(shift)  # one site's rows after the other's; in time order if turns
    (sites.sort_values("timestamp") if case == "turns" else sites).to_csv(name, index=False)
    result = runner.invoke(app, [*command, "--model", "m", "--data", name])
    line = one_error_line(result, 65)
    assert line.startswith(f"Error: {name}: {found}: if it names the series, "
                           f"{RETRAIN[0].format(data=name)}"), line
    assert line.endswith(f"{RETRAIN[1]}; {other}"), line


def test_train_still_names_its_own_option(model: Path) -> None:
    _two_sites().to_csv("long.csv", index=False)
    result = runner.invoke(app, ["train", "long.csv", "--model", "m2"])
    assert one_error_line(result, 65).endswith(
        "differ in column 'site': if it names the series, give --series-col site; else keep "
        "one with --duplicates first|last|mean")
