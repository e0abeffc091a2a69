"""Where an exercise's numbers come from: a network of any shape, or an expression, after ``backward()``.

A *world* is a callable ``world(seed, k)`` returning the :class:`~micrograd_nptel.exercises.formula.Context` of the
exercise's numbers: world 0 is the question's, worlds 1 and 2 are the extra networks (or inputs) of the same
shape that a formula answer is also checked on. The correct answer is always the engine's (``backward()``
on the world's graph). Each world also lists the slips of the lecture that apply to its target
(``list(ctx.extra["slips"])``: ``(key, message, value)`` in a fixed order, computed when first read), so a teacher's exercise is diagnosed
as the built-in ones are:

* :class:`NetworkWorld`: the network of CS7015 Lecture 4, Module 4.1 (any sizes; logistic, tanh, relu or
  linear g; softmax + cross-entropy or linear + squared error). Its slips come from Module 4.8's pseudo
  code run with one step changed: no g', g for g', g' at h, the other activation's g', W_k for W_k^T, h_k for
  h_{k-1}, the softmax's diagonal only, the 2 of the squared error dropped; plus the sign, the transpose and another
  layer's gradient.
* :class:`ExpressionWorld`: named steps such as ``"z = log(y1/y2); y1 = x**2; y2 = x**3"`` (Module 4.6), in any
  order. Its slips: the sign, one path's sign, the paths multiplied, one factor of a path left out.
* :data:`WORLDS`: the numbers of the 20 built-in exercises by the name their catalogue entry gives
  (``world = "figure"``): the figure's 3-3-3-2 network (at seed 0 exactly
  :func:`~micrograd_nptel.examples.figure_network`), the thin 1-1-1-1 chain of Module 4.4, the update of Module
  4.2, the expressions of Backpropagation-1 and Module 4.6, and g'(z) of Module 4.9.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..derivation import explain
from ..engine import Value, topological_order
from ..expression import parse_expression
from ..lecture import Forward, Steps, activation_derivative, back_propagation, e, grad_hidden, grad_weights, slide_steps
from ..nn import ACTIVATIONS, MLP, OUTPUTS, cross_entropy, one_hot, squared_error
from ..notation import ACTIVATION_FUNCTIONS
from ..optim import SGD
from ..testing import gradient
from .feedback import Slip
from .formula import AnswerError, Array, Context, canonical, pretty
from .steps import order_steps

__all__ = ["LOSSES", "MAX_LAYERS", "MAX_UNITS", "MAX_WEIGHTS", "WORLDS", "ExpressionWorld", "NetworkWorld", "network_values"]

LOSSES = {"cross_entropy": "softmax", "squared_error": "linear"}
"""Each loss and the output function O it goes with (CS7015 Lecture 4, Module 4.3)."""

MAX_UNITS = 64
"""The most units a layer of an exercise's network may have (the question shows every number)."""

MAX_LAYERS = 8
"""The most layers (sizes minus one) an exercise's network may have."""

MAX_WEIGHTS = 2000
"""The most weights an exercise's network may have in all (a question a student can read has far fewer)."""


class _Lazy:
    """A world's list of slips, computed when first iterated: most worlds a formula is checked on never need them."""

    def __init__(self, make: Callable[[], list[Slip]]) -> None:
        self._make: Callable[[], list[Slip]] | None = make
        self._items: list[Slip] = []

    def __iter__(self) -> Iterator[Slip]:
        if self._make is not None:
            self._items, self._make = self._make(), None
        return iter(self._items)


def _col(values: Sequence[float] | Array) -> Array:
    return np.array(values, dtype=float).reshape(-1, 1)


def _put(ctx: dict[str, Array], nodes: dict[str, Value], name: str, vector: Sequence[Value], entry: str) -> None:
    """A vector ``name`` (a column), its gradient, and each entry ``f"{entry}{i}"`` (i from 1) with its gradient and node."""
    ctx[name] = _col([v.data for v in vector])
    ctx["dL/d" + name] = _col([v.grad for v in vector])
    for i, v in enumerate(vector, start=1):
        ctx[f"{entry}{i}"] = np.array(v.data)
        ctx[f"dL/d{entry}{i}"] = np.array(v.grad)
        nodes[f"{entry}{i}"] = v


