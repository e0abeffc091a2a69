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
from ..nn import ACTIVATIONS, MLP, OUTPUTS, cross_entropy, one_hot, squared_error
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


_G_PRIME = {"logistic": "g'(a) = g(a)(1 - g(a))", "tanh": "g'(a) = 1 - g(a)²", "relu": "g'(a) = 1 for a > 0, else 0", "linear": "g'(a) = 1"}

_OTHER_G_PRIME: dict[str, tuple[str, Callable[[Array], Array]]] = {
    "logistic": ("1 - h² (tanh's)", lambda h: 1.0 - h * h),
    "tanh": ("h(1 - h) (the logistic's)", lambda h: h * (1.0 - h)),
}
"""The slip ``wrong_function`` (Module 4.9): ∂h/∂a written with the other activation's rule in h = g(a)."""


class _Lazy:
    """A world's list of slips, computed when first iterated: most worlds a formula is checked on never need them."""

    def __init__(self, make: Callable[[], list[Slip]]) -> None:
        self._make: Callable[[], list[Slip]] | None = make
        self._items: list[Slip] = []

    def __iter__(self) -> Iterator[Slip]:
        if self._make is not None:
            self._items, self._make = self._make(), None
        return iter(self._items)


def _col(values: Sequence[float]) -> Array:
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
        for name in list(values):  # ŷ_l, a_{L,l} and their gradients: entry l of each world, for a formula in l
            m = re.fullmatch(rf"((?:dL/d)?(?:yhat_|y_|a_{last},))(\d+)", name)
            if m and int(m.group(2)) == label + 1:
                values[m.group(1) + "l"] = values[name]
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
@dataclass(frozen=True)
class NetworkWorld:
    """A feedforward network of ``sizes`` after one forward and backward pass on one input (CS7015 Lecture 4, Module 4.1).

    Seed s gives the weights (``MLP(..., seed=s)``), biases in [-0.5, 0.5], an input x in [-2, 2]^n_0 (two decimals)
    and the true class l (softmax) or a target y in [-1, 1]^k (linear); worlds 1 and 2 draw all of them afresh.

    Attributes:
        sizes: n_0, n_1, ..., n_{L-1}, k (at least an input and an output size; each 1..:data:`MAX_UNITS`).
        activation: g, one of :data:`~micrograd_nptel.nn.ACTIVATIONS`.
        output: O: ``"softmax"`` (with the cross-entropy L = -log ŷ_l) or ``"linear"`` (with L = Σ_j (ŷ_j - y_j)²).
        target: the canonical name of the quantity asked (``"dL/dW_1"``), whose slips the world lists.
    """

    sizes: tuple[int, ...]
    activation: str = "logistic"
    output: str = "softmax"
    target: str = ""

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

    @property
    def layers(self) -> int:
        """L, the number of layers with weights."""
        return len(self.sizes) - 1

    def __call__(self, seed: int, world: int) -> Context:
        """The Context of world ``world`` (0, 1, 2) on the numbers of ``seed``: every quantity, its gradient and its entries."""
        net_seed = seed if world == 0 else 1_000_003 + 7 * seed + world
        rng = random.Random(net_seed * 7919 + 17)
        n0, *hidden, k = self.sizes
        x = [round(rng.uniform(-2.0, 2.0), 2) for _ in range(n0)]
        mlp = MLP(n0, hidden, k, activation=self.activation, output=self.output, seed=net_seed)
        for layer in mlp.layers:  # MLP's biases start at 0; an exercise needs them to show (a_k = b_k + W_k h_{k-1})
            for bias in layer.b:
                bias.data = round(rng.uniform(-0.5, 0.5), 2)
        label = rng.randrange(k)
        xs = [Value(v, label=f"x_{j + 1}") for j, v in enumerate(x)]
        y_hat = mlp(xs)
        target = [float(i == label) for i in range(k)] if self.output == "softmax" else [round(rng.uniform(-1.0, 1.0), 2) for _ in range(k)]
        loss = cross_entropy(y_hat, label) if self.output == "softmax" else squared_error(y_hat, target)
        loss.label = "L"
        loss.backward()
        values, nodes = network_values(mlp, xs, y_hat, target, label if self.output == "softmax" else None)
        ctx = Context(values, root="L", g=self.activation, k=k, layers=self.layers, label=label + 1 if self.output == "softmax" else None)
        ctx.extra.update(model=mlp, root=loss, nodes=nodes, slips=_Lazy(lambda: self.slips(values) if self.target else []))
        return ctx

    # ------------------------------------------------------------------ slips
    def backprop(self, v: Mapping[str, Array], *, slip: str = "", layers: frozenset[int] | None = None) -> dict[str, Array]:
        """Module 4.8's pseudo code in numpy on the world's numbers ``v``, with one step changed by ``slip``.

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
        grad_a = v[f"dL/da_{L}"]
        if slip == "softmax_diagonal":
            l = int(v["l"]) - 1
            grad_a = np.zeros_like(grad_a)
            grad_a[l, 0] = -(1.0 - float(v["yhat"][l, 0]))
        elif slip == "missing_factor":
            grad_a = grad_a / 2.0
        out: dict[str, Array] = {}
        for k in range(L, 0, -1):
            here = layers is None or k in layers
            h_prev = v["x"] if k == 1 else v[f"h_{k - 1}"]
            wrong_h = slip == "wrong_layer" and here and k < L and v[f"h_{k}"].shape == h_prev.shape
            out[f"dL/da_{k}"], out[f"dL/db_{k}"], out[f"dL/dW_{k}"] = grad_a, grad_a, grad_a @ (v[f"h_{k}"] if wrong_h else h_prev).T
            W = v[f"W_{k}"]
            grad_h = (W if slip == "transpose" and here and W.shape[0] == W.shape[1] else W.T) @ grad_a
            if k == 1:
                out["dL/dx"] = grad_h
                break
            out[f"dL/dh_{k - 1}"] = grad_h
            grad_a = grad_h * self._step(v, k - 1, slip if layers is None or k - 1 in layers else "")
        return _entries(out)

    def _step(self, v: Mapping[str, Array], k: int, slip: str) -> Array:
        """∂h_k/∂a_k as used: g'(a_k), or the slip's 1, g(a_k) = h_k, or g'(h_k)."""
        a, h = v[f"a_{k}"], v[f"h_{k}"]
        if slip == "missing_g_prime":
            return np.ones_like(a)
        if slip == "g_for_g_prime":
            return h
        if slip == "wrong_function" and self.activation in _OTHER_G_PRIME:
            return _OTHER_G_PRIME[self.activation][1](h)
        return self._g_prime(h if slip == "g_prime_at_h" else a)

    def _layers(self, slip: str) -> list[int]:
        """The layers where ``slip`` changes a step: g' at the hidden layers, W_k^T at a square W_k (k >= 2), h_k where it fits."""
        sizes, L = self.sizes, self.layers
        if slip in ("missing_g_prime", "g_for_g_prime", "g_prime_at_h", "wrong_function"):
            return list(range(1, L))
        if slip == "transpose":
            return [k for k in range(2, L + 1) if sizes[k] == sizes[k - 1]]
        if slip == "wrong_layer":
            return [k for k in range(1, L) if sizes[k] == sizes[k - 1]]
        return []

    def _g_prime(self, a: Array) -> Array:
        if self.activation == "logistic":
            s = 1.0 / (1.0 + np.exp(-a))
            return s * (1.0 - s)
        if self.activation == "tanh":
            return 1.0 - np.tanh(a) ** 2
        return (a > 0).astype(float) if self.activation == "relu" else np.ones_like(a)

    def slips(self, v: Mapping[str, Array]) -> list[Slip]:
        """The lecture's slips for :attr:`target` on numbers ``v``: ``(key, message, value)``, the same list for every world."""
        t, want = self.target, v[self.target]
        out: list[Slip] = [Slip("sign", f"The sign is wrong: {pretty(t)} has the opposite sign.", -want)]
        if re.fullmatch(r"dL/d(?:[Wabh]_\d+(?:,\d+)*|x(?:_\d+)?)", t):
            g = f"{self.activation}: {_G_PRIME[self.activation]}"
            messages = {
                "missing_g_prime": f"No g'(a) factor: a step from h_k back to a_k (∇_{{a_k}}L = ∇_{{h_k}}L ⊙ g'(a_k)) was skipped ({g}).",
                "g_for_g_prime": f"g(a) where g'(a) is needed: ∂h_k/∂a_k is the derivative of g ({g}), not g itself.",
                "g_prime_at_h": f"g' evaluated at h: ∂h_k/∂a_k = g'(a_k), at the pre-activation a_k, not at h_k = g(a_k) ({g}).",
                "transpose": "W_k where W_k^T is needed on the way down: ∇_{h_{k-1}}L = W_k^T ∇_{a_k}L (Modules 4.6, 4.8).",
                "wrong_layer": "h_k where h_{k-1} is needed: ∂a_{k,i}/∂W_{k,i,j} = h_{k-1,j}, the input to layer k (Module 4.7).",
            }
            if self.activation in _OTHER_G_PRIME:
                rule = _OTHER_G_PRIME[self.activation][0]
                messages["wrong_function"] = f"{rule} is another activation's derivative rule: here g is the {g}."
            if self.output == "softmax":
                messages["softmax_diagonal"] = (
                    "Only the i = l entry of ∇_{a_L}L: for softmax and cross-entropy ∇_{a_L}L = ŷ - e(l) (Module 4.5)."
                )
            else:
                messages["missing_factor"] = "The 2 of ∂(ŷ_j - y_j)²/∂ŷ_j = 2(ŷ_j - y_j) is missing."
            for key, message in messages.items():
                out.append(Slip(key, message, self.backprop(v, slip=key)[t]))  # at every layer, then at each layer alone
                each = self._layers(key)
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
    """

    text: str
    at: tuple[tuple[str, float], ...]
    root: str
    wrt: str
    ranges: tuple[tuple[str, tuple[float, float]], ...] = ()

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
        ctx = Context(values, root=root.label)
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
def _network_seed(main: int, world: int) -> int:
    return main if world == 0 else 1_000_003 + 7 * main + world


def _label(main: int, world: int, k: int) -> int:
    """The true class (0-based): class 1 on the figure's example, random on other seeds, and on worlds 1, 2
    always another class than the question's, so a formula that writes the class as a number is caught."""
    label = 0 if main == 0 else random.Random(main).randrange(k)
    if world == 0 or k == 1:
        return label
    others = [c for c in range(k) if c != label]
    return others[(world - 1) % len(others)]


