"""Forward-chaining folds never let a scaler or model see its fold's future."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from forecaster.config import TrainSettings
from forecaster.data.folds import make_folds
from forecaster.data.loading import load_frame
from forecaster.data.spec import DataSpec
from forecaster.errors import DataError
from forecaster.pipeline.prepare import fold_data, make_grid, plan_folds


@given(n=st.integers(200, 2000), k=st.integers(1, 5), val=st.integers(1, 50),
       gap=st.integers(0, 30), kind=st.sampled_from(["expanding", "sliding"]))
def test_folds_are_ordered_and_gapped(n: int, k: int, val: int, gap: int, kind: str) -> None:
    assume(n - k * val - gap > 0)  # plan_folds rejects shorter data with a DataError
    folds = make_folds(n, k, val, gap, kind)
    assert folds[-1].val_hi == n
    for f in folds:
        assert 0 <= f.train_lo < f.train_hi
        assert f.train_hi + gap == f.val_lo and f.val_hi - f.val_lo == val
    for a, b in zip(folds, folds[1:], strict=False):
        assert a.val_hi == b.val_lo and a.train_hi < b.train_hi


def _frame(tmp_path, n: int, poison_from: int):
    y = np.sin(np.arange(n) / 5.0)
    y[poison_from:] = 1e6  # the future: anything fitted on it would show
    path = tmp_path / "d.csv"
    pd.DataFrame({"timestamp": pd.date_range("2024-01-01", periods=n, freq="h"),
                  "value": y}).to_csv(path, index=False)
    return load_frame(path, DataSpec())


@settings(max_examples=25, deadline=None)
@given(train_hi=st.integers(120, 260), gap=st.integers(0, 12))
def test_fold_data_sees_no_future(tmp_path_factory, train_hi: int, gap: int) -> None:
    tmp = tmp_path_factory.mktemp("fold")
    frame = _frame(tmp, 400, train_hi)
    stg = TrainSettings(window=24, horizon=6, segment=6)
    data = fold_data(frame, make_grid(frame), stg, 0, train_hi, (train_hi + gap, 400))
    # Scaler fitted on the past only: the poisoned future would move its mean by ~1e5.
    assert abs(data.scalers[0].mean_[0]) < 1.0
    for ws in (data.train, data.early):
        last_target = ws.starts.numpy() + stg.window + stg.horizon
        assert last_target.max() <= train_hi
    first_val_target = data.val.starts.numpy() + stg.window
    assert first_val_target.min() >= train_hi + gap


def _disjoint(tmp_path, n_a: int = 200, n_b: int = 200):
    """Store A in January, store B in March: the union grid is mostly empty between them."""
    rows = [(t, "A", np.sin(i / 5.0)) for i, t in
            enumerate(pd.date_range("2024-01-01", periods=n_a, freq="h"))]
    rows += [(t, "B", 100 + np.sin(i / 5.0)) for i, t in
             enumerate(pd.date_range("2024-03-01", periods=n_b, freq="h"))]
    path = tmp_path / "disjoint.csv"
    pd.DataFrame(rows, columns=["timestamp", "store", "value"]).to_csv(path, index=False)
    return path, load_frame(path, DataSpec(series_col="store"))


@pytest.mark.parametrize("n_folds", [1, 3])
def test_folds_of_series_that_do_not_overlap_have_validation_windows(tmp_path,
                                                                     n_folds: int) -> None:
    # The folds used to be cut on the union grid: validation blocks fell in the empty
    # February (no windows: an internal error), and early stopping took a tenth of the
    # whole span, more than either series' training part.
    _, frame = _disjoint(tmp_path)
    grid = make_grid(frame)
    stg = TrainSettings(window=24, horizon=6, segment=6, folds=n_folds)
    folds = plan_folds(frame, grid, stg, "disjoint.csv")
    b_start = grid.offsets[1]
    for f in folds:
        assert b_start <= f.val_lo < f.val_hi <= grid.n and f.train_hi + 6 <= f.val_lo
        data = fold_data(frame, grid, stg, f.train_lo, f.train_hi, (f.val_lo, f.val_hi))
        assert len(data.val) > 0 and len(data.train) > 0
        # B's scaler saw only B's rows before the fold's end: B sits near 100.
        assert 99 < data.scalers[1].mean_[0] < 101
        origins = data.val_origins[:, 1] + np.asarray(grid.offsets)[data.val_origins[:, 0]]
        assert (origins >= f.val_lo).all() and (origins < f.val_hi).all()
    final = fold_data(frame, grid, stg, 0, grid.n, None)
    assert len(final.train) > 100  # both series train, not 0 windows


def test_series_that_follow_one_another_each_hold_back_their_own_tenth(tmp_path) -> None:
    # Early stopping took a tenth of all the steps holding data from each series: twelve
    # series of 150 hours, one after another, held back 180 steps each, more than a series,
    # and training was refused for "only 0 training windows".
    rows = [(t, f"s{i}", 10 + 3 * np.sin(j / 4.0)) for i in range(12) for j, t in
            enumerate(pd.date_range(pd.Timestamp("2024-01-01") + pd.Timedelta(hours=150 * i),
                                    periods=150, freq="h"))]
    path = tmp_path / "relay.csv"
    pd.DataFrame(rows, columns=["timestamp", "store", "value"]).to_csv(path, index=False)
    frame = load_frame(path, DataSpec(series_col="store"))
    stg = TrainSettings(window=24, horizon=6, segment=6, folds=0)
    data = fold_data(frame, make_grid(frame), stg, 0, make_grid(frame).n, None)
    # Each series: windows of 30 steps whose targets end by row 135 train (106 of them);
    # its last 15 rows (a tenth) are early stopping's.
    assert len(data.train) == 12 * 106
    assert 12 <= len(data.early) <= 12 * 15


def test_a_fold_without_a_validated_series_is_refused(tmp_path) -> None:
    # B alone holds the validation block and has no row before the fold's end to scale by.
    _, frame = _disjoint(tmp_path, n_b=60)
    stg = TrainSettings(window=8, horizon=2, segment=4, folds=1, val_size=58, gap=2)
    with pytest.raises(DataError, match="fold 1 of 1: no series has both rows before .* do "
                                        "not overlap enough in time; use fewer --folds, "
                                        "--folds 0"):
        plan_folds(frame, make_grid(frame), stg, "disjoint.csv")


def test_train_on_series_that_do_not_overlap(tmp_path) -> None:
    from typer.testing import CliRunner

    from forecaster.cli import app

    path, _ = _disjoint(tmp_path)
    for extra in (["--folds", "3"], ["--folds", "0"]):
        result = CliRunner().invoke(app, [
            "train", str(path), "--series-col", "store", "--model", str(tmp_path / "m"),
            "--epochs", "1", "--window", "24", "--segment", "6", "--horizon", "6",
            "--hidden", "4", "--layers", "1", "--anomaly-epochs", "1", *extra])
        assert result.exit_code == 0, result.output


def test_a_series_on_another_phase_sits_at_the_step_before_its_rows(tmp_path: Path) -> None:
    # Rows at :30 beside rows at :00 got offset -1: slices from the end of the grid, one
    # origin fewer in a backtest, and training rows past the validation start.
    from forecaster.pipeline.prepare import make_grid

    hours = pd.date_range("2024-01-01", periods=100, freq="h")
    rows = pd.concat([pd.DataFrame({"id": "a", "timestamp": hours, "v": 1.0}),
                      pd.DataFrame({"id": "b", "timestamp": hours + pd.Timedelta(minutes=30),
                                    "v": 2.0})])
    rows.to_csv(tmp_path / "two.csv", index=False)
    frame = load_frame(tmp_path / "two.csv", DataSpec(series_col="id"))
    grid = make_grid(frame)
    assert grid.offsets == [0, 0] and grid.n == 100 and grid.covered.all()
    for s, off in zip(frame.series, grid.offsets, strict=True):
        # each row lies at or after its grid step and before the next one
        step_times = grid.start + (off + np.arange(len(s.index))) * pd.Timedelta(hours=1)
        assert ((s.index >= step_times) & (s.index < step_times + pd.Timedelta(hours=1))).all()


def test_the_scaler_keeps_the_estimator_contract() -> None:
    """fit returns the scaler, learned state ends in _, unfitted use says what to do, and a
    bundle's copy scales as the fitted one did; filled-in values are not evidence."""
    from forecaster.data.scaling import Scaler
    from forecaster.errors import NotFittedError

    values = np.array([[1.0, 5.0], [3.0, 5.0], [100.0, 5.0]])
    observed = np.array([[True, True], [True, True], [False, True]])
    sc = Scaler()
    assert sc.fit(values, observed) is sc
    assert sc.mean_ == [2.0, 5.0] and sc.scale_ == [1.0, 1.0]  # constant channel: scale 1
    again = Scaler.from_dict(sc.to_dict())
    assert np.array_equal(again.transform(values), sc.transform(values))
    with pytest.raises(NotFittedError, match="not fitted yet: call fit"):
        Scaler().transform(values)


