"""Help, version and usage errors as a process gives them: where the hint points, and what
happens when stdout cannot take the help."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import IN_PROCESS_RUNNER

from forecaster.errors import EXIT_CANT_WRITE, EXIT_PIPE_CLOSED

# Each: the arguments, and the command whose help the hint names.
MISSING_VALUES = [
    (["predict", "--level"], "predict"),
    (["detect-anomalies", "--since"], "detect-anomalies"),
    (["backtest", "x.csv", "--folds"], "backtest"),
    (["train", "x.csv", "--target"], "train"),
    (["info", "-f"], "info"),
    (["rollback", "--wait"], "rollback"),
    (["--log-format"], None),  # the root's own option: the root's help
]


def test_an_option_missing_its_value_points_to_its_commands_help() -> None:
    # "Option '--level' requires an argument. (see 'forecast --help')": the root's help,
    # which does not list predict's options.
    code = IN_PROCESS_RUNNER + "".join(
        f"print(run({args!r}), flush=True)\n" for args, _ in MISSING_VALUES)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.stdout.split() == ["2"] * len(MISSING_VALUES), done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == len(MISSING_VALUES), done.stderr
    for line, (args, command) in zip(lines, MISSING_VALUES, strict=True):
        where = f"forecast {command}" if command else "forecast"
        assert line == (f"Error: Option '{args[-1]}' requires an argument. (see '{where} "
                        "--help')"), line


FULL = Path("/dev/full")  # every write fails with ENOSPC, as on a full disk
ENV = {**os.environ, "OMP_NUM_THREADS": "1"}
HELP_AND_VERSION = [["--help"], ["--version"], ["train", "--help"], ["detect-anomalies", "-h"]]


@pytest.mark.skipif(not FULL.exists(), reason="no /dev/full on this system")
@pytest.mark.parametrize("args", HELP_AND_VERSION)
def test_help_to_a_full_disk_is_exit_73_with_one_error_line(args: list[str]) -> None:
    # A traceback (OSError: No space left on device) and exit 1.
    with open(FULL, "w") as full:
        done = subprocess.run([sys.executable, "-m", "forecaster", *args], env=ENV,
                              stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    assert done.returncode == EXIT_CANT_WRITE, done.stderr
    what = "the version" if args == ["--version"] else "the help"
    assert done.stderr == (f"Error: cannot write {what} to stdout (No space left on "
                           "device); free space where stdout goes\n")


@pytest.mark.parametrize("args", HELP_AND_VERSION)
def test_help_to_a_reader_that_left_is_exit_141_quietly(args: list[str]) -> None:
    # `forecast train --help | true` exited 1 without a word.
    proc = subprocess.Popen([sys.executable, "-m", "forecaster", *args], env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader leaves before the first line (`| true`)
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == EXIT_PIPE_CLOSED, err
    assert err == ""


def test_help_with_stdout_closed_is_exit_73() -> None:
    done = subprocess.run([sys.executable, "-m", "forecaster", "predict", "--help"], env=ENV,
                          stderr=subprocess.PIPE, text=True, timeout=120,
                          preexec_fn=lambda: os.close(1))
    assert done.returncode == EXIT_CANT_WRITE, done.stderr
    assert done.stderr.startswith("Error: stdout is closed, so the help has nowhere to go")


@pytest.mark.parametrize("args", [["--version"], ["info", "--help"]])
def test_stdout_open_for_reading_only_is_not_called_a_full_disk(args: list[str]) -> None:
    # `forecast --version 1</dev/null`: "(Bad file descriptor); free space where stdout goes".
    with open(os.devnull) as read_only:
        done = subprocess.run([sys.executable, "-m", "forecaster", *args], env=ENV,
                              stdin=subprocess.DEVNULL, stdout=read_only,
                              stderr=subprocess.PIPE, text=True, timeout=120)
    assert done.returncode == EXIT_CANT_WRITE, done.stderr
    assert "stdout is not open for writing: redirect it to a file or a pipe" in done.stderr
    assert "free space" not in done.stderr


def test_a_command_whose_stdout_is_open_for_reading_only_says_so() -> None:
    bundle = Path(__file__).resolve().parent / "fixtures" / "bundle_v1"
    with open(os.devnull) as read_only:
        done = subprocess.run([sys.executable, "-m", "forecaster", "info", "--model",
                               str(bundle)], env=ENV, stdout=read_only,
                              stderr=subprocess.PIPE, text=True, timeout=120)
    assert done.returncode == EXIT_CANT_WRITE, done.stderr
    assert done.stderr.strip().endswith(
        "stdout is not open for writing: redirect it to a file or a pipe, or write a file "
        "with --output")
