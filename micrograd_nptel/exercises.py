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
from a stored answer. A formula may use only the names the question gives (the quantity asked for is
refused), and is checked on the exercise's numbers **and on two more networks of the same shape that
differ in every given number and in the true class l**, so a formula that matches one number by
accident is not accepted. A number must agree with the engine's in every entry to :data:`EXACT`
significant digits of its own (:data:`ROUNDING` are accepted as ``rounding``, with a note); a row is
not a column and a transpose is not the matrix. A wrong answer is compared with the answers the
lecture's usual slips give (:data:`MISTAKES`) and the first that matches is named, in the slide's
notation and with the numbers. "The figure's network" is, at seed 0, exactly
:func:`~micrograd_nptel.examples.figure_network` (notebooks 03-05, ``explain``, ``draw``, ``verify``).
"""

from __future__ import annotations

import functools
import itertools
import math
import os
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
from .worlds import network_values

__all__ = [
    "MISTAKES",
    "AnswerError",
    "Exercise",
    "Feedback",
    "Mistake",
    "Rate",
    "catalogue",
    "diagnosis_rates",
    "get",
    "rate_summary",
    "rates_table",
]

EXACT = 5
"""Significant digits of a correct number: every entry agrees with the engine's to 5 significant digits of its own
(within one unit of the 5th digit), plus a floor far below the smallest nonzero entry. The question prints 6
digits; the reference computed from those printed numbers agrees to 5 on 374 of 380 (exercise, seed 0-19)
pairs (to 6 on only 329): the other 6 are accepted as ``rounding``."""

ROUNDING = 3
"""Every entry agreeing to 3 significant digits of its own is accepted as correct to rounding, with a note."""

FORMULA_RTOL = 1e-9
"""Relative tolerance (entry by entry) of a formula, evaluated in floating point on the same numbers as the engine."""

MISTAKES = {
    "missing_paths": "the sum over some of the paths only (Module 4.6): the missing ones are named",
    "paths_multiplied": "the paths multiplied where they are summed (Module 4.6)",
    "sign": "a wrong sign: of the whole answer, of some entries, of one path, or inside (1 + g² for 1 - g²)",
    "missing_g_prime": "no g'(a) factor: the step from h to a was skipped (Modules 4.6, 4.9)",
    "g_prime_at_h": "g' evaluated at h = g(a) instead of at a (Module 4.9)",
    "g_for_g_prime": "g(a) written where g'(a) belongs: the activation instead of its derivative (Module 4.9)",
    "transpose": "W_k where W_k^T is needed, i and j swapped, a row for a column, the transpose of the answer, "
    "or h ∇a^T (or the inner product ∇a^T h) instead of ∇a h^T (Modules 4.6, 4.7)",
    "wrong_layer": "h_k where h_{k-1} is needed, or W_k for W_{k+1}",
    "one_step_off": "the gradient one step before or after the one asked (∇_ŷL for ∇_{a_L}L, or the reverse; Module 4.5)",
    "softmax_diagonal": "ŷ_l(1 - ŷ_l) used for every i: the i ≠ l terms of the softmax forgotten (Module 4.5)",
    "index_shift": "the gradient of a neighbouring unit or weight (often an index counted from 0)",
    "fixed_class": "the true class written as a number (e(1), ŷ_1) where the formula needs l, which changes with the example",
    "missing_factor": "a factor of the chain left out (the inner factor 2x, x or h_{k-1}, the upstream, the bias)",
    "extra_factor": "a factor that is not in the chain",
    "sum_for_product": "the factors of a chain added where they are multiplied",
    "wrong_point": "a derivative evaluated at the wrong point (cos x instead of cos x², z(1 - z) or a(1 - a) instead of g(1 - g))",
    "wrong_function": "the derivative of another function (tanh's 1 - g² for the logistic)",
    "not_one_hot": "every entry given the l-th entry's value (Module 4.5: only ŷ_l appears in L = -log ŷ_l)",
    "no_step": "W_1 before the step, or an answer closer to it than to W_1 after the step (the step too small or not taken)",
    "step_size": "a step of another size: W_1 - c η ∇L with c ≠ 1 (another η), or rounded so far that the step does not show",
    "digits": "close, but some entry does not agree to 3 significant digits: intermediate steps rounded too early",
    "shape": "an answer of the wrong shape (a number for a vector, a vector for a matrix)",
    "rounding": "correct to rounding: every entry agrees to 3 significant digits, not to 6",
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


@functools.lru_cache(maxsize=4096)
def _context(name: str, main: int, world: int) -> Context:
    return _BUILDERS[name](main, world)


@functools.lru_cache(maxsize=4096)
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
    """``v`` as ``want``'s shape when it has that shape (a 1 x 1 matrix is a number); None otherwise: a row is not a
    column, a number is not a vector, a matrix's transpose is not the matrix."""
    if want.ndim == 0:
        return v.reshape(()) if v.shape in ((), (1, 1)) else None
    return v if v.shape == want.shape else None