def network_values(
    mlp: MLP, xs: Sequence[Value], y_hat: Sequence[Value], target: Sequence[float], label: int | None
) -> tuple[dict[str, Array], dict[str, Value]]:
    """Every quantity of a network after ``backward()``, with its gradient and its entries, as an answer names them.

    Args:
        mlp: the network (L layers); its layers' ``a`` and ``h`` hold the last forward pass.
        xs: the n input Values x; ``y_hat``: the k outputs ŷ.
        target: the k numbers y (the one-hot e(l) for a softmax output).
        label: the true class l (0-based) for a softmax output, else None.

    Returns:
        ``(values, nodes)``: ``x``, ``W_k``, ``b_k``, ``a_k``, ``h_k`` (k < L), ``yhat``, ``y`` as arrays (vectors as
        columns), each with ``dL/d...``, and their entries (``W_{k,i,j}`` as ``"W_k,i,j"``, indices from 1); with a
        label, ``l`` and the entries l of ŷ, y and a_L (``yhat_l``, ``a_L,l``); ``nodes`` maps each entry to its Value.

    Source: CS7015 Lecture 4, Module 4.1 (the notation), Module 4.8 (the quantities backpropagation computes).
    """
    values: dict[str, Array] = {}
    nodes: dict[str, Value] = {}
    _put(values, nodes, "x", xs, "x_")
    last = len(mlp.layers)
    for layer in mlp.layers:
        k = layer.index
        values[f"W_{k}"] = np.array([[w.data for w in row] for row in layer.W])
        values[f"dL/dW_{k}"] = np.array([[w.grad for w in row] for row in layer.W])
        for i, row in enumerate(layer.W, start=1):
            for j, w in enumerate(row, start=1):
                values[f"W_{k},{i},{j}"], values[f"dL/dW_{k},{i},{j}"] = np.array(w.data), np.array(w.grad)
                nodes[f"W_{k},{i},{j}"] = w
        _put(values, nodes, f"b_{k}", layer.b, f"b_{k},")
        _put(values, nodes, f"a_{k}", layer.a, f"a_{k},")
        if k < last:
            _put(values, nodes, f"h_{k}", layer.h, f"h_{k},")
    _put(values, nodes, "yhat", y_hat, "yhat_")
    values["y"] = _col(target)
    for j, t in enumerate(target, start=1):
        values[f"y_{j}"] = np.array(float(t))
    if label is not None:
        values["l"] = np.array(float(label + 1))
        entry_l = {f"{d}{v}{label + 1}": f"{d}{v}l" for d in ("", "dL/d") for v in ("yhat_", "y_", f"a_{last},")}
        for name in list(values):  # ŷ_l, a_{L,l} and their gradients: entry l of each world, for a formula in l
            if name in entry_l:
                values[entry_l[name]] = values[name]
    return values, nodes


def _entries(grads: dict[str, Array]) -> dict[str, Array]:
    """Every vector's and matrix's entries by their canonical names (``dL/dW_2,1,3``, ``dL/da_2,1``), counted from 1."""
    out = dict(grads)
    for name, v in grads.items():
        m = re.fullmatch(r"dL/d([Wabh])_(\d+)", name)
        if m:
            for (i, j), t in np.ndenumerate(v):
                out[f"{name},{i + 1}" + (f",{j + 1}" if m.group(1) == "W" else "")] = np.array(t)
        elif name == "dL/dx":
            for i, t in enumerate(v[:, 0], 1):
                out[f"dL/dx_{i}"] = np.array(t)
    return out


# ---------------------------------------------------------------------- networks
_G_PRIME_SLIPS = ("missing_g_prime", "g_for_g_prime", "g_prime_at_h", "wrong_function")
"""The slips of ∂h_k/∂a_k = g'(a_k) (Module 4.9): left out, g for g', g' at h, another activation's rule."""

_STEP_SLIPS = (*_G_PRIME_SLIPS, "transpose", "wrong_layer")
"""The slips that replace a step of Module 4.8's loop at some layers (:meth:`NetworkWorld._layers`), each also at each
layer alone; none where no layer has that step."""

_OTHER_G = {"logistic": "tanh", "tanh": "logistic"}
"""The slip ``wrong_function`` (Module 4.9): ∂h/∂a written with the other activation's rule in h = g(a)."""


