"""``--freq`` and ``--resample`` as a bare number: a number of steps, for rows indexed by
step numbers.

Rows indexed by step numbers (a time column of whole numbers, or none) lie on a grid of
nanoseconds from 1970 (``timestamps.is_steps``), so a step of ten was written ``10ns``, and
``--freq 10`` was refused as an "unknown or non-positive step" (and ``--resample 10`` too,
bins of ten steps). Rows with dates and times have no unit a bare number could take: they
are told to give one.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pandas as pd

from forecaster.data.spec import DataSpec
from forecaster.data.timestamps import is_step_freq, is_steps
from forecaster.errors import ConfigError

NUMBER = re.compile(r"\d+")


def as_steps(alias: str) -> str:
    """A bare positive number as the alias of that many steps ('10' -> '10ns', '1' -> 'ns',
    as steps are inferred); any other alias as it is."""
    if not NUMBER.fullmatch(alias) or int(alias) < 1:
        return alias  # "0" keeps the alias parser's own error
    return "ns" if int(alias) == 1 else f"{int(alias)}ns"


def on_steps(alias: str, times: pd.DatetimeIndex) -> bool:
    """Whether ``alias`` is a number of steps: nanoseconds ('10ns') on rows indexed by step
    numbers (on dates and times, --freq 10ns is ten nanoseconds). Naive times are UTC."""
    times = pd.DatetimeIndex(times)
    return is_step_freq(alias) and is_steps(times if times.tz else times.tz_localize("UTC"))


def step_word(alias: str, times: pd.DatetimeIndex) -> str:
    """A step as --freq and --resample take it: on rows indexed by step numbers, a number
    of steps bare ('10ns' -> '10', 'ns' -> '1'); any other alias as it is."""
    return str(int(alias.rstrip("nsN") or 1)) if on_steps(alias, times) else alias


def grid_word(alias: str, times: pd.DatetimeIndex) -> str:
    """A grid as messages name it: "the 'h' grid", or "the grid of 10 steps"."""
    if not on_steps(alias, times):
        return f"the '{alias}' grid"
    n = step_word(alias, times)
    return f"the grid of {n} step{'s' if n != '1' else ''}"


def read(spec: DataSpec, times: pd.DatetimeIndex | pd.Series, path: Path) -> DataSpec:
    """``spec`` with a ``--freq`` or ``--resample`` of a bare number read as that many steps.

    Args:
        spec: the data's roles and policies, ``freq`` and ``resample`` as given.
        times: every row's time as parsed (step numbers are ``is_steps`` times).
        path: the file, for the message.

    Returns:
        ``spec``, its ``freq`` and ``resample`` the alias of steps where each was a bare
        number.

    Raises:
        ConfigError: a bare number for rows with dates and times: a unit is needed.
    """
    for name in ("freq", "resample"):
        alias = getattr(spec, name)
        if alias is None or as_steps(alias) == alias:
            continue
        if not is_steps(times):
            raise ConfigError(f"--{name} {alias}: found a number without a unit, and "
                              f"{path.name} has dates and times; expected a step with its "
                              f"unit, e.g. {alias}min, {alias}h or {alias}D (a bare number "
                              "counts steps, for rows indexed by step numbers): add the unit")
        spec = replace(spec, **{name: as_steps(alias)})
    return spec
