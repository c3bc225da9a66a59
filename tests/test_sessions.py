"""Rows only in opening hours: the filled-in nights and weekends are named in a note."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from forecaster.data.loading import load_frame
from forecaster.data.spec import DataSpec


def _write(path: Path, stamps: pd.DatetimeIndex) -> Path:
    values = 100 + np.cumsum(np.random.default_rng(0).normal(0, 0.1, len(stamps)))
    pd.DataFrame({"timestamp": stamps.strftime("%Y-%m-%d %H:%M:%S"), "close": values}).to_csv(
        path, index=False)
    return path


def test_a_market_session_names_the_closed_hours_and_days(tmp_path: Path) -> None:
    # 5-minute bars 04:00-19:55 on weekdays (Alpha Vantage's extended hours), 3 weeks.
    grid = pd.date_range("2024-01-01 04:00", "2024-01-19 19:55", freq="5min")
    session = grid[(grid.day_of_week < 5) & (grid.hour >= 4) & (grid.hour < 20)]
    frame = load_frame(_write(tmp_path / "intraday.csv", session), DataSpec())
    (note,) = [n for n in frame.notes if "where the file has no rows" in n]
    assert ("intraday.csv: 46% of the grid is filled in where the file has no rows, on "
            "Saturday and Sunday, and at 20:00 to 03:59 (UTC)") in note
    assert "number them in a column 'step'" in note and "--resample D" in note


def test_an_outage_is_no_closed_hours(tmp_path: Path) -> None:
    # A third of the hours missing in one block: every hour and weekday has rows elsewhere.
    grid = pd.date_range("2024-01-01", periods=24 * 30, freq="h")
    frame = load_frame(_write(tmp_path / "outage.csv", grid[:400].append(grid[640:])),
                       DataSpec(freq="h"))
    assert frame.n_filled == 240
    assert not any("where the file has no rows" in n for n in frame.notes), frame.notes
