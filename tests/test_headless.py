"""A header line that is a row of data, told apart from real headers holding dates or
numbers (``forecaster.data.headless``)."""

from __future__ import annotations

import pandas as pd
import pytest

from forecaster.data.headless import data_in_header


def _told(header: str, rows: list[str]) -> str | None:
    raw = pd.DataFrame([r.split(",") for r in rows], columns=header.split(","))
    return data_in_header(header.split(","), raw)


@pytest.mark.parametrize(("header", "rows"), [
    ("2026-11-01T00:00:00Z,cpu0,20.0", ["2026-11-01T00:00:10Z,cpu0,20.1"] * 3),
    ("1730419200,cpu0,20.5", ["1730419210,cpu0,20.6", "1730419220,cpu0,20.7"]),
    ("Jan 2024,host a,5", ["Feb 2024,host a,6"]),
    ("2026-11-01 00:00,,20.0", ["2026-11-01 00:10,,20.1"]),
])
def test_a_row_of_data_with_text_is_no_header(header: str, rows: list[str]) -> None:
    assert _told(header, rows) == ("it holds a date/time and numbers where the rows under "
                                   "it do")


@pytest.mark.parametrize(("header", "rows"), [
    ("timestamp,host,value", ["2026-11-01 00:00,a,1"]),
    ("id,2020,1/22/20,1/23/20", ["A,5,6,7", "B,1,2,3"]),  # a wide file: readings under dates
    ("2024-01-01,cpu,5", ["7,a,2", "8,a,2"]),
    ("station,2024,total", ["s1,5,6"]),  # a year and no date
])
def test_real_headers_are_headers(header: str, rows: list[str]) -> None:
    assert _told(header, rows) is None
