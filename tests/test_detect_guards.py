"""``forecast detect-anomalies`` refuses what would make a cron job silently score nothing,
and checks its output paths before any scoring."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from conftest import TINY, make_series
from typer.testing import CliRunner

from forecaster.cli import app

runner = CliRunner()
ANOMALY = [a for a in TINY if a != "--no-anomaly"] + [
    "--anomaly-window", "24", "--anomaly-segment", "6", "--anomaly-epochs", "2"]


@pytest.fixture(scope="module")
def two(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A CSV of series 'a' (480 hourly rows) and 'b' (its first 400), and a bundle on it."""
    root = tmp_path_factory.mktemp("guards")
    csv, model = root / "two.csv", root / "m"
    parts = [make_series(n=480).assign(series="a"), make_series(n=400, seed=1).assign(series="b")]
    pd.concat(parts, ignore_index=True).to_csv(csv, index=False)
    result = runner.invoke(app, ["train", str(csv), "--model", str(model), "--series-col",
                                 "series", *ANOMALY])
    assert result.exit_code == 0, result.output
    return csv, model


def _detect(model: Path, *extra: str):
    return runner.invoke(app, ["detect-anomalies", "--model", str(model), "--exit-zero", *extra])


@pytest.mark.parametrize(("since", "message"), [
    ("", "Error: --since is empty; expected a timestamp such as 2026-03-01T12:00"),
    ("NaT", "Error: --since NaT: not a timestamp; expected e.g. 2026-03-01"),
])
def test_empty_or_nat_since_is_a_usage_error(two: tuple[Path, Path], since: str,
                                             message: str) -> None:
    # A cron job's --since "$LAST" with LAST unset must not score nothing and exit 0.
    result = _detect(two[1], "--since", since)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1


def test_since_after_the_last_row_warns_and_names_it(two: tuple[Path, Path]) -> None:
    result = _detect(two[1], "--since", "2099-01-01", "--quiet")
    assert result.exit_code == 0, result.output
    assert result.stdout == "series,timestamp,value,score,threshold,is_anomaly\n"
    assert ("Warning: --since 2099-01-01: no row at or after it; every series ends by "
            "2024-01-20T23:00:00+00:00, so nothing was scored") in result.stderr


def test_since_after_one_series_ends_warns_about_that_series(two: tuple[Path, Path]) -> None:
    result = _detect(two[1], "--since", "2024-01-19 00:00", "--quiet")
    assert result.exit_code == 0, result.output
    table = pd.read_csv(io.StringIO(result.stdout))
    assert set(table["series"]) == {"a"} and len(table) == 48
    assert ("Warning: --since 2024-01-19 00:00: no row at or after it in series 'b'; they "
            "end by 2024-01-17T15:00:00+00:00 and were not scored") in result.stderr
