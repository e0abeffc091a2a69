"""The feedforward network of CS7015 Lecture 4, built on :class:`Value`.

Notation (Module 4.1): the input is ``x = h_0`` (n numbers); layer ``i = 1..L`` computes
the pre-activation ``a_i = b_i + W_i h_{i-1}`` and the activation ``h_i = g(a_i)``; the
output is ``ŷ = h_L = O(a_L)``. ``W_{i,j,k}`` (row j, column k of ``W_i``) is the weight
from unit k of layer i-1 to unit j of layer i. The parameters are
``θ = [W_1..W_L, b_1..b_L]``. Indices in names and labels start at 1, as on the slides;
Python lists start at 0, so ``layer.W[j-1][k-1]`` is ``W_{i,j,k}``.
"""

from __future__ import annotations

import json
import math
import numbers
import os
import random
import re
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast, overload

from ._validate import as_rng, check_number, positive_int
from .engine import LeafRows, Scalar, Value, leaf_rows, leaf_units, lift, make_node
from .files import check_input_file, write_atomic
from .notation import ACTIVATION_FUNCTIONS

if TYPE_CHECKING:
    from .optim import Optimizer
    from .training import EpochStats

ACTIVATIONS = tuple(ACTIVATION_FUNCTIONS)
"""The hidden-layer activation functions g (CS7015 Lecture 4, Modules 4.1 and 4.9)."""

OUTPUTS = ("softmax", "linear")
"""The output functions O (CS7015 Lecture 4, Module 4.3)."""
MLP_OUTPUTS = OUTPUTS + ("logistic",)
"""The output functions O the scalar MLP offers: also ``"logistic"`` (a logistic unit per output, with squared error)."""

_G: dict[str, Callable[[Value], Value]] = {
    name: getattr(Value, g.method) for name, g in ACTIVATION_FUNCTIONS.items() if g.method is not None
}
"""Each g by name, as the engine's method (``"logistic"``: :meth:`Value.sigmoid`); linear adds no node."""


# ---------------------------------------------------------------------- output and loss functions
def class_label(label: object, k: int) -> int:
    """``label`` as a class index in ``[0, k)``: an int or a numpy integer, never a bool or a float such as 1.5.

    Raises:
        TypeError: ``label`` is not an integer.
        ValueError: ``label`` outside ``[0, k)``.
    """
    if isinstance(label, bool) or type(label).__name__ == "bool_" or not isinstance(label, numbers.Integral):
        raise TypeError(f"a class label must be an int in [0, {k}), got {label!r} of type {type(label).__name__}")
    index = int(label)
    if not 0 <= index < k:
        raise ValueError(f"label {label} is out of range for {k} classes (expected 0 <= label < {k})")
    return index


def one_hot(label: int, k: int) -> list[float]:
    """The lecture's ``e(l)``: k floats, 1.0 at index ``label`` and 0.0 elsewhere (CS7015 Lecture 4, Module 4.5).

    Raises:
        TypeError: ``label`` is not an integer (1.5, True).
        ValueError: ``label`` outside ``[0, k)``.
    """
    label = class_label(label, k)
    return [1.0 if j == label else 0.0 for j in range(k)]


def argmax(y_hat: Sequence[Value]) -> int:
    """The index (0-based) of the largest ``data`` among k >= 1 Values: the predicted class."""
    return max(range(len(y_hat)), key=lambda j: y_hat[j].data)


def softmax(a: Sequence[Scalar]) -> list[Value]:
    """The softmax output function ``ŷ_j = e^{a_j} / Σ_i e^{a_i}`` (CS7015 Lecture 4, Module 4.3).

    Returns k nodes; node j has all k inputs as parents, with local derivatives the
    lecture's Jacobian (Module 4.5) ``∂ŷ_j/∂a_i = ŷ_j (1(i=j) - ŷ_i)``. Computed stably
    (the max is subtracted before exponentiating), so any finite ``a`` works.

    Args:
        a: the k >= 1 pre-activations ``a_L`` (Values or numbers).

    Returns:
        ``ŷ``: a list of k Values that sum to 1.

    Raises:
        ValueError: ``a`` is empty.
    """
    parents = tuple(lift(v) for v in a)
    if not parents:
        raise ValueError("softmax needs at least one input, got an empty sequence")
    m = max(p.data for p in parents)
    e = [math.exp(p.data - m) for p in parents]
    s = sum(e)
    y = [ei / s for ei in e]
    return [Value.from_op(yj, parents, [yj * ((i == j) - yi) for i, yi in enumerate(y)], op="softmax") for j, yj in enumerate(y)]


def cross_entropy(y_hat: Sequence[Value], label: int) -> Value:
    """The cross-entropy loss ``L = -Σ_c y_c log ŷ_c = -log ŷ_l`` for true class l (CS7015 Lecture 4, Module 4.3).

    One node whose only parent is ``ŷ_l``, with local derivative ``∂L/∂ŷ_l = -1/ŷ_l``
    (Module 4.5: ``∇_ŷ L = -(1/ŷ_l) e(l)``).

    Args:
        y_hat: the k predicted probabilities ``ŷ`` (usually from :func:`softmax`).
        label: the true class l, an int in ``[0, k)`` (0-based, unlike the slides).

    Raises:
        TypeError: ``label`` is not an integer.
        ValueError: ``label`` is out of range; ``ŷ_l`` is not a probability in (0, 1]; or ``ŷ_l``
            underflowed to 0 or is so small that -1/ŷ_l overflows (the message says to use
            :func:`cross_entropy_with_logits` on the logits).
    """
    label = class_label(label, len(y_hat))
    p = lift(y_hat[label])
    if p.data == 0.0:  # ŷ_l underflowed: the logits a_L are too far apart for the probability view
        how = "it underflowed: e^{a_l} is negligible beside the other e^{a_i}" if p.op == "softmax" else "-log 0 is infinite"
        raise ValueError(
            f"cross_entropy needs a probability 0 < ŷ_l <= 1, got ŷ_{label + 1} = 0.0 ({how}); compute the loss from the "
            f"logits instead: cross_entropy_with_logits(a_L, {label}), the stable form training uses"
        )
    if not 0.0 < p.data <= 1.0:
        raise ValueError(f"cross_entropy needs a probability 0 < ŷ_l <= 1, got ŷ_{label + 1} = {p.data!r}")
    if p.data < _TINY:  # -1/ŷ_l would overflow: the logits are too far apart for the probability view
        raise ValueError(
            f"ŷ_{label + 1} = {p.data!r} is too small for ∂L/∂ŷ_l = -1/ŷ_l (it overflows); use cross_entropy_with_logits(a_L, {label}), "
            "the stable form that training uses"
        )
    return Value.from_op(-math.log(p.data), (p,), (-1.0 / p.data,), op="cross_entropy")


