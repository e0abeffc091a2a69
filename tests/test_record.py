"""backward() walks the record of creation order instead of sorting: the same gradients as the
topological sort in every case where the root is not simply the last node made, graphs freed by
reference counting alone, and the fallback to topological_order where the record cannot be trusted."""

from __future__ import annotations

import gc
import random
import threading
from collections.abc import Callable, Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_engine import live_values

from micrograd_nptel import MLP, Value, cross_entropy, engine, topological_order


def sorted_grads(root: Value, leaves: list[Value]) -> list[float]:
    """∂root/∂leaf by the reference method: topological_order, reversed, as backward() did before the record."""
    order = topological_order(root)
    grads = {id(n): 0.0 for n in order}
    grads[id(root)] = 1.0
    for node in reversed(order):
        for p, local in zip(node.parents, node.local_grads):
            grads[id(p)] += local * grads[id(node)]
    return [grads.get(id(v), 0.0) for v in leaves]


def fresh_grads(root: Value, leaves: list[Value]) -> list[float]:
    for v in leaves:
        v.grad = 0.0
    root.backward()
    return [v.grad for v in leaves]


def uses_record(root: Value) -> bool:
    return root._segment not in (0, engine._BROKEN)


@pytest.fixture
def no_gc() -> Iterator[None]:
    """The cyclic GC paused (so only reference counting frees), and this thread's record starting afresh."""
    gc.collect()
    gc.disable()
    engine._records.record.start()
    try:
        yield
    finally:
        gc.enable()


def test_last_node_made_uses_the_record_and_agrees_with_the_sort() -> None:
    x, w = Value(0.3), Value(-1.2)
    L = ((x * w).tanh() + x * x).exp()
    assert uses_record(L)
    assert fresh_grads(L, [x, w]) == pytest.approx(sorted_grads(L, [x, w]), rel=1e-15)


def test_two_losses_unused_branches_and_an_intermediate_root() -> None:
    x, w = Value(0.7), Value(1.3)
    h = (x * w).sigmoid()
    unused = (h * 5.0).log()  # made after h, never below L1
    L1 = h * h
    L2 = (h + w).tanh()  # made after L1
    assert fresh_grads(L1, [x, w]) == pytest.approx(sorted_grads(L1, [x, w]), rel=1e-15)
    assert fresh_grads(L2, [x, w]) == pytest.approx(sorted_grads(L2, [x, w]), rel=1e-15)  # L2 was made before L1.backward()
    assert fresh_grads(h, [x, w]) == pytest.approx(sorted_grads(h, [x, w]), rel=1e-15)  # backward from an intermediate node
    assert fresh_grads(unused, [x, w]) == pytest.approx(sorted_grads(unused, [x, w]), rel=1e-15)
    L1.backward()
    assert unused.grad == 0.0  # made before L1 and not below it: ∂L1/∂unused = 0, not a stale value
    assert h.grad == pytest.approx(2 * h.data)


def test_a_graph_built_on_a_node_that_was_backpropagated_falls_back() -> None:
    """The notebook pattern: a.backward() to look, then build on a: the record of L lacks a, so backward sorts."""
    x = Value(2.0)
    a = x * x
    a.backward()
    assert x.grad == 4.0
    L = a * 3.0
    assert L._segment == engine._BROKEN
    x.grad = 0.0
    L.backward()
    assert x.grad == 12.0  # 3 · 2x


def test_graphs_built_interleaved() -> None:
    x, y = Value(0.5), Value(-0.4)
    g1, g2 = x, y
    for k in range(50):  # two graphs, one node of each in turn
        g1 = (g1 * 1.01 + x).tanh() if k % 2 else g1 * x
        g2 = (g2 - y * 0.5).sigmoid()
    for root in (g1, g2, g1):  # each backward ends a segment; the older roots still have their records
        assert fresh_grads(root, [x, y]) == pytest.approx(sorted_grads(root, [x, y]), rel=1e-12)


def test_repeated_backward_accumulates_into_leaves_only() -> None:
    x = Value(1.5)
    a = x.tanh()
    L = a * a
    L.backward()
    first = (x.grad, a.grad)
    L.backward()
    assert x.grad == pytest.approx(2 * first[0]) and a.grad == first[1]  # leaves accumulate, non-leaves hold the last pass


