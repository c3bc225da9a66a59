"""``--freq`` as a bare number: a number of steps, for rows indexed by step numbers.

Rows indexed by step numbers (a time column of whole numbers, or none) lie on a grid of
nanoseconds from 1970 (``timestamps.is_steps``), so a step of ten was written ``10ns``, and
``--freq 10`` was refused as an "unknown or non-positive step". Rows with dates and times
have no unit a bare number could take: they are told to give one.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pandas as pd

from forecaster.data.spec import DataSpec
from forecaster.data.timestamps import is_steps
from forecaster.errors import ConfigError

NUMBER = re.compile(r"\d+")


def as_steps(alias: str) -> str:
    """A bare positive number as the alias of that many steps ('10' -> '10ns', '1' -> 'ns',
    as steps are inferred); any other alias as it is."""
    if not NUMBER.fullmatch(alias) or int(alias) < 1:
        return alias  # "0" keeps the alias parser's own error
    return "ns" if int(alias) == 1 else f"{int(alias)}ns"


def read(spec: DataSpec, times: pd.DatetimeIndex | pd.Series, path: Path) -> DataSpec:
    """``spec`` with a ``--freq`` of a bare number read as that many steps.

    Args:
        spec: the data's roles and policies, ``freq`` as given.
        times: every row's time as parsed (step numbers are ``is_steps`` times).
        path: the file, for the message.

    Returns:
        ``spec``, its ``freq`` the alias of steps where it was a bare number.

    Raises:
        ConfigError: a bare number for rows with dates and times: a unit is needed.
    """
    freq = spec.freq
    if freq is None or as_steps(freq) == freq:
        return spec
    if is_steps(times):
        return replace(spec, freq=as_steps(freq))
    raise ConfigError(f"--freq {freq}: found a number without a unit, and {path.name} has "
                      f"dates and times; expected a step with its unit, e.g. {freq}min, "
                      f"{freq}h or {freq}D (a bare number counts steps, for rows indexed by "
                      "step numbers): add the unit")
