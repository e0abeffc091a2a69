"""Your turn: exercises that check a derivation you wrote and say which step is wrong.

Each :class:`Exercise` asks for one quantity of the lecture (a gradient, a pre-activation, one
update) on concrete numbers, and :meth:`Exercise.check` reads your answer: a number, an array or
nested list in the slide's shape, or a formula in the slide's notation (the grammar is in
:mod:`micrograd_nptel.formula`)::

    from micrograd_nptel import exercises

    ex = exercises.get("4.6-hidden")        # ∇_{h_2}L = W_3^T ∇_{a_3}L, CS7015 Lecture 4, Module 4.6
    ex                                      # the question, the numbers it gives, the shape of the answer
    ex.check("W_3 @ grad_a_3")              # red: W_3 where W_3^T is needed (the shapes 2 x 3 and 2 x 1 do not fit)
    ex.check("W_3^T @ grad_a_3")            # green
    ex.new(seed=7)                          # the same question on other numbers
    ex.picture()                            # its network, values only; ex.solution() when stuck

The correct value always comes from the engine (``backward()`` on the exercise's network), never
from a stored answer. A formula is checked on the exercise's numbers **and on two more networks of
the same shape**, so a formula that matches one number by accident is not accepted. A wrong answer
is compared with the answers the lecture's usual slips give (:data:`MISTAKES`) and the first that
matches is named, in the slide's notation and with the numbers.
"""

from __future__ import annotations

import functools
import itertools
import math
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from html import escape
from typing import Any, NamedTuple

import graphviz
import numpy as np

from .derivation import Derivation, _num, bmatrix, explain
from .engine import Value
from .formula import (
    AnswerError,
    Array,
    Context,
    Formula,
    ShapeMismatch,
    as_array,
    container,
    display,
    evaluate,
    pretty,
    pretty_tex,
    read,
    shape_text,
)
from .nn import MLP, cross_entropy, one_hot, squared_error
from .optim import SGD
from .testing import gradient

__all__ = ["MISTAKES", "AnswerError", "Exercise", "Feedback", "Mistake", "Rate", "catalogue", "diagnosis_rates", "get"]

EXACT = 1e-6
"""Relative tolerance of a correct answer: |answer - value| <= 1e-6 max|value| (entry by entry for arrays)."""

ROUNDING = 1e-2
"""A number within 1% (relative tolerance 1e-2 of max|value|) is accepted as correct to rounding, with a note."""

MISTAKES = {
    "missing_paths": "the sum over some of the paths only (Module 4.6): the missing ones are named",
    "sign": "the right magnitude with the wrong sign",
    "missing_g_prime": "no g'(a) factor: the step from h to a was skipped (Modules 4.6, 4.9)",
    "g_prime_at_h": "g' evaluated at h = g(a) instead of at a (Module 4.9)",
    "transpose": "W_k where W_k^T is needed, i and j swapped, or h ∇a^T instead of ∇a h^T (Modules 4.6, 4.7)",
    "wrong_layer": "h_k where h_{k-1} is needed, or W_k for W_{k+1}",
    "softmax_diagonal": "ŷ_l(1 - ŷ_l) used for every i: the i ≠ l terms of the softmax forgotten (Module 4.5)",
    "index_shift": "the gradient of a neighbouring unit or weight (often an index counted from 0)",
    "missing_factor": "a factor of the chain left out",
    "extra_factor": "a factor that is not in the chain",
    "wrong_point": "a derivative evaluated at the wrong point (cos x instead of cos x², z(1 - z) instead of g(z)(1 - g(z)))",
    "wrong_function": "the derivative of another function",
    "not_one_hot": "every entry given the l-th entry's value (Module 4.5: only ŷ_l appears in L = -log ŷ_l)",
    "g_for_g_prime": "g(a) written where g'(a) is needed (Module 4.9)",
    "paths_multiplied": "the paths multiplied where they are summed (Module 4.6)",
    "shape": "an answer of the wrong shape",
    "rounding": "correct to rounding: within 1% of the value (relative tolerance 1e-2), not within 1e-6",
}
"""Every diagnosis :meth:`Exercise.check` can give, by its key, with what it means."""


# ---------------------------------------------------------------------- feedback
@dataclass(frozen=True)
class Feedback:
    """What :meth:`Exercise.check` says about one answer.

    Attributes:
        correct: True when the answer is right (to rounding: then ``mistake`` is ``"rounding"``).
        mistake: None, or a key of :data:`MISTAKES` naming the slip that explains the answer
            (``"placeholder"`` when the answer was still ``...``).
        message: the diagnosis in the slide's notation, with the numbers.
        exercise: the name of the exercise.
    """

    correct: bool
    mistake: str | None
    message: str
    exercise: str = ""

    @property
    def placeholder(self) -> bool:
        """True when the answer was still the placeholder ``...``."""
        return self.mistake == "placeholder"

    def __str__(self) -> str:
        head = "placeholder" if self.placeholder else "correct" if self.correct else "not yet"
        key = f" [{self.mistake}]" if self.mistake and not self.placeholder else ""
        return f"{self.exercise}: {head}{key}\n{self.message}"

    def _repr_html_(self) -> str:
        colour, border, head = (
            ("#fff8e1", "#f0b400", "Your turn")
            if self.placeholder
            else ("#e8f5e9", "#2e7d32", "Correct")
            if self.correct
            else ("#ffebee", "#c62828", "Not yet")
        )
        key = f" <code>{escape(self.mistake)}</code>" if self.mistake and not self.placeholder else ""
        lines = []
        for line in self.message.split("\n"):  # the numbers in a monospace font, so a matrix's columns line up
            numbers = re.match(r"\s|yours\s*=|\S+ = [-\d\[]", line)
            lines.append(f'<span style="font-family:monospace;font-size:13px">{escape(line)}</span>' if numbers else escape(line))
        return (
            f'<div style="background:{colour};border-left:6px solid {border};padding:8px 12px;'
            f'white-space:pre-wrap;overflow-wrap:anywhere;max-width:820px;font-size:14px;line-height:1.45">'
            f"<b>{head}</b>{key} <span style='color:#555'>({escape(self.exercise)})</span>\n" + "\n".join(lines) + "</div>"
        )


@dataclass(frozen=True)
class Mistake:
    """One slip an exercise recognises: its ``key`` (see :data:`MISTAKES`), the wrong ``formulas`` it gives, and a ``message``.

    ``message`` may use ``{formula}`` (the wrong formula that matched, in the slide's notation).
    """

    key: str
    formulas: tuple[str, ...]
    message: str


# ---------------------------------------------------------------------- the numbers of an exercise
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


def _network_seed(main: int, world: int) -> int:
    return main if world == 0 else 1_000_003 + 7 * main + world


def _network(main: int, world: int, sizes: tuple[int, ...] = (3, 3, 3, 2), g: str = "logistic", output: str = "softmax") -> Context:
    """The figure's network (3-3-3-2, logistic, softmax + cross-entropy) or another of ``sizes``, after ``backward()``.

    World 0 of seed 0 has the notebooks' weights and input (MLP seed 0, x = (1, 0.5, -1.5), l = 1) and biases
    drawn from [-0.5, 0.5] (the MLP's start at 0); other worlds keep the exercise's true class l and change
    the weights, the biases and the input.
    """
    seed = _network_seed(main, world)
    n0, *hidden, k = sizes
    rng = random.Random(seed * 7919 + 17)
    label = 0 if main == 0 else random.Random(main).randrange(k)
    x = [1.0, 0.5, -1.5] if seed == 0 and n0 == 3 else [round(rng.uniform(-2.0, 2.0), 2) for _ in range(n0)]
    mlp = MLP(n0, hidden, k, activation=g, output=output, seed=seed)
    for layer in mlp.layers:  # biases start at 0 in MLP; an exercise needs them to show (a_2 = b_2 + W_2 h_1)
        for bias in layer.b:
            bias.data = round(rng.uniform(-0.5, 0.5), 2)
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
    values: dict[str, Array] = {}
    nodes: dict[str, Value] = {}
    _put(values, nodes, "x", xs, "x_")
    for layer in mlp.layers:
        k_ = layer.index
        values[f"W_{k_}"] = np.array([[w.data for w in row] for row in layer.W])
        values[f"dL/dW_{k_}"] = np.array([[w.grad for w in row] for row in layer.W])
        for i, row in enumerate(layer.W, start=1):
            for j, w in enumerate(row, start=1):
                values[f"W_{k_},{i},{j}"], values[f"dL/dW_{k_},{i},{j}"] = np.array(w.data), np.array(w.grad)
                nodes[f"W_{k_},{i},{j}"] = w
        _put(values, nodes, f"b_{k_}", layer.b, f"b_{k_},")
        _put(values, nodes, f"a_{k_}", layer.a, f"a_{k_},")
        if k_ < len(mlp.layers):
            _put(values, nodes, f"h_{k_}", layer.h, f"h_{k_},")
    _put(values, nodes, "yhat", y_hat, "yhat_")
    values["y"] = _col(target)
    for j, t in enumerate(target, start=1):
        values[f"y_{j}"] = np.array(float(t))
    if output == "softmax":
        values["l"] = np.array(float(label + 1))
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
    eta = [0.1, 0.5, 0.2, 0.05, 0.3][main % 5]
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
    ctx = Context({"x": np.array(x), "__target__": np.array(xv.grad)}, root="f")
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
    ctx = Context({"x": np.array(x), "y_1": np.array(y1.data), "y_2": np.array(y2.data), "z": np.array(z.data)}, root="z")
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


@functools.lru_cache(maxsize=256)
def _context(name: str, main: int, world: int) -> Context:
    return _BUILDERS[name](main, world)


