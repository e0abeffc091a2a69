"""backward()'s contract: it sets .grad on exactly the nodes below the root, its result depends only on
that graph (not on what was built before, after or in other threads), any parameter may be a non-leaf,
nothing keeps a dropped graph alive, and copies and pickles keep shared nodes shared. Also the PyTorch
habits a student brings: comparisons, float/item, bool, detach, Value.from_op, 0 ** 2.5."""

from __future__ import annotations

import copy
import gc
import math
import pickle
import random
import threading
from collections.abc import Callable, Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_engine import live_values

from micrograd_nptel import MLP, Value, cross_entropy, squared_error, topological_order
from micrograd_nptel.engine import _reached, nodes_below
from micrograd_nptel.training import gc_paused


def sorted_grads(root: Value, leaves: list[Value]) -> list[float]:
    """∂root/∂leaf by the reference method: the lecture's topological sort, reversed, with a dict of gradients."""
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


@pytest.fixture
def no_gc() -> Iterator[None]:
    """The cyclic GC paused, so that only reference counting frees."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


# ---------------------------------------------------------------- non-leaf and tied parameters
def test_a_non_leaf_weight_gets_its_gradient() -> None:
    mlp = MLP(2, [3], 2)
    w = mlp.layers[0].W[0][0]
    mlp.layers[0].W[0][0] = w * 1.0  # reparametrised: the layer now holds a non-leaf
    mlp.predict([0.5, -0.5])
    cross_entropy(mlp([1.0, 2.0]), 0).backward()
    assert w.grad == pytest.approx(-0.024413733213815902, rel=1e-12)
    reference = MLP(2, [3], 2)
    cross_entropy(reference([1.0, 2.0]), 0).backward()
    assert w.grad == pytest.approx(reference.layers[0].W[0][0].grad, rel=1e-15)


def test_in_place_add_on_a_parameter_keeps_the_gradient_right() -> None:
    mlp = MLP(2, [2], 2, seed=3)
    old = mlp.layers[0].W[0][0]
    mlp.layers[0].W[0][0] += 0.1  # a non-leaf W + 0.1 (updates belong in .data or an optimizer)
    L = cross_entropy(mlp([0.3, -0.7]), 1)
    L.backward()
    assert old.grad == pytest.approx(sorted_grads(L, [old])[0], rel=1e-12) and old.grad != 0.0


def tied_losses(steps: int) -> list[float]:
    mlp = MLP(2, [2], 2, seed=5)
    w = mlp.layers[0].W[0][0]
    mlp.layers[1].W[0][0] = w * 2  # W_{2,1,1} = 2 W_{1,1,1}: tied
    params = [p for p in mlp.parameters() if p.is_leaf]
    losses = []
    for step in range(steps):
        x = [Value(0.4), Value(-1.1)]
        for p in params:
            p.grad = 0.0
        L = cross_entropy(mlp(x), step % 2)
        L.backward()
        losses.append(L.data)
        for p in params:
            p.data -= 0.5 * p.grad
        mlp.layers[1].W[0][0] = w * 2  # made again from the updated leaf
    return losses


def test_tied_weights_train_as_pytorch_does() -> None:
    torch = pytest.importorskip("torch")
    ours = tied_losses(5)
    mlp = MLP(2, [2], 2, seed=5)
    W1 = torch.tensor([[p.data for p in row] for row in mlp.layers[0].W], dtype=torch.float64, requires_grad=True)
    W2 = torch.tensor([[p.data for p in row] for row in mlp.layers[1].W], dtype=torch.float64, requires_grad=True)
    b1 = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    b2 = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    theirs = []
    for step in range(5):
        mask = torch.zeros(2, 2, dtype=torch.float64)
        mask[0, 0] = 1.0
        W2_tied = W2 * (1 - mask) + 2 * W1[0, 0] * mask
        x = torch.tensor([0.4, -1.1], dtype=torch.float64)
        a2 = b2 + W2_tied @ torch.sigmoid(b1 + W1 @ x)
        L = torch.nn.functional.cross_entropy(a2[None], torch.tensor([step % 2]))
        for p in (W1, W2, b1, b2):
            p.grad = None
        L.backward()
        theirs.append(L.item())
        with torch.no_grad():
            for p in (W1, W2, b1, b2):
                p -= 0.5 * p.grad
    assert ours == pytest.approx(theirs, rel=1e-12)


def test_tied_weights_agree_with_the_sort() -> None:
    mlp = MLP(2, [2], 2, seed=5)
    w = mlp.layers[0].W[0][0]
    mlp.layers[1].W[0][0] = w * 2
    x = [Value(0.4), Value(-1.1)]
    L = cross_entropy(mlp(x), 1)
    leaves = [p for p in mlp.parameters() if p.is_leaf] + x
    assert fresh_grads(L, leaves) == pytest.approx(sorted_grads(L, leaves), rel=1e-12)


def test_an_optimizer_refuses_a_non_leaf_as_pytorch_does() -> None:
    from micrograd_nptel import SGD

    mlp = MLP(2, [3], 2, seed=1)
    mlp.layers[0].W[0][0] += 0.1  # the entry is now the node W + 0.1
    with pytest.raises(ValueError, match=r"parameters\[0\].*not a leaf.*\.data"):
        SGD(mlp.parameters(), lr=0.1)
    torch = pytest.importorskip("torch")
    w = torch.tensor(1.0, requires_grad=True)
    with pytest.raises(ValueError, match="non-leaf"):
        torch.optim.SGD([w * 1.0], lr=0.1)


def test_weights_tied_by_sharing_a_leaf_are_listed_once_and_get_the_sum_of_both_uses() -> None:
    import warnings

    from micrograd_nptel import SGD

    mlp = MLP(2, [2], 2, seed=5)
    w = mlp.layers[0].W[0][0]
    mlp.layers[1].W[0][0] = w  # one leaf in two places, as PyTorch ties a Parameter
    params = mlp.parameters()
    assert len(params) == 11 and sum(p is w for p in params) == 1
    x = [Value(0.4), Value(-1.1)]
    L = cross_entropy(mlp(x), 1)
    assert fresh_grads(L, [w]) == pytest.approx(sorted_grads(L, [w]), rel=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "listed twice" warning: parameters() lists it once
        SGD(params, lr=0.5).step()


def shared_leaf_losses(optimizer: str, steps: int) -> tuple[list[float], MLP]:
    """Issue 34, item 3: W_{2,2,3} tied to W_{1,3,2} by one Value in both places, trained by an optimizer over parameters()."""
    from micrograd_nptel import SGD, Adam

    mlp = MLP(2, [3], 2, seed=7)
    mlp.layers[1].W[1][2] = mlp.layers[0].W[2][1]  # one leaf in two places, as PyTorch shares a Parameter
    opt = SGD(mlp.parameters(), lr=0.5) if optimizer == "sgd" else Adam(mlp.parameters(), lr=0.05, eps=0.0)
    losses = []
    for step in range(steps):
        opt.zero_grad()
        L = cross_entropy(mlp([0.4, -1.1] if step % 2 else [-0.3, 0.8]), step % 2)
        L.backward()
        losses.append(L.data)
        opt.step()
    return losses, mlp


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_weights_tied_by_sharing_a_value_train_as_a_shared_pytorch_parameter(optimizer: str) -> None:
    torch = pytest.importorskip("torch")
    ours, trained = shared_leaf_losses(optimizer, 20)
    start = MLP(2, [3], 2, seed=7)
    f64 = torch.float64
    W1 = torch.tensor([[p.data for p in row] for row in start.layers[0].W], dtype=f64, requires_grad=True)
    W2 = torch.tensor([[p.data for p in row] for row in start.layers[1].W], dtype=f64, requires_grad=True)
    b1, b2 = torch.zeros(3, dtype=f64, requires_grad=True), torch.zeros(2, dtype=f64, requires_grad=True)
    t = torch.tensor(start.layers[0].W[2][1].data, dtype=f64, requires_grad=True)  # the one shared Parameter
    M1, M2 = torch.zeros(3, 2, dtype=torch.bool), torch.zeros(2, 3, dtype=torch.bool)
    M1[2, 1] = M2[1, 2] = True
    params = [W1, W2, b1, b2, t]
    opt = torch.optim.SGD(params, lr=0.5) if optimizer == "sgd" else torch.optim.Adam(params, lr=0.05, eps=0.0)
    theirs = []
    for step in range(20):
        opt.zero_grad()
        x = torch.tensor([0.4, -1.1] if step % 2 else [-0.3, 0.8], dtype=f64)
        h = torch.sigmoid(b1 + torch.where(M1, t, W1) @ x)  # W1's own entry there is unused (Adam with ε = 0 makes it NaN)
        a = b2 + torch.where(M2, t, W2) @ h
        L = torch.nn.functional.cross_entropy(a[None], torch.tensor([step % 2]))
        L.backward()
        theirs.append(L.item())
        opt.step()
    assert ours == pytest.approx(theirs, rel=1e-12)
    assert ours[-1] != pytest.approx(ours[0], rel=1e-3)  # it trained
    assert trained.layers[1].W[1][2] is trained.layers[0].W[2][1]
    assert trained.layers[0].W[2][1].data == pytest.approx(t.item(), rel=1e-12)  # stepped once a step, with the sum of both uses


def test_a_computed_weight_in_a_parameter_slot_is_refused_with_what_it_does() -> None:
    from micrograd_nptel import SGD

    mlp = MLP(2, [2], 2, seed=5)
    w = mlp.layers[0].W[0][0]
    mlp.layers[1].W[0][0] = w * 2  # a non-leaf: its data is computed once, here
    refused = r"parameters\[4\] .* is not a leaf.*its data is the value it was made with.*same Value in both places"
    with pytest.raises(ValueError, match=refused):
        SGD(mlp.parameters(), lr=0.1)
    w.data += 1.0
    assert mlp.layers[1].W[0][0].data == 2 * (w.data - 1.0)  # stepping the leaf leaves the computed entry as it was


# ---------------------------------------------------------------- the result depends only on the graph
def test_a_graph_made_before_or_after_does_not_change_the_result() -> None:
    x = Value(2.0)
    f = x * x
    g = x + 1
    f.backward()
    g.backward()
    first = (f.grad, g.grad, x.grad)
    x = Value(2.0)
    f = x * x
    f.backward()
    g = x + 1
    g.backward()
    assert (f.grad, g.grad, x.grad) == first == (1.0, 1.0, 5.0)


def test_backward_touches_nothing_outside_its_graph() -> None:
    x, y = Value(0.5), Value(-0.3)
    other = (y * 3.0).tanh()
    other.grad = 42.0
    L = (x * x).exp()
    L.backward()
    assert other.grad == 42.0 and y.grad == 0.0
    assert {id(n) for n in nodes_below(L)} == {id(n) for n in topological_order(L) if not n.is_leaf}


def test_the_nodes_visited_do_not_grow_with_unrelated_nodes_made_before() -> None:
    x = Value(1.5)
    junk = [Value(0.1) * k for k in range(100_000)]  # noqa: F841 (alive on purpose)
    L = (x * 2.0).tanh() + x
    assert len(nodes_below(L)) == 3  # *, tanh, +: the graph, not the history


def test_backward_from_intermediate_nodes_and_repeated_roots() -> None:
    x, w = Value(0.7), Value(1.3)
    h = (x * w).sigmoid()
    unused = (h * 5.0).log()
    L1 = h * h
    L2 = (h + w).tanh()
    for root in (L1, L2, h, unused, L1):
        assert fresh_grads(root, [x, w]) == pytest.approx(sorted_grads(root, [x, w]), rel=1e-15)
    L1.backward()
    assert h.grad == pytest.approx(2 * h.data)


def test_graphs_built_and_backpropagated_in_other_threads() -> None:
    x, w = Value(0.3), Value(0.9)
    made: dict[int, Value] = {}
    grads: dict[int, list[float]] = {}

    def build(i: int) -> None:
        v = x
        for _ in range(300):
            v = (v * w + 0.1 * i).tanh()
        made[i] = v

    def backprop(i: int) -> None:
        leaf = Value(0.2 * i + 0.1)
        v = leaf
        for _ in range(300):
            v = (v * 1.01).sin()
        v.backward()
        grads[i] = [leaf.grad, sorted_grads(v, [leaf])[0]]

    threads = [threading.Thread(target=build, args=(i,)) for i in range(4)] + [
        threading.Thread(target=backprop, args=(i,)) for i in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i in range(4):
        assert grads[i][0] == pytest.approx(grads[i][1], rel=1e-12)
        assert fresh_grads(made[i], [x, w]) == pytest.approx(sorted_grads(made[i], [x, w]), rel=1e-12)
    mixed = made[0] + made[1]
    assert fresh_grads(mixed, [x, w]) == pytest.approx(sorted_grads(mixed, [x, w]), rel=1e-12)


# ---------------------------------------------------------------- memory
def test_a_dropped_graph_is_freed_by_reference_counting_alone(no_gc: None) -> None:
    x = Value(0.5, label="x")
    before = live_values()
    y = x
    for _ in range(1000):
        y = (y * 1.01).tanh() + x
    y.backward()
    assert live_values() - before == 4000
    del y
    assert live_values() == before


def test_a_value_made_after_a_dropped_graph_keeps_nothing_alive(no_gc: None) -> None:
    x = Value(0.5)
    before = live_values()
    y = x
    for _ in range(100_000):
        y = y * 1.0000001
    del y  # dropped without backward()
    later = x * 2.0
    assert live_values() - before == 2  # the constant 2.0 and x·2: nothing of the dropped graph
    del later


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


# ---------------------------------------------------------------- copies and pickles
def test_pickle_keeps_shared_nodes_shared() -> None:
    a = Value(1.0) * 3
    b = a * 2 + a
    a2, b2 = pickle.loads(pickle.dumps([a, b]))
    assert b2.parents[1] is a2 and b2.parents[0].parents[0] is a2
    b2.backward()
    assert a2.grad == 3.0


def test_pickle_size_is_linear_in_the_distinct_nodes() -> None:
    x = Value(0.5)
    v, chain = x, []
    for _ in range(2000):
        v = v * 1.0001
        chain.append(v)
    alone = len(pickle.dumps(chain[-1]))
    assert len(pickle.dumps(chain)) < 1.5 * alone


def test_pickle_and_deepcopy_of_a_deep_chain_and_a_model() -> None:
    # A big graph, alive at once: built with the collector paused (training.gc_paused, as for a student's own loop
    # over a big graph); the engine's graphs hold no cycles. The subject is copying a graph deeper than the recursion limit.
    with gc_paused():
        x = Value(0.5)
        v = x
        for i in range(100_000):
            v = v.relu() if i % 2 else v * 1.00001
        for copied in (pickle.loads(pickle.dumps(v)), copy.deepcopy(v)):
            assert copied.data == v.data and copied is not v
            copied.backward()
        v.backward()
    mlp = MLP(2, [3], 2, seed=1)
    L = cross_entropy(mlp([0.2, 0.4]), 1)
    model2, L2 = pickle.loads(pickle.dumps((mlp, L)))
    L2.backward()
    L.backward()
    assert [p.grad for p in model2.parameters()] == [p.grad for p in mlp.parameters()]


def test_copy_copy_shares_the_parents() -> None:
    x = Value(2.0)
    y = x * 3.0
    z = copy.copy(y)
    assert z is not y and z.parents == y.parents and z.data == 6.0
    z.backward()
    assert x.grad == 3.0


# ---------------------------------------------------------------- random programs against the reference
@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10**6), n_ops=st.integers(1, 60), n_roots=st.integers(1, 4))
def test_random_programs_agree_with_the_reference(seed: int, n_ops: int, n_roots: int) -> None:
    """Interleaved graphs, non-leaf 'parameters', roots anywhere, backward in any order, pickled copies: the sort's gradients."""
    rng = random.Random(seed)
    leaves = [Value(rng.uniform(0.5, 1.5)) for _ in range(3)]
    nodes: list[Value] = list(leaves)
    ops: list[Callable[[Value, Value], Value]] = [
        lambda a, b: a * b,
        lambda a, b: a + b,
        lambda a, b: (a - b).tanh(),
        lambda a, b: a.sigmoid() * 0.5,
        lambda a, b: Value.sum([a, b, a]),
        lambda a, b: Value.linear([a, b], [b, 0.5], a),
        lambda a, b: Value.pre_activations([[a, b]], [b, a], [b])[0],
    ]
    for _ in range(n_ops):
        nodes.append(rng.choice(ops)(rng.choice(nodes), rng.choice(nodes)))
    roots = [rng.choice(nodes[3:]) for _ in range(n_roots)]
    for _ in range(2):
        rng.shuffle(roots)
        for root in roots:
            assert fresh_grads(root, leaves) == pytest.approx(sorted_grads(root, leaves), rel=1e-12, abs=1e-15)
    root2, leaves2 = pickle.loads(pickle.dumps((roots[0], leaves)))
    assert fresh_grads(root2, leaves2) == pytest.approx(sorted_grads(roots[0], leaves), rel=1e-12, abs=1e-15)


