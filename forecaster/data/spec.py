"""How to read a CSV: the options of the data layer, kept free of heavy imports."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from forecaster.limits import Choice, Flag, Names, Text, check_fields

FILL_POLICIES = ("interpolate", "ffill", "zero", "error")
DUPLICATE_POLICIES = ("error", "first", "last", "mean")
AGGREGATES = ("mean", "sum", "min", "max", "first", "last", "count")  # --aggregate
# Joins the key cells of a series named by several columns (--series-col store,item):
# store 1, item 7 is series "1/7" in every output and in the bundle.
SERIES_JOIN = "/"
# What each field of DataSpec may hold: the choices of --fill, --duplicates and --aggregate;
# the column names are looked for in the file, and freq and resample read by pandas, later.
_COLUMN = Text("a column name", auto=True)
_STEP = Text("a pandas frequency such as h, 15min or D", auto=True, blank=True)
SPEC_RULES = {
    "time_col": Text("a column name ('' for a header cell left empty)", auto=True, blank=True),
    "time_parts": Names(), "targets": Names(), "series_col": _COLUMN, "series_parts": Names(),
    "features": Names(), "freq": _STEP, "fill": Choice(FILL_POLICIES),
    "duplicates": Choice(DUPLICATE_POLICIES), "resample": _STEP, "aggregate": Choice(AGGREGATES),
    "day_first": Flag(auto=True), "na_values": Names(),
}


@dataclass
class DataSpec:
    """Column roles and cleaning policies for one CSV layout.

    Attributes:
        time_col: timestamp column; None detects it. "year,month,day" names the
            columns of a split timestamp (see ``expand_names``).
        time_parts: the columns a timestamp is split over ("Date", "Time" or "year",
            "month", ...), used when ``time_col`` is None.
        targets: columns to forecast; empty means "the only numeric column". Entries may
            list several names as "a,b" (see ``expand_names``).
        series_col: column naming the series in long format, or None. "store,item" names
            several (see ``expand_names``), which resolve to ``series_parts``.
        series_parts: the columns that together name each series (store and item), used
            when ``series_col`` is None; a series is named by their cells joined by
            ``SERIES_JOIN``. Bundles from before it have none: one column or none.
        features: extra numeric input columns (known only up to now); "a,b" as for targets.
        freq: pandas frequency alias such as "h" or "15min"; None infers it.
        fill: how gaps in the time grid and missing values are filled.
        duplicates: what to do with repeated timestamps.
        resample: bin the rows to this step (a pandas alias such as "h") before the grid
            is built, instead of reading the file's own step; None keeps the rows.
        aggregate: how a bin's rows become one value: mean, sum, min, max, first, last
            or count.
        day_first: how the file writes dates like 2/1/2007 (day first: True), found on
            reading it; None where it writes none such.
        na_values: cells of the targets and features that mark a missing reading (-200,
            -9999): read as missing, as an empty cell is.
    """

    time_col: str | None = None
    time_parts: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    series_col: str | None = None
    series_parts: list[str] = field(default_factory=list)
    features: list[str] = field(default_factory=list)
    freq: str | None = None
    fill: str = "interpolate"
    duplicates: str = "error"
    resample: str | None = None
    aggregate: str = "mean"
    day_first: bool | None = None
    na_values: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        """Refuse a value ``forecast train`` would refuse (see ``SPEC_RULES``).

        Raises:
            ConfigError: naming the field, the value and what is allowed.
        """
        check_fields(self, SPEC_RULES)

    @property
    def series_cols(self) -> list[str]:
        """The columns that name the series: none for a single series, else one or more."""
        return list(self.series_parts) or ([self.series_col] if self.series_col else [])

    @property
    def named(self) -> set[str | None]:
        """Every column given a role: time (or its parts), series keys, targets, features."""
        return {self.time_col, *self.time_parts, *self.series_cols, *self.targets,
                *self.features}

    def to_dict(self) -> dict:
        """Plain-JSON form, for the model bundle. ``series_parts`` only where it names
        columns: the release before it refuses a key it does not know (an internal error
        on every bundle), and reads those of one key column as ever."""
        d = asdict(self)
        if not d["series_parts"]:
            del d["series_parts"]
        return d

    @classmethod
    def from_dict(cls, d: dict) -> DataSpec:
        """Inverse of ``to_dict``."""
        return cls(**d)


def expand_names(given: list[str], columns: list[str]) -> list[str]:
    """Column names from option values, each one name or several as "a,b".

    A value that names a column is kept whole, so a column "price, USD" can be chosen
    (spaces around its commas do not matter). Any other value is split on commas, unless
    none of its parts is a column either: then it stays whole, for the "no column" message.

    Args:
        given: the option values, e.g. ``["price, USD"]`` or ``["a,b", "c"]``.
        columns: the file's column names.

    Returns:
        The names, in order.
    """
    whole = {_squeeze(c): c for c in columns if "," in c}
    out = []
    unnamed = [c for c in columns if re.fullmatch(r"Unnamed: \d+", c)]  # pandas' name
    for value in given:
        if value == "" and len(unnamed) == 1:  # --time-col '' for a header cell left empty
            out.append(unnamed[0])
            continue
        if value in columns or _squeeze(value) in whole:
            out.append(value if value in columns else whole[_squeeze(value)])
            continue
        parts = [n.strip() for n in value.split(",") if n.strip()]
        out += parts if any(p in columns for p in parts) else [value]
    return out


def _squeeze(name: str) -> str:
    return ",".join(part.strip() for part in name.split(","))