def _floor(want: Array) -> float:
    """An absolute tolerance far below the smallest nonzero entry (one millionth of it)."""
    nonzero = np.abs(want[want != 0])
    return 1e-6 * float(nonzero.min()) if nonzero.size else 1e-12


def _close(v: Array | None, want: Array, rtol: float) -> bool:
    """Entry by entry: |v - want| <= rtol |want| (each entry's own size) + rtol x the smallest nonzero |want|."""
    if v is None or v.shape != want.shape:
        return False
    return bool(np.all(np.abs(v - want) <= rtol * np.abs(want) + rtol * 1e6 * _floor(want)))


def _agree(v: Array | None, want: Array, digits: int, units: float = 1.0) -> bool:
    """Every entry agrees to ``digits`` significant digits of its own: within ``units`` units of its last digit
    (0.0076185 to 3 digits, one unit: within 0.00001), plus :func:`_floor` for entries that are 0."""
    if v is None or v.shape != want.shape:
        return False
    size = np.abs(want)
    unit = np.where(size > 0, 10.0 ** (np.floor(np.log10(np.where(size > 0, size, 1.0))) - (digits - 1)), 0.0)
    return bool(np.all(np.abs(v - want) <= units * unit * (1 + 1e-9) + _floor(want)))


def _exactly(v: Array | None, want: Array) -> bool:
    return _agree(v, want, EXACT)


def _rounded(v: Array | None, want: Array) -> bool:
    """Every entry rounds to the engine's to ROUNDING digits: within half a unit of the last one (0.25 is not
    0.249376 to 3 digits: that is g'(0) for g'(0.05))."""
    return _agree(v, want, ROUNDING, units=0.5)


def _formula_close(v: Array | None, want: Array) -> bool:
    return _close(v, want, FORMULA_RTOL)


