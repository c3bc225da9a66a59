"""The drift gate of ``predict`` and ``detect-anomalies``: a file that lost its newest rows
since training, and a gross outlier in the newest row that the forecast would start from,
but not a sparse column's ordinary 1s, many sd out yet within the training range."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import make_series, train_tiny
from typer.testing import CliRunner

from forecaster.bundle import load_bundle
from forecaster.cli import app
from forecaster.pipeline.drift import drift_problems
from forecaster.pipeline.reread import load_data_for

runner = CliRunner()
ENDED = ("the data ends at 2024-01-17T15:00:00+00:00, before the training data's end "
         "2024-01-21T19:00:00+00:00: the file lost rows since training")


@pytest.fixture(scope="module")
def hourly(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A 600-row hourly series, and a bundle trained on its first 500 rows."""
    root = tmp_path_factory.mktemp("drift")
    full = make_series(n=600)
    full.to_csv(root / "full.csv", index=False)
    full.iloc[:500].to_csv(root / "data.csv", index=False)
    return root, train_tiny(root / "data.csv", root / "m")


def _write(root: Path, name: str, rows: pd.DataFrame) -> Path:
    rows.to_csv(root / name, index=False)
    return root / name


def _run(command: str, model: Path, *extra: str):
    more = ["--method", "forecast", "--exit-zero"] if command == "detect-anomalies" else []
    return runner.invoke(app, [command, "--model", str(model), "--quiet", *more, *extra])


def _refused(result) -> str:
    """The one error line of a run that exited 65."""
    assert result.exit_code == 65, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.stderr
    return errors[0]


def test_file_truncated_in_place_warns(tmp_path: Path) -> None:
    # The tester's repro: train on 500 rows, the recorded file is then cut to its first 400.
    csv = _write(tmp_path, "data.csv", make_series(n=500))
    model = train_tiny(csv, tmp_path / "m")
    _write(tmp_path, "data.csv", make_series(n=400))
    result = _run("predict", model)
    assert result.exit_code == 0, result.output
    assert f"Warning: data drift: {ENDED}" in result.stderr
    assert _refused(_run("predict", model, "--strict")).startswith(f"Error: data drift: {ENDED}")


@pytest.mark.parametrize("command", ["predict", "detect-anomalies"])
def test_older_file_is_refused_with_strict(hourly: tuple[Path, Path], command: str) -> None:
    root, model = hourly
    old = _write(root, "old.csv", make_series(n=400))
    assert ENDED in _refused(_run(command, model, "--data", str(old), "--strict"))
    # Without --strict an older --data file is the user's choice: a warning, exit 0.
    result = _run(command, model, "--data", str(old))
    assert result.exit_code == 0, result.output
    assert f"Warning: data drift: {ENDED}" in result.stderr


@pytest.mark.parametrize("command", ["predict", "detect-anomalies"])
@pytest.mark.parametrize("name", ["data.csv", "full.csv"])
def test_unchanged_or_grown_file_passes(hourly: tuple[Path, Path], command: str,
                                        name: str) -> None:
    root, model = hourly
    result = _run(command, model, "--data", str(root / name), "--strict")
    assert result.exit_code == 0, result.output
    assert "Warning" not in result.stderr


def test_series_judged_by_its_own_training_end(tmp_path: Path) -> None:
    # 'b' stopped reporting 80 hours before training ended: no drift while it stays so,
    # but 'a' losing its newest rows is reported, by name, and 'b' is not.
    parts = [make_series(n=480).assign(store="a"), make_series(n=400, seed=1).assign(store="b")]
    csv = _write(tmp_path, "long.csv", pd.concat(parts, ignore_index=True))
    model = train_tiny(csv, tmp_path / "m", "--series-col", "store")
    result = _run("predict", model, "--strict")
    assert result.exit_code == 0 and "Warning" not in result.stderr, result.output
    cut = _write(tmp_path, "cut.csv", pd.concat([parts[0].iloc[:450], parts[1]]))
    result = _run("predict", model, "--data", str(cut))
    assert result.exit_code == 0, result.output
    assert ("series 'a' ends at 2024-01-19T17:00:00+00:00, before the training data's end "
            "2024-01-20T23:00:00+00:00") in result.stderr
    assert "series 'b'" not in result.stderr


def test_warm_start_on_the_grown_file_passes(tmp_path: Path) -> None:
    csv = _write(tmp_path, "data.csv", make_series(n=500))
    model = train_tiny(csv, tmp_path / "m")
    _write(tmp_path, "data.csv", make_series(n=600))
    train_tiny(csv, model, "--warm-start")
    result = _run("predict", model, "--strict")
    assert result.exit_code == 0 and "Warning" not in result.stderr, result.output


