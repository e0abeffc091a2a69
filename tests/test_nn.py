"""The network of CS7015 Lecture 4 on the engine: shapes, names, activations, output and
loss functions, whole-network gradients, training, persistence and errors."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from micrograd_nptel import (
    MLP,
    SGD,
    Layer,
    Neuron,
    StandardScaler,
    Value,
    accuracy,
    cross_entropy,
    fit,
    gradcheck,
    load_iris,
    softmax,
    squared_error,
    train_test_split,
)


def test_shapes_parameter_counts_and_named_parameters_order() -> None:
    mlp = MLP(3, [3, 3], 2)  # the lecture's figure: n = 3, two hidden layers, k = 2, L = 3
    assert len(mlp.layers) == 3
    assert [(la.nin, la.nout) for la in mlp.layers] == [(3, 3), (3, 3), (3, 2)]
    assert len(mlp.parameters()) == (9 + 3) + (9 + 3) + (6 + 2)
    names = [n for n, _ in mlp.named_parameters()]
    # θ = [W_1..W_L, b_1..b_L]
    assert names[:3] == ["W_{1,1,1}", "W_{1,1,2}", "W_{1,1,3}"]
    assert names[9] == "W_{2,1,1}" and names[18] == "W_{3,1,1}" and names[23] == "W_{3,2,3}"
    assert names[24:] == ["b_{1,1}", "b_{1,2}", "b_{1,3}", "b_{2,1}", "b_{2,2}", "b_{2,3}", "b_{3,1}", "b_{3,2}"]
    layer = mlp.layers[0]
    assert layer.W[1][2].label == "W_{1,2,3}"  # row j = weights into unit j
    y_hat = mlp([1.0, -2.0, 0.5])
    assert len(y_hat) == 2 and sum(v.data for v in y_hat) == pytest.approx(1.0)
    assert [len(la.a) for la in mlp.layers] == [3, 3, 2] and [len(la.h) for la in mlp.layers] == [3, 3, 2]
    assert mlp.layers[-1].h == y_hat and mlp.layers[1].a[1].label == "a_{2,2}" and mlp.layers[0].h[0].label == "h_{1,1}"
    assert Neuron(4).named_parameters()[0][0] == "w_1" and len(Neuron(4).parameters()) == 5
    # numbers enter as constants: unit (1,1)'s parents are W_{1,1,:} and b_{1,1}, its local derivatives x_j and 1
    assert mlp.layers[0].a[0].parents == (*mlp.layers[0].W[0], mlp.layers[0].b[0])
    assert mlp.layers[0].a[0].local_grads == (1.0, -2.0, 0.5, 1.0) and mlp.layers[0].h_prev == [1.0, -2.0, 0.5]
    xs = [Value(v) for v in (1.0, -2.0, 0.5)]  # Values are tracked: h_0 = x, so ∂L/∂x_j is there after backward
    mlp(xs)
    assert mlp.layers[0].a[0].parents[3:6] == tuple(xs) and mlp.layers[0].h_prev == tuple(xs)
    assert Value.sum(mlp.layers[-1].h).parents and [v.label for v in mlp(xs)] == ["ŷ_1", "ŷ_2"]


def test_layer_pre_activation_is_one_linear_node_per_unit() -> None:
    layer = Layer(3, 2, activation="tanh", seed=1, index=2)
    h = layer([0.5, -1.0, 2.0])
    for j in range(2):
        a = layer.a[j]
        assert a.op == "linear" and a.parents == (*layer.W[j], layer.b[j])  # numbers: constants, no node per input
        assert a.local_grads == (0.5, -1.0, 2.0, 1.0)  # ∂a_{2,j}/∂W_{2,j,k} = h_{1,k}, ∂a_{2,j}/∂b_{2,j} = 1
        expected = layer.b[j].data + sum(w.data * x for w, x in zip(layer.W[j], [0.5, -1.0, 2.0]))
        assert a.data == pytest.approx(expected) and h[j].data == pytest.approx(math.tanh(expected))


def test_seeded_initialisation_is_reproducible_and_documented_scheme() -> None:
    a, b, c = MLP(4, [5], 3, seed=7), MLP(4, [5], 3, seed=7), MLP(4, [5], 3, seed=8)
    assert a.state_dict() == b.state_dict() != c.state_dict()
    bound = math.sqrt(6 / (4 + 5))
    assert all(abs(w.data) <= bound for row in a.layers[0].W for w in row)
    assert all(bias.data == 0.0 for la in a.layers for bias in la.b)


ACT = {
    "logistic": (lambda z: 1 / (1 + math.exp(-z)), lambda z: (1 / (1 + math.exp(-z))) * (1 - 1 / (1 + math.exp(-z)))),
    "tanh": (math.tanh, lambda z: 1 - math.tanh(z) ** 2),
    "relu": (lambda z: max(z, 0.0), lambda z: 1.0 if z > 0 else 0.0),
    "linear": (lambda z: z, lambda z: 1.0),
}


@pytest.mark.parametrize("g", sorted(ACT))
@pytest.mark.parametrize("z", [-1.5, -0.2, 0.4, 2.0])
def test_activation_values_and_derivatives_module_4_9(g: str, z: float) -> None:
    n = Neuron(1, activation=g)
    n.w[0].data, n.b.data = 1.0, 0.0
    h = n([z])
    h.backward()
    value, derivative = ACT[g]
    assert h.data == pytest.approx(value(z)) and n.b.grad == pytest.approx(derivative(z))  # ∂h/∂b = g'(a)


@pytest.mark.parametrize("a", [[1.0, 2.0, 3.0], [-0.5, 0.0, 0.5, 4.0], [1000.0, 999.0], [3.0]])
def test_softmax_values_and_jacobian_module_4_5(a: list[float]) -> None:
    y_hat = softmax(a)
    e = [math.exp(v - max(a)) for v in a]
    expected = [v / sum(e) for v in e]
    assert [v.data for v in y_hat] == pytest.approx(expected)
    for j, yj in enumerate(y_hat):
        assert yj.op == "softmax" and len(yj.parents) == len(a)
        for i in range(len(a)):
            assert yj.local_grads[i] == pytest.approx(expected[j] * ((i == j) - expected[i]))


@pytest.mark.parametrize("label", [0, 1, 2])
def test_cross_entropy_gradient_is_minus_e_l_minus_y_hat(label: int) -> None:
    """∇_{a_L} L = -(e(l) - ŷ) (CS7015 Lecture 4, Module 4.5)."""
    a = [Value(0.3), Value(-1.2), Value(2.0)]
    y_hat = softmax(a)
    L = cross_entropy(y_hat, label)
    assert L.data == pytest.approx(-math.log(y_hat[label].data))
    L.backward()
    for i in range(3):
        assert a[i].grad == pytest.approx(-((i == label) - y_hat[i].data), abs=1e-12)
    assert y_hat[label].grad == pytest.approx(-1 / y_hat[label].data)


def test_squared_error_with_linear_output_gradient_is_2_y_hat_minus_y() -> None:
    a = [Value(0.5), Value(-1.0)]
    L = squared_error(a, [1.0, 2.0])
    assert L.data == pytest.approx(0.25 + 9.0)
    L.backward()
    assert [v.grad for v in a] == pytest.approx([2 * (0.5 - 1.0), 2 * (-1.0 - 2.0)])


@settings(max_examples=25, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 4), min_size=1, max_size=3),
    g=st.sampled_from(sorted(ACT)),
    output=st.sampled_from(["softmax", "linear"]),
    seed=st.integers(0, 100),
    x=st.lists(st.floats(-2, 2), min_size=3, max_size=3),
)
def test_whole_mlp_loss_against_gradcheck(sizes: list[int], g: str, output: str, seed: int, x: list[float]) -> None:
    mlp = MLP(3, sizes[:-1], sizes[-1] + 1, activation=g, output=output, seed=seed)

    def loss(*theta: Value) -> Value:
        """The loss as a function of θ = [W_1..W_L, b_1..b_L]: the leaves replace the parameters."""
        it = iter(theta)
        for layer in mlp.layers:
            layer.W = [[next(it) for _ in row] for row in layer.W]
        for layer in mlp.layers:
            layer.b = [next(it) for _ in layer.b]
        y_hat = mlp(x)
        return cross_entropy(y_hat, 0) if output == "softmax" else squared_error(y_hat, [0.5] * len(y_hat))

    mlp(x)
    # relu's kink: a central difference across a_{ij} = 0 is not its derivative there
    assume(g != "relu" or all(abs(a.data) > 1e-4 for layer in mlp.layers for a in layer.a))
    report = gradcheck(loss, [p.data for p in mlp.parameters()], eps=1e-6, atol=1e-6, rtol=1e-4)
    assert report.ok, str(report)


def test_sgd_step_is_theta_minus_eta_grad() -> None:
    p, q = Value(1.0, label="p"), Value(-2.0, label="q")
    p.grad, q.grad = 0.5, -4.0
    opt = SGD([p, q], lr=0.1)
    opt.step()
    assert (p.data, q.data) == (1.0 - 0.05, -2.0 + 0.4)
    opt.zero_grad()
    assert p.grad == q.grad == 0.0
    p.grad = math.nan
    with pytest.raises(ValueError, match="gradient of p is nan"):
        opt.step()
    with pytest.raises(ValueError, match="lr must be positive"):
        SGD([p], lr=0.0)
    with pytest.raises(TypeError, match="must be Values"):
        SGD([1.0], lr=0.1)  # type: ignore[list-item]


def test_zero_grad_clears_every_parameter() -> None:
    mlp = MLP(2, [3], 2)
    cross_entropy(mlp([1.0, 2.0]), 1).backward()
    assert any(p.grad != 0.0 for p in mlp.parameters())
    mlp.zero_grad()
    assert all(p.grad == 0.0 for p in mlp.parameters())


def test_training_on_iris_reaches_the_target_accuracy() -> None:
    data = load_iris()
    X_train, X_test, y_train, y_test = train_test_split(data.X, data.y, test_size=0.2, seed=0)
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    mlp = MLP(4, [4, 4], 3, seed=0)
    history = fit(mlp, X_train, y_train, epochs=200, lr=0.5, batch_size=8, seed=0)
    assert history[-1].loss < history[0].loss / 5
    assert accuracy(mlp, X_test, y_test) >= 0.93


def test_save_load_round_trips_bit_for_bit(tmp_path: Path) -> None:
    mlp = MLP(4, [5, 3], 3, activation="tanh", seed=3)
    for p in mlp.parameters():
        p.data += 1 / 3  # numbers that need every bit
    path = tmp_path / "model.json"
    mlp.save(path)
    loaded = MLP.load(path)
    assert repr(loaded) == repr(mlp)
    assert [p.data for p in loaded.parameters()] == [p.data for p in mlp.parameters()]
    assert [v.data for v in loaded([0.1, 0.2, 0.3, 0.4])] == [v.data for v in mlp([0.1, 0.2, 0.3, 0.4])]
    assert list(tmp_path.iterdir()) == [path]  # no temp file left behind


def test_load_rejects_mismatched_shapes_and_junk(tmp_path: Path) -> None:
    mlp = MLP(2, [3], 2)
    path = tmp_path / "m.json"
    mlp.save(path)
    doc = json.loads(path.read_text())
    doc["state_dict"]["W1"] = [[0.0, 0.0, 0.0]] * 3
    path.write_text(json.dumps(doc))
    with pytest.raises(ValueError, match=r"W1 must have shape \(3, 2\)"):
        MLP.load(path)
    path.write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        MLP.load(path)
    path.write_text("[]")
    with pytest.raises(ValueError, match="not a saved micrograd_nptel MLP"):
        MLP.load(path)
    with pytest.raises(ValueError, match="keys"):
        mlp.load_state_dict({"W1": []})


@pytest.mark.parametrize(
    "call,exc,match",
    [
        (lambda: MLP(3, [3], 2)([1.0, 2.0]), ValueError, "input has length 2, expected 3"),
        (lambda: MLP(3, [3], 2)([1.0, "a", 2.0]), TypeError, "input x_2"),
        (lambda: MLP(3, [3], 2)(5), TypeError, "list of 3"),
        (lambda: cross_entropy(softmax([1.0, 2.0]), 2), ValueError, "label 2 is out of range for 2 classes"),
        (lambda: cross_entropy(softmax([1.0, 2.0]), -1), ValueError, "out of range"),
        (lambda: cross_entropy(softmax([1.0, 2.0]), 1.0), TypeError, "label must be an int"),
        (lambda: cross_entropy([Value(0.0), Value(1.0)], 0), ValueError, "probability 0 < ŷ_l <= 1"),
        (lambda: cross_entropy(softmax([0.0, 800.0]), 0), ValueError, "probability 0 < ŷ_l <= 1"),
        (lambda: squared_error([Value(1.0)], [1.0, 2.0]), ValueError, "1 predictions but 2 targets"),
        (lambda: softmax([]), ValueError, "at least one"),
        (lambda: MLP(0, [3], 2), ValueError, "nin must be a positive int"),
        (lambda: MLP(3, 3, 2), TypeError, "hidden must be a list"),  # type: ignore[arg-type]
        (lambda: MLP(3, [3], 2, activation="sigmoid"), ValueError, "activation 'sigmoid' is not one of"),
        (lambda: MLP(3, [3], 2, output="tanh"), ValueError, "output 'tanh' is not one of"),
        (lambda: Layer(2, 2)([1.0]), ValueError, "input has length 1, expected 2"),
        (lambda: Layer(2, 2, index=3)([1.0, None]), TypeError, r"input h_\{2,2\}"),
    ],
)
def test_bad_input_raises_the_documented_error(call: object, exc: type[Exception], match: str) -> None:
    with pytest.raises(exc, match=match):
        call()  # type: ignore[operator]


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_a_non_finite_input_among_floats_is_named(bad: float) -> None:
    mlp = MLP(3, [2], 2)
    with pytest.raises(ValueError, match="input x_2 must be finite"):
        mlp([1.0, bad, 2.0])
    with pytest.raises(ValueError, match=r"input h_\{1,2\} must be finite"):
        mlp.layers[1]([0.5, bad])


def test_finite_inputs_whose_sum_overflows_are_taken() -> None:
    layer = Layer(2, 1, activation="linear")
    layer.W[0][0].data, layer.W[0][1].data = 1e-300, 1e-300
    assert layer([1.7e308, 1.7e308])[0].data == pytest.approx(3.4e8)


def test_a_layer_whose_w_and_b_change_shape_or_kind_gives_what_pre_activations_gives() -> None:
    # the layer keeps the leaves it last checked (a speed shortcut): every change to W or b is seen at the next call
    layer = Layer(3, 2, activation="tanh", index=2)
    x = [0.5, -1.0, 2.0]
    layer(x)
    layer.W.append([Value(0.1), Value(0.2), Value(0.3)])  # a third unit, added by hand
    layer.b.append(Value(0.5))
    a = layer(x)
    assert [v.data for v in layer.a] == [v.data for v in Value.pre_activations(layer.W, x, layer.b)]
    assert len(a) == 3 and [v.label for v in layer.a] == ["a_{2,1}", "a_{2,2}", ""]
    w = Value(2.0)
    layer.W[0][1] = w * 1.5  # a computed weight: backward must reach w through it
    h = layer([Value(v) for v in x])
    h[0].backward()
    assert w.grad == pytest.approx(1.5 * -1.0 * (1.0 - h[0].data ** 2))
    layer.W[1].pop()  # a row one short: the plain path names it
    with pytest.raises(ValueError, match="row 2 of W has 2 entries but h_prev has 3"):
        layer(x)


def test_zero_grad_of_a_layer_and_an_mlp_clears_tied_and_computed_weights() -> None:
    mlp = MLP(2, [3], 2)
    mlp.layers[1].W[0][0] = mlp.layers[0].W[2][1]  # tied
    w = Value(0.3)
    mlp.layers[1].W[1][2] = w * 2.0  # computed
    cross_entropy(mlp([1.0, 2.0]), 1).backward()
    assert mlp.layers[1].W[1][2].grad != 0.0
    mlp.layers[0].zero_grad()
    assert all(p.grad == 0.0 for row in mlp.layers[0].W for p in row) and mlp.layers[1].W[0][0].grad == 0.0
    mlp.zero_grad()
    assert all(p.grad == 0.0 for p in mlp.parameters())


def test_a_layer_takes_values_of_a_subclass_of_value() -> None:
    class Named(Value):
        __slots__ = ()

    layer = Layer(2, 2, activation="tanh")
    x = [Named(0.5), Named(-1.0)]
    h = layer(x)
    assert [v.data for v in layer.a] == [v.data for v in Value.pre_activations(layer.W, [0.5, -1.0], layer.b)]
    h[0].backward()
    assert x[0].grad == pytest.approx(layer.W[0][0].data * (1.0 - h[0].data ** 2))
    a = Value.pre_activations(layer.W, x, layer.b)  # the plain path takes them too
    assert [v.data for v in a] == [v.data for v in layer.a] and a[0].parents[2] is x[0]