# ---------------------------------------------------------------- backward() walks only where gradient flows
def plain_backward(root: Value, seed: float = 1.0) -> None:
    """backward()'s plain version: every non-leaf below the root zeroed, then the chain rule over all of them."""
    if not root.parents:
        root.grad += seed
        return
    order = nodes_below(root)
    for node in order:
        node.grad = 0.0
    root.grad = seed
    for node in order:
        if node.grad:
            for parent, local in zip(node.parents, node.local_grads):
                parent.grad += local * node.grad


def cut_off_world(seed: int, n_ops: int) -> list[Value]:
    """A random graph with cut-offs (relu at or below 0, a max node, a product with 0, |0|), shared nodes and a tied non-leaf weight."""
    rng = random.Random(seed)
    leaves = [Value(rng.choice([-1.0, -0.5, 0.0, 0.5, 1.0]) * rng.uniform(0.5, 1.5)) for _ in range(4)]
    nodes: list[Value] = [*leaves, leaves[0] * 1.5]  # a non-leaf used as a weight by later nodes
    ops: list[Callable[[Value, Value], Value]] = [
        lambda a, b: a.relu(),
        lambda a, b: (a - b).relu(),
        lambda a, b: Value.from_op(max(a.data, b.data), (a, b), (1.0, 0.0) if a.data >= b.data else (0.0, 1.0), op="max"),
        lambda a, b: a * 0.0 + b,
        lambda a, b: (a - a).abs() * b,
        lambda a, b: a * b,
        lambda a, b: (a + b).tanh(),
        lambda a, b: Value.sum([a, b, a]),
        lambda a, b: Value.linear([a, b], [b, 0.5], a),
        lambda a, b: Value.pre_activations([[a, b]], [b, a], [b])[0],
    ]
    for _ in range(n_ops):
        nodes.append(rng.choice(ops)(rng.choice(nodes), rng.choice(nodes)))
    return nodes


