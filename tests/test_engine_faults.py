"""The engine and losses at the edges of floating point (issue 34, items 1, 2, 7 and 12): the cross-entropy value
from the logits exact to the last bits for huge and large logits, an infinite local derivative refused at the op that
made it (and a leaf's gradient that overflows in backward named), clear errors for an integer too large for a float,
an empty layer and a root that is no Value, and the probability view's advice when ŷ_l underflowed."""

from __future__ import annotations

import math
import random
from decimal import Decimal, localcontext

import pytest

from micrograd_nptel import Value, cross_entropy, softmax, topological_order
from micrograd_nptel.nn import cross_entropy_with_logits


def exact_loss(a: list[float], label: int) -> float:
    """log Σ_i e^{a_i} - a_l in 60-digit decimal arithmetic, rounded once to a float: the reference value."""
    with localcontext() as ctx:
        ctx.prec = 60
        d = [Decimal(v) for v in a]
        m = max(d)
        top = d.index(m)
        r = sum((v - m).exp() for i, v in enumerate(d) if i != top)  # Σ_{i≠top} e^{a_i - m}; Σ_i e^{a_i - m} = 1 + r
        log1p = (1 + r).ln() if r > Decimal("1e-20") else r - r * r / 2 + r * r * r / 3  # ln(1 + r), r tiny too
        return float(m - d[label] + log1p)


def exact_grads(a: list[float], label: int) -> list[float]:
    """ŷ_i - 1(i = l) in 60-digit decimal arithmetic."""
    with localcontext() as ctx:
        ctx.prec = 60
        m = max(Decimal(v) for v in a)
        e = [(Decimal(v) - m).exp() for v in a]
        s = sum(e)
        return [float(ei / s - (i == label)) for i, ei in enumerate(e)]


@pytest.mark.parametrize(
    "a, label, expected",
    [
        ([1e17, 1e17], 0, math.log(2.0)),  # was 0.0: m + log 2 - a_l lost log 2 beside 1e17
        ([0.0, 40.0], 1, 4.248354255291589e-18),  # was 0.0: log(1 + 4.25e-18) rounded to log(1)
        ([0.0, 25.0], 1, math.log1p(math.exp(-25.0))),  # was 1.38876e-11, 2.8e-5 off
        ([3.0, 3.0, 3.0], 2, math.log(3.0)),
        ([1e300, -1e300], 1, 2e300),
    ],
)
def test_cross_entropy_with_logits_value_is_exact_for_huge_and_large_logits(a: list[float], label: int, expected: float) -> None:
    logits = [Value(v) for v in a]
    L = cross_entropy_with_logits(logits, label)
    assert L.data == pytest.approx(expected, rel=4e-16)
    assert L.data == pytest.approx(exact_loss(a, label), rel=4e-16)
    L.backward()
    assert [v.grad for v in logits] == pytest.approx(exact_grads(a, label), rel=1e-15, abs=1e-300)


def test_cross_entropy_with_logits_loses_nothing_for_logits_of_20_to_32() -> None:
    worst = 0.0
    for gap in [20.0 + 0.25 * k for k in range(49)]:  # 20 .. 32: the loss e^-gap was 5e-10 to 12% off
        for a, label in (([0.0, gap], 1), ([-gap, 0.0, -gap - 1.0], 1), ([gap, 0.5 * gap, 0.0, gap], 3)):
            L = cross_entropy_with_logits(a, label)
            worst = max(worst, abs(L.data - exact_loss(a, label)) / exact_loss(a, label))
    assert worst < 4e-16


def test_cross_entropy_with_logits_agrees_with_pytorch_float64() -> None:
    torch = pytest.importorskip("torch")
    rng = random.Random(34)
    for _ in range(300):
        k = rng.randint(2, 6)
        scale = rng.choice([1.0, 10.0, 100.0, 1e4, 1e15])
        a = [rng.uniform(-scale, scale) for _ in range(k)]
        label = rng.randrange(k)
        logits = [Value(v) for v in a]
        L = cross_entropy_with_logits(logits, label)
        L.backward()
        t = torch.tensor(a, dtype=torch.float64, requires_grad=True)
        T = torch.nn.functional.cross_entropy(t[None], torch.tensor([label]))
        T.backward()
        assert t.grad is not None
        # PyTorch's log_softmax rounds log(1 + tiny) to 0 as ours did: compare where its value carries the digits
        assert L.data == pytest.approx(T.item(), rel=1e-13, abs=1e-15)
        assert L.data == pytest.approx(exact_loss(a, label), rel=1e-15, abs=1e-300)
        assert [v.grad for v in logits] == pytest.approx(t.grad.tolist(), rel=1e-12, abs=1e-15)


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: Value(1e-310).log(), r"local derivative of log at \(1e-310\) overflows a float \(inf\)"),
        (lambda: Value(10.0) ** Value(308.2), r"local derivative of \*\* at \(10, 308.2\) overflows a float \(inf\)"),
        (lambda: Value(1.5) ** 1750.0, r"local derivative of \*\*1750 at \(1.5\) overflows a float \(inf\)"),
        (lambda: Value.from_op(1.0, [Value(2.0)], [math.inf], op="f"), r"local derivative of f at \(2\) overflows a float \(inf\)"),
        (lambda: Value.from_op(1.0, [Value(2.0)], [math.nan], op="f"), r"local derivative of f at \(2\) overflows a float \(nan\)"),
    ],
)
def test_an_infinite_local_derivative_is_an_overflow_error_at_its_op(make: object, match: str) -> None:
    with pytest.raises(OverflowError, match=match):
        make()  # type: ignore[operator]


def test_the_gradient_of_a_tiny_power_product_is_never_a_silent_inf() -> None:
    x = Value(1.5)
    with pytest.raises(OverflowError, match=r"\*\*1750"):
        y = (x**1750.0) * 1e-300  # the value is 1e8, but ∂/∂x = 1750 · 1.5^1749 · 1e-300 went through an infinite local derivative
        y.backward()
    assert x.grad == 0.0


def test_a_leaf_gradient_that_overflows_in_backward_is_named() -> None:
    x = Value(1e-300, label="x")
    z = (x * 1e200) * 1e200  # every value and local derivative finite; ∂z/∂x = 1e400 is not
    with pytest.raises(OverflowError, match=r"backward: ∂/∂x overflowed a float \(inf\) through \* \(local derivative 1e\+200"):
        z.backward()
    w = Value(2.0, label="w")
    (w * 3.0 * 1e149).backward()  # upstream 1e149 and 3e149: large but finite, no false alarm
    assert w.grad == pytest.approx(3e149)


def test_bad_arguments_get_errors_that_name_them() -> None:
    with pytest.raises(ValueError, match=r"Value data is too large for a float .* an integer of about 5,000 digits"):
        Value(10**5000)  # was Python's "Exceeds the limit (4300 digits)"
    with pytest.raises(ValueError, match=r"pre_activations needs at least one unit: W has no rows"):
        Value.pre_activations([], [1.0], [])  # was a bare StopIteration
    with pytest.raises(TypeError, match=r"topological_order needs a Value .* got 3 of type int"):
        topological_order(3)  # type: ignore[arg-type]  # was an AttributeError


def test_an_underflowed_probability_says_to_use_the_logits() -> None:
    a = [Value(0.0), Value(800.0)]
    with pytest.raises(ValueError, match=r"got ŷ_1 = 0.0 \(it underflowed.*cross_entropy_with_logits\(a_L, 0\)"):
        cross_entropy(softmax(a), 0)
    assert cross_entropy_with_logits(a, 0).data == 800.0