Match = Callable[[Array | None, Array], bool]


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
        defined: names the question defines on the way (``u``, ``v``, ``f`` of f = e^v), usable in a formula
            beside ``given`` but not listed among its numbers.
        accepts: other correct ways to write the answer, as the slides and the library display it
            (``"W_1 - η * ∇_{W_1}L"``): :func:`diagnosis_rates` measures that each is accepted.
        asked: the canonical name of the quantity asked for when ``target`` is not one (``"df/dx"``): a formula
            that uses it is refused ("that is the quantity asked for").
        update: the name of the value before the step, for an update exercise (``"W_1"``): an answer closer to it
            than to the value after the step is refused.
        hint: the last line of a far-off answer's message (what to check).
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
    defined: tuple[str, ...] = ()
    accepts: tuple[str, ...] = ()
    asked: str | None = None
    update: str | None = None
    hint: str = "Check each factor of the chain."
    seed: int = 0
    world: Callable[[int, int], Context] | None = None
    _cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    # ------------------------------------------------------------------ numbers
    def context(self, world: int = 0) -> Context:
        """The numbers of network/expression ``world`` (0: the question's; 1, 2: the extra ones a formula is checked on).

        Raises:
            ValueError: an exercise built without a ``world`` that is not one of the built-in ones.
        """
        built = self.world
        if built is not None:
            build: Callable[[int], Context] = lambda w: _world_context(built, self.seed, w)  # noqa: E731
        elif self.name in _BUILDERS:
            build = lambda w: _context(self.name, self.seed, w)  # noqa: E731
        else:
            raise ValueError(
                f"exercise {self.name!r} has no numbers: give it world=NetworkWorld(...) or ExpressionWorld(...), "
                "or make it with exercises.from_network / from_expression"
            )
        return build(0) if world == 0 else self._other_world(world, build)

    def _other_world(self, world: int, build: Callable[[int], Context]) -> Context:
        """World ``world`` (1, 2, ...), or the next of its parity that differs from world 0 in every given number
        and in the true class, so that a formula is tested on numbers that all changed."""
        base = build(0)
        ctx = build(world)
        for attempt in range(1, 8):
            if self._differs(base, ctx):
                break
            ctx = build(world + 2 * attempt)
        return ctx

    def _differs(self, base: Context, other: Context) -> bool:
        if base.label is not None and base.label == other.label:
            return False
        for name in (*self.given, *self.defined):
            if name in base.values and name in other.values and np.array_equal(base.values[name], other.values[name]):
                return False
        return True

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
        lines = [f"{self.name} ({self.module}): {self._figure(self.title)}", "", self._figure(self.question), "", "Given:"]
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
            f"**Exercise {self.name}** ({self.module}; seed {self.seed})\n\n{self._figure(self.question_tex)}\n\n"
            "Given:\n\n" + "\n".join(given) + f"\n\n**Answer:** ${self.asks_tex}$, {_shape_tex(self.shape)}. "
            "Write a number, a list, or a formula in the slide's notation (see `micrograd_nptel.formula`)."
        )

    def _repr_latex_(self) -> str:
        return self._repr_markdown_()

    def _figure(self, text: str) -> str:
        """Seed 0 is the figure's network itself; another seed's is only of its shape, and the question says so."""
        if self.seed == 0:
            return text
        return text.replace("In the figure's network", "In a network of the figure's shape").replace(
            "the figure's network", "a network of the figure's shape"
        )

    # ------------------------------------------------------------------ checking
    @functools.cached_property
    def allowed(self) -> frozenset[str]:
        """The names a formula may use: the given ones (and their entries) and the names the question defines; with
        the true class l given, also y (= e(l) for a softmax output). Never a name only a slip uses."""
        names = [*self.given, *self.defined]
        if "l" in self.given:
            names.append("y")
        return frozenset(names)

    @property
    def asked_name(self) -> str | None:
        """The canonical name of the quantity asked for (``"dL/dh_2"``), refused in a formula; None when it has none."""
        return self.asked or (self.target if self.target != "__target__" else None)

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
        asked = self.asked_name
        refuse = {asked: f"that is the quantity asked for; write it with {self._names()}"} if asked else {}
        try:
            formula = read(text, ctx, refuse)
        except AnswerError as e:
            if "is not a name" in str(e):
                raise AnswerError(f"{e}; this exercise's names: {self._names()}") from None
            raise
        for n in formula.names:
            if n not in self.allowed and container(n) not in self.allowed:
                raise AnswerError(f"{pretty(n)} is not given in this exercise; it gives {self._names()}")
        return formula

    def _names(self) -> str:
        """The names a formula may use, as the slides write them (each of them reads back as that name)."""
        ctx = self.context()
        return ", ".join(
            pretty(n) for n in [*self.given, *self.defined, *sorted(self.allowed - {*self.given, *self.defined})] if n in ctx.values
        )

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
        if fitted[0] is None:  # a slip of another shape (the inner product for the outer), else the shapes named
            return self._diagnose(values, _formula_close, formula_worlds=3) or self._shape_feedback(values[0], want[0])
        if all(_formula_close(f, w) for f, w in zip(fitted, want)):
            return Feedback(
                True,
                None,
                f"{self.asks} = {display(formula.text, self.context())}, on these numbers and on two more sets of the same shape:\n"
                f"{self.asks} = {_fmt(want[0], len(self.asks) + 3)}",
                self.name,
            )
        if _formula_close(fitted[0], want[0]):
            ctx = self.context()
            if ctx.label is not None and self._fixes_class(formula, ctx.label):
                return Feedback(
                    False,
                    "fixed_class",
                    f"{formula.text} writes the true class as the number {ctx.label}: it is right for this example only. "
                    f"Write l (e(l), ŷ_l): on other numbers of the same shape the class is {self.context(1).label}, and there "
                    f"{formula.text} gives {_fmt(values[1])} instead of {_fmt(want[1])}.",
                    self.name,
                )
            return Feedback(
                False,
                None,
                f"{formula.text} gives {_fmt(want[0])} here, but not on other numbers of the same shape "
                f"({_fmt(values[1])} instead of {_fmt(want[1])}): it matches this number by accident.",
                self.name,
            )
        found = self._diagnose(values, _formula_close, formula_worlds=3)
        if found:
            return found
        if self._nearer_old(fitted[0]):
            return self._no_step(fitted[0], formula=True)
        if self._along_the_step(fitted[0]):
            return self._step_size(fitted[0])
        return self._far_off(values[0], want[0])

    @staticmethod
    def _fixes_class(formula: Formula, label: int) -> bool:
        """True when the formula writes the true class as a number: e(1), or ŷ_1 / a_{3,1} with 1 the class."""
        if re.search(r"\be\s*\(\s*\d", formula.text):
            return True
        return any(re.fullmatch(rf"(?:dL/d)?(?:yhat|y|a_\d+)[_,]{label}", n) is not None for n in formula.names)

    def _check_number(self, value: Array | Feedback) -> Feedback:
        if isinstance(value, Feedback):
            return value
        want = self._expected(0)
        fitted = _fit(value, want)
        if fitted is None:
            return self._diagnose([value], _exactly, formula_worlds=1) or self._shape_feedback(value, want)
        if _exactly(fitted, want) and not self._nearer_old(fitted) and self._on_the_step(fitted):
            return Feedback(True, None, f"{self.asks} = {_fmt(want, len(self.asks) + 3)}", self.name)
        found = self._diagnose([fitted], _exactly, formula_worlds=1)
        if found:
            return found
        if _rounded(fitted, want):
            if self._nearer_old(fitted):
                return self._no_step(fitted)
            if not self._on_the_step(fitted):
                return self._step_size(fitted)
            return Feedback(
                True,
                "rounding",
                f"Correct to rounding: every entry agrees with {self.asks} = {_fmt(want)} to {ROUNDING} significant digits "
                f"(exact is {EXACT}). Keep more digits in the intermediate steps.",
                self.name,
            )
        found = self._diagnose([fitted], _rounded, formula_worlds=1)
        if found:
            return replace(found, message=found.message + " (to rounding)")
        if self._nearer_old(fitted):
            return self._no_step(fitted)
        if self._along_the_step(fitted):
            return self._step_size(fitted)
        return self._far_off(value, want)

    def _nearer_old(self, value: Array) -> bool:
        """For an update exercise: True when ``value`` is at least as close to the value before the step as after it."""
        if self.update is None:
            return False
        old, new = self.context().values[self.update], self._expected(0)
        return bool(np.linalg.norm(value - old) <= np.linalg.norm(value - new))

    STEP_TOLERANCE = 0.1
    """For an update exercise, a correct answer lies within this fraction of the step ``|W_new - W_old|`` of W_new
    (in the Frobenius norm): so another η (a step 0.9 or 1.1 times the true one, or further) is never correct,
    however many digits the entries share."""

    def _step(self) -> tuple[Array, Array]:
        assert self.update is not None  # only update exercises call this
        return np.asarray(self.context().values[self.update], dtype=float), self._expected(0)

    def _on_the_step(self, value: Array) -> bool:
        """True unless this is an update exercise and ``value`` is further than STEP_TOLERANCE steps from W_new."""
        if self.update is None:
            return True
        old, new = self._step()
        step = float(np.linalg.norm(new - old))
        return step == 0.0 or float(np.linalg.norm(value - new)) <= self.STEP_TOLERANCE * step

    def _step_factor(self, value: Array) -> float:
        """c in ``value ≈ W_old + c (W_new - W_old)``: how many true steps the answer took (least squares)."""
        old, new = self._step()
        d = (new - old).ravel()
        return float(np.dot((value - old).ravel(), d) / np.dot(d, d))

    def _along_the_step(self, value: Array) -> bool:
        """For an update exercise: ``value`` is W_old + c (W_new - W_old) for some c (to 1% of the step), c ≠ 1."""
        if self.update is None:
            return False
        old, new = self._step()
        d = new - old
        if not np.any(d):
            return False
        c = self._step_factor(value)
        return float(np.linalg.norm(value - old - c * d)) <= 0.01 * float(np.linalg.norm(d)) and not self._on_the_step(value)

    def _step_size(self, value: Array) -> Feedback:
        assert self.update is not None
        old, new = self._step()
        c = self._step_factor(value)
        step = float(np.abs(new - old).max())
        return Feedback(
            False,
            "step_size",
            f"Your answer is {pretty(self.update)} - c η ∇_{{{pretty(self.update)}}}L with c = {c:.3g}, not c = 1: check η "
            f"(the step is η ∇_{{{pretty(self.update)}}}L with the question's η). The step changes each entry by at most "
            f"{step:.3g}: if you rounded, keep 6 significant digits so that it shows.\n{_pair(self.asks, new, value)}",
            self.name,
        )

    def _no_step(self, value: Array, formula: bool = False) -> Feedback:
        assert self.update is not None  # only update exercises call this
        old, new = self.context().values[self.update], self._expected(0)
        step = float(np.abs(new - old).max())
        if formula:
            return Feedback(
                False,
                "no_step",
                f"Your formula stays closer to {pretty(self.update)} before the step than to {self.asks}: the step is "
                f"η ∇_{{{pretty(self.update)}}}L; check η and the gradient.\n"
                f"{_pair(self.asks, new, value)}",
                self.name,
            )
        return Feedback(
            False,
            "no_step",
            f"Your answer is closer to {pretty(self.update)} before the step than to {self.asks}: the step changes each entry "
            f"by at most {step:.3g}, so give enough digits to show it (6 significant digits), and check η and the gradient.\n"
            f"{_pair(self.asks, new, value)}",
            self.name,
        )

    def _shape_feedback(self, value: Array, want: Array) -> Feedback:
        yours, theirs = shape_text(value.shape), shape_text(want.shape)
        if value.ndim == 2 and want.ndim == 2 and value.T.shape == want.shape:
            if want.shape[1] == 1:
                text = (
                    f"Your answer is a row ({yours}); {self.asks} is a column ({theirs}), as vectors are on the slides: "
                    "it is transposed (drop the ^T, or transpose it)."
                )
            else:
                text = f"Your answer is {yours}; {self.asks} is {self.shape} ({theirs}): it is transposed" + (
                    " (∇_{W_k}L = ∇_{a_k}L h_{k-1}^T, not h_{k-1} ∇_{a_k}L^T)." if "W" in self.asks else "."
                )
            return Feedback(False, "transpose", text, self.name)
        kind = "a number" if value.size == 1 else f"a vector ({yours})" if 1 in value.shape else f"a matrix ({yours})"
        size = f" ({theirs})" if want.ndim else ""
        return Feedback(False, "shape", f"Your answer is {kind}; {self.asks} is {self.shape}{size}.", self.name)

    def _far_off(self, value: Array, want: Array) -> Feedback:
        fitted = _fit(value, want)
        assert fitted is not None  # callers checked the shape
        error = np.abs(fitted - want)
        relative = float((error / np.maximum(np.abs(want), _floor(want))).max())
        if want.ndim == 0 or want.size == 1:
            w, v = float(want.reshape(())), float(fitted.reshape(()))
            if relative < 0.05:
                return Feedback(
                    False,
                    "digits",
                    f"Close, but not to {ROUNDING} significant digits: {self.asks} = {_fmt(want)}, yours is {v:.6g} "
                    f"(off by {relative:.1%}). Keep more digits in the intermediate steps.",
                    self.name,
                )
            if w != 0 and abs(v + w) < 0.05 * abs(w):
                return Feedback(
                    False,
                    "sign",
                    f"The sign is wrong (and the size is close, not to {ROUNDING} significant digits): {self.asks} = {_fmt(want)}, "
                    f"yours is {v:.6g}.",
                    self.name,
                )
            ratio = f"{v / w:.3g} times" if w != 0 else "not"
            return Feedback(False, None, f"{self.asks} = {_fmt(want)}; yours, {v:.6g}, is {ratio} that. {self.hint}", self.name)
        good = np.array([_rounded(np.array(a), np.array(b)) for a, b in zip(fitted.ravel(), want.ravel())]).reshape(want.shape)
        bad = np.argwhere(~good)
        where = ", ".join(f"({i + 1},{j + 1})" if want.shape[1] > 1 else f"{i + 1}" for i, j in bad[:8])
        more = f" and {len(bad) - 8} more" if len(bad) > 8 else ""
        flipped = [(i, j) for i, j in bad if _rounded(np.array(-fitted[i, j]), np.array(want[i, j]))]
        entries = "entry" if len(bad) == 1 else "entries"
        head = f"{len(bad)} of {want.size} entries differ from {self.asks}: {entries} {where}{more} (counted from 1)."
        key: str | None = None
        if flipped:
            key = "sign"
            head += (
                " It has the right size and the wrong sign."
                if len(bad) == 1
                else " Each has the right size and the wrong sign."
                if len(flipped) == len(bad)
                else f" {len(flipped)} of them have the right size and the wrong sign."
            )
        elif relative < 0.05:
            key = "digits"
            head += f" Each is close (within {relative:.1%}) but not to {ROUNDING} significant digits: keep more digits."
        else:
            head += f" {self.hint}"
        return Feedback(False, key, f"{head}\n{_pair(self.asks, want, fitted)}", self.name)

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
                    v = np.full((0, 0), np.nan)  # no value here: never matches, keeps the slips aligned across worlds
                out.append((mistake.key, mistake.message.replace("{formula}", display(text, ctx)), v))
        if self._expected(world).ndim == 0:  # a 1 x 1 slip (a product of a row and a column) is a number
            out = [(k, m, v.reshape(()) if v.shape == (1, 1) else v) for k, m, v in out]
        out += self._generic_candidates(ctx, world)
        out += self._path_candidates(ctx)
        out += self._neighbour_candidates(ctx)
        out += ctx.extra.get("slips", [])  # type: ignore[arg-type]  # a world's own slips (worlds.py), in a fixed order
        self._cache[f"candidates{world}"] = out
        return out

    def _generic_candidates(self, ctx: Context, world: int) -> list[tuple[str, str, Array]]:
        """The slips every exercise of its kind has: the value before the step (an update), the answer's transpose
        (a square matrix), the answer with the wrong sign."""
        want = self._expected(world)
        out = []
        if self.update is not None:
            out.append(
                (
                    "no_step",
                    f"That is {pretty(self.update)} before the step: subtract η ∇_{{{pretty(self.update)}}}L.",
                    ctx.values[self.update],
                )
            )
        if want.ndim == 2 and want.shape[0] == want.shape[1] > 1:  # (one entry on every world, so the slips stay aligned)
            symmetric = np.allclose(want, want.T)
            transposed = np.full((0, 0), np.nan) if symmetric else want.T.copy()
            out.append(("transpose", f"That is the transpose of {self.asks}: entry (i, j) is yours at (j, i).", transposed))
        out.append(("sign", f"The sign is wrong: that is -{self.asks}.", -want))
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

    def _diagnose(self, values: list[Array], match: Match, formula_worlds: int) -> Feedback | None:
        """The first slip whose value ``match``es the answer's on each of the first ``formula_worlds`` worlds."""
        per_world = [self._candidates(w) for w in range(formula_worlds)]
        for i, (key, message, _) in enumerate(per_world[0]):
            if all(i < len(c) and c[i][0] == key and match(_fit(v, c[i][2]), c[i][2]) for v, c in zip(values, per_world)):
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

