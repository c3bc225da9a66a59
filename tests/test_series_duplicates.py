"""A timestamp repeated inside one of several series: the error names that series, in
train as in predict (predict's error named only the time and rows)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from conftest import make_series, one_error_line, train_tiny
from typer.testing import CliRunner

from forecaster.cli import app

runner = CliRunner()


def test_predict_names_the_series_repeating_a_timestamp(tmp_path: Path) -> None:
    both = [make_series(n=480, seed=i).assign(store=s) for i, s in enumerate("AB")]
    csv = tmp_path / "stores.csv"
    pd.concat(both).to_csv(csv, index=False)
    model = train_tiny(csv, tmp_path / "m", "--series-col", "store")
    again = both[1].iloc[[450]].assign(value=99.0)  # store B's 450th hour, a new value
    dup = tmp_path / "dup.csv"
    pd.concat([both[0], both[1].iloc[:451], again, both[1].iloc[451:]]).to_csv(dup, index=False)
    for command in (["predict"], ["detect-anomalies", "--method", "forecast"]):
        args = [*command, "--model", str(model), "--data", str(dup)]
        line = one_error_line(runner.invoke(app, args), 65)
        assert "duplicate timestamp 2024-01-19 18:00:00 in series 'B' (rows 932 and 933 of " \
               "time column 'timestamp'; 1 timestamp(s) repeat, in 2 rows)" in line
