"""Values in a bundle's metadata that no ``forecast train`` writes, checked on load.

``bundle_schema`` checks each key's kind (a number, a list of strings). A value of the right
kind that training never writes passed it, and, with ``SHA256SUMS`` written again after the
edit, nothing else caught it: an anomaly threshold of 0 or -1 let the dynamic part flag the
series' noise, a scaler scale of 1e300 forecast -1e299, and a target renamed in one place of
``bundle.json`` only was an internal error (KeyError, exit 70). Each is now a damaged bundle
(exit 78) naming the key, the value and what train writes there.
"""

from __future__ import annotations

from pathlib import Path

from forecaster.bundle_schema import MISSING, lookup
from forecaster.errors import BundleError
from forecaster.limits import Choice, K, Number, Q, Rule

# Past float32's range (3.4e38), where the networks and the anomaly scores work. Training
# writes far less: the data loader refuses cells past 1e30, an anomaly scale no error
# reaches is 1e30, and so is a threshold that flags nothing.
LIMIT = 1e39
SCALE = Number(0.0, LIMIT, above=True)  # a spread: 1 for a constant channel, never 0
THRESHOLD = Number(0.0, LIMIT, above=True)  # at least 3 since the threshold floor
# Path -> what each value there may hold, a list checked value by value; "*" stands for
# every key of an object. Kinds are checked first (bundle_schema), so these are numbers.
RANGES: dict[tuple[str, ...], Rule] = {
    ("scalers", "*", "scale"): SCALE,
    **{("scalers", "*", k): Number(-LIMIT, LIMIT) for k in ("mean", "min", "max")},
    ("anomaly", "normalisation", "center"): Number(0.0, LIMIT),  # median of |errors|
    ("anomaly", "normalisation", "scale"): SCALE,  # robust sd of errors, floored at 0.1
    ("anomaly", "threshold", "value"): THRESHOLD,
    ("anomaly", "threshold", "all_rules", "*"): THRESHOLD,
    # The ranges train's settings take (TrainSettings' anomaly_q and anomaly_k).
    ("anomaly", "threshold", "q"): Number(*Q),
    ("anomaly", "threshold", "k"): Number(*K),
    ("anomaly", "method"): Choice(("reconstruction",)),
}
DAMAGED = "the bundle is damaged: retrain with 'forecast train'"


def check_values(meta: dict, where: Path) -> None:
    """Raise BundleError naming the first value that no training writes (after
    ``check_shape``, which makes sure of every key's kind).

    Args:
        meta: the bundle's metadata.
        where: its version directory, for the message.
    """
    for path, rule in RANGES.items():
        for found, node in lookup(meta, path):
            if node is MISSING:  # absent or optional: check_shape has judged it
                continue
            for name, value in _each(".".join(found), node):
                problem = rule.problem(value)
                if problem:
                    raise BundleError(f"{where}: bundle metadata '{name}' holds {value!r}, "
                                      f"{problem}; {DAMAGED}")
    _check_ranges(meta, where)
    _check_columns(meta, where)


def _each(name: str, node: object) -> list[tuple[str, object]]:
    if isinstance(node, list):
        return [(f"{name}[{i}]", v) for i, v in enumerate(node)]
    return [(name, node)]


def _check_ranges(meta: dict, where: Path) -> None:
    """Each channel's least training value is at most its greatest (the drift gate's range;
    one kept without the other is no range, and the gate goes by sd)."""
    for series, scaler in meta["scalers"].items():
        for i, (lo, hi) in enumerate(zip(scaler.get("min", []), scaler.get("max", []),
                                         strict=False)):
            if lo > hi:
                raise BundleError(f"{where}: bundle metadata 'scalers.{series}.min[{i}]' "
                                  f"holds {lo!r}, above 'scalers.{series}.max[{i}]' {hi!r}; "
                                  f"{DAMAGED}")


def _check_columns(meta: dict, where: Path) -> None:
    """The column names and counts that train writes from one list, alike everywhere: a
    target renamed in one place only read the file by one name and scaled it by another."""
    data = meta["data"]
    targets = data["targets"]
    if not targets:
        raise BundleError(f"{where}: bundle metadata 'data.targets' holds no name; {DAMAGED}")
    columns = targets + data["spec"].get("features", [])
    _same("data.spec.targets", data["spec"]["targets"], "data.targets", targets, where)
    _same("data.columns", data["columns"], "data.targets then data.spec.features", columns,
          where)
    anomaly = meta.get("anomaly") or {}
    if "columns" in anomaly.get("normalisation", {}):
        _same("anomaly.normalisation.columns", anomaly["normalisation"]["columns"],
              "data.columns", columns, where)
    counts = [("forecaster.config.n_targets", meta["forecaster"]["config"].get("n_targets"),
               "data.targets", targets),
              ("forecaster.config.n_channels", meta["forecaster"]["config"].get("n_channels"),
               "data.columns", columns),
              ("anomaly.config.n_channels", anomaly.get("config", {}).get("n_channels"),
               "data.columns", columns)]
    for name, count, other, names in counts:
        if count is not None and count != len(names):
            raise BundleError(f"{where}: bundle metadata '{name}' holds {count} for "
                              f"{len(names)} name(s) in '{other}'; {DAMAGED}")


def _same(name: str, held: list[str], other: str, wanted: list[str], where: Path) -> None:
    """Raise BundleError naming the first place where ``held`` differs from ``wanted``."""
    if held == wanted:
        return
    if len(held) != len(wanted):
        raise BundleError(f"{where}: bundle metadata '{name}' holds {len(held)} name(s) "
                          f"where '{other}' holds {len(wanted)}; {DAMAGED}")
    i = next(i for i, (a, b) in enumerate(zip(held, wanted, strict=True)) if a != b)
    raise BundleError(f"{where}: bundle metadata '{name}[{i}]' holds {held[i]!r} where "
                      f"'{other}' gives {wanted[i]!r}; {DAMAGED}")
