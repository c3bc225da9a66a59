"""``--anomaly-norm auto``: windows compared by shape on trending or wandering series, by
level otherwise; chosen on the rows before the first calibration block only."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import TINY, make_series
from typer.testing import CliRunner

from forecaster.bundle import load_bundle
from forecaster.cli import app
from forecaster.pipeline.anomaly_norm import trending, trends, wandering

runner = CliRunner()
ANOMALY = [a for a in TINY if a != "--no-anomaly"] + [
    "--anomaly-window", "24", "--anomaly-segment", "6", "--anomaly-epochs", "2"]


def _growing(n: int = 480) -> pd.DataFrame:
    # Airline-like: a daily cycle on a level that grows fourfold over the file.
    frame = make_series(n=n)
    frame["value"] = frame["value"] * np.exp(np.log(4) * np.arange(n) / n)
    return frame


def _column(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return y[:, None], np.ones((len(y), 1), dtype=bool)


@pytest.mark.parametrize(("values", "expected"), [
    (_growing()["value"].to_numpy(), True),
    (-_growing()["value"].to_numpy(), True),            # falling alike
    (make_series(n=480)["value"].to_numpy(), False),    # seasonal, no trend
    (np.r_[np.zeros(440), np.full(40, 5.0)], False),    # a late shift, under half the fifth
    (np.arange(10.0), None),                            # too few rows to tell
])
def test_trends(values: np.ndarray, expected: bool | None) -> None:
    assert trends(*_column(values)) == expected


def _slow(n: int = 480, slope: float = 1 / 120) -> np.ndarray:
    # Store sales: a level growing by half over the file under a daily swing of as much, so
    # the raw values of both ends share one range.
    return make_series(n=n, slope=slope)["value"].to_numpy()


@pytest.mark.parametrize(("values", "expected"), [
    (_slow(), True),
    (-_slow(), True),
    (_slow(slope=0.0), False),                          # the same swing, no growth
    (_slow(slope=1 / 800), False),                      # a level moving under half an sd
    (np.r_[np.zeros(440), np.full(40, 5.0)], False),    # a late shift, under the fifth
])
def test_a_slow_trend_under_a_season_is_seen_in_the_level(values: np.ndarray,
                                                          expected: bool) -> None:
    assert trends(*_column(values)) is False  # as read, both ends share one range
    found = trending(*_column(values), season=24)
    assert (found == [0]) is expected


def test_filled_values_do_not_make_a_trend() -> None:
    y = make_series(n=200)["value"].to_numpy().copy()
    observed = np.ones(200, dtype=bool)
    y[-40:], observed[-40:] = 1e6, False  # a tail filled in, far off
    assert trends(y[:, None], observed[:, None]) is False


def _anomaly_norm(model: Path) -> str:
    return load_bundle(model).meta["anomaly"]["config"]["norm"]


@pytest.mark.parametrize(("make", "given", "expected"), [
    (_growing, [], "revin"),
    (make_series, [], "none"),
    (_growing, ["--anomaly-norm", "none"], "none"),  # a given norm is kept
    (lambda n: make_series(n=n, slope=1 / 120), [], "revin"),  # slow, under its season
])
def test_train_settles_auto_per_file(tmp_path: Path, make, given: list[str],
                                     expected: str) -> None:
    csv, model = tmp_path / "d.csv", tmp_path / "m"
    make(n=480).to_csv(csv, index=False)
    result = runner.invoke(app, ["train", str(csv), "--model", str(model), *ANOMALY, *given])
    assert result.exit_code == 0, result.output
    assert _anomaly_norm(model) == expected
    assert ("a trend" in result.stderr) == (expected == "revin" and not given)


def test_the_trend_note_names_only_the_targets_that_trend(tmp_path: Path) -> None:
    # LD2011's meters: one joins late (zero, then active) beside a steady one; the note
    # named both, as if every target trended.
    csv, model = tmp_path / "d.csv", tmp_path / "m"
    _growing(480).assign(steady=make_series(n=480, seed=3)["value"]).to_csv(csv, index=False)
    result = runner.invoke(app, ["train", str(csv), "--model", str(model), *ANOMALY,
                                 "--target", "value,steady"])
    assert result.exit_code == 0, result.output
    assert _anomaly_norm(model) == "revin"
    assert ("value: the level of the later training rows lies outside the range of the "
            "earlier ones (a trend): the anomaly model compares the shape of their windows, not "
            "the level (the other columns keep their levels)") in result.stderr
    # Only the trending column is normalised: the steady one keeps its level, so a pump
    # stuck at a level it never held still scores (SKAB: one drifting thermocouple made
    # all eight channels shape-only).
    assert load_bundle(model).meta["anomaly"]["config"]["norm_channels"] == [0]
    result = runner.invoke(app, ["detect-anomalies", "--model", str(model), "--exit-zero"])
    assert result.exit_code == 0, result.output  # restored from the bundle, it scores


def test_revin_leaves_the_channels_not_named_at_their_level() -> None:
    import torch

    from forecaster.models.reconstructor import ReconstructorConfig, new_reconstructor

    net = new_reconstructor(ReconstructorConfig(n_channels=2, window=8, segment=2,
                                                norm="revin", norm_channels=[0]), seed=0)
    x = torch.randn(3, 8, 2)
    x = torch.cat([x, torch.ones(3, 8, 1)], dim=-1)  # (batch, window, channels + mask)
    with torch.no_grad():
        base = net(x)
        up0 = net(x + torch.tensor([100.0, 0.0, 0.0]))  # channel 0: normalised
        up1 = net(x + torch.tensor([0.0, 100.0, 0.0]))  # channel 1: its level is seen
    torch.testing.assert_close(up0, base + torch.tensor([100.0, 0.0]), atol=1e-3, rtol=1e-4)
    assert not torch.allclose(up1[..., 1], base[..., 1] + 100.0, atol=1.0)
    every = new_reconstructor(ReconstructorConfig(n_channels=2, window=8, segment=2,
                                                  norm="revin"), seed=0)
    with torch.no_grad():  # None: every channel, as bundles from before norm_channels
        torch.testing.assert_close(every(x + torch.tensor([0.0, 100.0, 0.0])),
                                   every(x) + torch.tensor([0.0, 100.0]), atol=1e-3, rtol=1e-4)


def _price(n: int = 480) -> pd.DataFrame:
    # A daily price: a random walk of 1 % steps drifting up, tiny beside its level.
    rng = np.random.default_rng(0)
    y = 100 * np.exp(np.cumsum(rng.normal(0.002, 0.01, n)))
    return pd.DataFrame({"timestamp": pd.date_range("2024-01-01", periods=n, freq="D"),
                         "value": y})


def test_one_value_x10_flags_few_steps_around_it_with_revin(tmp_path: Path) -> None:
    # A price with one tick x10 (a decimal shift): the tick inflated the mean and std of
    # every window holding it, so with revin all their other steps reconstructed badly
    # (22 steps flagged here; 62 days around one bad tick in a 1,258-day stock file).
    csv, model = tmp_path / "d.csv", tmp_path / "m"
    frame = _price()
    frame.loc[300, "value"] *= 10
    frame.to_csv(csv, index=False)
    result = runner.invoke(app, ["train", str(csv), "--model", str(model), *ANOMALY,
                                 "--anomaly-norm", "revin"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["detect-anomalies", "--model", str(model), "--exit-zero"])
    assert result.exit_code == 0, result.output
    flagged = pd.read_csv(io.StringIO(result.stdout)).query("is_anomaly")
    assert 300 in flagged.index
    assert len(flagged) <= 3, flagged


def test_robust_window_stats_ignore_a_spike_and_filled_steps() -> None:
    import torch

    from forecaster.models.forecaster_net import window_stats
    from forecaster.models.reconstructor import robust_window_stats

    values = torch.linspace(0.0, 1.0, 32).reshape(1, 32, 1)  # (batch, window, channels)
    mask = torch.ones(1, 32, 1)
    plain = window_stats(values, mask, "revin")
    # An ordinary (linear) window keeps its mean and std exactly.
    torch.testing.assert_close(robust_window_stats(values, mask), plain)
    spiked = values.clone()
    spiked[0, 10, 0] = 100.0  # a mean moved by 3 and a std of 17 unclipped
    loc, scale = robust_window_stats(spiked, mask)
    assert abs(loc.item() - plain[0].item()) < 0.1 and scale.item() < 2 * plain[1].item()
    # A filled-in step far off counts in neither the median nor the mean.
    masked = mask.clone()
    masked[0, 10, 0] = 0.0
    far = values.clone()
    far[0, 10, 0] = 1e6
    loc, _ = robust_window_stats(far, masked)
    assert abs(loc.item() - plain[0].item()) < 0.05


def _walk(n: int = 2600, seed: int = 33) -> np.ndarray:
    # A price: a random walk whose first 1,400 rows (those the choice reads when 2,000 are
    # trained on) show no trend, their last fifth inside the first half's range, and whose
    # later rows rise far above every training row (130.5 to 177.9).
    return 100 + np.cumsum(np.random.default_rng(seed).normal(0, 1, n))


def _ar1(n: int = 1400, phi: float = 0.9) -> np.ndarray:
    x, e = np.zeros(n), np.random.default_rng(1).normal(0, 1, n)
    for i in range(1, n):
        x[i] = phi * x[i - 1] + e[i]
    return x


def _setpoints(n: int = 1400) -> np.ndarray:
    # A plant's setpoint: held 2 to 12 hours, then stepped to another of six levels.
    rng = np.random.default_rng(2)
    held = np.repeat(rng.choice([50.0, 55.0, 60.0, 62.5, 65.0, 70.0], n),
                     rng.integers(2, 13, n))[:n]
    return held + rng.normal(0, 0.05, n)


@pytest.mark.parametrize(("values", "expected"), [
    (_walk()[:1400], [0]),
    (_ar1(), []),                                       # returns to its mean within days
    (make_series(n=1400)["value"].to_numpy(), []),      # a season around a fixed level
    (_setpoints(), []),                                 # steps among a few levels
    (_walk()[:900], []),                                # short spans under a season: untold
])
def test_a_wandering_level_is_told_from_one_that_returns(values: np.ndarray,
                                                         expected: list[int]) -> None:
    assert trending(*_column(values), season=24) == []  # no trend in any of them
    assert wandering(*_column(values), season=24) == expected


def test_a_price_is_compared_by_shape_and_its_new_highs_raise_no_event(tmp_path: Path) -> None:
    # A random walk whose training rows show no trend kept its levels ("none"), and the
    # new rows above every training row scored as one event of 476 steps, "high".
    frame = pd.DataFrame({"timestamp": pd.date_range("2024-01-01", periods=2600, freq="h"),
                          "close": _walk().round(2)})
    csv, model, new = tmp_path / "train.csv", tmp_path / "m", tmp_path / "new.csv"
    frame.iloc[:2000].to_csv(csv, index=False)
    frame.to_csv(new, index=False)
    trained = runner.invoke(app, ["train", str(csv), "--model", str(model), *ANOMALY])
    assert trained.exit_code == 0, trained.output
    result = runner.invoke(app, ["detect-anomalies", "--model", str(model), "--data", str(new),
                                 "--since", "2024-03-24T08:00", "--events"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().count("\n") == 0  # the header alone
    assert _anomaly_norm(model) == "revin"
    assert "close: the level wanders as a random walk's does (a price)" in trained.stderr
