"""Tests against hand-derived gradients: :func:`assert_gradient`, usable from pytest with no plugin.

The project exists to check the engine's gradients against the formulas derived on the slides;
``assert_gradient`` is that check as one call, for our tests and a student's::

    from micrograd_nptel import Value
    from micrograd_nptel.testing import assert_gradient

    x = Value(2.0, label="x")
    z = ((x**2) / (x**3)).log()               # CS7015 Lecture 4, Module 4.6
    assert_gradient(z, x, lambda x: -1 / x)   # dz/dx = 2/x - 3/x = -1/x

A wrong expectation raises ``AssertionError`` with the engine's value, the expected one and, for
a scalar, the sum over paths that produced the engine's value (Module 4.6), so the message says
which step of a derivation to look at. :func:`~micrograd_nptel.gradcheck.gradcheck` checks the
engine against central differences instead; this checks it against *your* formula.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .engine import Value, topological_order

__all__ = ["assert_gradient", "gradient"]

Nested = Value | Sequence["Nested"]
"""A Value, or a (nested) list of Values in the slide's shape: ``layer.W`` is n_k x n_{k-1}."""


def gradient(root: Value, wrt: Nested) -> float | NDArray[np.float64]:
    """∂root/∂wrt from the engine: one ``root.backward()``, after which every leaf's ``grad`` is put back as it was
    (interior nodes hold this pass's ∂root/∂node, as after any backward).

    Args:
        root: the output (e.g. the loss L).
        wrt: a Value, or a nested list of Values (a vector h_k, a matrix W_k).

    Returns:
        A float for a Value; an array of the nested list's shape otherwise.

    Raises:
        TypeError: ``root`` is not a Value, or ``wrt`` holds something other than Values.
        ValueError: ``wrt`` is a ragged nested list.
    """
    if not isinstance(root, Value):
        raise TypeError(f"root must be a Value, got {root!r} of type {type(root).__name__}")
    nodes = _values(wrt)
    leaves = [v for v in topological_order(root) if v.is_leaf]
    saved = [v.grad for v in leaves]
    try:
        for v in leaves:
            v.grad = 0.0
        root.backward()
        below = {id(v) for v in topological_order(root)}
        grads = np.array([n.grad if id(n) in below else 0.0 for n in nodes.ravel()], dtype=float).reshape(nodes.shape)
    finally:
        for v, g in zip(leaves, saved):
            v.grad = g
    return float(grads) if isinstance(wrt, Value) else grads


def assert_gradient(
    root: Value,
    wrt: Nested,
    expected: float | Sequence[Any] | NDArray[np.float64] | Callable[..., Any],
    *,
    rtol: float = 1e-7,
    atol: float = 1e-12,
) -> None:
    """Assert that the engine's ∂root/∂wrt equals a hand-derived ``expected``, within ``|got - want| <= atol + rtol |want|``.

    Source: the project's own purpose: "unit tests against hand-derived gradients" (CS7015 Lecture 4,
    Modules 4.5-4.7 derive the formulas; Module 4.6 sums over the paths).

    Args:
        root: the output (e.g. the loss L).
        wrt: a Value, or a nested list of Values in the slide's shape (``layer.W`` is n_k x n_{k-1}).
        expected: a number; an array or nested list of ``wrt``'s shape; or a callable of the inputs: it is
            called with ``wrt``'s data (a float, or an array of ``wrt``'s shape) and returns one of those.
        rtol, atol: the relative and absolute tolerance (>= 0).

    Raises:
        AssertionError: the gradient differs; the message gives the engine's value, the expected one,
            which entries differ (for arrays) and the per-path breakdown of the engine's value.
        TypeError: ``root``/``wrt`` are not Values, or ``expected`` is not a number, array or callable.
        ValueError: a ragged ``wrt``, an ``expected`` of another shape, NaN in ``expected``, or a negative tolerance.
    """
    __tracebackhide__ = True  # a failing test shows the caller's line and the message, not this function's source
    for name, tol in (("rtol", rtol), ("atol", atol)):
        if isinstance(tol, bool) or not isinstance(tol, (int, float)) or not tol >= 0:
            raise ValueError(f"assert_gradient: {name} must be a number >= 0, got {tol!r}")
    got = gradient(root, wrt)
    nodes = _values(wrt)
    want_raw = expected(float(nodes.ravel()[0].data) if isinstance(wrt, Value) else _data(nodes)) if callable(expected) else expected
    want = _as_array(want_raw, np.shape(got))
    got_a = np.asarray(got, dtype=float)
    wrong = ~(np.abs(got_a - want) <= atol + rtol * np.abs(want))
    if not wrong.any():
        return
    tolerance = f"(tolerance atol={atol:g} + rtol={rtol:g}·|expected|)"
    close = functools.partial(_close, rtol=rtol, atol=atol)
    if isinstance(wrt, Value):
        lines = [f"∂{_name(root)}/∂{_name(wrt)}: the engine gives {float(got_a):.10g}, expected {float(want):.10g} {tolerance}"]
        lines += _scalar_slip(root, wrt, float(got_a), float(want), close)
        lines += _breakdown(root, wrt)
        raise AssertionError("\n".join(lines))
    where = [tuple(int(i) for i in idx) for idx in np.argwhere(wrong)]
    lines = [f"∂{_name(root)}/∂(array of shape {got_a.shape}): {len(where)} of {got_a.size} entries differ {tolerance}"]
    lines += _array_slip(got_a, want, close)
    for idx in where[:8]:
        node = nodes[idx]
        lines.append(f"  ∂{_name(root)}/∂{_name(node)} [index {idx}]: engine {got_a[idx]:.10g}, expected {want[idx]:.10g}")
    if len(where) > 8:
        lines.append(f"  ... and {len(where) - 8} more")
    worst = max(where, key=lambda idx: abs(got_a[idx] - want[idx]))
    lines.append(f"the engine's value for the largest difference, {_name(nodes[worst])}:")
    lines += _breakdown(root, nodes[worst])
    raise AssertionError("\n".join(lines))


