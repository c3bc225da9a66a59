"""Hand-computed checks of benchmarks/nab_metrics.py (synthetic data only)."""

from __future__ import annotations

import importlib.util
import json
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

_PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "nab_metrics.py"
_SPEC = importlib.util.spec_from_file_location("nab_metrics", _PATH)
assert _SPEC is not None and _SPEC.loader is not None
nm = importlib.util.module_from_spec(_SPEC)
sys.modules["nab_metrics"] = nm
_SPEC.loader.exec_module(nm)

A_FP = 0.11


def s(y: float) -> float:
    """The scaled sigmoid written out by hand."""
    return -1.0 if y > 3 else 2.0 / (1.0 + math.exp(5.0 * y)) - 1.0


def ts(n: int = 100, start: str = "2024-01-01") -> pd.DatetimeIndex:
    """Minute timestamps."""
    return pd.date_range(start, periods=n, freq="min")


def t(i: int) -> pd.Timestamp:
    """Timestamp of row ``i`` of ``ts()``."""
    return pd.Timestamp("2024-01-01") + pd.Timedelta(minutes=i)


def det(n: int, *rows: int) -> np.ndarray:
    """Detection mask with the given rows set."""
    mask = np.zeros(n, dtype=bool)
    mask[list(rows)] = True
    return mask


# One file of 100 rows: probation = 15 rows, one window on rows 40..49 (width 10).
N = 100
WIN = [(t(40), t(49))]


# ------------------------------------------------------------------ event F1


def test_touching_endpoints_overlap() -> None:
    assert nm.event_confusion([(t(0), t(10))], [(t(10), t(20))]) == (1, 0, 0)
    assert nm.event_confusion([(t(20), t(30))], [(t(10), t(20))]) == (1, 0, 0)
    assert nm.event_confusion([(t(15), t(15))], [(t(10), t(20))]) == (1, 0, 0)


def test_event_just_outside_is_fp_and_window_fn() -> None:
    assert nm.event_confusion([(t(0), t(9))], [(t(10), t(20))]) == (0, 1, 1)


def test_one_event_spanning_two_windows_gives_two_tp() -> None:
    windows = [(t(10), t(20)), (t(30), t(40))]
    assert nm.event_confusion([(t(15), t(35))], windows) == (2, 0, 0)


def test_events_outside_windows_are_fp() -> None:
    windows = [(t(10), t(20)), (t(30), t(40))]
    detected = [(t(0), t(2)), (t(12), t(13)), (t(14), t(14)), (t(50), t(60))]
    # Two events in window 1 are both TP events (no FP), window 2 missed.
    assert nm.event_confusion(detected, windows) == (1, 2, 1)


def test_event_confusion_empty() -> None:
    assert nm.event_confusion([], []) == (0, 0, 0)
    assert nm.event_confusion([], [(t(1), t(2))]) == (0, 0, 1)
    assert nm.event_confusion([(t(1), t(2))], []) == (0, 1, 0)


def test_f1_zeros_and_values() -> None:
    assert nm.f1_from_counts(0, 0, 0) == (0.0, 0.0, 0.0)
    assert nm.f1_from_counts(0, 5, 0) == (0.0, 0.0, 0.0)
    assert nm.f1_from_counts(0, 0, 4) == (0.0, 0.0, 0.0)
    p, r, f1 = nm.f1_from_counts(3, 1, 2)
    assert p == pytest.approx(0.75)
    assert r == pytest.approx(0.6)
    assert f1 == pytest.approx(2 * 0.75 * 0.6 / 1.35)


def test_events_from_detections() -> None:
    mask = det(10, 0, 1, 4, 7, 8, 9)
    assert nm.events_from_detections(ts(10), mask) == [(t(0), t(1)), (t(4), t(4)), (t(7), t(9))]
    assert nm.events_from_detections(ts(10), np.zeros(10, dtype=bool)) == []


