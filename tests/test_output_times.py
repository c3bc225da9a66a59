"""One precision for every time of an output column: isoformat's default dropped a zero
fraction, so 250 ms rows alternated '...:15+00:00' and '...:15.250000+00:00', which
pandas (taking the format from the first row) refuses to read back."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from forecaster.io import render


@pytest.mark.parametrize(("step", "first"), [
    ("250ms", "2026-01-01T00:00:00.000+00:00"),
    ("1500us", "2026-01-01T00:00:00.000000+00:00"),
    ("h", "2026-01-01T00:00:00+00:00"),
])
def test_times_of_a_column_share_one_format(step: str, first: str) -> None:
    times = pd.date_range("2026-01-01", periods=8, freq=step, tz="UTC")
    df = pd.DataFrame({"timestamp": times, "forecast": range(8)})
    text = render(df, "csv")
    assert text.splitlines()[1].startswith(first)
    back = pd.read_csv(io.StringIO(text))
    assert (pd.to_datetime(back["timestamp"]) == times).all()  # one format, read back whole
    stamps = [r["timestamp"] for r in json.loads(render(df, "json"))]
    assert len({len(s) for s in stamps}) == 1 and stamps[0] == first


def test_a_missing_time_does_not_change_the_format() -> None:
    times = pd.Series(pd.to_datetime(["2026-01-01T00:00:00Z", None]))
    text = render(pd.DataFrame({"timestamp": times}), "csv")
    assert text.splitlines()[1] == "2026-01-01T00:00:00+00:00"
