"""``--target all``: every value column of a wide file a target (LSTNet's electricity file,
321 meters; its exchange rates, 8 currencies), rather than naming each one; and
``--features all``: every other value column an input (SKAB's eight sensors, a stock's
open, high, low and volume beside its close).
"""

from __future__ import annotations

from pathlib import Path

ALL = "all"


def wants_all(targets: list[str], columns: list[str]) -> bool:
    """Whether --target asks for every value column: ``all`` alone, in a file with no column
    of that name (where there is one, ``--target all`` names it, as any name does).

    Args:
        targets: --target's values as given.
        columns: the file's column names.

    Returns:
        True for every value column.
    """
    return [t.strip() for t in targets] == [ALL] and ALL not in columns


def all_note(path: Path, targets: list[str], option: str = "--target",
             doing: str = "forecasting") -> str:
    """The note saying how many columns ``option all`` chose, and which (the first few)."""
    shown = ", ".join(targets[:8]) + (f", ... ({len(targets) - 8} more)" if len(targets) > 8
                                      else "")
    return (f"{path.name}: {option} all: {doing} {len(targets)} numeric "
            f"column{'s' * (len(targets) > 1)}: {shown}")