def test_step_indexed_file_names_steps(tmp_path: Path) -> None:
    rows = make_series(n=500).assign(timestamp=range(500)).rename(columns={"timestamp": "step"})
    csv = _write(tmp_path, "steps.csv", rows)
    model = train_tiny(csv, tmp_path / "m")
    _write(tmp_path, "steps.csv", rows.iloc[:400])
    result = _run("predict", model)
    assert "the data ends at step 399, before the training data's end step 499" in (
        result.stderr)


def _outlier(root: Path, value: float, rows: int = 1) -> Path:
    data = make_series(n=500)
    data.loc[len(data) - rows:, "value"] = value
    return _write(root, f"outlier-{rows}.csv", data)


def test_outlier_in_the_newest_row_is_reported(hourly: tuple[Path, Path]) -> None:
    root, model = hourly
    spike = _outlier(root, 95000.0)
    result = _run("predict", model, "--data", str(spike))
    assert result.exit_code == 0, result.output
    warned = [line for line in result.stderr.splitlines() if "Warning:" in line]
    assert len(warned) == 1, result.stderr
    assert "data drift: the newest 'value' (95000) lies" in warned[0]
    assert "training standard deviations from the training mean; the forecast starts from it" \
        in warned[0]
    assert "the newest 'value' (95000)" in _refused(
        _run("predict", model, "--data", str(spike), "--strict"))


def test_outlier_is_what_detect_anomalies_scores(hourly: tuple[Path, Path]) -> None:
    # An anomaly in the newest row is detect-anomalies' finding, not a reason to refuse.
    root, model = hourly
    result = _run("detect-anomalies", model, "--data", str(_outlier(root, 95000.0)), "--strict")
    assert result.exit_code == 0, result.output


def _reading(root: Path, back: int, value: float) -> Path:
    """The 500 training rows with ``value`` in the row ``back`` rows before the end."""
    data = make_series(n=500)
    data.loc[len(data) - 1 - back, "value"] = value
    return _write(root, f"reading-{back}.csv", data)


@pytest.mark.parametrize("value", [1e30, 1234.5])
def test_an_extreme_reading_inside_the_input_window_is_reported(
        hourly: tuple[Path, Path], value: float) -> None:
    # The tester's repro: 1e30 ten rows before the end (inside the 24-row window) gave
    # bounds of -4e14 to 4e14, exit 0 and no word, --strict too; a "1,234.5" read as
    # 1234.5 widened them silently.
    root, model = hourly
    odd = _reading(root, 10, value)
    result = _run("predict", model, "--data", str(odd))
    assert result.exit_code == 0, result.output
    warned = [line for line in result.stderr.splitlines() if "Warning:" in line]
    assert len(warned) == 1, result.stderr
    assert (f"data drift: 'value' at 2024-01-21T09:00:00+00:00 ({value:.10g}), in the "
            "model's input window (the last 24 rows), lies ") in warned[0]
    assert "the forecast's interval is scaled by that window: correct or blank" in warned[0]
    error = _refused(_run("predict", model, "--data", str(odd), "--strict"))
    assert f"'value' at 2024-01-21T09:00:00+00:00 ({value:.10g})" in error


def test_an_extreme_reading_before_the_input_window_is_not_predicts_concern(
        hourly: tuple[Path, Path]) -> None:
    root, model = hourly
    result = _run("predict", model, "--data", str(_reading(root, 30, 1e30)), "--strict")
    assert result.exit_code == 0, result.output
    assert "drift" not in result.stderr


def test_an_extreme_reading_is_what_detect_anomalies_scores(hourly: tuple[Path, Path]) -> None:
    root, model = hourly
    result = _run("detect-anomalies", model, "--data", str(_reading(root, 10, 1e30)),
                  "--strict")
    assert result.exit_code == 0, result.output
    assert "drift" not in result.stderr


def test_recent_level_shift_is_reported_once(hourly: tuple[Path, Path]) -> None:
    root, model = hourly
    result = _run("predict", model, "--data", str(_outlier(root, 95000.0, rows=48)))
    assert result.exit_code == 0, result.output
    warned = [line for line in result.stderr.splitlines() if "Warning:" in line]
    assert len(warned) == 1 and "recent 'value' values of the data lie" in warned[0], warned