_TINY = 1.0 / 1.7e308  # below this, 1/ŷ overflows a float


def cross_entropy_with_logits(a: Sequence[Scalar], label: int) -> Value:
    """``L = -log softmax(a)_l = logsumexp(a) - a_l``, stable for any finite logits a (CS7015 Lecture 4, Module 4.5).

    One node whose parents are the k logits ``a_L`` (the output layer's pre-activations), with
    the local derivatives Module 4.5 derives unit by unit: ``∂L/∂a_{L,i} = ŷ_i - 1(i = l)``, i.e.
    ``∇_{a_L} L = -(e(l) - ŷ)``. Unlike ``cross_entropy(softmax(a), l)`` it never forms
    ``-1/ŷ_l``, so a gap of 10^4 between logits gives L = 10^4 and gradients ±1, as PyTorch's
    ``F.cross_entropy`` does. The value is ``(max(a) - a_l) + log1p(Σ_{i≠top} e^{a_i - max(a)})`` (top: one largest
    logit), accurate to a few units in the last place however large the logits or small the loss
    (``([1e17, 1e17], 0)`` gives log 2; ``([0, 40], 1)`` gives 4.25e-18). Training
    (:func:`~micrograd_nptel.training.fit`) uses it; the
    lecture's view through ŷ (``cross_entropy(mlp(x), l)``) stays for teaching.

    Args:
        a: the k >= 1 logits (Values or numbers).
        label: the true class l, an int in ``[0, k)`` (0-based).

    Raises:
        TypeError: ``label`` is not an integer.
        ValueError: ``a`` is empty or ``label`` out of range.
    """
    logits = tuple(lift(v) for v in a)
    if not logits:
        raise ValueError("cross_entropy_with_logits needs at least one logit, got none")
    label = class_label(label, len(logits))
    z = [v.data for v in logits]
    m = max(z)
    top = label if z[label] == m else z.index(m)  # one largest logit: its e^{a_top - m} is exactly 1
    e = [_exp_difference(zi, m) for zi in z]
    rest = math.fsum(e[:top] + e[top + 1 :])  # Σ_{i≠top} e^{a_i - m}, so Σ_i e^{a_i - m} = 1 + rest
    s = 1.0 + rest
    # L = log Σ_i e^{a_i} - a_l = (m - a_l) + log(1 + rest): no cancellation between large terms
    # (m + log s - a_l gave 0.0 for [1e17, 1e17]; log1p keeps 4.25e-18 for ([0, 40], 1)).
    loss = (m - z[label]) + math.log1p(rest)
    grads = [ei / s for ei in e]  # ∂L/∂a_i = ŷ_i - 1(i = l), and ŷ_l - 1 = -Σ_{i≠l} ŷ_i without cancellation
    grads[label] = -(rest if top == label else math.fsum(e[:label] + e[label + 1 :])) / s
    # what Value.from_op(loss, logits, grads, op="cross_entropy") makes, unchecked but for overflow: the parents are
    # Values and the local derivatives finite floats in [-1, 1] by construction (a speed shortcut: one node per example)
    return make_node(loss, "cross_entropy", logits, tuple(grads))


def _exp_difference(x: float, m: float) -> float:
    """``e^{x - m}`` to a few units in the last place: ``x - m`` is rounded, so its rounding error (found exactly, by
    Knuth's TwoSum) is put back as the factor ``1 + err`` (without it ``e^{-147}`` was 1.4e-14 off)."""
    d = x - m
    back = d - x
    err = (x - (d - back)) - (m + back)  # x - m = d + err exactly
    e = math.exp(d)
    return e + e * err


def squared_error(y_hat: Sequence[Value], y: Sequence[float]) -> Value:
    """The squared error ``L = Σ_j (y_j - ŷ_j)^2`` for real outputs (CS7015 Lecture 4, Module 4.3).

    One node whose parents are the k outputs ``ŷ_j``, with local derivatives
    ``∂L/∂ŷ_j = 2(ŷ_j - y_j)`` (so with a linear O, ``∇_{a_L} L = 2(ŷ - y)``). The slide's
    average over N examples is taken by the caller.

    Args:
        y_hat: the k predictions (Values or numbers).
        y: the k targets (numbers; Values are read by their ``data``).

    Raises:
        ValueError: ``y_hat`` and ``y`` differ in length, or are empty.
        TypeError: a target is not a real number.
        OverflowError: the loss overflows a float.
    """
    preds = tuple(lift(v) for v in y_hat)
    targets = [t.data if isinstance(t, Value) else check_number(t, "target") for t in y]
    if len(preds) != len(targets):
        raise ValueError(f"squared_error: {len(preds)} predictions but {len(targets)} targets (expected equal lengths)")
    if not preds:
        raise ValueError("squared_error needs at least one output, got none")
    diffs = [p.data - t for p, t in zip(preds, targets)]
    try:
        total = math.fsum(d * d for d in diffs)
    except OverflowError:
        total = math.inf
    return Value.from_op(total, preds, [2.0 * d for d in diffs], op="squared_error")