@functools.lru_cache(maxsize=256)
def _world_context(build: Callable[[int, int], Context], main: int, world: int) -> Context:
    return build(main, world)


# ---------------------------------------------------------------------- formatting numbers
def _fmt(v: Array, indent: int = 0) -> str:
    """A number (6 significant digits), a column ``[...]ᵀ``, or a matrix one row per line, rows indented by ``indent``."""
    if v.ndim == 0 or v.size == 1:
        return f"{float(v.reshape(())):.6g}"
    if v.shape[1] == 1:
        return "[" + ", ".join(f"{float(t):.6g}" for t in v[:, 0]) + "]ᵀ"
    cells = [[f"{float(t):.6g}" for t in row] for row in v]
    width = max(len(c) for row in cells for c in row)
    rows = ["[" + ", ".join(c.rjust(width) for c in row) + "]" for row in cells]
    return "[" + (",\n" + " " * (indent + 1)).join(rows) + "]"


def _pair(name: str, want: Array, yours: Array) -> str:
    """``name = value`` and ``yours = value`` on lines of their own, matrices aligned."""
    pad = max(len(name), 5)
    return f"{name.ljust(pad)} = {_fmt(want, pad + 3)}\n{'yours'.ljust(pad)} = {_fmt(yours, pad + 3)}"


def _tex(v: Array) -> str:
    """6 significant digits (enough to get the answer right to 1e-4 by hand); a column vector as a row with ^T."""
    if v.ndim == 0 or v.size == 1:
        return _num(float(v.reshape(())), 6)
    return bmatrix(v.T, 6) + "^T" if v.shape[1] == 1 else bmatrix(v, 6)


def _shape_tex(shape: str) -> str:
    """``"a 3 x 3 matrix (n_2 x n_1)"`` -> ``"a 3 x 3 matrix ($n_2 \\times n_1$)"``: the slide's sizes typeset."""
    return re.sub(r"\(([nk][^)]*)\)", lambda m: "($" + m.group(1).replace(" x ", r" \times ") + "$)", shape)


def typed(name: str) -> str:
    """How to type a canonical name in a formula: ``dL/da_3`` -> ``grad_a_3``, ``W_1,1,1`` -> ``W_{1,1,1}``, ``yhat`` -> ``yhat``."""
    grad = name.startswith("dL/d") and re.fullmatch(r"[Wabh]_\d+|yhat|x", name[4:])
    body = name[4:] if grad else name
    body = re.sub(r"_(\d+,[\d,]+)$", lambda m: "_{" + m.group(1) + "}", body)
    return f"grad_{body}" if grad else body


def _fit(v: Array, want: Array) -> Array | None:
    """``v`` in the shape of ``want`` when it is that shape up to a vector's orientation; None otherwise."""
    if want.ndim == 0:
        return v.reshape(()) if v.size == 1 else None
    if want.shape[1] == 1 and v.ndim == 2 and v.size == want.size and 1 in v.shape:
        return v.reshape(want.shape)
    return v if v.shape == want.shape else None


def _close(v: Array | None, want: Array, rtol: float) -> bool:
    if v is None or v.shape != want.shape:
        return False
    scale = max(float(np.abs(want).max()), 1e-300)
    return bool(np.all(np.abs(v - want) <= rtol * scale))