@dataclass(frozen=True)
class NetworkWorld:
    """A feedforward network of ``sizes`` after one forward and backward pass on one input (CS7015 Lecture 4, Module 4.1).

    Seed s gives the weights (``MLP(..., seed=s)``), biases in [-0.5, 0.5], an input x in [-2, 2]^n_0 (two decimals)
    and the true class l (softmax) or a target y in [-1, 1]^k (linear); worlds 1, 2, ... draw all of them afresh.

    Attributes:
        sizes: n_0, n_1, ..., n_{L-1}, k (at least an input and an output size; each 1..:data:`MAX_UNITS`).
        activation: g, one of :data:`~micrograd_nptel.nn.ACTIVATIONS`.
        output: O: ``"softmax"`` (with the cross-entropy L = -log ŷ_l) or ``"linear"`` (with L = Σ_j (ŷ_j - y_j)²).
        target: the canonical name of the quantity asked (``"dL/dW_1"``), whose slips the world lists.
        numbers: ``"drawn"`` (a teacher's exercise: every number drawn from the seed, the class too) or ``"lecture"``
            (the built-in exercises: seed 0 is the lecture's worked example,
            :func:`~micrograd_nptel.examples.figure_network`, on a 3-3-3-2 network; the class comes from the seed, and
            worlds 1, 2, ... take another class than the question's, so a formula that writes the class as a number
            is caught; no bias is 0).
    """

    sizes: tuple[int, ...]
    activation: str = "logistic"
    output: str = "softmax"
    target: str = ""
    numbers: str = "drawn"

    def __post_init__(self) -> None:
        if not isinstance(self.sizes, tuple) or not 2 <= len(self.sizes) <= MAX_LAYERS + 1:
            raise ValueError(f"sizes must be a tuple of 2 to {MAX_LAYERS + 1} layer sizes (n_0, ..., k), got {self.sizes!r}")
        for n in self.sizes:
            if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_UNITS:
                raise ValueError(f"each size must be an int from 1 to {MAX_UNITS}, got {n!r} in sizes {list(self.sizes)}")
        weights = sum(a * b for a, b in zip(self.sizes, self.sizes[1:]))
        if weights > MAX_WEIGHTS:
            raise ValueError(f"sizes {list(self.sizes)} give {weights:,} weights; an exercise's network has at most {MAX_WEIGHTS:,}")
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}, got {self.activation!r}")
        if self.output not in OUTPUTS:
            raise ValueError(f"output must be one of {', '.join(OUTPUTS)}, got {self.output!r}")
        if self.output == "softmax" and self.sizes[-1] < 2:
            raise ValueError(f"a softmax output needs k >= 2 classes, got sizes {list(self.sizes)}")
        if self.numbers not in ("drawn", "lecture"):
            raise ValueError(f"numbers must be 'drawn' or 'lecture', got {self.numbers!r}")

    @property
    def layers(self) -> int:
        """L, the number of layers with weights."""
        return len(self.sizes) - 1

    def __call__(self, seed: int, world: int) -> Context:
        """The Context of world ``world`` (0: the question's) on the numbers of ``seed``: every quantity, its gradient
        and its entries, the network (``extra["model"]``), the loss node and the world's slips (computed when read)."""
        net_seed = seed if world == 0 else 1_000_003 + 7 * seed + world
        rng = random.Random(net_seed * 7919 + 17)
        n0, *hidden, k = self.sizes
        example = self.numbers == "lecture" and net_seed == 0 and n0 == 3
        x = [1.0, 0.5, -1.5] if example else [round(rng.uniform(-2.0, 2.0), 2) for _ in range(n0)]
        mlp = MLP(n0, hidden, k, activation=self.activation, output=self.output, seed=net_seed)
        figure = example and self.sizes == (3, 3, 3, 2) and self.activation == "logistic" and self.output == "softmax"
        if not figure:  # MLP's biases start at 0; an exercise needs them to show (a_k = b_k + W_k h_{k-1})
            for layer in mlp.layers:
                for bias in layer.b:
                    drawn = round(rng.uniform(-0.5, 0.5), 2)
                    bias.data = 0.01 if drawn == 0 and self.numbers == "lecture" else drawn
        label = rng.randrange(k) if self.numbers == "drawn" else _label(seed, world, k)
        xs = [Value(v, label=f"x_{j + 1}") for j, v in enumerate(x)]
        y_hat = mlp(xs)
        target = one_hot(label, k) if self.output == "softmax" else [round(rng.uniform(-1.0, 1.0), 2) for _ in range(k)]
        loss = cross_entropy(y_hat, label) if self.output == "softmax" else squared_error(y_hat, target)
        loss.label = "L"
        loss.backward()
        values, nodes = network_values(mlp, xs, y_hat, target, label if self.output == "softmax" else None)
        ctx = Context(values, root="L", g=self.activation, k=k, layers=self.layers, label=label + 1 if self.output == "softmax" else None)
        ctx.extra.update(model=mlp, root=loss, nodes=nodes, slips=_Lazy(lambda: self.slips(values) if self.target else []))
        return ctx

    # ------------------------------------------------------------------ slips
    def backprop(self, v: Mapping[str, Array], *, slip: str = "", layers: frozenset[int] | None = None) -> dict[str, Array]:
        """Module 4.8's pseudo code (:func:`~micrograd_nptel.lecture.back_propagation`) on the world's numbers ``v``,
        with one step replaced by ``slip``.

        ``slip``: ``""`` (the lecture's algorithm: equals the engine's gradients), ``"missing_g_prime"`` (g'(a) = 1),
        ``"g_for_g_prime"`` (g(a) for g'(a)), ``"g_prime_at_h"`` (g'(h) for g'(a)), ``"wrong_function"`` (tanh's
        1 - h² for the logistic, or the logistic's h(1 - h) for tanh), ``"transpose"`` (W_k for W_k^T
        where W_k is square), ``"wrong_layer"`` (∇_{W_k} = ∇_{a_k} h_k^T where h_k fits), ``"softmax_diagonal"``
        (∇_{a_L} = -(1 - ŷ_l) e(l)) or ``"missing_factor"`` (∇_{a_L} = ŷ - y: the 2 of the squared error dropped).
        ``layers``: the layers k whose step is changed (g'(a_k), W_k, h_{k-1}); None: every layer.

        Returns:
            Every gradient below a_L by its canonical name (``dL/dW_k``, ``dL/db_k``, ``dL/da_k``, ``dL/dh_k``, ``dL/dx``)
            and their entries.
        """
        L = self.layers
        W = [v[f"W_{k}"] for k in range(1, L + 1)]
        b = [v[f"b_{k}"][:, 0] for k in range(1, L + 1)]
        y = int(v["l"]) - 1 if self.output == "softmax" else v["y"][:, 0]
        grads = back_propagation(W, b, v["x"][:, 0], y, self.activation, self.output, steps=self._steps(W, y, slip, layers))
        out: dict[str, Array] = {"dL/dx": _col(grads.h[0])}
        for k in range(1, L + 1):
            out[f"dL/da_{k}"], out[f"dL/db_{k}"], out[f"dL/dW_{k}"] = _col(grads.a[k]), _col(grads.b[k]), grads.W[k]
            if k < L:
                out[f"dL/dh_{k}"] = _col(grads.h[k])
        return _entries(out)

    def _steps(self, W: Sequence[Array], y: int | Array, slip: str, layers: frozenset[int] | None) -> Steps:
        """The slide's steps (:func:`~micrograd_nptel.lecture.slide_steps`) with the one ``slip`` changes replaced, at
        the layers ``layers`` (None: every layer)."""
        steps = slide_steps(W, y, self.activation, self.output)
        g, other = self.activation, _OTHER_G.get(self.activation)
        here = {k for k in self._layers(slip) if layers is None or k in layers}  # the layers whose step it changes

        def diagonal(fwd: Forward) -> Array:  # only the entry l of ŷ - e(l)
            out: Array = -(1.0 - float(fwd.y_hat[int(y)])) * e(int(y), len(fwd.y_hat))
            return out

        def halved(fwd: Forward) -> Array:  # ŷ - y: the 2 of 2(ŷ - y) dropped
            return steps.output(fwd) / 2.0

        def transposed(k: int, grad_a: Array) -> Array:  # W_k for W_k^T where W_k is square (and not 1 x 1)
            return grad_hidden(W[k - 1].T, grad_a) if k in here else steps.hidden(k, grad_a)

        def own_h(k: int, grad_a: Array, fwd: Forward) -> Array:  # h_k for h_{k-1} where it fits
            return grad_weights(grad_a, fwd.h[k]) if k in here else steps.weights(k, grad_a, fwd)

        def slipped_g_prime(k: int, grad_h: Array, fwd: Forward) -> Array:  # ∂h_k/∂a_k as the slip writes it
            a, h = fwd.a[k], fwd.h[k]
            if k not in here:
                return steps.preactivation(k, grad_h, fwd)
            if slip == "missing_g_prime":
                return grad_h
            if slip == "g_for_g_prime":
                return grad_h * h
            if slip == "g_prime_at_h":
                return grad_h * activation_derivative(h, g)
            return grad_h * activation_derivative(a, other or g, h=h if other else None)  # wrong_function

        changed: dict[str, dict[str, Callable[..., Array]]] = {
            "softmax_diagonal": {"output": diagonal},
            "missing_factor": {"output": halved},
            "transpose": {"hidden": transposed},
            "wrong_layer": {"weights": own_h},
        }
        return steps._replace(**changed.get(slip, {"preactivation": slipped_g_prime} if slip in _G_PRIME_SLIPS else {}))

    def _layers(self, slip: str) -> list[int]:
        """The layers where ``slip`` changes a step: g' at the hidden layers, W_k^T at a square W_k (n_k > 1), h_k where it fits."""
        sizes, L = self.sizes, self.layers
        if slip in _G_PRIME_SLIPS:
            return list(range(1, L))
        if slip == "transpose":
            return [k for k in range(1, L + 1) if sizes[k] == sizes[k - 1] > 1]
        if slip == "wrong_layer":
            return [k for k in range(1, L) if sizes[k] == sizes[k - 1]]
        return []

    @staticmethod
    def _reaches(slip: str, k: int, t: str) -> bool:
        """Whether ``slip`` at layer k changes the gradient ``t``: the loop computes ∇_{a_k}, ∇_{W_k}, ∇_{b_k}, then
        ∇_{h_{k-1}} (x is h_0), so a step changes what it computes and everything below it, and h_k for h_{k-1} in
        ∇_{W_k} changes ∇_{W_k} only."""
        m = re.fullmatch(r"dL/d([Wabh])_(\d+)(?:,\d+)*", t)
        quantity, j = (m.group(1), int(m.group(2))) if m else ("h", 0)
        if slip == "wrong_layer":
            return quantity == "W" and j == k
        if slip == "transpose":  # ∇_{h_{k-1}} = W_k ∇_{a_k}: h_{k-1} and below
            return j <= k - 1
        return j <= k - 1 if quantity == "h" else j <= k  # g'(a_k): ∇_{a_k} and below

    def slips(self, v: Mapping[str, Array]) -> list[Slip]:
        """The lecture's slips for :attr:`target` on numbers ``v``: ``(key, message, value)``, the same list for every world."""
        t, want = self.target, v[self.target]
        out: list[Slip] = [Slip("sign", f"The sign is wrong: {pretty(t)} has the opposite sign.", -want)]
        if re.fullmatch(r"dL/d(?:[Wabh]_\d+(?:,\d+)*|x(?:_\d+)?)", t):
            g = f"{self.activation}: g'(a) = {ACTIVATION_FUNCTIONS[self.activation].derivative}"
            messages = {
                "missing_g_prime": f"No g'(a) factor: a step from h_k back to a_k (∇_{{a_k}}L = ∇_{{h_k}}L ⊙ g'(a_k)) was skipped ({g}).",
                "g_for_g_prime": f"g(a) where g'(a) is needed: ∂h_k/∂a_k is the derivative of g ({g}), not g itself.",
                "g_prime_at_h": f"g' evaluated at h: ∂h_k/∂a_k = g'(a_k), at the pre-activation a_k, not at h_k = g(a_k) ({g}).",
                "transpose": "W_k where W_k^T is needed on the way down: ∇_{h_{k-1}}L = W_k^T ∇_{a_k}L (Modules 4.6, 4.8).",
                "wrong_layer": "h_k where h_{k-1} is needed: ∂a_{k,i}/∂W_{k,i,j} = h_{k-1,j}, the input to layer k (Module 4.7).",
            }
            other = _OTHER_G.get(self.activation)
            if other:
                rule = ACTIVATION_FUNCTIONS[other].derivative.replace("g(a)", "h")
                messages["wrong_function"] = f"{rule} ({other}'s) is another activation's derivative rule: here g is the {g}."
            if self.output == "softmax":
                messages["softmax_diagonal"] = (
                    "Only the i = l entry of ∇_{a_L}L: for softmax and cross-entropy ∇_{a_L}L = ŷ - e(l) (Module 4.5)."
                )
            else:
                messages["missing_factor"] = "The 2 of ∂(ŷ_j - y_j)²/∂ŷ_j = 2(ŷ_j - y_j) is missing."
            for key, message in messages.items():
                each = [k for k in self._layers(key) if self._reaches(key, k, t)]
                if key in _STEP_SLIPS and not each:
                    continue  # no layer where the step can go wrong so and change t (no hidden layer, no square W_k)
                out.append(Slip(key, message, self.backprop(v, slip=key)[t]))  # at every layer, then at each layer alone
                for k in each if len(each) > 1 else []:
                    out.append(Slip(key, f"{message} (At layer {k}.)", self.backprop(v, slip=key, layers=frozenset({k}))[t]))
        out += self._shape_slips(v, t, want)
        return out

    def _shape_slips(self, v: Mapping[str, Array], t: str, want: Array) -> list[Slip]:
        """The transpose of a square matrix (or i and j swapped in an entry) and the same quantity of a neighbouring layer."""
        out: list[Slip] = []
        if want.ndim == 2 and want.shape[0] == want.shape[1] > 1:
            out.append(Slip("transpose", f"It is transposed: entry (i, j) of {pretty(t)} belongs to row i (the unit a_{{k,i}}).", want.T))
        m = re.fullmatch(r"dL/dW_(\d+),(\d+),(\d+)", t)
        if m and m.group(2) != m.group(3) and f"dL/dW_{m.group(1)},{m.group(3)},{m.group(2)}" in v:
            swapped = f"dL/dW_{m.group(1)},{m.group(3)},{m.group(2)}"
            out.append(
                Slip(
                    "transpose",
                    f"i and j are swapped: that is {pretty(swapped)}; W_{{k,i,j}} goes from h_{{k-1,j}} into a_{{k,i}}.",
                    v[swapped],
                )
            )
        m = re.fullmatch(r"(dL/d)?([Wabh])_(\d+)", t)
        if m:
            for k in (int(m.group(3)) - 1, int(m.group(3)) + 1):
                other = f"{m.group(1) or ''}{m.group(2)}_{k}"
                if other in v and v[other].shape == want.shape:
                    out.append(Slip("wrong_layer", f"That is {pretty(other)}, layer {k}'s: {pretty(t)} is layer {m.group(3)}'s.", v[other]))
        return out