@settings(max_examples=80, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    n_ops=st.integers(1, 50),
    calls=st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from([1.0, -2.0, 0.0])), min_size=1, max_size=6),
)
def test_backward_leaves_every_gradient_as_the_plain_order_does(seed: int, n_ops: int, calls: list[tuple[int, float]]) -> None:
    """The same graph built twice; the same backward calls (any root, any seed, repeated) on one with backward(), on the
    other with the plain order: every node, leaf or not, holds the same gradient after every call."""
    ours, plain = cut_off_world(seed, n_ops), cut_off_world(seed, n_ops)
    for pick, grad in calls:
        i = 4 + pick % (len(ours) - 4)
        ours[i].backward(grad)
        plain_backward(plain[i], grad)
        assert [v.grad for v in ours] == [v.grad for v in plain]


def test_a_cut_off_subgraph_is_not_walked() -> None:
    x, w = Value(0.5), Value(-2.0)
    h = x
    for _ in range(1000):
        h = (h * 1.001).tanh()
    L = (h * w).relu() + x  # relu at a negative input: nothing flows into the chain
    assert len(_reached(L)) == 2  # + and relu: not the 2,000 nodes of the chain
    L.backward()
    assert (x.grad, w.grad, h.grad) == (1.0, 0.0, 0.0)