# ---------------------------------------------------------------------- the exercise
@dataclass(frozen=True)
class Exercise:
    """One question of the lecture on concrete numbers, that checks your answer (see :meth:`check`).

    Attributes:
        name: e.g. ``"4.7-weight"`` (the module, then what is asked); ``module``: the source, e.g.
            ``"CS7015 Lecture 4, Module 4.7"``; ``notebook``: the notebook whose "Your turn" it belongs to.
        title: one line; ``question``/``question_tex``: the question in text and in Markdown with LaTeX.
        asks/asks_tex: the quantity asked for (``"∂L/∂W_{2,2,3}"``); ``shape``: the shape of the answer in words.
        given: the names of the numbers the question gives (canonical spelling, see :mod:`~micrograd_nptel.formula`).
        reference: the lecture's formula for the answer, in the grammar; ``reference_tex`` in LaTeX.
        mistakes: the slips this exercise recognises, in the order they are tried.
        paths: the scalar whose paths to the output are summed (Module 4.6), for ``missing_paths``; None if none.
        neighbours: True to diagnose ``index_shift`` (the gradient of a neighbouring unit or weight).
        forbidden: functions a formula may not use (``g'`` when g' is what is asked).
        path_examples: formulas that sum some of the paths only (to measure the ``missing_paths`` diagnosis).
        seed: the numbers (``new(seed)`` gives the same question on others). Seed 0 is the notebooks' example.
        world: where the numbers come from: ``world(seed, k)`` gives the Context of network/expression k
            (:class:`~micrograd_nptel.worlds.NetworkWorld`, :class:`~micrograd_nptel.worlds.ExpressionWorld`;
            :func:`from_network` and :func:`from_expression` make one). None for the built-in exercises.
    """

    name: str
    module: str
    notebook: str
    title: str
    question: str
    question_tex: str
    asks: str
    asks_tex: str
    shape: str
    given: tuple[str, ...]
    reference: str
    reference_tex: str
    mistakes: tuple[Mistake, ...]
    target: str = "__target__"
    paths: str | None = None
    neighbours: bool = False
    forbidden: frozenset[str] = frozenset()
    path_examples: tuple[str, ...] = ()
    seed: int = 0
    world: Callable[[int, int], Context] | None = None
    _cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    # ------------------------------------------------------------------ numbers
    def context(self, world: int = 0) -> Context:
        """The numbers of network/expression ``world`` (0: the question's; 1, 2: the extra ones a formula is checked on).

        Raises:
            ValueError: an exercise built without a ``world`` that is not one of the built-in ones.
        """
        if self.world is not None:
            return _world_context(self.world, self.seed, world)
        if self.name not in _BUILDERS:
            raise ValueError(
                f"exercise {self.name!r} has no numbers: give it world=NetworkWorld(...) or ExpressionWorld(...), "
                "or make it with exercises.from_network / from_expression"
            )
        return _context(self.name, self.seed, world)

    def new(self, seed: int) -> Exercise:
        """The same question on other numbers (``seed`` >= 0 an int), so an answer cannot be copied.

        Raises:
            TypeError: ``seed`` is not an int. ValueError: ``seed`` < 0.
        """
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise TypeError(f"seed must be an int, got {seed!r}")
        if seed < 0:
            raise ValueError(f"seed must be >= 0, got {seed}")
        return replace(self, seed=seed, _cache={})

    def picture(self) -> graphviz.Digraph:
        """The question's network (:func:`~micrograd_nptel.graph.draw_network`) or expression
        (:func:`~micrograd_nptel.graph.draw_dot`), values only: no ∇ and no local derivatives, which would give the
        answer away. Shown in Jupyter; ``render(ex.picture(), "png")`` for a file."""
        from .graph import draw_dot, draw_network

        ctx = self.context()
        model, root = ctx.extra.get("model"), ctx.extra.get("root")
        if isinstance(model, MLP):
            return draw_network(model, loss=root if isinstance(root, Value) else None, gradients=False)
        assert isinstance(root, Value)  # every exercise keeps its graph's output
        return draw_dot(root, show_grads=False, size="8,3")

    def solution_value(self) -> float | Array:
        """The correct answer from the engine: a float, or an array in the slide's shape (a vector as a 1-D array)."""
        v = self.context().values[self.target]
        if v.ndim == 0:
            return float(v.item())
        out: Array = v[:, 0].copy() if v.shape[1] == 1 else v.copy()
        return out

    def solution(self) -> Solution:
        """The lecture's formula, its value, and (for one scalar of a network or expression) the derivation by :func:`explain`."""
        ctx = self.context()
        derivation = None
        nodes: dict[str, Value] = ctx.extra.get("nodes", {})  # type: ignore[assignment]
        node = self.paths or self.target.removeprefix("dL/d")
        if node in nodes:
            derivation = explain(ctx.extra["root"], nodes[node], model=ctx.extra.get("model"))  # type: ignore[arg-type]
        return Solution(self, display(self.reference, ctx), self.reference_tex, self.solution_value(), derivation)

    # ------------------------------------------------------------------ display
    def given_values(self) -> list[tuple[str, str, Array]]:
        """``(text name, LaTeX name, value)`` of every number the question gives."""
        ctx = self.context()
        return [(pretty(n), pretty_tex(n), ctx.values[n]) for n in self.given]

    def __str__(self) -> str:
        lines = [f"{self.name} ({self.module}): {self.title}", "", self.question, "", "Given:"]
        for name, (text, _, v) in zip(self.given, self.given_values()):
            label = text if typed(name) == text else f"{text} ({typed(name)})"
            lines.append(f"  {label} = {_fmt(v, len(label) + 5)}")
        lines += [
            "",
            f"Answer: {self.asks}, {self.shape}.",
            "Write a number, a list, or a formula (micrograd_nptel.formula gives the grammar).",
        ]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<Exercise {self.name} seed={self.seed}: {self.title}>"

    def _repr_markdown_(self) -> str:
        given = []
        for name, (_, tex, v) in zip(self.given, self.given_values()):  # one line each; a vector as a row with ^T
            given.append(f"- ${tex} = {_tex(v)}$ &nbsp; (in a formula: `{typed(name)}`)")
        return (
            f"**Exercise {self.name}** ({self.module}; seed {self.seed})\n\n{self.question_tex}\n\n"
            "Given:\n\n" + "\n".join(given) + f"\n\n**Answer:** ${self.asks_tex}$, {_shape_tex(self.shape)}. "
            "Write a number, a list, or a formula in the slide's notation (see `micrograd_nptel.formula`)."
        )

    def _repr_latex_(self) -> str:
        return self._repr_markdown_()

    # ------------------------------------------------------------------ checking
    @functools.cached_property
    def allowed(self) -> frozenset[str]:
        """The names a formula may use: the given ones (and their entries), and those the lecture's slips use."""
        ctx = self.context()
        names = set(self.given) | {"l"}
        for text in (self.reference, *(f for m in self.mistakes for f in m.formulas)):
            names |= {container(n) for n in read(text, ctx).names}
        return frozenset(names)

    def check(self, answer: object) -> Feedback:
        """Check an answer and say which step is wrong.

        Args:
            answer: a number; a list / nested list / numpy array in the slide's shape (a vector of n
                entries, a matrix n_k x n_{k-1}); or a formula as text in the slide's notation, e.g.
                ``"dL/da_{2,2} * h_{1,3}"`` (checked on this exercise's numbers and on two more networks).
                ``...`` (the notebooks' placeholder) asks you to replace it.

        Returns:
            :class:`Feedback`: ``correct``, ``mistake`` (a key of :data:`MISTAKES` or None) and ``message``.

        Raises:
            AnswerError (a ValueError): an answer that cannot be read: an unknown name or character
                (with its position and the names there are), a ragged list, NaN or inf, a string that
                is neither a number nor a formula, or ``None``/``True``.
        """
        if answer is Ellipsis:
            return Feedback(False, "placeholder", f"Replace ... with your answer: {self.asks}, {self.shape}.", self.name)
        if answer is None or isinstance(answer, (bool, np.bool_)):
            raise AnswerError(f"expected a number, a list or a formula for {self.asks}, got {answer!r}")
        if isinstance(answer, str):
            formula = self._read(answer.strip())
            if formula.is_number:
                return self._check_number(self._evaluate(formula, 0))
            return self._check_formula(formula)
        if isinstance(answer, (int, float, np.integer, np.floating, list, tuple, np.ndarray)):
            return self._check_number(as_array(answer))
        raise AnswerError(f"expected a number, a list or a formula for {self.asks}, got {type(answer).__name__} {str(answer)[:40]!r}")

    def assert_correct(self, answer: object) -> None:
        """Assert that ``answer`` is correct, for a pytest test or an autograder's test cell.

        Args:
            answer: as for :meth:`check`.

        Raises:
            AssertionError: the answer is not correct (also the placeholder ``...``); the message is the
                :class:`Feedback`: the slip named, in the slide's notation, with the numbers.
            AnswerError: an answer that cannot be read (as :meth:`check`).
        """
        __tracebackhide__ = True  # pytest shows the caller's line and this message, not the checker's source
        feedback = self.check(answer)
        if not feedback.correct:
            raise AssertionError(str(feedback))

    def _read(self, text: str) -> Formula:
        ctx = self.context()
        try:
            formula = read(text, ctx)
        except AnswerError as e:
            if "is not a name" in str(e):
                raise AnswerError(f"{e}; this exercise's names: {self._names()}") from None
            raise
        for n in formula.names:
            if n not in self.allowed and container(n) not in self.allowed:
                raise AnswerError(f"{pretty(n)} is not given in this exercise; it gives {self._names()}")
        return formula

    def _names(self) -> str:
        return ", ".join(pretty(n) for n in [*self.given, *sorted(self.allowed - set(self.given))])

    def _evaluate(self, formula: Formula, world: int) -> Array | Feedback:
        try:
            return evaluate(formula, self.context(world), self.forbidden)
        except ShapeMismatch as e:
            key = "transpose" if e.transposed_fits else "shape"
            hint = " (a transpose, ^T, would make them fit)" if e.transposed_fits else ""
            return Feedback(False, key, f"{e}{hint}. {self.asks} is {self.shape}.", self.name)
        except FloatingPointError as e:
            return Feedback(False, None, f"{formula.text} is not a finite number on these numbers ({e}).", self.name)

    def _expected(self, world: int) -> Array:
        return self.context(world).values[self.target]

    def _check_formula(self, formula: Formula) -> Feedback:
        values: list[Array] = []
        for world in range(3):
            v = self._evaluate(formula, world)
            if isinstance(v, Feedback):
                return v
            values.append(v)
        want = [self._expected(w) for w in range(3)]
        fitted = [_fit(v, w) for v, w in zip(values, want)]
        if fitted[0] is None:
            return self._shape_feedback(values[0], want[0])
        if all(_close(f, w, 1e-9) for f, w in zip(fitted, want)):
            return Feedback(
                True,
                None,
                f"{self.asks} = {display(formula.text, self.context())}, on these numbers and on two more sets of the same shape:\n"
                f"{self.asks} = {_fmt(want[0], len(self.asks) + 3)}",
                self.name,
            )
        if _close(fitted[0], want[0], 1e-9):
            return Feedback(
                False,
                None,
                f"{formula.text} gives {_fmt(want[0])} here, but not on other numbers of the same shape "
                f"({_fmt(values[1])} instead of {_fmt(want[1])}): it matches this number by accident.",
                self.name,
            )
        found = self._diagnose(values, 1e-9, formula_worlds=3)
        if found:
            return found
        return self._far_off(values[0], want[0])

    def _check_number(self, value: Array | Feedback) -> Feedback:
        if isinstance(value, Feedback):
            return value
        want = self._expected(0)
        fitted = _fit(value, want)
        if fitted is None:
            return self._shape_feedback(value, want)
        if _close(fitted, want, EXACT):
            return Feedback(True, None, f"{self.asks} = {_fmt(want, len(self.asks) + 3)}", self.name)
        found = self._diagnose([value], EXACT, formula_worlds=1)
        if found:
            return found
        if _close(fitted, want, ROUNDING):
            err = float(np.abs(fitted - want).max() / max(float(np.abs(want).max()), 1e-300))
            return Feedback(
                True,
                "rounding",
                f"Correct to rounding: within {err:.1e} of {self.asks} = {_fmt(want)} (accepted within a relative tolerance "
                f"of {ROUNDING:g}; exact is {EXACT:g}). Keep more digits in the intermediate steps.",
                self.name,
            )
        found = self._diagnose([value], ROUNDING, formula_worlds=1)
        if found:
            return replace(found, message=found.message + " (to rounding)")
        return self._far_off(value, want)

    def _shape_feedback(self, value: Array, want: Array) -> Feedback:
        if value.ndim == 2 and want.ndim == 2 and value.T.shape == want.shape:
            return Feedback(
                False,
                "transpose",
                f"Your answer is {shape_text(value.shape)}; {self.asks} is {self.shape} ({shape_text(want.shape)}): it is transposed"
                + (" (∇_{W_k}L = ∇_{a_k}L h_{k-1}^T, not h_{k-1} ∇_{a_k}L^T)" if "W" in self.asks else "")
                + ".",
                self.name,
            )
        return Feedback(
            False, "shape", f"Your answer is {shape_text(value.shape)}; {self.asks} is {self.shape} ({shape_text(want.shape)}).", self.name
        )

    def _far_off(self, value: Array, want: Array) -> Feedback:
        fitted = _fit(value, want)
        assert fitted is not None  # callers checked the shape
        if want.ndim == 0 or want.size == 1:
            w, v = float(want.reshape(())), float(fitted.reshape(()))
            ratio = f"{v / w:.3g} times" if w != 0 else "not"
            return Feedback(
                False, None, f"{self.asks} = {_fmt(want)}; yours, {v:.6g}, is {ratio} that. Check each factor of the chain.", self.name
            )
        scale = max(float(np.abs(want).max()), 1e-300)
        bad = np.argwhere(np.abs(fitted - want) > ROUNDING * scale)
        where = ", ".join(f"({i + 1},{j + 1})" if want.shape[1] > 1 else f"{i + 1}" for i, j in bad[:8])
        more = f" and {len(bad) - 8} more" if len(bad) > 8 else ""
        flipped = [(i, j) for i, j in bad if abs(fitted[i, j] + want[i, j]) <= ROUNDING * scale]
        sign = ""
        if flipped:
            sign = (
                " It has the right size and the wrong sign."
                if len(bad) == 1
                else " Each has the right size and the wrong sign."
                if len(flipped) == len(bad)
                else f" {len(flipped)} of them have the right size and the wrong sign."
            )
        entries = "entry" if len(bad) == 1 else "entries"
        return Feedback(
            False,
            None,
            f"{len(bad)} of {want.size} entries differ from {self.asks}: {entries} {where}{more} (counted from 1).{sign}\n"
            f"{_pair(self.asks, want, fitted)}",
            self.name,
        )

    # ------------------------------------------------------------------ diagnosis
    def _candidates(self, world: int) -> list[tuple[str, str, Array]]:
        """Every slip's value on ``world``: ``(key, message, value)``, in the order they are tried (cached)."""
        cached = self._cache.get(f"candidates{world}")
        if cached is not None:
            return cached  # type: ignore[no-any-return]
        ctx = self.context(world)
        out: list[tuple[str, str, Array]] = []
        for mistake in self.mistakes:
            for text in mistake.formulas:
                formula = read(text, ctx)
                try:
                    v = evaluate(formula, ctx)
                except (ShapeMismatch, FloatingPointError):
                    continue
                out.append((mistake.key, mistake.message.replace("{formula}", display(text, ctx)), v))
        out += self._path_candidates(ctx)
        out += self._neighbour_candidates(ctx)
        out += ctx.extra.get("slips", [])  # type: ignore[arg-type]  # a world's own slips (worlds.py), in a fixed order
        self._cache[f"candidates{world}"] = out
        return out

    def _path_candidates(self, ctx: Context) -> list[tuple[str, str, Array]]:
        nodes: dict[str, Value] = ctx.extra.get("nodes", {})  # type: ignore[assignment]
        if self.paths is None or self.paths not in nodes:
            return []
        d = explain(ctx.extra["root"], nodes[self.paths], model=ctx.extra.get("model"), through="labelled")  # type: ignore[arg-type]
        paths = d.paths
        if not 2 <= len(paths) <= 8 or d.count != len(paths):
            return []
        out = []
        for r in range(len(paths) - 1, 0, -1):
            for subset in itertools.combinations(range(len(paths)), r):
                value = math.fsum(paths[i].product for i in subset)
                missing = [i for i in range(len(paths)) if i not in subset]
                out.append(("missing_paths", _paths_message(paths, list(subset), missing, d), np.array(value)))
        return out

    def _neighbour_candidates(self, ctx: Context) -> list[tuple[str, str, Array]]:
        if not self.neighbours:
            return []
        target = self.target
        prefix, _, body = target.rpartition("/d") if "/d" in target else ("", "", target)
        base, _, idx = body.partition("_")
        parts = [int(s) for s in idx.split(",")]
        out = []
        for pos in range(1 if base in ("W", "a", "h", "b") else 0, len(parts)):
            for step in (-1, 1):
                shifted = parts.copy()
                shifted[pos] += step
                name = (prefix + "/d" if prefix else "") + f"{base}_{','.join(map(str, shifted))}"
                if name in ctx.values:
                    out.append(
                        (
                            "index_shift",
                            f"That is {pretty(name)}, the neighbouring {'weight' if base == 'W' else 'unit'}'s gradient: "
                            f"{self.asks} has the indices {idx.replace(',', ', ')}, counted from 1 as on the slides.",
                            ctx.values[name],
                        )
                    )
        return out

    def _diagnose(self, values: list[Array], rtol: float, formula_worlds: int) -> Feedback | None:
        per_world = [self._candidates(w) for w in range(formula_worlds)]
        for i, (key, message, _) in enumerate(per_world[0]):
            if all(i < len(c) and c[i][0] == key and _close(_fit(v, c[i][2]), c[i][2], rtol) for v, c in zip(values, per_world)):
                expected = self._expected(0)
                return Feedback(False, key, f"{message}\n{_pair(self.asks, expected, values[0])}", self.name)
        return None


