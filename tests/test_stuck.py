"""Stuck readings (forecaster/anomaly/stuck.py): a value repeated far longer than the
training data repeats values is flagged, which the reconstruction score alone missed."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
from conftest import make_series
from typer.testing import CliRunner

from forecaster.anomaly.stuck import (
    GAP,
    MIN_RUN,
    _ends,
    lenient,
    lenient_levels,
    longest_spell,
    run_lengths,
    run_levels,
    run_limits,
    stuck_scores,
)
from forecaster.cli import app

runner = CliRunner()
TINY = ["--epochs", "2", "--hidden", "8", "--window", "24", "--segment", "6", "--horizon", "6",
        "--folds", "2", "--ensemble", "1", "--anomaly-window", "24", "--anomaly-epochs", "3"]


def _col(*values: float) -> np.ndarray:
    return np.asarray(values, dtype=np.float64)[:, None]


def test_run_lengths_count_equal_observed_readings_and_long_gaps_break_them() -> None:
    v = _col(1, 1, 1, 2, 2, 2, 2, 3)
    seen = np.ones_like(v, dtype=bool)
    assert run_lengths(v, seen)[:, 0].tolist() == [1, 2, 3, 1, 2, 3, 4, 1]
    seen[4, 0] = False  # filled in: neither part of a run nor evidence of one
    assert run_lengths(v, seen)[:, 0].tolist() == [1, 2, 3, 1, 0, 2, 3, 1]
    # A stale quote over a holiday was two runs, flagged a week late; an outage longer
    # than GAP steps between two equal readings still breaks the run.
    held = _col(5, *[7] * (GAP + 2), 7, 7)
    seen = np.ones_like(held, dtype=bool)
    seen[2:2 + GAP] = False
    assert run_lengths(held, seen)[:, 0].tolist() == [1, 1, *[0] * GAP, 2, 3, 4]
    seen[2 + GAP] = False
    assert run_lengths(held, seen)[:, 0].tolist() == [1, 1, *[0] * (GAP + 1), 1, 2]


def test_a_spell_over_a_filled_in_step_is_one_and_named_from_its_first_reading() -> None:
    v = _col(1, 2, 3, *[4] * 4, 0, *[4] * 3, 5)
    seen = np.ones_like(v, dtype=bool)
    seen[7] = False  # a holiday on a business-day grid, filled in
    stuck = stuck_scores(v, seen, [4], unit=6.0)[:, 0]
    assert np.flatnonzero(stuck).tolist() == [8, 9, 10]  # from the 5th reading
    assert longest_spell(stuck, v[:, 0], seen[:, 0], 6.0) == (3, 7, 4.0, 4)
    # Training runs span the gap too: the limit comes from one run of 7, not 4 and 3.
    assert _ends(run_lengths(v, seen)[:, 0]).tolist() == [*[True] * 3, *[False] * 7, True, True]


def test_limits_come_from_a_quantile_of_training_runs() -> None:
    rng = np.random.default_rng(0)
    noisy = rng.normal(size=(2000, 1))
    noisy[1000:1007] = noisy[999]  # one stuck spell in training does not set its own limit
    # Coarse readings: ties are common (runs of 1 to 3) and now and then last 12 steps.
    lengths = rng.choice([1, 1, 1, 2, 3], 1000)
    lengths[::40] = 12
    coarse = np.resize(np.repeat(np.arange(1000) % 7, lengths), 2000).astype(float)
    both = np.hstack([noisy, coarse[:, None]])
    limits = run_limits(both, np.ones_like(both, dtype=bool))
    assert limits[0] == MIN_RUN and limits[1] >= 2 * 12


def test_a_long_stuck_spell_in_training_does_not_set_its_own_limit() -> None:
    # A spell of L steps is L steps of the step quantile: 60 steps in 3,000 set the limit
    # to 91, so a sensor that stuck once for 5 hours was never flagged for it again.
    rng = np.random.default_rng(1)
    v = np.round(15 + 3 * np.sin(np.arange(3000) * 2 * np.pi / 288)
                 + rng.normal(0, 0.3, 3000), 2)[:, None]
    seen = np.ones_like(v, dtype=bool)
    for spells in (1, 4):
        held = v.copy()
        for k in range(spells):
            held[500 + 600 * k:560 + 600 * k] = held[500 + 600 * k]
        assert run_limits(held, seen) == [MIN_RUN]
    # Spells recurring more often than that are how the channel behaves: a long limit.
    held = v.copy()
    for k in range(8):
        held[100 + 350 * k:160 + 350 * k] = held[100 + 350 * k]
    assert run_limits(held, seen)[0] > 60


def test_stuck_steps_score_above_the_threshold_and_grow_with_the_run() -> None:
    v = _col(*range(10), *[9.0] * 12)
    s = stuck_scores(v, np.ones_like(v, dtype=bool), [4], unit=6.0)[:, 0]
    assert (s[:13] == 0).all()  # runs up to the limit: ordinary
    assert (s[13:] > 6.0).all() and np.all(np.diff(s[13:]) > 0)


def _write(df: pd.DataFrame, path: Path) -> Path:
    df.to_csv(path, index=False)
    return path


def test_a_sensor_stuck_for_a_day_is_flagged(tmp_path: Path) -> None:
    # 24 hours held at one reading of a daily cycle: the reconstruction error of that day
    # was lower than of ordinary days, and nothing was flagged.
    clean = make_series(n=600)
    model = tmp_path / "m"
    result = runner.invoke(app, ["train", str(_write(clean, tmp_path / "c.csv")), "--model",
                                 str(model), *TINY])
    assert result.exit_code == 0, result.output
    stuck = clean.copy()
    stuck.loc[560:583, "value"] = stuck.loc[559, "value"]
    result = runner.invoke(app, ["detect-anomalies", "--model", str(model), "--data",
                                 str(_write(stuck, tmp_path / "s.csv")), "--last", "80"])
    assert result.exit_code == 1, result.output
    table = pd.read_csv(io.StringIO(result.stdout))
    at = table["timestamp"].isin(stuck["timestamp"].iloc[560 + MIN_RUN:584].map(
        lambda t: t.tz_localize("UTC").isoformat()))
    assert at.sum() == 24 - MIN_RUN and table.loc[at, "is_anomaly"].all()
    assert (table.loc[at, "score"] > table.loc[at, "threshold"]).all()
    # Said on stderr: a flag whose cause the score alone does not show (a whole file of
    # art_daily_no_noise flagged with a score of 7331, and nothing saying why).
    notes = [x for x in result.stderr.splitlines() if "stuck reading:" in x]
    start = stuck["timestamp"].iloc[559].tz_localize("UTC").isoformat()  # its run's first
    assert len(notes) == 1, result.stderr
    assert (f"'value' held {float(stuck.loc[559, 'value'])!r} for 25 readings from {start} "
            "(over its limit of 4, set from the runs of equal readings in training)") in notes[0]
    # A stuck step's score is in fixed units, whatever rows are scored and however.
    for method in ("reconstruction", "forecast"):
        scores = []
        for last in ("80", "30"):
            result = runner.invoke(app, ["detect-anomalies", "--model", str(model), "--data",
                                         str(tmp_path / "s.csv"), "--last", last, "--method",
                                         method, "--exit-zero"])
            assert result.exit_code == 0, result.output
            out = pd.read_csv(io.StringIO(result.stdout)).set_index("timestamp")
            scores.append(out.loc[table.loc[at, "timestamp"].iloc[-10:], ["score", "is_anomaly"]])
        pd.testing.assert_frame_equal(*scores)
        assert scores[0]["is_anomaly"].all()
    # The same rows as read: nothing there is stuck.
    result = runner.invoke(app, ["detect-anomalies", "--model", str(model), "--last", "80",
                                 "--exit-zero"])
    assert result.exit_code == 0, result.output
    assert not pd.read_csv(io.StringIO(result.stdout)).loc[at, "is_anomaly"].any()


def test_a_quote_stale_over_a_holiday_is_one_spell(tmp_path: Path) -> None:
    # Memorial Day, filled in on the business-day grid, split a quote stale from 23 May:
    # flagged only from 5 June, and stderr named 30 May as its first day.
    days = pd.bdate_range("2021-01-04", "2023-06-16")
    rng = np.random.default_rng(3)
    close = pd.DataFrame({"Date": days.strftime("%Y-%m-%d"),
                          "Close": np.round(100 + rng.normal(0, 1, len(days)).cumsum(), 2)})
    model = tmp_path / "m"
    result = runner.invoke(app, ["train", str(_write(close, tmp_path / "c.csv")), "--model",
                                 str(model), "--epochs", "1", "--hidden", "8", "--folds", "0",
                                 "--ensemble", "1", "--anomaly-epochs", "1"])
    assert result.exit_code == 0, result.output
    stale = close.set_index("Date")
    stale.loc["2023-05-23":"2023-06-07", "Close"] = stale.loc["2023-05-23", "Close"]
    faults = _write(stale.drop(index="2023-05-29").reset_index(), tmp_path / "f.csv")
    result = runner.invoke(app, ["detect-anomalies", "--model", str(model), "--data",
                                 str(faults), "--events", "--last", "40"])
    assert result.exit_code == 1, result.output
    assert "for 11 readings from 2023-05-23T00:00:00+00:00 (over its limit of 4" in \
        result.stderr, result.stderr
    events = pd.read_csv(io.StringIO(result.stdout))
    assert "2023-05-30T00:00:00+00:00" in set(events["start"]), events  # the 5th reading


def test_a_channel_that_mostly_holds_its_value_is_never_stuck() -> None:
    # A flat line (NAB's art_flatline) trained on its first day was called stuck two days
    # later; a count that is mostly 0 and a setpoint hold their value by nature.
    flat = np.full((300, 1), 5.0)
    zeros = np.where(np.arange(300) % 10 == 0, 1.0, 0.0)[:, None]
    both = np.hstack([flat, zeros])
    limits = run_limits(both, np.ones_like(both, dtype=bool))
    assert limits == [0, 0]
    longer = np.vstack([both] * 5)
    assert (stuck_scores(longer, np.ones_like(longer, dtype=bool), limits, 6.0) == 0).all()
    # A series new since training gets the most lenient limits: never, where one is.
    assert lenient({"A": [4, 9], "B": [0, 5]}) == [0, 9]


def test_an_event_names_the_stuck_channel(tmp_path: Path) -> None:
    # Stuck scores went into the overall score only, so the event named whichever
    # channel the model scored highest ('b'), not the stuck target 'c'.
    rng = np.random.default_rng(2)
    x = np.arange(600)
    df = pd.DataFrame({"timestamp": pd.date_range("2024-01-01", periods=600, freq="h"),
                       "a": np.sin(2 * np.pi * x / 24) + rng.normal(0, 0.1, 600),
                       "b": np.cos(2 * np.pi * x / 24) + rng.normal(0, 0.1, 600),
                       "c": np.sin(2 * np.pi * x / 12) + rng.normal(0, 0.1, 600)})
    model = tmp_path / "m"
    result = runner.invoke(app, ["train", str(_write(df, tmp_path / "c.csv")), "--model",
                                 str(model), "--target", "a,c", "--features", "b", *TINY])
    assert result.exit_code == 0, result.output
    stuck = df.copy()
    stuck.loc[560:599, "c"] = 0.5
    scored = _write(stuck, tmp_path / "s.csv")
    result = runner.invoke(app, ["detect-anomalies", "--model", str(model), "--data",
                                 str(scored), "--last", "60", "--events"])
    assert result.exit_code == 1, result.output
    events = pd.read_csv(io.StringIO(result.stdout))
    assert events["channel"].iloc[-1] == "c"
    # An input feature stuck is shown in its own score, but raises no alert: features are
    # inputs (as telemanom's commands), and only targets make the overall score.
    model = tmp_path / "f"
    result = runner.invoke(app, ["train", str(_write(df, tmp_path / "c.csv")), "--model",
                                 str(model), "--target", "a", "--features", "b,c", *TINY])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["detect-anomalies", "--model", str(model), "--data",
                                 str(scored), "--last", "60"])
    table = pd.read_csv(io.StringIO(result.stdout))
    assert result.exit_code == 0, result.output
    assert (table["score_c"].iloc[-10:] > table["threshold"].iloc[-10:]).all()
    assert not table["is_anomaly"].any()


# Zero runs at each solar minimum of a sunspot-like series: 12 cycles to train on, their
# longest rest 7 months, and two more cycles to score.
TRAIN_RUNS = [[2, 1, 3], [4, 2], [1, 2], [7, 2, 1], [3, 1], [5, 2], [2, 2, 1], [4], [1, 3],
              [2], [3, 2], [2, 1]]
CYCLE = 60


def _sunspots(zero_runs: list[list[int]], seed: int = 3) -> pd.DataFrame:
    """Monthly counts over 60-month cycles that rest at 0 near each minimum, for runs of
    ``zero_runs[k]`` months (a month of a few spots between them) in the k-th cycle."""
    rng = np.random.default_rng(seed)
    t = np.arange(CYCLE * len(zero_runs))
    y = np.round(100 * np.sin(np.pi * ((t + 10) % CYCLE) / CYCLE) ** 2
                 + rng.gamma(2, 3, len(t)), 1)  # minimum at month 50 of each cycle
    for k, runs in enumerate(zero_runs):
        at = CYCLE * k + 42
        for run in runs:
            y[at:at + run] = 0.0
            y[at + run] = round(float(rng.uniform(0.5, 3.0)), 1)
            at += run + 1
    return pd.DataFrame({"month": pd.date_range("1900-01-01", periods=len(t), freq="MS")
                         .strftime("%Y-%m"), "sunspots": y})


def test_a_value_the_channel_rests_at_gets_a_limit_from_its_own_runs() -> None:
    # Sunspots rest at 0 for up to 7 months; with the channel's limit (6 here) the 7th
    # month of such a rest was called stuck.
    v = _sunspots(TRAIN_RUNS)[["sunspots"]].to_numpy()
    seen = np.ones_like(v, dtype=bool)
    limits = run_limits(v, seen)
    assert limits[0] < 7 and run_levels(v, seen, limits) == [[[0.0, 14]]]
    # A sensor stuck at 0 for 60 months once in training does not set the level's limit.
    spell = v.copy()
    spell[300:360] = 0.0
    assert run_levels(spell, seen, run_limits(spell, seen)) == [[[0.0, 14]]]
    # A value held in a few runs only is no level: the channel's limit stands.
    few = _sunspots([[7, 1], [3], [4, 1], [1]] + [[1]] * 8)[["sunspots"]].to_numpy()
    assert run_levels(few, seen, run_limits(few, seen)) == [[]]
    # Never stuck already (limit 0): no levels; a new series gets each level's longest.
    assert run_levels(np.zeros((50, 1)), np.ones((50, 1), dtype=bool), [0]) == [[]]
    assert lenient_levels({"A": [[[0.0, 14]]], "B": [[[0.0, 9], [5.0, 8]]]}, 1) == [
        [[0.0, 14], [5.0, 8]]]


def test_levels_set_the_limit_of_their_own_runs_only() -> None:
    rest = _col(*range(1, 6), *[0.0] * 14, 3, *[0.0] * 15)
    scores = stuck_scores(rest, np.ones_like(rest, dtype=bool), [6], 6.0, [[[0.0, 14]]])
    assert np.flatnonzero(scores[:, 0]).tolist() == [34]  # only the 15th month at 0
    frozen = _col(*range(1, 6), *[23.7] * 10)  # at any other value: the channel's limit
    scores = stuck_scores(frozen, np.ones_like(frozen, dtype=bool), [6], 6.0, [[[0.0, 14]]])
    assert np.flatnonzero(scores[:, 0]).tolist() == [11, 12, 13, 14]


def _flagged(result) -> pd.Series:
    assert result.exit_code in (0, 1), result.output
    return pd.read_csv(io.StringIO(result.stdout)).set_index("timestamp")["is_anomaly"]


def test_a_rest_at_zero_as_long_as_training_held_is_no_stuck_reading(tmp_path: Path) -> None:
    # A monthly sunspots file exited 1 with an event for the 5th to 7th of seven months
    # at 0, a rest at the solar minimum like those of training.
    data = _sunspots(TRAIN_RUNS + [[1, 7, 2], [2, 3]])
    model = tmp_path / "m"
    result = runner.invoke(app, ["train", str(_write(data.iloc[:720], tmp_path / "t.csv")),
                                 "--model", str(model), *TINY])
    assert result.exit_code == 0, result.output
    detect = ["detect-anomalies", "--model", str(model), "--exit-zero"]
    months = pd.to_datetime(data["month"]).map(lambda t: t.tz_localize("UTC").isoformat())
    rest = months.iloc[764:771]  # the scored rows' seven months at 0
    assert (data["sunspots"].iloc[764:771] == 0).all()
    flags = _flagged(runner.invoke(app, [*detect, "--data", str(_write(data, tmp_path / "s.csv")),
                                         "--last", "120"]))
    assert not flags.loc[rest].any()
    flags = _flagged(runner.invoke(app, [*detect, "--last", "720"]))  # training's own 7
    assert not flags.loc[months.iloc[[226, 227, 228]]].any()
    # A sensor frozen at an arbitrary reading, or at 0 far longer than the sun rests, is
    # still stuck.
    for value, at in ((55.3, 780), (0.0, 760)):
        stuck = data.copy()
        stuck.loc[at:at + 29, "sunspots"] = value
        flags = _flagged(runner.invoke(app, [*detect, "--data",
                                             str(_write(stuck, tmp_path / "x.csv")),
                                             "--last", "120"]))
        assert flags.loc[months.iloc[at + 15:at + 30]].all(), value
