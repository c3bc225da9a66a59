"""Anomaly scoring pieces without training: masking, calibration rules, pruning, events."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
import torch

from forecaster.anomaly.events import events_table
from forecaster.anomaly.scores import combine_steps, normalise, robust_stats, window_errors
from forecaster.anomaly.thresholds import calibrate, prune_events, runs
from forecaster.data.windows import assemble, window_starts


class _Zero(torch.nn.Module):
    """Reconstructs every window as zeros, so errors are the values themselves."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.zeros_like(x[..., :1])


def test_filled_steps_are_masked_not_scored() -> None:
    values = np.ones((20, 1), dtype=np.float32)
    values[7] = 1000.0  # a wild filled-in value must not raise the score
    observed = np.ones((20, 1), dtype=bool)
    observed[7] = False
    starts = window_starts(20, 5, 0, 0, 0, 20)
    data = assemble([(values, observed, starts)], 1, 5, 0)
    err = window_errors(_Zero(), data)
    steps = combine_steps(err, starts, 20)
    assert np.isnan(steps[7, 0])
    assert np.allclose(steps[np.arange(20) != 7, 0], 1.0)
    _, overall = normalise(steps, np.zeros(1), np.ones(1))
    assert np.isnan(overall[7])


def test_combine_median_resists_one_bad_window() -> None:
    err = np.zeros((3, 3, 1), dtype=np.float32)
    err[0, 2, 0] = 9.0  # step 2 as seen by window 0 only
    steps = combine_steps(err, np.array([0, 1, 2]), 5, "median")
    assert steps[2, 0] == 0.0
    assert combine_steps(err, np.array([0, 1, 2]), 5, "mean")[2, 0] == 3.0


def test_robust_stats_ignore_a_few_faults() -> None:
    rng = np.random.default_rng(0)
    clean = np.abs(rng.normal(0, 1, (1000, 1))).astype(np.float32)
    dirty = clean.copy()
    dirty[:40] = 50.0  # 4 % faults in the validation blocks
    c0, s0 = robust_stats(clean)
    c1, s1 = robust_stats(dirty)
    assert abs(c1[0] - c0[0]) < 0.1 and abs(s1[0] - s0[0]) < 0.2


def test_threshold_rules() -> None:
    rng = np.random.default_rng(1)
    oof = rng.normal(0, 1, 2000)
    assert abs(calibrate(oof, "quantile", 0.9999, 0, 0) - np.quantile(oof, 0.9999)) < 1e-9
    # Never below MIN_THRESHOLD: ties of a constant series are not anomalies.
    assert calibrate(np.zeros(100), "quantile", 0.99, 0, 0) == 3.0
    assert 3.0 < calibrate(oof, "std", 0.99, 4.0, 0.0) < 5.0
    dirty = oof.copy()
    dirty[500:530] = 40.0
    # Trimming keeps injected faults from inflating mean + k std.
    assert calibrate(dirty, "std", 0.99, 4.0, 0.05) < 5.0
    dyn = calibrate(dirty, "dynamic", 0.99, 4.0, 0.05)
    assert np.nanmax(oof) < dyn < 40.0  # splits the faults off the normal errors


def test_pruning_drops_weak_events_only() -> None:
    scores = np.zeros(100)
    scores[10], scores[50], scores[80] = 30.0, 5.2, 5.0
    scores[90] = 4.9  # highest unflagged score
    flags = scores >= 5.0
    kept = prune_events(scores, flags, 0.13)
    assert kept[10] and not kept[50] and not kept[80]
    assert runs(kept) == [(10, 10)]


