"""``forecast train`` + ``forecast detect-anomalies`` end to end on the sample sensor."""

from __future__ import annotations

import io
import re
import struct
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import SAMPLE
from typer.testing import CliRunner

from forecaster.cli import app

runner = CliRunner()
# Tiny forecaster (not under test here) and a small but real anomaly model.
FAST = ["--epochs", "1", "--hidden", "8", "--layers", "1", "--window", "24", "--segment",
        "12", "--horizon", "6", "--anomaly-window", "32", "--anomaly-segment", "4",
        "--anomaly-hidden", "16", "--anomaly-epochs", "12"]


@pytest.fixture(scope="module")
def sensor_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One trained bundle on sensor.csv for the whole module."""
    import torch

    torch.set_num_threads(1)
    model = tmp_path_factory.mktemp("anomaly") / "m"
    result = runner.invoke(app, ["train", str(SAMPLE / "sensor.csv"), "--model", str(model),
                                 *FAST])
    assert result.exit_code == 0, result.output
    return model


def _detect(model: Path, *extra: str):
    return runner.invoke(app, ["detect-anomalies", "--model", str(model), *extra])


def _labels() -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    lab = pd.read_csv(SAMPLE / "sensor_labels.csv")
    return [(pd.Timestamp(s, tz="UTC"), pd.Timestamp(e, tz="UTC"))
            for s, e in zip(lab["start"], lab["end"], strict=True)]


def test_finds_injected_faults_and_exits_1(sensor_model: Path) -> None:
    result = _detect(sensor_model, "--events")
    assert result.exit_code == 1, result.output
    ev = pd.read_csv(io.StringIO(result.stdout), parse_dates=["start", "end"])
    hit = [any((ev["start"] <= e) & (ev["end"] >= s)) for s, e in _labels()]
    false = [not any((s <= e_) and (s_ <= e) for s_, e_ in _labels())
             for s, e in zip(ev["start"], ev["end"], strict=True)]
    assert sum(hit) >= 3, ev
    assert sum(false) <= 1, ev
    res = _detect(sensor_model, "--exit-zero")
    assert res.exit_code == 0, res.output


def test_flagged_steps_reach_the_threshold_and_lie_in_events(sensor_model: Path) -> None:
    # Runs a few steps apart are one event, but the steps between them were flagged too:
    # "41 steps above the threshold" where 2 were, some scoring below 0.
    steps = pd.read_csv(io.StringIO(_detect(sensor_model, "--exit-zero").stdout),
                        parse_dates=["timestamp"])
    flagged = steps[steps["is_anomaly"]]
    assert len(flagged) and (flagged["score"] >= flagged["threshold"]).all()
    ev = pd.read_csv(io.StringIO(_detect(sensor_model, "--events", "--exit-zero").stdout),
                     parse_dates=["start", "end"])
    inside = [((ev["start"] <= t) & (ev["end"] >= t)).any() for t in flagged["timestamp"]]
    assert all(inside)
    assert ev["steps"].sum() > len(flagged)  # the events span the gaps between their runs


def test_per_step_table_and_json(sensor_model: Path) -> None:
    result = _detect(sensor_model, "--format", "json", "--exit-zero")
    assert result.exit_code == 0, result.output
    out = pd.read_json(io.StringIO(result.stdout))
    assert list(out.columns) == ["series", "timestamp", "value", "score", "threshold",
                                 "is_anomaly"]
    assert len(out) == 2160


def test_filled_rows_have_no_score(sensor_model: Path) -> None:
    result = _detect(sensor_model, "--exit-zero")
    out = pd.read_csv(io.StringIO(result.stdout), parse_dates=["timestamp"])
    gap = out[out["timestamp"] == pd.Timestamp("2026-01-05 04:00", tz="UTC")].iloc[0]
    assert np.isnan(gap["score"]) and np.isnan(gap["value"]) and not gap["is_anomaly"]


def test_since_scores_only_new_rows_with_history_as_context(sensor_model: Path) -> None:
    full = pd.read_csv(io.StringIO(_detect(sensor_model, "--exit-zero").stdout))
    result = _detect(sensor_model, "--since", "2026-03-25 00:00", "--exit-zero")
    new = pd.read_csv(io.StringIO(result.stdout))
    assert len(new) == 7 * 24
    assert new["timestamp"].iloc[0].startswith("2026-03-25T00:00")
    # Same windows cover these rows as in a full run: identical scores.
    tail = full.iloc[-len(new):].reset_index(drop=True)
    assert np.allclose(new["score"], tail["score"], atol=1e-5)
    last = pd.read_csv(io.StringIO(_detect(sensor_model, "--last", "5", "--exit-zero").stdout))
    assert len(last) == 5


def test_fixed_rules_flag_a_step_alike_whatever_rows_are_scored(sensor_model: Path) -> None:
    """std and quantile thresholds are fixed at training: a cron run over the newest rows
    flags exactly what a run over the whole file flags there."""
    for rule in ("std", "quantile"):
        full = pd.read_csv(io.StringIO(_detect(sensor_model, "--threshold", rule,
                                               "--exit-zero").stdout))
        new = pd.read_csv(io.StringIO(_detect(sensor_model, "--threshold", rule, "--since",
                                              "2026-03-25 00:00", "--exit-zero").stdout))
        tail = full.iloc[-len(new):].reset_index(drop=True)
        assert (new["is_anomaly"] == tail["is_anomaly"]).all(), rule
        assert (new["threshold"] == tail["threshold"]).all(), rule


def test_plot_is_a_png_of_the_right_size(sensor_model: Path, tmp_path: Path) -> None:
    png = tmp_path / "plot.png"
    result = _detect(sensor_model, "--plot", str(png), "--exit-zero", "--events")
    assert result.exit_code == 0, result.output
    head = png.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", head[16:24]) == (1200, 700)
    # Nothing after --since (a feed that stopped): a plot that says so, not an internal
    # error (exit 70) after the output was written.
    result = _detect(sensor_model, "--since", "2030-01-01", "--plot", str(png))
    assert result.exit_code == 0, result.output
    assert struct.unpack(">II", png.read_bytes()[16:24]) == (1200, 700)


def test_a_run_stopped_while_plotting_names_the_output_it_wrote(
        sensor_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # SIGTERM after --output was replaced, before --plot: "no model or output file was
    # changed" was false, and a cron wrapper trusting it kept the old table's meaning.
    import forecaster.plotting as plotting

    def stopped(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(plotting, "plot_detection", stopped)
    out, png = tmp_path / "out.csv", tmp_path / "p.png"
    result = _detect(sensor_model, "--output", str(out), "--plot", str(png), "--exit-zero")
    assert result.exit_code == 130
    assert f"but {out} was already written in full" in result.stderr
    assert out.exists() and not png.exists()
    monkeypatch.undo()
    result = _detect(sensor_model, "--events", "--since", "2030-01-01")  # writes stdout
    monkeypatch.setattr(plotting, "plot_detection", stopped)
    result = _detect(sensor_model, "--plot", str(png), "--output", str(tmp_path / "o2.csv"),
                     "--since", "2030-01-01")
    assert "o2.csv was already written" in result.stderr and str(out) not in result.stderr


def test_calibration_uses_out_of_fold_errors_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each fold model trains only before its block; the calibration steps are exactly the
    validation blocks, scored by the model of their fold."""
    import torch

    from forecaster.config import TrainSettings
    from forecaster.data.loading import load_frame
    from forecaster.data.spec import DataSpec
    from forecaster.pipeline import anomaly_fit
    from forecaster.pipeline.prepare import make_grid, plan_folds
    from forecaster.report import Reporter

    seen = []
    real_fit = anomaly_fit.fit

    def spy(net, loss, train, val, cfg, device, hook=None, fixed_epochs=None):
        ends = [int(s.starts.max()) + s.window for s in (train, val) if s is not None]
        seen.append((max(ends), fixed_epochs))
        return real_fit(net, loss, train, val, cfg, device, hook, fixed_epochs=fixed_epochs)

    monkeypatch.setattr(anomaly_fit, "fit", spy)
    st = TrainSettings(window=24, horizon=6, segment=12, anomaly_window=16, anomaly_epochs=2,
                       anomaly_hidden=8)
    frame = load_frame(SAMPLE / "sensor.csv", DataSpec())
    grid = make_grid(frame)
    folds = plan_folds(frame, grid, st, "sensor.csv")
    meta: dict = {}
    tensors = anomaly_fit.fit_anomaly(frame, grid, st, folds, torch.device("cpu"),
                                      Reporter(quiet=True), meta)
    for (end, fixed), f in zip(seen[:-1], folds, strict=True):
        assert fixed is None and end <= f.train_hi
    assert seen[-1][1] is not None  # the final model: fixed epochs, all data
    blocks = sum(f.val_hi - f.val_lo for f in folds)
    assert meta["anomaly"]["oof"]["steps"] == blocks
    oof = tensors["anomaly.oof_scores"].numpy()
    assert int(np.isfinite(oof).sum()) == blocks
    # The default rule (telemanom) records its floor, computed from these scores alone,
    # with runs closer than half an anomaly window taken as one fault's.
    assert meta["anomaly"]["threshold"]["rule"] == "telemanom"
    assert meta["anomaly"]["threshold"]["gap"] == 8
    assert meta["anomaly"]["threshold"]["value"] == pytest.approx(
        anomaly_fit.calibrate(oof, "telemanom", 0.995, 8.0, 0.05, gap=8))
    assert meta["anomaly"]["threshold"]["all_rules"]["std"] == pytest.approx(
        anomaly_fit.calibrate(oof, "std", 0.995, 8.0, 0.05))


