"""The ``forecast`` command: a thin layer that builds settings and makes one library call.

Heavy packages (torch, pandas, numpy, scikit-learn) are imported inside the
commands, so that ``forecast --help`` answers at once. Each command lives in its
own module and registers itself on the shared ``app``.
"""

from __future__ import annotations

import os
import sys

from forecaster.cli import backtest, detect, manage, predict, train  # noqa: F401  (registers the commands)
from forecaster.cli.common import app, error_line, follow_log_format
from forecaster.cli.group import command_path
from forecaster.cli.hints import usage_hint
from forecaster.cli.origins import usage_origin
from forecaster.errors import EXIT_INTERRUPTED, EXIT_TERMINATED, EXIT_USAGE
from forecaster.ops.signals import Terminated, ignore_stop_signals, install_sigterm_handler

__all__ = ["app", "main"]


def thread_defaults() -> None:
    """One compute thread unless FORECAST_THREADS (or OMP_NUM_THREADS) asks for more.

    Set before torch is imported, which reads them once. At the tool's batch sizes a
    second thread barely speeds the recurrent kernels up, and on a busy machine
    OpenMP threads spinning at every barrier made training 10x slower
    (benchmarks/RESULTS-speed.md); passive waiting keeps more threads safe too.
    """
    raw = os.environ.get("FORECAST_THREADS")
    threads = (raw or "").strip()
    # Set but empty is refused too, as every FORECAST_* variable is: it meant the default.
    bad = raw is not None and not (threads.isdigit() and int(threads) >= 1)
    if bad and "--help" in sys.argv[1:]:
        bad = threads = ""  # help computes nothing, and must work while the variable is fixed
    if bad:
        # OpenMP would blame OMP_NUM_THREADS for it, then run on every core.
        error_line(f"FORECAST_THREADS={threads!r}: expected a whole number of threads from 1 "
                   "(the value came from environment variable FORECAST_THREADS: fix or "
                   "remove it there)")
        sys.exit(EXIT_USAGE)
    if threads:
        os.environ["OMP_NUM_THREADS"] = threads
    else:
        os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def main() -> None:
    """Console-script entry point."""
    thread_defaults()
    install_sigterm_handler()
    if sys.stderr is None:  # started with stderr closed (`2>&-`): messages go nowhere
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - open for the process's life
    try:
        code = app(standalone_mode=False)
        # The work is done (the bundle saved, the output replaced): a Ctrl-C from here on
        # would only break the interpreter's shutdown into a traceback from an atexit hook.
        ignore_stop_signals()
    except Exception as exc:
        # Usage errors from the option parser: one Error line, like our own errors.
        if not (hasattr(exc, "format_message") and hasattr(exc, "exit_code")):
            raise
        _usage_error(exc)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        error_line("interrupted")
        sys.exit(EXIT_INTERRUPTED)
    except Terminated:
        error_line("terminated")
        sys.exit(EXIT_TERMINATED)
    sys.exit(code if isinstance(code, int) else 0)


def _was_nan(exc: Exception) -> bool:
    """Whether typer's range check (pydantic) refused a NaN."""
    errors = getattr(exc.__cause__, "errors", None)
    try:
        return any(str(e.get("input")).strip().lower() == "nan" for e in errors())
    except Exception:  # noqa: BLE001 - another typer's error: keep its message as it is
        return False


def _usage_error(exc: Exception) -> None:
    """The parser's error as our one Error line (nothing for the help of a bare 'forecast')."""
    message = exc.format_message()
    if not message:
        return
    if type(exc).__name__ == "NoArgsIsHelpError":  # a bare 'forecast': its help, plainly
        sys.stderr.write(message.rstrip("\n") + "\n")
        return
    if _was_nan(exc):  # NaN fails every bound, and was told it should be <= the maximum
        message = message.split(": ")[0] + ": expected a number, not nan"
    ctx = getattr(exc, "ctx", None)
    # A mistyped command fails before the root command runs and reads --log-format.
    follow_log_format(ctx)
    hint = usage_hint(exc, message)
    error_line(f"{message}{hint}{usage_origin(exc)} (see '{command_path(ctx)} --help')")
