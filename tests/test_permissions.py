"""Paths this account may not reach: one ``Error:`` line saying "permission denied", with
the exit code of what was refused (78 the bundle, 66 an input, 73 an output or the lock).

Python's ``Path.exists()`` and ``is_dir()`` raise PermissionError under a folder that
cannot be entered: a bundle trained under ``umask 077`` and read by another account's cron
job, a training CSV or an output folder closed to it, all ended in "internal error" (70).
Root, which runs the tests in CI, passes every permission check: ``closed`` refuses what
the system would refuse another account, and the last test checks the real thing where
the system can be made to refuse (as another user, or as root without its override).
"""

from __future__ import annotations

import builtins
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import TINY, train_tiny
from typer.testing import CliRunner

from forecaster.cli import app
from forecaster.ops.lock import LOCK_NAME, model_lock

runner = CliRunner()
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TINY_CSV = FIXTURES / "tiny.csv"
BUNDLE_TODO = "run as the account that trained the bundle"


class Refusals:
    """What the system refuses this account: whatever lies inside the ``folders`` (which
    it may not enter, nor list), and opening the ``files`` (which it may still look at)."""

    def __init__(self) -> None:
        self.folders: list[str] = []
        self.files: list[str] = []

    def refuses(self, path: object, how: str) -> bool:
        """Whether ``how`` ("reach", "list" or "open") is refused on ``path``."""
        if not isinstance(path, (str, os.PathLike)):  # a descriptor
            return False
        here = os.path.abspath(os.fspath(path))
        return ((how == "open" and here in self.files)
                or any(here.startswith(f + os.sep) or (how == "list" and here == f)
                       for f in self.folders))


def _refusing(real, refusals: Refusals, how: str):
    def call(path, *args, **kwargs):
        if refusals.refuses(path, how):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, *args, **kwargs)
    return call


# The calls through which this code reaches a path (Path's methods go through them too).
_CALLS = {"reach": [(os, "stat"), (os, "lstat"), (os, "mkdir"), (os, "replace")],
          "list": [(os, "listdir"), (os, "scandir")],
          "open": [(os, "open"), (builtins, "open"), (io, "open")]}


@pytest.fixture
def closed(monkeypatch):
    """``closed(path)``: this account may not enter the folder ``path`` (another account's,
    of mode 0700, which the message shows), or not open the file ``path``."""
    refusals = Refusals()
    for how, calls in _CALLS.items():
        for module, name in calls:
            monkeypatch.setattr(module, name, _refusing(getattr(module, name), refusals, how))

    def close(path: Path) -> Path:
        if path.is_dir():
            path.chmod(0o700)  # root passes it: the refusal is the patched calls'
            refusals.folders.append(os.path.abspath(path))
        else:
            refusals.files.append(os.path.abspath(path))
        return path

    return close


def _error(result, code: int) -> str:
    assert result.exit_code == code, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # not a crash
    lines = [x for x in result.stderr.splitlines() if x.startswith("Error: ")]
    assert len(lines) == 1 and "internal error" not in lines[0], result.stderr
    return lines[0]


def _invoke(*args: object):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def model(tmp_path: Path) -> Path:
    """A copy of the committed bundle (read with --data)."""
    dest = tmp_path / "m"
    shutil.copytree(FIXTURES / "bundle_v1", dest)
    return dest


def test_a_bundle_closed_to_this_account_is_exit_78_for_every_reader(model: Path,
                                                                      closed) -> None:
    # A bundle trained under umask 077, read by another account: PermissionError, exit 70.
    closed(model)
    readers = [("predict", "--data", TINY_CSV), ("detect-anomalies", "--data", TINY_CSV),
               ("info",), ("rollback",), ("train", TINY_CSV, *TINY, "--warm-start")]
    for command, *args in readers:
        line = _error(_invoke(command, "--model", model, *args), 78)
        assert line.startswith(f"Error: {model / 'CURRENT'}: permission denied: user "), line
        assert f"cannot enter the folder {model} (drwx------, owner " in line, line
        assert BUNDLE_TODO in line and f"'chmod -R g+rX {model}'" in line, line
        assert "retrain" not in line and "rollback" not in line, line
    # A train that starts afresh writes there: the lock cannot be created (73).
    line = _error(_invoke("train", TINY_CSV, "--model", model, *TINY), 73)
    assert line.startswith(f"Error: {model / LOCK_NAME}: permission denied: "), line
    assert f"'chmod -R g+rwX {model}'" in line


