"""The lecture's derivations, reproduced unit by unit: the engine against the slides' formulas."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from micrograd_nptel import MLP, Value
from micrograd_nptel.lecture import (
    back_propagation,
    chain_example,
    compare,
    forward_propagation,
    grad_biases,
    grad_hidden,
    grad_output,
    grad_output_squared_error,
    grad_preactivation,
    grad_weights,
    grad_y_hat,
    multipath_example,
    network_weights,
)


def expected_rows(sizes: list[int]) -> int:
    """ŷ (k rows), then per layer k: a_k, b_k (n_k each), W_k (n_k n_{k-1}), h_{k-1} (n_{k-1})."""
    return sizes[-1] + sum(2 * sizes[k] + sizes[k] * sizes[k - 1] + sizes[k - 1] for k in range(1, len(sizes)))


@settings(max_examples=120, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 6), min_size=2, max_size=5),  # n_0 .. n_L: depth L = 1..4
    g=st.sampled_from(["logistic", "tanh", "relu", "linear"]),
    O=st.sampled_from(["softmax", "linear"]),
    seed=st.integers(0, 10_000),
    data=st.data(),
)
def test_every_row_of_compare_agrees_for_random_networks(sizes: list[int], g: str, O: str, seed: int, data: st.DataObject) -> None:
    if O == "softmax" and sizes[-1] == 1:
        sizes[-1] = 2  # a softmax over one output is refused: it is always 1
    n, k = sizes[0], sizes[-1]
    mlp = MLP(n, sizes[1:-1], k, activation=g, output=O, seed=seed)
    x = data.draw(st.lists(st.floats(-3, 3), min_size=n, max_size=n))
    if O == "softmax":
        label: int | list[float] = data.draw(st.integers(0, k - 1))
    else:
        label = data.draw(st.lists(st.floats(-2, 2), min_size=k, max_size=k))
    rows = compare(mlp, x, label)
    assert len(rows) == expected_rows(sizes) == len({r.name for r in rows})
    worst = max(rows, key=lambda r: r.abs_diff)
    assert worst.abs_diff <= 1e-9, worst


def sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def test_lecture_figure_network_by_hand() -> None:
    """n = 3 inputs, two hidden layers of 3 logistic units, k = 2 classes, L = 3 (Module 4.1's figure)."""
    W1 = [[0.1, 0.2, 0.3], [-0.4, 0.5, -0.6], [0.7, -0.8, 0.9]]
    W2 = [[0.2, -0.1, 0.4], [0.3, 0.3, -0.2], [-0.5, 0.1, 0.6]]
    W3 = [[0.5, -0.7, 0.2], [-0.3, 0.8, 0.1]]
    b1, b2, b3 = [0.1, -0.1, 0.2], [0.0, 0.1, -0.2], [0.05, -0.05]
    x, l = [1.0, 2.0, -1.0], 1  # true class: the second
    mlp = MLP(3, [3, 3], 2)
    for layer, W, b in zip(mlp.layers, [W1, W2, W3], [b1, b2, b3]):
        for row, w_row in zip(layer.W, W):
            for p, v in zip(row, w_row):
                p.data = v
        for p, v in zip(layer.b, b):
            p.data = v
    rows = {r.name: r for r in compare(mlp, x, l)}

    # forward, written out
    a1 = [b1[i] + sum(W1[i][j] * x[j] for j in range(3)) for i in range(3)]
    h1 = [sigmoid(v) for v in a1]
    a2 = [b2[i] + sum(W2[i][j] * h1[j] for j in range(3)) for i in range(3)]
    h2 = [sigmoid(v) for v in a2]
    a3 = [b3[i] + sum(W3[i][j] * h2[j] for j in range(3)) for i in range(2)]
    y_hat = [math.exp(v) / (math.exp(a3[0]) + math.exp(a3[1])) for v in a3]
    # Module 4.5: ∂L/∂a_{3,m} = -(1(m=l) - ŷ_m)
    dL_da3 = [-((m == l) - y_hat[m]) for m in range(2)]
    # Module 4.6: ∂L/∂h_{2,2} = Σ_m ∂L/∂a_{3,m} W_{3,m,2}
    dL_dh22 = dL_da3[0] * W3[0][1] + dL_da3[1] * W3[1][1]
    # Module 4.6 + 4.9: ∂L/∂a_{2,2} = ∂L/∂h_{2,2} g'(a_{2,2}) = ∂L/∂h_{2,2} h_{2,2} (1 - h_{2,2})
    dL_da22 = dL_dh22 * h2[1] * (1 - h2[1])
    # Module 4.7: ∂L/∂W_{2,2,3} = ∂L/∂a_{2,2} h_{1,3}; ∂L/∂b_{2,2} = ∂L/∂a_{2,2}
    dL_dW223 = dL_da22 * h1[2]
    # ∂L/∂h_{1,1} = Σ_m ∂L/∂a_{2,m} W_{2,m,1}, each ∂L/∂a_{2,m} as above
    dL_da2 = [sum(dL_da3[q] * W3[q][m] for q in range(2)) * h2[m] * (1 - h2[m]) for m in range(3)]
    dL_dh11 = sum(dL_da2[m] * W2[m][0] for m in range(3))
    dL_da11 = dL_dh11 * h1[0] * (1 - h1[0])
    dL_dW112 = dL_da11 * x[1]
    hand = {
        "∂L/∂ŷ_2": -1 / y_hat[1],
        "∂L/∂a_{3,1}": dL_da3[0],
        "∂L/∂a_{3,2}": dL_da3[1],
        "∂L/∂W_{3,2,1}": dL_da3[1] * h2[0],
        "∂L/∂h_{2,2}": dL_dh22,
        "∂L/∂a_{2,2}": dL_da22,
        "∂L/∂W_{2,2,3}": dL_dW223,
        "∂L/∂b_{2,2}": dL_da22,
        "∂L/∂h_{1,1}": dL_dh11,
        "∂L/∂W_{1,1,2}": dL_dW112,
    }
    for name, value in hand.items():
        assert rows[name].engine == pytest.approx(value, rel=1e-12, abs=1e-15), name
        assert rows[name].formula == pytest.approx(value, rel=1e-12, abs=1e-15), name


def test_matrix_formulas_have_the_slides_shapes() -> None:
    rng = np.random.default_rng(0)
    W = [rng.normal(size=(4, 3)), rng.normal(size=(2, 4))]
    b = [rng.normal(size=4), rng.normal(size=2)]
    fwd = forward_propagation(W, b, [0.5, -1.0, 2.0])
    assert sorted(fwd.a) == [1, 2] and sorted(fwd.h) == [0, 1] and fwd.y_hat.sum() == pytest.approx(1.0)
    grads = back_propagation(W, b, [0.5, -1.0, 2.0], 1)
    assert grads.W[1].shape == (4, 3) and grads.W[2].shape == (2, 4) and grads.h[0].shape == (3,)
    ga2 = grad_output(fwd.y_hat, 1)
    assert np.allclose(ga2, fwd.y_hat - np.array([0.0, 1.0]))
    assert np.allclose(grad_y_hat(fwd.y_hat, 1), [0.0, -1 / fwd.y_hat[1]])
    assert np.allclose(grad_weights(ga2, fwd.h[1]), np.outer(ga2, fwd.h[1])) and np.allclose(grad_biases(ga2), ga2)
    gh1 = grad_hidden(W[1], ga2)
    assert np.allclose(gh1, W[1].T @ ga2)
    assert np.allclose(grad_preactivation(gh1, fwd.a[1], "logistic"), gh1 * fwd.h[1] * (1 - fwd.h[1]))
    assert np.allclose(grad_output_squared_error([1.0, 2.0], [0.5, 3.0]), [1.0, -2.0])
    # dict form keyed by the slides' k gives the same answer
    same = back_propagation({1: W[0], 2: W[1]}, {1: b[0], 2: b[1]}, [0.5, -1.0, 2.0], 1)
    assert all(np.array_equal(same.W[k], grads.W[k]) for k in (1, 2))


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: forward_propagation([np.ones((2, 3))], [np.ones(2)], [1.0, 2.0]), "x must have length 3"),
        (lambda: forward_propagation([np.ones((2, 3)), np.ones((2, 3))], [np.ones(2), np.ones(2)], [1, 2, 3]), "W_2 has 3 columns"),
        (lambda: forward_propagation([np.ones((2, 3))], [np.ones(3)], [1, 2, 3]), "b_1 a vector"),
        (lambda: forward_propagation([np.ones((2, 3))], [np.ones(2)], [1, 2, 3], g="sigmoid"), "g must be one of"),
        (lambda: back_propagation([np.ones((2, 3))], [np.ones(2)], [1, 2, 3], 2), "label 2 is out of range"),
        (lambda: back_propagation([np.ones((2, 3))], [np.ones(2)], [1, 2, 3], [1.0], O="linear"), "target vector of length 2"),
        (lambda: multipath_example(0.0), "x > 0"),
    ],
)
def test_formula_errors(call: object, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        call()  # type: ignore[operator]


@pytest.mark.parametrize("x0", [0.3, 1.0, 2.0, 5.0])
def test_multipath_closed_form_against_engine(x0: float) -> None:
    ex = multipath_example(x0)
    assert ex.path_y1 == pytest.approx(2 / x0) and ex.path_y2 == pytest.approx(-3 / x0) and ex.dz_dx == pytest.approx(-1 / x0)
    x = Value(x0)
    z = (x**2 / x**3).log()
    z.backward()
    assert z.data == pytest.approx(ex.z) and x.grad == pytest.approx(ex.dz_dx, rel=1e-12)


@pytest.mark.parametrize("x0", [-1.5, 0.2, 1.0, 2.5])
def test_chain_closed_form_against_engine(x0: float) -> None:
    f, df = chain_example(x0)
    x = Value(x0)
    y = (x**2).sin().exp()
    y.backward()
    assert y.data == pytest.approx(f) and x.grad == pytest.approx(df, rel=1e-12)


def test_network_weights_copies_shapes() -> None:
    W, b = network_weights(MLP(4, [5], 3))
    assert W[1].shape == (5, 4) and W[2].shape == (3, 5) and b[2].shape == (3,)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "micrograd_nptel", *args], capture_output=True, text=True, timeout=120)


