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