# ---------------------------------------------------------------------- modules
class Module:
    """Base of every network piece, like PyTorch's ``nn.Module``: parameters and their gradients."""

    def named_parameters(self) -> list[tuple[str, Value]]:
        """Every parameter with its name in the lecture's notation, in θ's order."""
        raise NotImplementedError

    def parameters(self) -> list[Value]:
        """Every parameter, each once, in the order of :meth:`named_parameters`.

        A Value placed in two places (weights tied by sharing one leaf, as PyTorch ties a
        ``Parameter``: ``mlp.layers[1].W[1][2] = mlp.layers[0].W[2][1]``) is listed once, where it
        first appears: its gradient is the sum over both uses, and an optimizer steps it once.
        A computed node placed in a parameter's slot (``W[0][0] = w * 2``) is listed too, but it is
        a constant of the forward pass (its data is not recomputed when ``w`` changes) and
        optimizers refuse it (``ValueError``).
        """
        return list({id(p): p for _, p in self.named_parameters()}.values())

    def zero_grad(self) -> None:
        """Set every parameter's ``grad`` to 0.0 (leaves accumulate across ``backward()`` calls)."""
        for p in self.parameters():
            p.grad = 0.0


INITS = ("random", "xavier", "he")
"""Weight initialisations: ``random`` (this library's default: uniform with the Glorot bound), ``xavier`` (Glorot normal), ``he``."""


def init_weights(rng: random.Random, nin: int, nout: int, init: str = "random") -> list[list[float]]:
    """The ``nout x nin`` initial weights of one layer, row by row, from Python's Mersenne Twister ``rng``.

    ``random``: ``U(-√(6/(nin+nout)), +√(6/(nin+nout)))`` (the default; identical on every machine);
    ``xavier``: Glorot & Bengio's normal form, ``N(0, 2/(nin+nout))``; ``he``: He et al.'s ``N(0, 2/nin)``
    for ReLU layers. Biases start at 0.

    Raises:
        ValueError: an unknown ``init``.
    """
    if init == "random":
        bound = math.sqrt(6.0 / (nin + nout))
        return [[rng.uniform(-bound, bound) for _ in range(nin)] for _ in range(nout)]
    if init == "xavier":
        sd = math.sqrt(2.0 / (nin + nout))
    elif init == "he":
        sd = math.sqrt(2.0 / nin)
    else:
        raise ValueError(f"init must be one of {INITS}, got {init!r}")
    return [[rng.gauss(0.0, sd) for _ in range(nin)] for _ in range(nout)]


def _inputs(h: Sequence[Scalar], n: int, layer: int = 1) -> tuple[Value, ...] | list[float]:
    """The n inputs of layer ``layer``: a list of floats if all are numbers (they enter the graph as constants, no node
    each), else a tuple of Values (a number among Values becomes a leaf labelled ``x_k``, or ``h_{i-1,k}`` for a later
    layer i); or a clear error."""
    if (type(h) is list or type(h) is tuple) and len(h) == n and set(map(type, h)) == {float}:  # speed shortcut: n floats,
        total = sum(h)
        if total - total == 0.0:  # all finite if their sum is (else the checks below name the one that is not)
            return list(h)
    if isinstance(h, (str, bytes)) or not isinstance(h, Iterable):
        raise TypeError(f"input must be a list of {n} numbers or Values, got {h!r}")
    h = list(h)
    if len(h) != n:
        raise ValueError(f"input has length {len(h)}, expected {n}")
    labels = _x_labels(n) if layer == 1 else [f"h_{{{layer - 1},{k + 1}}}" for k in range(n)]
    if not any(isinstance(v, Value) for v in h):
        return [check_number(v, f"input {labels[k]}") for k, v in enumerate(h)]
    return tuple(v if isinstance(v, Value) else Value(check_number(v, f"input {labels[k]}"), label=labels[k]) for k, v in enumerate(h))


def _is_batch(x: object) -> bool:
    """Whether ``x`` is B inputs (rows), not one input: a 2-D array, or a non-empty sequence whose first item is a row."""
    ndim = getattr(x, "ndim", None)
    if ndim is not None:
        return bool(ndim == 2)
    if isinstance(x, (str, bytes)) or not isinstance(x, Sequence) or len(x) == 0:
        return False
    first = x[0]
    return isinstance(first, Iterable) and not isinstance(first, (str, bytes))


def _x_labels(n: int) -> list[str]:
    """``x_1 .. x_n``: the input h_0 = x, as the lecture names it."""
    return [f"x_{k + 1}" for k in range(n)]


class Neuron(Module):
    """One unit: ``a = b + Σ_k w_k h_k`` (one ``linear`` node) and ``h = g(a)``.

    Args:
        nin: the number of inputs n.
        activation: g, one of ``"logistic"``, ``"tanh"``, ``"relu"``, ``"linear"``.
        seed: an int (or a ``random.Random``) for the Glorot-uniform weights; ``b = 0``.

    Attributes:
        w: n weight Values, labelled ``w_1..w_n``; b: the bias Value.
        a, h: the pre-activation and activation of the last call (None before).

    Raises:
        ValueError/TypeError: ``nin`` is not a positive int, or ``activation`` is unknown.

    Source: CS7015 Lecture 4, Module 4.1 (a single unit of the network).
    """

    def __init__(self, nin: int, activation: str = "logistic", seed: int | random.Random = 0) -> None:
        self.nin = positive_int(nin, "nin")
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation {activation!r} is not one of {ACTIVATIONS}")
        self.activation = activation
        self.w = [Value(v, label=f"w_{k + 1}") for k, v in enumerate(init_weights(as_rng(seed), nin, 1)[0])]
        self.b = Value(0.0, label="b")
        self.a: Value | None = None
        self.h: Value | None = None

    def __call__(self, x: Sequence[Scalar]) -> Value:
        """Return ``h = g(b + Σ_k w_k x_k)`` for n inputs x (numbers or Values)."""
        xs = _inputs(x, self.nin)
        a = Value.pre_activations([self.w], xs, [self.b])[0]
        a.label = "a"
        h = a if self.activation == "linear" else _G[self.activation](a)
        if h is not a:
            h.label = "h"
        self.a, self.h = a, h
        return h

    def named_parameters(self) -> list[tuple[str, Value]]:
        """``[("w_1", w_1), ..., ("w_n", w_n), ("b", b)]``."""
        return [(p.label, p) for p in self.w] + [("b", self.b)]

    def __repr__(self) -> str:
        return f"Neuron(nin={self.nin}, activation={self.activation!r})"


