"""An event under way at the first row ``--since``/``--last`` scores reports its start from
before that row, the same every run (a cron user's one fault had three starts in 8 runs)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import TINY, make_series
from typer.testing import CliRunner

from forecaster.cli import app

runner = CliRunner()
ANOMALY = [a for a in TINY if a != "--no-anomaly"] + [
    "--anomaly-window", "24", "--anomaly-segment", "6", "--anomaly-epochs", "2"]
FAULT = slice(400, 418)  # rows of series s1 that swing +-15 around the daily cycle
# Faults no cutoff below falls in: s1's second (more than a window after the first), s0's.
OTHERS = {"s1": slice(455, 461), "s0": slice(440, 447)}
STAMPS = pd.date_range("2024-01-01", periods=480, freq="h")


def _two_series(fault: bool) -> pd.DataFrame:
    parts = []
    for k in range(2):
        df = make_series(n=480, seed=k).assign(series=f"s{k}")
        rows = [FAULT, OTHERS["s1"]] if k == 1 else [OTHERS["s0"]]
        for span in rows if fault else []:
            swing = 15.0 * (-1.0) ** np.arange(span.stop - span.start)
            df.loc[df.index[span], "value"] += swing
        parts.append(df)
    return pd.concat(parts, ignore_index=True)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A bundle trained on two clean series, and the file where s1 holds a fault."""
    root = tmp_path_factory.mktemp("starts")
    clean, faulty, model = root / "clean.csv", root / "faulty.csv", root / "m"
    _two_series(False).to_csv(clean, index=False)
    _two_series(True).to_csv(faulty, index=False)
    result = runner.invoke(app, ["train", str(clean), "--model", str(model), "--series-col",
                                 "series", *ANOMALY])
    assert result.exit_code == 0, result.output
    return faulty, model


def _detect(bundle: tuple[Path, Path], *extra: str) -> tuple[int, pd.DataFrame]:
    csv, model = bundle
    result = runner.invoke(app, ["detect-anomalies", "--model", str(model), "--data", str(csv),
                                 "--quiet", "--threshold", "std", *extra])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, pd.read_csv(io.StringIO(result.stdout))


def _fault_event(events: pd.DataFrame) -> pd.Series:
    """The event of s1 that holds the middle of the fault."""
    mid = str(pd.Timestamp(STAMPS[409], tz="UTC").isoformat())
    mine = events[(events["series"] == "s1") & (events["start"] <= mid)
                  & (events["end"] >= mid)]
    assert len(mine) == 1, events
    return mine.iloc[0]


@pytest.mark.parametrize("method", ["reconstruction"])
def test_successive_cutoffs_inside_a_fault_report_one_start(bundle: tuple[Path, Path],
                                                            method: str) -> None:
    code, whole = _detect(bundle, "--events", "--method", method)
    assert code == 1, whole
    expected = _fault_event(whole)
    assert expected["start"] <= STAMPS[FAULT.start + 2].isoformat() + "+00:00"
    for row in (FAULT.start + 2, FAULT.start + 5, FAULT.start + 9, FAULT.start + 14):
        since = STAMPS[row].isoformat()
        code, events = _detect(bundle, "--events", "--method", method, "--since", since)
        assert code == 1, events
        got = _fault_event(events)
        # Hourly runs moved the start with their cutoff; it is the fault's own now.
        assert got["start"] == expected["start"], (since, events)
        assert (got["end"], got["steps"]) == (expected["end"], expected["steps"]), since
        # The whole event as far as it is known: its peak too, even where it was before.
        assert got["peak_time"] == expected["peak_time"], since
        assert got["peak_score"] == pytest.approx(expected["peak_score"], rel=1e-5)


def test_forecast_residual_events_still_start_at_the_first_scored_row(
        bundle: tuple[Path, Path]) -> None:
    # Their reach is a forecaster window: reaching back, a new fault joined an event days
    # old (the sample sensor: one 604-step event from 28 February), and an alert keyed by
    # series and start took it for the old one.
    since = STAMPS[FAULT.start + 5].isoformat()
    code, events = _detect(bundle, "--events", "--method", "forecast", "--since", since)
    assert code == 1, events
    assert events["start"].min() == since + "+00:00", events


