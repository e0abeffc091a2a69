"""``train --plot``'s pictures leave matplotlib's global state (backend, rcParams, pyplot figures) alone."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("matplotlib")


def test_plots_leave_backend_rcparams_and_pyplot_alone(tmp_path: Path) -> None:
    code = f"""
import matplotlib
matplotlib.use("svg")  # a notebook's inline backend, say
import matplotlib.pyplot as plt
before = (matplotlib.get_backend(), dict(matplotlib.rcParams), plt.get_fignums())
from micrograd_nptel import plots
from micrograd_nptel.training import EpochStats
plots.plot_training([EpochStats(1, 0.5, 0.5, 0.1)], [0.6], {str(tmp_path)!r})
plots.plot_confusion_matrix([[3, 1], [0, 4]], ["a", "b"], {str(tmp_path)!r})
after = (matplotlib.get_backend(), dict(matplotlib.rcParams), plt.get_fignums())
assert before == after, [k for k in before[1] if before[1][k] != after[1].get(k)] or (before[0], after[0], after[2])
print("ok")
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr
    assert (tmp_path / "training.png").read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "confusion_matrix.png").read_bytes()[:4] == b"\x89PNG"


def test_plots_source_never_calls_matplotlib_use_or_sets_rcparams() -> None:
    import micrograd_nptel.plots as plots

    source = Path(plots.__file__).read_text(encoding="utf-8")
    assert "matplotlib.use(" not in source and "rcParams.update" not in source and "import matplotlib.pyplot" not in source
