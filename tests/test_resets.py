"""A counter's reset: left out of a step-change forecaster's training and backtest fits, and
read as a typical change in the windows it forecasts from."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from forecaster.config import TrainSettings
from forecaster.data.loading import load_frame
from forecaster.data.resets import clear_of, reset_steps
from forecaster.data.spec import DataSpec
from forecaster.models.forecaster_net import without_resets
from forecaster.pipeline.prepare import fold_data, make_grid


def _meter(n: int = 600, reset: int = 300) -> np.ndarray:
    rng = np.random.default_rng(0)
    c = 12345 + np.cumsum(0.5 + rng.gamma(2, 0.1, n))
    c[reset:] -= c[reset - 1]  # swapped for a new meter reading from 0
    return c


def test_a_reset_is_found_and_a_small_correction_is_not() -> None:
    c = _meter()
    c[100] -= 0.3  # a reading corrected down a little: not a reset
    ok = np.ones((len(c), 1), dtype=bool)
    assert reset_steps(c[:, None], ok, 0, len(c)).tolist() == [300]
    assert reset_steps(c[:, None], ok, 0, 300).tolist() == []  # only the part given
    assert reset_steps(-c[:, None], ok, 0, len(c)).tolist() == [300]  # a falling counter


def test_windows_holding_a_reset_are_dropped() -> None:
    starts = np.arange(0, 20)
    # The reset joins steps 9 and 10: windows of 4 steps starting at 7, 8 or 9 hold both.
    assert clear_of(starts, np.array([10]), 4).tolist() == [*range(0, 7), *range(10, 20)]
    assert clear_of(starts, np.empty(0, dtype=np.int64), 4).tolist() == list(range(20))


def test_a_diff_forecaster_trains_on_no_window_across_the_reset(tmp_path: Path) -> None:
    # With the reset's windows, a meter's forecast came out flat with a zero-width interval:
    # those few windows carried nearly all of the squared error.
    path = tmp_path / "meter.csv"
    pd.DataFrame({"timestamp": pd.date_range("2026-01-01", periods=600, freq="h"),
                  "kwh": _meter()}).to_csv(path, index=False)
    frame = load_frame(path, DataSpec())
    for norm, crossed in (("diff", False), ("last", True)):
        st = TrainSettings(window=24, horizon=6, segment=6, norm=norm)
        data = fold_data(frame, make_grid(frame), st, 0, 500, (500, 600))
        for ws in (data.train, data.early):
            s = ws.starts.numpy()
            holds = (s < 300) & (s + st.window + st.horizon > 300)
            assert holds.any() == (crossed and ws is data.train)
        assert len(data.val) == 100 - st.horizon + 1  # validation still scores them all


def test_a_backtest_fits_on_no_window_across_the_reset(tmp_path: Path) -> None:
    # Backtest fitted on the reset's windows that training left out: on a restarting
    # request counter its forecast came out flat, the naive forecast's to the digit.
    from forecaster.pipeline.backtest_plan import BacktestSettings, Refit
    from forecaster.pipeline.backtesting import refit_data

    path = tmp_path / "meter.csv"
    pd.DataFrame({"timestamp": pd.date_range("2026-01-01", periods=600, freq="h"),
                  "kwh": _meter()}).to_csv(path, index=False)
    frame = load_frame(path, DataSpec())
    refit = Refit(train_lo=0, fit_hi=450, train_hi=500, origins=np.arange(506, 595, 6))
    for norm, crossed in (("diff", False), ("last", True)):
        st = TrainSettings(window=24, horizon=6, segment=6, norm=norm)
        data = refit_data(frame, make_grid(frame), BacktestSettings(train=st), refit)
        s = torch.cat([data.fit.starts, data.early.starts]).numpy()
        assert ((s < 300) & (s + st.window + st.horizon > 300)).any() == crossed
        assert len(data.fit) > 300  # only the reset's windows are left out


def test_a_reset_in_a_window_reads_as_a_typical_change_and_nothing_else_moves() -> None:
    g = torch.Generator().manual_seed(0)
    counter = 1.0 + torch.rand(4, 48, 1, generator=g)  # (batch, window, channels) changes
    walk = torch.randn(4, 48, 1, generator=g)
    walk[:, 20] = -100.0  # a jump in a series that is no counter stays as it was
    plain = torch.cat([counter, walk], dim=-1)
    assert torch.equal(without_resets(plain), plain)
    reset = plain.clone()
    reset[1, 30, 0] = -5000.0  # back to 0 from 5000: against the counter, ~3000 steps
    out = without_resets(reset)
    assert out[1, 30, 0] == counter[1].median()
    assert torch.equal(out[:, :, 1], plain[:, :, 1]) and torch.equal(out[0], plain[0])
    assert without_resets(-reset)[1, 30, 0] == (-counter[1]).median()  # a falling counter


def test_folds_whose_early_stopping_windows_all_span_a_reset_do_not_stop_at_epoch_1(
        tmp_path: Path) -> None:
    # Every early-stopping window of the fold spanned the reset and was left out: the empty
    # set scored 0 at epoch 1, no epoch beat it, and the fold (then the final model, for
    # the folds' median) kept one epoch: forecasts twice the counter's rate.
    from typer.testing import CliRunner

    from forecaster.bundle import load_bundle
    from forecaster.cli import app

    path = tmp_path / "meter.csv"
    pd.DataFrame({"timestamp": pd.date_range("2026-01-01", periods=600, freq="h"),
                  "kwh": _meter(reset=360)}).to_csv(path, index=False)
    # One fold trains on rows [0, 414) and holds its last 41 back: windows of 60 + 6 steps
    # with targets there all hold the reset at 360.
    result = CliRunner().invoke(app, [
        "train", str(path), "-m", str(tmp_path / "m"), "--folds", "1", "--window", "60",
        "--segment", "6", "--horizon", "6", "--norm", "diff", "--epochs", "8", "--hidden",
        "8", "--ensemble", "1", "--no-anomaly"])
    assert result.exit_code == 0, result.output
    assert "no early-stopping window holds an observed target" in result.output
    assert "best validation loss 0.00000" not in result.output
    meta = load_bundle(tmp_path / "m").meta
    assert meta["metrics"]["folds"][0]["best_epoch"] > 1
    assert meta["forecaster"]["final_epochs"] > 1


def _requests(n: int, resets: tuple[int, ...]) -> pd.DataFrame:
    """A Prometheus-style request counter: ~126 a minute, back to 0 at each restart."""
    rng = np.random.default_rng(1)
    steps = rng.poisson(126 + 30 * np.sin(2 * np.pi * np.arange(n) / 60))
    count, c = np.zeros(n), 0
    for i in range(n):
        c = (0 if i in resets else c) + steps[i]
        count[i] = c
    return pd.DataFrame({"timestamp": pd.date_range("2026-01-01", periods=n, freq="min"),
                         "requests_total": count})


def test_a_reset_in_the_last_window_leaves_the_forecast_at_the_counter_s_rate(
        tmp_path: Path) -> None:
    # The reset's drop counted in the window's scale (its mean absolute change): for a
    # whole window after a restart the forecast rose ~2.5x the counter's rate.
    from typer.testing import CliRunner

    from forecaster.cli import app

    path = tmp_path / "requests.csv"
    _requests(900, (250, 880)).to_csv(path, index=False)
    runner = CliRunner()
    result = runner.invoke(app, [
        "train", str(path), "-m", str(tmp_path / "m"), "--folds", "0", "--window", "120",
        "--segment", "12", "--horizon", "12", "--epochs", "10", "--hidden", "16",
        "--ensemble", "1", "--no-anomaly"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["predict", "-m", str(tmp_path / "m")])
    assert result.exit_code == 0, result.output
    forecast = pd.read_csv(io.StringIO(result.stdout))["forecast"].to_numpy()
    rise = (forecast[-1] - forecast[0]) / (len(forecast) - 1)
    assert 126 / 1.5 < rise < 126 * 1.5, rise