def test_verify_cli_prints_every_row_and_a_verdict() -> None:
    result = run("verify")  # the figure's network and input: the numbers explain and draw show
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("MLP(3, [3, 3], 2") and "x = (1, 0.5, -1.5)" in lines[0]
    assert lines[-1].startswith("verdict: OK: all 51 gradients agree")
    assert sum(line.startswith("∂L/∂") for line in lines) == expected_rows([3, 3, 3, 2]) == 51
    w111 = next(line for line in lines if line.startswith("∂L/∂W_{1,1,1} "))
    assert float(w111.split()[1]) == pytest.approx(-0.01080601525, abs=1e-11)  # as `explain W_111` prints
    iris = run("verify", "--iris")
    assert iris.returncode == 0 and iris.stdout.splitlines()[-1].startswith("verdict: OK: all 81 gradients agree")
    assert sum(line.startswith("∂L/∂") for line in iris.stdout.splitlines()) == expected_rows([4, 4, 4, 3]) == 81
    for args in (["--activation", "relu", "--hidden", "6,2,3", "--seed", "5"], ["--iris", "--output", "linear", "--example", "120"]):
        assert run("verify", *args).returncode == 0


def test_verify_cli_fails_when_the_tolerance_is_not_met() -> None:
    result = run("verify", "--tolerance", "1e-300")  # rounding differences of ~1e-16 exceed it
    assert result.returncode == 1 and result.stdout.splitlines()[-1].startswith("verdict: FAIL")
    bad = run("verify", "--iris", "--example", "150")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "--example must be in 0..149" in bad.stderr  # a usage error
    assert "use it with --iris" in run("verify", "--example", "3").stderr
