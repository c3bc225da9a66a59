"""Timestamps written the way some exporters write them: weekday names before the date,
epoch seconds in scientific notation, an IANA zone name after the time."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import one_error_line, utc, write_lines
from typer.testing import CliRunner

from forecaster.cli import app
from forecaster.data.loading import load_frame
from forecaster.data.spec import DataSpec
from forecaster.data.zone_names import zone_hint


@pytest.mark.parametrize("fmt", ["%a %Y-%m-%d %H:%M", "%a, %d %b %Y %H:%M"])
def test_weekday_names_with_a_capital_t_are_one_format(tmp_path: Path, fmt: str) -> None:
    # Seconds on every other row make the parser read cell by cell, after the check for
    # mixed formats; the T of Tue and Thu once split those dates as ISO's date-time T.
    times = pd.date_range("2024-01-01", periods=48, freq="h")
    rows = ["timestamp,value"] + [f"\"{t.strftime(fmt)}{':00' if i % 2 else ''}\",{i % 7}"
                                  for i, t in enumerate(times)]
    frame = load_frame(write_lines(tmp_path, rows), DataSpec())
    (s,) = frame.series
    assert frame.freq == "h" and len(s.index) == 48
    assert s.index[0] == utc("2024-01-01") and s.index[-1] == utc("2024-01-02 23:00")


def test_epoch_seconds_in_scientific_notation_read_as_epoch_seconds(tmp_path: Path) -> None:
    rows = ["timestamp,value"] + [f"{1767225600 + 3600 * i:.9e},{i % 7}" for i in range(40)]
    assert rows[1].startswith("1.767225600e+09")
    frame = load_frame(write_lines(tmp_path, rows), DataSpec())
    (s,) = frame.series
    assert frame.freq == "h" and len(s.index) == 40
    assert s.index[0] == utc("2026-01-01") and s.index[-1] == utc("2026-01-02 15:00")


def _hours(suffix: str) -> list[str]:
    return ["timestamp,value"] + [f"{t:%Y-%m-%dT%H:%M}{suffix},{i % 7}" for i, t in
                                  enumerate(pd.date_range("2024-01-01", periods=40, freq="h"))]


def test_an_iana_zone_name_after_a_time_says_to_write_the_offset(tmp_path: Path) -> None:
    csv = write_lines(tmp_path, _hours(":00 Europe/Berlin"))
    result = CliRunner().invoke(app, ["train", str(csv), "--model", str(tmp_path / "m"),
                                      "--epochs", "1", "--no-anomaly"])
    line = one_error_line(result, 65)
    assert "cannot parse '2024-01-01T00:00:00 Europe/Berlin'" in line
    assert "zone name (Europe/Berlin) cannot be read" in line and "+01:00" in line
    assert "America/Argentina/Buenos_Aires" in zone_hint("2024-01-01 10:00 "
                                                         "America/Argentina/Buenos_Aires")


@pytest.mark.parametrize(("suffix", "first"), [("+01:00[Europe/Berlin]", "2023-12-31 23:00"),
                                               ("Z[UTC]", "2024-01-01")])
def test_javas_zone_name_after_an_offset_is_dropped(tmp_path: Path, suffix: str,
                                                    first: str) -> None:
    frame = load_frame(write_lines(tmp_path, _hours(suffix)), DataSpec())
    (s,) = frame.series
    assert frame.freq == "h" and len(s.index) == 40 and s.index[0] == utc(first)