def _network(main: int, world: int, sizes: tuple[int, ...] = (3, 3, 3, 2), g: str = "logistic", output: str = "softmax") -> Context:
    """The figure's network (3-3-3-2, logistic, softmax + cross-entropy) or another of ``sizes``, after ``backward()``.

    World 0 of seed 0 is exactly :func:`~micrograd_nptel.examples.figure_network` (MLP seed 0, biases 0,
    x = (1, 0.5, -1.5), l = 1): the network of notebooks 03-05, ``explain``, ``draw`` and ``verify``. Other seeds
    and worlds have their own weights, biases (drawn from [-0.5, 0.5], so a_2 = b_2 + W_2 h_1 shows them), input
    and true class (worlds 1, 2 another class than world 0's).
    """
    seed = _network_seed(main, world)
    n0, *hidden, k = sizes
    rng = random.Random(seed * 7919 + 17)
    label = _label(main, world, k)
    figure = seed == 0 and sizes == (3, 3, 3, 2) and g == "logistic" and output == "softmax"
    x = [1.0, 0.5, -1.5] if seed == 0 and n0 == 3 else [round(rng.uniform(-2.0, 2.0), 2) for _ in range(n0)]
    mlp = MLP(n0, hidden, k, activation=g, output=output, seed=seed)
    if not figure:
        for layer in mlp.layers:  # MLP's biases start at 0; other networks draw theirs so that they show
            for bias in layer.b:
                bias.data = round(rng.uniform(-0.5, 0.5), 2) or 0.01
    xs = [Value(v, label=f"x_{j + 1}") for j, v in enumerate(x)]
    y_hat = mlp(xs)
    if output == "softmax":
        target = one_hot(label, k)
        loss = cross_entropy(y_hat, label)
    else:
        target = [round(rng.uniform(-1.0, 1.0), 2) for _ in range(k)]
        loss = squared_error(y_hat, target)
    loss.label = "L"
    loss.backward()
    values, nodes = network_values(mlp, xs, y_hat, target, label if output == "softmax" else None)
    ctx = Context(values, root="L", g=g, k=k, layers=len(mlp.layers), label=label + 1 if output == "softmax" else None)
    ctx.extra.update(model=mlp, root=loss, nodes=nodes)
    return ctx


