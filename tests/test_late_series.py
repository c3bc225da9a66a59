"""Several series in one file where one starts late: what backtest says of it."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pandas as pd
from conftest import TINY, make_series
from typer.testing import CliRunner

from forecaster.cli import app

runner = CliRunner()


def _late_store(tmp_path: Path) -> Path:
    """Store A: 600 hourly rows; store B: the last 100 of them, starting at row 500."""
    a = make_series(n=600).assign(store="A")
    b = make_series(n=600, seed=1).iloc[500:].assign(store="B")
    path = tmp_path / "late.csv"
    pd.concat([a, b], ignore_index=True).to_csv(path, index=False)
    return path


def test_backtest_says_a_late_series_has_no_fit_rows(tmp_path: Path) -> None:
    # B has 24 rows before most origins and 6 after, so "no origin has --window rows
    # before it" sent users to shorten --window; no fit had trained on any of its rows.
    csv = _late_store(tmp_path)
    args = ["backtest", str(csv), "--series-col", "store", *TINY[:10], "--ensemble", "1"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Warning: backtest: series 'B' left out: no fit trains on its rows" in result.stderr
    assert "--refit each" in result.stderr and "no origin has --window" not in result.stderr
    assert set(pd.read_csv(StringIO(result.stdout))["series"]) == {"A"}
    # The advice works: refits as the origins advance train on B's rows and forecast it.
    refit = runner.invoke(app, [*args, "--refit", "every-4"])
    assert refit.exit_code == 0 and "left out" not in refit.stderr, refit.output
    assert set(pd.read_csv(StringIO(refit.stdout))["series"]) == {"A", "B"}