class Layer(Module):
    """Layer i: ``a_i = b_i + W_i h_{i-1}`` unit by unit, then ``h_i = g(a_i)`` (CS7015 Lecture 4, Module 4.1).

    Each unit's pre-activation ``a_{i,j} = b_{i,j} + Σ_k W_{i,j,k} h_{i-1,k}`` is ONE
    ``Value.linear`` node; ``h_{i,j} = g(a_{i,j})`` is one more (none for "linear").
    With ``activation="softmax"`` (an output layer) ``h_i = softmax(a_i)``.

    Args:
        nin: n_{i-1}, the number of inputs.
        nout: n_i, the number of units.
        activation: g (``"logistic"``, ``"tanh"``, ``"relu"``, ``"linear"``) or ``"softmax"``.
        seed: an int or a ``random.Random``; weights are Glorot-uniform
            ``U(-√(6/(nin+nout)), +√(6/(nin+nout)))`` drawn row by row with Python's
            Mersenne Twister (identical on every machine); biases are 0.
        index: i, used in labels (``W_{i,j,k}``, ``a_{i,j}``, ...).
        init: the weights' initialisation, see :func:`init_weights`.

    Attributes:
        W: ``nout`` rows of ``nin`` Values; ``W[j-1][k-1]`` is ``W_{i,j,k}``.
        b: ``nout`` bias Values; ``b[j-1]`` is ``b_{i,j}``.
        a, h: the ``nout`` pre-activations and activations of the last call
            (empty before the first), so ``layer.a[j].grad`` is ∂L/∂a_{i,j+1} after backward.
        h_prev: the last call's ``nin`` inputs h_{i-1}: a tuple of Values, or a list of floats when
            they were all numbers (then they entered as constants: no node, no ∂L/∂x; pass Values
            to read ``x_j.grad``).

    Raises:
        ValueError/TypeError: sizes not positive ints, unknown activation, or (on call)
        an input of the wrong length.
    """

    def __init__(
        self, nin: int, nout: int, activation: str = "logistic", seed: int | random.Random = 0, index: int = 1, init: str = "random"
    ) -> None:
        self.nin = positive_int(nin, "nin")
        self.nout = positive_int(nout, "nout")
        if activation not in ACTIVATIONS + ("softmax",):
            raise ValueError(f"activation {activation!r} is not one of {ACTIVATIONS + ('softmax',)}")
        self.activation = activation
        self.index = positive_int(index, "index")
        rng = as_rng(seed)
        i = self.index
        rows = init_weights(rng, self.nin, self.nout, init)
        self.W = [[Value(v, label=f"W_{{{i},{j + 1},{k + 1}}}") for k, v in enumerate(row)] for j, row in enumerate(rows)]
        self.b = [Value(0.0, label=f"b_{{{i},{j + 1}}}") for j in range(nout)]
        self.a: list[Value] = []
        self.h: list[Value] = []
        self.h_prev: Sequence[Value] | list[float] = []
        self._a_labels = [f"a_{{{i},{j + 1}}}" for j in range(nout)]
        # the output layer's h_L is ŷ (Module 4.1: ŷ = h_L = O(a_L))
        self._h_labels = [f"ŷ_{j + 1}" if activation == "softmax" else f"h_{{{i},{j + 1}}}" for j in range(nout)]

    def _leaf_rows(self) -> LeafRows | None:
        """``leaf_rows(W, b, nin)`` while W and b hold the leaves last found there, in this layer's shape, else None (a
        speed shortcut: see ``leaf_units``).

        The lists last checked are kept (the same Values, so none can be freed and its address reused) and compared by
        identity, in C; a weight replaced by another Value, leaf or not, is found at the next call."""
        seen = self.__dict__.get("_leaves_seen")
        if seen is not None and seen[0] == self.W and seen[1] == self.b:
            return cast(LeafRows, seen[2])
        rows = leaf_rows(self.W, self.b, self.nin) if len(self.W) == self.nout else None
        self._leaves_seen = ([list(row) for row in self.W], list(self.b), rows) if rows is not None else None
        return rows

    def _pre_activations(self, h_prev: Sequence[Value] | list[float], labels: Sequence[str] | None) -> list[Value]:
        """``a_i = b_i + W_i h_{i-1}`` for ``h_{i-1}`` as ``_inputs`` gives it, labelled ``labels`` (None: left unlabelled)."""
        rows = self._leaf_rows() if len(h_prev) == self.nin else None
        if rows is not None:  # speed shortcut: W and b checked at their last change
            return leaf_units(rows, h_prev, labels if labels is not None else [""] * self.nout)
        a = Value.pre_activations(self.W, h_prev, self.b)  # the plain version
        for node, name in zip(a, labels or ()):
            node.label = name
        return a

    def __getstate__(self) -> dict[str, Any]:
        """Pickle and copy the layer without the leaves last checked (found again at the next call)."""
        state = self.__dict__.copy()
        state.pop("_leaves_seen", None)
        return state

    def _label_as_output(self) -> None:
        """Name this layer's activations ŷ_j: it is the output layer (ŷ = h_L = O(a_L))."""
        self._h_labels = [f"ŷ_{j + 1}" for j in range(self.nout)]

    def __call__(self, h_prev: Sequence[Scalar]) -> list[Value]:
        """Return ``h_i`` (``nout`` Values) for ``h_{i-1}`` (``nin`` numbers or Values)."""
        return self._forward(_inputs(h_prev, self.nin, self.index))

    def _forward(self, h_prev: Sequence[Value] | list[float]) -> list[Value]:
        """``h_i`` for ``h_{i-1}``: Values, or a list of floats (constants: no node per input) as ``_inputs`` gives."""
        a = self._pre_activations(h_prev, self._a_labels)  # numbers enter as constants: then a's parents are W and b only
        self.h_prev = h_prev
        if self.activation == "linear":
            h = a
        else:
            g = _G.get(self.activation)
            h = softmax(a) if g is None else [g(v) for v in a]
            for node, name in zip(h, self._h_labels):
                node.label = name
        self.a, self.h = a, h
        return h

    def zero_grad(self) -> None:
        """Set every parameter's ``grad`` to 0.0 (leaves accumulate across ``backward()`` calls)."""
        for row in self.W:  # as Module.zero_grad, without listing the parameters first (a Value placed twice is zeroed twice)
            for p in row:
                p.grad = 0.0
        for p in self.b:
            p.grad = 0.0

    def named_parameters(self) -> list[tuple[str, Value]]:
        """``W_{i,j,k}`` row by row, then ``b_{i,j}``: ``nout*nin + nout`` pairs."""
        return [(p.label, p) for row in self.W for p in row] + [(p.label, p) for p in self.b]

    def __repr__(self) -> str:
        return f"Layer(nin={self.nin}, nout={self.nout}, activation={self.activation!r}, index={self.index})"