def _figure(main: int, world: int) -> Context:
    return _network(main, world)


def _thin(main: int, world: int) -> Context:
    return _network(main, world, sizes=(1, 1, 1, 1), output="linear")


def _wide_output(main: int, world: int) -> Context:
    """The figure's network with k = 3 classes, and ∂ŷ/∂a_3 (3 x 3) from the engine as the target."""
    ctx = _network(main, world, sizes=(3, 3, 3, 3))
    mlp: MLP = ctx.extra["model"]  # type: ignore[assignment]
    a3, y_hat = mlp.layers[-1].a, mlp.layers[-1].h
    ctx.values["__target__"] = np.array([gradient(v, list(a3)) for v in y_hat])
    return ctx


def _update(main: int, world: int) -> Context:
    """The figure's network and one gradient-descent step of W_1 with the library's SGD (no momentum)."""
    ctx = _network(main, world)
    eta = [0.1, 0.5, 0.2, 0.05, 0.3][(main + world) % 5]  # worlds 1, 2 take other rates: η is given too
    mlp: MLP = ctx.extra["model"]  # type: ignore[assignment]
    W1 = [w for row in mlp.layers[0].W for w in row]
    SGD(W1, lr=eta).step()
    ctx.values["eta"] = np.array(eta)
    ctx.values["__target__"] = np.array([w.data for w in W1]).reshape(ctx.values["W_1"].shape)
    return ctx


