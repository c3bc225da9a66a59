"""What a detect-anomalies run tells about rows it could not score: none after --since,
none observed, or observed rows that got no score (after an outage). Each looks just like
"no anomaly" to a cron job, so each is said on stderr. And why rows were flagged where the
score alone does not say: a stuck reading."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from forecaster.anomaly.scores import MAX_FILLED_SHARE
from forecaster.anomaly.settings import DetectSettings
from forecaster.bundle import Bundle
from forecaster.data.loading import Frame, Series
from forecaster.data.option_times import parse_when, shown_as
from forecaster.data.timestamps import time_text
from forecaster.errors import DataError
from forecaster.pipeline.freshness import offset_hint
from forecaster.pipeline.predicting import warn_behind
from forecaster.pipeline.scorers import Scorer
from forecaster.report import Reporter

# Rows scored that may hold no observed value before a run says so: past half of them, its
# "no anomaly" rests on the few real rows left (3 of 4 blank under --last 4 said nothing).
MAX_BLANK_SHARE = 0.5


def warn_nothing_since(frame: Frame, cutoffs: dict[str, int], since: str,
                        report: Reporter) -> None:
    """Warn when series have no row at or after --since.

    No new rows is a legitimate answer for cron (exit 0, empty table), but one that looks
    just like "no anomaly": a stalled data feed or a wrong --since would never alert.
    """
    stale = [s for s in frame.series if cutoffs[s.name] >= len(s.index)]
    if not stale:
        return
    last = max(s.index[-1] for s in stale)
    when = parse_when(since, stale[0].index, "--since", frame.spec.day_first)
    since = shown_as(since, when, stale[0].index)
    if len(stale) == len(frame.series):
        where = "the data ends at" if len(stale) == 1 else "every series ends by"
        report.warn(f"--since {since}: no row at or after it; {where} "
                    f"{time_text(last, stale[0].index)}, so nothing was scored: check that new "
                    f"rows still arrive, or give an earlier --since{offset_hint(frame)}")
        return
    names = ", ".join(f"'{s.name}'" for s in stale[:5])
    more = f" and {len(stale) - 5} more" if len(stale) > 5 else ""
    report.warn(f"--since {since}: no row at or after it in series {names}{more}; they end "
                f"by {time_text(last, stale[0].index)} and were not scored: check that new rows "
                "still arrive for them")


def check_nothing_observed(frame: Frame, cutoffs: dict[str, int], strict: bool,
                            report: Reporter, path: Path) -> None:
    """Warn (with --strict, fail) when most of the rows scored hold no observed value.

    A sensor sending NA gets every scored step filled in, and filled steps get no score:
    exit 0, "no anomaly", and a cron alert that never fires. With 1 real row among 4
    asked for, the run's "no anomaly" rests on that one row, and said no more.
    """
    rows = {s.name: len(s.index) - cutoffs[s.name] for s in frame.series}
    blank = {s.name: int((~read_targets(frame, s)[cutoffs[s.name]:]).sum())
             for s in frame.series}
    mostly = [s for s in frame.series
              if rows[s.name] and blank[s.name] > MAX_BLANK_SHARE * rows[s.name]]
    if not mostly:
        _check_dead_columns(frame, cutoffs, report, path)
        return
    # A series with nothing observed is named first: none of its rows could be scored.
    found = [s for s in mostly if blank[s.name] == rows[s.name]] or mostly
    message = _blank_message(found, cutoffs, blank[found[0].name], frame, path)
    if strict:
        raise DataError(message)
    report.warn(message)


def read_targets(frame: Frame, s: Series) -> np.ndarray:
    """Per row of ``s``, whether a target was read: only those rows get a score (features
    read beside a blank target are inputs, scored nowhere)."""
    return s.observed[:, :len(frame.spec.targets)].any(axis=1)


def _blank_message(found: list[Series], cutoffs: dict[str, int], blank: int, frame: Frame,
                   path: Path) -> str:
    """The warning for the first of ``found``, whose scored rows hold ``blank`` rows with
    no target read."""
    s, fill = found[0], frame.spec.fill
    # With features read beside them, the rows do hold values: of no target, though.
    of = f" of {', '.join(repr(t) for t in frame.spec.targets)}" if frame.spec.features else ""
    n = len(s.index) - cutoffs[s.name]
    where = f"series '{s.name}'" if s.name else "the data"
    more = f" (and {len(found) - 1} more series)" if len(found) > 1 else ""
    rows = f"the {n} row(s)" if blank == n else f"{blank} of the {n} row(s)"
    how, left = ("all filled in", "none") if blank == n else ("filled in", f"at most {n - blank}")
    return (f"{path.name}: {rows} scored of {where}{more}, from "
            f"{time_text(s.index[cutoffs[s.name]], s.index)} on, hold no observed value{of} "
            f"({how} by --fill {fill}), so {left} could be scored: check the data feed")


def _check_dead_columns(frame: Frame, cutoffs: dict[str, int], report: Reporter,
                        path: Path) -> None:
    # One sensor of a wide export gone silent: its cells filled in, the other columns
    # observed, so the series-wide check above passed and the run said nothing.
    for s in frame.series:
        cut = cutoffs[s.name]
        dead = [c for j, c in enumerate(frame.columns)
                if cut < len(s.index) and not s.observed[cut:, j].any()]
        if not dead:
            continue
        where = f" of series '{s.name}'" if s.name else ""
        # A warning even with --strict: one late cell of one sensor (--last 1) is no
        # gross drift to fail a cron run on.
        report.warn(f"{path.name}: column(s) {', '.join(dead)}{where} hold no observed value "
                    f"in the {len(s.index) - cut} row(s) scored, from "
                    f"{time_text(s.index[cut], s.index)} on (filled in by --fill "
                    f"{frame.spec.fill}), so their readings were not checked: check the feed "
                    f"of {', '.join(dead)}")
        return


def asked(ds: DetectSettings) -> str:
    """The option that chose the rows to score, as the user gave it ("" for all)."""
    if ds.since is not None:
        return f"--since {ds.since}"
    return f"--last {ds.last}" if ds.last is not None else ""


def warn_blind(blind: list[tuple[Series, int, int]], scorer: Scorer, report: Reporter,
                path: Path, option: str = "") -> None:
    """Warn of observed rows that got no score: after an outage the reconstruction's
    windows around the new rows are mostly filled in, and a cron run scoring them said "no
    anomaly"; forecast residuals score no row of a series' first window, which ``option``
    (--since, --last) asked for."""
    if not blind:
        return
    s, first, n = blind[0]
    where = f" of series '{s.name}'" if s.name else ""
    more = f" (and {len(blind) - 1} more series)" if len(blind) > 1 else ""
    if scorer.method == "forecast":
        rows = scorer.need - 1
        report.warn(f"{path.name}: {n} row(s){where}{more} that {option} asked for got no "
                    f"score, first at {time_text(s.index[first], s.index)}: --method forecast "
                    f"scores a row from the {rows} rows before it, and a series' first {rows} "
                    "rows have fewer")
        return
    seen = scorer.need - int(MAX_FILLED_SHARE * scorer.need)
    why = (f"every anomaly window around them is more than {MAX_FILLED_SHARE:.0%} filled in "
           f"(a gap in the data); rows after a gap are scored once {seen} of a window's "
           f"{scorer.need} rows are observed")
    report.warn(f"{path.name}: {n} observed row(s){where}{more} got no score, first at "
                f"{time_text(s.index[first], s.index)}: {why}; check the data feed")


def warn_lagging(frame: Frame, bundle: Bundle, last: int | None, report: Reporter) -> None:
    """With --last N, warn of series that fell behind the newest row of the file since
    training: their same last rows are scored (and flagged) again on every run."""
    if last:
        warn_behind(frame, bundle, report, f"--last {last} scores their same last rows "
                                           "again on every run (--since scores only new rows)")


def note_stuck(spells: list[tuple[Series, str, tuple[int, int, float, int]]],
               report: Reporter) -> None:
    """Say which flags are stuck readings: a whole file flagged as one event with a score
    of 7331, and nothing saying the value had stopped changing, read as a broken model.

    Args:
        spells: (series, column, (first row, readings, value, limit)) of each channel's
            longest stuck spell (its readings: filled-in steps it spans aside).
        report: where the note goes.
    """
    for s, column, (first, steps, value, limit) in spells[:3]:
        where = f"series '{s.name}', " if s.name else ""
        report.note(f"stuck reading: {where}'{column}' held {value!r} for {steps} readings from "
                    f"{time_text(s.index[first], s.index)} (over its limit of {limit}, set "
                    "from the runs of equal readings in training): flagged whatever its score")
    if len(spells) > 3:
        report.note(f"stuck readings in {len(spells) - 3} more column(s) or series")
