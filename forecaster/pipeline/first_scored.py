"""The first row ``detect-anomalies`` scores of a series: all, or those since ``--since`` /
the last ``--last``; the rows before it are context."""

from __future__ import annotations

from pandas.tseries.frequencies import to_offset

from forecaster.anomaly.settings import DetectSettings
from forecaster.data.loading import Frame, Series
from forecaster.data.option_times import parse_when, unreadable
from forecaster.data.timestamps import is_steps, step_numbers
from forecaster.errors import ConfigError


def first_scored(s: Series, ds: DetectSettings, frame: Frame) -> int:
    """First step to score: all of them, or those since a time / the last N.

    With binned rows (``--resample``), --since falls inside a bin, and that bin is
    scored: the previous run left it out while it was unfinished.
    """
    if ds.since is not None:
        if is_steps(s.index) and not str(ds.since).strip().isdigit():
            # A date compares with the steps' 1970 stand-ins: nothing would be scored.
            raise ConfigError(f"--since {ds.since}: this data is indexed by whole step "
                              "numbers, not dates or fractions; expected a step number from "
                              f"0 (the data's steps run "
                              f"{step_numbers(s.index[:1])[0]} to "
                              f"{step_numbers(s.index[-1:])[0]})")
        try:
            since = parse_when(ds.since, s.index, "--since", frame.spec.day_first)
        except ValueError:
            raise unreadable(ds.since) from None
        first = int(s.index.searchsorted(since))
        bins = frame.spec.resample
        if bins and 0 < first <= len(s.index) and s.index[first - 1] + to_offset(bins) > since:
            return first - 1  # the bin that holds --since
        return first
    if ds.last is not None:
        return max(0, len(s.index) - ds.last)
    return 0
