"""The one table of ops (``notation.py``): each entry agrees with the engine, numpy and the lecture's formulas."""

from __future__ import annotations

import math

import numpy as np
import pytest

from micrograd_nptel import Value
from micrograd_nptel.expression import FUNCTIONS, parse_expression
from micrograd_nptel.lecture import activation, activation_derivative
from micrograd_nptel.nn import ACTIVATIONS
from micrograd_nptel.notation import ACTIVATION_FUNCTIONS, GLYPHS, LOSSES, UNARY_OPS

POINTS = (-1.3, -0.2, 0.4, 2.5)


@pytest.mark.parametrize("name", list(UNARY_OPS))
def test_each_unary_op_is_the_engine_method_its_numpy_function_and_its_derivative_text(name: str) -> None:
    op = UNARY_OPS[name]
    for x in POINTS:
        if name in ("log", "sqrt") and x <= 0:
            x = -x
        node = getattr(Value(x), name)()  # the engine method of that name, making a node of that op string
        assert node.op == name
        assert node.data == pytest.approx(float(op.numpy(np.array([x]))[0]), rel=1e-15, abs=1e-300)
        if op.derivative is None:  # relu: a step
            assert node.local_grads[0] == (1.0 if x > 0 else 0.0)
            continue
        text = op.derivative.format(u="x", pu="x").replace("^", "**")  # the answer grammar's ^ in Python's syntax
        expected, _ = parse_expression(text, {"x": x})  # the derivative text, read by the expression parser
        assert node.local_grads[0] == pytest.approx(expected.data, rel=1e-12)


def test_the_parser_the_pictures_and_the_derivations_read_the_one_table() -> None:
    from micrograd_nptel.derivation import name, tex
    from micrograd_nptel.graph import op_label

    assert FUNCTIONS == tuple(UNARY_OPS)
    for op in UNARY_OPS.values():
        assert op_label(op.name) == op.glyph
        if op.latex is not None:
            assert tex(f"{op.name}(x)") == op.latex + "(x)"
    assert op_label("cross_entropy") == GLYPHS["cross_entropy"] == "−log ŷ_l" and op_label("**-2") == "x⁻²"
    x = Value(2.0, label="x")
    assert name(x**-3) == "x⁻³" and name((x * x).exp()) == "exp(x·x)" and tex("x⁻³") == "x^{-3}"


def test_g_and_g_prime_are_written_once_and_match_the_engine() -> None:
    assert tuple(ACTIVATION_FUNCTIONS) == ACTIVATIONS
    a = np.array(POINTS)
    for g, entry in ACTIVATION_FUNCTIONS.items():
        np.testing.assert_array_equal(activation(a, g), entry.g(a))
        np.testing.assert_array_equal(activation_derivative(a, g), entry.g_prime(a, None))
        for x in POINTS:
            v = Value(x)
            out = v if entry.method is None else getattr(v, entry.method)()
            out.backward()
            assert out.data == pytest.approx(float(entry.g(np.array([x]))[0]), rel=1e-15)
            assert v.grad == pytest.approx(float(entry.g_prime(np.array([x]), None)[0]), rel=1e-12)
    assert math.isclose(float(ACTIVATION_FUNCTIONS["logistic"].g(np.array([-800.0]))[0]), 0.0, abs_tol=1e-300)


def test_losses_go_with_their_output_functions() -> None:
    from micrograd_nptel import cli
    from micrograd_nptel.nn import OUTPUTS

    assert LOSSES == {"cross_entropy": "softmax", "squared_error": "linear"} and set(LOSSES.values()) <= set(OUTPUTS)
    assert cli.LOSSES is LOSSES
    assert list(cli.ACTIVATION_NAMES.items()) == [  # --activation's choices, in this order
        ("logistic", "logistic"), ("sigmoid", "logistic"), ("tanh", "tanh"), ("relu", "relu"), ("linear", "linear"), ("identity", "linear")
    ]  # fmt: skip


def test_the_answer_grammar_and_its_latex_reader_read_the_one_table() -> None:
    """exercises/formula.py calls each op of the table (but relu, written as g of a relu network) by its numpy function,
    g and g' are the table's, and exercises/latex.py reads each op's LaTeX command back as its name."""
    from micrograd_nptel.exercises.formula import FUNCTION_NAMES, Context, evaluate, read
    from micrograd_nptel.exercises.latex import normalize

    assert [n for n in FUNCTION_NAMES if n in UNARY_OPS] == [n for n in UNARY_OPS if n != "relu"]
    for x in (0.3, 1.7):
        ctx = Context(values={"x": np.array(x)})
        for name in FUNCTION_NAMES:
            if name in UNARY_OPS:
                assert float(evaluate(read(f"{name}(x)", ctx), ctx)) == float(UNARY_OPS[name].numpy(np.array(x)))
        for g, entry in ACTIVATION_FUNCTIONS.items():
            ctx = Context(values={"x": np.array(x)}, g=g)
            assert float(evaluate(read("g(x)", ctx), ctx)) == float(entry.g(np.array(x)))
            assert float(evaluate(read("g'(x)", ctx), ctx)) == float(entry.g_prime(np.array(x), None))
    for op in UNARY_OPS.values():
        if op.latex is not None and op.latex[1:].isalpha():
            assert normalize(op.latex + "^2(x)").split() == [f"{op.name}(x)^2"]
    assert normalize(r"\sigma^2(z)") == "σ(z)^2"
