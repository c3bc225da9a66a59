"""Refuse a file whose times are written with a UTC offset where the training file's were
not, or the other way round.

Times with an offset are converted to UTC and times without one are taken as UTC: each
kind alone is read as it is meant. A file that changes kind since training (a logger's
wall-clock times, then an export with +02:00) is read two ways, and every time moves by
the offset: the forecast started two hours late, labelled in silence. Within one file the
mix is refused (``zones``); across the training file and a later one it is refused here.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from forecaster.data.loading import Frame
from forecaster.data.month_days import to_step
from forecaster.data.timestamps import is_step_freq
from forecaster.data.zones import is_utc
from forecaster.errors import DataError


def check_offsets(meta: dict, frame: Frame, path: Path) -> None:
    """Refuse ``frame`` (read from ``path``) when its times carry a UTC offset and the
    training file's did not, or the reverse, and the offset is not UTC itself.

    Args:
        meta: the bundle's ``data`` section; bundles that predate ``time_offsets``
            (and files of Unix times or step numbers) are not checked.
        frame: the file read again, or the one given with ``--data``.
        path: that file, for messages.

    Raises:
        DataError: the two files write their times in different kinds.
    """
    was, now = meta.get("time_offsets"), frame.time_offsets
    if was is None or now is None or bool(was) == bool(now) or not _sub_daily(frame.freq):
        return
    offsets = list(was or now)
    if all(is_utc(o) for o in offsets):  # Z, +00:00: times without one, read as UTC, too
        return
    shown = " and ".join(offsets)
    trained = Path(str(meta.get("path") or "the training file"))
    at_training = ("at training it wrote them" if trained == path
                   else f"the training file ({trained}) wrote them")
    if now:
        raise DataError(f"{path}: the file writes its times with a UTC offset ({shown}); "
                        f"{at_training} without one, read as UTC: the times would shift by "
                        "the offset; write them as at training (without the offset), or "
                        f"retrain on this file ('forecast train {path}')")
    raise DataError(f"{path}: the file writes its times without a UTC offset; {at_training} "
                    f"with one ({shown}): read as UTC, the times would shift by the offset; "
                    f"write the offset, or retrain on this file ('forecast train {path}')")


def _sub_daily(freq: str) -> bool:
    # Daily and coarser rows are read as their local dates whatever their offset (zones):
    # 2023-12-31T00:00:00+01:00 and 2023-12-31 are the same day, and nothing shifts.
    if is_step_freq(freq):
        return False
    try:
        return pd.Timedelta(to_step(freq)) < pd.Timedelta(days=1)
    except (ValueError, TypeError):  # calendar steps (B, MS, W-SUN): no fixed length
        return False