# ---------------------------------------------------------------------- expressions
@dataclass(frozen=True)
class ExpressionWorld:
    """Named steps on scalar inputs after ``backward()`` (CS7015 Lecture 4, Module 4.6; IIT Hyderabad Backpropagation-1).

    Seed 0, world 0 uses the inputs ``at``; other seeds and worlds draw each input from its range in ``ranges``, or
    else from ``at``'s value times a factor in [0.5, 1.5] (two decimals; same sign, so a log's argument stays
    positive), retrying until every number is finite.

    Attributes:
        text: the steps, e.g. ``"z = log(y1/y2); y1 = x**2; y2 = x**3"`` (any order; ``;`` or new lines).
        at: ``((name, value), ...)``: each input and its value in the question.
        ranges: ``((name, (low, high)), ...)``: where other seeds draw an input from (optional).
        root: the output's name (``"z"``); ``wrt``: the input the target differentiates by (``"x"``).
        g: the activation a formula's ``g(z)`` and ``g'(z)`` name (Module 4.9).
    """

    text: str
    at: tuple[tuple[str, float], ...]
    root: str
    wrt: str
    ranges: tuple[tuple[str, tuple[float, float]], ...] = ()
    g: str = "logistic"

    @property
    def target(self) -> str:
        """The canonical name of d<root>/d<wrt> (``"dz/dx"``): what an exercise on this world asks unless it says otherwise."""
        return f"d{self.root}/d{_canonical(self.wrt, Context({}, root=self.root))}"

    def inputs(self, seed: int, world: int) -> dict[str, float]:
        """The input values of world ``world`` on seed ``seed`` (attempt 0; see :meth:`__call__`)."""
        return self._draw(seed, world, 0)

    def _draw(self, seed: int, world: int, attempt: int) -> dict[str, float]:
        if seed == world == attempt == 0:
            return dict(self.at)
        rng = random.Random(seed * 1_000_003 + world * 101 + attempt * 7 + 5)
        ranges = dict(self.ranges)
        out = {}
        for name, value in self.at:
            if name in ranges:
                low, high = ranges[name]
                out[name] = round(rng.uniform(low, high), 2)
            else:
                out[name] = round(value * rng.uniform(0.5, 1.5), 2) if value != 0 else round(rng.uniform(-1.0, 1.0), 2)
        return out

    def graph(self, at: Mapping[str, float]) -> tuple[Value, dict[str, Value], dict[str, Value]]:
        """The graph on inputs ``at`` after ``backward()``: ``(root, inputs by name, every named node by name)``."""
        ordered, _ = order_steps(self.text)
        root, used = parse_expression(ordered, at)
        if self.root and root.label != self.root:
            raise ValueError(f"the output of {self.text!r} is {root.label!r}, not {self.root!r}")
        root.backward()
        named = {v.label: v for v in topological_order(root) if v.label}
        return root, used, named

    def __call__(self, seed: int, world: int) -> Context:
        """The Context of world ``world`` on seed ``seed``: every named number, its gradient ``d<root>/d<name>``, the slips."""
        last: Exception | None = None
        for attempt in range(20):
            at = self._draw(seed, world, attempt)
            try:
                root, _, named = self.graph(at)
            except (ValueError, ZeroDivisionError, OverflowError) as e:
                last = e
                continue
            if all(math.isfinite(v.data) and math.isfinite(v.grad) for v in named.values()):
                return self._context(root, named)
        raise ValueError(f"{self.text!r}: no finite numbers in 20 draws of the inputs near {dict(self.at)} ({last}); give ranges")

    def _context(self, root: Value, named: dict[str, Value]) -> Context:
        probe = Context({}, root=root.label)
        values: dict[str, Array] = {}
        nodes: dict[str, Value] = {}
        for name, v in named.items():
            key = _canonical(name, probe)
            values[key], nodes[key] = np.array(v.data), v
            if v is not root:
                values[f"d{root.label}/d{key}"] = np.array(v.grad)
        ctx = Context(values, root=root.label, g=self.g)
        wrt = nodes[_canonical(self.wrt, probe)]
        ctx.extra.update(root=root, nodes=nodes, slips=_Lazy(lambda: self.slips(root, wrt)))
        return ctx

    def slips(self, root: Value, wrt: Value) -> list[Slip]:
        """The sign, one path's sign, the paths multiplied, and one factor of a path left out: the same list for every world."""
        d = explain(root, wrt, limit=8)
        name = f"∂{root.label}/∂{wrt.label}"
        out: list[Slip] = [Slip("sign", f"The sign is wrong: {name} has the opposite sign.", np.array(-wrt.grad))]
        if d.count != len(d.paths):
            return out
        paths = d.paths
        if len(paths) > 1:
            for i, p in enumerate(paths, 1):
                out.append(
                    Slip("sign", f"Path {i}'s sign is wrong: {' · '.join(s for s, _ in p.factors)}.", np.array(d.total - 2 * p.product))
                )
            product = math.prod(p.product for p in paths)
            out.append(
                Slip("paths_multiplied", f"The {len(paths)} paths are multiplied: {name} is their sum (Module 4.6).", np.array(product))
            )
        for i, p in enumerate(paths, 1):
            for j, (s, _) in enumerate(p.factors):
                rest = math.prod(g for t, (_, g) in enumerate(p.factors) if t != j)
                where = f" of path {i}" if len(paths) > 1 else ""
                out.append(
                    Slip("missing_factor", f"The factor {s}{where} is missing from the chain.", np.array(d.total - p.product + rest))
                )
        return out


