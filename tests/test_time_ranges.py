"""Rows labelled by their interval (ENTSO-E's ``01.01.2024 00:00 - 01.01.2024 01:00``, ISO
8601's ``start/end``): read at each interval's start, with a note.

No time column was found, and naming it with --time-col, as the message advised, got
"cannot parse ... as a timestamp" for every row.
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
LOAD = "Actual Total Load [MW] - BZN|DE-LU"


def entsoe() -> list[str]:
    """ENTSO-E's total load export: MTU ranges, the forecast, then the actual load (row
    number + 100)."""
    end = HOURS + pd.Timedelta("1h")
    return ['"MTU (CET/CEST)","Day-ahead Total Load Forecast [MW] - BZN|DE-LU",'
            f'"{LOAD}"'] + [f'"{a:%d.%m.%Y %H:%M} - {b:%d.%m.%Y %H:%M}","{i}","{i + 100}"'
                            for i, (a, b) in enumerate(zip(HOURS, end, strict=True))]


def test_an_entsoe_export_trains_at_its_interval_starts(tmp_path: Path) -> None:
    path = write_lines(tmp_path, entsoe())
    result = runner.invoke(app, ["train", str(path), "--model", str(tmp_path / "m"), *TINY,
                                 "--target", LOAD])
    assert result.exit_code == 0, result.output
    assert "data.csv: column 'MTU (CET/CEST)' holds time ranges ('01.01.2024 00:00 - " \
           "01.01.2024 01:00'): each row is read at its start ('01.01.2024 00:00')" \
           in result.stderr, result.stderr
    (s,) = load_frame(path, DataSpec(targets=[LOAD])).series
    assert s.index[0] == pd.Timestamp("2024-01-01", tz="UTC") and len(s.index) == 48
    assert s.values[:2, 0].tolist() == [100, 101]


def test_iso_intervals_are_read_at_their_starts(tmp_path: Path) -> None:
    iso = "%Y-%m-%dT%H:%MZ"
    lines = ["interval,value"] + [f"{t:{iso}}/{t + pd.Timedelta('1h'):{iso}},{i}"
                                  for i, t in enumerate(HOURS)]
    frame = load_frame(write_lines(tmp_path, lines), DataSpec())
    (s,) = frame.series
    assert frame.spec.time_col == "interval" and s.index[-1] == HOURS[-1].tz_localize("UTC")


@pytest.mark.parametrize("cell", ["{i} - {j}", "{i}/{j}"])
def test_ranges_of_numbers_are_no_times(tmp_path: Path, cell: str) -> None:
    # Bins of a value ("10 - 20") stay text: only dates or clocks are read as times.
    lines = ["timestamp,bin,value"] + [
        f"{t:%Y-%m-%d %H:%M},{cell.format(i=i * 10, j=i * 10 + 10)},{i}"
        for i, t in enumerate(HOURS)]
    frame = load_frame(write_lines(tmp_path, lines), DataSpec())
    assert frame.spec.time_col == "timestamp" and frame.spec.targets == ["value"]
    assert not any("time ranges" in n for n in frame.notes)


def test_clock_ranges_beside_a_time_column_are_not_the_rows_labels(tmp_path: Path) -> None:
    # A shift log's "period" of clock ranges beside its timestamp column was read as the
    # rows' time ranges, with a note saying so.
    lines = ["timestamp,period,value"] + [
        f"{t:%Y-%m-%d %H:%M},{t:%H:%M} - {t + pd.Timedelta('1h'):%H:%M},{i}"
        for i, t in enumerate(HOURS)]
    path = write_lines(tmp_path, lines)
    result = runner.invoke(app, ["train", str(path), "--model", str(tmp_path / "m"), *TINY,
                                 "--target", "value"])
    assert result.exit_code == 0, result.output
    assert "time ranges" not in result.stderr, result.stderr