def test_the_scaler_undoes_its_scaling_per_series_and_for_the_leading_channels() -> None:
    """inverse_transform round-trips the targets (the leading channels) of forecasts, and
    origin_params gives each window its own series' scale and mean."""
    from forecaster.data.scaling import Scaler, origin_params

    rng = np.random.default_rng(1)
    a, b = rng.normal(10, 2, (60, 3)), rng.normal(-500, 40, (60, 3))
    ones = np.ones((60, 3), bool)
    scalers = [Scaler().fit(a, ones), Scaler().fit(b, ones)]
    np.testing.assert_allclose(scalers[1].inverse_transform(scalers[1].transform(b)), b,
                               rtol=1e-6)
    forecast = scalers[0].transform(a)[:5, :2]  # (horizon, targets): two of three channels
    np.testing.assert_allclose(scalers[0].inverse_transform(forecast, 2), a[:5, :2], rtol=1e-6)
    scale, mean = origin_params(scalers, np.array([1, 0, 1]), 2)  # (windows, targets)
    assert scale.shape == mean.shape == (3, 2)
    np.testing.assert_allclose(scale[0], scalers[1].scale_[:2])
    np.testing.assert_allclose(mean[1], scalers[0].mean_[:2])
    assert origin_params(scalers, np.array([], int), 2)[0].shape == (0, 2)


