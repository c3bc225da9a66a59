"""Rolling forward-chaining folds: each fold trains on the past and validates on a later block."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Fold:
    """Positions on the time grid, half-open ``[lo, hi)``.

    Attributes:
        train_lo: first training step.
        train_hi: end of the training part; nothing at or after it is fitted on.
        val_lo: first validated step (``train_hi + gap``).
        val_hi: end of the validated block.
    """

    train_lo: int
    train_hi: int
    val_lo: int
    val_hi: int


def make_folds(n_steps: int, n_folds: int, val_size: int, gap: int,
               kind: str = "expanding", train_size: int | None = None) -> list[Fold]:
    """Forward-chaining folds whose validation blocks tile the end of the series.

    Args:
        n_steps: length of the time grid.
        n_folds: number of folds.
        val_size: steps in each validation block.
        gap: steps between a training part's end and its validation block.
        kind: "expanding" (train from the start) or "sliding" (fixed length).
        train_size: training length for "sliding"; defaults to the first fold's.

    Returns:
        Folds in time order, the last one ending at ``n_steps``.
    """
    folds = []
    for k in range(n_folds):
        val_hi = n_steps - (n_folds - 1 - k) * val_size
        val_lo = val_hi - val_size
        train_hi = val_lo - gap
        folds.append([0, train_hi, val_lo, val_hi])
    if kind == "sliding":
        size = train_size or folds[0][1]
        for f in folds:
            f[0] = max(0, f[1] - size)
    return [Fold(*f) for f in folds]