# ------------------------------------------------------------------ NAB


def test_scaled_sigmoid() -> None:
    for y in (-3.5, -1.0, -0.1, 0.0, 0.5, 2.9, 3.0, 3.1, 10.0):
        assert float(nm.scaled_sigmoid(y)) == pytest.approx(s(y), abs=1e-12)
    assert float(nm.scaled_sigmoid(-1.0)) == pytest.approx(0.98661429815)


def test_probationary_length() -> None:
    assert nm.probationary_length(100) == 15
    assert nm.probationary_length(101) == 15
    assert nm.probationary_length(5000) == 750
    assert nm.probationary_length(22695) == 750


def test_detection_at_left_edge_earns_a_tp() -> None:
    # position -(49 - 40 + 1) / 10 = -1 -> s(-1) / s(-1) = 1
    assert nm.nab_raw_score(ts(N), det(N, 40), WIN) == pytest.approx(s(-1.0) / s(-1.0))


def test_detection_at_right_edge_earns_little() -> None:
    # position -(49 - 49 + 1) / 10 = -0.1
    expected = s(-0.1) / s(-1.0)
    assert nm.nab_raw_score(ts(N), det(N, 49), WIN) == pytest.approx(expected)
    assert 0.2 < expected < 0.3


def test_only_best_detection_per_window_counts() -> None:
    # rows 42 and 45: positions -0.8 and -0.5; the earlier one counts, once.
    expected = s(-0.8) / s(-1.0)
    assert nm.nab_raw_score(ts(N), det(N, 45, 42, 47), WIN) == pytest.approx(expected)


def test_missed_window_costs_a_fn() -> None:
    assert nm.nab_raw_score(ts(N), det(N), WIN) == pytest.approx(-1.0)


def test_detection_in_probation_is_ignored() -> None:
    # Row 5 < 15 would otherwise be an FP with no preceding window (-0.11).
    assert nm.nab_raw_score(ts(N), det(N, 5), WIN) == pytest.approx(-1.0)
    assert nm.nab_raw_score(ts(N), det(N, 5, 40), WIN) == pytest.approx(1.0)
    assert nm.nab_raw_score(ts(N), det(N, 15), WIN) == pytest.approx(-1.0 - A_FP)


def test_window_inside_probation_is_not_scored() -> None:
    windows = [(t(2), t(8))]
    assert nm.nab_raw_score(ts(N), det(N), windows) == 0.0
    assert nm.nab_raw_score(ts(N), det(N, 3), windows) == 0.0


def test_window_partly_in_probation_keeps_its_geometry() -> None:
    # Window rows 10..19 (w = 10), first scorable row 15: position -(19 - 15 + 1) / 10.
    windows = [(t(10), t(19))]
    expected = s(-0.5) / s(-1.0)
    assert nm.nab_raw_score(ts(N), det(N, 12, 15), windows) == pytest.approx(expected)


def test_fp_before_any_window_costs_a_fp() -> None:
    assert nm.nab_raw_score(ts(N), det(N, 20, 40), WIN) == pytest.approx(1.0 - A_FP)


def test_fp_long_after_window_costs_a_fp() -> None:
    # |49 - 99| / (10 - 1) = 5.6 > 3 -> s = -1
    assert nm.nab_raw_score(ts(N), det(N, 40, 99), WIN) == pytest.approx(1.0 - A_FP)
    # |49 - 70| / 9 = 2.33 -> almost the full cost
    expected = 1.0 + A_FP * s(21 / 9)
    assert nm.nab_raw_score(ts(N), det(N, 40, 70), WIN) == pytest.approx(expected)
    assert A_FP * s(21 / 9) == pytest.approx(-A_FP, abs=1e-5)


def test_fp_just_after_window_costs_less() -> None:
    # |49 - 50| / 9
    expected = 1.0 + A_FP * s(1 / 9)
    got = nm.nab_raw_score(ts(N), det(N, 40, 50), WIN)
    assert got == pytest.approx(expected)
    assert 1.0 - A_FP < got < 1.0