class MLP(Module):
    """The lecture's feedforward network: L-1 hidden layers of g, then ``ŷ = O(a_L)``.

    ``MLP(n, [n, n], k)`` is the network in the figures of CS7015 Lecture 4 (Module 4.1):
    n inputs, two hidden layers, k outputs, L = 3.

    Args:
        nin: n, the number of inputs.
        hidden: the sizes of the L-1 hidden layers (a list of positive ints, may be empty).
        nout: k, the number of outputs (classes for softmax).
        activation: g for the hidden layers: ``"logistic"`` (default), ``"tanh"``,
            ``"relu"`` or ``"linear"``.
        output: O: ``"softmax"`` (classification, with :func:`cross_entropy`),
            ``"linear"`` (real outputs, with :func:`squared_error`) or ``"logistic"``
            (k logistic output units ŷ_j = σ(a_{L,j}) in (0, 1), with :func:`squared_error`:
            the classic worked example of a 2-2-2 logistic network).
        seed: the int seed of the initialisation; layer 1 draws first, each weight
            Glorot-uniform (see :class:`Layer`), biases 0: identical on every machine.
        init: ``"random"`` (default), ``"xavier"`` or ``"he"`` (see :func:`init_weights`).

    Attributes:
        layers: the L :class:`Layer` objects, input side first (``layers[i-1]`` is layer i).

    Raises:
        TypeError/ValueError: a size is not a positive int, an unknown g or O, or a softmax over k = 1 output.
    """

    def __init__(
        self,
        nin: int,
        hidden: Sequence[int],
        nout: int,
        activation: str = "logistic",
        output: str = "softmax",
        seed: int | random.Random | None = 0,
        init: str = "random",
    ) -> None:
        if isinstance(hidden, (int, str)) or not isinstance(hidden, Sequence):
            raise TypeError(f"hidden must be a list of hidden-layer sizes, got {hidden!r}")
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation {activation!r} is not one of {ACTIVATIONS}")
        if output not in MLP_OUTPUTS:
            raise ValueError(f"output {output!r} is not one of {MLP_OUTPUTS}")
        sizes = [positive_int(nin, "nin")] + [positive_int(n, "hidden size") for n in hidden] + [positive_int(nout, "nout")]
        if output == "softmax" and sizes[-1] == 1:
            raise ValueError(
                "a softmax over k = 1 output is always ŷ = 1 (zero gradients, nothing to learn): use k >= 2, or output='linear'"
            )
        rng = as_rng(0 if seed is None else seed)
        self.nin, self.hidden, self.nout = sizes[0], sizes[1:-1], sizes[-1]
        self.activation, self.output, self.seed = activation, output, seed
        gs = [activation] * len(hidden) + [output]
        if init not in INITS:
            raise ValueError(f"init {init!r} is not one of {INITS}")
        self.init = init
        self.layers = [Layer(sizes[i], sizes[i + 1], gs[i], seed=rng, index=i + 1, init=init) for i in range(len(gs))]
        self.layers[-1]._label_as_output()

    def __call__(self, x: Sequence[Scalar]) -> list[Value]:
        """Forward propagation: return ``ŷ`` (k Values) for one input x (n numbers or Values)."""
        h: Sequence[Value] | list[float] = _inputs(x, self.nin)
        for layer in self.layers:
            h = layer._forward(h)
        return cast(list[Value], h)

    def logits(self, x: Sequence[Scalar]) -> list[Value]:
        """The output layer's pre-activations ``a_L`` (k Values) for one input x: ``ŷ = O(a_L)`` without O.

        What :func:`cross_entropy_with_logits` takes, and enough for the predicted class of a softmax
        output (``argmax_j ŷ_j = argmax_j a_{L,j}``: the softmax keeps the order), so no ŷ node is made.
        The hidden layers keep this pass in their ``a``, ``h`` and ``h_prev``, as a call does; the output
        layer's are left as they were (call the network to draw or explain a pass).

        Raises:
            TypeError/ValueError: x is not n numbers or Values.

        Source: CS7015 Lecture 4, Module 4.1 (``a_L = b_L + W_L h_{L-1}``, ``ŷ = O(a_L)``).
        """
        h: Sequence[Value] | list[float] = _inputs(x, self.nin)
        for layer in self.layers[:-1]:
            h = layer._forward(h)
        return self.layers[-1]._pre_activations(h, None)

    @overload
    def predict(self, X: Sequence[Scalar]) -> int: ...
    @overload
    def predict(self, X: Sequence[Sequence[Scalar]]) -> list[int]: ...
    def predict(self, X: Any) -> int | list[int]:
        """The predicted class ``argmax_j ŷ_j`` (0-based): an int for one input X of n numbers, a list of B ints for a
        batch of B inputs (B rows of n numbers, a list of lists or a (B, n) numpy array), as
        :meth:`batched.Network.predict <micrograd_nptel.batched.Network.predict>` predicts a batch.

        Each forward pass's graph is dropped when its class is known (it is freed at once: evaluating a data
        set costs no more memory than one example); the layers' ``a`` and ``h`` keep the last one.

        Raises:
            TypeError/ValueError: an input is not n numbers (see ``__call__``).
        """
        if _is_batch(X):
            return [argmax(self(row)) for row in X]
        return argmax(self(X))

    # ------------------------------------------------------------------ training (the interface of batched.Network)
    def fit(
        self,
        X: Sequence[Sequence[float]],
        y: Sequence[int],
        epochs: int = 100,
        batch_size: int = 8,
        optimizer: Optimizer | None = None,
        seed: int = 0,
        on_epoch: Callable[[EpochStats], None] | None = None,
        lr: float = 0.5,
    ) -> list[EpochStats]:
        """Train by mini-batch gradient descent on N labelled examples: :func:`micrograd_nptel.training.fit` on this
        network, with :meth:`batched.Network.fit <micrograd_nptel.batched.Network.fit>`'s signature (the defaults are
        the scalar engine's: fewer, smaller steps' worth of data, so more epochs and a larger η).

        Args:
            X: N rows of n features; y: N labels in [0, k).
            epochs, batch_size: >= 1 (B >= N is full-batch gradient descent).
            optimizer: built on ``self.parameters()``; by default ``SGD(self.parameters(), lr)``.
            seed: the shuffling seed; on_epoch: called with each epoch's stats; lr: η of the default SGD (> 0).

        Returns:
            One :class:`~micrograd_nptel.training.EpochStats` per epoch.

        Raises:
            ValueError: bad sizes, labels or settings; ``TrainingDiverged`` (a ValueError) when the loss, a gradient
                or an update stops being finite (CS7015 Lecture 4, Module 4.8's loop; Lecture 5's optimizers).
        """
        from .training import fit

        return fit(self, X, y, epochs=epochs, lr=lr, batch_size=batch_size, seed=seed, on_epoch=on_epoch, optimizer=optimizer)

    def accuracy(self, X: Sequence[Sequence[float]], y: Sequence[int]) -> float:
        """The fraction in [0, 1] of the N rows of X whose predicted class equals the label
        (:func:`micrograd_nptel.training.accuracy`).

        Raises:
            ValueError: ``X`` and ``y`` differ in length or are empty.
        """
        from .training import accuracy

        return accuracy(self, X, y)

    def loss(self, X: Sequence[Sequence[float]], y: Sequence[int]) -> float:
        """The mean loss over the N rows of X (cross-entropy for a softmax output, squared error to ``e(l)``
        otherwise: Module 4.3's table), without a backward pass; as :meth:`batched.Network.loss
        <micrograd_nptel.batched.Network.loss>`.

        Raises:
            ValueError: ``X`` and ``y`` differ in length or are empty, or a label is not a class in ``[0, k)``.
        """
        from .training import example_loss

        if len(X) != len(y) or len(X) == 0:
            raise ValueError(f"loss needs equal, non-zero numbers of rows and labels, got {len(X)} and {len(y)}")
        return math.fsum(example_loss(self, x, label)[0].data for x, label in zip(X, y)) / len(y)

    def zero_grad(self) -> None:
        """Set every parameter's ``grad`` to 0.0 (leaves accumulate across ``backward()`` calls)."""
        for layer in self.layers:
            layer.zero_grad()

    def named_parameters(self) -> list[tuple[str, Value]]:
        """θ = [W_1..W_L, b_1..b_L] (CS7015 Lecture 4, Module 4.2), entries named ``W_{i,j,k}`` and ``b_{i,j}``."""
        ws = [(p.label, p) for layer in self.layers for row in layer.W for p in row]
        bs = [(p.label, p) for layer in self.layers for p in layer.b]
        return ws + bs

    # ------------------------------------------------------------------ persistence
    def config(self) -> dict[str, Any]:
        """The constructor arguments, as JSON-ready data."""
        return {
            "nin": self.nin,
            "hidden": self.hidden,
            "nout": self.nout,
            "activation": self.activation,
            "output": self.output,
            "seed": self.seed if isinstance(self.seed, int) else None,  # a random.Random is not data
            "init": self.init,
        }

    def state_dict(self) -> dict[str, list[Any]]:
        """``{"W1": [[...]] (n_1 x n_0), ..., "WL", "b1": [...] (n_1), ..., "bL"}``: plain floats, θ's order."""
        state: dict[str, list[Any]] = {f"W{layer.index}": [[w.data for w in row] for row in layer.W] for layer in self.layers}
        state.update({f"b{layer.index}": [b.data for b in layer.b] for layer in self.layers})
        return state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Copy the numbers of a :meth:`state_dict` into the parameters (in place; grads untouched).

        Every key, shape and number is checked first; a failed load leaves the network as it was.

        Raises:
            ValueError: a key is missing or extra, a shape differs from this network's, or a
                number is NaN, infinite or too large for a float.
            TypeError: an entry is not a real number.
        """
        shapes = _layer_shapes([self.nin, *self.hidden, self.nout])
        new = _checked_state(state, shapes)
        for layer in self.layers:
            for row, values in zip(layer.W, new[f"W{layer.index}"]):
                for p, v in zip(row, values):
                    p.data = v
            for p, v in zip(layer.b, new[f"b{layer.index}"]):
                p.data = v

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the config and parameters as JSON, atomically (temp file, fsync, then rename).

        Floats are written with ``repr``, so :meth:`load` restores them bit for bit. A new file
        gets the usual mode (0666 less the umask); an existing file keeps its mode; a symlink is
        followed, so the file it points to is replaced, not the link.

        Raises:
            ValueError: a parameter is NaN or infinite (such a file could not be loaded again); or
                ``path`` is refused (see :func:`~micrograd_nptel.files.check_output_file`: empty, a
                device, FIFO or folder, a missing or read-only folder, a name too long). Nothing is written.
            OSError: the write itself failed (a full disk); a previous file at ``path`` is unchanged.
        """
        for name, p in self.named_parameters():
            if not math.isfinite(p.data):
                raise ValueError(f"not saving: parameter {name} is {p.data!r} (training diverged?); a saved model must be finite")
        write_model(path, self.config(), self.state_dict())

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> MLP:
        """Read a network written by :meth:`save`.

        The file is checked before any memory is spent on the network: its config must be
        valid, the state's shapes must match it, and the file must hold as many numbers as the
        config implies (so a small file cannot ask for a huge network).

        Raises:
            OSError: the file cannot be read.
            ValueError: the file is not a saved MLP (not UTF-8 JSON, nested too deeply, no
                format/config/state_dict), or its shapes or numbers do not match its config.
        """
        model, new = read_model(path, lambda config: cls(**config))
        model.load_state_dict(new)
        return model

    def __repr__(self) -> str:
        return f"MLP({self.nin}, {self.hidden}, {self.nout}, activation={self.activation!r}, output={self.output!r}, seed={self.seed})"


