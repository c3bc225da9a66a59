"""Timestamps written the way some exporters write them: weekday names before the date,
epoch seconds in scientific notation, an IANA zone name after the time."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import utc, write_lines

from forecaster.data.loading import load_frame
from forecaster.data.spec import DataSpec


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