def test_every_fp_row_counts() -> None:
    expected = -1.0 + 3 * -A_FP
    assert nm.nab_raw_score(ts(N), det(N, 20, 21, 22), WIN) == pytest.approx(expected)


def test_fp_uses_closest_preceding_window() -> None:
    windows = [(t(20), t(29)), (t(60), t(64))]  # widths 10 and 5
    # Row 31 follows window 1 (y = 2 / 9); row 66 follows window 2 (y = 2 / 4).
    got = nm.nab_raw_score(ts(N), det(N, 20, 31, 60, 66), windows)
    expected = 2.0 + A_FP * s(2 / 9) + A_FP * s(2 / 4)
    assert got == pytest.approx(expected)


def test_null_and_perfect() -> None:
    windows = [(t(1), t(2)), (t(3), t(4)), (t(5), t(6))]
    assert nm.nab_null_and_perfect(windows) == (-3.0, 3.0)
    assert nm.nab_null_and_perfect([]) == (0.0, 0.0)


def _corpus() -> list[tuple[pd.DatetimeIndex, list, list]]:
    """Two files, three windows."""
    f1 = (ts(N), [(t(40), t(49))])
    f2 = (ts(200), [(t(50), t(59)), (t(120), t(139))])
    return [f1, f2]


def test_perfect_detector_scores_100() -> None:
    files = [(idx, det(len(idx), *[idx.get_loc(a) for a, _ in w]), w) for idx, w in _corpus()]
    assert nm.nab_normalised_score(files) == pytest.approx(100.0)


def test_null_detector_scores_0() -> None:
    files = [(idx, det(len(idx)), w) for idx, w in _corpus()]
    assert nm.nab_normalised_score(files) == pytest.approx(0.0)


def test_normalised_score_by_hand() -> None:
    # File 1: left-edge hit (1) + one far FP (-0.11); file 2: both windows missed (-2).
    (idx1, w1), (idx2, w2) = _corpus()
    files = [(idx1, det(N, 40, 99), w1), (idx2, det(200), w2)]
    total = 1.0 - A_FP - 2.0
    assert nm.nab_normalised_score(files) == pytest.approx(100 * (total + 3) / 6)


def test_no_anomaly_file_adds_only_fp_costs() -> None:
    (idx1, w1), _ = _corpus()
    files = [(idx1, det(N, 40), w1), (ts(50), det(50, 30, 31), [])]
    total = 1.0 - 2 * A_FP
    assert nm.nab_normalised_score(files) == pytest.approx(100 * (total + 1) / 2)


# ------------------------------------------------------------------ threshold sweep


def _brute_force(files: list, thresholds: np.ndarray) -> tuple[float, float]:
    best_t, best = float("inf"), float(sum(-len(w) for _, _, w in files))
    for thr in np.sort(thresholds)[::-1]:
        total = sum(nm.nab_raw_score(idx, sc >= thr, w) for idx, sc, w in files)
        if total > best + 1e-12:
            best_t, best = float(thr), total
    return best_t, best


def test_sweep_finds_left_edges() -> None:
    corpus = _corpus()
    files = []
    for idx, w in corpus:
        scores = np.linspace(0.0, 0.5, len(idx))
        for a, _ in w:
            scores[idx.get_loc(a)] = 0.9
        files.append((idx, scores, w))
    thr, total = nm.sweep_threshold(files, n_quantiles=None)
    assert thr == 0.9
    assert total == pytest.approx(3.0)


def test_sweep_flags_nothing_when_everything_hurts() -> None:
    idx = ts(N)
    scores = np.zeros(N)
    scores[20] = 1.0  # only an FP before the window
    thr, total = nm.sweep_threshold([(idx, scores, WIN)], n_quantiles=None)
    assert thr == float("inf")
    assert total == pytest.approx(-1.0)