def test_gradients_an_earlier_pass_left_below_a_cut_off_are_reset() -> None:
    x, w = Value(0.5), Value(2.0)
    h = (x * w).tanh()
    gate = Value(1.0)
    L = (h * gate).relu() * 3.0
    L.backward()
    assert h.grad != 0.0
    gate.data = -1.0  # data changed by hand; the graph's local derivatives stay, so build again:
    L2 = (h * Value(-1.0)).relu() * 3.0  # h (old, written by the pass above) sits below a cut-off
    L2.backward()
    assert h.grad == 0.0 and h.parents[0].grad == 0.0
    h.backward()  # a pass from an inner node, then from the root above it with nothing flowing
    L2.backward(0.0)
    assert h.grad == 0.0 and h.parents[0].grad == 0.0


def test_a_tied_non_leaf_weight_below_a_cut_off_is_reset_every_step() -> None:
    v = Value(0.8)
    w = v * 2.0  # a non-leaf weight, made once and used at every step
    for x in (1.0, -1.0):  # the second step's relu cuts w off
        L = (w * x).relu()
        v.grad = 0.0
        L.backward()
    assert w.grad == 0.0 and v.grad == 0.0


def test_a_copied_gradient_is_reset_by_the_next_pass_through_it() -> None:
    x = Value(0.5)
    h = x * 2.0
    (h * 1.0).backward()
    h2 = copy.copy(h)  # a new node (newer than every pass's root) holding h's gradient, written by no pass
    L = (h2 * -1.0).relu()
    L.backward()
    assert h2.grad == 0.0