# ---------------------------------------------------------------------- naming the slip
def _close(got: object, want: object, *, rtol: float, atol: float) -> bool:
    g, w = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    return g.shape == w.shape and bool(np.all(np.abs(g - w) <= atol + rtol * np.abs(w)))


def _scalar_slip(root: Value, wrt: Value, got: float, want: float, close: Callable[[object, object], bool]) -> list[str]:
    """The slip that explains a wrong scalar ``want`` (CS7015 Lecture 4, Module 4.6's sum over paths), as one line; [] if none."""
    from .derivation import explain

    if got != 0 and close(-got, want):
        return ["  slip [sign]: the expected value is the engine's with the wrong sign"]
    try:
        d = explain(root, wrt, limit=8)
    except ValueError:
        return []
    paths = d.paths
    if 2 <= len(paths) == d.count:
        for r in range(len(paths) - 1, 0, -1):
            for subset in itertools.combinations(range(len(paths)), r):
                if close(math.fsum(paths[i].product for i in subset), want):
                    missing = ", ".join(str(i + 1) for i in range(len(paths)) if i not in subset)
                    return [f"  slip [missing_paths]: the expected value sums only some paths; path {missing} below is missing"]
        if close(math.prod(p.product for p in paths), want):
            return ["  slip [paths_multiplied]: the expected value multiplies the paths; Module 4.6 adds them"]
    if len(paths) == 1 and d.count == 1:
        for symbol, value in paths[0].factors:
            if value != 0 and close(paths[0].product / value, want):
                return [f"  slip [missing_factor]: the expected value is the chain without its factor {symbol} = {value:.6g}"]
    return []


def _array_slip(got: NDArray[np.float64], want: NDArray[np.float64], close: Callable[[object, object], bool]) -> list[str]:
    """The slip that explains a wrong array ``want`` (sign, transpose), as one line; [] if none."""
    if np.any(got != 0) and close(-got, want):
        return ["  slip [sign]: every expected entry has the engine's value with the wrong sign"]
    if got.ndim == 2 and got.shape[0] == got.shape[1] and close(got.T, want):
        return ["  slip [transpose]: the expected array is the engine's transposed (entry (i, j) is ∂/∂[j, i])"]
    return []


# ---------------------------------------------------------------------- internals
def _values(wrt: Nested) -> NDArray[Any]:
    """``wrt`` as an object array of Values of its nested shape (a 0-d array for one Value)."""
    shape, flat = _walk(wrt)
    out = np.empty(len(flat), dtype=object)
    out[:] = flat
    return out.reshape(shape)


def _walk(wrt: object) -> tuple[tuple[int, ...], list[Value]]:
    """The shape of a nested list of Values and its Values in order (row-major)."""
    if isinstance(wrt, Value):
        return (), [wrt]
    if isinstance(wrt, (str, bytes)) or not isinstance(wrt, Sequence):
        raise TypeError(f"wrt must be a Value or a (nested) list of Values, got {wrt!r} of type {type(wrt).__name__}")
    if not wrt:
        raise ValueError("wrt is an empty list: give at least one Value")
    parts = [_walk(w) for w in wrt]
    shapes = {shape for shape, _ in parts}
    if len(shapes) > 1:
        raise ValueError(f"wrt is ragged: its rows have shapes {sorted(shapes)}; give a list in the slide's shape")
    return (len(parts), *parts[0][0]), [v for _, flat in parts for v in flat]


def _data(nodes: NDArray[Any]) -> NDArray[np.float64]:
    return np.array([v.data for v in nodes.ravel()], dtype=float).reshape(nodes.shape)


def _as_array(want: object, shape: tuple[int, ...]) -> NDArray[np.float64]:
    if isinstance(want, bool) or isinstance(want, (str, bytes)) or want is None:
        raise TypeError(f"expected must be a number, an array or a callable, got {want!r} of type {type(want).__name__}")
    try:
        arr = np.asarray(want, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"expected must be a number or an array of shape {shape}, got {want!r}") from None
    if arr.shape != shape:
        raise ValueError(f"expected has shape {arr.shape}, but the gradient has shape {shape} (the shape of wrt)")
    if not np.isfinite(arr).all():
        raise ValueError(f"expected holds NaN or infinite numbers: {want!r}")
    return arr


def _name(v: Value) -> str:
    from .derivation import name

    return name(v)


def _breakdown(root: Value, wrt: Value, shown: int = 6) -> list[str]:
    """The engine's value as Module 4.6's sum over paths (the first ``shown`` paths)."""
    from .derivation import explain

    try:
        d = explain(root, wrt, limit=shown)
    except ValueError:
        return [f"  (no path leads from {_name(wrt)} to {_name(root)}: the engine's value is 0)"]
    lines = [f"  the engine's value is the sum over {d.count} path{'s' * (d.count != 1)} (CS7015 Lecture 4, Module 4.6):"]
    for k, p in enumerate(d.paths, 1):
        factors = " · ".join(f"{s} ({v:.4g})" for s, v in p.factors) or "1"
        lines.append(f"    path {k}: {factors} = {p.product:.6g}")
    if d.count > len(d.paths):
        lines.append(f"    ... and {d.count - len(d.paths)} more")
    lines.append(f"    sum = {d.total:.10g}")
    return lines