def _canonical(name: str, probe: Context) -> str:
    try:
        return canonical(name, probe)
    except AnswerError as e:
        raise ValueError(f"the name {name!r} cannot be used in an exercise: {e}") from None


# ---------------------------------------------------------------------- the built-in exercises' numbers
def _label(main: int, world: int, k: int) -> int:
    """The true class (0-based): class 1 on the figure's example, random on other seeds, and on worlds 1, 2
    always another class than the question's, so a formula that writes the class as a number is caught."""
    label = 0 if main == 0 else random.Random(main).randrange(k)
    if world == 0 or k == 1:
        return label
    others = [c for c in range(k) if c != label]
    return others[(world - 1) % len(others)]


@dataclass(frozen=True)
class _OutputJacobian(NetworkWorld):
    """The figure's network with k = 3 classes, and ∂ŷ/∂a_3 (3 x 3) from the engine as the target ``__target__``."""

    def __call__(self, seed: int, world: int) -> Context:
        ctx = super().__call__(seed, world)
        mlp: MLP = ctx.extra["model"]  # type: ignore[assignment]
        a3, y_hat = mlp.layers[-1].a, mlp.layers[-1].h
        ctx.values["__target__"] = np.array([gradient(v, list(a3)) for v in y_hat])
        return ctx