def _paths_message(paths: Sequence[Any], have: list[int], missing: list[int], d: Derivation) -> str:
    """ "you have the 4 paths through h_{2,1} and h_{2,3}; the 2 through h_{2,2} are missing" (Module 4.6)."""

    def names(i: int) -> list[str]:
        return [str(getattr(v, "label", v)) for v in paths[i].nodes]

    def plural(n: int) -> str:
        return f"the {n} paths" if n != 1 else "the path"

    length = {len(names(i)) for i in range(len(paths))}
    if len(length) == 1:
        for pos in range(1, len(names(0)) - 1):  # from the output down: the first position that tells them apart
            a = {names(i)[pos] for i in have}
            b = {names(i)[pos] for i in missing}
            if not a & b:
                through_a, through_b = " and ".join(sorted(a)), " and ".join(sorted(b))
                verb = "are" if len(missing) != 1 else "is"
                return (
                    f"You have {plural(len(have))} through {through_a}; {plural(len(missing))} through {through_b} {verb} missing. "
                    f"∂{names(0)[0]}/∂{names(0)[-1]} is the sum over all {len(paths)} paths (Module 4.6)."
                )
    listed = "; ".join(" → ".join(names(i)) for i in missing)
    verb = "is" if len(missing) == 1 else "are"
    return f"{len(missing)} of the {len(paths)} paths {verb} missing from your sum: {listed} (Module 4.6: the sum is over every path)."


@dataclass(frozen=True)
class Solution:
    """The answer to an exercise, shown only when asked: the lecture's ``formula``, its ``value``, and the ``derivation``."""

    exercise: Exercise
    formula: str
    formula_tex: str
    value: float | Array
    derivation: Derivation | None

    def __str__(self) -> str:
        v = np.asarray(self.value)
        text = f"{self.exercise.asks} = {self.formula} = {_fmt(v.reshape(-1, 1) if v.ndim == 1 else v)}"
        return text + (f"\n\n{self.derivation}" if self.derivation is not None else "")

    def _repr_markdown_(self) -> str:
        v = np.asarray(self.value)
        out = f"$${self.exercise.asks_tex} = {self.formula_tex} = {_tex(v.reshape(-1, 1) if v.ndim == 1 else v)}$$"
        if self.derivation is not None:
            out += "\n\n" + self.derivation._repr_latex_()
        return out


# ---------------------------------------------------------------------- the catalogue
_BUILDERS: dict[str, Callable[[int, int], Context]] = {}


def _exercise(build: Callable[[int, int], Context], **fields: Any) -> Exercise:
    _BUILDERS[fields["name"]] = build
    mistakes = tuple(Mistake(k, tuple(f) if isinstance(f, (list, tuple)) else (f,), m) for k, f, m in fields.pop("mistakes"))
    return Exercise(mistakes=mistakes, **fields)


