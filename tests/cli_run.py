"""Running the command line in a subprocess, and reading its one-line failures (shared by the test files)."""

from __future__ import annotations

import subprocess
import sys


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m micrograd_nptel ARGS`` in a subprocess: its status, stdout and stderr as text."""
    return subprocess.run([sys.executable, "-m", "micrograd_nptel", *args], capture_output=True, text=True, timeout=300, env=env)


def one_line(result: subprocess.CompletedProcess[str], code: int) -> str:
    """The single stderr line of a run that exited with ``code`` (asserted: one line, no traceback)."""
    assert result.returncode == code, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]
