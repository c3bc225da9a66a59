"""Backtest origins, folds and refit policies: which origins retrain, and that no forecast
sees its future."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from forecaster.cli import app
from forecaster.config import TrainSettings
from forecaster.data.spec import DataSpec
from forecaster.errors import ConfigError, DataError
from forecaster.pipeline.backtest_plan import (
    BacktestSettings,
    make_origins,
    make_plan,
    refit_every,
    resolve_position,
    tail_note,
)
from tests.conftest import make_series

TIMES = pd.date_range("2024-01-01", periods=200, freq="h", tz="UTC")
TINY_ST = dict(window=24, segment=6, horizon=6, hidden=4, layers=1, epochs=2, batch_size=64,
               ensemble=1, device="cpu")


def _bt(**kw: object) -> BacktestSettings:
    st = TrainSettings(**{**TINY_ST, **kw.pop("train", {})})
    return BacktestSettings(train=st, **kw)


def test_origins_stop_where_the_horizon_would_pass_the_end() -> None:
    np.testing.assert_array_equal(make_origins(100, 120, 6, 5), [100, 105, 110])
    with pytest.raises(DataError):
        make_origins(118, 120, 6, 1)


def test_the_last_steps_no_origin_reaches_are_named_with_the_start_that_reaches_them() -> None:
    # The airline file's backtest ended at July 1960, five months short, without a word.
    plan = make_plan(200, TIMES, _bt(start="0.8", train={"horizon": 7}))  # 40 steps, 5 x 7
    assert plan.left == 5 and plan.origins[-1] + 7 == 195
    assert tail_note(plan, TIMES, 7, 7) == (
        "the last 5 step(s), from 2024-01-09T03:00:00+00:00, are not forecast: origins lie "
        "--stride 7 apart from --start, and the next would run past the span; --start "
        "2024-01-07T21:00:00+00:00 reaches them")
    shifted = make_plan(200, TIMES, _bt(start="2024-01-07 21:00", train={"horizon": 7}))
    assert shifted.left == 0 and shifted.origins[-1] + 7 == 200
    assert tail_note(shifted, TIMES, 7, 7) is None


def test_the_start_named_for_step_numbers_is_one_start_takes() -> None:
    # "--start step 485" was named, and refused when given back.
    steps = pd.date_range("1970-01-01", periods=600, freq="ns", tz="UTC")  # steps 0..599
    plan = make_plan(600, steps, _bt(start="0.8", stride=7, train={"horizon": 10}))
    note = tail_note(plan, steps, 10, 7)
    assert note is not None and note.endswith("--start 485 reaches them"), note
    assert make_plan(600, steps, _bt(start="485", stride=7, train={"horizon": 10})).left == 0


def test_start_and_end_as_fractions_or_timestamps() -> None:
    assert resolve_position("0.5", TIMES, 0.8, "--start") == 100
    assert resolve_position(None, TIMES, 0.8, "--start") == 160
    assert resolve_position("2024-01-01 10:00", TIMES, 0.8, "--start") == 10
    # --end names the last timestamp included
    assert resolve_position("2024-01-01 10:00", TIMES, 1.0, "--end", inclusive=True) == 11
    years = pd.date_range("1949-01-01", periods=144, freq="MS", tz="UTC")
    assert resolve_position("1958", years, 0.8, "--start") == 108  # a year, as --since reads it
    # A Unix time (date +%s, with or without a fraction) and a compact date, as --since.
    start = str(int(TIMES[10].timestamp()))
    assert resolve_position(start, TIMES, 0.8, "--start") == 10
    assert resolve_position(start + ".0", TIMES, 0.8, "--start") == 10
    assert resolve_position(f"{TIMES[10]:%Y%m%d%H}", TIMES, 0.8, "--start") == 10
    for bad in ("1.5", "yesterday-ish", "2030-01-01"):
        with pytest.raises(ConfigError):
            resolve_position(bad, TIMES, 0.8, "--start")


def test_refit_policy_parsing() -> None:
    assert refit_every("never") is None
    assert refit_every("each") == 1
    assert refit_every("every-3") == 3
    for bad in ("sometimes", "every-0", "every-x"):
        with pytest.raises(ConfigError):
            refit_every(bad)


@pytest.mark.parametrize(("policy", "firsts"), [
    ("never", [150]), ("each", [150, 156, 162, 168, 174, 180, 186, 192]),
    ("every-3", [150, 168, 186])])
def test_which_origins_retrain(policy: str, firsts: list[int]) -> None:
    plan = make_plan(200, TIMES, _bt(start="0.75", refit=policy, folds=2))
    assert [int(r.origins[0]) for r in plan.refits] == firsts
    np.testing.assert_array_equal(np.concatenate([r.origins for r in plan.refits]),
                                  plan.origins)
    np.testing.assert_array_equal(plan.fold, [0, 0, 0, 0, 1, 1, 1, 1])


def test_no_refit_trains_on_or_after_its_first_origin() -> None:
    plan = make_plan(200, TIMES, _bt(start="0.6", refit="every-2", gap=5,
                                     window_kind="sliding", train={"val_size": 12}))
    first_len = plan.refits[0].train_hi
    for r in plan.refits:
        assert r.train_hi == r.origins[0] - 5  # the gap
        assert r.train_lo < r.fit_hi == r.train_hi - 12 < r.train_hi <= r.origins.min()
        assert r.train_hi - r.train_lo == first_len  # sliding keeps the length


def test_too_little_history_is_a_data_error() -> None:
    with pytest.raises(DataError, match="too few to train"):
        make_plan(200, TIMES, _bt(start="0.1"))
    with pytest.raises(ConfigError, match="--folds"):
        make_plan(200, TIMES, _bt(start="0.9", folds=50))
    # A --gap longer than the history: no negative count of steps, and the gap named (the
    # advice, tried before it is given, is backtest_fit's: tests/test_backtest_short.py).
    with pytest.raises(DataError, match=r"^0 steps before the first origin \(after --gap "
                       r"100000\), too few to train"):
        make_plan(200, TIMES, _bt(start="0.8", gap=100000))


def _run(path: Path, refit: str):
    from forecaster.pipeline.backtesting import backtest

    spec = DataSpec(time_col="timestamp", targets=["value"])
    return backtest(path, _bt(start="0.7", refit=refit, stride=4, folds=2,
                              train={"data": spec}))


@pytest.mark.parametrize("refit", ["never", "every-4"])
def test_no_forecast_depends_on_its_future(tmp_path: Path, refit: str) -> None:
    df = make_series(n=300)
    df.to_csv(tmp_path / "a.csv", index=False)
    cut = 250  # change every value from row 250 on
    df.loc[cut:, "value"] += 50.0
    df.to_csv(tmp_path / "b.csv", index=False)
    a, b = _run(tmp_path / "a.csv", refit), _run(tmp_path / "b.csv", refit)
    safe = a.forecasts.origins[:, 1] <= cut  # forecasts from rows before the cut only
    assert safe.any() and (~safe).any()
    for name in a.forecasts.models:
        for j in range(3):
            np.testing.assert_allclose(a.forecasts.models[name][j][safe],
                                       b.forecasts.models[name][j][safe], rtol=1e-5,
                                       err_msg=name)
        assert not np.allclose(a.forecasts.actual[~safe], b.forecasts.actual[~safe])


def test_early_stopping_does_not_read_the_intervals_validation_part(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The epoch is chosen on the fit part's end; the validation part, whose residuals set
    the intervals, is not chosen on too (a band chosen on its own residuals is narrow)."""
    from forecaster.pipeline import backtesting

    make_series(n=300).to_csv(tmp_path / "a.csv", index=False)
    seen, real = [], backtesting.refit_data

    def spy(*args, **kwargs):
        data = real(*args, **kwargs)
        seen.append(data)
        return data

    chosen = []
    real_fit = backtesting.fit_ensemble
    monkeypatch.setattr(backtesting, "refit_data", spy)
    monkeypatch.setattr(backtesting, "fit_ensemble",
                        lambda frame, st, train, early, *a: chosen.append(early)
                        or real_fit(frame, st, train, early, *a))
    _run(tmp_path / "a.csv", "never")
    data, early = seen[0], chosen[0]
    assert early is data.early and len(early)
    last_target = int(early.starts.max()) + early.window + early.horizon
    assert last_target <= int(data.val.starts.min()) + data.val.window  # before validation
    assert int(data.fit.starts.max()) < int(early.starts.min())