def _catalogue() -> list[Exercise]:
    g_prime = "g'(a_{k,j}) = h_{k,j}(1 - h_{k,j}) for the logistic (Module 4.9)"
    return [
        _exercise(
            _chain,
            name="BP1-chain",
            module="IIT Hyderabad Backpropagation-1",
            notebook="01_chain_rule",
            title="f'(x) for f(x) = e^{sin(x²)}: one chain of three factors",
            question="f(x) = e^{sin(x²)}. With u = x² and v = sin u, f = e^v. Find f'(x) = (df/dv)(dv/du)(du/dx).",
            question_tex=r"$f(x) = e^{\sin(x^2)}$. With $u = x^2$ and $v = \sin u$, $f = e^v$. Find $f'(x) "
            r"= \frac{df}{dv}\frac{dv}{du}\frac{du}{dx}$.",
            asks="f'(x)",
            asks_tex="f'(x)",
            shape="a number",
            given=("x",),
            reference="exp(sin(x^2)) * cos(x^2) * 2*x",
            reference_tex=r"e^{\sin(x^2)} \cos(x^2)\, 2x",
            mistakes=[
                ("sign", "-exp(sin(x^2)) * cos(x^2) * 2*x", "The sign is wrong: the derivative of sin is +cos."),
                ("missing_factor", "exp(sin(x^2)) * cos(x^2)", "The last factor du/dx = 2x is missing: {formula} stops at u = x²."),
                ("missing_factor", "exp(sin(x^2)) * 2*x", "The factor dv/du = cos(x²) is missing."),
                ("missing_factor", "cos(x^2) * 2*x", "The first factor df/dv = e^{sin(x²)} is missing."),
                (
                    "wrong_point",
                    "exp(sin(x^2)) * cos(x) * 2*x",
                    "cos is evaluated at x: dv/du = cos u must be taken at u = x², i.e. cos(x²).",
                ),
                ("wrong_point", "exp(sin(x)) * cos(x^2) * 2*x", "e^v is evaluated at v = sin x: it must be e^{sin(x²)}, f itself."),
            ],
        ),
        _exercise(
            _upstream,
            name="BP1-upstream",
            module="IIT Hyderabad Backpropagation-1",
            notebook="01_chain_rule",
            title="downstream = upstream × local: ∂L/∂x through g = x y, f = g + z",
            question="g = x y and f = g + z; the loss's gradient arriving at f (the upstream) is "
            "∂L/∂f. Find ∂L/∂x = (∂L/∂f)(∂f/∂g)(∂g/∂x).",
            question_tex=r"$g = xy$ and $f = g + z$; the upstream gradient arriving at $f$ is $\partial L/\partial f$. "
            r"Find $\frac{\partial L}{\partial x} = \frac{\partial L}{\partial f}\frac{\partial "
            r"f}{\partial g}\frac{\partial g}{\partial x}$.",
            asks="∂L/∂x",
            asks_tex=r"\frac{\partial L}{\partial x}",
            shape="a number",
            given=("x", "y", "z", "dL/df"),
            reference="dL/df * 1 * y",
            reference_tex=r"\frac{\partial L}{\partial f} \cdot 1 \cdot y",
            mistakes=[
                ("sign", "-dL/df * y", "The sign is wrong: ∂f/∂g = +1 and ∂g/∂x = +y."),
                ("missing_factor", "y", "That is only the local derivative ∂g/∂x = y: multiply by the upstream ∂L/∂g = ∂L/∂f · 1."),
                ("wrong_point", "dL/df * x", "∂g/∂x = y, not x: for g = x y, the derivative with respect to x is the other factor."),
                ("extra_factor", "dL/df * x * y", "∂g/∂x = y: g = xy has no x left after differentiating with respect to x."),
            ],
        ),
        _exercise(
            _figure,
            name="4.1-preactivation",
            module="CS7015 Lecture 4, Module 4.1",
            notebook="02_feedforward_network",
            title="the pre-activation a_2 = b_2 + W_2 h_1",
            question="In the figure's network (3-3-3-2, logistic g), compute layer 2's pre-activation a_2 from h_1.",
            question_tex=r"In the figure's network (3-3-3-2, logistic $g$), compute layer 2's pre-activation $a_2$ from $h_1$.",
            asks="a_2",
            asks_tex="a_2",
            shape="a vector of 3 numbers (n_2)",
            given=("W_2", "b_2", "h_1"),
            target="a_2",
            reference="b_2 + W_2 @ h_1",
            reference_tex=r"b_2 + W_2 h_1",
            mistakes=[
                (
                    "transpose",
                    "b_2 + W_2^T @ h_1",
                    "W_2 is transposed: row i of W_2 holds the weights into unit i, so a_{2,i} = b_{2,i} + Σ_j W_{2,i,j} h_{1,j}.",
                ),
                (
                    "wrong_layer",
                    ["b_2 + W_2 @ h_2", "b_2 + W_1 @ h_1", "b_1 + W_2 @ h_1"],
                    "{formula} mixes layers: a_2 = b_2 + W_2 h_1, all of layer 2 applied to h_1.",
                ),
                ("missing_factor", "W_2 @ h_1", "The bias b_2 is missing: a_2 = b_2 + W_2 h_1."),
                ("sign", "-(b_2 + W_2 @ h_1)", "The sign is wrong."),
            ],
        ),
        _exercise(
            _update,
            name="4.2-update",
            module="CS7015 Lecture 4, Module 4.2",
            notebook="02_feedforward_network",
            title="one gradient-descent step: W_1 ← W_1 - η ∇_{W_1}L",
            question="One step of gradient descent, θ_{t+1} = θ_t - η ∇θ_t, for the weights W_1 of the figure's network.",
            question_tex=r"One step of gradient descent, $\theta_{t+1} = \theta_t - \eta \nabla\theta_t$, "
            r"for the weights $W_1$ of the figure's network.",
            asks="W_1 after one step",
            asks_tex=r"W_1 - \eta \nabla_{W_1}\mathcal{L}",
            shape="a 3 x 3 matrix (n_1 x n_0)",
            given=("W_1", "dL/dW_1", "eta"),
            reference="W_1 - eta * grad_W_1",
            reference_tex=r"W_1 - \eta\, \nabla_{W_1}\mathcal{L}",
            mistakes=[
                ("sign", "W_1 + eta * grad_W_1", "That is a step up the gradient: gradient descent subtracts η ∇_{W_1}L."),
                ("missing_factor", "W_1 - grad_W_1", "The learning rate η is missing: the step is η ∇_{W_1}L."),
                ("transpose", "W_1 - eta * grad_W_1^T", "∇_{W_1}L is transposed: entry (i, j) of the gradient updates W_{1,i,j}."),
                ("extra_factor", "-eta * grad_W_1", "That is only the change -η ∇_{W_1}L: add it to W_1."),
            ],
        ),
        _exercise(
            _thin,
            name="4.4-thin",
            module="CS7015 Lecture 4, Module 4.4",
            notebook="03_chain_to_a_weight",
            title="the deep but thin network: ∂L/∂W_{1,1,1} as one chain",
            question=(
                "A deep but thin network, one unit per layer: x → a_1 → h_1 → a_2 → h_2 → a_3 → ŷ, logistic g, linear output "
                "ŷ = a_3 and L = (ŷ - y)². Find ∂L/∂W_{1,1,1}: one path, 'just compressing the chain rule'."
            ),
            question_tex=(
                r"A deep but thin network, one unit per layer: $x \to a_1 \to h_1 \to a_2 \to h_2 \to a_3 \to \hat{y}$, logistic $g$, "
                r"linear output $\hat{y} = a_3$ and $\mathcal{L} = (\hat{y} - y)^2$. Find $\partial "
                r"\mathcal{L} / \partial W_{1,1,1}$: one path."
            ),
            asks="∂L/∂W_{1,1,1}",
            asks_tex=r"\frac{\partial \mathcal{L}}{\partial W_{1,1,1}}",
            shape="a number",
            given=("x", "y", "yhat", "W_2", "W_3", "a_1", "h_1", "a_2", "h_2"),
            target="dL/dW_1,1,1",
            reference="2*(yhat - y) * W_3 * g'(a_2) * W_2 * g'(a_1) * x",
            reference_tex=r"2(\hat{y} - y)\, W_{3,1,1}\, g'(a_2)\, W_{2,1,1}\, g'(a_1)\, x",
            mistakes=[
                ("sign", "2*(y - yhat) * W_3 * g'(a_2) * W_2 * g'(a_1) * x", "The sign is wrong: ∂L/∂ŷ = 2(ŷ - y)."),
                (
                    "missing_g_prime",
                    ["2*(yhat - y) * W_3 * W_2 * x", "2*(yhat - y) * W_3 * g'(a_2) * W_2 * x", "2*(yhat - y) * W_3 * W_2 * g'(a_1) * x"],
                    "A g'(a) factor is missing: {formula} skips ∂h/∂a = g'(a) at a layer ({g}).",
                ),
                (
                    "g_prime_at_h",
                    "2*(yhat - y) * W_3 * g'(h_2) * W_2 * g'(h_1) * x",
                    "g' is evaluated at h: ∂h_k/∂a_k = g'(a_k) = h_k(1 - h_k), not g'(h_k).",
                ),
                (
                    "wrong_layer",
                    "2*(yhat - y) * W_3 * g'(a_2) * W_2 * g'(a_1) * h_1",
                    "The last factor ∂a_1/∂W_{1,1,1} is h_0 = x, the input to layer 1, not h_1.",
                ),
                ("missing_factor", "(yhat - y) * W_3 * g'(a_2) * W_2 * g'(a_1) * x", "The 2 of ∂(ŷ - y)²/∂ŷ = 2(ŷ - y) is missing."),
            ],
        ),
        _exercise(
            _figure,
            name="4.4-weight",
            module="CS7015 Lecture 4, Module 4.4",
            notebook="03_chain_to_a_weight",
            title="the chain from L to W_{1,1,1} in the figure's network",
            question=(
                "In the figure's network (3-3-3-2, logistic g, softmax and cross-entropy), find ∂L/∂W_{1,1,1}. "
                "Start from ∇_{a_3}L (Module 4.5) and go down the chain of Jacobians (Module 4.4): "
                "∂a_3/∂h_2 = W_3, ∂h_2/∂a_2 = diag(g'(a_2)), ∂a_2/∂h_1 = W_2, ∂h_1/∂a_1 = "
                "diag(g'(a_1)), and ∂a_1/∂W_{1,1,1} is x_1 in row 1."
            ),
            question_tex=(
                r"In the figure's network (3-3-3-2, logistic $g$, softmax and cross-entropy), find "
                r"$\partial\mathcal{L}/\partial W_{1,1,1}$. "
                r"Start from $\nabla_{a_3}\mathcal{L}$ (Module 4.5) and go down the chain of Jacobians (Module 4.4): "
                r"$\frac{\partial a_3}{\partial h_2} = W_3$, $\frac{\partial h_2}{\partial a_2} = \operatorname{diag}(g'(a_2))$, "
                r"$\frac{\partial a_2}{\partial h_1} = W_2$, $\frac{\partial h_1}{\partial a_1} = \operatorname{diag}(g'(a_1))$, "
                r"and $\frac{\partial a_1}{\partial W_{1,1,1}}$ is $x_1$ in row 1."
            ),
            asks="∂L/∂W_{1,1,1}",
            asks_tex=r"\frac{\partial \mathcal{L}}{\partial W_{1,1,1}}",
            shape="a number",
            given=("dL/da_3", "W_3", "W_2", "a_2", "h_2", "a_1", "h_1", "x"),
            target="dL/dW_1,1,1",
            reference="grad_a_3^T @ W_3 @ diag(g'(a_2)) @ W_2 @ diag(g'(a_1)) @ e(1, 3) * x_1",
            reference_tex=r"\nabla_{a_3}\mathcal{L}^T\, W_3 \operatorname{diag}(g'(a_2))\, W_2 \operatorname{diag}(g'(a_1))\, e(1)\, x_1",
            paths="W_1,1,1",
            neighbours=True,
            mistakes=[
                (
                    "sign",
                    "-(grad_a_3^T @ W_3 @ diag(g'(a_2)) @ W_2 @ diag(g'(a_1)) @ e(1, 3) * x_1)",
                    "The sign is wrong: ∇_{a_3}L = -(e(l) - ŷ) already carries it.",
                ),
                (
                    "missing_g_prime",
                    [
                        "grad_a_3^T @ W_3 @ W_2 @ diag(g'(a_1)) @ e(1, 3) * x_1",
                        "grad_a_3^T @ W_3 @ diag(g'(a_2)) @ W_2 @ e(1, 3) * x_1",
                        "grad_a_3^T @ W_3 @ W_2 @ e(1, 3) * x_1",
                    ],
                    "A diag(g'(a_k)) factor is missing: each hidden layer contributes ∂h_k/∂a_k.",
                ),
                (
                    "g_prime_at_h",
                    "grad_a_3^T @ W_3 @ diag(g'(h_2)) @ W_2 @ diag(g'(h_1)) @ e(1, 3) * x_1",
                    "g' is evaluated at h: ∂h_k/∂a_k = diag(g'(a_k)); " + g_prime,
                ),
                (
                    "transpose",
                    "grad_a_3^T @ W_3 @ diag(g'(a_2)) @ W_2^T @ diag(g'(a_1)) @ e(1, 3) * x_1",
                    "W_2 is transposed: ∂a_2/∂h_1 = W_2 (row i: the weights into a_{2,i}).",
                ),
                (
                    "wrong_layer",
                    "grad_a_3^T @ W_3 @ diag(g'(a_2)) @ W_2 @ diag(g'(a_1)) @ e(1, 3) * h_{1,1}",
                    "The last factor is h_{0,1} = x_1, the input to layer 1, not h_{1,1}.",
                ),
            ],
        ),
        _exercise(
            _figure,
            name="4.5-yhat",
            module="CS7015 Lecture 4, Module 4.5",
            notebook="04_output_units",
            title="∇_ŷ L for L = -log ŷ_l",
            question="With the cross-entropy L = -log ŷ_l (l the true class), find the gradient with "
            "respect to the output ŷ: ∂L/∂ŷ_i for every i.",
            question_tex=r"With the cross-entropy $\mathcal{L} = -\log \hat{y}_\ell$ ($\ell$ the true class), find "
            r"$\nabla_{\hat{y}}\mathcal{L}$: $\partial\mathcal{L}/\partial\hat{y}_i$ for every $i$.",
            asks="∇_ŷ L",
            asks_tex=r"\nabla_{\hat{y}}\mathcal{L}",
            shape="a vector of 2 numbers (k)",
            given=("yhat", "l"),
            target="dL/dyhat",
            reference="-(1/yhat_l) * e(l)",
            reference_tex=r"-\frac{1}{\hat{y}_\ell}\, e(\ell)",
            mistakes=[
                ("sign", "(1/yhat_l) * e(l)", "The sign is wrong: d(-log ŷ_l)/dŷ_l = -1/ŷ_l."),
                ("not_one_hot", "-1/yhat", "-1/ŷ_i for every i: only ŷ_l appears in L = -log ŷ_l, so ∂L/∂ŷ_i = 0 for i ≠ l; hence e(l)."),
                (
                    "index_shift",
                    ["-(1/yhat_1) * e(1)", "-(1/yhat_2) * e(2)"],
                    "That is the gradient for the other class: l counts from 1, as on the slides.",
                ),
                ("missing_factor", "-e(l)", "The factor 1/ŷ_l is missing: d(log u)/du = 1/u."),
            ],
        ),
        _exercise(
            _figure,
            name="4.5-output",
            module="CS7015 Lecture 4, Module 4.5",
            notebook="04_output_units",
            title="∇_{a_L}L = -(e(l) - ŷ) for softmax and cross-entropy",
            question="The output layer is a softmax and L = -log ŷ_l. Find the gradient with respect to the "
            "output pre-activations, ∂L/∂a_{3,i} for i = 1, 2.",
            question_tex=r"The output layer is a softmax and $\mathcal{L} = -\log\hat{y}_\ell$. Find "
            r"$\nabla_{a_3}\mathcal{L}$: $\partial\mathcal{L}/\partial a_{3,i}$ for $i = 1, 2$.",
            asks="∇_{a_3}L",
            asks_tex=r"\nabla_{a_3}\mathcal{L}",
            shape="a vector of 2 numbers (k)",
            given=("yhat", "l"),
            target="dL/da_3",
            reference="-(e(l) - yhat)",
            reference_tex=r"-\big(e(\ell) - \hat{y}\big)",
            mistakes=[
                ("sign", "e(l) - yhat", "The sign is wrong: ∂L/∂a_{L,i} = -(1(i = l) - ŷ_i)."),
                (
                    "softmax_diagonal",
                    "-(1 - yhat_l) * e(l)",
                    "Only the i = l entry: ∂ŷ_l/∂a_{L,i} = -ŷ_l ŷ_i for i ≠ l is not 0 (the softmax's denominator holds every a_{L,i}).",
                ),
                (
                    "index_shift",
                    ["-(e(1) - yhat)", "-(e(2) - yhat)"],
                    "That is the gradient for the other class: l counts from 1, as on the slides.",
                ),
                ("missing_factor", "yhat", "The e(l) term is missing: ∇_{a_L}L = ŷ - e(l)."),
            ],
        ),
        _exercise(
            _wide_output,
            name="4.5-softmax",
            module="CS7015 Lecture 4, Module 4.5",
            notebook="04_output_units",
            title="the softmax's Jacobian ∂ŷ/∂a_L",
            question="ŷ = softmax(a_3) with k = 3 classes. Find the Jacobian ∂ŷ/∂a_3: entry (j, i) is "
            "∂ŷ_j/∂a_{3,i} (the quotient rule, for i = j and i ≠ j).",
            question_tex=r"$\hat{y} = \operatorname{softmax}(a_3)$ with $k = 3$ classes. Find the Jacobian "
            r"$\partial\hat{y}/\partial a_3$: entry $(j, i)$ is "
            r"$\partial\hat{y}_j/\partial a_{3,i}$ (the quotient rule, for $i = j$ and $i \ne j$).",
            asks="∂ŷ/∂a_3",
            asks_tex=r"\frac{\partial \hat{y}}{\partial a_3}",
            shape="a 3 x 3 matrix (k x k)",
            given=("yhat",),
            reference="diag(yhat) - yhat @ yhat^T",
            reference_tex=r"\operatorname{diag}(\hat{y}) - \hat{y}\hat{y}^T",
            mistakes=[
                (
                    "softmax_diagonal",
                    "diag(yhat * (1 - yhat))",
                    "Only the diagonal ŷ_j(1 - ŷ_j): for i ≠ j, ∂ŷ_j/∂a_{3,i} = -ŷ_j ŷ_i (the quotient rule's second term).",
                ),
                ("sign", "yhat @ yhat^T - diag(yhat)", "The sign is wrong: ∂ŷ_j/∂a_{3,j} = ŷ_j(1 - ŷ_j) > 0."),
                (
                    "missing_factor",
                    "diag(yhat) - yhat @ yhat^T + diag(yhat * yhat)",
                    "The diagonal lost its -ŷ_j² term: ∂ŷ_j/∂a_{3,j} = ŷ_j - ŷ_j².",
                ),
            ],
        ),
        _exercise(
            _toy,
            name="4.6-toy",
            module="CS7015 Lecture 4, Module 4.6",
            notebook="05_hidden_units",
            title="dz/dx along two paths: z = log(y_1/y_2), y_1 = x², y_2 = x³",
            question="z = log(y_1/y_2) with y_1 = x² and y_2 = x³. Find dz/dx as the sum over the paths: Σ_i (∂z/∂y_i)(dy_i/dx).",
            question_tex=r"$z = \log(y_1/y_2)$ with $y_1 = x^2$ and $y_2 = x^3$. Find $dz/dx = \sum_i "
            r"\frac{\partial z}{\partial y_i}\frac{dy_i}{dx}$.",
            asks="dz/dx",
            asks_tex=r"\frac{dz}{dx}",
            shape="a number",
            given=("x", "y_1", "y_2"),
            reference="(1/y1) * (2*x) + (-1/y2) * (3*x^2)",
            reference_tex=r"\frac{1}{y_1}(2x) - \frac{1}{y_2}(3x^2)",
            paths="x",
            path_examples=("(1/y1) * (2*x)", "(-1/y2) * (3*x^2)"),
            mistakes=[
                ("sign", ["-(1/y1) * (2*x) + (1/y2) * (3*x^2)"], "The sign is wrong: ∂z/∂y_1 = 1/y_1 and ∂z/∂y_2 = -1/y_2."),
                ("wrong_point", "(1/y1) * (2*x) + (1/y2) * (3*x^2)", "∂z/∂y_2 = -1/y_2: log(y_1/y_2) = log y_1 - log y_2."),
            ],
        ),
        _exercise(
            _figure,
            name="4.6-hidden-unit",
            module="CS7015 Lecture 4, Module 4.6",
            notebook="05_hidden_units",
            title="∂L/∂h_{2,2} as a sum over the units m of layer 3",
            question="In the figure's network, h_{2,2} feeds every unit m of layer 3. Find "
            "∂L/∂h_{2,2} = Σ_m (∂L/∂a_{3,m})(∂a_{3,m}/∂h_{2,2}).",
            question_tex=r"In the figure's network, $h_{2,2}$ feeds every unit $m$ of layer 3. Find "
            r"$\frac{\partial\mathcal{L}}{\partial h_{2,2}} = \sum_m \frac{\partial\mathcal{L}}{\partial "
            r"a_{3,m}} \frac{\partial a_{3,m}}{\partial h_{2,2}}$.",
            asks="∂L/∂h_{2,2}",
            asks_tex=r"\frac{\partial\mathcal{L}}{\partial h_{2,2}}",
            shape="a number",
            given=("dL/da_3", "W_3"),
            target="dL/dh_2,2",
            reference="dL/da_{3,1} * W_{3,1,2} + dL/da_{3,2} * W_{3,2,2}",
            reference_tex=r"\sum_{m=1}^{2} \frac{\partial\mathcal{L}}{\partial a_{3,m}} W_{3,m,2}",
            paths="h_2,2",
            path_examples=("dL/da_{3,1} * W_{3,1,2}", "dL/da_{3,2} * W_{3,2,2}"),
            neighbours=True,
            mistakes=[
                ("sign", "-(dL/da_{3,1} * W_{3,1,2} + dL/da_{3,2} * W_{3,2,2})", "The sign is wrong."),
                (
                    "transpose",
                    "dL/da_{3,1} * W_{3,2,1} + dL/da_{3,2} * W_{3,2,2}",
                    "Row 2 of W_3 instead of column 2: ∂a_{3,m}/∂h_{2,2} = W_{3,m,2}, the weight from h_{2,2} into a_{3,m}.",
                ),
            ],
        ),
        _exercise(
            _figure,
            name="4.6-hidden",
            module="CS7015 Lecture 4, Module 4.6",
            notebook="05_hidden_units",
            title="∇_{h_2}L = W_3^T ∇_{a_3}L: the sums over m, stacked",
            question="Stack ∂L/∂h_{2,j} = Σ_m ∂L/∂a_{3,m} W_{3,m,j} for j = 1, 2, 3 into one matrix-vector product: find ∇_{h_2}L.",
            question_tex=r"Stack $\frac{\partial\mathcal{L}}{\partial h_{2,j}} = \sum_m "
            r"\frac{\partial\mathcal{L}}{\partial a_{3,m}} W_{3,m,j}$ "
            r"for $j = 1, 2, 3$ into one matrix-vector product: find $\nabla_{h_2}\mathcal{L}$.",
            asks="∇_{h_2}L",
            asks_tex=r"\nabla_{h_2}\mathcal{L}",
            shape="a vector of 3 numbers (n_2)",
            given=("W_3", "dL/da_3"),
            target="dL/dh_2",
            reference="W_3^T @ grad_a_3",
            reference_tex=r"W_3^T \nabla_{a_3}\mathcal{L}",
            mistakes=[
                ("transpose", "W_3 @ grad_a_3", "W_3 where W_3^T is needed (diagnosed from the shapes, which do not fit)."),
                ("sign", "-(W_3^T @ grad_a_3)", "The sign is wrong."),
                (
                    "wrong_layer",
                    ["W_2^T @ grad_a_2", "W_2 @ grad_h_2"],
                    "{formula} is another layer's: ∇_{h_2}L needs W_3, the weights leaving h_2, and ∇_{a_3}L.",
                ),
                (
                    "missing_g_prime",
                    "(W_3^T @ grad_a_3) * g'(a_2)",
                    "That is ∇_{a_2}L: ∇_{h_2}L has no g' yet (g' comes at the next step, to a_2).",
                ),
            ],
        ),
        _exercise(
            _figure,
            name="4.6-preactivation",
            module="CS7015 Lecture 4, Module 4.6",
            notebook="05_hidden_units",
            title="∇_{a_2}L = ∇_{h_2}L ⊙ g'(a_2)",
            question="From ∇_{h_2}L, go through the activation h_2 = g(a_2) (logistic): find ∇_{a_2}L, "
            "with ∂L/∂a_{2,j} = ∂L/∂h_{2,j} g'(a_{2,j}).",
            question_tex=r"From $\nabla_{h_2}\mathcal{L}$, go through the activation $h_2 = g(a_2)$ "
            r"(logistic): find $\nabla_{a_2}\mathcal{L}$, "
            r"with $\frac{\partial\mathcal{L}}{\partial a_{2,j}} = \frac{\partial\mathcal{L}}{\partial h_{2,j}} g'(a_{2,j})$.",
            asks="∇_{a_2}L",
            asks_tex=r"\nabla_{a_2}\mathcal{L}",
            shape="a vector of 3 numbers (n_2)",
            given=("dL/dh_2", "a_2", "h_2"),
            target="dL/da_2",
            reference="grad_h_2 * g'(a_2)",
            reference_tex=r"\nabla_{h_2}\mathcal{L} \odot g'(a_2)",
            mistakes=[
                ("missing_g_prime", "grad_h_2", "The g'(a_2) factor is missing: ∂h_{2,j}/∂a_{2,j} = g'(a_{2,j}) = h_{2,j}(1 - h_{2,j})."),
                ("g_prime_at_h", "grad_h_2 * g'(h_2)", "g' is evaluated at h_2: it is g'(a_2) = g(a_2)(1 - g(a_2)) = h_2 ⊙ (1 - h_2)."),
                ("sign", "-grad_h_2 * g'(a_2)", "The sign is wrong: g' > 0 for the logistic."),
                ("wrong_layer", "grad_h_2 * g'(a_1)", "g' is evaluated at a_1: layer 2's activation needs g'(a_2)."),
            ],
        ),
        _exercise(
            _figure,
            name="4.7-weight",
            module="CS7015 Lecture 4, Module 4.7",
            notebook="06_weights_and_biases",
            title="one weight: ∂L/∂W_{2,2,3}",
            question="a_{2,2} = b_{2,2} + Σ_j W_{2,2,j} h_{1,j}. Find ∂L/∂W_{2,2,3} = (∂L/∂a_{2,2})(∂a_{2,2}/∂W_{2,2,3}).",
            question_tex=r"$a_{2,2} = b_{2,2} + \sum_j W_{2,2,j} h_{1,j}$. Find "
            r"$\frac{\partial\mathcal{L}}{\partial W_{2,2,3}} = \frac{\partial\mathcal{L}}{\partial "
            r"a_{2,2}}\frac{\partial a_{2,2}}{\partial W_{2,2,3}}$.",
            asks="∂L/∂W_{2,2,3}",
            asks_tex=r"\frac{\partial\mathcal{L}}{\partial W_{2,2,3}}",
            shape="a number",
            given=("dL/da_2", "h_1", "h_2"),
            target="dL/dW_2,2,3",
            reference="dL/da_{2,2} * h_{1,3}",
            reference_tex=r"\frac{\partial\mathcal{L}}{\partial a_{2,2}}\, h_{1,3}",
            neighbours=True,
            mistakes=[
                ("sign", "-dL/da_{2,2} * h_{1,3}", "The sign is wrong."),
                (
                    "transpose",
                    "dL/da_{2,3} * h_{1,2}",
                    "i and j are swapped: W_{2,i,j} goes from h_{1,j} into a_{2,i}, so ∂L/∂W_{2,2,3} = ∂L/∂a_{2,2} h_{1,3}.",
                ),
                ("wrong_layer", "dL/da_{2,2} * h_{2,3}", "∂a_{2,2}/∂W_{2,2,3} = h_{1,3}, the input to layer 2 (h_{k-1}), not h_{2,3}."),
                ("missing_factor", "dL/da_{2,2}", "The factor ∂a_{2,2}/∂W_{2,2,3} = h_{1,3} is missing (that was ∂L/∂b_{2,2})."),
            ],
        ),
        _exercise(
            _figure,
            name="4.7-weights",
            module="CS7015 Lecture 4, Module 4.7",
            notebook="06_weights_and_biases",
            title="∇_{W_2}L as an outer product",
            question="Put ∂L/∂W_{2,i,j} = ∂L/∂a_{2,i} h_{1,j} for every i and j into one matrix: find ∇_{W_2}L.",
            question_tex=r"Put $\frac{\partial\mathcal{L}}{\partial W_{2,i,j}} = "
            r"\frac{\partial\mathcal{L}}{\partial a_{2,i}} h_{1,j}$ for every $i$ and $j$ "
            r"into one matrix: find $\nabla_{W_2}\mathcal{L}$.",
            asks="∇_{W_2}L",
            asks_tex=r"\nabla_{W_2}\mathcal{L}",
            shape="a 3 x 3 matrix (n_2 x n_1)",
            given=("dL/da_2", "h_1", "h_2", "x"),
            target="dL/dW_2",
            reference="grad_a_2 @ h_1^T",
            reference_tex=r"\nabla_{a_2}\mathcal{L}\, h_1^T",
            mistakes=[
                (
                    "transpose",
                    "h_1 @ grad_a_2^T",
                    "h_1 ∇_{a_2}L^T is the transpose: row i of ∇_{W_2}L belongs to unit a_{2,i}, so it is ∇_{a_2}L h_1^T.",
                ),
                (
                    "wrong_layer",
                    ["grad_a_2 @ h_2^T", "grad_a_2 @ x^T"],
                    "{formula} uses the wrong layer's h: ∂a_{2,i}/∂W_{2,i,j} = h_{1,j} (h_{k-1}).",
                ),
                ("sign", "-(grad_a_2 @ h_1^T)", "The sign is wrong."),
            ],
        ),
        _exercise(
            _figure,
            name="4.7-bias",
            module="CS7015 Lecture 4, Module 4.7",
            notebook="06_weights_and_biases",
            title="∇_{b_2}L",
            question="a_2 = b_2 + W_2 h_1. Find ∇_{b_2}L: ∂L/∂b_{2,i} = (∂L/∂a_{2,i})(∂a_{2,i}/∂b_{2,i}).",
            question_tex=r"$a_2 = b_2 + W_2 h_1$. Find $\nabla_{b_2}\mathcal{L}$: "
            r"$\frac{\partial\mathcal{L}}{\partial b_{2,i}} = \frac{\partial\mathcal{L}}{\partial "
            r"a_{2,i}}\frac{\partial a_{2,i}}{\partial b_{2,i}}$.",
            asks="∇_{b_2}L",
            asks_tex=r"\nabla_{b_2}\mathcal{L}",
            shape="a vector of 3 numbers (n_2)",
            given=("dL/da_2", "dL/da_3", "h_1"),
            target="dL/db_2",
            reference="grad_a_2",
            reference_tex=r"\nabla_{a_2}\mathcal{L}",
            mistakes=[
                ("extra_factor", "grad_a_2 * h_1", "∂a_{2,i}/∂b_{2,i} = 1: the bias is added, not multiplied by h_{1,i}."),
                ("wrong_layer", "W_3^T @ grad_a_3", "That is ∇_{h_2}L: the bias b_2 enters at a_2, so ∇_{b_2}L = ∇_{a_2}L."),
                ("sign", "-grad_a_2", "The sign is wrong."),
            ],
        ),
        _exercise(
            _figure,
            name="4.8-step",
            module="CS7015 Lecture 4, Module 4.8",
            notebook="07_training",
            title="one step of the pseudo code: ∇_{a_2}L from ∇_{a_3}L",
            question="The backward pass is at k = 3 and knows ∇_{a_3}L. Do the loop's last two lines: "
            "∇_{h_2}L = W_3^T ∇_{a_3}L, then ∇_{a_2}L.",
            question_tex=r"The backward pass is at $k = 3$ and knows $\nabla_{a_3}\mathcal{L}$. Do the loop's last two lines: "
            r"$\nabla_{h_2}\mathcal{L} = W_3^T \nabla_{a_3}\mathcal{L}$, then $\nabla_{a_2}\mathcal{L}$.",
            asks="∇_{a_2}L",
            asks_tex=r"\nabla_{a_2}\mathcal{L}",
            shape="a vector of 3 numbers (n_2)",
            given=("W_3", "dL/da_3", "a_2", "h_2"),
            target="dL/da_2",
            reference="(W_3^T @ grad_a_3) * g'(a_2)",
            reference_tex=r"W_3^T \nabla_{a_3}\mathcal{L} \odot g'(a_2)",
            mistakes=[
                ("transpose", "(W_3 @ grad_a_3) * g'(a_2)", "W_3 where W_3^T is needed (diagnosed from the shapes, which do not fit)."),
                ("missing_g_prime", "W_3^T @ grad_a_3", "That is ∇_{h_2}L: the last line multiplies it by g'(a_2), elementwise."),
                ("g_prime_at_h", "(W_3^T @ grad_a_3) * g'(h_2)", "g' is evaluated at h_2: it is g'(a_2) = h_2 ⊙ (1 - h_2)."),
                ("sign", "-(W_3^T @ grad_a_3) * g'(a_2)", "The sign is wrong."),
            ],
        ),
        _exercise(
            _activation("logistic"),
            name="4.9-logistic",
            module="CS7015 Lecture 4, Module 4.9",
            notebook="07_training",
            title="g'(z) for the logistic g(z) = 1/(1 + e^{-z})",
            question="g(z) = 1/(1 + e^{-z}), the logistic. Find its derivative g'(z) at the given z, in terms of g(z) as the slide does.",
            question_tex=r"$g(z) = \frac{1}{1 + e^{-z}}$, the logistic. Find $g'(z)$ at the given $z$, "
            r"in terms of $g(z)$ as the slide does.",
            asks="g'(z)",
            asks_tex="g'(z)",
            shape="a number",
            given=("z",),
            reference="g(z) * (1 - g(z))",
            reference_tex=r"g(z)\big(1 - g(z)\big)",
            forbidden=frozenset({"gprime"}),
            mistakes=[
                ("wrong_point", "z * (1 - z)", "h(1 - h) needs h = g(z): g'(z) = g(z)(1 - g(z)), not z(1 - z)."),
                ("sign", "-g(z) * (1 - g(z))", "The sign is wrong: the logistic increases, g' > 0."),
                ("missing_factor", ["1 - g(z)", "g(z)"], "A factor is missing: g'(z) = g(z)(1 - g(z))."),
                ("wrong_function", "1 - tanh(z)^2", "That is tanh's derivative, 1 - tanh²(z)."),
            ],
        ),
        _exercise(
            _activation("tanh"),
            name="4.9-tanh",
            module="CS7015 Lecture 4, Module 4.9",
            notebook="07_training",
            title="g'(z) for g(z) = tanh z",
            question="g(z) = tanh z = (e^z - e^{-z})/(e^z + e^{-z}). Find g'(z) at the given z, in terms of g(z) as the slide does.",
            question_tex=r"$g(z) = \tanh z = \frac{e^z - e^{-z}}{e^z + e^{-z}}$. Find $g'(z)$ at the given "
            r"$z$, in terms of $g(z)$ as the slide does.",
            asks="g'(z)",
            asks_tex="g'(z)",
            shape="a number",
            given=("z",),
            reference="1 - g(z)^2",
            reference_tex=r"1 - g(z)^2",
            forbidden=frozenset({"gprime"}),
            mistakes=[
                ("wrong_point", "1 - z^2", "1 - t² needs t = tanh z: g'(z) = 1 - tanh²(z), not 1 - z²."),
                ("sign", "g(z)^2 - 1", "The sign is wrong: tanh increases, g' > 0."),
                ("missing_factor", "1 - g(z)", "The square is missing: g'(z) = (1 - g(z))(1 + g(z)) = 1 - g(z)²."),
                ("wrong_function", "g(z) * (1 - g(z))", "g(1 - g) is the logistic's derivative; for tanh it is 1 - g²."),
            ],
        ),
    ]