_BUILDERS: dict[str, Callable[[int, int], Context]] = {}
"""Exercises built directly without a world (none today); see :meth:`Exercise.context`."""


class Rate(NamedTuple):
    """How often :meth:`Exercise.check` judges one kind of answer right: ``diagnosed`` of ``seeds`` for one exercise.

    ``mistake`` is ``"accepted"`` (a correct answer, in the ``form`` number, list, formula, display or rounding),
    ``"refused"`` (a wrong answer, in the ``form`` slip, perturbed, transposed, before the step, own name, fixed class),
    or the key of a slip (:data:`MISTAKES`) that must be named, as a ``formula`` and as a ``number``. ``seeds`` counts
    the seeds where the answer applies (a slip whose value equals the answer on that seed is not one there).
    """

    exercise: str
    mistake: str
    form: str
    diagnosed: int
    seeds: int


def _count(tally: dict[tuple[str, str], tuple[int, int]], key: str, form: str, ok: bool) -> None:
    done, seen = tally.get((key, form), (0, 0))
    tally[(key, form)] = (done + int(ok), seen + 1)


def _verdict(ex: Exercise, answer: object) -> Feedback | None:
    """The feedback, or None for an answer refused as unreadable (a name that is not given, the quantity asked for)."""
    try:
        return ex.check(answer)
    except AnswerError:
        return None