def _rng(main: int, world: int) -> random.Random:
    return random.Random(main * 1_000_003 + world * 101 + 5)


def _chain(main: int, world: int) -> Context:
    """IIT Hyderabad Backpropagation-1: f(x) = e^{sin(x²)} at one x; the target df/dx from the engine."""
    x = 0.8 if main == world == 0 else round(_rng(main, world).uniform(0.3, 1.7), 2)
    xv = Value(x, label="x")
    u = xv**2
    v = u.sin()
    f = v.exp()
    u.label, v.label, f.label = "u", "v", "f"
    f.backward()
    values = {"x": x, "u": u.data, "v": v.data, "f": f.data, "__target__": xv.grad}
    ctx = Context({k: np.array(val) for k, val in values.items()}, root="f")
    ctx.extra.update(root=f)
    return ctx


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


def _toy(main: int, world: int) -> Context:
    """CS7015 Lecture 4, Module 4.6: z = log(y_1/y_2), y_1 = x², y_2 = x³; the target dz/dx from the engine."""
    x = 2.0 if main == world == 0 else round(_rng(main, world).uniform(0.5, 3.0), 2)
    xv = Value(x, label="x")
    y1, y2 = xv**2, xv**3
    y1.label, y2.label = "y_1", "y_2"
    z = (y1 / y2).log()
    z.label = "z"
    z.backward()
    values = {"x": x, "y_1": y1.data, "y_2": y2.data, "z": z.data, "dz/dy_1": y1.grad, "dz/dy_2": y2.grad}
    ctx = Context({k: np.array(v) for k, v in values.items()}, root="z")
    ctx.values["__target__"] = np.array(xv.grad)
    ctx.extra.update(root=z, nodes={"x": xv})
    return ctx


def _activation(g: str) -> Callable[[int, int], Context]:
    def build(main: int, world: int) -> Context:
        z = 0.5 if main == world == 0 else round(_rng(main, world).uniform(-3.0, 3.0), 2)
        zv = Value(z, label="z")
        h = zv.sigmoid() if g == "logistic" else zv.tanh()
        h.label = "g(z)"
        h.backward()
        ctx = Context({"z": np.array(z), "__target__": np.array(zv.grad)}, root="L", g=g)
        ctx.extra.update(root=h)
        return ctx

    build.__doc__ = f"g'(z) for g = {g} at one z, from the engine (CS7015 Lecture 4, Module 4.9)."
    return build


WORLDS: dict[str, Callable[[int, int], Context]] = {
    "figure": _figure,
    "thin": _thin,
    "wide-output": _wide_output,
    "update": _update,
    "chain": _chain,
    "upstream": _upstream,
    "toy": _toy,
    "logistic": _activation("logistic"),
    "tanh": _activation("tanh"),
}
"""The numbers of the built-in exercises, by the name a catalogue entry gives them (``world = "figure"``): each
``world(seed, k)`` builds network or expression k (0: the question's) after ``backward()``."""