# ---------------------------------------------------------------------- persistence helpers
MODEL_VERSIONS = (1,)
"""The model-file format versions :meth:`MLP.load` reads (:func:`write_model` writes the last)."""

MAX_FILE_BYTES = 512 * 1024 * 1024
"""The largest file :meth:`MLP.load` reads (512 MiB: about 25 million parameters as JSON)."""


def write_model(path: str | os.PathLike[str], config: dict[str, Any], state: dict[str, list[Any]]) -> None:
    """Write the file format :meth:`MLP.load` reads: ``{"format", "version", "config", "state_dict"}`` as JSON, atomically.

    Shared by ``MLP.save`` and ``batched.Network.save`` (which writes it without building the scalar network).

    Args:
        path: the file; config: ``MLP.config()``'s keys; state: ``{"W1": n_1 x n_0 lists, ..., "b1": n_1 floats, ...}``.

    Raises:
        ValueError: ``path`` is refused (see :func:`~micrograd_nptel.files.check_output_file`) or a number is not finite.
        OSError: the write itself failed; a previous file at ``path`` is unchanged.
    """
    doc = {"format": "micrograd_nptel.MLP", "version": 1, "config": config, "state_dict": state}
    write_atomic(path, json.dumps(doc, allow_nan=False), "save")


_M = TypeVar("_M")