def _perturbed(want: Array) -> list[Array]:
    """Wrong numbers a careless hand gives: the smallest nonzero entry with its sign flipped, set to 0, times 10."""
    nonzero = np.argwhere(want != 0)
    if not nonzero.size:
        return []
    flat = np.abs(want).ravel()
    i = min((int(np.ravel_multi_index(tuple(n), want.shape)) if want.ndim else 0 for n in nonzero), key=lambda j: flat[j])
    out = []
    for change in (-1.0, 0.0, 10.0):
        v = want.copy().reshape(-1)
        v[i] *= change
        out.append(v.reshape(want.shape))
    return out


def diagnosis_rates(seeds: Sequence[int] = range(20), exercises: Sequence[Exercise] | None = None) -> list[Rate]:
    """Measure the checker over seeds: correct answers accepted, wrong answers refused, slips named by their key.

    For each exercise and seed:

    * accepted: the engine's answer as a number (``number``), as a list where it is an array (``list``), the reference
      formula (``formula``), every form of :attr:`Exercise.accepts` (``display``: the slides' and the library's
      notation), and the answer rounded to 3 significant digits (``rounding``, where that is not already exact and,
      for an update, still within :attr:`Exercise.STEP_TOLERANCE` of a step of the new value);
    * refused (none may be judged correct): every slip's formula and number (``slip``), the smallest entry with its
      sign flipped, set to 0 or times 10 (``perturbed``), the transpose or the row of a vector (``transposed``), the
      value before the step and a step with η/10 (``before the step``), steps with 2η and η/2 (``another η``), the
      asked quantity's own name (``own name``),
      the reference with the true class written as a number (``fixed class``);
    * named: each slip whose value differs from the answer, as a formula (when it uses only given names) and as its
      number, must be named by its key; ``missing_paths`` every proper subset of the paths (numbers) and
      ``path_examples`` (formulas); ``index_shift`` every neighbour's gradient. A seed counts when every answer of the
      (key, form) does.

    Args:
        seeds: the seeds (default 0-19). exercises: default, the catalogue.

    Returns:
        One :class:`Rate` per (exercise, kind, form), in the catalogue's order.
    """
    rows: list[Rate] = []
    for base in exercises if exercises is not None else _CATALOGUE:
        tally: dict[tuple[str, str], tuple[int, int]] = {}
        count = functools.partial(_count, tally)

        def correct(ex: Exercise, answer: object) -> bool:
            fb = _verdict(ex, answer)
            return fb is not None and fb.correct

        def refused(ex: Exercise, answer: object) -> bool:
            fb = _verdict(ex, answer)
            return fb is None or not fb.correct

        for seed in seeds:
            ex = base.new(seed)
            ctx = ex.context()
            want = ex._expected(0)
            sol = ex.solution_value()
            count("accepted", "number", correct(ex, sol))
            if isinstance(sol, np.ndarray):
                count("accepted", "list", correct(ex, sol.tolist()))
            count("accepted", "formula", correct(ex, ex.reference))
            if ex.accepts:
                count("accepted", "display", all(correct(ex, t) for t in ex.accepts))
            rounded = np.array([float(f"{t:.3g}") for t in want.ravel()]).reshape(want.shape)
            if not _exactly(rounded, want) and not ex._nearer_old(rounded) and ex._on_the_step(rounded):
                fb = _verdict(ex, rounded)
                count("accepted", "rounding", fb is not None and fb.correct and fb.mistake == "rounding")

            by_key: dict[str, list[tuple[str, Array | None]]] = {}
            for m in ex.mistakes:
                for text in m.formulas:
                    try:
                        v: Array | None = evaluate(read(text, ctx), ctx)
                    except (ShapeMismatch, FloatingPointError):
                        v = None  # a shape that does not fit: diagnosed from the formula alone
                    by_key.setdefault(m.key, []).append((text, v))
            slips = [
                (key, t, v) for key, answers in by_key.items() for t, v in answers if v is None or not _formula_close(_fit(v, want), want)
            ]
            count("refused", "slip", all(refused(ex, t) and (v is None or refused(ex, v)) for _, t, v in slips))
            perturbed = [v for v in _perturbed(want) if not _rounded(v, want)]
            if perturbed:
                count("refused", "perturbed", all(refused(ex, v) for v in perturbed))
            if want.ndim == 2 and (want.shape[1] == 1 or not np.allclose(want, want.T)):
                count("refused", "transposed", refused(ex, want.T.tolist()))
            if ex.update is not None:
                old = ctx.values[ex.update]
                count("refused", "before the step", refused(ex, old) and refused(ex, old + (want - old) / 10))
                count("refused", "another η", refused(ex, old + 2 * (want - old)) and refused(ex, old + (want - old) / 2))
            if ex.asked_name is not None:
                count("refused", "own name", refused(ex, typed(ex.asked_name)))
            if "l" in ex.given and ctx.label is not None:
                fixed = re.sub(r"\bl\b", str(ctx.label), ex.reference)
                count("refused", "fixed class", refused(ex, fixed))

            for key in by_key:
                applies = [(t, v) for k, t, v in slips if k == key]
                readable = [t for t, _ in applies if _readable(ex, t)]
                if readable:
                    count(key, "formula", all(_named(ex, t, key) for t in readable))
                numbers = [v for _, v in applies if v is not None and not _ambiguous(ex, v, key)]
                if numbers:
                    count(key, "number", all(_named(ex, v, key) for v in numbers))
            paths = [c[2] for c in ex._path_candidates(ctx) if not _ambiguous(ex, c[2], "missing_paths")]
            if paths:
                count("missing_paths", "number", all(_named(ex, v, "missing_paths") for v in paths))
            if ex.path_examples:
                count("missing_paths", "formula", all(_named(ex, t, "missing_paths") for t in ex.path_examples))
            shifted = [c[2] for c in ex._neighbour_candidates(ctx) if not _exactly(_fit(c[2], want), want)]
            if ex.neighbours and shifted:
                count("index_shift", "number", all(_named(ex, v, "index_shift") for v in shifted))
        rows += [Rate(base.name, key, form, done, seen) for (key, form), (done, seen) in tally.items()]
    return rows