def test_a_weight_put_in_a_layer_after_its_last_call_is_seen_there() -> None:
    """The layer's record of its leaves is checked at every call: a non-leaf weight put in later is reset below a cut."""
    mlp = MLP(2, [2], 1, activation="relu", output="linear", seed=0)
    mlp([1.0, 0.0])  # the layer records its W and b: all leaves
    v = Value(0.5)
    w = v * 1.0
    mlp.layers[0].W[0][0] = w  # unit 1 of layer 1: a = w x_1 + W_{1,1,2} x_2 + b
    mlp([1.0, 0.0])[0].backward()
    assert w.grad != 0.0
    mlp([-1.0, 0.0])[0].backward()  # a = -0.5: the relu cuts w off; nothing else reaches it
    assert w.grad == 0.0


def test_a_dropped_model_is_freed_after_a_forward_pass(no_gc: None) -> None:
    before = live_values()
    mlp = MLP(3, [4], 2, seed=0)
    cross_entropy(mlp([0.1, 0.2, 0.3]), 1).backward()
    del mlp
    assert live_values() == before  # nothing (no cache of the library's) keeps its weights alive


# ---------------------------------------------------------------- PyTorch habits
def test_comparisons_are_on_data_and_max_passes_the_gradient_to_the_winner() -> None:
    a, b, c = Value(1.0), Value(3.0), Value(2.0)
    assert (a < b, a <= 1, b > 2.5, c >= 2, 0.5 < a, 4 > b) == (True, True, True, True, True, True)
    best = max([a, b, c])
    assert best is b and min([a, b, c]) is a and sorted([b, c, a]) == [a, c, b]
    (best * 2.0).backward()
    assert (a.grad, b.grad, c.grad) == (0.0, 2.0, 0.0)
    assert a != Value(1.0) and a == a and len({a, Value(1.0)}) == 2  # == is identity