def test_sweep_ignores_probation_and_nan() -> None:
    idx = ts(N)
    scores = np.zeros(N)
    scores[:15] = 5.0  # probation: never scored
    scores[16] = np.nan
    scores[42] = 1.0
    thr, total = nm.sweep_threshold([(idx, scores, WIN)], n_quantiles=None)
    assert thr == 1.0
    assert total == pytest.approx(s(-0.8) / s(-1.0))


@pytest.mark.parametrize("seed", range(8))
def test_sweep_matches_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    files = []
    for idx, w in _corpus():
        scores = np.round(rng.random(len(idx)), 2)  # ties on purpose
        for a, b in w:
            lo, hi = idx.get_loc(a), idx.get_loc(b)
            scores[lo : hi + 1] += rng.random() * 0.5
        files.append((idx, scores, w))
    every = np.unique(np.concatenate([sc for _, sc, _ in files]))
    got = nm.sweep_threshold(files, n_quantiles=None)
    want = _brute_force(files, every)
    assert got[1] == pytest.approx(want[1])
    assert got[0] == want[0]
    # A quantile grid can only do as well as the full sweep, and matches brute force on it.
    grid_thr, grid_total = nm.sweep_threshold(files, n_quantiles=20)
    assert grid_total <= got[1] + 1e-9
    if np.isfinite(grid_thr):
        direct = sum(nm.nab_raw_score(i, sc >= grid_thr, w) for i, sc, w in files)
        assert grid_total == pytest.approx(direct)


def test_sweep_explicit_candidates() -> None:
    idx = ts(N)
    scores = np.zeros(N)
    scores[45] = 0.7
    scores[41] = 0.6
    thr, total = nm.sweep_threshold([(idx, scores, WIN)], candidates=np.array([0.7, 0.65]))
    assert thr == 0.7
    assert total == pytest.approx(s(-0.5) / s(-1.0))


# ------------------------------------------------------------------ labels


def test_load_windows(tmp_path: Path) -> None:
    path = tmp_path / "labels_windows.json"
    payload = {
        "set/a.csv": [["2014-01-01 00:00:00.000000", "2014-01-02 12:30:00.000000"]],
        "set/b.csv": [],
    }
    path.write_text(json.dumps(payload), encoding="utf-8")
    windows = nm.load_windows(path, "set/a.csv")
    assert windows == [(pd.Timestamp("2014-01-01"), pd.Timestamp("2014-01-02 12:30"))]
    assert isinstance(windows[0][0], pd.Timestamp)
    assert nm.load_windows(str(path), "set/b.csv") == []
    with pytest.raises(KeyError):
        nm.load_windows(path, "missing.csv")


def test_window_bounds_between_rows_use_closed_interval() -> None:
    # Window 39:30 .. 49:30 holds rows 40..49, exactly like WIN.
    windows = [(t(40) - pd.Timedelta(seconds=30), t(49) + pd.Timedelta(seconds=30))]
    assert nm.nab_raw_score(ts(N), det(N, 40), windows) == pytest.approx(1.0)
    assert nm.nab_raw_score(ts(N), det(N, 49), windows) == pytest.approx(s(-0.1) / s(-1.0))


def test_duplicate_end_timestamp_ends_window_at_first_occurrence() -> None:
    # As NAB's sweeper: the window ends at the first row stamped with its end.
    idx = ts(N).insert(50, t(49))  # rows 49 and 50 both at t(49); 101 rows, probation 15
    n = len(idx)
    assert nm.nab_raw_score(idx, det(n, 49), WIN) == pytest.approx(s(-0.1) / s(-1.0))
    # Row 50 lies past the window: 1 / (10 - 1) after its right end.
    assert nm.nab_raw_score(idx, det(n, 40, 50), WIN) == pytest.approx(1.0 + A_FP * s(1 / 9))