def test_events_table() -> None:
    stamps = pd.date_range("2026-01-01", periods=8, freq="h", tz="UTC")
    table = pd.DataFrame({"series": "", "timestamp": stamps, "value": 0.0,
                          "score": [0, 5, 7, 0, 0, 20, 0, 0.0], "threshold": 4.0,
                          "is_anomaly": [0, 1, 1, 0, 0, 1, 0, 0]}).astype({"is_anomaly": bool})
    ev = events_table(table)
    assert list(ev.columns) == ["series", "start", "end", "steps", "peak_score", "peak_time",
                                "threshold", "severity"]
    assert ev["start"].tolist() == [stamps[1], stamps[5]]
    assert ev["end"].tolist() == [stamps[2], stamps[5]]
    assert ev["steps"].tolist() == [2, 1]
    assert ev["peak_score"].tolist() == [7.0, 20.0]
    assert ev["peak_time"].tolist() == [stamps[2], stamps[5]]
    assert ev["severity"].tolist() == ["medium", "high"]


def test_telemanom_rule_floor_and_dynamic_part() -> None:
    from forecaster.anomaly.thresholds import ewma, telemanom_rule

    rng = np.random.default_rng(2)
    oof = rng.normal(0, 1, 3000)
    floor = calibrate(oof, "telemanom", 0.99, 4.0, 0.05)
    assert floor >= 3.0  # never below MIN_THRESHOLD, from out-of-fold scores only
    # A series of tiny errors flags nothing: the floor holds.
    quiet = ewma(rng.normal(0, 0.1, 2000), 12)
    assert telemanom_rule(quiet, floor) == floor
    assert not (quiet >= floor).any()
    # One fault far above the floor is split off by the dynamic part.
    scored = rng.normal(0, 1, 2000)
    scored[1000:1030] = 60.0
    sm = ewma(scored, 12)
    thr = telemanom_rule(sm, floor)
    assert thr >= floor and (sm >= thr)[1000:1040].any() and not (sm >= thr)[:1000].any()
    # Many periodic bumps (a daily pattern) are not an anomaly: over 5 sequences.
    periodic = np.zeros(2000)
    periodic[50::100] = 30.0
    assert not (ewma(periodic, 12) >= telemanom_rule(ewma(periodic, 12), 3.0)).any()
    # ... nor a daily bump in hourly scores, above the floor but under the std cap.
    hourly = np.abs(rng.normal(0, 0.5, 400))
    hourly[12::24] += 6.0
    thr = telemanom_rule(hourly, 4.0, 8.0)
    assert thr > 4.0 and len(runs(hourly >= thr)) <= 5
    # One three-day fault whose errors peak once a day is one fault above the calibrated
    # threshold, not a pattern: it went unflagged (threshold just above its highest score)
    # as six epsilon sequences.
    fault = np.abs(rng.normal(0, 0.7, 600))
    fault[500:572] = 2.0 + 14.0 * np.sin(np.pi * np.arange(72) / 12) ** 2  # dips between
    assert not (fault >= telemanom_rule(fault, 4.0, 4.67)).any()  # runs not joined: missed
    thr = telemanom_rule(fault, 4.0, 4.67, gap=64)
    assert thr <= 4.67 and (fault[500:572] >= thr).any() and not (fault[:500] >= thr).any()
    # A daily pattern above the calibrated threshold all along joins into one event over
    # most steps: no fault.
    daily = np.abs(rng.normal(0, 0.5, 600))
    daily[12::24] = 9.0  # alike every day: the epsilon finds too many sequences
    assert not (daily >= telemanom_rule(daily, 4.0, 4.67, gap=64)).any()
    # NaN (a gap) restarts the average.
    assert np.isnan(ewma(np.array([1.0, np.nan, 5.0]), 12)[1])
    assert ewma(np.array([1.0, np.nan, 5.0]), 12)[2] == 5.0


