"""Writing tables as CSV or JSON, to stdout or atomically to a file."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import pandas as pd

from forecaster.errors import ConfigError, OutputError

FORMATS = ("csv", "json")


def render(df: pd.DataFrame, fmt: str) -> str:
    """The table as CSV or as a JSON list of records (timestamps in ISO 8601)."""
    df = df.copy()
    for col in df.columns:
        if isinstance(df[col].dtype, pd.DatetimeTZDtype):
            df[col] = df[col].map(lambda t: t.isoformat())
    if fmt == "csv":
        return df.to_csv(index=False, float_format="%.6g", lineterminator="\n")
    if fmt == "json":
        records = json.loads(df.to_json(orient="records", double_precision=10))
        return json.dumps(records, indent=1) + "\n"
    raise ConfigError(f"--format {fmt}: expected one of {', '.join(FORMATS)}")


def check_output_path(output: Path, forbidden_files: list[Path],
                      forbidden_dirs: list[Path]) -> None:
    """Refuse to write over an input or inside the model bundle."""
    target = output.resolve()
    for f in forbidden_files:
        if target == Path(f).resolve():
            raise OutputError(f"--output {output}: that is the input file; choose another path")
    for d in forbidden_dirs:
        if target.is_relative_to(Path(d).resolve()):
            raise OutputError(f"--output {output}: inside the model directory {d}; choose "
                              "another path")


def write_output(text: str, output: Path | None) -> None:
    """Print to stdout, or write ``output`` atomically (temp file, then rename)."""
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    atomic_write_text(output, text)


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old file or the whole new one."""
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
    except OSError as exc:
        raise OutputError(f"{path}: cannot write ({exc.strerror}); check the folder exists "
                          "and is writable") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot write ({exc.strerror}); check space and "
                          "permissions") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
