"""``--resample``: bins whose rows lack their values are gaps, never zeros."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import TINY
from typer.testing import CliRunner

from forecaster.data.loading import load_frame
from forecaster.data.spec import DataSpec

runner = CliRunner()
BLANK_DAY, SHORT_DAY = "2007-01-10", "2007-01-12"


def meter(path: Path, days: int = 20) -> dict[str, float]:
    """A household-power file every 10 minutes: '?' all of one day, 60 times on another.

    Returns:
        Each day's sum of the readings present, by date.
    """
    rng = np.random.default_rng(0)
    sums: dict[str, float] = {}
    lines = ["Date;Time;Global_active_power"]
    for i, ts in enumerate(pd.date_range("2007-01-01", periods=144 * days, freq="10min")):
        day = f"{ts:%Y-%m-%d}"
        blank = day == BLANK_DAY or (day == SHORT_DAY and i % 144 < 60)
        v = round(1 + rng.gamma(1, 0.3), 3)
        sums[day] = sums.get(day, 0.0) + (0.0 if blank else v)
        lines.append(f"{ts.day}/{ts.month}/{ts.year};{ts:%H:%M:%S};{'?' if blank else v}")
    path.write_text("\n".join(lines) + "\n")
    return sums


@pytest.mark.parametrize("how", ["sum", "count", "mean", "min", "max", "first", "last"])
def test_a_day_of_only_missing_readings_is_a_gap(tmp_path: Path, how: str) -> None:
    csv = tmp_path / "power.csv"
    meter(csv)
    (s,) = load_frame(csv, DataSpec(resample="D", aggregate=how)).series
    days = list(s.index.strftime("%Y-%m-%d"))
    assert len(days) == 20 and days[9] == BLANK_DAY
    assert not s.observed[9, 0] and s.observed[[8, 10], 0].all()  # filled, masked
    assert s.values[9, 0] > 0 and not np.isnan(s.values).any()  # not a 0 read


def test_a_day_summed_with_some_readings_missing_is_kept_and_noted(tmp_path: Path) -> None:
    csv = tmp_path / "power.csv"
    sums = meter(csv)
    frame = load_frame(csv, DataSpec(resample="D", aggregate="sum"))
    (s,) = frame.series
    assert s.observed[11, 0] and s.values[11, 0] == pytest.approx(sums[SHORT_DAY])
    assert ("power.csv: 1 daily bin summed with some readings missing (the most: "
            f"{SHORT_DAY}, 60 of 144); their sums undercount") in frame.notes
    quiet = load_frame(csv, DataSpec(resample="D", aggregate="mean"))
    assert not any("undercount" in n for n in quiet.notes)  # a mean does not undercount
    braces = csv.rename(tmp_path / "power{a}.csv")  # the name is text, not a template
    assert any(n.startswith("power{a}.csv: 1 daily bin summed") for n in load_frame(
        braces, DataSpec(resample="D", aggregate="sum")).notes)


def test_training_on_daily_sums_fills_the_blank_day(tmp_path: Path) -> None:
    csv, model = tmp_path / "power.csv", tmp_path / "m"
    meter(csv, days=60)
    res = runner.invoke(app(), ["train", str(csv), "--model", str(model), *TINY,
                                "--window", "12", "--epochs", "1", "--resample", "D",
                                "--aggregate", "sum"])
    assert res.exit_code == 0, res.output
    assert "60 of 144); their sums undercount" in res.stderr
    info = runner.invoke(app(), ["info", "--model", str(model), "--format", "json"])
    assert json.loads(info.stdout)["data"]["n_filled"] == 1  # the blank day: no 0 read


def app():
    from forecaster.cli import app as the_app

    return the_app
