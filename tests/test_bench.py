"""The benchmark's implementations compute the same thing (no timing is asserted here).

benchmarks/bench.py times five implementations of one training step; this checks that the
hand-written floor, numpy's matrix formulas and both ways of using our engine agree on the
loss, so the table compares like with like. micrograd itself is a benchmark-only extra.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "bench.py"


def load_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench"] = module
    spec.loader.exec_module(module)
    return module


def test_implementations_agree_on_the_loss() -> None:
    bench = load_bench()
    losses = {name: bench.CASES[name](5)["loss"] for name in ("ours-scalar", "ours-mlp", "floor", "numpy")}
    reference = losses["floor"]
    assert all(loss == pytest.approx(reference, rel=1e-12) for loss in losses.values()), losses


def test_memory_case_reports_a_freed_graph() -> None:
    result = load_bench().case_memory("ours")
    assert result["freed_without_gc"] is True and 0 < result["bytes_unary"] < result["bytes_binary"]