def test_comparison_with_a_non_number_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="'x'"):
        _ = Value(1.0) < "x"  # type: ignore[operator]
    with pytest.raises(TypeError, match=r"compared with.*'x'"):  # reflected: no word about a "right side"
        _ = "x" < Value(1.0)  # type: ignore[operator]


def test_max_of_equal_values_passes_the_gradient_to_the_first_as_python_and_torch_max_dim() -> None:
    a, b = Value(2.5), Value(2.5)
    max([a, b]).backward()
    assert (a.grad, b.grad) == (1.0, 0.0)
    torch = pytest.importorskip("torch")
    t = torch.tensor([2.5, 2.5], dtype=torch.float64, requires_grad=True)
    t.max(dim=0).values.backward()
    assert t.grad.tolist() == [a.grad, b.grad]


def test_float_item_bool_and_detach() -> None:
    v = Value(2.5, label="v") * 2.0
    assert float(v) == 5.0 and v.item() == 5.0
    with pytest.raises(TypeError, match=r"v\.data"):
        bool(Value(0.0))
    with pytest.raises(TypeError):
        if v:  # the silent trap of `if loss:`
            pass
    d = v.detach()
    assert d.is_leaf and d.data == 5.0 and d is not v


def test_from_op_defines_a_new_op() -> None:
    x = Value(0.5)
    s = 1.0 / (1.0 + math.exp(-x.data))
    y = Value.from_op(math.log1p(math.exp(x.data)), [x], [s], op="softplus")
    assert y.op == "softplus" and y.parents == (x,) and y.local_grads == (s,)
    (y * y).backward()
    assert x.grad == pytest.approx(2 * y.data * s)


