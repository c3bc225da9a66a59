"""Files of the LSTM literature as their publishers wrote them."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_lines

from forecaster.data.loading import load_frame
from forecaster.data.spec import DataSpec
from forecaster.errors import DataError


def _occupancy(tmp_path: Path, rows: int = 60) -> Path:
    # UCI Occupancy Detection's datatraining.txt: R's write.table, a header one name short.
    lines = ['"date","Temperature","CO2","Occupancy"']
    lines += [f'"{i + 1}","2015-02-04 {17 + i // 60:02d}:{i % 60:02d}:00",{23 + i % 3},'
              f'{700 + i},{i % 2}' for i in range(rows)]
    return write_lines(tmp_path, lines, name="datatraining.txt")


def test_r_row_names_are_read_as_row_names(tmp_path: Path, engine: str) -> None:
    # Every line had one field more than the header: an error on line 2.
    frame = load_frame(_occupancy(tmp_path), DataSpec(targets=["CO2"]))
    (s,) = frame.series
    assert frame.spec.time_col == "date" and len(s.index) == 60
    assert s.values[[0, -1], 0].tolist() == [700.0, 759.0]
    assert any("R's write.table" in n for n in frame.notes)


def test_a_row_one_field_too_wide_is_still_an_error(tmp_path: Path) -> None:
    # Only rows that all carry a number 1, 2, 3, ... first are row names.
    lines = ["timestamp,value"] + [f"2024-01-01 {h:02d}:00,{h}" for h in range(10)]
    lines[3] += ",7"
    with pytest.raises(DataError, match="line 4 has 3 fields, the header has 2"):
        load_frame(write_lines(tmp_path, lines), DataSpec())


def test_fields_apart_by_spaces_are_told_how_to_convert(tmp_path: Path) -> None:
    # NASA C-MAPSS train_FD001.txt: no header, fields aligned by spaces, trailing spaces.
    lines = [f"1 {c}  -0.0007 -0.0004 100.0 518.67 641.82  " for c in range(1, 40)]
    with pytest.raises(DataError, match=r"found 1 column whose lines hold 7 fields set apart "
                       r"by spaces .*sed -E 's/\^ \+//; s/ \+\$//; s/ \+/,/g' data.txt > "
                       r"data.csv"):
        load_frame(write_lines(tmp_path, lines, name="data.txt"), DataSpec())


def test_an_event_log_of_dates_and_times_is_no_spaced_table(tmp_path: Path) -> None:
    lines = ["created at"] + [f"2024-01-01 {h:02d}:{m:02d}:00" for h in range(10)
                              for m in (5, 17, 41)]
    frame = load_frame(write_lines(tmp_path, lines), DataSpec(resample="h", aggregate="count"))
    assert frame.spec.targets == ["count"] and len(frame.series[0].index) == 10
