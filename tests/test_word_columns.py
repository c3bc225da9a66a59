"""A file of hundreds of text columns: its columns of words are ruled out of the number
and date checks in one pass (a 72 x 3000 file had taken 35 s to load), same answers."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import write_lines

from forecaster.data import columns, units_row
from forecaster.data.loading import load_frame
from forecaster.data.spec import DataSpec
from forecaster.data.word_cells import passing

WORDS = ["alpha", "beta", "on", "off", "NA", ""]


def _counted(monkeypatch: pytest.MonkeyPatch, module, name: str) -> list[int]:
    # How often a per-column check ran.
    calls: list[int] = []
    check = getattr(module, name)

    def counting(*args, **kwargs):
        calls.append(1)
        return check(*args, **kwargs)

    monkeypatch.setattr(module, name, counting)
    return calls


def test_columns_of_words_skip_the_per_column_checks(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    width = 400
    rows = ["timestamp,value," + ",".join(f"c{j}" for j in range(width))]
    rows += [f"{t:%Y-%m-%d %H:%M},{i % 7}," + ",".join(WORDS[(i + j) % 6] for j in range(width))
             for i, t in enumerate(pd.date_range("2024-01-01", periods=72, freq="h"))]
    numeric = _counted(monkeypatch, columns, "_mostly_numeric")
    dated = _counted(monkeypatch, units_row, "time_cells")
    frame = load_frame(write_lines(tmp_path, rows), DataSpec())
    (s,) = frame.series
    assert frame.freq == "h" and len(s.index) == 72 and s.values.shape == (72, 1)
    assert s.values[:8, 0].tolist() == [0, 1, 2, 3, 4, 5, 6, 0]
    assert any("left out as text: c0, c1" in n and f"{width - 8} more" in n
               for n in frame.notes)
    assert len(numeric) < 10 and len(dated) < 10


def test_passing_answers_as_the_check_does_column_by_column() -> None:
    cells = [["1", "2.5", " 3 "], ["inf", "-Infinity", "NA"], ["1", "x", "2"], ["on", "", "-"],
             ["", "NA", ""], ["2024-01-01", "Jan 5", "10:00"], ["\u00a07\u00a0", "1e5", "4"]]
    cols = [pd.Series(c, dtype="str") for c in cells]
    check = columns._mostly_numeric
    assert passing(cols, check, 0.9, strict=True) == [j for j, c in enumerate(cols) if check(c)]
    assert passing(cols, check, 0.9, strict=True) == [0, 1, 6]
