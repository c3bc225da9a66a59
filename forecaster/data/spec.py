"""How to read a CSV: the options of the data layer, kept free of heavy imports."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

FILL_POLICIES = ("interpolate", "ffill", "zero", "error")
DUPLICATE_POLICIES = ("error", "first", "last", "mean")


@dataclass
class DataSpec:
    """Column roles and cleaning policies for one CSV layout.

    Attributes:
        time_col: timestamp column; None detects it.
        time_parts: the columns a timestamp is split over ("Date", "Time" or "year",
            "month", ...), used when ``time_col`` is None.
        targets: columns to forecast; empty means "the only numeric column".
        series_col: column naming the series in long format, or None.
        features: extra numeric input columns (known only up to now).
        freq: pandas frequency alias such as "h" or "15min"; None infers it.
        fill: how gaps in the time grid and missing values are filled.
        duplicates: what to do with repeated timestamps.
    """

    time_col: str | None = None
    time_parts: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    series_col: str | None = None
    features: list[str] = field(default_factory=list)
    freq: str | None = None
    fill: str = "interpolate"
    duplicates: str = "error"

    def to_dict(self) -> dict:
        """Plain-JSON form, for the model bundle."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> DataSpec:
        """Inverse of ``to_dict``."""
        return cls(**d)
