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


def test_regimes_set_the_collector_and_matched_collects_once_a_step(monkeypatch: pytest.MonkeyPatch) -> None:
    import gc

    bench = load_bench()
    collected = []
    try:
        bench.enter_regime("users")
        assert gc.isenabled() and bench.per_step(len) is len
        bench.enter_regime("engines")
        assert not gc.isenabled() and bench.per_step(len) is len
        bench.enter_regime("matched")
        assert not gc.isenabled()
        monkeypatch.setattr(gc, "collect", lambda *a: collected.append(1) or 0)
        bench.timed(lambda: 1.0, 5)
        assert len(collected) == 6  # the warm-up and 5 timed steps, one collection each
    finally:
        monkeypatch.undo()
        gc.enable()
        bench.REGIME = "engines"
    with pytest.raises(ValueError, match="unknown regime"):
        bench.enter_regime("sometimes")


def test_a_students_loop_trains_alike_with_the_collector_on_paused_and_off(monkeypatch: pytest.MonkeyPatch) -> None:
    import gc

    bench = load_bench()
    monkeypatch.setattr(bench, "LOOP_STEPS", 2)
    try:
        losses = {how: bench.student_loop(how, mlp_class=True)["loss"] for how in ("on", "paused", "off")}
    finally:
        gc.enable()
    assert losses["on"] == losses["paused"] == losses["off"], losses


def test_the_digits_step_as_fit_trains_agrees_with_its_floor() -> None:
    bench = load_bench()
    assert bench.case_digits_mlp(5)["loss"] == pytest.approx(bench.case_digits_floor(5)["loss"], rel=1e-12)
