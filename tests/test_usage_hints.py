"""The option parser's errors for the commonest slips say what to type instead."""

from __future__ import annotations

import subprocess
import sys

import pytest


def _forecast(*args: str) -> subprocess.CompletedProcess:
    # Through main(): the parser's errors become our one Error line there.
    return subprocess.run([sys.executable, "-m", "forecaster", *args], capture_output=True,
                          text=True, timeout=60)


@pytest.mark.parametrize(("args", "said"), [
    (["detect"], "No such command 'detect'. Did you mean 'detect-anomalies'?"),
    (["predict", "data.csv"], "(data.csv); to read another file, give it as --data data.csv"),
    (["detect-anomalies", "new.csv"], "to read another file, give it as --data new.csv"),
    (["predict", "--level", "0.9"], "; --level is a percent (90 for a 90 % interval, not 0.9)"),
])
def test_a_slip_gets_what_to_type_instead(args: list[str], said: str) -> None:
    result = _forecast(*args)
    assert result.returncode == 2, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("Error: ") and said in line


@pytest.mark.parametrize("args", [["backtest", "a.csv", "b.csv"], ["predict", "--level", "100"],
                                  ["predcit"]])
def test_no_hint_where_none_fits(args: list[str]) -> None:
    # backtest reads its file as an argument; a level over 99 is no fraction; the parser's
    # own suggestion stands alone.
    line = _forecast(*args).stderr.strip()
    assert "--data" not in line and "percent" not in line and line.count("Did you mean") <= 1
