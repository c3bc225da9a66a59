"""Messages, progress and tables for people, always on stderr (stdout carries data)."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from functools import cached_property
from typing import TYPE_CHECKING

from forecaster.data.cells import printable

if TYPE_CHECKING:  # rich is imported on first use
    from rich.console import Console


class Reporter:
    """Talks to the person running the command; every line goes to stderr with a UTC time.

    Args:
        quiet: only warnings and errors.
        verbose: also detail lines.
        log_format: "text" lines, or one JSON object per line for log shippers.
        tty: draw progress bars; defaults to whether stderr is a terminal, so that
            cron logs get one plain line per fit instead (per epoch with --verbose).
    """

    def __init__(self, quiet: bool = False, verbose: bool = False, log_format: str = "text",
                 tty: bool | None = None) -> None:
        self.quiet = quiet
        self.verbose = verbose and not quiet
        self.json = log_format == "json"
        self.tty = (_live_terminal() if tty is None else tty) and not self.json
        self._force = self.tty if tty is not None else None
        self._said: set[str] = set()  # keys of warn_once

    @cached_property
    def console(self) -> Console:
        """The rich console, made (and rich imported) on first use: a quiet cron run
        never pays for it."""
        from rich.console import Console

        # Logs are not terminals: give tables room instead of rich's 80-column default.
        console = Console(stderr=True, highlight=False, soft_wrap=True,
                          width=None if self.tty else 132, force_terminal=self._force)
        console.on_broken_pipe = _log_gone(console)
        return console

    def _line(self, level: str, message: str) -> None:
        # A series name or cell from the file may hold a NUL or a line end: one line of
        # text in the log, as error lines are.
        message = printable(message)
        with unwritable_log():
            if self.json:
                json_line(level, message)
                return
            prefix = "Warning: " if level == "warning" else ""
            self.console.print(f"{_stamp()} {prefix}{message}", markup=False)

    def note(self, message: str) -> None:
        """An informational line."""
        if not self.quiet:
            self._line("info", message)

    def detail(self, message: str) -> None:
        """A line shown only with --verbose."""
        if self.verbose:
            self._line("debug", message)

    def warn(self, message: str) -> None:
        """A warning line; shown even when quiet."""
        self._line("warning", message)

    def warn_once(self, key: str, message: str) -> None:
        """A warning shown for the first of many alike (one per refit of a long backtest)."""
        if key not in self._said:
            self._said.add(key)
            self.warn(message)

    def table(self, title: str, columns: list[str], rows: list[list[str]]) -> None:
        """A rich table."""
        if self.quiet:
            return
        if self.json:
            with unwritable_log():
                json_line("info", title, table=title, columns=columns, rows=rows)
            return
        from rich.table import Table

        table = Table(title=title, title_justify="left")
        for i, col in enumerate(columns):
            table.add_column(col, justify="left" if i == 0 else "right")
        for row in rows:
            table.add_row(*row)
        with unwritable_log():  # only the write: a bug building the table still shows
            self.console.print(table)

    @contextmanager
    def epochs(self, label: str, total: int) -> Iterator[Callable[[int, float, float], None]]:
        """A hook to call after each epoch: a bar on a terminal, else a plain line."""
        if self.quiet:
            yield lambda e, t, v: None
            return
        if not self.tty:
            yield from self._logged_epochs(label, total)
            return
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        cols = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[msg]}"),
                TimeElapsedColumn())
        with Progress(*cols, console=self.console, transient=True) as bar:
            task = bar.add_task(label, total=total, msg="")
            yield lambda e, t, v: bar.update(task, completed=e, msg=_losses(t, v))


    def _logged_epochs(self, label: str, total: int) -> Iterator[Callable]:
        """Epochs in a log: one line per fit when it ends (each epoch's with --verbose).

        A nightly train runs dozens of fits of up to 30 epochs each: a line per epoch
        buried the few lines of a cron log anyone reads (warnings, the fold table).
        """
        seen: dict[str, float] = {}

        def hook(e: int, t: float, v: float) -> None:
            self.detail(f"{label}: epoch {e}/{total} train loss {t:.5f}"
                        + (f" validation loss {v:.5f}" if v == v else ""))
            if v == v and not v >= seen.get("best", float("inf")):
                seen.update(best=v, at=e)
            seen.update(epochs=e, train=t)

        yield hook
        if seen and not self.verbose:
            best = (f", best validation loss {seen['best']:.5f} at epoch {int(seen['at'])}"
                    if "best" in seen else "")
            self.note(f"{label}: {int(seen['epochs'])} epoch(s), last train loss "
                      f"{seen['train']:.5f}{best}")


def _live_terminal() -> bool:
    """Whether stderr is a terminal that can redraw a bar: TERM=dumb (an editor's shell,
    a serial console) cannot, and rich drew neither bars nor the per-fit lines there."""
    return sys.stderr.isatty() and os.environ.get("TERM", "").lower() not in ("dumb",
                                                                             "unknown")


def _log_gone(console: Console) -> Callable[[], None]:
    """What a console does when its reader has gone (``2>&1 | head``, a closed log pipe).

    rich's own handler points file descriptor 1, our data, at /dev/null and exits 1, which
    the cron recipe reads as "anomalies": instead the log goes quiet and the error reaches
    ``unwritable_log``, so the output and the exit code are those of the run.
    """
    def on_broken_pipe() -> None:
        console.quiet = True
        raise BrokenPipeError("the log's reader has gone")

    return on_broken_pipe


def unwritable_log() -> suppress:
    """A context that drops a message stderr cannot take (a full disk): a run's outcome
    and exit code must not depend on its log (exit 1 would read as "anomalies")."""
    return suppress(OSError, ValueError)  # ValueError: a file closed under us


def _stamp() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def json_line(level: str, message: str, **fields: object) -> None:
    """One JSON object on stderr, for --log-format json.

    Every line a log shipper reads, errors and tables included, has the same ``ts``,
    ``level`` and ``msg`` (a table's msg is its title).

    Args:
        level: "debug", "info", "warning" or "error".
        message: the ``msg`` field.
        **fields: further fields (a table's ``table``, ``columns`` and ``rows``).
    """
    line = {"ts": _stamp(), "level": level, "msg": message, **fields}
    sys.stderr.write(json.dumps(line) + "\n")
    sys.stderr.flush()


def _losses(train: float, val: float) -> str:
    # A fit without a validation part reports NaN there: show only what exists.
    return f"train {train:.4f}" + (f" val {val:.4f}" if val == val else "")