def test_a_bundle_file_closed_to_this_account_says_permission_not_retrain(model: Path,
                                                                           closed) -> None:
    # Weights readable by their owner only were "unreadable weights (Permission denied);
    # retrain": a retrain by this account could not even write the bundle.
    version = next((model / "versions").iterdir())
    for name in ("weights.safetensors", "bundle.json"):
        closed(version / name)
        line = _error(_invoke("predict", "--model", model, "--data", TINY_CSV), 78)
        assert line.startswith(f"Error: {version / name}: permission denied: user "), line
        assert "cannot read it (-rw-" in line and BUNDLE_TODO in line, line
        assert "retrain" not in line, line


def test_a_model_dir_in_a_folder_closed_to_this_account(tmp_path: Path, closed) -> None:
    shut = tmp_path / "shut"
    shut.mkdir()
    model = closed(shut) / "m"
    line = _error(_invoke("predict", "--model", model, "--data", TINY_CSV), 78)
    assert line.startswith(f"Error: {model}: permission denied: ") and (
        f"cannot enter the folder {shut}") in line, line
    line = _error(_invoke("train", TINY_CSV, "--model", model, *TINY), 73)
    assert line.startswith(f"Error: {model}: permission denied: ") and (
        f"cannot enter the folder {shut}") in line, line


def test_the_recorded_csv_in_a_folder_closed_to_this_account_is_exit_66(
        tmp_path: Path, closed) -> None:
    # predict's path.exists() on the recorded CSV raised PermissionError: exit 70.
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(TINY_CSV, data / "tiny.csv")
    model = train_tiny(data / "tiny.csv", tmp_path / "m")
    closed(data)
    for command in (["predict"], ["detect-anomalies", "--method", "forecast"]):
        line = _error(_invoke(*command, "--model", model), 66)
        assert line.startswith(f"Error: {data / 'tiny.csv'}: permission denied: ") and (
            f"cannot enter the folder {data} (drwx------") in line, line
        assert "give the data with --data FILE" in line, line
    # Given with --data, the loader says the same of it (it was already exit 66).
    line = _error(_invoke("predict", "--model", model, "--data", data / "tiny.csv"), 66)
    assert "cannot read the file (Permission denied): user " in line, line
    assert f"cannot enter the folder {data}" in line, line


def test_an_output_folder_closed_to_this_account_is_exit_73(model: Path, tmp_path: Path,
                                                           closed) -> None:
    # check_output_path's file.is_dir() raised PermissionError: exit 70, before any work.
    out = tmp_path.resolve() / "out"  # as the message names it: links resolved
    out.mkdir()
    closed(out)
    cases = [("predict", "--model", model, "--data", TINY_CSV, "--output", out / "f.csv"),
             ("detect-anomalies", "--model", model, "--data", TINY_CSV, "--plot", out / "a.png"),
             ("backtest", TINY_CSV, "--output", out / "b.csv")]
    for args in cases:
        line = _error(_invoke(*args), 73)
        assert line.startswith(f"Error: {args[-2]} {args[-1]}: permission denied: "), line
        assert f"cannot enter the folder {out} (drwx------" in line, line
        assert "choose a folder this account can write to" in line, line


def test_a_config_file_in_a_folder_closed_to_this_account_is_exit_66(tmp_path: Path,
                                                                     closed) -> None:
    shut = tmp_path / "etc"
    shut.mkdir()
    (shut / "forecast.toml").write_text("[predict]\n")
    closed(shut)
    line = _error(_invoke("--config", shut / "forecast.toml", "info"), 66)
    assert line.startswith(f"Error: --config {shut / 'forecast.toml'}: permission denied: ")


def test_the_lock_follows_the_umask(tmp_path: Path) -> None:
    # The lock was created 0644 whatever the umask: under umask 002 the group could write
    # every file of the bundle but the lock, and its train and rollback exited 73.
    for umask, mode in ((0o002, 0o664), (0o077, 0o600), (0o022, 0o644)):
        old = os.umask(umask)
        try:
            with model_lock(tmp_path / f"m{umask:o}"):
                pass
        finally:
            os.umask(old)
        assert (tmp_path / f"m{umask:o}" / LOCK_NAME).stat().st_mode & 0o777 == mode


def test_a_lock_not_writable_by_this_account_says_so(trained: Path, series_csv: Path,
                                                     closed) -> None:
    # "cannot create the model directory or its lock": neither was the problem.
    lock = closed(trained / LOCK_NAME)
    for args in (("rollback",), ("train", series_csv, *TINY)):
        line = _error(_invoke(args[0], "--model", trained, *args[1:]), 73)
        assert line.startswith(f"Error: {lock}: the bundle's lock file is not writable: user "
                               ), line
        assert "cannot write it (-rw-" in line and ", owner " in line, line
        assert f"'chmod g+w {lock}'" in line, line


