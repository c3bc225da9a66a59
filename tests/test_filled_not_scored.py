"""Values filled in by the gap policy are never scored: not in fold metrics, not in backtests."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
from conftest import TINY, make_series
from typer.testing import CliRunner

from forecaster.cli import app
from forecaster.data.loading import load_frame
from forecaster.data.spec import DataSpec
from forecaster.pipeline.evaluation import fold_truth, interval_quantiles

runner = CliRunner()


def _gappy(tmp_path: Path, lo: int, hi: int, n: int = 480) -> Path:
    df = make_series(n=n)
    path = tmp_path / "gappy.csv"
    df.drop(index=range(lo, hi)).to_csv(path, index=False)  # rows lo..hi-1 missing
    return path


def test_fold_truth_leaves_filled_actuals_out(tmp_path: Path) -> None:
    frame = load_frame(_gappy(tmp_path, 400, 410), DataSpec())
    truth, naive, _ = fold_truth(frame, np.array([[0, 398]]), 6, 24)
    assert np.isnan(truth[0, 2:, 0]).all() and not np.isnan(truth[0, :2, 0]).any()
    assert not np.isnan(naive).any()


def test_interval_quantiles_skip_missing_residuals() -> None:
    r = np.zeros((40, 2, 1))
    r[:, 1, 0] = np.linspace(-1, 1, 40)
    r[::2, 0, 0] = np.nan  # half the first step's actuals were filled in
    q = interval_quantiles([r])
    assert np.isfinite(q).all() and q[-1, 1, 0] > 0.9


def test_a_validation_block_inside_a_gap_is_not_scored(tmp_path: Path) -> None:
    # Hours 275-385 missing (filled by interpolation; --freq allows the gap): fold 1
    # validates on filled values only. Its MAE on a straight line it nearly drew itself
    # used to be reported, and its residuals set the intervals.
    model = tmp_path / "m"
    path = _gappy(tmp_path, 275, 386)
    result = runner.invoke(app, ["train", str(path), "--model", str(model), "--freq", "h",
                                 *TINY, "--val-size", "100"])
    assert result.exit_code == 0, result.output
    info = runner.invoke(app, ["info", "--model", str(model), "--format", "json"])
    folds = json.loads(info.stdout)["folds"]
    assert folds[0]["mae"] is None and folds[1]["mae"] > 0
    assert runner.invoke(app, ["info", "--model", str(model)]).exit_code == 0


def test_backtest_scores_observed_actuals_only(tmp_path: Path) -> None:
    base = ["backtest", str(_gappy(tmp_path, 440, 452)), "--freq", "h", "--start", "0.8", "-q",
            *TINY[:-1]]
    result = runner.invoke(app, [*base, "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert all(np.isfinite(m["mae"]) for m in doc["metrics"]["overall"].values())
    result = runner.invoke(app, [*base, "--format", "csv"])
    assert result.exit_code == 0, result.output
    out = pd.read_csv(io.StringIO(result.stdout))
    stamps = pd.to_datetime(out["timestamp"])
    gap = (stamps >= "2024-01-19 08:00") & (stamps <= "2024-01-19 19:00")
    assert gap.any() and out.loc[gap, "actual"].isna().all()
    assert out.loc[~gap, "actual"].notna().all()
