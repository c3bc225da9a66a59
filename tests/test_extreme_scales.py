"""Series far from the usual scales: readings that overflow float32 once scaled."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import TINY, make_series
from typer.testing import CliRunner

from forecaster.cli import app

runner = CliRunner()
# A tiny forecaster and a small anomaly model: what is under test is the scaling around them.
FAST = ["--epochs", "1", "--hidden", "8", "--layers", "1", "--window", "24", "--segment",
        "12", "--horizon", "6", "--anomaly-window", "32", "--anomaly-segment", "4",
        "--anomaly-hidden", "8", "--anomaly-epochs", "2", "--ensemble", "1"]


def test_a_reading_beyond_float32_once_scaled_stays_finite() -> None:
    from forecaster.data.scaling import Scaler

    train = 1e-9 * make_series(200)[["value"]].to_numpy()
    sc = Scaler().fit(train, np.ones_like(train, bool))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy's "overflow encountered in cast" reached users
        out = sc.transform(np.array([[9e29], [-9e29], [np.nan], [train[0, 0]]]))
    assert np.isfinite(out[:2]).all() and out[0, 0] > 1e36 > -1e36 > out[1, 0]
    assert np.isnan(out[2, 0]) and out[3, 0] == sc.transform(train[:1])[0, 0]


@pytest.fixture(scope="module")
def tiny_scale(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    """A bundle trained on a series of sd about 2e-9, and that series."""
    import torch

    torch.set_num_threads(1)
    root = tmp_path_factory.mktemp("tiny_scale")
    df = make_series(600)
    df["value"] *= 1e-9
    df.to_csv(root / "train.csv", index=False)
    result = runner.invoke(app, ["train", str(root / "train.csv"), "--model",
                                 str(root / "m"), *FAST])
    assert result.exit_code == 0, result.output
    return root / "m", df


def test_a_spike_beyond_float32_once_scaled_is_flagged(tiny_scale, tmp_path: Path) -> None:
    # 9e29 (under the loader's limit of 1e30) left this row and 29 after it unscored,
    # blamed on "a gap in the data"; a spike of 2e28 was flagged.
    model, df = tiny_scale
    df = df.copy()
    df.loc[580, "value"] = 9e29
    df.to_csv(tmp_path / "spike.csv", index=False)
    result = runner.invoke(app, ["detect-anomalies", "--model", str(model), "--data",
                                 str(tmp_path / "spike.csv"), "--last", "20"])
    assert result.exit_code == 1, result.output
    table = pd.read_csv(io.StringIO(result.stdout))
    assert table["score"].notna().all()
    assert table["is_anomaly"].tolist() == [i == 0 for i in range(20)]
    assert "RuntimeWarning" not in result.stderr and "got no score" not in result.stderr


def test_a_last_reading_beyond_float32_once_scaled_gives_finite_forecasts(
        tiny_scale, tmp_path: Path) -> None:
    model, df = tiny_scale
    df = df.copy()
    df.loc[599, "value"] = 9e29
    df.to_csv(tmp_path / "last.csv", index=False)
    result = runner.invoke(app, ["predict", "--model", str(model), "--data",
                                 str(tmp_path / "last.csv")])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(io.StringIO(result.stdout))
    assert np.isfinite(table[["forecast", "lower", "upper"]].to_numpy()).all()
    assert "RuntimeWarning" not in result.stderr and "data drift" in result.stderr


def test_one_reading_that_sets_the_scale_is_named_at_train(tmp_path: Path) -> None:
    # 1e6 in a series of 10 +- 3 made the scale 22,000 and the forecasts -178...424, with
    # no word about why.
    df = make_series(480)
    df.loc[200, "value"] = 1e6
    df.to_csv(tmp_path / "one.csv", index=False)
    result = runner.invoke(app, ["train", str(tmp_path / "one.csv"), "--model",
                                 str(tmp_path / "m"), *TINY])
    assert result.exit_code == 0, result.output
    assert ("Warning: 'value' reads 1000000 at 2024-01-09T08:00:00+00:00" in result.stderr
            and "sets the scale" in result.stderr and "--na-values" in result.stderr)
    df.loc[200, "value"] = 100.0  # a spike of 30 sds: data, not a broken reading
    df.to_csv(tmp_path / "spike.csv", index=False)
    result = runner.invoke(app, ["train", str(tmp_path / "spike.csv"), "--model",
                                 str(tmp_path / "m2"), *TINY])
    assert result.exit_code == 0 and "sets the scale" not in result.stderr, result.output


@pytest.mark.parametrize("seed", range(5))
def test_heavy_tailed_series_are_not_taken_for_one_broken_reading(seed: int) -> None:
    from forecaster.pipeline.outliers import lone_outlier

    rng = np.random.default_rng(seed)
    n = 2000
    latency = 1 + 0.1 * rng.normal(size=n) + (rng.random(n) < 0.01) * rng.uniform(50, 300, n)
    for v in (rng.standard_t(2, n), rng.lognormal(0, 2, n), latency,
              np.where(np.arange(n) % 24 < 7, 1000.0, 0.0) + rng.normal(0, 1, n)):
        assert lone_outlier(v, np.ones(n, bool)) is None
    flat = np.zeros(n)
    flat[5] = 300.0  # mostly one value (MAD 0): no spread for a reading to swamp
    assert lone_outlier(flat, np.ones(n, bool)) is None
    broken = 10 + 3 * np.sin(np.arange(n) / 4) + rng.normal(0, 0.3, n)
    broken[500] = 1e6
    assert lone_outlier(broken, np.ones(n, bool)) == 500
    assert lone_outlier(broken, np.arange(n) != 500) is None  # filled in: not a reading


@pytest.mark.parametrize("scale", [1e-200, 1e-310])
def test_a_column_too_small_for_the_arithmetic_is_refused(tmp_path: Path, scale: float) -> None:
    # Amplitude 1e-200: squared, the values underflowed, and the sine was forecast at 0.01
    # (1e198 times its size) with exit 0; at 1e-310 numpy's overflow warnings reached stderr.
    frame = make_series(200)
    frame["value"] = (frame["value"] - 10) * scale
    csv = tmp_path / "tiny.csv"
    csv.write_text("timestamp,value\n" + "".join(
        f"{t:%Y-%m-%d %H:%M},{v!r}\n" for t, v in zip(frame["timestamp"], frame["value"],
                                                      strict=True)))
    result = runner.invoke(app, ["train", str(csv), "-m", str(tmp_path / "m"), *TINY])
    assert result.exit_code == 65, result.output
    assert result.stderr.startswith(f"Error: {csv}: column 'value': its largest value is ")
    assert result.stderr.endswith("in size; expected values of 1e-30 or more in size (the "
                                  "arithmetic underflows below): rescale the column (e.g. to "
                                  "nano- or pico-units)\n")
    assert not (tmp_path / "m").exists()


def test_a_feature_too_small_for_the_arithmetic_still_trains(tmp_path: Path) -> None:
    # Only a target is refused: a feature this small reads as 0, as it did before.
    frame = make_series(200).assign(aux=0.0)
    frame.loc[[50, 120], "aux"] = 1e-35
    csv = tmp_path / "aux.csv"
    frame.to_csv(csv, index=False)
    result = runner.invoke(app, ["train", str(csv), "-m", str(tmp_path / "m"), *TINY,
                                 "--target", "value", "--features", "aux"])
    assert result.exit_code == 0, result.output
