"""The faster code paths give the same answers as the plain ones (no timings here)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from conftest import TINY

from forecaster.anomaly.scores import combine_steps
from forecaster.anomaly.series_scores import reconstruction_errors
from forecaster.data.loading import Series
from forecaster.data.scaling import Scaler
from forecaster.models.forecaster_net import ForecasterConfig, ForecasterEnsemble
from forecaster.models.reconstructor import Reconstructor, ReconstructorConfig
from forecaster.models.restore import restore


def _series(n: int, channels: int = 1, seed: int = 0) -> Series:
    rng = np.random.default_rng(seed)
    t = np.arange(n)[:, None]
    values = (np.sin(2 * np.pi * t / 24) + rng.normal(0, 0.1, (n, channels))).astype(np.float32)
    observed = np.ones((n, channels), dtype=bool)
    observed[n // 3] = False  # a filled step stays NaN on both paths
    index = pd.date_range("2024-01-01", periods=n, freq="h", tz="UTC")
    return Series("", index, values, observed)


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_restored_ensemble_forecasts_like_an_eagerly_built_one(cell: str) -> None:
    cfg = ForecasterConfig(n_channels=2, n_targets=1, window=48, horizon=12, segment=12,
                           cell=cell, hidden=16, layers=2)
    torch.manual_seed(0)
    trained = ForecasterEnsemble(cfg, 3).eval()
    state = {k: v.clone() for k, v in trained.state_dict().items()}
    eager = ForecasterEnsemble(cfg, 3)
    eager.load_state_dict(state, strict=True)
    fast = restore(lambda: ForecasterEnsemble(cfg, 3), state).eval()
    assert all(p.device.type == "cpu" for p in fast.parameters())
    x = torch.randn(5, 48, 3)
    with torch.inference_mode():
        assert torch.allclose(fast(x), eager.eval()(x), atol=1e-5, rtol=0)


def test_restore_refuses_mismatched_weights_and_casts_dtype() -> None:
    cfg = ReconstructorConfig(n_channels=1, window=16, segment=4, hidden=8, latent=4)
    state = Reconstructor(cfg).state_dict()
    with pytest.raises(RuntimeError):
        restore(lambda: Reconstructor(cfg), {k: v for k, v in state.items() if k != "position"})
    wide = ReconstructorConfig(n_channels=1, window=16, segment=4, hidden=12, latent=4)
    with pytest.raises(RuntimeError):
        restore(lambda: Reconstructor(wide), state)
    doubles = restore(lambda: Reconstructor(cfg), {k: v.double() for k, v in state.items()})
    assert all(p.dtype == torch.float32 for p in doubles.parameters())


def test_combine_steps_over_a_range_matches_the_whole_series() -> None:
    rng = np.random.default_rng(1)
    starts = np.arange(0, 40)
    err = rng.random((40, 8, 2)).astype(np.float32)
    whole = combine_steps(err, starts, 47)
    for lo, hi in [(0, 10), (10, 30), (30, 47), (5, 6)]:
        keep = (starts + 8 > lo) & (starts < hi)
        part = combine_steps(err[keep], starts[keep], hi - lo, lo=lo)
        np.testing.assert_array_equal(part, whole[lo:hi])


@pytest.mark.parametrize(("cutoff", "span", "channels"), [(0, 1, 1), (150, 3, 2), (400, 1, 1)])
def test_chunked_scoring_matches_one_pass(cutoff: int, span: int, channels: int) -> None:
    torch.manual_seed(0)
    net = Reconstructor(ReconstructorConfig(n_channels=channels, window=16, segment=4, hidden=8,
                                            latent=4)).eval()
    s = _series(500, channels)
    scaler = Scaler().fit(s.values, s.observed)
    one = reconstruction_errors(net, s, scaler, cutoff, "median", span, torch.device("cpu"),
                                chunk=10**9)
    for chunk in (7, 64, 333):
        many = reconstruction_errors(net, s, scaler, cutoff, "median", span,
                                     torch.device("cpu"), chunk=chunk)
        np.testing.assert_allclose(many, one, atol=1e-5, rtol=0, equal_nan=True)
    assert np.isnan(one[:cutoff]).all() and np.isnan(one[500 // 3]).all()


def _threads_after(env: dict[str, str]) -> str:
    code = ("import os\nfrom forecaster.cli import thread_defaults\nthread_defaults()\n"
            "import torch\nprint(os.environ['OMP_NUM_THREADS'], torch.get_num_threads())")
    base = {k: v for k, v in os.environ.items()
            if k not in ("OMP_NUM_THREADS", "FORECAST_THREADS")}
    out = subprocess.run([sys.executable, "-c", code], env={**base, **env}, check=True,
                         capture_output=True, text=True)
    return out.stdout.strip()


def test_thread_defaults_one_thread_unless_asked() -> None:
    assert _threads_after({}) == "1 1"
    assert _threads_after({"OMP_NUM_THREADS": "2"}) == "2 2"
    assert _threads_after({"OMP_NUM_THREADS": "2", "FORECAST_THREADS": "1"}) == "1 1"


@pytest.mark.parametrize("value", ["abc", "0", "-2", "1.5"])
def test_a_bad_thread_count_is_one_error_line(value: str) -> None:
    # OpenMP said "Invalid value for environment variable OMP_NUM_THREADS" and then ran on
    # every core, exit 0.
    base = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
    out = subprocess.run([sys.executable, "-m", "forecaster", "info", "--model", "nowhere"],
                         env={**base, "FORECAST_THREADS": value}, capture_output=True, text=True)
    assert out.returncode == 2, out.stderr
    assert out.stderr.splitlines() == [
        f"Error: FORECAST_THREADS='{value}': expected a whole number of threads from 1 (the "
        "value came from environment variable FORECAST_THREADS: fix or remove it there)"]


def test_foreach_adam_trains_like_the_per_parameter_loop(monkeypatch) -> None:
    import forecaster.models.train as T
    from forecaster.data.windows import assemble, window_starts
    from forecaster.models.forecaster_net import new_forecaster
    from forecaster.pipeline.ensemble import forecaster_loss

    s = _series(400)
    data = assemble([(s.values, s.observed, window_starts(400, 48, 12, 0, 0, 400))], 1, 48, 12)
    cfg = ForecasterConfig(n_channels=1, n_targets=1, window=48, horizon=12, segment=12,
                           cell="gru", hidden=16, layers=1)
    tc = T.TrainConfig(epochs=2, batch_size=32, seed=3)
    fast = T.fit(new_forecaster(cfg, 3), forecaster_loss, data, data, tc, torch.device("cpu"))
    plain_adam = torch.optim.Adam
    monkeypatch.setattr(T.torch.optim, "Adam",
                        lambda *a, foreach=None, **k: plain_adam(*a, foreach=False, **k))
    slow = T.fit(new_forecaster(cfg, 3), forecaster_loss, data, data, tc, torch.device("cpu"))
    np.testing.assert_allclose(fast.train_loss, slow.train_loss, rtol=1e-6)
    np.testing.assert_allclose(fast.val_loss, slow.val_loss, rtol=1e-6)


def test_per_step_input_feeds_the_rnn_directly() -> None:
    # Segment 1 without the embedding: the first layer reads value and mask, as a plain
    # LSTM over the values would, instead of a 64-wide embedding (a third more work).
    cfg = ForecasterConfig(n_channels=1, n_targets=1, window=24, horizon=6, segment=1,
                           cell="lstm", hidden=16, layers=2, embed=False)
    net = ForecasterEnsemble(cfg, 1).members[0]
    assert net.embed is None
    assert net.rnn.cells[0].input_size == 2
    x = torch.randn(4, 24, 2)
    assert net(x).shape == (4, 6, 1)


def test_config_saved_before_the_embed_field_builds_the_embedding_net() -> None:
    from forecaster.pipeline.warm import _differences

    cfg = ForecasterConfig(n_channels=1, n_targets=1, window=24, horizon=6, segment=6)
    saved = {k: v for k, v in cfg.to_dict().items() if k != "embed"}
    assert ForecasterConfig(**saved).embed
    assert _differences(saved, cfg, 3, 3) == ""
    assert _differences({**saved, "hidden": 8}, cfg, 3, 3) == "hidden 8 in the bundle, 64 now"
    assert _differences(saved, cfg, 3, 1) == "ensemble 3 in the bundle, 1 now"
    assert _differences({**saved, "unknown": 1}, cfg, 3, 3) == "a config this version cannot read"


def test_last_combine_is_causal() -> None:
    # "last": a step's score comes from the window ending at it, so rows after it can
    # change nothing; the median over covering windows does look ahead.
    torch.manual_seed(0)
    net = Reconstructor(ReconstructorConfig(n_channels=1, window=16, segment=4, hidden=8,
                                            latent=4)).eval()
    s = _series(200)
    later = Series(s.name, s.index, s.values.copy(), s.observed)
    later.values[150:] += 5.0  # a fault after step 149
    scaler = Scaler().fit(s.values, s.observed)
    args = (scaler, 0, "last", 1, torch.device("cpu"))
    before, after = (reconstruction_errors(net, x, *args) for x in (s, later))
    np.testing.assert_array_equal(before[:150], after[:150])
    assert np.isnan(before[:15]).all() and not np.isnan(before[15:60]).all()
    med = [reconstruction_errors(net, x, scaler, 0, "median", 1, torch.device("cpu"))
           for x in (s, later)]
    assert not np.allclose(med[0][140:150], med[1][140:150], equal_nan=True)


def test_a_diverging_fit_is_the_users_setting_not_an_internal_error() -> None:
    # --lr 1e20 ended in "internal error (FloatingPointError ...) ... report it", exit 70.
    import forecaster.models.train as T
    from forecaster.data.windows import assemble, window_starts
    from forecaster.errors import ConfigError
    from forecaster.models.forecaster_net import new_forecaster

    s = _series(200)
    data = assemble([(s.values, s.observed, window_starts(200, 48, 12, 0, 0, 200))], 1, 48, 12)
    cfg = ForecasterConfig(n_channels=1, n_targets=1, window=48, horizon=12, segment=12,
                           cell="gru", hidden=8, layers=1)
    tc = T.TrainConfig(epochs=1, batch_size=32, seed=0, lr=0.5)
    with pytest.raises(ConfigError, match=r"training diverged.*learning rate 0\.5$"):
        T.fit(new_forecaster(cfg, 0), lambda *a: torch.tensor(float("inf")), data, data, tc,
              torch.device("cpu"))


@pytest.mark.parametrize(("loss", "args", "advice"), [
    ("forecaster.pipeline.ensemble.forecaster_loss", [],
     r"^Error: training diverged: .* at learning rate 0\.004; give a smaller --lr \(the "
     r"default is 0\.004\)"),
    ("forecaster.pipeline.anomaly_fit.reconstruction_loss", ["--anomaly"],
     r"^Error: the anomaly model's training diverged: .* at learning rate 0\.002; check the "
     r"data for extreme values, or train with --no-anomaly"),
])
def test_a_diverged_fit_names_the_option_of_its_own_network(
        tmp_path: Path, series_csv: Path, monkeypatch: pytest.MonkeyPatch, loss: str,
        args: list[str], advice: str) -> None:
    """The loop does not know which network it trains: the pipeline adds the advice, and
    the anomaly model has no --lr to advise (it said "the default is 0.002" for both)."""
    from typer.testing import CliRunner

    from forecaster.cli import app

    monkeypatch.setattr(loss, lambda *a: torch.tensor(float("inf"), requires_grad=True))
    tiny = [a for a in TINY if a != "--no-anomaly"]
    result = CliRunner().invoke(app, ["train", str(series_csv), "--model",
                                      str(tmp_path / "m"), *tiny, *args,
                                      "--anomaly-epochs", "1"])
    assert result.exit_code == 2, result.output
    assert re.search(advice, result.stderr, re.M), result.stderr
    assert [p.name for p in (tmp_path / "m").iterdir()] == [".lock"]  # no bundle


def test_a_learning_rate_above_1_is_a_usage_error() -> None:
    from typer.testing import CliRunner

    from forecaster.cli import app

    result = CliRunner().invoke(app, ["train", "data.csv", "--lr", "1e20"])
    assert result.exit_code == 2 and "Invalid value for '--lr'" in result.stderr, result.output
