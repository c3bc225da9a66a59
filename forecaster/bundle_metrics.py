"""The fold metrics a bundle records (``metrics.folds``), checked on load.

``forecast info`` tabulates them and ``train --warm-start`` carries them over: a hand-edited
value (``"x"`` for the list, a string for a fold's MAE) was an internal error in ``info``
(exit 70) where every other damaged field says the bundle is damaged (exit 78). Kept apart
from ``bundle_schema``, whose key paths cannot step into a list.
"""

from __future__ import annotations

from pathlib import Path

from forecaster.bundle_schema import LIST, MISSING, OBJECT, TEXT, Kind, check_kind

# What info shows of a fold: a number, or null where the fold had nothing to score.
SCORES = ("mae", "rmse", "mase", "naive_mae", "snaive_mae")
SCORE = Kind(lambda v: v is None or (isinstance(v, int | float) and not isinstance(v, bool)),
             "a number or null")
FOLD_NUMBER = Kind(lambda v: isinstance(v, int | str) and not isinstance(v, bool),
                   "a fold number")


def check_folds(meta: dict, where: Path) -> None:
    """Raise BundleError naming the first fold entry, or value in one, that info could
    not show (``metrics`` itself is checked to be an object first).

    Args:
        meta: the bundle's metadata.
        where: its ``bundle.json``, for the message.
    """
    folds = (meta.get("metrics") or {}).get("folds", MISSING)
    if folds is MISSING:  # bundles of --folds 0 hold an empty list; older ones none
        return
    check_kind(("metrics", "folds"), folds, LIST, True, where)
    for i, fold in enumerate(folds):
        at = ("metrics", f"folds[{i}]")
        check_kind(at, fold, OBJECT, True, where)
        check_kind((*at, "fold"), fold.get("fold", MISSING), FOLD_NUMBER, True, where)
        for key in ("val_start", "val_end"):
            check_kind((*at, key), fold.get(key, MISSING), TEXT, True, where)
        for key in SCORES:
            check_kind((*at, key), fold.get(key, MISSING), SCORE, False, where)