def test_a_version_closed_to_this_account_is_not_called_damaged(trained: Path,
                                                                series_csv: Path,
                                                                closed) -> None:
    # rollback's listing of whole versions raised PermissionError (70); going back to it
    # must say why it cannot, not call it damaged.
    first = (trained / "CURRENT").read_text().strip()
    train_tiny(series_csv, trained, "--seed", "9")
    closed(trained / "versions" / first)
    line = _error(_invoke("rollback", "--model", trained), 78)
    assert line.startswith(f"Error: cannot roll back to {first}: ") and (
        "permission denied" in line) and "damaged" not in line, line


def _as_another_account() -> list[str]:
    """The command prefix that makes the system check permissions: none for a user; for
    root, setpriv without the capabilities that override them (skips if it cannot)."""
    if os.geteuid() != 0:
        return []
    prefix = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search,-fowner"]
    try:
        ok = subprocess.run([*prefix, "true"], capture_output=True).returncode == 0
    except OSError:
        ok = False
    if not ok:
        pytest.skip("root, and setpriv cannot drop the capabilities that pass permissions")
    return prefix


def test_a_private_bundle_and_data_folder_for_real(tmp_path: Path) -> None:
    # The real thing, no patching: mode 000 stops any account (even the owner) that does
    # not pass permission checks by privilege.
    prefix = _as_another_account()
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(TINY_CSV, data / "tiny.csv")
    model = train_tiny(data / "tiny.csv", tmp_path / "m")

    def run(*args: object) -> subprocess.CompletedProcess:
        return subprocess.run([*prefix, sys.executable, "-m", "forecaster", *map(str, args)],
                              capture_output=True, text=True, timeout=120)

    try:
        model.chmod(0o000)
        for args, code in ((("predict",), 78), (("train", data / "tiny.csv", *TINY), 73)):
            done = run(*args[:1], "--model", model, *args[1:])
            assert done.returncode == code, done.stderr
            assert "permission denied" in done.stderr and "Traceback" not in done.stderr
        model.chmod(0o755)
        data.chmod(0o000)
        done = run("predict", "--model", model)
        assert done.returncode == 66 and "permission denied" in done.stderr, done.stderr
        done = run("predict", "--model", model, "--data", TINY_CSV, "-o", data / "f.csv")
        assert done.returncode == 73 and "permission denied" in done.stderr, done.stderr
    finally:
        model.chmod(0o755)
        data.chmod(0o755)


def test_a_refusal_no_check_named_is_exit_77_naming_the_path(model: Path, tmp_path: Path,
                                                             monkeypatch) -> None:
    """A PermissionError from a path no check of the command's own expected closed is the
    user's to fix: one line naming the path and what refuses it, not "internal error"."""
    import forecaster.pipeline.predicting as predicting

    hidden = tmp_path / "shut" / "part.bin"
    hidden.parent.mkdir()

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(hidden))

    monkeypatch.setattr(predicting, "predict", refuse)
    line = _error(_invoke("predict", "--model", model, "--data", TINY_CSV), 77)
    assert str(hidden) in line and "permission denied" in line and "report" not in line


def test_a_refusal_with_no_path_says_what_the_system_said() -> None:
    from forecaster.access import refusal

    assert refusal(PermissionError("not allowed")).startswith("permission denied (not allowed)")


def test_a_lock_its_owner_made_read_only_says_to_give_the_write_back(trained: Path,
                                                                     closed) -> None:
    # 'chmod -R a-w' on one's own bundle was answered "run as its owner" (it was).
    lock = closed(trained / LOCK_NAME)
    lock.chmod(0o444)
    line = _error(_invoke("rollback", "--model", trained), 73)
    assert "cannot write it (-r--r--r--" in line, line
    assert line.endswith(f"the bundle is this account's, made read-only: run 'chmod -R u+w "
                         f"{trained}' to train or roll it back, or give another --model"), line


def test_a_bundle_on_a_read_only_mount_says_so(trained: Path, series_csv: Path,
                                               monkeypatch) -> None:
    # A read-only mount refuses every open for writing with EROFS, the existing lock's
    # too: "cannot create the bundle's lock" sent users looking for a lock that was there.
    import errno

    real_open = os.open

    def read_only(path, flags, *args, **kwargs):
        if str(path).startswith(str(trained)) and flags & (os.O_WRONLY | os.O_RDWR):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", read_only)
    for args in (("rollback",), ("train", series_csv, *TINY)):
        line = _error(_invoke(args[0], "--model", trained, *args[1:]), 73)
        assert line == (f"Error: {trained}: the bundle is on a read-only file system; train "
                        "and rollback write into it (predict and detect-anomalies only read "
                        "it): give --model a folder on a writable disk, or remount it "
                        "read-write"), line
