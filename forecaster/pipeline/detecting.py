"""``forecast detect-anomalies``: per-step scores, the calibrated threshold, flags and events."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from forecaster.anomaly.events import events_table
from forecaster.anomaly.scores import normalise
from forecaster.anomaly.settings import DetectSettings
from forecaster.anomaly.stuck import lenient, lenient_levels, longest_spell, stuck_scores
from forecaster.anomaly.thresholds import (
    EWMA_SPAN,
    close_gaps,
    ewma,
    prune_events,
    telemanom_rule,
)
from forecaster.bundle import load_bundle
from forecaster.data.loading import Frame, Series
from forecaster.data.option_times import check_readable
from forecaster.data.scaling import Scaler
from forecaster.data.timestamps import is_step_freq, steps_as_numbers
from forecaster.pipeline.detect_checks import (
    asked,
    check_nothing_observed,
    note_stuck,
    read_targets,
    warn_blind,
    warn_lagging,
    warn_nothing_since,
)
from forecaster.pipeline.devices import resolve_device
from forecaster.pipeline.drift import drift_gate
from forecaster.pipeline.event_starts import truncated, under_way, with_rows_before
from forecaster.pipeline.first_scored import first_scored
from forecaster.pipeline.freshness import check_fresh, warn_ahead
from forecaster.pipeline.predicting import long_enough, series_scaler
from forecaster.pipeline.reread import load_data_for
from forecaster.pipeline.scorers import make_scorer
from forecaster.report import Reporter

# Newest rows compared with the training data by the drift gate.
DRIFT_ROWS = 96


@dataclass
class Detection:
    """What a detection run found.

    Attributes:
        table: one row per scored step: series, timestamp, value, score, threshold,
            is_anomaly (and value_<column>, score_<column> per channel when there are
            several).
        events: one row per contiguous flagged run.
        threshold: the highest threshold a series used on its overall score.
        rule: the threshold rule used.
    """

    table: pd.DataFrame
    events: pd.DataFrame
    threshold: float
    rule: str


def detect(ds: DetectSettings, report: Reporter | None = None) -> Detection:
    """Score every step (or only the new ones), flag those above the threshold.

    Args:
        ds: the settings.
        report: where messages go.

    Returns:
        The per-step table and the events.
    """
    return DetectionRun(ds, report).whole()


@dataclass
class SeriesPart:
    """One series' share of a detection run.

    Attributes:
        table: its rows of the per-step table (``is_anomaly``: at or above the threshold,
            in an event that survived pruning).
        threshold: the threshold it used on its overall score.
        spans: (rows,) bool, the events' steps: flagged runs closer than the scorer's
            reach joined, the steps between them included.
        before: the rows before the first scored one (same columns) of an event under
            way at it (pipeline/event_starts.py); None where no event reaches back.
    """

    table: pd.DataFrame
    threshold: float
    spans: np.ndarray
    before: pd.DataFrame | None = None


class DetectionRun:
    """A detection run scored series by series, so memory grows with one series at a time.

    Everything a run can refuse (bundle, data, drift gate, --since, series too short) is
    checked on construction, before any series is scored or any output written. While
    ``parts()`` runs, it tallies the events, flagged steps and highest threshold.

    Args:
        ds: the settings.
        report: where messages go.
    """

    def __init__(self, ds: DetectSettings, report: Reporter | None = None) -> None:
        self.ds = ds
        self.report = report or Reporter(quiet=True)
        self.bundle = load_bundle(Path(ds.model_dir))
        # Before the data is read: a refused method or option is named at once.
        self.scorer = make_scorer(self.bundle, ds, resolve_device(ds.device))
        # A --since no data could read: before the data's warnings (step-indexed data
        # name their steps in their own message, after reading them).
        if ds.since is not None and not is_step_freq(self.bundle.meta["data"]["freq"]):
            check_readable(ds.since)
        frame, self.path = load_data_for(self.bundle, ds.data, self.report)
        check_fresh(frame, self.path, ds.max_age)
        warn_ahead(frame, self.path, self.report)
        # At least DRIFT_ROWS: with --last 1 a single anomalous value would be the "recent
        # level", and --strict would turn the anomaly it is into a drift error.
        drift_gate(self.bundle, frame, max(ds.last or 0, DRIFT_ROWS), ds.strict, self.report,
                   path=self.path)
        self.frame = long_enough(frame, self.scorer.need, "the anomaly model needs at least "
                                 "{need} (--since/--last still use them as context)",
                                 self.path, self.report)
        self._cutoffs = {s.name: first_scored(s, ds, self.frame) for s in self.frame.series}
        if ds.since is not None:
            warn_nothing_since(self.frame, self._cutoffs, ds.since, self.report)
        warn_lagging(self.frame, self.bundle, ds.last, self.report)
        check_nothing_observed(self.frame, self._cutoffs, ds.strict, self.report, self.path)
        self.rule = self.scorer.rule
        # The highest threshold any series used: the one a person reading the log compares with.
        self.threshold = float("-inf")
        self.flagged = 0
        self._events: list[pd.DataFrame] = []
        self._lenient: list[int] | None = None
        self._lenient_levels: list[list[list[float]]] | None = None
        self._blind: list[tuple[Series, int, int]] = []  # (series, first row, rows) unscored
        self._stuck: list = []  # (series, column, longest spell) of stuck readings flagged

    def parts(self) -> Iterator[SeriesPart]:
        """Each series' table part and threshold, in the data's order."""
        for s in self.frame.series:
            part = self.score_series(s)
            if part.spans.any() or not self._events:  # the first: the empty table's shape
                rows, spans = with_rows_before(part.table, part.spans, part.before)
                self._events.append(events_table(rows, spans, self.frame.spec.targets))
            self.flagged += int(part.table["is_anomaly"].sum())
            self.threshold = max(self.threshold, part.threshold)
            yield part
        warn_blind(self._blind, self.scorer, self.report, self.path, asked(self.ds))
        note_stuck(self._stuck, self.report)

    def events(self) -> pd.DataFrame:
        """The events of the series scored so far, one row per contiguous flagged run."""
        found = [e for e in self._events if len(e)]
        return pd.concat(found, ignore_index=True) if found else self._events[0]

    def for_output(self, table: pd.DataFrame) -> pd.DataFrame:
        """A table or events as written out: times as step numbers on a step index."""
        return steps_as_numbers(table, is_step_freq(self.frame.freq))

    def whole(self) -> Detection:
        """Score every series and keep the whole per-step table (memory grows with it)."""
        table = pd.concat([p.table for p in self.parts()], ignore_index=True)
        return Detection(table, self.events(), self.threshold, self.rule)

    def score_series(self, s: Series) -> SeriesPart:
        """Scores, threshold and flags of one series."""
        scorer = self.scorer
        scaler = series_scaler(self.bundle, s.name, s.values, s.observed, self.report)
        cutoff = self._cutoffs[s.name]
        per, overall = self._scores(s, scaler, cutoff)
        threshold = scorer.threshold
        if scorer.rule == "telemanom":
            # The threshold adapts to the smoothed scores, above the out-of-fold floor.
            threshold = telemanom_rule(overall[cutoff:], scorer.threshold, scorer.cap,
                                       scorer.merge)
        flags = ~np.isnan(overall) & (overall >= threshold)
        if scorer.rule in ("dynamic", "telemanom"):
            flags = prune_events(overall, flags, scorer.prune, scorer.merge)
        per, overall, flags = self._with_stuck(s, per, overall, flags, cutoff)
        observed = read_targets(self.frame, s)  # a feature read beside no target: no score
        # Read, but no score. Forecast residuals never score a series' first window of rows
        # (no input before them): news only where --since or --last asked for those rows.
        blind = observed[cutoff:] & np.isnan(overall[cutoff:])
        if blind.any() and (scorer.method == "reconstruction" or self.ds.since is not None
                            or self.ds.last is not None):
            self._blind.append((s, cutoff + int(np.argmax(blind)), int(blind.sum())))
        # One fault's flagged runs, a few steps apart, are one event (one alert); the steps
        # between them are not flagged themselves: they did not reach the threshold. Rows
        # filled in between are bridged too: cut out, they split one fault into several
        # events, some holding no flagged step at all.
        flags &= observed
        spans = close_gaps(flags, scorer.merge)
        table = _series_table(self.frame, s, per, overall, flags, threshold, cutoff)
        before = None
        # An event under way at the cutoff: since when? Not for forecast residuals, whose
        # reach (a forecaster window) could take a new fault for one days old, its alert
        # keyed by that old start and so silenced.
        if scorer.method == "reconstruction" and 0 < cutoff < len(spans) and spans[cutoff]:
            before = self._rows_before(s, scaler, cutoff, threshold, (per, overall, flags))
        return SeriesPart(table, float(threshold), spans[cutoff:], before)

    def _rows_before(self, s: Series, scaler: Scaler, cutoff: int, threshold: float,
                     scored: tuple[np.ndarray, np.ndarray, np.ndarray]) -> pd.DataFrame | None:
        """The rows before ``cutoff`` of the event under way at it (``under_way``), or None."""
        found = under_way(lambda t, c: self._scores(t, scaler, c), s, cutoff, threshold, scored,
                          self.scorer.need, self.scorer.merge)
        if found is None:
            return None
        return _series_table(self.frame, truncated(s, cutoff), *found[1:], threshold, found[0])

    def _scores(self, s: Series, scaler: Scaler, cutoff: int) -> tuple[np.ndarray, np.ndarray]:
        """Per-channel and overall scores of the rows from ``cutoff`` on (NaN before)."""
        scorer = self.scorer
        per, overall = normalise(scorer.run(s, scaler, cutoff), scorer.center, scorer.scale,
                                 len(self.frame.spec.targets))
        if scorer.rule == "telemanom":  # the rule reads smoothed scores
            overall = ewma(overall, EWMA_SPAN).astype(np.float32)
        return per, overall

    def _with_stuck(self, s: Series, per: np.ndarray, overall: np.ndarray, flags: np.ndarray,
                    cutoff: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Scores and flags with stuck readings added (anomaly/stuck.py): after the
        threshold is chosen, so they neither raise it nor are pruned as weak, and
        flagged whatever threshold the rule picked on these rows."""
        limits = self.scorer.stuck
        if not limits:
            return per, overall, flags
        mine, levels = self._stuck_limits(s, limits)
        # In units of the calibrated threshold (the std cap where it is higher), not of
        # the one picked on these rows: a score must not depend on the rows scored.
        cap = self.scorer.cap if np.isfinite(self.scorer.cap) else self.scorer.threshold
        stuck = stuck_scores(s.values, s.observed, mine, max(self.scorer.threshold, cap),
                             levels)  # (timesteps, channels)
        if per.shape[1] == stuck.shape[1]:  # an event names the channel that is stuck
            per = np.where(stuck > 0, np.fmax(per, stuck), per)
        stuck = stuck[:, :len(self.frame.spec.targets)]  # features: inputs, not alerts
        unit = max(self.scorer.threshold, cap)
        for c, column in enumerate(self.frame.spec.targets):
            spell = longest_spell(stuck[:, c], s.values[:, c], s.observed[:, c], unit, cutoff)
            if spell is not None:
                self._stuck.append((s, column, spell))
        hit = (stuck > 0).any(axis=1)  # elsewhere scores stay (NaN where filled in)
        return per, np.where(hit, np.fmax(overall, stuck.max(axis=1)), overall), flags | hit

    def _stuck_limits(self, s: Series, limits: dict[str, list[int]]
                      ) -> tuple[list[int], list[list[list[float]]] | None]:
        """A series' limits of repeated readings and its levels: those trained on it, or
        for a series new since training the most lenient of all (once: thousands of new
        hosts)."""
        levels = self.scorer.levels or {}
        if s.name in limits:
            return limits[s.name], levels.get(s.name)
        if self._lenient is None:
            self._lenient = lenient(limits)
            self._lenient_levels = lenient_levels(levels, len(self._lenient))
        return self._lenient, self._lenient_levels


def _series_table(frame: Frame, s: Series, per: np.ndarray, overall: np.ndarray,
                  flags: np.ndarray, threshold: float, cutoff: int) -> pd.DataFrame:
    """Rows of the scored steps; filled steps keep an empty value and score."""
    sl = slice(cutoff, None)
    observed = s.observed[sl, 0]
    columns = {
        "series": s.name, "timestamp": s.index[sl],
        "value": np.where(observed, s.values[sl, 0], np.nan),
        "score": overall[sl], "threshold": threshold, "is_anomaly": flags[sl],
    }
    if per.shape[1] > 1:  # which channel is off, and its value: 'value' is the first's
        for j, col in enumerate(frame.columns[:per.shape[1]]):
            columns[f"value_{col}"] = np.where(s.observed[sl, j], s.values[sl, j], np.nan)
            columns[f"score_{col}"] = per[sl, j]
    # One frame from all columns: added one by one, hundreds of channels made pandas warn
    # "highly fragmented" once per column, into a cron log.
    return pd.DataFrame(columns)
