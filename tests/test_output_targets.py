"""Outputs that are not plain files: devices, FIFOs, links, sockets; and full disks.

An atomic write (temp file, then rename) onto a device node or FIFO replaces the node
itself (as root, ``--output /dev/full`` once turned the system's /dev/full into a CSV),
and onto a link replaces the link. Every node here is made under ``tmp_path``: never
point these tests at the system's own /dev entries.
"""

from __future__ import annotations

import os
import shutil
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import TINY, one_error_line
from typer.testing import CliRunner

from forecaster.cli import app

runner = CliRunner()
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TINY_CSV = FIXTURES / "tiny.csv"
HEADER = "series,timestamp,target,forecast,lower,upper"
ENV = {**os.environ, "OMP_NUM_THREADS": "1"}
as_root = pytest.mark.skipif(os.geteuid() != 0, reason="mknod needs root")


@pytest.fixture
def model(tmp_path: Path) -> Path:
    """A private copy of the committed bundle."""
    return Path(shutil.copytree(FIXTURES / "bundle_v1", tmp_path / "m"))


def _predict(model: Path, output: Path):
    return runner.invoke(app, ["predict", "--model", str(model), "--data", str(TINY_CSV),
                               "--output", str(output)])


def _device(path: Path, minor: int) -> Path:
    """A character device of the memory driver: minor 3 is a null device, 7 a full one."""
    os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, minor))
    return path


# --- streams: written into, never replaced -----------------------------------------------

@as_root
def test_a_null_device_as_output_stays_a_device(tmp_path: Path, model: Path) -> None:
    null = _device(tmp_path / "null", 3)
    result = _predict(model, null)
    assert result.exit_code == 0, result.output
    assert stat.S_ISCHR(null.lstat().st_mode) and null.stat().st_rdev == os.makedev(1, 3)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@as_root
def test_a_full_device_is_exit_73_and_stays_a_device(tmp_path: Path, model: Path) -> None:
    full = _device(tmp_path / "full", 7)
    line = one_error_line(_predict(model, full), 73)
    assert "No space left on device" in line
    assert stat.S_ISCHR(full.lstat().st_mode) and full.stat().st_rdev == os.makedev(1, 7)


def test_a_fifo_output_reaches_its_reader(tmp_path: Path, model: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    # The reader opens before the run, without waiting for a writer: a build that renames
    # a file onto the FIFO then fails this test instead of hanging it.
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        result = _predict(model, fifo)
        got = os.read(reader, 1 << 16).decode()
    finally:
        os.close(reader)
    assert result.exit_code == 0, result.output
    assert got.startswith(HEADER + "\n") and len(got.splitlines()) > 1
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_a_link_to_our_stdout_appends_to_what_the_shell_opened(tmp_path: Path,
                                                                 model: Path) -> None:
    # As /dev/stdout does: `--output /dev/stdout >> log.csv` must not replace log.csv.
    link = tmp_path / "out"
    link.symlink_to("/proc/self/fd/1")
    log = tmp_path / "log.csv"
    log.write_text("kept\n")
    cmd = [sys.executable, "-m", "forecaster", "predict", "--model", str(model), "--data",
           str(TINY_CSV), "--output", str(link)]
    with open(log, "ab") as out:
        proc = subprocess.run(cmd, env=ENV, stdout=out, stderr=subprocess.PIPE, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()
    assert log.read_text().startswith("kept\n" + HEADER + "\n")
    assert link.is_symlink()


# --- links: followed, and kept ---------------------------------------------------------

def test_a_link_to_a_file_is_kept_and_its_file_replaced(tmp_path: Path, model: Path) -> None:
    real, link = tmp_path / "real.csv", tmp_path / "link.csv"
    real.write_text("old\n")
    real.chmod(0o640)
    link.symlink_to(real.name)
    result = _predict(model, link)
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and os.readlink(link) == real.name
    assert real.read_text().startswith(HEADER + "\n")
    assert real.stat().st_mode & 0o777 == 0o640  # the file's own permissions stay


def _other_group() -> int | None:
    """A group this account may give its files other than its own: root may give any."""
    others = [g for g in os.getgroups() if g != os.getegid()]
    return others[0] if others else (65534 if os.geteuid() == 0 else None)


def test_a_replaced_output_keeps_its_group(tmp_path: Path, model: Path) -> None:
    # A web server reading forecast.csv through its group (640, www-data) lost it at the
    # first replace: the new file took the writer's own group.
    group = _other_group()
    if group is None:
        pytest.skip("this account belongs to one group only")
    out = tmp_path / "forecast.csv"
    out.write_text("old\n")
    os.chown(out, -1, group)
    out.chmod(0o640)
    result = _predict(model, out)
    assert result.exit_code == 0, result.output
    assert out.read_text().startswith(HEADER + "\n")
    assert (out.stat().st_gid, out.stat().st_mode & 0o777) == (group, 0o640)


def test_a_link_to_a_missing_file_creates_it(tmp_path: Path, model: Path) -> None:
    (tmp_path / "out").mkdir()
    real, link = tmp_path / "out" / "new.csv", tmp_path / "link.csv"
    link.symlink_to(real)
    result = _predict(model, link)
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and real.read_text().startswith(HEADER + "\n")


def test_a_link_into_a_missing_folder_is_refused_before_any_work(tmp_path: Path,
                                                                  model: Path) -> None:
    link = tmp_path / "link.csv"
    link.symlink_to(tmp_path / "nowhere" / "new.csv")
    line = one_error_line(_predict(model, link), 73)
    assert "nowhere does not exist" in line and link.is_symlink()


def test_a_plot_through_a_link_draws_into_its_file(tmp_path: Path, model: Path) -> None:
    png, link = tmp_path / "real.png", tmp_path / "plot.png"
    png.write_bytes(b"old")
    link.symlink_to(png.name)
    result = runner.invoke(app, ["detect-anomalies", "--model", str(model), "--data",
                                 str(TINY_CSV), "--output", str(tmp_path / "d.csv"),
                                 "--plot", str(link), "--exit-zero"])
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and png.read_bytes().startswith(b"\x89PNG")


# --- refused before any work ------------------------------------------------------------

def test_a_socket_is_refused_and_left_alone(tmp_path: Path, model: Path) -> None:
    path = tmp_path / "sock"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))
        line = one_error_line(_predict(model, path), 73)
    assert "is a socket" in line and "--output" in line
    assert stat.S_ISSOCK(path.lstat().st_mode)


