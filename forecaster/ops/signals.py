"""SIGTERM stops as cleanly as Ctrl-C: the same unwinding, no half-written files."""

from __future__ import annotations

import signal
from types import FrameType


class Terminated(BaseException):  # noqa: N818 - mirrors KeyboardInterrupt
    """Raised in the main thread when SIGTERM arrives."""


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated()


def install_sigterm_handler() -> None:
    """Turn SIGTERM into ``Terminated`` so ``finally`` blocks and temp-file cleanup run."""
    signal.signal(signal.SIGTERM, _raise_terminated)


def ignore_stop_signals() -> None:
    """Ignore SIGINT and SIGTERM: for the moments after the work is done and committed."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