@pytest.mark.parametrize(
    "args, error, match",
    [
        ((1.0, [], []), ValueError, "at least one parent"),
        ((1.0, [Value(1.0)], [1.0, 2.0]), ValueError, "1 parent but 2 local"),
        ((1.0, [Value(1.0), Value(2.0)], [1.0]), ValueError, "2 parents but 1 local"),
        ((1.0, [Value(1.0)], [1.0], ""), ValueError, "non-empty"),
        ((1.0, [1.0], [1.0]), TypeError, r"parents\[0\] must be a Value, got 1.0"),
        ((1.0, [Value(1.0)], [math.nan]), OverflowError, r"local derivative of op at \(1\) overflows a float \(nan\)"),
        ((1.0, [Value(1.0)], ["a"]), TypeError, "'a'"),
        (("one", [Value(1.0)], [1.0]), TypeError, "'one'"),
        ((math.inf, [Value(1.0)], [1.0]), OverflowError, "overflowed"),
    ],
)
def test_from_op_validates_like_every_op(args: tuple[object, ...], error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        Value.from_op(*args)  # type: ignore[arg-type]


def test_zero_to_a_power_above_one_is_zero_with_derivative_zero() -> None:
    x = Value(0.0)
    y = x**2.5
    assert y.data == 0.0 and y.local_grads == (0.0,)
    y.backward()
    assert x.grad == 0.0
    with pytest.raises(ValueError, match=r"0\.0 \*\* 0\.5"):
        _ = x**0.5
    with pytest.raises(ValueError, match="division by zero"):
        _ = x**-1.0


def test_logistic_output_units_with_squared_error() -> None:
    mlp = MLP(2, [2], 2, activation="logistic", output="logistic", seed=0)
    y_hat = mlp([0.05, 0.10])
    assert all(0.0 < v.data < 1.0 for v in y_hat) and [v.label for v in y_hat] == ["ŷ_1", "ŷ_2"]
    L = squared_error(y_hat, [0.01, 0.99])
    leaves = mlp.parameters()
    assert fresh_grads(L, leaves) == pytest.approx(sorted_grads(L, leaves), rel=1e-12)
    out = mlp.layers[-1]
    for j, (a, h) in enumerate(zip(out.a, out.h)):  # ∂L/∂a_{L,j} = 2(ŷ_j - y_j) ŷ_j (1 - ŷ_j)
        target = (0.01, 0.99)[j]
        assert a.grad == pytest.approx(2 * (h.data - target) * h.data * (1 - h.data), rel=1e-12)
