"""Chain-rule paths: wrong types are TypeErrors, and a long chain is found in linear time."""

from __future__ import annotations

import time

import pytest

from micrograd_nptel import Value, chain_rule_paths


def test_chain_rule_paths_type_errors_and_linear_time() -> None:
    with pytest.raises(TypeError, match="chain_rule_paths needs wrt to be a Value"):
        chain_rule_paths(Value(1.0) * 2, 2.0)  # type: ignore[arg-type]
    x = Value(0.5, label="x")
    y = x
    for _ in range(40_000):
        y = y.sin()
    start = time.perf_counter()
    (path,) = chain_rule_paths(y, x)
    assert len(path.nodes) == 40_001 and time.perf_counter() - start < 5.0  # a hang guard: 6.9 s before (quadratic); 0.13 s measured
