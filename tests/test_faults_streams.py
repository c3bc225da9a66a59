"""Standard streams that cannot be written: the exit code still says what happened."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import TINY, train_tiny

from forecaster.errors import EXIT_CANT_WRITE, EXIT_NO_INPUT, EXIT_OK

FULL = Path("/dev/full")  # every write fails with ENOSPC, as on a full disk
needs_full = pytest.mark.skipif(not FULL.exists(), reason="no /dev/full on this system")


def _run(args: list[str], **streams) -> subprocess.CompletedProcess:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, "-m", "forecaster", *args], env=env, timeout=120,
                          **streams)


@needs_full
def test_an_error_with_stderr_on_a_full_disk_keeps_its_exit_code(tmp_path: Path) -> None:
    # The error line's own write failed inside the handler and Python exited 1: the code
    # of "anomalies flagged", which a cron job mails as an alert.
    with open(FULL, "w") as full:
        done = _run(["detect-anomalies", "--model", str(tmp_path / "none")], stderr=full)
    assert done.returncode == EXIT_NO_INPUT


@needs_full
def test_a_run_with_stderr_on_a_full_disk_succeeds(trained: Path, series_csv: Path) -> None:
    with open(FULL, "w") as full:
        done = _run(["predict", "--model", str(trained), "--data", str(series_csv)],
                    stderr=full, stdout=subprocess.PIPE)
    assert done.returncode == EXIT_OK and done.stdout.startswith(b"series,timestamp")


@needs_full
def test_stdout_on_a_full_disk_cannot_write_the_output(trained: Path,
                                                       series_csv: Path) -> None:
    with open(FULL, "w") as full:
        done = _run(["predict", "--model", str(trained), "--data", str(series_csv)],
                    stdout=full, stderr=subprocess.PIPE, text=True)
    assert done.returncode == EXIT_CANT_WRITE, done.stderr
    assert done.stderr.splitlines()[-1].startswith(
        "Error: cannot write the output to stdout (No space left on device)")


def test_closed_streams(trained: Path, series_csv: Path) -> None:
    # `>&-`: stdout is None in Python, and the write was an internal error (exit 70).
    done = _run(["predict", "--model", str(trained), "--data", str(series_csv)],
                stderr=subprocess.PIPE, text=True, preexec_fn=lambda: os.close(1))
    assert done.returncode == EXIT_CANT_WRITE, done.stderr
    assert done.stderr.splitlines()[-1].startswith("Error: stdout is closed")
    done = _run(["predict", "--model", str(trained), "--data", str(series_csv)],
                stdout=subprocess.PIPE, preexec_fn=lambda: os.close(2))
    assert done.returncode == EXIT_OK and done.stdout.startswith(b"series,timestamp")



def test_stderr_on_a_pipe_whose_reader_has_gone(series_csv: Path, tmp_path: Path) -> None:
    # `2>&1 | true` in a cron line: rich pointed stdout at /dev/null and exited 1 on the
    # first log line, so no output was written and detect read as "anomalies".
    tiny = [a for a in TINY if a != "--no-anomaly"]
    model = train_tiny(series_csv, tmp_path / "m", "--anomaly-window", "16",
                       "--anomaly-epochs", "1", tiny=tiny)
    for command in (["predict"], ["detect-anomalies", "--exit-zero"]):
        read, write = os.pipe()
        os.close(read)
        out = tmp_path / "out.csv"
        with os.fdopen(write, "w") as gone:
            done = _run([*command, "--model", str(model), "--output", str(out)], stderr=gone)
        assert done.returncode == EXIT_OK, command
        assert out.read_text().startswith("series,timestamp")
        out.unlink()


@needs_full
def test_info_on_a_full_or_closed_stdout_is_an_error_line(trained: Path) -> None:
    # The table's capture flushed stdout itself: an internal error (exit 70), not 73.
    with open(FULL, "w") as full:
        done = _run(["info", "--model", str(trained)], stdout=full, stderr=subprocess.PIPE,
                    text=True)
    assert done.returncode == EXIT_CANT_WRITE, done.stderr
    assert done.stderr.startswith("Error: cannot write the output to stdout")
    done = _run(["info", "--model", str(trained)], stderr=subprocess.PIPE, text=True,
                preexec_fn=lambda: os.close(1))
    assert done.returncode == EXIT_CANT_WRITE, done.stderr
    assert done.stderr.startswith("Error: stdout is closed")
