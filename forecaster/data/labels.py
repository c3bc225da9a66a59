"""Columns of anomaly labels beside the values: Yahoo S5's ``is_anomaly``, SKAB's
``anomaly`` and ``changepoint``.

A label is the answer a detector is scored against: as a target or an input it shows the
model the answer, so it is left out of the columns chosen by default, and named in a
warning where an option chooses it. Kept free of the other data modules: ``columns``
imports it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from forecaster.data.cells import is_na_word
from forecaster.data.spec import DataSpec

# Names of label columns in the anomaly benchmarks (Yahoo S5, SKAB, NAB exports, SWaT's
# attack), compared without case, '_', '-' or spaces. Kept short: a name alone is not
# enough, the cells must be flags too, so Yahoo A4's trend and noise stay values.
LABEL_NAMES = frozenset({
    "anomaly", "anomalies", "isanomaly", "label", "labels", "isoutlier", "outlier",
    "changepoint", "fault", "isfault", "attack", "targetlabel",
})
_FLAGS = frozenset({"true", "false"})


def is_label(col: pd.Series) -> bool:
    """Whether a column is 0/1 labels: a label's name, and cells only 0 and 1 (1.0, as
    SKAB writes them) or true and false, empty cells allowed.

    Args:
        col: the column's cells, as text, named as in the header.

    Returns:
        True for a label column.
    """
    if re.sub(r"[\s_-]", "", str(col.name).lower()) not in LABEL_NAMES:
        return False
    cells = col.str.strip().str.lower()
    cells = cells[(cells != "") & ~cells.isin(_FLAGS) & ~is_na_word(cells)]
    return bool(pd.to_numeric(cells, errors="coerce").isin([0, 1]).all()) and (
        col.str.strip() != "").any()


def label_columns(raw: pd.DataFrame, names: list[str]) -> list[str]:
    """The label columns among ``names``, in order."""
    return [n for n in names if is_label(raw[n])]


def label_notes(raw: pd.DataFrame, spec: DataSpec, path: Path,
                detected: bool) -> tuple[list[str], list[str]]:
    """The notes and the warnings on label columns, once every role is known.

    Args:
        raw: the file's cells, as text.
        spec: the roles, resolved.
        path: the file, for messages.
        detected: whether the targets were chosen by default (or by --target all), which
            passed over the labels; else --target named them.

    Returns:
        A note naming the labels passed over, where the targets were detected; and a
        warning for each label that --target or --features chose.
    """
    used = spec.named
    notes = _left_out_note(path, label_columns(raw, [c for c in raw.columns if c not in used]))
    targets = [] if detected else spec.targets
    return notes if detected else [], chosen_label_warnings(raw, targets, spec.features, path)


def _left_out_note(path: Path, labels: list[str]) -> list[str]:
    # Said where the targets were chosen by default: 'value' was forecast, and why not
    # is_anomaly, the other numeric column.
    if not labels:
        return []
    names = ", ".join(labels)
    they = "they" if len(labels) > 1 else "it"
    return [f"{path.name}: left out {names}: 0/1 labels, not a value to forecast or an "
            f"input; {they} would show the model the answer"]


def chosen_label_warnings(raw: pd.DataFrame, targets: list[str], features: list[str],
                          path: Path) -> list[str]:
    """Warnings for label columns that --target or --features chose: not refused (the
    user may know better, a flag known ahead such as a planned outage), but said.

    Args:
        raw: the file's cells, as text.
        targets: the target columns as given.
        features: the feature columns as given.
        path: the file, for the warning.

    Returns:
        One warning per label column chosen.
    """
    roles = [("--target", n) for n in targets] + [("--features", n) for n in features]
    return [f"{path.name}: {option} {name}: the column looks like 0/1 anomaly labels "
            "(its name, and cells only 0 and 1); as a "
            f"{'target' if option == '--target' else 'feature'} it lets the model see the "
            "answer: leave it out unless it is known ahead of the values"
            for option, name in roles if name in raw.columns and is_label(raw[name])]
