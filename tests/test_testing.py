"""assert_gradient: the engine against hand-derived formulas, with a message that says where a derivation went wrong."""

from __future__ import annotations

import math

import numpy as np
import pytest

from micrograd_nptel import MLP, Value, cross_entropy
from micrograd_nptel.examples import figure_network, multipath
from micrograd_nptel.lecture import back_propagation, network_weights
from micrograd_nptel.testing import assert_gradient, gradient


def test_the_lectures_formulas_pass() -> None:
    z, v = multipath(2.0)
    assert_gradient(z, v["x"], -0.5)  # Module 4.6: dz/dx = 2/x - 3/x
    assert_gradient(z, v["x"], lambda x: -1.0 / x)  # a callable of the input
    mlp, xs, L = figure_network()
    W, b = network_weights(mlp)
    grads = back_propagation(W, b, [v.data for v in xs], 0, g=mlp.activation, O=mlp.output)
    for k, layer in enumerate(mlp.layers, 1):
        assert_gradient(L, layer.W, grads.W[k], rtol=1e-12, atol=1e-15)  # Module 4.7: ∇_{W_k} L = ∇_{a_k} L h_{k-1}^T
        assert_gradient(L, layer.b, grads.b[k], rtol=1e-12, atol=1e-15)
    x = Value(1.0, label="x")
    f = x.__pow__(2).sin().exp()  # Backpropagation-1: f'(x) = e^{sin(x²)} cos(x²) 2x
    assert_gradient(f, x, lambda x: math.exp(math.sin(x * x)) * math.cos(x * x) * 2 * x, rtol=1e-14)


def test_a_wrong_derivation_names_the_values_and_the_paths() -> None:
    z, v = multipath(2.0)
    with pytest.raises(AssertionError) as info:
        assert_gradient(z, v["x"], 0.25 * 4)  # only the path through y_1: the path through y_2 is missing
    text = str(info.value)
    assert "∂z/∂x: the engine gives -0.5, expected 1" in text
    assert "sum over 2 paths" in text and "path 1: ∂z/∂y_1 (0.25) · ∂y_1/∂x (4) = 1" in text and "path 2:" in text


def test_arrays_name_the_entries_that_differ() -> None:
    mlp, _, L = figure_network()
    right = gradient(L, mlp.layers[0].W)
    wrong = np.array(right).T  # the outer product h ∇a^T instead of ∇a h^T
    with pytest.raises(AssertionError, match=r"entries differ") as info:
        assert_gradient(L, mlp.layers[0].W, wrong)
    assert "∂L/∂W_{1," in str(info.value) and "path 1:" in str(info.value)
    with pytest.raises(ValueError, match=r"expected has shape \(2, 3\), but the gradient has shape \(3, 3\)"):
        assert_gradient(L, mlp.layers[0].W, [[0.0] * 3] * 2)


def test_no_side_effects_on_leaves_and_bad_arguments() -> None:
    mlp = MLP(2, [2], 2, seed=0)
    L = cross_entropy(mlp([1.0, -1.0]), 1)
    L.backward()
    before = [p.grad for p in mlp.parameters()]
    gradient(L, mlp.layers[0].W)
    assert [p.grad for p in mlp.parameters()] == before  # accumulating leaves are put back
    with pytest.raises(ValueError, match="ragged"):
        assert_gradient(L, [mlp.layers[0].W[0], mlp.layers[0].W[0][:1]], 0.0)
    with pytest.raises(TypeError, match="wrt must be a Value"):
        assert_gradient(L, 3.0, 0.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="NaN"):
        assert_gradient(L, mlp.layers[0].b[0], math.nan)
    with pytest.raises(TypeError, match="expected must be a number"):
        assert_gradient(L, mlp.layers[0].b[0], "0.5")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="rtol must be a number >= 0"):
        assert_gradient(L, mlp.layers[0].b[0], 0.0, rtol=-1.0)


def test_the_message_names_the_slip() -> None:
    z, v = multipath(2.0)
    for wrong, key in ((0.5, "sign"), (1.0, "missing_paths"), (-1.5, "missing_paths")):
        with pytest.raises(AssertionError, match=rf"slip \[{key}\]"):
            assert_gradient(z, v["x"], wrong)
    z, v = multipath(3.0)  # paths (1/y_1)(2x) = 2/3 and (-1/y_2)(3x²) = -1
    with pytest.raises(AssertionError, match=r"slip \[paths_multiplied\]: the expected value multiplies the paths"):
        assert_gradient(z, v["x"], (2 / 3) * -1.0)
    x = Value(0.5, label="x")
    h = x.sigmoid()
    h.label = "h"
    loss = h * 3.0
    loss.label = "L"
    with pytest.raises(AssertionError, match=r"slip \[missing_factor\]: the expected value is the chain without its factor ∂h/∂x"):
        assert_gradient(loss, x, 3.0)
    with pytest.raises(AssertionError) as info:
        assert_gradient(loss, x, 0.1234)
    assert "slip [" not in str(info.value)


def test_arrays_name_a_sign_or_a_transpose() -> None:
    mlp, _, L = figure_network()
    W2 = mlp.layers[1].W
    grad = gradient(L, W2)
    assert isinstance(grad, np.ndarray)
    with pytest.raises(AssertionError, match=r"slip \[sign\]: every expected entry"):
        assert_gradient(L, W2, -grad)
    with pytest.raises(AssertionError, match=r"slip \[transpose\]"):
        assert_gradient(L, W2, grad.T)