@dataclass(frozen=True)
class _Update(NetworkWorld):
    """The figure's network and one gradient-descent step of W_1 with the library's SGD (no momentum): ``eta`` (worlds
    take other rates: η is given too) and W_1 after the step as ``__target__`` (CS7015 Lecture 4, Module 4.2)."""

    def __call__(self, seed: int, world: int) -> Context:
        ctx = super().__call__(seed, world)
        eta = [0.1, 0.5, 0.2, 0.05, 0.3][(seed + world) % 5]
        mlp: MLP = ctx.extra["model"]  # type: ignore[assignment]
        W1 = [w for row in mlp.layers[0].W for w in row]
        SGD(W1, lr=eta).step()
        ctx.values["eta"] = np.array(eta)
        ctx.values["__target__"] = np.array([w.data for w in W1]).reshape(ctx.values["W_1"].shape)
        return ctx


def _rng(main: int, world: int) -> random.Random:
    return random.Random(main * 1_000_003 + world * 101 + 5)


def _upstream(main: int, world: int) -> Context:
    """Backpropagation-1's rule downstream = upstream × local on g = x y, f = g + z; seed 0 is notebook 01's numbers
    (x = -2, y = 3, z = 1, upstream ∂L/∂f = -2: our example, the slide states only the rule)."""
    if main == world == 0:
        x, y, z, up = -2.0, 3.0, 1.0, -2.0
    else:
        rng = _rng(main, world)
        pool = [v for v in range(-6, 7) if v not in (-1, 0, 1)]
        while True:  # numbers on which the right answer and each slip (see the catalogue) all differ
            x, y, z = (float(v) for v in rng.sample(pool, 3))
            up = float(rng.choice([-4, -3, -2, 2, 3, 4]))
            if len({up * y, -up * y, y, up * x, up * x * y}) == 5:
                break
    xv, yv, zv = Value(x, label="x"), Value(y, label="y"), Value(z, label="z")
    g = xv * yv
    f = g + zv
    g.label, f.label = "g", "f"
    f.backward(up)  # the upstream gradient ∂L/∂f seeds the backward pass
    values = {"x": x, "y": y, "z": z, "g": g.data, "f": f.data, "dL/df": up, "__target__": xv.grad}
    ctx = Context({k: np.array(v) for k, v in values.items()}, root="L")
    ctx.extra.update(root=f)
    return ctx