def test_a_graph_built_in_one_thread_and_backpropagated_in_another() -> None:
    x, w = Value(0.3), Value(0.9)
    made: dict[str, Value] = {}

    def build(name: str, scale: float) -> None:
        v = x
        for _ in range(200):
            v = (v * w + scale).tanh()
        made[name] = v

    threads = [threading.Thread(target=build, args=(f"t{i}", 0.1 * i)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for name in sorted(made):  # each thread recorded its own chain; this thread walks it
        assert uses_record(made[name])
        assert fresh_grads(made[name], [x, w]) == pytest.approx(sorted_grads(made[name], [x, w]), rel=1e-12)
    mixed = made["t0"] + made["t1"]  # reaches into other threads' records: falls back to the sort
    assert mixed._segment == engine._BROKEN
    assert fresh_grads(mixed, [x, w]) == pytest.approx(sorted_grads(mixed, [x, w]), rel=1e-12)


def test_a_graph_longer_than_a_segment_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "SEGMENT_NODES", 64)
    engine._records.record.start()
    x = Value(0.2)
    v = x
    for _ in range(200):  # crosses three segment boundaries
        v = (v * 1.001).sin()
    assert v._segment == engine._BROKEN
    assert fresh_grads(v, [x]) == pytest.approx(sorted_grads(v, [x]), rel=1e-12)
    engine._records.record.start()


def test_a_dropped_graph_is_freed_by_reference_counting_alone(no_gc: None) -> None:
    x = Value(0.5, label="x")
    before = live_values()
    y = x
    for _ in range(1000):
        y = (y * 1.01).tanh() + x
    y.backward()
    assert live_values() - before == 4000  # 1000 x (constant 1.01, *, tanh, +)
    del y
    assert live_values() == before  # the record holds nothing after backward()


def test_graphs_dropped_without_backward_are_freed_within_a_segment(no_gc: None) -> None:
    x = Value(0.5)
    before = live_values()
    first = (x * 2.0).tanh()
    del first  # still linked from the record: nodes made after it in its segment point back to it
    assert live_values() - before == 3  # the constant 2.0, x·2 and tanh
    for _ in range(engine.SEGMENT_NODES // 2):  # forward passes dropped at once, never backward(): 2 nodes and a constant each
        (x * 3.0).sin()
    assert live_values() - before == 3  # the record was cut at 2^17 nodes; only the last pass is still on it
    engine._records.record.start()  # as backward() does
    assert live_values() == before  # everything freed by reference counting alone


def test_training_steps_keep_no_old_graph_alive(no_gc: None) -> None:
    mlp = MLP(2, [4], 2, seed=0)
    before = live_values()
    for step in range(3):
        L = cross_entropy(mlp([0.1 * step, -0.5]), step % 2)
        mlp.zero_grad()
        L.backward()
    del L
    for layer in mlp.layers:  # the layers' caches hold the last forward pass, as documented
        layer.a, layer.h, layer.h_prev = [], [], []
    assert live_values() == before


def test_inputs_as_numbers_are_constants_and_values_are_tracked() -> None:
    mlp = MLP(3, [3], 2, seed=1)
    x = [1.0, 0.5, -1.5]
    L_const = cross_entropy(mlp(x), 1)
    first = mlp.layers[0].a[0]
    assert first.parents == (*mlp.layers[0].W[0], mlp.layers[0].b[0])  # W and b only: no node per input
    L_const.backward()
    g_const = [p.grad for p in mlp.parameters()]
    mlp.zero_grad()
    xs = [Value(v, label=f"x_{j + 1}") for j, v in enumerate(x)]
    L = cross_entropy(mlp(xs), 1)
    L.backward()
    assert [p.grad for p in mlp.parameters()] == pytest.approx(g_const, rel=1e-15)
    dL_dx = sorted_grads(L, xs)
    assert [v.grad for v in xs] == pytest.approx(dL_dx, rel=1e-12) and any(dL_dx)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10**6), n_ops=st.integers(1, 60), n_roots=st.integers(1, 4))
def test_random_graphs_and_roots_agree_with_the_sort(seed: int, n_ops: int, n_roots: int) -> None:
    """Random graphs, several roots made in any order, backward in a random order: always the sort's gradients."""
    rng = random.Random(seed)
    leaves = [Value(rng.uniform(0.5, 1.5)) for _ in range(3)]
    nodes: list[Value] = list(leaves)
    ops: list[Callable[[Value, Value], Value]] = [
        lambda a, b: a * b,
        lambda a, b: a + b,
        lambda a, b: (a - b).tanh(),
        lambda a, b: a.sigmoid() * 0.5,
        lambda a, b: Value.sum([a, b, a]),
    ]
    for _ in range(n_ops):
        nodes.append(rng.choice(ops)(rng.choice(nodes), rng.choice(nodes)))
    roots = [rng.choice(nodes[3:]) for _ in range(n_roots)] if n_ops else []
    for _ in range(2):
        rng.shuffle(roots)
        for root in roots:
            assert fresh_grads(root, leaves) == pytest.approx(sorted_grads(root, leaves), rel=1e-12, abs=1e-15)
