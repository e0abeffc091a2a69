"""The gradients CS7015 Lecture 4 derives by hand, in numpy, as the slides write them.

One function per result, so each can be set beside the engine's number for the same
quantity (:func:`compare`). Indices follow the slides: layers ``k = 1..L``, ``h_0 = x``,
and the results are dicts keyed by ``k`` (``fwd.a[3]`` is ``a_3``). Vectors are 1-D numpy
arrays; ``W_k`` has shape ``(n_k, n_{k-1})`` (the slide's ``W_L ∈ R^{n×k}`` is read as
``(k, n)`` so that ``a_L = W_L h_{L-1}`` is defined). Unit indices inside a vector are
0-based in numpy and 1-based in the names of :func:`compare`'s rows.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .engine import Value
from .nn import ACTIVATIONS, MLP, OUTPUTS, cross_entropy, one_hot, squared_error
from .notation import ACTIVATION_FUNCTIONS

Vector = NDArray[np.float64]
Matrix = NDArray[np.float64]
Params = Sequence[ArrayLike] | Mapping[int, ArrayLike]
"""``W_1..W_L`` (or ``b_1..b_L``): a list (item 0 is layer 1) or a dict keyed 1..L."""


# ---------------------------------------------------------------------- g, g' and O
def activation(a: ArrayLike, g: str = "logistic") -> Vector:
    """``h = g(a)`` elementwise: logistic ``1/(1+e^{-a})``, ``tanh``, ``relu`` or ``linear`` (Module 4.1).

    Raises:
        ValueError: an unknown ``g``.
    """
    if g not in ACTIVATIONS:
        raise ValueError(f"g must be one of {ACTIVATIONS}, got {g!r}")
    return ACTIVATION_FUNCTIONS[g].g(np.asarray(a, dtype=float))  # the formulas: notation.ACTIVATION_FUNCTIONS


def activation_derivative(a: ArrayLike, g: str = "logistic", h: ArrayLike | None = None) -> Vector:
    """``g'(a)`` elementwise (CS7015 Lecture 4, Module 4.9).

    logistic: ``g(a)(1 - g(a))``; tanh: ``1 - g(a)^2``; relu: 1 where a > 0, else 0;
    linear: 1. As the slide writes it, the logistic's and tanh's derivatives need only the
    activation ``h = g(a)``: pass it as ``h`` (same shape as ``a``) and it is not computed again.

    Raises:
        ValueError: an unknown ``g``.
    """
    if g not in ACTIVATIONS:
        raise ValueError(f"g must be one of {ACTIVATIONS}, got {g!r}")
    z = np.asarray(a, dtype=float)
    return ACTIVATION_FUNCTIONS[g].g_prime(z, None if h is None else np.asarray(h, dtype=float))


def output(a_L: ArrayLike, O: str = "softmax") -> Vector:
    """``ŷ = O(a_L)``: softmax ``e^{a_j}/Σ_i e^{a_i}`` (stable) or linear (Module 4.3).

    ``a_L`` is one vector (k,) or a batch (B, k); the softmax runs along the last axis.

    Raises:
        ValueError: an unknown ``O``.
    """
    z = np.asarray(a_L, dtype=float)
    if O == "softmax":  # along the last axis: one vector, or a batch of B rows
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        out: Vector = e / e.sum(axis=-1, keepdims=True)
        return out
    if O == "linear":
        result: Vector = z.copy()
        return result
    raise ValueError(f"O must be one of {OUTPUTS}, got {O!r}")


def e(label: int, k: int) -> Vector:
    """The one-hot vector ``e(l)`` of length k (Module 4.5).

    Raises:
        ValueError: ``label`` outside ``[0, k)``.
    """
    return np.array(one_hot(label, k))


# ---------------------------------------------------------------------- forward propagation
class Forward(NamedTuple):
    """The forward pass: ``a[k]`` for k = 1..L, ``h[k]`` for k = 0..L-1 (``h[0] = x``), and ``y_hat``."""

    a: dict[int, Vector]
    h: dict[int, Vector]
    y_hat: Vector


def _layers(W: Params, b: Params) -> tuple[dict[int, Matrix], dict[int, Vector]]:
    Wd = {k: np.asarray(v, dtype=float) for k, v in (W.items() if isinstance(W, Mapping) else enumerate(W, start=1))}
    bd = {k: np.asarray(v, dtype=float) for k, v in (b.items() if isinstance(b, Mapping) else enumerate(b, start=1))}
    L = len(Wd)
    if L == 0 or sorted(Wd) != list(range(1, L + 1)) or sorted(bd) != sorted(Wd):
        raise ValueError(f"W and b must both hold layers 1..L (L >= 1), got W for {sorted(Wd)} and b for {sorted(bd)}")
    for k in range(1, L + 1):
        if Wd[k].ndim != 2 or bd[k].shape != (Wd[k].shape[0],):
            raise ValueError(f"W_{k} must be a matrix (n_{k}, n_{k - 1}) and b_{k} a vector (n_{k},), got {Wd[k].shape} and {bd[k].shape}")
        if k > 1 and Wd[k].shape[1] != Wd[k - 1].shape[0]:
            raise ValueError(f"W_{k} has {Wd[k].shape[1]} columns but layer {k - 1} has {Wd[k - 1].shape[0]} units")
    return Wd, bd


def forward_propagation(W: Params, b: Params, x: ArrayLike, g: str = "logistic", O: str = "softmax") -> Forward:
    """The pseudo code's forward pass (CS7015 Lecture 4, Module 4.8).

    ``for k = 1..L-1: a_k = b_k + W_k h_{k-1}; h_k = g(a_k)``, then
    ``a_L = b_L + W_L h_{L-1}; ŷ = O(a_L)``, with ``h_0 = x``.

    Args:
        W: ``W_1..W_L``, ``W_k`` of shape (n_k, n_{k-1}); b: ``b_1..b_L``, ``b_k`` of length n_k.
        x: the input, length n_0.
        g: the hidden activation; O: the output function.

    Returns:
        :class:`Forward` with every ``a_k``, ``h_k`` and ``ŷ``.

    Raises:
        ValueError: inconsistent shapes, or unknown ``g``/``O``.
    """
    if g not in ACTIVATIONS:
        raise ValueError(f"g must be one of {ACTIVATIONS}, got {g!r}")
    if O not in OUTPUTS:
        raise ValueError(f"O must be one of {OUTPUTS}, got {O!r}")
    Wd, bd = _layers(W, b)
    L = len(Wd)
    h = {0: np.asarray(x, dtype=float)}
    if h[0].shape != (Wd[1].shape[1],):
        raise ValueError(f"x must have length {Wd[1].shape[1]} (the columns of W_1), got shape {h[0].shape}")
    a: dict[int, Vector] = {}
    for k in range(1, L):
        a[k] = bd[k] + Wd[k] @ h[k - 1]
        h[k] = activation(a[k], g)
    a[L] = bd[L] + Wd[L] @ h[L - 1]
    return Forward(a, h, output(a[L], O))


# ---------------------------------------------------------------------- the gradients, one slide each
def grad_y_hat(y_hat: ArrayLike, label: int) -> Vector:
    """``∇_ŷ L = -(1/ŷ_l) e(l)`` for ``L = -log ŷ_l`` (CS7015 Lecture 4, Module 4.5)."""
    y = np.asarray(y_hat, dtype=float)
    e_l = e(label, y.shape[0])  # checks 0 <= label < k
    result: Vector = -(1.0 / y[label]) * e_l + 0.0  # + 0.0: the zero entries are 0.0, not -0.0
    return result


def grad_output(y_hat: ArrayLike, label: int | ArrayLike) -> Vector:
    """``∇_{a_L} L = -(e(l) - ŷ)`` for softmax + cross-entropy (CS7015 Lecture 4, Module 4.5).

    One example: ``y_hat`` (k,) and an int ``label``; a batch: ``y_hat`` (B, k) and B labels, row by row.

    Raises:
        ValueError: a label outside ``[0, k)``.
    """
    y = np.asarray(y_hat, dtype=float)
    if y.ndim == 1:
        result: Vector = -(e(int(label), y.shape[0]) - y)  # type: ignore[arg-type]
        return result
    labels = np.asarray(label)
    if labels.shape != (y.shape[0],) or not np.issubdtype(labels.dtype, np.integer) or (labels < 0).any() or (labels >= y.shape[1]).any():
        raise ValueError(f"labels must be {y.shape[0]} ints in [0, {y.shape[1]}), got {labels!r}")
    batch: Vector = y.copy()
    batch[np.arange(y.shape[0]), labels] -= 1.0
    return batch


def grad_output_squared_error(y_hat: ArrayLike, y: ArrayLike) -> Vector:
    """``∇_{a_L} L = ∇_ŷ L = 2(ŷ - y)`` for a linear O and ``L = Σ_j (y_j - ŷ_j)^2`` (Module 4.3, one example)."""
    result: Vector = 2.0 * (np.asarray(y_hat, dtype=float) - np.asarray(y, dtype=float))
    return result


def grad_hidden(W_next: ArrayLike, grad_a_next: ArrayLike) -> Vector:
    """``∇_{h_i} L = W_{i+1}^T ∇_{a_{i+1}} L`` (CS7015 Lecture 4, Module 4.6).

    Entry j is ``∂L/∂h_{ij} = Σ_m ∂L/∂a_{i+1,m} W_{i+1,m,j}``: the sum over the paths
    through every unit m of layer i+1. ``grad_a_next`` may be a batch (B, n_{i+1}): then row by row.
    """
    out: Vector = np.asarray(grad_a_next, dtype=float) @ np.asarray(W_next, dtype=float)  # = W^T g; row by row for (B, n)
    return out


def grad_preactivation(grad_h: ArrayLike, a: ArrayLike, g: str = "logistic", h: ArrayLike | None = None) -> Vector:
    """``∇_{a_i} L = ∇_{h_i} L ⊙ [..., g'(a_{ij}), ...]`` (CS7015 Lecture 4, Module 4.6; g' from 4.9).

    ``h = g(a)``, when given, spares recomputing the activation (see :func:`activation_derivative`).
    """
    return np.asarray(grad_h, dtype=float) * activation_derivative(a, g, h)


def grad_weights(grad_a: ArrayLike, h_prev: ArrayLike) -> Matrix:
    """``∇_{W_k} L = ∇_{a_k} L h_{k-1}^T``, an outer product (CS7015 Lecture 4, Module 4.7).

    Entry (i, j) is ``∂L/∂W_{kij} = ∂L/∂a_{ki} h_{k-1,j}``; the shape is (n_k, n_{k-1}). For a batch,
    ``grad_a`` (B, n_k) and ``h_prev`` (B, n_{k-1}), the sum of the B outer products, ``grad_a^T h_prev``.
    """
    g, h = np.asarray(grad_a, dtype=float), np.asarray(h_prev, dtype=float)
    if g.ndim == 2:
        summed: Matrix = g.T @ h
        return summed
    return np.outer(g, h)


def grad_biases(grad_a: ArrayLike) -> Vector:
    """``∇_{b_k} L = ∇_{a_k} L`` (CS7015 Lecture 4, Module 4.7); for a batch (B, n_k), the sum over the B rows."""
    g = np.array(grad_a, dtype=float)
    if g.ndim == 2:
        summed: Vector = g.sum(axis=0)
        return summed
    return g


class Gradients(NamedTuple):
    """Every gradient of the backward pass, keyed by layer k as on the slides.

    ``W[k]``, ``b[k]``, ``a[k]`` for k = 1..L; ``h[k]`` for k = 0..L-1 (``h[0]`` is ∇_x L);
    ``y_hat`` is ``∇_ŷ L``; ``forward`` is the forward pass they came from.
    """

    W: dict[int, Matrix]
    b: dict[int, Vector]
    a: dict[int, Vector]
    h: dict[int, Vector]
    y_hat: Vector
    forward: Forward


class Steps(NamedTuple):
    """The four steps of Module 4.8's backward loop, each a function; :func:`back_propagation` runs them.

    An exercise's slips (:class:`~micrograd_nptel.exercises.worlds.NetworkWorld`) are this loop with one step replaced
    (``steps._replace(preactivation=...)``): g' left out, W_k for W_k^T, h_k for h_{k-1}, ... .

    Attributes:
        output: ``∇_{a_L}L`` from the forward pass (:func:`grad_output` or :func:`grad_output_squared_error`).
        weights: ``(k, ∇_{a_k}L, forward) -> ∇_{W_k}L`` (:func:`grad_weights` with h_{k-1}).
        hidden: ``(k, ∇_{a_k}L) -> ∇_{h_{k-1}}L`` (:func:`grad_hidden` with W_k).
        preactivation: ``(k, ∇_{h_k}L, forward) -> ∇_{a_k}L`` (:func:`grad_preactivation` with g'(a_k)).
    """

    output: Callable[[Forward], Vector]
    weights: Callable[[int, Vector, Forward], Matrix]
    hidden: Callable[[int, Vector], Vector]
    preactivation: Callable[[int, Vector, Forward], Vector]


def slide_steps(W: Params, y: int | ArrayLike, g: str = "logistic", O: str = "softmax") -> Steps:
    """The slide's steps for the network ``W`` (``W_1..W_L``) and the true class / target ``y`` (see :func:`back_propagation`).

    Source: CS7015 Lecture 4, Module 4.8 (the pseudo code), one slide per step (Modules 4.5, 4.6, 4.7).
    """
    Wd = {k: np.asarray(v, dtype=float) for k, v in (W.items() if isinstance(W, Mapping) else enumerate(W, start=1))}

    def output_step(fwd: Forward) -> Vector:
        return grad_output(fwd.y_hat, int(y)) if O == "softmax" else grad_output_squared_error(fwd.y_hat, y)  # type: ignore[arg-type]

    return Steps(
        output=output_step,
        weights=lambda k, grad_a, fwd: grad_weights(grad_a, fwd.h[k - 1]),
        hidden=lambda k, grad_a: grad_hidden(Wd[k], grad_a),
        preactivation=lambda k, grad_h, fwd: grad_preactivation(grad_h, fwd.a[k], g),
    )


def back_propagation(
    W: Params, b: Params, x: ArrayLike, y: int | ArrayLike, g: str = "logistic", O: str = "softmax", *, steps: Steps | None = None
) -> Gradients:
    """The pseudo code of CS7015 Lecture 4, Module 4.8, line by line.

    ::

        ∇_{a_L} L = -(e(y) - ŷ)                 (softmax + cross-entropy; 2(ŷ - y) for linear + squared error)
        for k = L..1:
            ∇_{W_k} L = ∇_{a_k} L h_{k-1}^T;  ∇_{b_k} L = ∇_{a_k} L
            ∇_{h_{k-1}} L = W_k^T ∇_{a_k} L
            ∇_{a_{k-1}} L = ∇_{h_{k-1}} L ⊙ [..., g'(a_{k-1,j}), ...]   (skipped at k = 1)

    Args:
        W, b, x, g, O: as in :func:`forward_propagation`.
        y: the true class l (an int) for ``O="softmax"``; the target vector (length k)
            for ``O="linear"``.
        steps: the loop's steps (:class:`Steps`); None: the slide's (:func:`slide_steps`). An exercise's slips
            pass the slide's with one replaced.

    Returns:
        :class:`Gradients`.

    Raises:
        ValueError: inconsistent shapes, a label out of range, or unknown ``g``/``O``.
    """
    Wd, _ = _layers(W, b)
    fwd = forward_propagation(W, b, x, g, O)
    L = len(Wd)
    if O == "softmax":
        if isinstance(y, bool) or not isinstance(y, (int, np.integer)):
            raise ValueError(f"with O='softmax', y must be the class label (an int), got {y!r}")
        dy = grad_y_hat(fwd.y_hat, int(y))
    else:
        target = np.asarray(y, dtype=float)
        if target.shape != fwd.y_hat.shape:
            raise ValueError(f"with O='linear', y must be a target vector of length {fwd.y_hat.shape[0]}, got shape {target.shape}")
        dy = grad_output_squared_error(fwd.y_hat, target)
    step = steps if steps is not None else slide_steps(Wd, y, g, O)
    ga = {L: step.output(fwd)}
    gW: dict[int, Matrix] = {}
    gb: dict[int, Vector] = {}
    gh: dict[int, Vector] = {}
    for k in range(L, 0, -1):
        gW[k] = step.weights(k, ga[k], fwd)
        gb[k] = grad_biases(ga[k])
        gh[k - 1] = step.hidden(k, ga[k])
        if k > 1:
            ga[k - 1] = step.preactivation(k - 1, gh[k - 1], fwd)
    return Gradients(gW, gb, ga, gh, dy, fwd)


# ---------------------------------------------------------------------- the toy examples
class MultipathExample(NamedTuple):
    """z = log(y1/y2), y1 = x^2, y2 = x^3 at one x: the value, each path's product, their sum."""

    z: float
    path_y1: float
    path_y2: float
    dz_dx: float


def multipath_example(x: float) -> MultipathExample:
    """CS7015 Lecture 4, Module 4.6: ``dz/dx = Σ_i (dz/dy_i)(dy_i/dx) = (1/y1)(2x) - (1/y2)(3x^2) = -1/x``.

    The path through y1 contributes ``(1/y1)(2x) = 2/x``, the path through y2
    ``(-1/y2)(3x^2) = -3/x``.

    Raises:
        ValueError: x <= 0 (log(y1/y2) = -log x needs x > 0).
    """
    if not x > 0:
        raise ValueError(f"the multipath example needs x > 0, got {x!r}")
    y1, y2 = x**2, x**3
    p1, p2 = (1 / y1) * (2 * x), (-1 / y2) * (3 * x**2)
    return MultipathExample(math.log(y1 / y2), p1, p2, p1 + p2)


def chain_example(x: float) -> tuple[float, float]:
    """IIT Hyderabad Backpropagation-1: ``f(x) = e^{sin(x^2)}``, ``f'(x) = e^{sin(x^2)} cos(x^2) 2x``.

    Returns:
        ``(f(x), f'(x))``.
    """
    f = math.exp(math.sin(x * x))
    return f, f * math.cos(x * x) * 2 * x


# ---------------------------------------------------------------------- the engine against the slides
class CompareRow(NamedTuple):
    """One scalar quantity: its ``name`` in the lecture's notation, the ``engine``'s and the ``formula``'s value, ``abs_diff``."""

    name: str
    engine: float
    formula: float
    abs_diff: float


def network_weights(mlp: MLP) -> tuple[dict[int, Matrix], dict[int, Vector]]:
    """Copy an :class:`MLP`'s parameters into numpy: ``W[k]`` of shape (n_k, n_{k-1}) and ``b[k]``, k = 1..L."""
    W = {layer.index: np.array([[w.data for w in row] for row in layer.W]) for layer in mlp.layers}
    b = {layer.index: np.array([v.data for v in layer.b]) for layer in mlp.layers}
    return W, b


def compare(mlp: MLP, x: Sequence[float], label: int | Sequence[float]) -> list[CompareRow]:
    """Every gradient of one example computed two ways: by ``backward()`` and by the slides' formulas.

    Runs ``mlp`` on x with the engine, takes the loss (cross-entropy for a softmax output,
    squared error to the target for a linear one), calls ``backward()``, and sets each
    ``.grad`` beside :func:`back_propagation` on the same weights copied into numpy.

    Rows, in the pseudo code's order: ``∂L/∂ŷ_j``; then for k = L..1: ``∂L/∂a_{k,i}``,
    ``∂L/∂W_{k,i,j}``, ``∂L/∂b_{k,i}``, ``∂L/∂h_{k-1,j}`` (h_0 = x). Every unit of every
    layer and every weight and bias appears: ``k + Σ_k (2 n_k + n_k n_{k-1} + n_{k-1})`` rows.

    Args:
        mlp: the network (its parameters' ``grad`` are overwritten).
        x: the input, n_0 numbers.
        label: the class l (int) for a softmax output; the target vector for a linear one.

    Returns:
        A list of :class:`CompareRow`.

    Raises:
        ValueError/TypeError: a wrong-length x, a label out of range, a bad target.
    """
    xs = [Value(v, label=f"x_{j + 1}") for j, v in enumerate(x)]
    y_hat = mlp(xs)
    if mlp.output == "softmax":
        if isinstance(label, bool) or not isinstance(label, int):
            raise TypeError(f"with a softmax output, label must be an int class index, got {label!r}")
        loss = cross_entropy(y_hat, label)
    else:
        if isinstance(label, int):
            raise TypeError(f"with a linear output, label must be the target vector (length {mlp.nout}), got {label!r}")
        loss = squared_error(y_hat, label)
    mlp.zero_grad()
    loss.backward()
    W, b = network_weights(mlp)
    grads = back_propagation(W, b, [v.data for v in xs], label, g=mlp.activation, O=mlp.output)
    rows: list[CompareRow] = []

    def row(name: str, engine: float, formula: float) -> None:
        f = float(formula) + 0.0  # + 0.0 turns numpy's -0.0 (e.g. -(1/ŷ_l) * 0) into 0.0
        rows.append(CompareRow(name, engine, f, abs(engine - f)))

    for j, v in enumerate(y_hat):
        row(f"∂L/∂ŷ_{j + 1}", v.grad, grads.y_hat[j])
    L = len(mlp.layers)
    for k in range(L, 0, -1):
        layer = mlp.layers[k - 1]
        for i, a in enumerate(layer.a):
            row(f"∂L/∂a_{{{k},{i + 1}}}", a.grad, grads.a[k][i])
        for i, w_row in enumerate(layer.W):
            for j, w in enumerate(w_row):
                row(f"∂L/∂W_{{{k},{i + 1},{j + 1}}}", w.grad, grads.W[k][i, j])
        for i, bias in enumerate(layer.b):
            row(f"∂L/∂b_{{{k},{i + 1}}}", bias.grad, grads.b[k][i])
        h_prev = xs if k == 1 else mlp.layers[k - 2].h
        for j, h in enumerate(h_prev):
            row(f"∂L/∂h_{{{k - 1},{j + 1}}}", h.grad, grads.h[k - 1][j])
    return rows


# ---------------------------------------------------------------------- backward, one step at a time
class BackwardStep(NamedTuple):
    """One step of the Module 4.8 pseudo code's backward pass (see :func:`backward_steps`).

    Attributes:
        number: 1, 2, ... in the pseudo code's order.
        k: the layer of the loop (L for the first step).
        title: what the step computes, in plain Unicode (e.g. ``"∇_{W_3} L = ∇_{a_3} L h_2^T;  ∇_{b_3} L = ∇_{a_3} L"``).
        latex: the same, in LaTeX.
        computing: the names of the scalars computed at this step (``"a_{3,1}"``, ``"W_{3,1,2}"``, ...; h_0 is ``"x_j"``).
        grads: ∂L/∂(name) for every quantity known after this step (this one's and all before).
        loss: the value of L; y_hat: ŷ (k numbers) of the forward pass.
        uses: the 0-based indices j of the ŷ_j the loss depends on (the true class for cross-entropy, all for squared error).
    """

    number: int
    k: int
    title: str
    latex: str
    computing: frozenset[str]
    grads: dict[str, float]
    loss: float
    y_hat: tuple[float, ...]
    uses: tuple[int, ...]


def backward_steps(mlp: MLP, x: Sequence[float], label: int | Sequence[float]) -> list[BackwardStep]:
    """The backward pass of CS7015 Lecture 4, Module 4.8, one pseudo-code line at a time.

    Runs ``mlp`` on x (the engine's forward pass, so ``mlp.layers[i].a``/``.h`` hold its
    values, and ``backward()`` so every ``.grad`` is set too), then walks
    :func:`back_propagation` in the pseudo code's order: ``∇_{a_L} L``; then for
    k = L..1: ``∇_{W_k} L`` and ``∇_{b_k} L``, ``∇_{h_{k-1}} L``, and (k > 1) ``∇_{a_{k-1}} L``.
    For L layers that is ``1 + 3L - 1 = 3L`` steps (9 for the 3-3-3-2 network).

    Args:
        mlp: the network (its grads are overwritten).
        x: the input, n numbers.
        label: the class l (an int, 0-based) for a softmax output; the target vector (k numbers) for a linear one.

    Returns:
        The list of :class:`BackwardStep`, in order.

    Raises:
        ValueError/TypeError: as :func:`compare` (wrong-length x, label out of range, bad target).
    """
    compare(mlp, x, label)  # the engine's forward pass and backward(), so the network's values and .grad are this example's
    W, b = network_weights(mlp)
    grads = back_propagation(W, b, list(x), label if mlp.output == "linear" else int(label), g=mlp.activation, O=mlp.output)  # type: ignore[arg-type]
    y_hat = tuple(float(v.data) for v in mlp.layers[-1].h)
    loss = _loss_value(mlp, label)
    L = len(mlp.layers)
    uses = (int(label),) if mlp.output == "softmax" else tuple(range(mlp.nout))  # type: ignore[arg-type]
    known: dict[str, float] = {}
    steps: list[BackwardStep] = []

    def h_name(k: int, j: int) -> str:
        return f"x_{j + 1}" if k == 0 else f"h_{{{k},{j + 1}}}"

    def add(k: int, title: str, latex: str, values: dict[str, float]) -> None:
        known.update(values)
        steps.append(BackwardStep(len(steps) + 1, k, title, latex, frozenset(values), dict(known), loss, y_hat, uses))

    out = "-(e(y) - ŷ)" if mlp.output == "softmax" else "2(ŷ - y)"
    out_tex = r"-\big(e(y) - \hat{y}\big)" if mlp.output == "softmax" else r"2(\hat{y} - y)"
    add(
        L,
        f"∇_{{a_{L}}} L = {out}",
        rf"\nabla_{{a_{L}}} \mathcal{{L}} = {out_tex}",
        {f"a_{{{L},{i + 1}}}": float(v) for i, v in enumerate(grads.a[L])},
    )
    for k in range(L, 0, -1):
        values = {
            f"W_{{{k},{i + 1},{j + 1}}}": float(grads.W[k][i, j]) for i in range(grads.W[k].shape[0]) for j in range(grads.W[k].shape[1])
        }
        values.update({f"b_{{{k},{i + 1}}}": float(v) for i, v in enumerate(grads.b[k])})
        add(
            k,
            f"∇_{{W_{k}}} L = ∇_{{a_{k}}} L h_{k - 1}^T;  ∇_{{b_{k}}} L = ∇_{{a_{k}}} L",
            rf"\nabla_{{W_{k}}} \mathcal{{L}} = \nabla_{{a_{k}}} \mathcal{{L}}\, h_{k - 1}^T; \quad "
            rf"\nabla_{{b_{k}}} \mathcal{{L}} = \nabla_{{a_{k}}} \mathcal{{L}}",
            values,
        )
        add(
            k,
            f"∇_{{h_{k - 1}}} L = W_{k}^T ∇_{{a_{k}}} L" + ("  (h_0 = x)" if k == 1 else ""),
            rf"\nabla_{{h_{k - 1}}} \mathcal{{L}} = W_{k}^T \nabla_{{a_{k}}} \mathcal{{L}}" + (r" \quad (h_0 = x)" if k == 1 else ""),
            {h_name(k - 1, j): float(v) for j, v in enumerate(grads.h[k - 1])},
        )
        if k > 1:
            add(
                k,
                f"∇_{{a_{k - 1}}} L = ∇_{{h_{k - 1}}} L ⊙ g'(a_{k - 1})",
                rf"\nabla_{{a_{k - 1}}} \mathcal{{L}} = \nabla_{{h_{k - 1}}} \mathcal{{L}} \odot g'(a_{k - 1})",
                {f"a_{{{k - 1},{i + 1}}}": float(v) for i, v in enumerate(grads.a[k - 1])},
            )
    return steps


def _loss_value(mlp: MLP, label: int | Sequence[float]) -> float:
    """L of the network's last forward pass: -log ŷ_l, or Σ_j (ŷ_j - y_j)^2."""
    y_hat = [v.data for v in mlp.layers[-1].h]
    if mlp.output == "softmax":
        return -math.log(y_hat[int(label)])  # type: ignore[arg-type]
    return math.fsum((p - t) ** 2 for p, t in zip(y_hat, label))  # type: ignore[arg-type]
