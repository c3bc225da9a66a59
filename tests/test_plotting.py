"""The detection plot shows every event, however short."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecaster.plotting import HEIGHT_PX, plot_detection


def _one_step_event(n: int = 2000, at: int = 1200) -> tuple[pd.DataFrame, pd.DataFrame]:
    stamps = pd.date_range("2024-01-01", periods=n, freq="h", tz="UTC")
    value = np.sin(np.arange(n) / 24.0)
    flagged = np.arange(n) == at
    table = pd.DataFrame({"series": "", "timestamp": stamps, "value": value,
                          "score": 0.5, "threshold": 4.0,
                          "is_anomaly": flagged})
    events = pd.DataFrame({"series": [""], "start": [stamps[at]], "end": [stamps[at]]})
    return table, events


def _shaded_columns(png: Path) -> int:
    import matplotlib.image

    rgb = matplotlib.image.imread(png)[HEIGHT_PX // 2:, :, :3]  # the score panel
    # tab:red at alpha 0.25 over white: pale red, unlike the grey line and the white face.
    red, green, blue = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    pink = (red > 0.93) & (abs(green - 0.79) < 0.06) & (abs(blue - 0.79) < 0.06)
    # A shaded span fills its columns top to bottom; the threshold line's edges do not.
    return int((pink.mean(axis=0) > 0.5).sum())


def test_a_one_step_event_is_shaded_visibly(tmp_path: Path) -> None:
    table, events = _one_step_event()
    png = tmp_path / "plot.png"
    plot_detection(table, events, png)
    assert _shaded_columns(png) >= 3


def test_no_event_no_shade(tmp_path: Path) -> None:
    table, events = _one_step_event()
    png = tmp_path / "plot.png"
    plot_detection(table.assign(is_anomaly=False), events.iloc[:0], png)
    assert _shaded_columns(png) == 0


def test_a_failed_plot_leaves_the_old_file_and_no_temp(tmp_path: Path, monkeypatch) -> None:
    from matplotlib.figure import Figure

    png = tmp_path / "plot.png"
    png.write_bytes(b"old")

    def broken(self, fh, **kw):
        fh.write(b"\x89PNG half")
        raise KeyboardInterrupt

    monkeypatch.setattr(Figure, "savefig", broken)
    table, events = _one_step_event()
    with pytest.raises(KeyboardInterrupt):
        plot_detection(table, events, png)
    assert png.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["plot.png"]


def test_outputs_get_ordinary_permissions(tmp_path: Path) -> None:
    import os

    from forecaster.atomic import atomic_write_text

    old = os.umask(0o022)
    try:
        atomic_write_text(tmp_path / "new.csv", "a\n")
        kept = tmp_path / "kept.csv"
        kept.write_text("old\n")
        kept.chmod(0o640)
        atomic_write_text(kept, "b\n")
    finally:
        os.umask(old)
    assert (tmp_path / "new.csv").stat().st_mode & 0o777 == 0o644  # not mkstemp's 0600
    assert kept.stat().st_mode & 0o777 == 0o640 and kept.read_text() == "b\n"


def test_characters_the_font_lacks_raise_no_warning(tmp_path: Path) -> None:
    # matplotlib's two-line UserWarning went to stderr as it was: no time, no JSON.
    import warnings

    table, events = _one_step_event(n=200, at=100)
    name = "温度 \N{THERMOMETER}"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        plot_detection(table.assign(series=name), events.assign(series=name),
                       tmp_path / "plot.png")
    assert not [w for w in caught if "Glyph" in str(w.message)]
    assert (tmp_path / "plot.png").stat().st_size > 0


def test_a_long_series_name_is_a_title_not_an_axis_label(tmp_path: Path, monkeypatch) -> None:
    # A Prometheus series name as the y label ran off the figure and over the score label.
    import forecaster.plotting as plotting

    drawn = []
    monkeypatch.setattr(plotting, "finish", lambda fig, path: drawn.append(fig))
    table, events = _one_step_event()
    name = 'node_load1{instance="web-2.example.internal:9100", job="node"}'
    plot_detection(table.assign(series=name), events.assign(series=name), tmp_path / "p.png")
    top = drawn[0].axes[0]
    assert top.get_ylabel() == "value" and top.get_title(loc="left") == name


def test_a_home_it_cannot_write_puts_no_bare_lines_on_stderr(tmp_path: Path) -> None:
    # Under cron or in a container, matplotlib's notes on its cache folder went to stderr
    # as bare lines, outside --log-format json. A fresh process: pyplot loads once.
    table, events = _one_step_event()
    table.to_csv(tmp_path / "t.csv", index=False)
    code = ("import pandas as pd, sys; from pathlib import Path; "
            "from forecaster.plotting import plot_detection; "
            "t = pd.read_csv(sys.argv[1], parse_dates=['timestamp']).assign(series=''); "
            "e = t[t.is_anomaly][['series', 'timestamp']].rename(columns={'timestamp': 'start'}); "
            "e['end'] = e['start']; plot_detection(t, e, Path(sys.argv[2]))")
    env = {"HOME": "/proc/nonexistent", "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
           "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "t.csv"),
                           str(tmp_path / "p.png")], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert (tmp_path / "p.png").stat().st_size > 0