def _ambiguous(ex: Exercise, value: Array, key: str) -> bool:
    """True when another slip (of another key) gives the same number on this seed: a number cannot tell them apart."""
    return any(k != key and _exactly(_fit(value, v), v) for k, _, v in ex._candidates(0) if v.size)


def _readable(ex: Exercise, text: str) -> bool:
    try:
        ex._read(text)
    except AnswerError:
        return False
    return True


def _named(ex: Exercise, answer: object, key: str) -> bool:
    fb = _verdict(ex, answer)
    return fb is not None and not fb.correct and fb.mistake == key


def rate_summary(rows: Sequence[Rate]) -> dict[str, tuple[int, int]]:
    """The three rates of :func:`diagnosis_rates`' rows: ``{"accepted": (done, of), "refused": ..., "named": ...}``."""
    out = {"accepted": [0, 0], "refused": [0, 0], "named": [0, 0]}
    for r in rows:
        kind = r.mistake if r.mistake in ("accepted", "refused") else "named"
        out[kind][0] += r.diagnosed
        out[kind][1] += r.seeds
    return {k: (v[0], v[1]) for k, v in out.items()}


def rates_table(rows: Sequence[Rate]) -> str:
    """:func:`diagnosis_rates`' rows as a Markdown table, one line per exercise: accepted, refused, named (seeds)."""
    lines = ["| exercise | correct answers accepted | wrong answers refused | slips named |", "|---|---|---|---|"]
    names = list(dict.fromkeys(r.exercise for r in rows))
    for name in names:
        summary = rate_summary([r for r in rows if r.exercise == name])
        lines.append(f"| {name} | " + " | ".join(f"{d}/{n}" for d, n in summary.values()) + " |")
    total = rate_summary(rows)
    lines.append("| **all** | " + " | ".join(f"**{d}/{n}** ({d / max(n, 1):.1%})" for d, n in total.values()) + " |")
    return "\n".join(lines)


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