_CATALOGUE = _catalogue()


class Rate(NamedTuple):
    """How often :meth:`Exercise.check` names a mistake right: ``diagnosed`` of ``seeds`` for one exercise, key and ``form``.

    ``seeds`` counts the seeds where the slip applies (``rounding``: where 3 significant digits are not already exact).
    """

    exercise: str
    mistake: str
    form: str
    diagnosed: int
    seeds: int


def _count(tally: dict[tuple[str, str], tuple[int, int]], key: str, form: str, ok: bool) -> None:
    done, seen = tally.get((key, form), (0, 0))
    tally[(key, form)] = (done + int(ok), seen + 1)


def diagnosis_rates(seeds: Sequence[int] = range(20), exercises: Sequence[Exercise] | None = None) -> list[Rate]:
    """Measure the diagnosis: for every exercise and seed, the right answer and every catalogued slip, as numbers and formulas.

    For each seed: the engine's answer must be accepted as a number (``"accepted"``, form ``number``), as a list where it is an
    array (``list``) and as the reference formula (``formula``); each slip whose value differs from the answer on that seed must be
    named by its key, given as a formula and as its number; ``missing_paths`` is given every proper subset of the paths (numbers)
    and ``path_examples`` (formulas); ``index_shift`` every neighbour's gradient; ``rounding`` the answer to 3 significant digits.
    A seed counts as diagnosed when every such answer of the key is.

    Returns:
        One :class:`Rate` per (exercise, key, form), in the catalogue's order.
    """
    rows: list[Rate] = []
    for base in exercises if exercises is not None else _CATALOGUE:
        tally: dict[tuple[str, str], tuple[int, int]] = {}
        count = functools.partial(_count, tally)

        for seed in seeds:
            ex = base.new(seed)
            want = ex._expected(0)
            sol = ex.solution_value()
            count("accepted", "number", ex.check(sol).mistake is None)
            if isinstance(sol, np.ndarray):
                count("accepted", "list", ex.check(sol.tolist()).mistake is None)
            count("accepted", "formula", ex.check(ex.reference).mistake is None)
            by_key: dict[str, list[tuple[str, Array]]] = {}
            ctx = ex.context()
            for m in ex.mistakes:
                for text in m.formulas:
                    try:
                        v = evaluate(read(text, ctx), ctx)
                    except (ShapeMismatch, FloatingPointError):
                        v = None  # a shape that does not fit: diagnosed from the formula alone
                    by_key.setdefault(m.key, []).append((text, v))  # type: ignore[arg-type]
            for key, answers in by_key.items():
                applies = [(t, v) for t, v in answers if v is None or not _close(_fit(v, want), want, EXACT)]
                count(key, "formula", bool(applies) and all(ex.check(t).mistake == key for t, _ in applies))
                numbers = [v for _, v in applies if v is not None]
                if numbers or not applies:
                    count(key, "number", bool(numbers) and all(ex.check(v).mistake == key for v in numbers))
            paths = [c[2] for c in ex._path_candidates(ctx)]
            if paths:
                count("missing_paths", "number", all(ex.check(v).mistake == "missing_paths" for v in paths))
            if ex.path_examples:
                count("missing_paths", "formula", all(ex.check(t).mistake == "missing_paths" for t in ex.path_examples))
            shifted = [c[2] for c in ex._neighbour_candidates(ctx) if not _close(_fit(c[2], want), want, EXACT)]
            if ex.neighbours:
                count("index_shift", "number", bool(shifted) and all(ex.check(v).mistake == "index_shift" for v in shifted))
            rounded = np.array([float(f"{t:.3g}") for t in want.ravel()]).reshape(want.shape)
            if not _close(rounded, want, EXACT):
                fb = ex.check(rounded)
                count("rounding", "number", fb.correct and fb.mistake == "rounding")
        rows += [Rate(base.name, key, form, done, seen) for (key, form), (done, seen) in tally.items()]
    return rows