def test_anomaly_model_depends_on_its_seed_only() -> None:
    """The anomaly networks start from --seed alone: random draws made before (the
    forecaster's ensemble members) changed its floor from 5.6 to 3.6."""
    import torch

    from forecaster.config import TrainSettings
    from forecaster.data.loading import load_frame
    from forecaster.data.spec import DataSpec
    from forecaster.pipeline import anomaly_fit
    from forecaster.pipeline.prepare import make_grid, plan_folds
    from forecaster.report import Reporter

    st = TrainSettings(window=24, horizon=6, segment=12, anomaly_window=16, anomaly_epochs=1,
                       anomaly_hidden=8, folds=1)
    frame = load_frame(SAMPLE / "sensor.csv", DataSpec())
    grid = make_grid(frame)
    folds = plan_folds(frame, grid, st, "sensor.csv")
    runs = []
    for draws in (0, 1000):
        torch.rand(draws)  # what other networks built earlier in the process consume
        meta: dict = {}
        tensors = anomaly_fit.fit_anomaly(frame, grid, st, folds, torch.device("cpu"),
                                          Reporter(quiet=True), meta)
        runs.append((tensors, meta["anomaly"]["threshold"]["value"]))
    (a, floor_a), (b, floor_b) = runs
    assert floor_a == floor_b
    for k in a:  # the out-of-fold scores hold NaN rows between blocks
        torch.testing.assert_close(a[k], b[k], rtol=0, atol=0, equal_nan=True)


