"""Windows are views of the series: gathering them all reassembles it exactly."""

from __future__ import annotations

import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from forecaster.data.windows import assemble, window_starts


@settings(max_examples=50, deadline=None)
@given(n=st.integers(10, 120), c=st.integers(1, 4), w=st.integers(1, 8), h=st.integers(0, 5),
       seed=st.integers(0, 1000))
def test_windows_reassemble_the_series(n: int, c: int, w: int, h: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    values = rng.normal(size=(n, c)).astype(np.float32)
    observed = rng.random((n, c)) > 0.1
    starts = window_starts(n, w, h, 0, 0, n)
    if len(starts) == 0:
        assert n < w + h
        return
    ws = assemble([(values, observed, starts)], 1, w, h)
    x, y, m = ws.batch(torch.arange(len(ws)))
    assert x.shape == (len(starts), w, c + 1)  # (batch, timesteps, features + mask)
    # First step of every window, then the tail of the last one, is the series again.
    rebuilt = torch.cat([x[:, 0, :c], x[-1, 1:, :c]]).numpy()
    np.testing.assert_array_equal(rebuilt, values[: len(starts) + w - 1])
    np.testing.assert_array_equal(x[:, :, c].numpy(), observed.all(1)[starts[:, None]
                                                                      + np.arange(w)])
    span, lead = (h, w) if h else (w, 0)
    assert y.shape == (len(starts), span, 1)
    np.testing.assert_array_equal(y[:, :, 0].numpy(),
                                  values[starts[:, None] + lead + np.arange(span), 0])


def test_window_starts_respect_target_range() -> None:
    s = window_starts(100, 10, 5, 0, 40, 60)
    assert s.min() + 10 >= 40 and s.max() + 15 <= 60


def test_the_automatic_window_is_fourteen_seasons_whatever_the_segment() -> None:
    import pandas as pd

    from forecaster.config import TrainSettings
    from forecaster.data.loading import Frame, Series
    from forecaster.data.spec import DataSpec
    from forecaster.pipeline.shape import resolve_shape

    idx = pd.date_range("2024-01-01", periods=5000, freq="h", tz="UTC")
    frame = Frame([Series("", idx, np.zeros((5000, 1)), np.ones((5000, 1), bool))],
                  DataSpec(targets=["y"]), "h", 0)
    shapes = {seg: resolve_shape(TrainSettings(segment=seg), frame) for seg in (None, 1, 5)}
    assert (shapes[None].window, shapes[None].segment) == (336, 24)
    # --segment 1 is the classic per-step LSTM over the same 14 days, not over 14 hours.
    assert (shapes[1].window, shapes[5].window) == (336, 335)


def test_an_epoch_of_a_short_file_takes_several_optimiser_steps() -> None:
    # With a 256-window batch, 100 windows were one Adam step per epoch: early stopping
    # ended the airline passengers' fits after a handful, below seasonal naive.
    from torch import nn

    from forecaster.models.train import MIN_STEPS, TrainConfig, fit

    values = np.sin(np.arange(120.0) / 3)[:, None]
    data = assemble([(values, np.ones_like(values, dtype=bool), np.arange(100))], 1, 12, 1)
    batches = []

    def loss(model: nn.Module, x: torch.Tensor, y: torch.Tensor, w: torch.Tensor):
        batches.append(len(x))  # (batch, timesteps, features): one call per step
        return ((model(x[..., :1]).mean(dim=1) - y[:, 0]) ** 2).mean()

    fit(nn.Linear(1, 1), loss, data, None, TrainConfig(batch_size=256), torch.device("cpu"),
        fixed_epochs=1)
    assert len(batches) == MIN_STEPS and sum(batches) == 100
    batches.clear()
    big = assemble([(np.zeros((4012, 1)), np.ones((4012, 1), dtype=bool), np.arange(4000))],
                   1, 12, 1)
    fit(nn.Linear(1, 1), loss, big, None, TrainConfig(batch_size=256), torch.device("cpu"),
        fixed_epochs=1)
    assert max(batches) == 256  # long files keep the batch size asked for


def test_a_validation_loss_that_is_not_finite_never_counts_as_an_improvement() -> None:
    # A NaN early-stopping loss made every epoch "the best": patience never ran out and
    # the last epoch's weights were kept, whatever they were.
    from torch import nn

    from forecaster.models.train import TrainConfig, fit

    values = np.sin(np.arange(120.0) / 3)[:, None]
    data = assemble([(values, np.ones_like(values, dtype=bool), np.arange(100))], 1, 12, 1)

    def loss(model: nn.Module, x: torch.Tensor, y: torch.Tensor, w: torch.Tensor):
        err = ((model(x[..., :1]).mean(dim=1) - y[:, 0]) ** 2).mean()
        return err if model.training else err * torch.nan  # evaluation gives NaN

    hist = fit(nn.Linear(1, 1), loss, data, data, TrainConfig(epochs=12, patience=2),
               torch.device("cpu"))
    assert len(hist.val_loss) == 3 and hist.best_epoch == 1


def test_members_of_neighbouring_seeds_share_no_starting_seed() -> None:
    # Members started from seed + m: --seed 1's members were two of --seed 0's, so a
    # spread over seeds 0, 1, 2 came out narrower than it is.
    from forecaster.models.train import member_seed

    seeds = [[member_seed(s, m) for m in range(5)] for s in range(50)]
    assert [row[0] for row in seeds] == list(range(50))  # one member: the seed itself
    flat = [x for row in seeds for x in row]
    assert len(set(flat)) == len(flat)
    assert seeds == [[member_seed(s, m) for m in range(5)] for s in range(50)]  # stable
    assert all(0 <= x < 2**32 for x in flat)


def test_an_early_stopping_set_without_an_observed_target_is_no_early_stopping_set() -> None:
    # Its masked loss is 0 at every epoch: epoch 1's 0 was never beaten, patience ran out
    # and the fit kept epoch 1. It now trains as with no early-stopping windows.
    from torch import nn

    from forecaster.models.train import TrainConfig, fit

    values = np.sin(np.arange(120.0) / 3)[:, None]
    seen = np.ones_like(values, dtype=bool)
    data = assemble([(values, seen, np.arange(100))], 1, 12, 1)
    masked = assemble([(values, np.zeros_like(seen), np.arange(100))], 1, 12, 1)
    empty = assemble([(values, seen, np.arange(0))], 1, 12, 1)
    assert (data.scored(), masked.scored(), empty.scored()) == (100, 0, 0)

    def loss(model: nn.Module, x: torch.Tensor, y: torch.Tensor, w: torch.Tensor):
        err = (model(x[..., :1]).mean(dim=1) - y[:, 0]) ** 2
        return (err * w[:, 0]).sum() / w[:, 0].sum().clamp_min(1.0)  # 0 with none observed

    for early in (masked, empty):
        hist = fit(nn.Linear(1, 1), loss, data, early, TrainConfig(epochs=8, patience=2),
                   torch.device("cpu"))
        assert len(hist.train_loss) == 8 and hist.best_epoch == 8


def test_early_stopping_judges_on_at_most_an_epochs_windows_spread_over_them() -> None:
    # A 2-million-row file held back 150,000 early-stopping windows: their loss, taken
    # each epoch, cost twice the 20,000-window epoch it judged.
    from torch import nn

    from forecaster.models import train

    values = np.arange(1012.0)[:, None]
    data = assemble([(values, np.ones_like(values, dtype=bool), np.arange(1000))], 1, 12, 1)
    judged = []

    def loss(model: nn.Module, x: torch.Tensor, y: torch.Tensor, w: torch.Tensor):
        if not model.training:
            judged.append(x[:, 0, 0])  # each window's first value: its start
        return ((model(x[..., :1]).mean(dim=1) - y[:, 0]) ** 2).mean()

    train.fit(nn.Linear(1, 1), loss, data, data, train.TrainConfig(epochs=1, max_windows=50),
              torch.device("cpu"))
    starts = torch.cat(judged).tolist()
    assert len(starts) == 50 and starts[0] == 0 and starts[-1] == 999
    assert train.evenly(data, 5000) is data  # fewer than the most: all of them