def get(name: str, seed: int = 0, *, student: str | None = None, file: str | os.PathLike[str] | None = None) -> Exercise:
    """The exercise called ``name`` (``"4.7-weight"``; case and a leading "BP1"/"bp1" do not matter), on the numbers of ``seed``.

    Args:
        name: the exercise's name (``micrograd-nptel exercise`` lists them).
        seed: its numbers (0: the notebooks' worked example).
        student: a student id instead of a seed: the numbers ``micrograd-nptel grade`` checks that
            student's answer on (:func:`~micrograd_nptel.grading.student_seed`).
        file: a teacher's TOML file of exercises (:func:`load`) to take it from, instead of the built-in ones.

    Raises:
        ValueError: an unknown name (the message lists the names), an empty ``student``, or both ``seed`` and
            ``student``; a ``file`` that :func:`load` refuses. TypeError/ValueError: a bad seed (see :meth:`Exercise.new`).
        FileNotFoundError: no ``file``.
    """
    if student is not None:
        from .grading import student_seed

        if seed != 0:
            raise ValueError(f"give a seed or a student, not both (seed={seed!r}, student={student!r})")
        seed = student_seed(student)
    pool = _CATALOGUE if file is None else load(file)
    for e in pool:
        if e.name.lower() == str(name).strip().lower():
            return e if seed == 0 else e.new(seed)
    where = "" if file is None else f" in {os.fspath(file)}"
    raise ValueError(f"no exercise called {name!r}{where}; the exercises are {', '.join(e.name for e in pool)}")


from .authoring import catalogue_files, from_expression, from_network, load  # noqa: E402  # authoring.py builds on Exercise

_CATALOGUE: list[Exercise] = [e for path in catalogue_files() for e in load(path, check=False)]
"""The built-in exercises, in the lecture's order: the data of ``micrograd_nptel/catalogue/*.toml``."""

__all__ += ["from_expression", "from_network", "load"]