def test_info_shows_the_threshold_in_words(sensor_model: Path) -> None:
    result = runner.invoke(app, ["info", "--model", str(sensor_model)])
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())  # the table wraps lines
    assert "threshold=telemanom " in text and "other rules: " in text
    assert "all_rules" not in text and "{" not in text
    # --anomaly-norm auto's choice is shown, not only "auto".
    assert re.search(r"\bnorm=(none|revin)\b", text.split("anomaly ", 1)[1]), text


def test_an_option_the_rule_does_not_read_is_refused(sensor_model: Path) -> None:
    # --q with the telemanom default changed nothing and said nothing.
    result = _detect(sensor_model, "--q", "0.9")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Error: --q 0.9: only the quantile rule reads it, and "
                                    "this run's rule is telemanom")
    assert result.stdout == ""
    quantile = _detect(sensor_model, "--threshold", "quantile", "--q", "0.9", "--exit-zero")
    assert quantile.exit_code == 0, quantile.output


def test_rows_filled_inside_an_event_do_not_split_it(sensor_model: Path,
                                                     tmp_path: Path) -> None:
    # A missing row between an event's flagged runs cut the event in pieces, some of them
    # "events" with no flagged step and a peak far under the threshold.
    steps = pd.read_csv(io.StringIO(_detect(sensor_model, "--exit-zero").stdout))
    flagged = np.flatnonzero(steps["is_anomaly"].to_numpy())
    gaps = np.diff(flagged)
    inside = np.flatnonzero((gaps > 4) & (gaps < 32))  # runs of one event (one window apart)
    assert len(inside), gaps
    first, last = flagged[inside[0]], flagged[inside[0] + 1]
    df = pd.read_csv(SAMPLE / "sensor.csv")
    blank = pd.to_datetime(steps["timestamp"].iloc[[first + 2, last - 2]], utc=True)
    at = df.index[pd.to_datetime(df["timestamp"], utc=True).isin(blank)]
    assert len(at) == 2
    df.loc[at, "temperature"] = np.nan
    df.to_csv(tmp_path / "gaps.csv", index=False)
    result = _detect(sensor_model, "--data", str(tmp_path / "gaps.csv"), "--exit-zero")
    per_step = pd.read_csv(io.StringIO(result.stdout), parse_dates=["timestamp"])
    ev = pd.read_csv(io.StringIO(_detect(sensor_model, "--data", str(tmp_path / "gaps.csv"),
                                         "--events", "--exit-zero").stdout),
                     parse_dates=["start", "end"])
    hits = per_step.loc[per_step["is_anomaly"], "timestamp"]
    assert len(ev) and all(((hits >= s) & (hits <= e)).any()
                           for s, e in zip(ev["start"], ev["end"], strict=True)), ev
    assert (ev["peak_score"] >= ev["threshold"]).all(), ev
