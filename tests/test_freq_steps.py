"""--freq as a bare number: that many steps for rows indexed by step numbers; for rows with
dates and times, an error asking for a unit."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import TINY, one_error_line, write_lines
from typer.testing import CliRunner

from forecaster.cli import app
from forecaster.data.loading import load_frame
from forecaster.data.spec import DataSpec

runner = CliRunner()


def _steps(tmp_path: Path, every: int = 10) -> Path:
    # A time column of step numbers 0, 10, 20, ...
    return write_lines(tmp_path, ["step,value"] + [f"{i * every},{i % 7}" for i in range(200)])


def _train(path: Path, model: Path, *extra: str):
    return runner.invoke(app, ["train", str(path), "--model", str(model), *TINY, *extra])


def test_a_bare_number_is_a_number_of_steps(tmp_path: Path) -> None:
    # Was: "--freq 10: unknown or non-positive step" (exit 2); only --freq 10ns worked.
    path = _steps(tmp_path)
    assert load_frame(path, DataSpec(freq="10")).freq == "10ns"
    result = _train(path, tmp_path / "m", "--freq", "10")
    assert result.exit_code == 0, result.output
    predicted = runner.invoke(app, ["predict", "--model", str(tmp_path / "m")])
    assert predicted.exit_code == 0, predicted.output
    assert predicted.stdout.splitlines()[1].split(",")[1] == "2000"  # the step after 1990


def test_a_bare_number_for_rows_without_a_time_column(tmp_path: Path) -> None:
    path = write_lines(tmp_path, ["value"] + [str(i % 7) for i in range(200)])
    result = _train(path, tmp_path / "m", "--freq", "1")
    assert result.exit_code == 0, result.output


def test_a_warm_start_with_the_same_bare_number_continues(tmp_path: Path) -> None:
    path = _steps(tmp_path)
    assert _train(path, tmp_path / "m", "--freq", "10").exit_code == 0
    result = _train(path, tmp_path / "m", "--freq", "10", "--warm-start")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("option", ["--freq", "--resample"])
def test_a_bare_number_for_dates_and_times_asks_for_a_unit(tmp_path: Path, option: str) -> None:
    lines = ["time,value"] + [f"2024-01-01 {h:02d}:00,{h}" for h in range(24)]
    result = _train(write_lines(tmp_path, lines), tmp_path / "m", option, "10")
    line = one_error_line(result, 2)
    assert line.startswith(f"Error: {option} 10: found a number without a unit, and data.csv "
                           "has dates and times; expected a step with its unit, e.g. 10min"), line
    assert line.endswith(": add the unit")


def test_a_bare_resample_is_bins_of_that_many_steps(tmp_path: Path) -> None:
    # Was: "--resample 10: unknown or non-positive step" (exit 2), and --resample 10ns was
    # refused as "bins are spans of time".
    path = write_lines(tmp_path, ["step,value"] + [f"{i},{i % 7}" for i in range(1000)])
    assert load_frame(path, DataSpec(resample="10")).freq == "10ns"
    result = _train(path, tmp_path / "m", "--resample", "10")
    assert result.exit_code == 0, result.output
    predicted = runner.invoke(app, ["predict", "--model", str(tmp_path / "m")])
    assert predicted.exit_code == 0, predicted.output
    assert predicted.stdout.splitlines()[1].split(",")[1] == "1000"  # the bin after 990
    info = runner.invoke(app, ["info", "--model", str(tmp_path / "m")])
    assert "10 steps, mean" in info.stdout and "10ns" not in info.stdout
    again = _train(path, tmp_path / "m", "--resample", "10", "--warm-start")
    assert again.exit_code == 0, again.output


def test_a_resample_of_time_on_step_numbers_asks_for_a_number_of_steps(tmp_path: Path) -> None:
    result = _train(_steps(tmp_path), tmp_path / "m", "--resample", "h")
    line = one_error_line(result, 2)
    assert line.endswith("give one (--resample 10: bins of ten steps), or leave --resample "
                         "out"), line


def _lines(tmp_path: Path, steps: list[int]) -> Path:
    return write_lines(tmp_path, ["step,value"] + [f"{s},{i % 7}" for i, s in enumerate(steps)])


def test_advice_on_step_numbers_words_steps_as_numbers(tmp_path: Path) -> None:
    # Was: "off the '20ns' grid ...; give --freq 10ns (the rows' own step), or bin the rows
    # with --resample 20ns instead of --freq 20ns", to a user who typed --freq 20.
    line = one_error_line(_train(_steps(tmp_path), tmp_path / "m", "--freq", "20"), 65)
    assert line.endswith("off the grid of 20 steps, first step 10; give --freq 10 (the rows' "
                         "own step), or bin the rows with --resample 20 instead of --freq 20")
    line = one_error_line(_train(_steps(tmp_path), tmp_path / "m", "--resample", "5"), 65)
    assert line.endswith("the bins are finer than the rows (a median 10 steps apart); give a "
                         "coarser --resample (e.g. --resample 10)"), line


def test_advice_to_bin_jittered_step_numbers_names_a_number_of_steps(tmp_path: Path) -> None:
    # Was: "--resample (e.g. --resample 1s)": a time unit, which step numbers have none of.
    path = _lines(tmp_path, [i * 10 + (1 if i % 3 == 0 else 0) for i in range(300)])
    line = one_error_line(_train(path, tmp_path / "m"), 65)
    assert line.endswith("off the grid of 9 steps, first step 20; give the right --freq, or "
                         "bin the rows with --resample (e.g. --resample 10)"), line
    assert _train(path, tmp_path / "m", "--resample", "10").exit_code == 0


def test_a_row_off_a_grid_of_steps_is_noted_at_its_step(tmp_path: Path) -> None:
    # Was: "dropped 1 row(s) off the '10ns' grid, first at 1970-01-01T00:00:00.000002995
    # +00:00; ... --resample 10ns to keep them".
    path = _lines(tmp_path, [i * 10 for i in range(300)] + [2995])
    result = _train(path, tmp_path / "m")
    assert result.exit_code == 0, result.output
    assert ("dropped 1 row(s) off the grid of 10 steps, first at step 2995; give the right "
            "--freq, or bin the rows with --resample 10 to keep them") in result.stderr


def test_a_grid_too_long_for_step_numbers_words_them_as_steps(tmp_path: Path) -> None:
    # Was: "--freq ns would make ..., give the data's own step (e.g. h, 5min, D; ...)" and
    # "the rows run from 1970-01-01T00:00:00+00:00 to 1970-01-01T00:00:00.900000+00:00".
    path = _lines(tmp_path, [0, 1, 2, 900_000_000])
    line = one_error_line(_train(path, tmp_path / "m", "--freq", "1"), 65)
    assert line.endswith("--freq 1 would make 900,000,001 steps for 4 rows, far finer than "
                         "the rows are apart: give the data's own step (a bare number of "
                         "steps) or a coarser one"), line
    line = one_error_line(_train(path, tmp_path / "m"), 65)
    assert "the rows run from step 0 to step 900000000, 900,000,001 steps of the inferred " \
           "step of 1 for 4 rows" in line


def test_a_warm_start_on_other_steps_words_them_as_steps(tmp_path: Path) -> None:
    # Was: "the data's frequency is '10ns', the bundle in m was trained on 'ns'".
    model = tmp_path / "m"
    assert _train(_lines(tmp_path, list(range(300))), model).exit_code == 0
    line = one_error_line(_train(_steps(tmp_path), model, "--warm-start"), 65)
    assert (f"the data's frequency is 10 step(s), the bundle in {model} was trained on 1 "
            "step(s); a warm start continues on the bundle's steps: give data at 1 step(s)") \
        in line


def test_newest_rows_off_a_grid_of_steps_are_named_in_steps(tmp_path: Path) -> None:
    # Was: "... are off the '10ns' grid, which ends at step 1990: ... retrain with
    # --resample 10ns".
    path = _steps(tmp_path)
    assert _train(path, tmp_path / "m").exit_code == 0
    late = write_lines(tmp_path, path.read_text().splitlines() + ["1995,1", "2005,2"], "late.csv")
    result = runner.invoke(app, ["predict", "--data", str(late), "--model", str(tmp_path / "m")])
    assert result.exit_code == 0, result.output
    assert ("are off the grid of 10 steps, which ends at step 1990: they are not forecast from "
            "or scored; if the feed's clock has moved, retrain with --resample 10 to bin the "
            "rows onto one grid") in result.stderr


def test_the_verbose_shape_line_names_steps_not_nanoseconds(tmp_path: Path) -> None:
    # Was: "(season 7 at frequency '10ns')", a frequency no one gave.
    at = TINY.index("--window")
    automatic_shape = TINY[:at] + TINY[at + 6:]  # less --window, --segment and --horizon
    assert "--horizon" not in automatic_shape and "--epochs" in automatic_shape
    result = runner.invoke(app, ["train", str(_steps(tmp_path)), "--model",
                                 str(tmp_path / "m"), *automatic_shape, "--verbose"])
    assert result.exit_code == 0, result.output
    shape = [x for x in result.stderr.splitlines() if "horizon" in x and "season" in x]
    assert shape and "on rows indexed by step numbers)" in shape[0], result.stderr
    assert "ns'" not in result.stderr, result.stderr


def test_jittered_step_numbers_merged_onto_one_step_are_named_as_steps(tmp_path: Path) -> None:
    # Was: "rows 102 and 103 (1970-01-01T00:00:00.000009998+00:00 and 1970-01-01T00:00:00
    # .000010003+00:00) both lie nearest 1970-01-01T00:00:00.000010+00:00 on the grid of
    # 100 steps ...": step numbers worded as times.
    jitter = [(i * 7 + 5) % 11 - 5 for i in range(300)]  # -5 .. 5 around each step of 100
    steps = [i * 100 + j for i, j in enumerate(jitter)]
    steps[100:102] = [9998, 10003]  # both nearest step 10000; none near 10100
    line = one_error_line(_train(_lines(tmp_path, steps), tmp_path / "m", "--freq", "100"), 65)
    assert "rows 102 and 103 (steps 9998 and 10003) both lie nearest step 10000 on the grid " \
           "of 100 steps the other rows' timestamps jitter around" in line, line
    assert "1970" not in line and line.endswith("or bin the rows with --resample 100"), line
    result = _train(_lines(tmp_path, steps), tmp_path / "m", "--freq", "100",
                    "--duplicates", "mean")
    assert result.exit_code == 0, result.output
    assert "to the nearest step of the grid of 100 steps, none by more than 5 step(s)" \
        in result.stderr and "1970" not in result.stderr
