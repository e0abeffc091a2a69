"""The engine: every op against its hand-derived derivative, the lecture's examples,
random graphs against central differences, depth, accumulation, memory and errors."""

from __future__ import annotations

import gc
import math
from collections.abc import Callable
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from micrograd_nptel import GradcheckError, Value, gradcheck, topological_order
from micrograd_nptel.training import gc_paused

POINTS = [-2.5, -0.7, 0.3, 1.0, 2.2]
POSITIVE = [0.2, 0.9, 1.5, 3.0]


def live_values() -> int:
    """How many Values are alive: Values are tracked by the cyclic GC, so gc.get_objects() lists them (it collects nothing)."""
    return sum(type(o) is Value for o in gc.get_objects())


def grad_of(f: Callable[[Value], Value], x: float) -> tuple[float, float]:
    v = Value(x)
    out = f(v)
    out.backward()
    return out.data, v.grad


# ---------------------------------------------------------------- unary ops: (f, value, derivative)
UNARY = {
    "exp": (lambda v: v.exp(), math.exp, math.exp, POINTS),
    "log": (lambda v: v.log(), math.log, lambda x: 1 / x, POSITIVE),
    "sqrt": (lambda v: v.sqrt(), math.sqrt, lambda x: 0.5 / math.sqrt(x), POSITIVE),
    "tanh": (lambda v: v.tanh(), math.tanh, lambda x: 1 - math.tanh(x) ** 2, POINTS),
    "sigmoid": (lambda v: v.sigmoid(), lambda x: 1 / (1 + math.exp(-x)), lambda x: math.exp(-x) / (1 + math.exp(-x)) ** 2, POINTS),
    "relu": (lambda v: v.relu(), lambda x: max(0.0, x), lambda x: 1.0 if x > 0 else 0.0, POINTS),
    "sin": (lambda v: v.sin(), math.sin, math.cos, POINTS),
    "cos": (lambda v: v.cos(), math.cos, lambda x: -math.sin(x), POINTS),
    "abs": (lambda v: v.abs(), abs, lambda x: math.copysign(1.0, x), POINTS),
    "builtin abs": (lambda v: abs(v), abs, lambda x: math.copysign(1.0, x), POINTS),
    "neg": (lambda v: -v, lambda x: -x, lambda x: -1.0, POINTS),
    "square": (lambda v: v**2, lambda x: x * x, lambda x: 2 * x, POINTS),
    "cube": (lambda v: v**3, lambda x: x**3, lambda x: 3 * x * x, POINTS),
    "reciprocal": (lambda v: v**-1, lambda x: 1 / x, lambda x: -1 / x**2, POINTS),
    "x**0.5": (lambda v: v**0.5, math.sqrt, lambda x: 0.5 / math.sqrt(x), POSITIVE),
    "x**0": (lambda v: v**0, lambda x: 1.0, lambda x: 0.0, POINTS),
    "2**x": (lambda v: 2**v, lambda x: 2**x, lambda x: 2**x * math.log(2), POINTS),
    "x+3": (lambda v: v + 3, lambda x: x + 3, lambda x: 1.0, POINTS),
    "3+x": (lambda v: 3 + v, lambda x: 3 + x, lambda x: 1.0, POINTS),
    "x-3": (lambda v: v - 3, lambda x: x - 3, lambda x: 1.0, POINTS),
    "3-x": (lambda v: 3 - v, lambda x: 3 - x, lambda x: -1.0, POINTS),
    "x*3": (lambda v: v * 3, lambda x: 3 * x, lambda x: 3.0, POINTS),
    "3*x": (lambda v: 3 * v, lambda x: 3 * x, lambda x: 3.0, POINTS),
    "x/4": (lambda v: v / 4, lambda x: x / 4, lambda x: 0.25, POINTS),
    "4/x": (lambda v: 4 / v, lambda x: 4 / x, lambda x: -4 / x**2, POINTS),
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_op_value_and_derivative(name: str) -> None:
    f, value, derivative, points = UNARY[name]
    for x in points:
        data, grad = grad_of(f, x)
        assert data == pytest.approx(value(x), rel=1e-12, abs=1e-12), (name, x)
        assert grad == pytest.approx(derivative(x), rel=1e-12, abs=1e-12), (name, x)


BINARY = {
    "+": (lambda a, b: a + b, lambda x, y: (1.0, 1.0)),
    "-": (lambda a, b: a - b, lambda x, y: (1.0, -1.0)),
    "*": (lambda a, b: a * b, lambda x, y: (y, x)),
    "/": (lambda a, b: a / b, lambda x, y: (1 / y, -x / y**2)),
    "**": (lambda a, b: a**b, lambda x, y: (y * x ** (y - 1), x**y * math.log(x))),
}


@pytest.mark.parametrize("op", sorted(BINARY))
@pytest.mark.parametrize("x,y", [(0.5, 1.7), (2.0, -0.3), (3.1, 2.0)])
def test_binary_op_local_grads_and_backward(op: str, x: float, y: float) -> None:
    f, derivs = BINARY[op]
    a, b = Value(x), Value(y)
    out = f(a, b)
    assert out.parents == (a, b)
    assert out.local_grads == pytest.approx(derivs(x, y), rel=1e-12)
    out.backward()
    assert (a.grad, b.grad) == pytest.approx(derivs(x, y), rel=1e-12)


def test_parent_used_twice_appears_twice() -> None:
    x = Value(3.0, label="x")
    y = x * x
    assert y.parents == (x, x) and y.local_grads == (3.0, 3.0) and y.op == "*"
    y.backward()
    assert x.grad == 6.0


def test_leaf_properties() -> None:
    x = Value(4, label="x")
    assert isinstance(x.data, float) and x.data == 4.0 and x.grad == 0.0
    assert x.op == "" and x.parents == () and x.local_grads == () and x.is_leaf
    assert repr(x) == "Value(label='x', data=4, grad=0)"
    with pytest.raises(AttributeError):
        x.op = "+"  # type: ignore[misc]
    assert Value(np.float64(1.5)).data == 1.5 and Value(Fraction(1, 4)).data == 0.25


# ---------------------------------------------------------------- the lecture's examples
@pytest.mark.parametrize("x0", [0.5, 1.0, 2.0, 3.7])
def test_multipath_example_module_4_6(x0: float) -> None:
    """z = log(y1/y2), y1 = x^2, y2 = x^3: dz/dx = (1/y1)(2x) - (1/y2)(3x^2) = -1/x."""
    x = Value(x0, label="x")
    y1, y2 = x**2, x**3
    z = (y1 / y2).log()
    z.backward()
    assert x.grad == pytest.approx(-1 / x0, rel=1e-12)
    q = y1 / y2
    # each path's product of local derivatives: x -> y1 -> q -> z and x -> y2 -> q -> z
    path1 = y1.local_grads[0] * q.local_grads[0] * z.local_grads[0]
    path2 = y2.local_grads[0] * q.local_grads[1] * z.local_grads[0]
    assert path1 == pytest.approx(2 / x0, rel=1e-12)
    assert path2 == pytest.approx(-3 / x0, rel=1e-12)
    assert path1 + path2 == pytest.approx(x.grad, rel=1e-12)
    assert y1.grad == pytest.approx(1 / x0**2) and y2.grad == pytest.approx(-1 / x0**3)


@pytest.mark.parametrize("x0", [-1.2, 0.4, 1.0, 2.5])
def test_mopuri_chain_example(x0: float) -> None:
    """f(x) = e^{sin(x^2)}: f'(x) = e^{sin(x^2)} cos(x^2) 2x (IIT Hyderabad Backpropagation-1)."""
    x = Value(x0)
    f = (x**2).sin().exp()
    f.backward()
    assert x.grad == pytest.approx(math.exp(math.sin(x0**2)) * math.cos(x0**2) * 2 * x0, rel=1e-12)


def test_mopuri_gradient_flow_example() -> None:
    """g = xy, f = g + z at x=-2, y=3, z=1 with upstream ∂L/∂f = -2 (downstream = upstream x local)."""
    x, y, z = Value(-2.0), Value(3.0), Value(1.0)
    g = x * y
    f = g + z
    assert (g.data, f.data) == (-6.0, -5.0)
    f.backward(-2.0)
    assert (g.grad, z.grad, x.grad, y.grad) == (-2.0, -2.0, -6.0, 4.0)


# ---------------------------------------------------------------- fused nodes
def test_linear_is_one_node_with_lecture_local_grads() -> None:
    w = [Value(0.5), Value(-1.0), Value(2.0)]
    h = [Value(1.0), Value(3.0), Value(-0.5)]
    b = Value(0.25)
    a = Value.linear(w, h, b)
    assert a.op == "linear" and a.data == pytest.approx(0.25 + 0.5 - 3.0 - 1.0)
    assert a.parents == (*w, *h, b)
    assert a.local_grads == (1.0, 3.0, -0.5, 0.5, -1.0, 2.0, 1.0)  # h_j, then w_j, then 1
    a.backward()
    assert [v.grad for v in w] == [1.0, 3.0, -0.5] and [v.grad for v in h] == [0.5, -1.0, 2.0] and b.grad == 1.0
    no_bias = Value.linear([1, 2], [3, 4])
    assert no_bias.data == 11.0 and len(no_bias.parents) == 4


def test_sum_is_one_node() -> None:
    xs = [Value(float(i)) for i in range(5)]
    s = Value.sum(xs + [10])
    assert s.data == 20.0 and s.op == "sum" and s.local_grads == (1.0,) * 6
    s.backward()
    assert all(x.grad == 1.0 for x in xs)


# ---------------------------------------------------------------- random graphs vs central differences
UNARY_SAFE: list[Callable[[Value], Value]] = [
    lambda v: v.tanh(),
    lambda v: v.sigmoid(),
    lambda v: v.sin(),
    lambda v: v.cos(),
    lambda v: (v * v + 1).log(),
    lambda v: (v * v + 0.5).sqrt(),
    lambda v: (v * 0.3).exp(),
    lambda v: v**2,
    lambda v: -v,
    lambda v: 1 / (v * v + 1),
]
BINARY_SAFE: list[Callable[[Value, Value], Value]] = [
    lambda a, b: a + b,
    lambda a, b: a - b,
    lambda a, b: a * b,
    lambda a, b: a / (b * b + 1),
    lambda a, b: (a * a + 1) ** (b.tanh()),
    lambda a, b: Value.linear([a, b], [b, a], a),
    lambda a, b: Value.sum([a, b, a]),
]


@st.composite
def programs(draw: st.DrawFn) -> tuple[int, list[tuple[int, int, int, int]]]:
    n_inputs = draw(st.integers(1, 4))
    steps = []
    for k in range(draw(st.integers(1, 12))):
        pool = n_inputs + k  # every earlier node can be reused: shared subexpressions
        steps.append((draw(st.integers(0, 1)), draw(st.integers(0, 9)), draw(st.integers(0, pool - 1)), draw(st.integers(0, pool - 1))))
    return n_inputs, steps


@settings(max_examples=150, deadline=None)
@given(prog=programs(), xs=st.lists(st.floats(-2, 2), min_size=4, max_size=4))
def test_random_graphs_against_central_differences(prog: tuple[int, list[tuple[int, int, int, int]]], xs: list[float]) -> None:
    n_inputs, steps = prog

    def f(*inputs: Value) -> Value:
        nodes = list(inputs)
        for kind, which, i, j in steps:
            if kind == 0:
                nodes.append(UNARY_SAFE[which](nodes[i]))
            else:
                nodes.append(BINARY_SAFE[which % len(BINARY_SAFE)](nodes[i], nodes[j]))
        return Value.sum(nodes[n_inputs:])  # every node reaches the root

    # repeated squaring of a shared node grows like 2^(2^k): keep graphs whose values a
    # central difference can resolve (rounding error ~ 1e-16 |f| / eps)
    try:
        probe = f(*[Value(v) for v in xs[:n_inputs]])
    except (OverflowError, ValueError):  # exp or ** overflowing is a documented error, not a gradient
        assume(False)
        raise
    assume(all(abs(node.data) < 100.0 for node in topological_order(probe)))
    report = gradcheck(f, xs[:n_inputs], eps=1e-6, atol=1e-6, rtol=1e-5)
    assert report.ok, str(report)


def test_gradcheck_report_and_error() -> None:
    report = gradcheck(lambda a, b: a * b.exp(), [Value(1.5, label="a"), 0.5])
    assert report.ok and [r.name for r in report.rows] == ["a", "x[1]"]
    assert report.rows[0].analytic == pytest.approx(math.exp(0.5)) and report.max_abs_error < 1e-6
    assert "analytic" in str(report)

    def bad(x: Value) -> Value:  # a node whose recorded local derivative is wrong
        out = x * 2.0
        out._local_grads = (3.0, x.data)
        return out

    report = gradcheck(bad, [1.0])
    assert not report.ok and report.rows[0].analytic == 3.0 and report.rows[0].numeric == pytest.approx(2.0)
    with pytest.raises(GradcheckError, match=r"x\[0\]: analytic 3 vs numeric 2"):
        gradcheck(bad, [1.0], raise_exception=True)
    assert issubclass(GradcheckError, AssertionError)
    with pytest.raises(TypeError, match="must return a Value"):
        gradcheck(lambda x: 1.0, [1.0])  # type: ignore[arg-type, return-value]
    with pytest.raises(ValueError, match="at least one input"):
        gradcheck(lambda: Value(1.0), [])


# ---------------------------------------------------------------- backward semantics
def test_million_node_chain_backward_with_default_recursion_limit() -> None:
    # A big graph, alive at once: built with the collector paused (training.gc_paused, as for a student's own loop
    # over a big graph); the engine's graphs hold no cycles. The subject is recursion.
    with gc_paused():
        x = Value(1.0)
        y = x
        for _ in range(1_000_000):
            y = y + 1.0
        y.backward()
        assert x.grad == 1.0 and y.data == 1_000_001.0
        del y  # freeing a deep chain must not overflow the C stack either


def test_repeated_backward_accumulates_leaves_and_resets_interior() -> None:
    x, w = Value(0.7, label="x"), Value(-1.3, label="w")
    h = (w * x).tanh()
    L = h * h + x
    L.backward()
    first = (x.grad, w.grad, h.grad)
    L.backward()
    assert x.grad == 2 * first[0] and w.grad == 2 * first[1]  # leaves accumulate exactly
    assert h.grad == first[2]  # interior grads hold this pass's ∂L/∂h
    L.backward(0.5)
    assert h.grad == 0.5 * first[2] and x.grad == 2.5 * first[0]


def test_backward_from_a_leaf_accumulates() -> None:
    x = Value(2.0)
    x.backward()
    x.backward()
    assert x.grad == 2.0


def test_topological_order_parents_first_each_node_once() -> None:
    x = Value(1.0)
    a = x * x
    b = a + x
    c = b * a
    order = topological_order(c)
    assert len(order) == len({id(n) for n in order}) == 4
    pos = {id(n): i for i, n in enumerate(order)}
    assert all(pos[id(p)] < pos[id(n)] for n in order for p in n.parents) and order[-1] is c


def test_graph_is_freed_by_reference_counting_alone() -> None:
    gc.collect()
    gc.disable()
    try:
        x = Value(0.5, label="x")
        y = x
        for _ in range(1000):
            y = (y * 1.01).tanh() + x
        y.backward()
        assert len(topological_order(y)) == 4001  # x, then 1000 x (constant 1.01, *, tanh, +)
        before = live_values()
        del y
        assert before - live_values() >= 4000  # only the leaf we still hold survives (and older nodes the record linked)
        assert x.grad != 0.0
    finally:
        gc.enable()


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize("bad", [True, "1.0", None, 1j, [1.0], (2.0,)])
def test_bad_data_is_a_type_error_naming_the_value(bad: object) -> None:
    with pytest.raises(TypeError, match=repr(bad).replace("(", r"\(").replace(")", r"\)").replace("[", r"\[").replace("]", r"\]")):
        Value(bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="real number"):
        Value(1.0) + bad  # type: ignore[operator]


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_data_is_a_value_error(bad: float) -> None:
    with pytest.raises(ValueError, match="finite"):
        Value(bad)


def test_label_must_be_a_string() -> None:
    with pytest.raises(TypeError, match="label"):
        Value(1.0, label=3)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "expr,match",
    [
        (lambda: Value(0.0).log(), r"log\(0.0\)"),
        (lambda: Value(-2.0).log(), r"log\(-2.0\)"),
        (lambda: Value(-1.0).sqrt(), r"sqrt\(-1.0\)"),
        (lambda: Value(0.0).sqrt(), r"sqrt\(0.0\)"),
        (lambda: Value(-2.0) ** 0.5, r"x=-2.0"),
        (lambda: Value(0.0) ** Value(2.0), r"x=0.0"),
        (lambda: Value(-1.0) ** Value(2.0), r"x=-1.0"),
        (lambda: (-2) ** Value(0.5), r"x=-2.0"),
        (lambda: Value(0.0) ** -1, r"0.0 \*\* -1"),
        (lambda: Value(1.0) / 0, r"division by zero: 1.0 / 0.0"),
        (lambda: 1 / Value(0.0), r"division by zero: 1.0 / 0.0"),
        (lambda: Value.linear([1, 2], [3]), "2 weights but 1 inputs"),
        (lambda: Value.linear([], []), "at least one"),
        (lambda: Value.sum([]), "at least one"),
    ],
)
def test_domain_errors_are_clear_value_errors(expr: Callable[[], Value], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        expr()


def test_power_overflow_is_an_overflow_error_as_the_readme_table_says() -> None:
    with pytest.raises(OverflowError, match=r"1e\+200 \*\* 2.0 overflows a float"):
        Value(1e200) ** 2
    with pytest.raises(OverflowError, match="overflows a float"):
        Value(2.0) ** Value(1100.0)


def test_exp_overflow_is_an_overflow_error_with_the_value() -> None:
    with pytest.raises(OverflowError, match=r"exp\(710.0\)"):
        Value(710.0).exp()
    assert Value(-1000.0).sigmoid().data == 0.0 and Value(1000.0).sigmoid().data == 1.0  # stable logistic


def test_backward_rejects_bad_seed_and_non_finite_root() -> None:
    with pytest.raises(TypeError, match="backward grad"):
        Value(1.0).backward("1")  # type: ignore[arg-type]
    with pytest.raises(OverflowError, match=r"\* overflowed a float: \*\(1e\+308, 10\) = inf"):
        Value(1e308) * 10.0  # reported where it happens, not later
    big = Value(1e300) * 10.0
    big.data = float("inf")  # set by hand
    with pytest.raises(ValueError, match="non-finite"):
        big.backward()
