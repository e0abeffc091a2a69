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


def test_count_paths_and_walk_paths_work_on_any_graph() -> None:
    """The one counter and enumerator, on a graph of names (as the network picture uses them): a diamond with a
    doubled edge, z -> {p, q}, p -> x twice (slots 0 and 1), q -> x; three paths from z down to x."""
    from micrograd_nptel.paths import count_paths, walk_paths

    edges = {"z": [("p", 0, 2.0), ("q", 1, 3.0)], "p": [("x", 0, 5.0), ("x", 1, 7.0)], "q": [("x", 0, 11.0)], "x": []}
    count = count_paths(["x", "p", "q", "z", "w"], "x", lambda n: [m for m, _, _ in edges.get(n, [])])
    assert count == {"x": 1, "p": 2, "q": 1, "z": 3, "w": 0}
    paths = list(walk_paths("z", "x", lambda n: edges[n]))
    assert paths == [
        (("x", "p", "z"), (5.0, 2.0), (0, 0)),
        (("x", "p", "z"), (7.0, 2.0), (1, 0)),
        (("x", "q", "z"), (11.0, 3.0), (0, 1)),
    ]
    assert sum(a * b for _, (a, b), _ in paths) == 5 * 2 + 7 * 2 + 11 * 3  # Module 4.6: the sum over the paths
    x = Value(0.5, label="x")
    z = x * x + x.sin()
    z.backward()
    assert sum(p.product for p in chain_rule_paths(z, x)) == pytest.approx(x.grad, rel=1e-15)
