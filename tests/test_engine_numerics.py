"""The engine's floating point: overflow reported at the op that overflowed, an accurate sigmoid, tiny divisors and NaN inputs."""

from __future__ import annotations

import math

import pytest

from micrograd_nptel import Value, squared_error
from micrograd_nptel.lecture import activation


def test_sigmoid_of_large_negative_inputs_is_accurate() -> None:
    for x in (-30.0, -40.0, -700.0):
        true = math.exp(x) / (1 + math.exp(x))
        assert Value(x).sigmoid().data == pytest.approx(true, rel=1e-15)
        assert activation([x])[0] == pytest.approx(true, rel=1e-15)
    assert Value(-40.0).sigmoid().log().data == pytest.approx(-40.0, rel=1e-12)  # raised before: log(0)


@pytest.mark.parametrize(
    "make, op",
    [
        (lambda: Value(1e308) + 1e308, r"\+"),
        (lambda: Value(-1e308) - 1e308, "-"),
        (lambda: Value(1e200) * 1e200, r"\*"),
        (lambda: Value(1e300) / 1e-10, "/"),
        (lambda: Value.linear([1e200], [1e200], 0.0), "linear"),
        (lambda: Value.sum([1e308, 1e308]), "sum"),
        (lambda: squared_error([Value(1e200)], [-1e200]), "squared_error"),
    ],
)
def test_overflow_is_an_error_at_the_op(make: object, op: str) -> None:
    with pytest.raises(OverflowError, match=rf"{op} overflowed a float"):
        make()  # type: ignore[operator]


def test_tiny_divisors_and_nan_inputs() -> None:
    with pytest.raises(OverflowError, match=r"local derivative of / at \(1, 1e-200\) overflows"):
        Value(1.0) / Value(1e-200)  # was a bare ZeroDivisionError from y*y underflowing
    q = Value(1e-100) / Value(1e-100)  # fine: -x/y² = -(x/y)/y
    assert q.local_grads == (1e100, -1e100)
    v = Value(1.0)
    v.data = float("nan")
    with pytest.raises(ValueError, match="relu of a non-finite value nan"):
        v.relu()  # was 0.0
