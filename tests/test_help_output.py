"""Help, version and usage errors as a process gives them: where the hint points, and what
happens when stdout cannot take the help."""

from __future__ import annotations

import subprocess
import sys

from conftest import IN_PROCESS_RUNNER

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
