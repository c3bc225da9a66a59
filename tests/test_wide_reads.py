"""A wide file read for one or two of its columns: the checks run on every column of a
table (units rows, locale numbers, interleaved keys) look at the columns the roles name
alone, where the roles are known (a bundle's, or train's --time-col and --target)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import make_series, write_lines

from forecaster.data import interleaved, numbers, units_row
from forecaster.data.loading import load_frame
from forecaster.data.needed import needed_columns
from forecaster.data.spec import DataSpec

EXTRA = [f"c{i}" for i in range(30)]  # a logger's other tags, constant here


def _wide(tmp_path: Path, sep: str = ",", top: tuple[str, ...] = ()) -> Path:
    data = make_series()
    rows = [sep.join([f"{t:%Y-%m-%d %H:%M:%S}", f"{v:.3f}".replace(".", "," if sep == ";"
                      else "."), "7", *["1"] * len(EXTRA)])
            for t, v in zip(data["timestamp"], data["value"], strict=True)]
    return write_lines(tmp_path, [sep.join(["timestamp", "temp", "hum", *EXTRA]), *top, *rows])


def _seen(monkeypatch: pytest.MonkeyPatch, module, name: str, columns) -> list[str]:
    # The columns a check was given, recorded on each call.
    seen: list[str] = []
    real = getattr(module, name)

    def spy(*args, **kwargs):
        seen.extend(columns(args))
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, spy)
    return seen


def test_units_rows_classify_only_the_columns_read(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _seen(monkeypatch, units_row, "_mostly", lambda a: [a[0].name])
    load_frame(_wide(tmp_path), DataSpec(time_col="timestamp", targets=["temp"]))
    assert seen and set(seen) <= {"timestamp", "temp"}


def test_locale_numbers_look_only_at_the_columns_read(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _seen(monkeypatch, numbers, "currency_signs", lambda a: list(a[0].columns))
    frame = load_frame(_wide(tmp_path, sep=";"), DataSpec(time_col="timestamp",
                                                          targets=["temp"]))
    assert set(seen) == {"timestamp", "temp"}
    # The decimal commas of the target are read still.
    expected = make_series()["value"].round(3).to_numpy()
    assert frame.series[0].values[:, 0] == pytest.approx(expected)


def test_interleaved_keys_are_not_looked_for_in_constant_columns(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _seen(monkeypatch, interleaved, "_key_like", lambda a: [a[1]])
    load_frame(_wide(tmp_path), DataSpec(time_col="timestamp", targets=["temp"]))
    assert set(seen) <= {"hum"}


def test_a_units_row_is_left_out_when_the_roles_are_known(tmp_path: Path) -> None:
    path = _wide(tmp_path, top=(",".join(["Units", "degC", "%", *["V"] * len(EXTRA)]),))
    for spec in (DataSpec(targets=["temp"]), DataSpec(time_col="timestamp",
                                                         targets=["temp"])):
        frame = load_frame(path, spec)
        assert any("left out line 2" in n for n in frame.notes)
        assert len(frame.series[0].index) == 480


@pytest.mark.parametrize(("spec", "expected"), [
    (DataSpec(), None),  # roles to be found: every column
    (DataSpec(targets=["temp"]), None),  # the time column to be found
    (DataSpec(time_col="timestamp", targets=["all"]), None),
    (DataSpec(time_col="timestamp", targets=["temp"], features=["all"]), None),
    (DataSpec(time_col="timestamp", targets=["hum,temp"]), ["timestamp", "temp", "hum"]),
    (DataSpec(time_col="timestamp", targets=["temp"], series_col="site", features=["hum"]),
     ["timestamp", "site", "temp", "hum"]),
    (DataSpec(time_parts=["d", "t"], targets=["temp", "gone"]), ["d", "t", "temp"]),
])
def test_needed_columns(spec: DataSpec, expected: list[str] | None) -> None:
    columns = ["d", "t", "timestamp", "site", "temp", "hum", "other"]
    assert needed_columns(spec, columns) == expected


def test_empty_rows_at_the_end_of_a_wide_file_are_left_out(tmp_path: Path) -> None:
    path = _wide(tmp_path)
    width = 3 + len(EXTRA)
    path.write_text(path.read_text() + ("," * (width - 1) + "\n") * 2)
    frame = load_frame(path, DataSpec(time_col="timestamp", targets=["temp"]))
    assert len(frame.series[0].index) == 480
    assert any("left out 2 empty row(s) at the end" in n for n in frame.notes)


def test_a_units_row_blank_over_the_read_columns_is_still_left_out(tmp_path: Path) -> None:
    # 'Units,,kW,m3/h': the target's unit left blank, the words in columns not read. Looking
    # at the read columns only, the row was data ("'Units' cannot be read as a time"), and
    # predict refused the files of bundles that had trained on them.
    days = [f"2025-01-{d:02d} {h:02d}:00:00,{20 + h / 10:.2f},{1000 + h},{5 + h / 100:.3f}"
            for d in range(1, 6) for h in range(24)]
    path = tmp_path / "units.csv"
    path.write_text("\n".join(["time,temp,power,flow", "Units,,kW,m3/h", *days]) + "\n")
    frame = load_frame(path, DataSpec(time_col="time", targets=["temp"]))
    assert len(frame.series[0].index) == 120
    assert any("left out line 2 ('Units,,kW,m3/h')" in n for n in frame.notes)
