"""Checks of our own numbers: ``backward()`` against central differences.

The numerical derivative ``(f(x + ε) - f(x - ε)) / 2ε`` has error O(ε²), so it is the
independent referee for every gradient the engine computes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import NamedTuple

from ._validate import check_number
from .engine import Scalar, Value


class GradcheckError(AssertionError):
    """Raised by ``gradcheck(..., raise_exception=True)``; its message lists every mismatch."""


class GradcheckRow(NamedTuple):
    """One input's comparison: ``name``, ``analytic`` (from ``backward()``), ``numeric``, ``abs_error``, ``ok``."""

    name: str
    analytic: float
    numeric: float
    abs_error: float
    ok: bool


class GradcheckReport(NamedTuple):
    """The result of :func:`gradcheck`: one :class:`GradcheckRow` per input, in input order."""

    rows: list[GradcheckRow]
    atol: float
    rtol: float

    @property
    def ok(self) -> bool:
        """True if every row is within ``atol + rtol * |numeric|``."""
        return all(r.ok for r in self.rows)

    @property
    def max_abs_error(self) -> float:
        """The largest ``|analytic - numeric|`` over the inputs (0.0 for no inputs)."""
        return max((r.abs_error for r in self.rows), default=0.0)

    def __str__(self) -> str:
        lines = [f"{'input':<12} {'analytic':>16} {'numeric':>16} {'abs error':>11}  ok"]
        for r in self.rows:
            lines.append(f"{r.name:<12} {r.analytic:>16.9g} {r.numeric:>16.9g} {r.abs_error:>11.3g}  {'yes' if r.ok else 'NO'}")
        return "\n".join(lines)


def gradcheck(
    f: Callable[..., Value],
    inputs: Sequence[Scalar],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-4,
    raise_exception: bool = False,
) -> GradcheckReport:
    """Compare ``backward()`` with central differences for a scalar function of n inputs.

    ``f`` is called as ``f(*xs)`` with n fresh leaf Values and must return one Value.
    The analytic gradient is ``x_i.grad`` after ``f(*xs).backward()``; the numeric one
    is ``(f(.., x_i + eps, ..) - f(.., x_i - eps, ..)) / (2 eps)`` on the forward values.
    A row passes when ``|analytic - numeric| <= atol + rtol * |numeric|`` (as
    ``numpy.isclose`` and ``torch.autograd.gradcheck`` do).

    Args:
        f: a function of n Values returning a scalar Value.
        inputs: the n points (numbers, or Values whose ``data`` and ``label`` are used).
        eps: the finite-difference step (same units as the inputs).
        atol: absolute tolerance.
        rtol: relative tolerance.
        raise_exception: raise :class:`GradcheckError` listing the mismatches instead
            of returning a failing report.

    Returns:
        A :class:`GradcheckReport` with n rows (name, analytic, numeric, abs error, ok).

    Raises:
        TypeError: ``f`` does not return a Value, or an input is not a number/Value.
        ValueError: ``inputs`` is empty or ``eps`` is not positive.
        GradcheckError: with ``raise_exception=True``, when any row fails.

    Source: minitorch's central-difference checks; CS7015 Lecture 4 derives every
    gradient that these checks referee.
    """
    if len(inputs) == 0:  # len(), not truth: a numpy array of inputs is welcome
        raise ValueError("gradcheck needs at least one input, got an empty sequence")
    eps = check_number(eps, "eps")
    if eps <= 0.0:
        raise ValueError(f"eps must be positive, got {eps!r}")
    points = [x.data if isinstance(x, Value) else check_number(x, "gradcheck input") for x in inputs]
    names = [x.label if isinstance(x, Value) and x.label else f"x[{i}]" for i, x in enumerate(inputs)]

    def call(values: list[float]) -> Value:
        xs = [Value(v, label=n) for v, n in zip(values, names)]
        out = f(*xs)
        if not isinstance(out, Value):
            raise TypeError(f"gradcheck: f must return a Value, got {out!r} of type {type(out).__name__}")
        return out

    leaves = [Value(v, label=n) for v, n in zip(points, names)]
    out = f(*leaves)
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck: f must return a Value, got {out!r} of type {type(out).__name__}")
    out.backward()
    rows = []
    for i, (leaf, name) in enumerate(zip(leaves, names)):
        plus, minus = list(points), list(points)
        plus[i] += eps
        minus[i] -= eps
        numeric = (call(plus).data - call(minus).data) / (2.0 * eps)
        err = abs(leaf.grad - numeric)
        ok = math.isfinite(err) and err <= atol + rtol * abs(numeric)
        rows.append(GradcheckRow(name, leaf.grad, numeric, err, ok))
    report = GradcheckReport(rows, atol, rtol)
    if raise_exception and not report.ok:
        bad = [r for r in rows if not r.ok]
        detail = "; ".join(f"{r.name}: analytic {r.analytic:.9g} vs numeric {r.numeric:.9g} (abs error {r.abs_error:.3g})" for r in bad)
        raise GradcheckError(f"gradcheck failed for {len(bad)} of {len(rows)} inputs (atol={atol}, rtol={rtol}): {detail}")
    return report