def read_model(path: str | os.PathLike[str], build: Callable[[dict[str, Any]], _M]) -> tuple[_M, dict[str, list[Any]]]:
    """Read the file format :func:`write_model` writes: the model ``build(config)`` makes, and the file's checked numbers.

    Shared by :meth:`MLP.load` and ``batched.Network.load``. The file is checked before any memory is
    spent on the model: a regular file of at most ``MAX_FILE_BYTES``; its first ``HEAD_BYTES`` hold the
    format marker and a config whose sizes allow the file's size (``BYTES_PER_NUMBER`` a parameter), all
    read before the whole file is parsed; then UTF-8 JSON of a known version, a valid config, and a state
    whose keys and shapes match that config, every number a finite float.

    Args:
        path: the file; build: makes the model from the config's keys (``nin``, ``hidden``, ``nout``, ...).

    Returns:
        ``(build(config), state)``, with ``state`` as :meth:`MLP.state_dict` gives it (floats).

    Raises:
        FileNotFoundError: nothing is at ``path``; OSError: it cannot be read.
        ValueError: the file names something that is not a regular file, or is not a saved model (not UTF-8
            JSON, nested too deeply, an unknown version, no format/config/state_dict), or its shapes or numbers
            do not match its config. Each message names the file.
    """
    where = repr(check_input_file(path, "model file"))  # a device or FIFO is refused before reading
    size = os.path.getsize(path)
    if size > MAX_FILE_BYTES:
        raise ValueError(f"{where} is {size} bytes, more than a saved MLP may be ({MAX_FILE_BYTES} bytes)")
    _check_head(path, where, size)  # the first 64 KiB: a saved model's marker and config, and the size that config allows
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except json.JSONDecodeError as e:
        raise ValueError(f"{where} is not valid JSON: {e}") from None
    except UnicodeDecodeError:
        raise ValueError(f"{where} is not a text (UTF-8) file, so not a saved MLP") from None
    except RecursionError:
        raise ValueError(f"{where} is JSON nested too deeply to be a saved MLP") from None
    except ValueError as e:  # an integer of more digits than int() converts (sys.get_int_max_str_digits)
        raise ValueError(f"{where} holds a number too long to read: {e}") from None
    if not isinstance(doc, dict) or doc.get("format") != "micrograd_nptel.MLP" or "config" not in doc or "state_dict" not in doc:
        raise ValueError(f"{where} is not a saved micrograd_nptel MLP (no format/config/state_dict)")
    version = doc.get("version", 1)
    if type(version) is not int or version not in MODEL_VERSIONS:
        raise ValueError(f"{where} has format version {version!r}; this release reads version {', '.join(map(str, MODEL_VERSIONS))}")
    config = doc["config"]
    keys = {"nin", "hidden", "nout", "activation", "output", "seed", "init"}
    if not isinstance(config, dict) or not set(config) <= keys or not {"nin", "hidden", "nout"} <= set(config):
        raise ValueError(f"{where} has a bad config {config!r}: expected the keys {sorted(keys)}")
    hidden = config["hidden"]
    try:
        if not isinstance(hidden, list):
            raise TypeError(f"hidden must be a list of sizes, got {hidden!r}")
        sizes = [
            positive_int(config["nin"], "nin"),
            *(positive_int(n, "hidden size") for n in hidden),
            positive_int(config["nout"], "nout"),
        ]
        new = _checked_state(doc["state_dict"], _layer_shapes(sizes))  # the file's numbers, before building anything
        model = build(config)
    except (TypeError, ValueError) as e:
        raise ValueError(f"{where} does not hold a valid MLP: {e}") from None
    return model, new


