"""Forward-chaining folds never let a scaler or model see its fold's future."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from forecaster.config import TrainSettings
from forecaster.data.folds import make_folds
from forecaster.data.loading import load_frame
from forecaster.data.spec import DataSpec
from forecaster.pipeline.prepare import fold_data, make_grid


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
    assert abs(data.scalers[0].mean[0]) < 1.0
    for ws in (data.train, data.early):
        last_target = ws.starts.numpy() + stg.window + stg.horizon
        assert last_target.max() <= train_hi
    first_val_target = data.val.starts.numpy() + stg.window
    assert first_val_target.min() >= train_hi + gap