WORLDS: dict[str, Callable[[int, int], Context]] = {
    "figure": NetworkWorld((3, 3, 3, 2), numbers="lecture"),
    "thin": NetworkWorld((1, 1, 1, 1), output="linear", numbers="lecture"),
    "wide-output": _OutputJacobian((3, 3, 3, 3), numbers="lecture"),
    "update": _Update((3, 3, 3, 2), numbers="lecture"),
    "chain": ExpressionWorld("u = x**2; v = sin(u); f = exp(v)", (("x", 0.8),), "f", "x", (("x", (0.3, 1.7)),)),
    "upstream": _upstream,
    "toy": ExpressionWorld("z = log(y_1/y_2); y_1 = x**2; y_2 = x**3", (("x", 2.0),), "z", "x", (("x", (0.5, 3.0)),)),
    "logistic": ExpressionWorld("h = sigmoid(z)", (("z", 0.5),), "h", "z", (("z", (-3.0, 3.0)),), g="logistic"),
    "tanh": ExpressionWorld("h = tanh(z)", (("z", 0.5),), "h", "z", (("z", (-3.0, 3.0)),), g="tanh"),
}
"""The numbers of the built-in exercises, by the name a catalogue entry gives them (``world = "figure"``): each
``world(seed, k)`` builds network or expression k (0: the question's) after ``backward()``."""