def test_telemanom_floor_ignores_a_few_faults_but_not_a_recurring_pattern() -> None:
    from forecaster.anomaly.thresholds import FLOOR_SKIP, robust_floor

    rng = np.random.default_rng(3)
    clean = np.abs(rng.normal(0, 1, 900))
    floor = calibrate(clean, "telemanom", 0.99, 8.0, 0.05)
    # Faults in the validation blocks (up to FLOOR_SKIP sequences, 5 % of the steps)
    # do not raise the floor: only the 0.99 quantile of all steps would.
    dirty = clean.copy()
    for i, at in enumerate(range(100, 100 + 200 * FLOOR_SKIP, 200)):
        dirty[at:at + 45 // FLOOR_SKIP] = 8.0 + 10.0 * i
    robust = calibrate(dirty, "telemanom", 0.99, 8.0, 0.05)
    assert floor <= robust < 1.2 * floor
    assert np.quantile(dirty, 0.995) > 2 * robust
    # A pattern in every block (two sharp transitions a day) is normal: it sets the floor.
    daily = clean.copy()
    daily[30::60] = 9.0
    assert robust_floor(daily, 0.995, FLOOR_SKIP) == pytest.approx(9.0)
    assert calibrate(daily, "telemanom", 0.99, 8.0, 0.05) > 9.0


def test_floor_and_cap_set_aside_long_and_broken_faults_in_the_validation_blocks() -> None:
    # A file scanned as it was trained on holds its faults in the validation blocks: one
    # of 45 steps, one of 60 whose errors dip under 3 every other step (21 runs of one).
    # Runs taken one by one, the pieces filled the set-aside places, the rest stayed, and
    # the floor and cap they raised hid a third, smaller fault of the scored file.
    from forecaster.anomaly.thresholds import FLOOR_SKIP, robust_floor, telemanom_cap

    rng = np.random.default_rng(5)
    oof = np.abs(rng.normal(0, 1, 900)).clip(0, 2.9)
    oof[100:145] = 20.0
    oof[500:560:3] = 6.0 + rng.random(20)
    oof[450] = np.nan  # a gap between validation blocks breaks runs, as before
    clean = oof.copy()
    clean[100:145], clean[500:560] = 0.5, 0.5
    old, new = robust_floor(oof, 0.995, FLOOR_SKIP), robust_floor(oof, 0.995, FLOOR_SKIP, 32)
    assert old > 6.0
    assert new == pytest.approx(robust_floor(clean, 0.995, FLOOR_SKIP), abs=0.05)
    assert calibrate(oof, "telemanom", 0.995, 8.0, 0.05, gap=32) < 0.8 * calibrate(
        oof, "telemanom", 0.995, 8.0, 0.05)
    # The cap is the std rule on the same scores less those sequences; gap 0 (bundles
    # from before it was recorded) keeps the plain std rule.
    assert telemanom_cap(oof, 8.0, 0.05, 0) == calibrate(oof, "std", 0.995, 8.0, 0.05)
    assert telemanom_cap(oof, 8.0, 0.05, 32) == pytest.approx(
        calibrate(clean, "std", 0.995, 8.0, 0.05), rel=0.1)
    assert telemanom_cap(oof, 8.0, 0.05, 32) < 0.5 * telemanom_cap(oof, 8.0, 0.05, 0)
    # Heavy-tailed noise: single tall draws a few steps apart join into one sparse run,
    # which is the noise's tail, not a fault: it stays (set aside, the floor fell under
    # draws like it, and a clean Student-t file raised 11 events).
    sparse = clean.copy()
    sparse[200:400:20] = 7.0
    assert robust_floor(sparse, 0.995, FLOOR_SKIP, 32) == pytest.approx(7.0)
    assert telemanom_cap(sparse, 8.0, 0.05, 32) == calibrate(sparse, "std", 0.995, 8.0, 0.05)


def test_pruning_ignores_an_events_own_shoulders() -> None:
    scores = np.zeros(200)
    scores[20:23] = [7.9, 9.0, 7.9]  # one fault, its shoulders just under the threshold
    scores[100:102] = 30.0
    flags = scores >= 8.5
    # The shoulder (7.9) as "highest normal score": the fault looks weak and is pruned.
    assert not prune_events(scores, flags, 0.13)[21]
    # Normal scores are looked for more than `gap` steps away from any event.
    kept = prune_events(scores, flags, 0.13, gap=4)
    assert kept[21] and kept[100]
    assert (prune_events(scores, flags, 0.13, gap=0) == prune_events(scores, flags, 0.13)).all()


def test_revin_reconstructor_follows_level_and_scale() -> None:
    # Per-window normalisation: a window shifted and stretched reconstructs shifted and
    # stretched, so a trend carries no error; without it the level is part of the input.
    from forecaster.models.reconstructor import Reconstructor, ReconstructorConfig

    torch.manual_seed(0)
    x = torch.cat([torch.randn(4, 16, 1), torch.ones(4, 16, 1)], dim=-1)
    moved = torch.cat([x[..., :1] * 3.0 + 50.0, x[..., 1:]], dim=-1)
    for norm, follows in (("revin", True), ("none", False)):
        cfg = ReconstructorConfig(n_channels=1, window=16, segment=4, hidden=8, latent=4,
                                  norm=norm)
        net = Reconstructor(cfg).eval()
        with torch.inference_mode():
            same = torch.allclose(net(moved), net(x) * 3.0 + 50.0, atol=1e-3)
        assert same == follows


def test_telemanom_rule_flags_no_recurring_peaks_even_above_the_floor() -> None:
    # Twenty daily transitions that all clear the floor: no epsilon qualifies (over
    # MAX_SEQUENCES sequences), so nothing is flagged; the cap (below the floor) must not
    # bring the floor back as the threshold. One fault among quiet steps is still found.
    from forecaster.anomaly.thresholds import telemanom_rule

    daily = np.zeros(2400, dtype=np.float32)
    daily[60::120] = 12.0
    thr = telemanom_rule(daily, floor=11.0, cap=4.0)
    assert not (daily >= thr).any()
    fault = np.random.default_rng(0).normal(0, 1, 2400).astype(np.float32)
    fault[1000:1005] = 20.0
    thr = telemanom_rule(fault, floor=6.0, cap=8.0)
    assert (fault >= thr).sum() == 5


def test_telemanom_rule_flags_a_shift_that_fills_what_is_scored() -> None:
    # --last 200 inside a level shift: every scored step is high, no epsilon qualifies
    # (faults are not the few), and the shift went unflagged, exit 0; the calibrated
    # threshold decides instead.
    from forecaster.anomaly.thresholds import telemanom_rule

    shift = (20.0 + 8.0 * np.sin(np.arange(200) * 2 * np.pi / 24)).astype(np.float32)
    thr = telemanom_rule(shift, floor=4.4, cap=5.66)
    assert thr == pytest.approx(5.66) and (shift >= thr).all()


def test_the_floor_holds_when_the_ordinary_level_is_above_3() -> None:
    # The maximum over 600 noise channels sits above 3 at nearly every step: setting its
    # "4 highest runs" aside removed every score, the floor fell to 3, and --last 24 then
    # flagged every step of pure noise.
    from forecaster.anomaly.thresholds import calibrate

    wide = 3.5 + np.abs(np.random.default_rng(0).normal(0, 1, 2000))  # one run, all >= 3
    floor = calibrate(wide, "telemanom", 0.995, 8.0, 0.05)
    assert floor > wide.max()


def test_a_channel_with_no_out_of_fold_errors_is_never_scored() -> None:
    # A sensor that died before the validation blocks: its median was NaN, which the
    # bundle's JSON refused (an internal error at the end of training).
    oof = np.array([[1.0, np.nan], [2.0, np.nan], [4.0, np.nan]])
    center, scale = robust_stats(oof)
    assert np.isfinite(center).all() and np.isfinite(scale).all()
    per, overall = normalise(np.array([[5.0, 50.0]]), center, scale)
    assert abs(per[0, 1]) < 1e-20 and overall[0] == per[0, 0] > 1  # channel 0 still counts


def test_events_name_the_channel_that_peaked_and_steps_show_each_value() -> None:
    from forecaster.data.loading import Frame, Series
    from forecaster.data.spec import DataSpec
    from forecaster.io import render
    from forecaster.pipeline.detecting import _series_table

    stamps = pd.date_range("2026-01-01", periods=4, freq="h", tz="UTC")
    values = np.array([[18.75, 9629980.5], [18.5, 9629990.25], [18.25, 9630001.0],
                       [18.0, 9630000.0]])
    s = Series("", stamps, values, np.ones((4, 2), bool))
    frame = Frame([s], DataSpec(targets=["small", "big"]), "h", 0)
    per = np.array([[0.1, 0.2], [0.3, 117.8], [2.0, 1.0], [0.0, 0.1]])
    flags = np.array([False, True, True, False])
    table = _series_table(frame, s, per, per.max(axis=1), flags, 5.0, 0)
    assert table["value_big"].tolist() == values[:, 1].tolist()
    text = pd.read_csv(io.StringIO(render(table, "csv")), dtype=str)
    assert text["value_big"].tolist()[1] == "9629990.25"  # as read, not '9629990'
    ev = events_table(table)
    assert ev["channel"].tolist() == ["big"] and ev["peak_score"].tolist() == [117.8]


def test_a_detection_table_of_many_channels_is_built_without_pandas_warnings() -> None:
    import warnings

    from forecaster.data.loading import Frame, Series
    from forecaster.data.spec import DataSpec
    from forecaster.pipeline.detecting import _series_table

    n, k = 50, 300
    idx = pd.date_range("2025-01-01", periods=n, freq="h", tz="UTC")
    s = Series("", idx, np.ones((n, k)), np.ones((n, k), bool))
    frame = Frame([s], DataSpec(targets=["c0"], features=[f"c{j}" for j in range(1, k)]), "h", 0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # pandas' "highly fragmented" would raise here
        table = _series_table(frame, s, np.zeros((n, k)), np.zeros(n), np.zeros(n, bool), 3.0, 0)
    assert table.shape == (n, 6 + 2 * k) and "score_c299" in table


def test_a_window_mostly_filled_in_is_no_evidence() -> None:
    # After a long interpolated outage, the clean rows before it were scored from windows
    # that were mostly made-up values, and raised a false "high" event.
    from forecaster.anomaly.scores import MAX_FILLED_SHARE

    n, w = 40, 8
    values = np.zeros((n, 1))
    observed = np.ones((n, 1), dtype=bool)
    observed[20:26] = False  # 6 of a window's 8 steps
    data = assemble([(values, observed, np.arange(n - w + 1))], 1, w, 0)

    class Off(torch.nn.Module):  # reconstructs every step 1.0 off
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return torch.ones_like(x[..., :1])

    err = window_errors(Off(), data)  # (windows, window, 1)
    share = 1.0 - np.array([observed[s:s + w].mean() for s in range(n - w + 1)])
    for s, filled in enumerate(share):
        kept = ~np.isnan(err[s, :, 0])
        if filled > MAX_FILLED_SHARE:
            assert not kept.any(), s
        else:
            assert (kept == observed[s:s + w, 0]).all(), s


def test_a_sparse_channel_does_not_drop_the_others_errors() -> None:
    # The filled share was taken over all channels: a column observed every 4th row
    # dropped every window, and training found no anomaly windows at all.
    from forecaster.anomaly.scores import window_errors

    n, w = 40, 8
    observed = np.ones((n, 2), dtype=bool)
    observed[np.arange(n) % 4 != 0, 1] = False  # channel 1: 75% filled in
    data = assemble([(np.zeros((n, 2)), observed, np.arange(n - w + 1))], 2, w, 0)

    class Off(torch.nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return torch.ones_like(x[..., :2])

    err = window_errors(Off(), data)
    assert not np.isnan(err[:, :, 0]).any() and np.isnan(err[:, :, 1]).all()


def test_input_features_are_scored_but_make_no_overall_score() -> None:
    # A 0/1 command channel's ordinary switches (errors of 50 here) were the overall
    # score, and set the floor above an 80-sigma spike of the target.
    errors = np.array([[0.1, 50.0], [9.0, 0.1], [np.nan, 3.0]])
    per, overall = normalise(errors, np.zeros(2), np.ones(2), scored=1)
    assert per.shape == (3, 2) and per[0, 1] == 50.0
    np.testing.assert_allclose(overall[:2], [0.1, 9.0], rtol=1e-6)
    assert np.isnan(overall[2])  # a masked target step stays unscored
    assert normalise(errors, np.zeros(2), np.ones(2))[1][0] == 50.0  # all channels: targets
