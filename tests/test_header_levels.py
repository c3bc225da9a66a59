"""A frame with columns of several levels, as pandas writes it (``pivot_table``,
``unstack``, then ``to_csv``): the header rows are read as one header.

It was refused for "repeated column name(s) in the header: 'temp'; rename them" (the top
level repeats over its sensors), advice that left the level rows as data; with one column
per top-level name, its level rows were read as data ("no time column found").
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import write_lines
from typer.testing import CliRunner

from forecaster.cli import app
from forecaster.data.loading import load_frame
from forecaster.data.spec import DataSpec

runner = CliRunner()
TINY = ["--no-anomaly", "--epochs", "1", "--folds", "0", "--ensemble", "1", "--window", "8",
        "--segment", "4", "--horizon", "2", "--hidden", "4"]
HOURS = pd.date_range("2024-01-01", periods=48, freq="h")


def pivoted(levels: list[str]) -> list[str]:
    """``pivot_table(index='timestamp', columns='sensor', values=['temp'])``: s1 is the
    row number, s2 the row number + 100."""
    rows = [levels[0], levels[1], "timestamp,,"]
    return rows + [f"{t:%Y-%m-%d %H:%M:%S},{i},{i + 100}" for i, t in enumerate(HOURS)]


def test_a_pivot_table_trains_on_its_header_of_levels(tmp_path: Path) -> None:
    path = write_lines(tmp_path, pivoted([",temp,temp", "sensor,s1,s2"]))
    result = runner.invoke(app, ["train", str(path), "--model", str(tmp_path / "m"), *TINY,
                                 "--target", "s2"])
    assert result.exit_code == 0, result.output
    assert "read 3 header rows (column levels, as pandas and yfinance write them): time " \
           "column 'timestamp' from row 3, value columns named by header row 2 ('sensor')" \
           in result.stderr, result.stderr
    frame = load_frame(path, DataSpec(targets=["s2"], features=["s1"]))
    (s,) = frame.series
    assert s.index[0] == pd.Timestamp("2024-01-01", tz="UTC") and len(s.index) == 48
    assert s.values[:2].tolist() == [[100, 0], [101, 1]]


@pytest.mark.parametrize(("levels", "names"), [
    ([",temp,hum", ",degC,%"], ["temp", "hum"]),  # unnamed levels, units below the names
    ([",temp,temp", ",a,b"], ["a", "b"]),
    ([",x,y", ",a,a"], ["x", "y"]),
])
def test_unnamed_levels_are_header_rows(tmp_path: Path, levels: list[str],
                                        names: list[str]) -> None:
    frame = load_frame(write_lines(tmp_path, pivoted(levels)), DataSpec(targets=names))
    (s,) = frame.series
    assert s.values[-1].tolist() == [47, 147] and frame.spec.time_col == "timestamp"


def test_levels_over_an_index_without_a_name_train_and_predict(tmp_path: Path) -> None:
    # No row names the time column (pandas writes none for an index without a name): it
    # was "repeated column name(s) in the header: 'plant'; rename them".
    lines = [",plant,plant", ",temp,hum"] + [f"{t:%Y-%m-%d %H:%M:%S},{i},{i + 100}"
                                            for i, t in enumerate(HOURS)]
    path = write_lines(tmp_path, lines)
    model = tmp_path / "m"
    result = runner.invoke(app, ["train", str(path), "--model", str(model), *TINY,
                                 "--target", "hum"])
    assert result.exit_code == 0, result.output
    assert "read 2 header rows (column levels, as pandas and yfinance write them): the time " \
           "column unnamed, value columns named by header row 2" in result.stderr
    result = runner.invoke(app, ["predict", "--model", str(model)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1].startswith(",2024-01-03T00:00:00+00:00,hum,")
    (s,) = load_frame(path, DataSpec(targets=["hum"])).series
    assert s.values[-1, 0] == 147 and s.index[-1] == HOURS[-1].tz_localize("UTC")