def test_cli_backtest_writes_forecasts_metrics_and_plot(tmp_path: Path) -> None:
    make_series(n=300).to_csv(tmp_path / "s.csv", index=False)
    tiny = ["--epochs", "2", "--hidden", "4", "--layers", "1", "--window", "24", "--segment",
            "6", "--horizon", "6", "--device", "cpu", "--ensemble", "1"]
    out, png = tmp_path / "bt.csv", tmp_path / "bt.png"
    res = CliRunner().invoke(app, ["backtest", str(tmp_path / "s.csv"), *tiny, "--start",
                                   "0.8", "--folds", "2", "--refit", "every-5", "--output",
                                   str(out), "--plot", str(png)])
    assert res.exit_code == 0, res.output
    table = pd.read_csv(out)
    assert list(table.columns[:9]) == ["series", "origin", "timestamp", "step", "target",
                                       "forecast", "lower", "upper", "actual"]
    assert (pd.to_datetime(table["origin"]) < pd.to_datetime(table["timestamp"])).all()
    assert (table["lower"] <= table["upper"]).all() and png.stat().st_size > 1000
    assert "ETS" in res.output and "seasonal naive" in res.output


def test_cli_backtest_json_has_per_step_metrics(tmp_path: Path) -> None:
    make_series(n=300).to_csv(tmp_path / "s.csv", index=False)
    res = CliRunner().invoke(app, ["backtest", str(tmp_path / "s.csv"), "--epochs", "1",
                                   "--hidden", "4", "--window", "24", "--segment", "6",
                                   "--horizon", "4", "--start", "0.9", "--format", "json",
                                   "-q", "--device", "cpu", "--ensemble", "1"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert len(doc["metrics"]["steps"]) == 4
    assert set(doc["metrics"]["overall"]) == {doc["model"], "naive", "seasonal naive", "drift",
                                              "ETS", "weekly naive"}  # 270 hours: a week back
    # 7 significant digits, like every computed number written ("mae": 1.253981779382381)
    mae = [m["mae"] for m in doc["metrics"]["overall"].values()]
    assert all(len(f"{v:.15g}".replace(".", "").lstrip("0-")) <= 7 for v in mae), mae


def test_weekly_naive_is_a_yardstick_for_hourly_data_with_a_week_behind(tmp_path: Path) -> None:
    t = np.arange(600)
    week = np.where((t // 24) % 7 < 5, 10.0, 2.0) + np.sin(2 * np.pi * t / 24)  # weekdays busy
    pd.DataFrame({"timestamp": pd.date_range("2024-01-01", periods=600, freq="h"),
                  "y": week}).to_csv(tmp_path / "w.csv", index=False)
    args = ["backtest", str(tmp_path / "w.csv"), "--epochs", "1", "--hidden", "4", "--window",
            "24", "--segment", "6", "--horizon", "24", "--format", "json", "-q", "--ensemble", "1"]
    res = CliRunner().invoke(app, [*args, "--start", "0.7"])
    assert res.exit_code == 0, res.output
    overall = json.loads(res.stdout)["metrics"]["overall"]
    assert overall["weekly naive"]["mae"] < 1e-9 < overall["seasonal naive"]["mae"]
    res = CliRunner().invoke(app, [*args, "--start", "0.25"])  # origins from hour 150
    assert res.exit_code == 0, res.output
    assert "weekly naive" not in json.loads(res.stdout)["metrics"]["overall"]
    # Origins from hour 180, but the validation part that sets its intervals starts earlier.
    res = CliRunner().invoke(app, [*args, "--start", "0.3"])
    assert res.exit_code == 0, res.output
    assert "weekly naive" not in json.loads(res.stdout)["metrics"]["overall"]


def test_targets_in_other_units_are_scored_and_judged_apart(tmp_path: Path) -> None:
    # Pooled, z (a random walk near 1e4) alone set the MAE, and the warning told a user
    # whose model forecast x ten times better than every baseline to use the naive one.
    rng = np.random.default_rng(0)
    t = np.arange(500)
    pd.DataFrame({"timestamp": pd.date_range("2024-01-01", periods=500, freq="h"),
                  "x": 10 + np.sin(2 * np.pi * t / 7), "z": 1e4 + np.cumsum(rng.normal(
                      0, 50, 500))}).to_csv(tmp_path / "w.csv", index=False)
    res = CliRunner().invoke(app, ["backtest", str(tmp_path / "w.csv"), "--target", "x,z",
                                   "--epochs", "1", "--hidden", "4", "--window", "24",
                                   "--segment", "6", "--horizon", "6", "--format", "json",
                                   "--ensemble", "1", "--start", "0.7"])
    assert res.exit_code == 0, res.output
    m = json.loads(res.stdout)["metrics"]
    rows = pd.DataFrame(json.loads(res.stdout)["forecasts"])
    for name, per in m["targets"].items():
        mine = rows[rows["target"] == name]
        assert per["GRU"]["mae"] == pytest.approx(
            (mine["forecast"] - mine["actual"]).abs().mean(), rel=1e-4)
        beaten = min(sc["mae"] for k, sc in per.items() if k != "GRU") < per["GRU"]["mae"]
        assert (f"over the backtest on '{name}' the model's MAE" in res.stderr) == beaten
    assert "over the backtest the model's MAE" not in res.stderr  # never the pooled figure


def test_cli_backtest_errors_are_one_line(tmp_path: Path) -> None:
    make_series(n=300).to_csv(tmp_path / "s.csv", index=False)
    for args, code in ((["--refit", "often"], 2), (["--start", "0.05"], 65)):
        res = CliRunner().invoke(app, ["backtest", str(tmp_path / "s.csv"), *args])
        assert res.exit_code == code, res.output
        assert res.output.startswith("Error: ") and res.output.count("\n") == 1


def test_cli_backtest_warns_when_intervals_rest_on_few_windows(tmp_path: Path) -> None:
    make_series(n=150).to_csv(tmp_path / "s.csv", index=False)
    res = CliRunner().invoke(app, ["backtest", str(tmp_path / "s.csv"), "--epochs", "1",
                                   "--hidden", "4", "--window", "24", "--segment", "6",
                                   "--horizon", "12", "--start", "0.8", "--device", "cpu",
                                   "--ensemble", "1", "--folds", "2", "--refit", "each"])
    assert res.exit_code == 0, res.output
    assert res.stderr.count("too few to calibrate a 90% band") == 1  # not once per refit
    table = pd.read_csv(io.StringIO(res.stdout))
    assert (table["lower"] < table["upper"]).all()


def test_cli_backtest_shrinks_the_automatic_shape_on_a_short_file(tmp_path: Path) -> None:
    # 36 monthly rows: the automatic horizon 12 leaves no origin after --start 0.8, so the
    # backtest shrinks window, segment and horizon as `forecast train` does.
    frame = make_series(n=36, slope=2.0)
    frame["timestamp"] = pd.date_range("2001-01-01", periods=36, freq="MS")
    frame.to_csv(tmp_path / "s.csv", index=False)
    res = CliRunner().invoke(app, ["backtest", str(tmp_path / "s.csv"), "--epochs", "1",
                                   "--hidden", "4", "--device", "cpu", "--ensemble", "1"])
    assert res.exit_code == 0, res.output
    table = pd.read_csv(io.StringIO(res.stdout))
    assert 1 <= table["step"].max() < 12 and "short data" in res.stderr
    assert (pd.to_datetime(table["timestamp"]) <= pd.Timestamp("2003-12-01", tz="UTC")).all()


def test_cli_backtest_keeps_a_given_horizon(tmp_path: Path) -> None:
    frame = make_series(n=36, slope=2.0)
    frame["timestamp"] = pd.date_range("2001-01-01", periods=36, freq="MS")
    frame.to_csv(tmp_path / "s.csv", index=False)
    res = CliRunner().invoke(app, ["backtest", str(tmp_path / "s.csv"), "--horizon", "12"])
    assert res.exit_code != 0
    assert res.stderr.strip().startswith("Error: ") and "--horizon 12" in res.stderr


def test_cli_backtest_too_many_folds_is_an_error_not_a_smaller_shape(tmp_path: Path) -> None:
    make_series(n=300).to_csv(tmp_path / "s.csv", index=False)
    res = CliRunner().invoke(app, ["backtest", str(tmp_path / "s.csv"), "--folds", "50"])
    assert res.exit_code == 2, res.output
    assert res.stderr.startswith("Error: --folds 50: only") and "short data" not in res.stderr


def test_a_season_longer_than_the_history_is_refused(tmp_path: Path) -> None:
    make_series(n=300).to_csv(tmp_path / "s.csv", index=False)
    res = CliRunner().invoke(app, ["backtest", str(tmp_path / "s.csv"), "--season", "100000",
                                   "--start", "0.8", "--epochs", "1", "--ensemble", "1"])
    assert res.exit_code == 2, res.output
    assert res.stderr.startswith("Error: --season 100000: only 240 steps")
    res = CliRunner().invoke(app, ["backtest", str(tmp_path / "s.csv"), "--season", "240",
                                   "--start", "0.8", "--epochs", "1", "--ensemble", "1", "-q"])
    assert res.exit_code == 0, res.output  # exactly one season behind the first origin


@pytest.mark.parametrize(("plot", "message"), [
    ("nodir/x.png", "Error: --plot {d}/nodir/x.png: the folder {d}/nodir does not exist; "
                    "create it or choose another path\n"),
    ("bt_out.csv", "Error: --plot {d}/bt_out.csv: the same file as --output; give each its "
                   "own path\n"),
    ("s.csv", "Error: --plot {d}/s.csv: that is the input file; choose another path\n"),
])
def test_cli_backtest_checks_output_and_plot_paths_before_any_work(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, plot: str, message: str) -> None:
    # Patched where it is called: patching backtesting.backtest while backtest_report was
    # first imported bound the stand-in there for every later test in the process.
    from forecaster.pipeline import backtest_report

    def no_work(*args: object, **kwargs: object) -> None:
        raise AssertionError("the backtest ran before the paths were checked")

    monkeypatch.setattr(backtest_report, "backtest", no_work)
    make_series(n=300).to_csv(tmp_path / "s.csv", index=False)
    res = CliRunner().invoke(app, ["backtest", str(tmp_path / "s.csv"), "--plot",
                                   str(tmp_path / plot), "--output", str(tmp_path / "bt_out.csv")])
    assert res.exit_code == 73, res.output
    assert res.stderr == message.format(d=tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.csv"]


def test_series_that_do_not_overlap_get_a_message_not_an_internal_error(tmp_path: Path) -> None:
    # Store A in January, store B in March: the rows before the default start are A's only.
    parts = [make_series(n=200, start=start).assign(store=store)
             for store, start in (("A", "2024-01-01"), ("B", "2024-03-01"))]
    pd.concat(parts).to_csv(tmp_path / "long.csv", index=False)
    base = ["backtest", str(tmp_path / "long.csv"), "--series-col", "store", "--epochs", "1",
            "--ensemble", "1", "--hidden", "4", "-q"]
    for extra in ([], ["--start", "0.95"]):
        res = CliRunner().invoke(app, [*base, *extra])
        assert res.exit_code == 65, res.output
        last = res.stderr.splitlines()[-1]  # after any warning
        assert last.startswith("Error: fit 1: no series has") and "--start" in last
    res = CliRunner().invoke(app, [*base, "--start", "0.97", "--window", "24", "--segment", "24",
                                   "--val-size", "24"])
    assert res.exit_code == 0, res.output


def test_a_backtest_on_few_origins_warns(tmp_path: Path) -> None:
    make_series(n=300).to_csv(tmp_path / "s.csv", index=False)
    args = ["backtest", str(tmp_path / "s.csv"), "--epochs", "1", "--hidden", "4", "--window",
            "24", "--segment", "6", "--horizon", "24", "--ensemble", "1", "--start"]
    res = CliRunner().invoke(app, [*args, "0.85"])  # 1 origin of 24 steps
    assert res.exit_code == 0, res.output
    assert "only 1 origin(s)" in res.stderr and "--stride" in res.stderr
    res = CliRunner().invoke(app, [*args, "0.5"])
    assert res.exit_code == 0, res.output
    assert "origin(s), so every metric" not in res.stderr


def test_backtest_follows_the_json_log_format(tmp_path: Path) -> None:
    make_series(n=300).to_csv(tmp_path / "s.csv", index=False)
    res = CliRunner().invoke(app, ["--log-format", "json", "backtest", str(tmp_path / "s.csv"),
                                   "--epochs", "1", "--hidden", "4", "--window", "24",
                                   "--segment", "6", "--horizon", "4", "--start", "0.9",
                                   "--ensemble", "1"])
    assert res.exit_code == 0, res.output
    lines = [json.loads(line) for line in res.stderr.splitlines()]  # every line is JSON
    assert any("table" in x for x in lines) and any("msg" in x for x in lines)


def test_bands_follow_each_series_scale(tmp_path: Path) -> None:
    # Raw residuals were pooled across series: a series of 10s got a band 25 times its
    # error and one of 1000s too narrow a band. Two series alike but for a factor 100
    # must get bands alike but for the same factor.
    one = make_series(n=300)
    other = one.assign(value=one["value"] * 100.0)
    pd.concat([one.assign(id="small"), other.assign(id="large")]).to_csv(
        tmp_path / "two.csv", index=False)
    tiny = ["--epochs", "2", "--hidden", "4", "--layers", "1", "--window", "24", "--segment",
            "6", "--horizon", "6", "--device", "cpu", "--ensemble", "1"]
    out = tmp_path / "bt.csv"
    res = CliRunner().invoke(app, ["backtest", str(tmp_path / "two.csv"), "--series-col", "id",
                                   *tiny, "--start", "0.8", "--output", str(out)])
    assert res.exit_code == 0, res.output
    assert "series small: GRU MAE" in res.stderr  # not "serie small"
    table = pd.read_csv(out)
    width = (table["upper"] - table["lower"]).groupby(table["series"]).mean()
    assert width["large"] / width["small"] == pytest.approx(100.0, rel=1e-3), width


def test_ets_validation_forecasts_never_see_the_validation_rows_after_them(
        tmp_path: Path) -> None:
    # ETS was fitted on the whole refit, validation rows included: the errors that set its
    # band were in-sample, and the band too narrow.
    from forecaster.data.loading import load_frame
    from forecaster.pipeline.backtest_baselines import baseline_points
    from forecaster.pipeline.backtest_plan import Refit
    from forecaster.pipeline.prepare import make_grid

    def val_ets(values: pd.DataFrame) -> np.ndarray:
        values.to_csv(tmp_path / "s.csv", index=False)
        frame = load_frame(tmp_path / "s.csv", DataSpec())
        refit = Refit(train_lo=0, fit_hi=200, train_hi=260, origins=np.array([260]))
        val = np.array([[0, 200]])
        points = baseline_points(frame, make_grid(frame), refit, (val, np.array([[0, 260]])),
                                 6, 24)
        return points["ETS"][0]

    data = make_series(n=300)
    later = data.copy()
    later.loc[230:259, "value"] += 5.0  # validation rows after the origin 200 (+ horizon)
    np.testing.assert_allclose(val_ets(data), val_ets(later))


def test_a_series_starting_after_the_fitting_part_gets_an_ets_baseline(tmp_path: Path) -> None:
    # Its fitting rows were clipped to none, and ETS was fitted on an empty array
    # (IndexError, an internal error).
    from forecaster.data.loading import load_frame
    from forecaster.pipeline.backtest_baselines import baseline_points
    from forecaster.pipeline.backtest_plan import Refit
    from forecaster.pipeline.prepare import make_grid

    early, late = make_series(n=300), make_series(n=120, seed=1, start="2024-01-08 12:00")
    pd.concat([early.assign(id="a"), late.assign(id="b")]).to_csv(tmp_path / "s.csv",
                                                                  index=False)
    frame = load_frame(tmp_path / "s.csv", DataSpec(series_col="id"))
    grid = make_grid(frame)
    assert grid.offsets[1] >= 180  # b starts after the fitting part ends
    refit = Refit(train_lo=0, fit_hi=180, train_hi=260, origins=np.array([260]))
    val = np.array([[1, 20]])  # an origin of b inside the validation part
    points = baseline_points(frame, grid, refit, (val, np.array([[1, 60]])), 6, 24)
    assert np.isfinite(points["ETS"][0]).all()


@pytest.mark.parametrize(("maes", "warned"), [
    ({"GRU": 2.0, "naive": 1.5, "ETS": 1.2}, "above the ETS forecast's (1.2)"),
    ({"GRU": 1.0, "naive": 1.5, "ETS": 1.2}, None),
    ({"GRU": float("nan"), "naive": 1.5}, None),   # nothing observed to score
])
def test_a_baseline_that_beats_the_model_is_warned_about(capsys: pytest.CaptureFixture,
                                                         maes: dict, warned: str | None) -> None:
    # A backtest run from cron has no table to read: the log must say it.
    from forecaster.pipeline.backtest_report import warn_beaten
    from forecaster.report import Reporter

    warn_beaten(Reporter(quiet=True, tty=False), {k: {"mae": v} for k, v in maes.items()})
    err = capsys.readouterr().err
    assert (warned in err and "GRU is no better than that baseline" in err) if warned \
        else err == ""
    assert "--norm diff" not in err


def test_a_trend_beaten_by_a_baseline_is_advised_to_forecast_changes(
        capsys: pytest.CaptureFixture) -> None:
    # The airline passengers: GRU 34.4 against ETS 21.1 with levels, 23.1 with --norm diff,
    # which the warning did not name.
    from forecaster.pipeline.backtest_report import warn_beaten
    from forecaster.report import Reporter

    warn_beaten(Reporter(quiet=True, tty=False), {"GRU": {"mae": 34.4}, "ETS": {"mae": 21.1}},
                trend=True)
    assert ("try more history or a longer --window, or --norm diff (the series trends"
            in capsys.readouterr().err)


def test_fitted_baselines_never_forecast_a_count_below_zero(tmp_path: Path) -> None:
    # Solar output: zero every night, a peak that clouds change from day to day. ETS
    # extrapolated the evening fall below zero (231 of 576 forecasts, down to -29.6) while
    # the model and its bounds were floored.
    n = 24 * 60
    hour, day = np.arange(n) % 24, np.arange(n) // 24
    peak = np.random.default_rng(1).uniform(5, 40, size=n // 24)[day]
    value = np.round(np.clip(np.sin((hour - 6) / 12 * np.pi), 0, None) * peak, 2)
    times = pd.date_range("2025-04-01", periods=n, freq="h")
    pd.DataFrame({"timestamp": times, "kw": value}).to_csv(tmp_path / "sun.csv", index=False)
    from forecaster.pipeline.backtesting import backtest

    res = backtest(tmp_path / "sun.csv", _bt(start="0.8", stride=6, train={
        "data": DataSpec(time_col="timestamp", targets=["kw"])}))
    for name in ("ETS", "drift"):
        assert np.nanmin(res.forecasts.models[name][0]) >= 0.0, name


def test_sliding_window_kind_with_one_fit_is_named(tmp_path: Path) -> None:
    # --window-kind sliding keeps later refits to the first fit's length; with --refit
    # never there is no later refit, and the option did nothing, without a word.
    make_series(n=300).to_csv(tmp_path / "s.csv", index=False)
    args = ["backtest", str(tmp_path / "s.csv"), "--epochs", "1", "--hidden", "4", "--window",
            "24", "--segment", "6", "--horizon", "6", "--ensemble", "1", "--start", "0.8",
            "--window-kind", "sliding", "-o", str(tmp_path / "bt.csv")]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    assert ("Warning: --window-kind sliding: no effect with one fit (--refit never, 10 "
            "origin(s))") in res.stderr
    res = CliRunner().invoke(app, [*args, "--refit", "every-5"])
    assert res.exit_code == 0, res.output
    assert "--window-kind sliding: no effect" not in res.stderr
