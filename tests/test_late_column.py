"""A wide file whose column starts late (a host added later): folds, intervals, notes."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from forecaster.cli import app
from forecaster.config import TrainSettings
from forecaster.data.loading import load_frame
from forecaster.data.spec import DataSpec
from forecaster.pipeline.prepare import fold_data, make_grid

HOSTS = ["host1", "host2", "host3"]


def _wide(tmp_path: Path, n: int = 600, late: int = 450, first: float | None = None) -> Path:
    """Hourly host1..3, a daily swing of +-10 and noise sd 2; host3 empty before ``late``
    (its first reading set to ``first`` when given)."""
    rng = np.random.default_rng(9)
    t = np.arange(n)
    frame = pd.DataFrame({"timestamp": pd.date_range("2024-01-01", periods=n, freq="h")})
    for i, level in enumerate([30, 60, 90]):
        frame[HOSTS[i]] = (level + 10 * np.sin(2 * np.pi * t / 24) + rng.normal(0, 2, n)).round(2)
    frame.loc[:late - 1, "host3"] = np.nan
    if first is not None:
        frame.loc[late, "host3"] = first
    path = tmp_path / "wide.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("horizon", [None, 0], ids=["forecaster", "reconstructor"])
def test_a_column_first_read_after_a_folds_end_sits_that_fold_out(tmp_path: Path,
                                                                  horizon: int | None) -> None:
    # host3's leading gap was filled back from its first reading, after the fold's end: its
    # scaler was fitted on that future value, and its validation errors came in its units.
    frame = load_frame(_wide(tmp_path, first=1e6), DataSpec(targets=HOSTS))
    stg = TrainSettings(window=48, horizon=12, segment=12)
    data = fold_data(frame, make_grid(frame), stg, 0, 400, (412, 600), horizon)
    assert abs(data.scalers[0].mean_[2]) < 1e3  # nothing after row 400 fitted it
    for ws in (data.train, data.early, data.val):
        assert ws.weights[:, 2].sum() == 0 and ws.weights[:, :2].sum() > 0
        assert ws.inputs[:, 2].abs().max() == 0  # unread, at 0
    assert data.sat_out.tolist() == [[False, False, True]]


@pytest.mark.parametrize(("late", "out"), [(395, True), (370, True), (330, False)])
def test_a_column_too_little_read_before_a_folds_end_sits_it_out(tmp_path: Path, late: int,
                                                                  out: bool) -> None:
    # The fold trains on rows 0-359 and holds back 360-399 for early stopping. host3 read
    # 5 times (under the 12-step horizon) has no scale; read 30 times, all held back, it
    # is an output the fold's network never learnt; read 30 times before 360, it takes part.
    frame = load_frame(_wide(tmp_path, late=late), DataSpec(targets=HOSTS))
    stg = TrainSettings(window=48, horizon=12, segment=12)
    data = fold_data(frame, make_grid(frame), stg, 0, 400, (412, 600))
    assert (data.val.weights[:, 2].sum() == 0) == out
    assert data.sat_out[0, 2] == out


def _train(tmp_path: Path, late: int) -> tuple[Path, str]:
    model = tmp_path / "m"
    result = CliRunner().invoke(app, [
        "train", str(_wide(tmp_path, late=late)), "--target", "all", "--model", str(model),
        "--epochs", "1", "--ensemble", "1", "--hidden", "8", "--layers", "1", "--window",
        "48", "--segment", "12", "--horizon", "12", "--anomaly-epochs", "1"])
    assert result.exit_code == 0, result.output
    return model, " ".join(result.output.split())


def test_a_late_column_keeps_intervals_as_wide_as_its_neighbours(tmp_path: Path) -> None:
    # host3 starts at row 450 of 600: folds 1 and 2 end before it is read (fold 2 has 18
    # readings, all held back for early stopping). Its 90 % band was 494 wide, host1's 36.
    model, _ = _train(tmp_path, 450)
    (meta,) = [json.loads(p.read_text()) for p in model.glob("versions/*/bundle.json")]
    assert [f["targets"]["host3"]["mae"] for f in meta["metrics"]["folds"]][:2] == [None, None]
    result = CliRunner().invoke(app, ["predict", "--model", str(model)])
    assert result.exit_code == 0, result.output
    out = pd.read_csv(io.StringIO(result.stdout))
    width = (out.upper - out.lower).groupby(out.target).max()
    assert width["host3"] < 2 * width["host1"], width.to_dict()


def test_a_column_no_fold_validates_is_said_to_have_no_interval_and_no_scores(
        tmp_path: Path) -> None:
    # host3 starts at row 560, after every fold's training part: nothing calibrates it.
    _, said = _train(tmp_path, 560)
    assert ("no fold validated 'host3' (too few readings before each fold's end, or none "
            "in its block): its forecasts carry no prediction interval") in said
    assert "no anomaly fold validated 'host3'" in said


def test_the_note_on_a_mostly_filled_grid_names_a_column_that_starts_late(
        tmp_path: Path) -> None:
    # "1500 of the grid's 2000 rows are filled in ... check --freq": the grid was right.
    frame = load_frame(_wide(tmp_path), DataSpec(targets=HOSTS))
    (note,) = [n for n in frame.notes if "filled" in n]
    assert "450 of the grid's 600 rows are filled in, not observed" in note
    assert ("most lie before the first reading of 'host3' (first read at "
            "2024-01-19T18:00:00+00:00): that column starts late") in note
    assert "check --freq" not in note


def test_a_sparse_column_no_anomaly_fold_scores_is_told_why(tmp_path: Path) -> None:
    # A column read every 4th row has no window under a quarter filled in: no anomaly fold
    # scores it, and the warning gave only "too few readings", wrong for 150 readings.
    path = _wide(tmp_path, late=0)
    frame = pd.read_csv(path)
    frame["host3"] = np.where(np.arange(len(frame)) % 4 == 0, 90.0, np.nan)
    frame.to_csv(path, index=False)
    result = CliRunner().invoke(app, [
        "train", str(path), "--target", "all", "--model", str(tmp_path / "m"), "--epochs",
        "1", "--ensemble", "1", "--hidden", "8", "--window", "48", "--segment", "12",
        "--horizon", "12", "--anomaly-epochs", "1"])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert ("no anomaly fold validated 'host3' (too few readings before each fold's end, "
            "none in its block, or over a quarter of each window filled in)") in said