HEAD_BYTES = 64 * 1024
"""How much of a model file :func:`read_model` reads first: a saved model's format marker and config lie there."""

BYTES_PER_NUMBER = 64
"""The most a saved parameter takes in a model file (``repr`` of a float is at most 24 characters; 64 leaves room
for a separator and the indentation of a file written again with ``json.dump(..., indent=...)``)."""

_CONFIG_KEY = re.compile(r'"config"\s*:\s*')


def _check_head(path: str | os.PathLike[str], where: str, size: int) -> None:
    """Refuse a file larger than ``HEAD_BYTES`` that is no saved model, or is larger than its config allows, from its head.

    A file :func:`write_model` wrote (or one rewritten with sorted keys or indentation) holds the marker
    ``"micrograd_nptel.MLP"`` and its config before the state's numbers; the config's sizes say how many numbers
    follow (``Σ_k n_k (n_{k-1} + 1)``), so a file of more than ``HEAD_BYTES + BYTES_PER_NUMBER`` bytes a number
    is refused before it is parsed (a 100 MB JSON list took 1.17 GB to parse before it was refused).

    Raises:
        ValueError: no marker or no config in the head, a config whose sizes are not positive ints, or a file
            too large for its config. Each message names the file.
    """
    if size <= HEAD_BYTES:
        return  # a small file costs little to parse: read_model's checks name what is wrong with it
    with open(path, "rb") as f:
        head = f.read(HEAD_BYTES).decode("utf-8", errors="replace")  # a character cut at the end is of no matter
    if '"micrograd_nptel.MLP"' not in head:
        raise ValueError(
            f'{where} is not a saved micrograd_nptel MLP (no "format": "micrograd_nptel.MLP" in its first {HEAD_BYTES:,} bytes)'
        )
    found = _CONFIG_KEY.search(head)
    try:
        config = json.JSONDecoder().raw_decode(head, found.end())[0] if found else None
    except (ValueError, RecursionError):  # cut by the head's end, or not JSON: read_model's full parse says which
        config = None
    if not isinstance(config, dict) or not isinstance(config.get("hidden"), list):
        raise ValueError(f"{where} is not a saved micrograd_nptel MLP (no config in its first {HEAD_BYTES:,} bytes)")
    try:
        sizes = [positive_int(config.get("nin"), "nin"), *(positive_int(n, "hidden size") for n in config["hidden"])]
        sizes.append(positive_int(config.get("nout"), "nout"))
    except (TypeError, ValueError) as e:
        raise ValueError(f"{where} does not hold a valid MLP: {e}") from None
    numbers = sum(n_out * (n_in + 1) for n_out, n_in in _layer_shapes(sizes))
    most = HEAD_BYTES + BYTES_PER_NUMBER * numbers
    if size > most:
        raise ValueError(
            f"{where} is {size:,} bytes, more than a saved MLP of sizes {sizes} takes ({numbers:,} numbers: "
            f"at most {most:,} bytes); it is not a saved model"
        )


def _layer_shapes(sizes: Sequence[int]) -> list[tuple[int, int]]:
    """``[(n_1, n_0), (n_2, n_1), ...]``: the shape of each W_k."""
    return [(sizes[k + 1], sizes[k]) for k in range(len(sizes) - 1)]


def _checked_state(state: object, shapes: Sequence[tuple[int, int]]) -> dict[str, list[Any]]:
    """A state dict's numbers as floats, after checking every key, shape and number (nothing is built before)."""
    keys = {f"W{k}" for k in range(1, len(shapes) + 1)} | {f"b{k}" for k in range(1, len(shapes) + 1)}
    if not isinstance(state, dict) or set(state) != keys:
        got = sorted(state) if isinstance(state, dict) else type(state).__name__
        raise ValueError(f"state_dict keys {got} do not match the network's {sorted(keys)}")
    out: dict[str, list[Any]] = {}
    for k, (nout, nin) in enumerate(shapes, 1):
        W, b = state[f"W{k}"], state[f"b{k}"]
        if not (isinstance(W, list) and len(W) == nout and all(isinstance(r, list) and len(r) == nin for r in W)):
            raise ValueError(f"W{k} must have shape ({nout}, {nin}) (nout rows of nin numbers)")
        if not (isinstance(b, list) and len(b) == nout):
            raise ValueError(f"b{k} must have length {nout}")
        out[f"W{k}"] = [[check_number(v, f"W_{{{k},{i + 1},{j + 1}}}") for j, v in enumerate(row)] for i, row in enumerate(W)]
        out[f"b{k}"] = [check_number(v, f"b_{{{k},{i + 1}}}") for i, v in enumerate(b)]
    return out
