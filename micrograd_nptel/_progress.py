"""Progress bars (tqdm) that suit both a terminal and a log file, and leave tqdm's environment variables working."""

from __future__ import annotations

import os
import sys
from typing import Any


def bar_options(quiet: bool = False) -> dict[str, Any]:
    """tqdm's keyword arguments for a progress bar on stderr.

    Off when ``quiet``; on a terminal, as wide as the window; on a non-terminal (``2> log``), an update at
    most every 30 s instead of every 0.1 s, so a log gets a few lines, not hundreds of ``\\r`` updates. An
    option that one of tqdm's environment variables sets (``TQDM_DISABLE=1``, ``TQDM_MININTERVAL=5``) is
    left out, since an argument passed to tqdm would override the variable.

    Args:
        quiet: no bar at all (``--quiet``).

    Returns:
        The keyword arguments for ``tqdm(...)``.
    """
    if quiet:
        return {"disable": True}
    isatty = getattr(sys.stderr, "isatty", None)
    options: dict[str, Any] = {"dynamic_ncols": True} if isatty is not None and isatty() else {"mininterval": 30.0}
    return {key: value for key, value in options.items() if f"TQDM_{key.upper()}" not in os.environ}