def test_a_loop_of_links_is_refused(tmp_path: Path, model: Path) -> None:
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("a")
    assert "loops" in one_error_line(_predict(model, tmp_path / "a"), 73)


# --- a full disk under train; a reader that leaves info --------------------------------

def test_a_full_disk_under_train_is_exit_73_and_keeps_the_old_bundle(
        tmp_path: Path, model: Path, series_csv: Path, monkeypatch) -> None:
    from safetensors import SafetensorError

    import forecaster.bundle as bundle_module

    def full(*args, **kwargs):
        raise SafetensorError("Error while serializing: I/O error: No space left on device "
                              "(os error 28)")

    before = sorted(p.name for p in (model / "versions").iterdir())
    monkeypatch.setattr(bundle_module, "save_file", full)
    # No folds: a tiny model's "a baseline did better" warning is not what this is about.
    result = runner.invoke(app, ["train", str(series_csv), "--model", str(model), *TINY,
                                 "--folds", "0", "--quiet"])
    line = one_error_line(result, 73)
    assert "No space left on device" in line and "internal error" not in line
    monkeypatch.undo()
    assert sorted(p.name for p in (model / "versions").iterdir()) == before
    again = runner.invoke(app, ["predict", "--model", str(model), "--data", str(TINY_CSV)])
    assert again.exit_code == 0 and again.stdout.startswith(HEADER), again.output


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_info_to_a_reader_that_left_is_exit_141(model: Path, fmt: str) -> None:
    cmd = [sys.executable, "-m", "forecaster", "info", "--model", str(model), "--format", fmt]
    proc = subprocess.Popen(cmd, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader leaves before the first line (`| true`)
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141, err
    assert "Traceback" not in err and "Error" not in err


def test_a_killed_writes_old_temp_file_goes_with_the_next_good_write(tmp_path: Path) -> None:
    # SIGKILL mid-write left ".out.csv.pc4lsoy3" (0 bytes) for good; a younger one may be
    # another writer's at work, and a stranger's file is never touched.
    from forecaster.atomic import atomic_write_text

    old, young, other = (tmp_path / n for n in (".out.csv.pc4lsoy3", ".out.csv.abcd1234",
                                                ".out.csv.notours"))
    for f in (old, young, other):
        f.write_text("")
    os.utime(old, (0, 0))
    os.utime(other, (0, 0))
    atomic_write_text(tmp_path / "out.csv", "a,b\n")
    assert (tmp_path / "out.csv").read_text() == "a,b\n"
    assert not old.exists() and young.exists() and other.exists()


def test_a_plot_to_stdout_is_refused_where_the_data_goes_there(tmp_path: Path) -> None:
    # `--plot /dev/stdout` with no --output put PNG bytes after the CSV, exit 0.
    from forecaster.errors import OutputError
    from forecaster.output_paths import check_output_paths

    for plot in ("/dev/stdout", f"/proc/{os.getpid()}/fd/1"):
        with pytest.raises(OutputError, match="that is stdout, where the data goes"):
            check_output_paths({"--output": None, "--plot": Path(plot)}, [], [])
    # The data in a file of its own: the plot may take stdout.
    check_output_paths({"--output": tmp_path / "out.csv", "--plot": Path("/dev/stdout")},
                       [], [])


@pytest.mark.parametrize("argv", [["train", ""], ["backtest", ""], ["predict", "-o", ""],
                                  ["predict", "--data", ""], ["detect-anomalies", "--plot", ""],
                                  ["detect-anomalies", "--data", " "]])
def test_an_empty_path_is_a_usage_error(argv: list[str], tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # An unset shell variable ('-o "$OUT"') read as '.': "is a directory", exit 66 or 73.
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, argv)
    assert result.exit_code == 2, result.output
    assert "Error: Invalid value for " in result.stderr, result.stderr
    assert "empty; expected a file path" in result.stderr and os.listdir(tmp_path) == []