def catalogue(notebook: str | None = None) -> list[Exercise]:
    """Every exercise in the lecture's order (seed 0), or only those of one ``notebook`` (e.g. ``"05_hidden_units"``).

    Raises:
        ValueError: a ``notebook`` that has no exercise (the message lists those that have).
    """
    if notebook is None:
        return list(_CATALOGUE)
    found = [e for e in _CATALOGUE if e.notebook == notebook or e.notebook.startswith(f"{notebook}_")]
    if not found:
        raise ValueError(f"no exercise for notebook {notebook!r}; notebooks: {', '.join(sorted({e.notebook for e in _CATALOGUE}))}")
    return found


def get(name: str, seed: int = 0, *, student: str | None = None) -> Exercise:
    """The exercise called ``name`` (``"4.7-weight"``; case and a leading "BP1"/"bp1" do not matter), on the numbers of ``seed``.

    Args:
        name: the exercise's name (``micrograd-nptel exercise`` lists them).
        seed: its numbers (0: the notebooks' worked example).
        student: a student id instead of a seed: the numbers ``micrograd-nptel grade`` checks that
            student's answer on (:func:`~micrograd_nptel.grading.student_seed`).

    Raises:
        ValueError: an unknown name (the message lists the names), an empty ``student``, or both ``seed`` and
            ``student``. TypeError/ValueError: a bad seed (see :meth:`Exercise.new`).
    """
    if student is not None:
        from .grading import student_seed

        if seed != 0:
            raise ValueError(f"give a seed or a student, not both (seed={seed!r}, student={student!r})")
        seed = student_seed(student)
    for e in _CATALOGUE:
        if e.name.lower() == str(name).strip().lower():
            return e if seed == 0 else e.new(seed)
    raise ValueError(f"no exercise called {name!r}; the exercises are {', '.join(e.name for e in _CATALOGUE)}")


from .authoring import from_expression, from_network, load  # noqa: E402  # teachers' exercises (authoring.py builds on Exercise)

__all__ += ["from_expression", "from_network", "load"]