def test_newest_value_skips_step_models_and_counters(hourly: tuple[Path, Path]) -> None:
    # Levels of a --norm diff model's targets, and a held counter, may leave the range.
    root, model = hourly
    bundle = load_bundle(model)
    frame, _ = load_data_for(bundle, _outlier(root, 95000.0))
    assert drift_problems(bundle, frame, 24, anchored=True)
    assert not drift_problems(bundle, frame, 24, anchored=False)
    bundle.meta["forecaster"]["counters"] = {"": {"value": 1}}
    assert not drift_problems(bundle, frame, 24, anchored=True)
    bundle.meta["forecaster"]["counters"] = {}
    bundle.meta["forecaster"]["config"]["norm"] = "diff"
    assert not drift_problems(bundle, frame, 24, anchored=True)


def test_bundle_without_training_ends_skips_the_check(hourly: tuple[Path, Path]) -> None:
    root, model = hourly
    bundle = load_bundle(model)
    frame, _ = load_data_for(bundle, _write(root, "old.csv", make_series(n=400)))
    assert drift_problems(bundle, frame, 24)
    del bundle.meta["data"]["series"]
    assert not drift_problems(bundle, frame, 24)


def test_a_distance_beyond_a_million_deviations_is_written_short() -> None:
    # A reading of 9e29 on a series of sd 1e-9 printed its distance in 39 digits.
    from forecaster.pipeline.drift import _count

    assert [_count(z) for z in (12.4, 2934.2, 4.24e38)] == ["12", "2,934", "4.2e+38"]



@pytest.fixture(scope="module")
def flagged(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A series with a 0/1 feature 'snow' that is 1 in 5 of 500 rows (the last one too),
    and a bundle trained on it: each 1 lies 10 training sd from the mean of 0.01."""
    root = tmp_path_factory.mktemp("sparse")
    data = make_series(n=500).assign(snow=0)
    data.loc[[50, 150, 250, 350, 499], "snow"] = 1
    csv = _write(root, "snow.csv", data)
    return csv, train_tiny(csv, root / "m", "--features", "snow")


@pytest.mark.parametrize("rows", [1, 48])
def test_a_sparse_flag_at_one_is_no_drift(flagged: tuple[Path, Path], rows: int) -> None:
    # The probe's repro: a snow flag of 1, seen in training, was "10 training standard
    # deviations" off, and --strict refused the forecast (exit 65). One newest row, and a
    # snowy two days (the recent median at 1) alike.
    csv, model = flagged
    data = pd.read_csv(csv)
    data.loc[len(data) - rows:, "snow"] = 1
    snowy = _write(csv.parent, f"snowy-{rows}.csv", data)
    for command in ("predict", "detect-anomalies"):
        result = _run(command, model, "--data", str(snowy), "--strict")
        assert result.exit_code == 0, result.output
        assert "drift" not in result.stderr


def test_a_value_far_outside_a_sparse_flags_range_is_drift(flagged: tuple[Path, Path]) -> None:
    csv, model = flagged
    data = pd.read_csv(csv)
    data.loc[len(data) - 1, "snow"] = 50
    odd = _write(csv.parent, "snow-50.csv", data)
    result = _run("predict", model, "--data", str(odd))
    assert result.exit_code == 0, result.output
    assert "data drift: the newest 'snow' (50) lies " in result.stderr
    assert "training mean; the forecast starts from it (training read 0 to 1)" in result.stderr
    assert "the newest 'snow' (50)" in _refused(_run("predict", model, "--data", str(odd),
                                                     "--strict"))


def test_the_training_range_excuses_only_values_within_it_widened_by_half() -> None:
    from types import SimpleNamespace

    from forecaster.data.loading import Frame, Series
    from forecaster.data.spec import DataSpec

    def problems(newest: float, **kept: list[float]) -> list[str]:
        idx = pd.date_range("2025-01-01", periods=3, freq="h", tz="UTC")
        values = np.array([[10.0, 0.0], [10.0, 0.0], [10.0, newest]])
        frame = Frame([Series("", idx, values, np.ones((3, 2), bool))],
                      DataSpec(targets=["value"], features=["count"]), "h", 0)
        known = {"mean": [10.0, 0.1], "scale": [1.0, 0.3], **kept}
        bundle = SimpleNamespace(meta={"scalers": {"": known},
                                       "forecaster": {"config": {"norm": "last"}}})
        return drift_problems(bundle, frame, 2, anchored=True)

    kept = {"min": [7.0, 0.0], "max": [13.0, 6.0]}
    assert not problems(6.0, **kept)  # a count's burst as training saw them: 20 sd off
    assert not problems(9.0, **kept)  # a little past the training peak
    assert problems(9.01, **kept) == [
        "the newest 'count' (9.01) lies 30 training standard deviations from the training "
        "mean; the forecast starts from it (training read 0 to 6)"]
    assert len(problems(6.0)) == 1  # a bundle saved before the range was kept: sd alone