@pytest.mark.parametrize("level", [1e13, 2.0**53])
def test_a_small_spread_on_a_large_level_is_scaled_by_that_spread(level: float) -> None:
    # scikit-learn alone took a sd of 3 on a level of 1e13 for a constant (scale 1): the
    # series trained unscaled and predict saw "drift" on the training file itself.
    from forecaster.data.scaling import Scaler

    rng = np.random.default_rng(0)
    values = (level + rng.normal(0, 3, 1400)).reshape(-1, 1)
    sc = Scaler().fit(values, np.ones_like(values, bool))
    assert sc.scale_[0] == pytest.approx(np.std(values - level), rel=0.01)
    assert abs(sc.mean_[0] - level) < 1
    flat = np.full((50, 1), level)
    assert Scaler().fit(flat, np.ones_like(flat, bool)).scale_ == [1.0]  # constant: as before


def test_the_scaler_works_with_scikit_learn_tools() -> None:
    """clone gives a fresh unfitted scaler; the unfitted error is what scikit-learn code
    catches (ValueError and AttributeError, as sklearn's NotFittedError)."""
    from sklearn.base import clone

    from forecaster.data.scaling import Scaler

    values, observed = np.array([[1.0], [3.0]]), np.ones((2, 1), bool)
    fresh = clone(Scaler().fit(values, observed))
    assert not hasattr(fresh, "mean_")
    for caught in (ValueError, AttributeError):
        with pytest.raises(caught):
            fresh.transform(values)
    with pytest.raises(ValueError, match="no settings"):
        Scaler().set_params(with_mean=False)


def test_scikit_learn_check_is_fitted_tells_a_fitted_scaler_from_a_fresh_one() -> None:
    """check_is_fitted asks for scikit-learn's tags, which Scaler makes without inheriting
    BaseEstimator (that would import scikit-learn on predict's path)."""
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    from forecaster.data.scaling import Scaler

    values, observed = np.array([[1.0], [3.0]]), np.ones((2, 1), bool)
    with pytest.raises(NotFittedError):
        check_is_fitted(Scaler())
    check_is_fitted(Scaler().fit(values, observed))
    check_is_fitted(Scaler.from_dict({"mean": [2.0], "scale": [1.0]}))


def test_a_fold_keeps_at_most_so_many_validation_windows_evenly_spread() -> None:
    # 675,000 validation windows of 96 steps took a train of 50 sensors to 7.3 GB.
    import torch

    from forecaster.data.windows import WindowSet
    from forecaster.pipeline.prepare import FoldData, thinned

    n = 1000
    ws = WindowSet(torch.zeros(n + 10, 2), torch.zeros(n + 10, 1), torch.ones(n + 10, 1),
                   torch.arange(n), 8, 2)
    origins = np.stack([np.arange(n) // 500, np.arange(n) % 500], axis=1)
    data = thinned(FoldData([], ws, ws, ws, origins), most=100)
    assert len(data.val) == len(data.val_origins) == 100
    assert data.val.starts[[0, -1]].tolist() == [0, n - 1]
    assert (data.val_origins[:, 0] == 0).sum() == 50  # each series keeps its share
    assert thinned(FoldData([], ws, ws, ws, origins), most=n).val is ws
