"""Times written 24:00 are read as 00:00 of the next day, with a note saying so."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import TINY, write_lines
from typer.testing import CliRunner

from forecaster.cli import app
from forecaster.data.loading import load_frame
from forecaster.data.spec import DataSpec

runner = CliRunner()


def _hour_ending(header: str, sep: str, n: int = 48) -> list[str]:
    # An hour-ending log: the midnight that ends each day written 24:00 of that day.
    hours = pd.date_range("1988-01-01 01:00", periods=n, freq="h")
    days = [t - pd.Timedelta("1D") if t.hour == 0 else t for t in hours]
    return [header] + [f"{d:%m/%d/%Y}{sep}{'24:00' if t.hour == 0 else f'{t:%H:%M}'},{i}"
                       for i, (d, t) in enumerate(zip(days, hours, strict=True))]


@pytest.mark.parametrize(("header", "sep"), [("Date,Time,GHI", ","), ("timestamp,GHI", " ")])
def test_24_00_is_read_with_a_note(tmp_path: Path, header: str, sep: str) -> None:
    # Was read as midnight of the next day without a word.
    frame = load_frame(write_lines(tmp_path, _hour_ending(header, sep)), DataSpec())
    assert "data.csv: read 24:00 as 00:00 of the next day (2 rows)" in frame.notes
    assert frame.series[0].index[23] == pd.Timestamp("1988-01-02 00:00", tz="UTC")


def test_train_says_it_on_stderr(tmp_path: Path) -> None:
    path = write_lines(tmp_path, _hour_ending("timestamp,GHI", " ", n=240))
    result = runner.invoke(app, ["train", str(path), "--model", str(tmp_path / "m"), *TINY])
    assert result.exit_code == 0, result.output
    assert "data.csv: read 24:00 as 00:00 of the next day (10 rows)" in result.stderr
    assert "24:00" not in result.stdout