def test_per_step_output_is_unchanged(bundle: tuple[Path, Path],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    since = STAMPS[FAULT.start + 5].isoformat()
    csv, model = bundle
    args = ["detect-anomalies", "--model", str(model), "--data", str(csv), "--quiet",
            "--threshold", "std", "--since", since]
    rows = runner.invoke(app, args)
    events = _detect(bundle, "--since", since, "--events")[1]
    assert rows.exit_code == 1, rows.output
    # The scored rows are the whole file's from --since on; none before it is written.
    table = pd.read_csv(io.StringIO(rows.stdout))
    _, whole = _detect(bundle)
    tail = whole[whole["timestamp"] >= since + "+00:00"].reset_index(drop=True)
    assert table["timestamp"].tolist() == tail["timestamp"].tolist()
    np.testing.assert_allclose(table["score"], tail["score"], rtol=1e-5, atol=1e-5)
    assert table["is_anomaly"].tolist() == tail["is_anomaly"].tolist()
    under = (events["series"] == "s1") & (events["end"] < STAMPS[FAULT.stop + 5].isoformat())
    assert under.sum() == 1, events
    assert events["start"][under].iloc[0] < since + "+00:00"  # the fault's event reaches back
    # The look-back switched off is the code before it: the same table, byte for byte,
    # and the same events but for the one under way at --since.
    monkeypatch.setattr("forecaster.pipeline.detecting.under_way", lambda *a, **k: None)
    assert runner.invoke(app, args).stdout == rows.stdout
    old = _detect(bundle, "--since", since, "--events")[1]
    assert len(old) == len(events) == 3, events
    assert old["start"][under].iloc[0] == since + "+00:00"
    pd.testing.assert_frame_equal(events[~under], old[~under])


def test_events_not_touching_the_cutoff_are_unchanged(bundle: tuple[Path, Path],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    import forecaster.pipeline.detecting as detecting

    real = getattr(detecting, "under_way", None)

    def counted(score, s, *args, **kwargs):
        calls.append(s.name)
        return real(score, s, *args, **kwargs)

    monkeypatch.setattr(detecting, "under_way", counted, raising=False)
    _, whole = _detect(bundle, "--events")
    assert len(whole) == 3, whole
    # Before the faults, inside s1's first (s0's fault and s1's second lie later), and
    # after them all: each run's events are the whole file's from the cutoff on, and only
    # s1's run inside its fault scores a look-back.
    for row, looked in ((FAULT.start - 30, []), (FAULT.start + 5, ["s1"]),
                        (OTHERS["s1"].stop + 5, [])):
        since = STAMPS[row].isoformat()
        _, events = _detect(bundle, "--events", "--since", since)
        later = whole[whole["end"] >= since + "+00:00"].reset_index(drop=True)
        assert len(events) == len(later), (since, events)
        pd.testing.assert_frame_equal(events, later, check_dtype=False, rtol=1e-5)
        assert calls == looked, since
        calls.clear()


def test_a_run_reaches_back_over_flagged_rows_and_short_gaps_only() -> None:
    from forecaster.pipeline.event_starts import rows_joined

    merge = 4
    before = np.array([1, 1, 0, 0, 0, 0, 1, 0, 0, 1, 1], dtype=bool)
    after = np.array([1, 1, 0], dtype=bool)
    # 1 1 | gap of 4: not joined | 1 0 0 (gap of 2: joined) 1 1 | cutoff
    assert rows_joined(before, after, merge) == 5
    assert rows_joined(np.ones(7, dtype=bool), after, merge) == 7  # the look-back's limit
    assert rows_joined(before[:-2], after, merge) == 3  # a gap of 2 rows at the cutoff
    assert rows_joined(np.zeros(6, dtype=bool), after, merge) == 0
    assert rows_joined(before, np.zeros(3, dtype=bool), merge) == 0
