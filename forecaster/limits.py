"""The limits and choices of every setting, defined once: the settings classes check their
fields against them when built (so that a library call is refused as the CLI refuses the
option), and the CLI's options take their ranges and choices from here.

Light on purpose: the CLI imports it for ``--help``, before knowing whether torch is needed.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Protocol

from forecaster.errors import ConfigError

# Choices (the option each one belongs to).
CELLS = ("gru", "lstm")  # --cell (each list opens with its default)
NORMS = ("auto", "last", "revin", "none", "diff")  # --norm
ANOMALY_NORMS = ("auto", "none", "revin")  # --anomaly-norm
COMBINES = ("median", "mean", "last")  # --anomaly-combine
THRESHOLD_RULES = ("telemanom", "std", "dynamic", "quantile")  # --anomaly-threshold, --threshold
WINDOW_KINDS = ("expanding", "sliding")  # --window-kind
DEVICES = ("auto", "cpu", "cuda")  # --device, and cuda:N (see Device)
METHODS = ("auto", "reconstruction", "forecast")  # detect-anomalies --method
# --format: the one option whose values differ between commands (info prints a table or
# JSON; the others CSV or JSON).
FORMATS = ("csv", "json")
INFO_FORMATS = ("table", "json")

# Ranges. Past MAX_UNITS and MAX_LAYERS a network does not fit in memory (--hidden 10000000
# was an allocation failure; 1e22 an overflow inside torch with a C++ stack trace), nor
# trains on a CPU.
MIN_WINDOW = 2  # --window, --anomaly-window: a window of one step holds no shape
MAX_UNITS = 2048  # --hidden, --anomaly-hidden, --anomaly-latent
MAX_LAYERS = 8  # --layers, --anomaly-layers
MAX_DROPOUT = 0.9  # --dropout
MAX_LR = 1.0  # --lr, above 0
MAX_SEED = 2**32 - 1  # --seed: what numpy's generators take
LEVEL = (1.0, 99.0)  # --level, percent
Q = (0.5, 0.99999)  # detect-anomalies --q
K = (0.0, 1000.0)  # detect-anomalies --k (1e308 overflowed to an inf threshold)


class Rule(Protocol):
    """What one field may hold."""

    def problem(self, value: object) -> str:
        """What is expected, or "" when ``value`` is allowed."""


def _none(auto: bool) -> str:
    return ", or None" if auto else ""


def _whole(value: object) -> bool:
    # bool is an int to Python, but epochs=True is a mistake, not one epoch.
    return isinstance(value, Integral) and not isinstance(value, bool)


@dataclass(frozen=True)
class Whole:
    """A whole number from ``lo`` (to ``hi``); None too where ``auto``."""

    lo: int
    hi: int | None = None
    auto: bool = False

    def problem(self, value: object) -> str:
        """See ``Rule``."""
        if (value is None and self.auto) or (
                _whole(value) and self.lo <= value and (self.hi is None or value <= self.hi)):
            return ""
        span = f"from {self.lo} to {self.hi}" if self.hi is not None else f"of at least {self.lo}"
        return f"expected a whole number {span}{_none(self.auto)}"


@dataclass(frozen=True)
class Number:
    """A finite number from ``lo`` (to ``hi``); ``above``/``below``: the bound itself is
    excluded. None too where ``auto``. NaN fails every comparison, so it is refused too."""

    lo: float
    hi: float | None = None
    above: bool = False
    below: bool = False
    auto: bool = False

    def problem(self, value: object) -> str:
        """See ``Rule``."""
        if value is None and self.auto:
            return ""
        if isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value):
            low = value > self.lo if self.above else value >= self.lo
            high = self.hi is None or (value < self.hi if self.below else value <= self.hi)
            if low and high:
                return ""
        return f"expected a number {self._span()}{_none(self.auto)}"

    def _span(self) -> str:
        low = f"above {self.lo:g}" if self.above else f"from {self.lo:g}"
        if self.hi is None:
            return low if self.above else f"of at least {self.lo:g}"
        high = f"below {self.hi:g}" if self.below else f"{self.hi:g}"
        return f"{low} and at most {high}" if self.above else f"{low} to {high}"


@dataclass(frozen=True)
class Choice:
    """One of ``options``; None too where ``auto``."""

    options: tuple[str, ...]
    auto: bool = False

    def problem(self, value: object) -> str:
        """See ``Rule``."""
        if (value is None and self.auto) or (isinstance(value, str) and value in self.options):
            return ""
        return f"expected one of {', '.join(self.options)}{_none(self.auto)}"


@dataclass(frozen=True)
class Device:
    """A ``--device``: one of ``DEVICES``, or ``cuda:N`` for one GPU of several."""

    def problem(self, value: object) -> str:
        """See ``Rule``."""
        if isinstance(value, str) and (value in DEVICES or re.fullmatch(r"cuda:\d+", value)):
            return ""
        return f"expected one of {', '.join(DEVICES)}, or cuda:N (the GPU numbered N)"


@dataclass(frozen=True)
class Flag:
    """True or False; None too where ``auto``."""

    auto: bool = False

    def problem(self, value: object) -> str:
        """See ``Rule``."""
        if (value is None and self.auto) or isinstance(value, bool):
            return ""
        return f"expected True or False{_none(self.auto)}"


@dataclass(frozen=True)
class Text:
    """A string, described as ``what``; not a blank one (an unset shell variable) unless
    ``blank``. None too where ``auto``."""

    what: str = "a string"
    auto: bool = False
    blank: bool = False

    def problem(self, value: object) -> str:
        """See ``Rule``."""
        if (value is None and self.auto) or (
                isinstance(value, str) and (self.blank or value.strip())):
            return ""
        return f"expected {self.what}{_none(self.auto)}"


@dataclass(frozen=True)
class FilePath:
    """A path (str or ``os.PathLike``), not an empty string (which reads as '.')."""

    auto: bool = False

    def problem(self, value: object) -> str:
        """See ``Rule``."""
        if (value is None and self.auto) or (
                isinstance(value, (str, os.PathLike)) and str(os.fspath(value)).strip()):
            return ""
        return f"expected a path{_none(self.auto)}"


@dataclass(frozen=True)
class Names:
    """A list of names (columns, cells): a lone string would be read letter by letter."""

    def problem(self, value: object) -> str:
        """See ``Rule``."""
        if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
            return ""
        return "expected a list of strings"


@dataclass(frozen=True)
class Instance:
    """An instance of ``kind``."""

    kind: type

    def problem(self, value: object) -> str:
        """See ``Rule``."""
        return "" if isinstance(value, self.kind) else f"expected a {self.kind.__name__}"


@dataclass(frozen=True)
class Indexes:
    """A list of column positions (whole numbers from 0), or None."""

    def problem(self, value: object) -> str:
        """See ``Rule``."""
        if value is None or (isinstance(value, list) and all(
                _whole(v) and v >= 0 for v in value)):
            return ""
        return "expected a list of column positions (whole numbers from 0), or None"


def refuse(name: str, value: object, expected: str) -> ConfigError:
    """The one-line error for field ``name``: "cell 'foo': expected one of gru, lstm"."""
    shown = repr(os.fspath(value)) if isinstance(value, os.PathLike) else repr(value)
    if len(shown) > 60:  # a whole DataFrame passed by mistake must not flood the line
        shown = shown[:57] + "..."
    return ConfigError(f"{name} {shown}: {expected}")


def check_fields(settings: object, rules: Mapping[str, Rule]) -> None:
    """Refuse the first field of ``settings`` that its rule does not allow.

    Args:
        settings: a settings object (a dataclass instance).
        rules: field name -> rule.

    Raises:
        ConfigError: naming the field, the value found and what is allowed.
    """
    for name, rule in rules.items():
        value = getattr(settings, name)
        expected = rule.problem(value)
        if expected:
            raise refuse(name, value, expected)
