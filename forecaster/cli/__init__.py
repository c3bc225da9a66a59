"""The ``forecast`` command: a thin layer that builds settings and makes one library call.

Heavy packages (torch, pandas, numpy, scikit-learn) are imported inside the
commands, so that ``forecast --help`` answers at once. Each command lives in its
own module and registers itself on the shared ``app``.
"""

from __future__ import annotations

import os
import sys

from forecaster.cli import backtest, detect, manage, predict, train  # noqa: F401  (registers the commands)
from forecaster.cli.common import app, error_line, usage_origin
from forecaster.errors import EXIT_INTERRUPTED, EXIT_TERMINATED
from forecaster.ops.signals import Terminated, ignore_stop_signals, install_sigterm_handler

__all__ = ["app", "main"]


def thread_defaults() -> None:
    """One compute thread unless FORECAST_THREADS (or OMP_NUM_THREADS) asks for more.

    Set before torch is imported, which reads them once. At the tool's batch sizes a
    second thread barely speeds the recurrent kernels up, and on a busy machine
    OpenMP threads spinning at every barrier made training 10x slower
    (benchmarks/RESULTS-speed.md); passive waiting keeps more threads safe too.
    """
    threads = os.environ.get("FORECAST_THREADS", "").strip()
    if threads:
        os.environ["OMP_NUM_THREADS"] = threads
    else:
        os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def main() -> None:
    """Console-script entry point."""
    thread_defaults()
    install_sigterm_handler()
    try:
        code = app(standalone_mode=False)
        # The work is done (the bundle saved, the output replaced): a Ctrl-C from here on
        # would only break the interpreter's shutdown into a traceback from an atexit hook.
        ignore_stop_signals()
    except Exception as exc:
        # Usage errors from the option parser: one Error line, like our own errors.
        if not (hasattr(exc, "format_message") and hasattr(exc, "exit_code")):
            raise
        if exc.format_message():  # empty when the help was shown for a bare 'forecast'
            where = getattr(getattr(exc, "ctx", None), "command_path", None) or "forecast"
            error_line(f"{exc.format_message()}{usage_origin(exc)} (see '{where} --help')")
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.stderr.write("Error: interrupted\n")
        sys.exit(EXIT_INTERRUPTED)
    except Terminated:
        sys.stderr.write("Error: terminated\n")
        sys.exit(EXIT_TERMINATED)
    sys.exit(code if isinstance(code, int) else 0)
