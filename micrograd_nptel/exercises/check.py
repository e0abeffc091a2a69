"""The checker: an :class:`Exercise` reads an answer (a number, an array, or a formula of
:mod:`~micrograd_nptel.exercises.formula`) and judges it against the engine's value, then names the slip that
explains a wrong one.

A number must agree with the engine's in every entry to :data:`EXACT` significant digits of its own
(:data:`ROUNDING` are accepted as ``rounding``, with a note); a row is not a column and a transpose is not the
matrix. A formula is evaluated on the question's numbers and on the other worlds of
:meth:`Exercise.deciding_worlds` (:mod:`~micrograd_nptel.exercises.worlds`), and must match on all of them
(:data:`FORMULA_RTOL`). A wrong answer is compared with every slip the exercise knows (its own
:class:`~micrograd_nptel.exercises.feedback.Mistake` list, the generic ones, the missing paths of Module 4.6,
the neighbouring indices and its world's slips), and the first that matches is named.
"""

from __future__ import annotations

import ast
import copy
import functools
import itertools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

import graphviz
import numpy as np

from ..derivation import Derivation, explain
from ..engine import Value
from ..nn import MLP
from .feedback import Feedback, Mistake, Slip, Solution, format_pair, format_value, shape_tex, tex_value, typed
from .formula import (
    AnswerError,
    Array,
    Context,
    Formula,
    ShapeMismatch,
    as_array,
    canonical,
    container,
    display,
    evaluate,
    pretty,
    pretty_tex,
    read,
    shape_text,
)
from .latex import normalize
from .slips import rewrites
from .suggest import suggestion

__all__ = [
    "EXACT",
    "FORMULA_RTOL",
    "FORMULA_RULES",
    "NUMBER_RULES",
    "ROUNDING",
    "Exercise",
    "Judged",
    "Match",
    "Rule",
    "exactly",
    "fit_shape",
    "formula_close",
    "rounded",
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


# ---------------------------------------------------------------------- matching numbers
def fit_shape(v: Array, want: Array) -> Array | None:
    """``v`` as ``want``'s shape when it has that shape (a 1 x 1 matrix is a number, and a number a vector of one
    entry); None otherwise: a row is not a column, a number is not a vector, a matrix's transpose is not the matrix."""
    if want.ndim == 0:
        return v.reshape(()) if v.shape in ((), (1, 1)) else None
    if want.shape == (1, 1) and v.shape == ():  # a vector of one entry (k = 1): its number is the same quantity
        return v.reshape(1, 1)
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
    return bool(np.all(np.abs(v - want) <= units * _unit(want, digits) * (1 + 1e-9) + _floor(want)))


def exactly(v: Array | None, want: Array) -> bool:
    return _agree(v, want, EXACT)


def rounded(v: Array | None, want: Array) -> bool:
    """Every entry rounds to the engine's to ROUNDING digits: within half a unit of the last one (0.25 is not
    0.249376 to 3 digits: that is g'(0) for g'(0.05))."""
    return _agree(v, want, ROUNDING, units=0.5)


def formula_close(v: Array | None, want: Array) -> bool:
    return _close(v, want, FORMULA_RTOL)


def _near(v: Array | None, want: Array) -> bool:
    """Within 1% of ``want``'s largest entry (plus 1e-12): true whenever :func:`exactly`, :func:`rounded` or
    :func:`formula_close` is (each allows at most half a unit of the 3rd digit, 0.5%, plus a millionth of the
    smallest entry), and a few float operations, not a dozen numpy calls: the first test where an answer is
    compared with every slip the exercise knows."""
    if v is None or v.shape != want.shape or not want.size:
        return False
    if want.size == 1:
        w = float(want.flat[0])
        return abs(float(v.flat[0]) - w) <= 0.01 * abs(w) + 1e-12
    with np.errstate(invalid="ignore", over="ignore"):
        return bool(np.max(np.abs(v - want)) <= 0.01 * np.max(np.abs(want)) + 1e-12)


Match = Callable[[Array | None, Array], bool]


@functools.lru_cache(maxsize=4096)
def _world_context(build: Callable[[int, int], Context], main: int, world: int) -> Context:
    """World ``world`` of seed ``main``, built once: checking an answer and naming a slip read it many times."""
    return build(main, world)


# ---------------------------------------------------------------------- the exercise
@dataclass(frozen=True)
class Exercise:
    """One question of the lecture on concrete numbers, that checks your answer (see :meth:`check`).

    Attributes:
        name: e.g. ``"4.7-weight"`` (the module, then what is asked); ``module``: the source, e.g.
            ``"CS7015 Lecture 4, Module 4.7"``; ``notebook``: the notebook whose "Your turn" it belongs to.
        title: one line; ``question``/``question_tex``: the question in text and in Markdown with LaTeX.
        asks/asks_tex: the quantity asked for (``"∂L/∂W_{2,2,3}"``); ``shape``: the shape of the answer in words.
        given: the names of the numbers the question gives (canonical spelling, see :mod:`~micrograd_nptel.exercises.formula`).
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
        answer: ``"any"`` (a number, an array or a formula) or ``"number"``: numbers only, so that a formula copied
            from a classmate (right on every student's numbers) is not accepted; a formula gets ``number_asked``.
        world: where the numbers come from: ``world(seed, k)`` gives the Context of network/expression k
            (:class:`~micrograd_nptel.exercises.worlds.NetworkWorld`, :class:`~micrograd_nptel.exercises.worlds.ExpressionWorld`;
            :func:`~micrograd_nptel.exercises.from_network` and :func:`~micrograd_nptel.exercises.from_expression`
            make one; the built-in exercises take theirs from :data:`~micrograd_nptel.exercises.worlds.WORLDS`).
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
    answer: str = "any"
    world: Callable[[int, int], Context] | None = None
    _cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        """Every slip's key is a name (lower case, digits and ``_``): one of :data:`MISTAKES` for the lecture's slips, or
        a teacher's own (``forgot_g_prime``); the catalogue's use MISTAKES' only (a test checks them).

        Raises:
            ValueError: a key that is not such a name (named, with an example).
        """
        for m in self.mistakes:
            if not isinstance(m.key, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", m.key):
                raise ValueError(
                    f"exercise {self.name!r}: the slip key {m.key!r} is not a name: use lower case letters, digits and _ "
                    f"(a key of MISTAKES such as 'missing_g_prime', or your own such as 'forgot_bias')"
                )

    # ------------------------------------------------------------------ numbers
    def context(self, world: int = 0) -> Context:
        """The numbers of network/expression ``world`` (0: the question's; 1, 2: the extra ones a formula is checked on).

        Raises:
            ValueError: an exercise built without a ``world``.
        """
        built = self.world
        if built is None:
            raise ValueError(
                f"exercise {self.name!r} has no numbers: give it world=NetworkWorld(...) or ExpressionWorld(...), "
                "or make it with exercises.from_network / from_expression"
            )
        build: Callable[[int], Context] = lambda w: _world_context(built, self.seed, w)  # noqa: E731
        if world == 0:
            return build(0)
        chosen = self._cache.get(f"world{world}")  # which world _other_world chose (its tests read every given number)
        if chosen is None:
            chosen = self._cache[f"world{world}"] = self._other_world(world, build)
        return chosen

    def _other_world(self, world: int, build: Callable[[int], Context]) -> Context:
        """World ``world`` (1, 2, ...), or the next of its parity that differs from world 0 in every given number
        and in the true class, so that a formula is tested on numbers that all changed; world 2 also gives the answer
        the opposite sign in some entry where any of 11 tries does (so abs(answer) is not accepted by accident)."""
        base = build(0)
        found: Context | None = None  # the first that differs, should none flip a sign
        for attempt in range(11):
            ctx = build(world + 2 * attempt)
            if self._differs(base, ctx):
                if world != 2 or self._flips_a_sign(base, ctx):
                    return ctx
                found = found or ctx
            elif attempt == 7 and found is None:
                return ctx  # none of 8 differs: the 8th
        return found or ctx

    def _flips_a_sign(self, base: Context, other: Context) -> bool:
        want, there = base.values.get(self.target), other.values.get(self.target)
        return want is not None and there is not None and want.shape == there.shape and bool(np.any(want * there < 0))

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
        from ..graph import draw_dot, draw_network

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
            lines.append(f"  {label} = {format_value(v, len(label) + 5)}")
        lines += [
            "",
            f"Answer: {self.asks}, {self.shape}.",
            "Write a number, a list, or a formula (micrograd_nptel.formula gives the grammar)."
            if self.answer != "number"
            else "Write its value: a number or a list (this exercise takes numbers, not a formula).",
        ]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<Exercise {self.name} seed={self.seed}: {self.title}>"

    def _repr_markdown_(self) -> str:
        given = []
        for name, (_, tex, v) in zip(self.given, self.given_values()):  # one line each; a vector as a row with ^T
            given.append(f"- ${tex} = {tex_value(v)}$ &nbsp; (in a formula: `{typed(name)}`)")
        return (
            f"**Exercise {self.name}** ({self.module}; seed {self.seed})\n\n{self._figure(self.question_tex)}\n\n"
            "Given:\n\n"
            + "\n".join(given)
            + f"\n\n**Answer:** ${self.asks_tex}$, {shape_tex(self.shape)}. "
            + (
                "Write a number, a list, or a formula in the slide's notation (see `micrograd_nptel.formula`)."
                if self.answer != "number"
                else "Write its value: a number or a list (this exercise takes numbers, not a formula)."
            )
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
                ``"dL/da_{2,2} * h_{1,3}"`` (checked on this exercise's numbers and on the other networks of :meth:`deciding_worlds`).
                ``...`` (the notebooks' placeholder) asks you to replace it.

        Returns:
            :class:`Feedback`: ``correct``, ``mistake`` (a key of :data:`~micrograd_nptel.exercises.feedback.MISTAKES`
            or None) and ``message``.

        Raises:
            AnswerError (a ValueError): an answer that cannot be read: an unknown name or character
                (with its position and the names there are), a ragged list, NaN or inf, a string that
                is neither a number nor a formula, or ``None``/``True``.
        """
        if answer is Ellipsis:
            return Feedback(
                False, "placeholder", f"Replace ... with your answer: {self.asks}, {self.shape}.", self.name, rule="placeholder"
            )
        if answer is None or isinstance(answer, (bool, np.bool_)):
            raise AnswerError(f"expected a number, a list or a formula for {self.asks}, got {answer!r}")
        if isinstance(answer, str):
            comma = re.fullmatch(r"\s*([-+−]?\d+),(\d+)\s*", answer)
            if comma and self.expected(0).ndim == 0:  # -0,5: a comma separates a list's entries, even in one number
                point = f"{comma.group(1).replace('−', '-')}.{comma.group(2)}"
                return Feedback(
                    False,
                    "decimal_comma",
                    f"{answer.strip()} is read as a list of two numbers: a comma separates entries. For the number, write "
                    f"{point} (a point is the decimal mark). {self.asks} is {self.shape}.",
                    self.name,
                    rule="decimal_comma",
                )
            parts = _sides(answer)
            if len(parts) > 1:  # "∇_{h_2}L = W_3ᵀ ∇_{a_3}L": the left side must be the quantity asked for
                self._check_left_side(parts[0], parts[-1])
                verdicts = [self._check_text(p) for p in parts[1:]]
                return next((v for v in verdicts if not v.correct), verdicts[0])
            return self._check_text(answer.strip())
        if isinstance(answer, (int, float, np.integer, np.floating, list, tuple, np.ndarray)):
            return self._check_number(as_array(answer))
        raise AnswerError(f"expected a number, a list or a formula for {self.asks}, got {type(answer).__name__} {str(answer)[:40]!r}")

    def _check_text(self, text: str) -> Feedback:
        """A formula or a number written as text (one side of an equation)."""
        formula = self.read_formula(text)
        if self.answer == "number" and not formula.is_number:
            return Feedback(
                False,
                "number_asked",
                f"This exercise asks for the number: compute {self.asks} on your numbers and write its value "
                f"({self.shape}), not a formula.",
                self.name,
                rule="number_asked",
            )
        if formula.is_number:
            return self._check_number(self._evaluate(formula, 0))
        return self._check_formula(formula)

    def _check_left_side(self, text: str, right: str) -> None:
        """``lhs`` of ``lhs = rhs`` names the quantity asked for (as the question, the solution or LaTeX write it).

        Raises:
            AnswerError: it names something else, or is empty (with the right side as its suggestion when it reads).
        """

        def plain(t: str) -> str:
            try:
                t = normalize(t)
            except AnswerError:
                pass
            return re.sub(r"[\s{}$]", "", t.replace("ᵀ", "^T"))

        if plain(text) in (plain(self.asks), plain(self.asks_tex)):
            return
        if self.asked_name is not None:
            try:
                if canonical(normalize(text).strip(), self.context()) == self.asked_name:
                    return
            except AnswerError:
                pass
        error = AnswerError(
            f"the left side of '=' is {text.strip()!r}, not {self.asks}, the quantity asked for: write {self.asks} = ..., "
            "or the right side alone"
        )
        try:
            self.read_formula(right)
        except AnswerError:
            raise error from None
        raise _suggesting(error, right.strip())

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

    def read_formula(self, text: str) -> Formula:
        """``text`` read as a formula of this exercise: only its given (and defined) names, never the quantity asked.

        Raises:
            AnswerError: a name that is not given, the quantity asked for, or anything :func:`read` refuses; when a
                rewrite of :mod:`~micrograd_nptel.exercises.suggest` reads (``sin x`` -> ``sin(x)``), the message ends
                with it ("Write: sin(x)") and the error's ``suggestion`` holds it.
        """
        cached = self._cache.get("read:" + text)
        if cached is not None:
            return cached  # type: ignore[no-any-return]
        try:
            formula = self._read_formula(text)
        except AnswerError as e:
            fixed = suggestion(text, self._read_formula) if e.suggestion is None else None
            if fixed is None:
                raise
            raise _suggesting(e, fixed) from None
        if len(self._cache) < 2048:  # the same answer checked again (a gradebook, the rates): read once per exercise
            self._cache["read:" + text] = formula
        return formula

    def _read_formula(self, text: str) -> Formula:
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
            return self._mismatch(e)
        except FloatingPointError as e:
            return Feedback(False, None, f"{formula.text} is not a finite number on these numbers ({e}).", self.name, rule="evaluates")

    def _mismatch(self, e: ShapeMismatch) -> Feedback:
        """Two operands whose shapes do not fit, with what was likely meant (rule ``evaluates``)."""
        left, right = e.left_shape, e.right_shape
        key, hint = "shape", ""
        if e.outer:  # ∇ ⊙ h^T: elementwise between a column and a row
            hint = " (⊙ and * are elementwise; a column times a row is the matrix product: write @, ·, or put them side by side)"
        elif e.op == "@" and left == right and len(left) == 2 and left[1] == 1:  # two columns: ⊙ was meant
            hint = " (two vectors of the same shape: for ⊙, entry by entry, write *)"
        elif e.op == "*" and len(left) == 2 and len(right) == 2 and left[1] == right[0]:
            hint = " (* is entry by entry; for the matrix product write @, or put them side by side)"
        elif e.transposed_fits:
            key, hint = "transpose", " (a transpose, ^T, would make them fit)"
        return Feedback(False, key, f"{e}{hint}. {self.asks} is {self.shape}.", self.name, rule="evaluates")

    def expected(self, world: int = 0) -> Array:
        """The engine's answer on world ``world`` (0: the question's): a 0-d array, a column (n x 1) or a matrix."""
        return self.context(world).values[self.target]

    def _check_formula(self, formula: Formula) -> Feedback:
        """The verdict on a formula: it cannot be evaluated here (shapes, not finite), or the first of
        :data:`FORMULA_RULES` that decides, on its values on the first three worlds."""
        values: list[Array] = []
        for world in range(3):
            v = self._evaluate(formula, world)
            if isinstance(v, Feedback):
                return self._written_slip(formula, v) or v
            values.append(v)
        return self._verdict(FORMULA_RULES, Judged(values, [self.expected(w) for w in range(3)], formula))

    def _written_slip(self, formula: Formula, why: Feedback) -> Feedback | None:
        """A catalogued slip written as its formula, when that formula has no value here (``W_3 @ grad_a_3`` where the
        shapes do not fit): its key and message, then ``why``'s, so a teacher's slip of that kind is named as the
        teacher wrote it."""
        tree = ast.dump(formula.tree)
        for mistake, text, read_slip in self._catalogued():
            if read_slip is not None and ast.dump(read_slip.tree) == tree and read_slip.names == formula.names:
                message = mistake.message.replace("{formula}", display(text, self.context()))
                return Feedback(False, mistake.key, f"{message}\n{why.message}", self.name, rule="slip")
        return None

    def _correct_formula(self, formula: Formula, want: Array, note: str = "") -> Feedback:
        n = len(self.deciding_worlds())
        return Feedback(
            True,
            None,
            f"{self.asks} = {display(formula.text, self.context())}{note}, on these numbers and on {n - 1} more sets of the "
            f"same shape:\n{self.asks} = {format_value(want, len(self.asks) + 3)}",
            self.name,
        )

    # ------------------------------------------------------------------ the worlds that decide
    POOL = 16
    """The least number of extra worlds a formula that matches the first three is also checked on."""

    SIGN_POOL = 48
    """The most extra worlds drawn, after :attr:`POOL`, for a given number's sign where the answer is not 0."""

    MAX_POOL = 200
    """The most extra worlds drawn to meet :meth:`deciding_worlds`' conditions."""

    def deciding_worlds(self) -> list[Context]:
        """The worlds a formula answer must match on to be correct: the question's, the two that differ from it in every
        given number and class (:meth:`context` 1, 2), and at least :attr:`POOL` more of the same shape, drawn until

        * every class l = 1..k is the true class in some world (a softmax output);
        * every hidden relu unit a_{k,i} is active (> 0) in some world and inactive in another;
        * every given number that takes both signs among the first :attr:`POOL` worlds takes each in a world where
          the answer is not 0 (so ``abs`` of a factor shows even behind a relu unit that is often off);
        * every slip the exercise knows (its catalogue and its world's lecture slips) differs from the answer beyond
          :data:`FORMULA_RTOL` in at least one world,

        or :attr:`MAX_POOL` worlds are drawn (a condition no world can meet, such as a logistic h_k < 0, is left).

        Returns:
            The worlds' Contexts, the question's first (cached per exercise and seed).
        """
        cached = self._cache.get("deciders")
        if cached is not None:
            return cached  # type: ignore[no-any-return]
        built = self.world
        worlds = [self.context(w) for w in range(3)]
        if built is None:
            return worlds
        needs = self._needs(worlds)
        w = 3
        while w < 3 + self.MAX_POOL and (w < 3 + self.POOL or needs):
            ctx = _world_context(built, self.seed, w)
            worlds.append(ctx)
            needs -= self._features(ctx)
            w += 1
            if w == 3 + self.POOL:  # a given number that took both signs must take both where the answer is not 0
                needs |= self._sign_needs(worlds)
            if w == 3 + self.POOL + self.SIGN_POOL:  # a sign still missing may be one the answer forbids (a_{1,i} < 0 behind relu)
                needs = {n for n in needs if n[0] != "sign"}
        self._cache["deciders"] = worlds
        return worlds

    def _sign_needs(self, worlds: list[Context]) -> set[tuple[object, ...]]:
        """Each given number that takes both signs among ``worlds``, with each sign in a world whose answer is not 0 (a
        relu unit that is off makes the answer 0 whatever abs() does to a factor): the signs still missing."""
        names = self._given_entries(worlds[0])
        varying = {n for n in names if len({float(np.sign(ctx.values[n])) for ctx in worlds} - {0.0}) == 2}
        shown = {(n, float(np.sign(ctx.values[n]))) for ctx in worlds if np.any(np.abs(ctx.values[self.target]) > 1e-12) for n in varying}
        return {("sign", n, s) for n in varying for s in (1.0, -1.0) if (n, s) not in shown}

    def _needs(self, worlds: list[Context]) -> set[tuple[object, ...]]:
        """What the worlds must show (see :meth:`deciding_worlds`) and the first three do not: every class, every hidden
        relu unit on and off, every slip apart from the answer. (Signs are added after :attr:`POOL` worlds, by
        :meth:`_sign_needs`, for the given numbers that took both.)"""
        base = worlds[0]
        needs: set[tuple[object, ...]] = set()
        if base.label is not None and base.k:
            needs |= {("class", c) for c in range(1, base.k + 1)}
        needs |= {("relu", n, s) for n in self._relu_units(base) for s in (1, -1)}
        needs |= {("slip", i) for i in range(len(self._catalogued()))}
        for ctx in worlds:
            needs -= self._features(ctx)
        return needs

    def _relu_units(self, ctx: Context) -> list[str]:
        """The hidden relu units' pre-activations ``a_{k,i}`` (k < L) of a relu network (none for another g)."""
        if ctx.g != "relu" or not ctx.layers:
            return []
        cached = self._cache.get("relu_units")  # the same names in every world: found once
        if cached is None:
            cached = [n for n in ctx.values if re.fullmatch(r"a_\d+,\d+", n) and int(n[2:].split(",")[0]) < ctx.layers]
            self._cache["relu_units"] = cached
        return list(cached)

    def _features(self, ctx: Context) -> set[tuple[object, ...]]:
        out: set[tuple[object, ...]] = set()
        if np.any(np.abs(ctx.values[self.target]) > 1e-12):
            out |= {("sign", n, float(np.sign(ctx.values[n]))) for n in self._given_entries(ctx)}
        if ctx.label is not None:
            out.add(("class", ctx.label))
        for n in self._relu_units(ctx):
            out.add(("relu", n, 1 if ctx.values[n] > 0 else -1))
        want = ctx.values.get(self.target)
        for i, (_, _, formula) in enumerate(self._catalogued()):
            try:
                if formula is None:
                    raise AnswerError("unreadable")
                v = evaluate(formula, ctx)
            except (AnswerError, ShapeMismatch, FloatingPointError):
                out.add(("slip", i))  # a slip of another shape (W_3 for W_3^T) differs wherever it is compared
                continue
            if want is not None and not formula_close(fit_shape(v, want), want):
                out.add(("slip", i))
        return out

    def _given_entries(self, ctx: Context) -> list[str]:
        """The names of the given scalars and of every entry of a given vector or matrix (``W_3,1,2``): the same in
        every world of the exercise (computed once)."""
        cached = self._cache.get("given_entries")
        if cached is None:
            given = {*self.given, *self.defined}
            cached = [
                n
                for n, v in ctx.values.items()
                if v.ndim == 0 and (n in given or container(n) in given) and n != "l" and not n.endswith((",l", "_l"))
            ]
            self._cache["given_entries"] = cached
        return list(cached)

    def _catalogued(self) -> list[tuple[Mistake, str, Formula | None]]:
        """Each catalogued slip formula with its :class:`Mistake`, read once (on the question's numbers: every world has
        the same names), or None where it cannot be read (cached)."""
        cached = self._cache.get("catalogued")
        if cached is None:
            ctx, cached = self.context(), []
            for mistake in self.mistakes:
                for text in mistake.formulas:
                    try:
                        cached.append((mistake, text, read(text, ctx)))
                    except AnswerError:
                        cached.append((mistake, text, None))
            self._cache["catalogued"] = cached
        return list(cached)

    def _differing_world(self, formula: Formula, first: int = 3) -> tuple[Context, Array, Array] | None:
        """The first deciding world (from index ``first``) where ``formula`` does not equal the answer: ``(world, its
        value, the answer there)``; None when it equals it on all of them."""
        for ctx in self.deciding_worlds()[first:]:
            want = ctx.values[self.target]
            try:
                v = evaluate(formula, ctx, self.forbidden)
            except (ShapeMismatch, FloatingPointError):
                return ctx, np.full(want.shape, np.nan), want
            if not formula_close(fit_shape(v, want), want):
                return ctx, v, want
        return None

    def _as_given(self, formula: Formula, value: Array | None, want: Array) -> list[tuple[Formula, str]]:
        """``formula`` with its literals read as the given quantities they print as (``W_1 - 0.1 * grad_W_1`` with
        η = 0.1 printed; ``dL/da_{2,2} * 0.6085`` with h_{1,3} printed 0.608537), when it agrees with the answer here to
        :data:`ROUNDING` digits: each reading, with a note."""
        if value is None or not self._rounded(value, want):
            return []
        return self._readings(formula)

    def _readings(self, formula: Formula) -> list[tuple[Formula, str]]:
        """``formula`` with some of its literals read as the given quantities they print as (at most 64 readings), each
        with a note saying which (" (reading 0.1 as η, as printed)"); none for a formula of literals alone."""
        if not formula.names:
            return []
        ctx = self.context()
        printed = [(n, float(ctx.values[n])) for n in self._given_entries(ctx)]
        divisors = _divisors(formula.tree.body)
        choices: list[list[tuple[int, float, str, bool] | None]] = []
        for i, node in enumerate(_literals(formula.tree.body)):
            c = _literal_value(node)
            readings = [(n, False) for n, v in printed if _prints_as(c, v)]
            if id(node) in divisors and c != 0:  # grad_W_1 / 10: 1/10 as η = 0.1
                readings += [(n, True) for n, v in printed if _prints_as(1.0 / c, v)]
            choices.append([None, *((i, c, n, inverse) for n, inverse in readings)])  # each literal kept, or read as a given value
        out: list[tuple[Formula, str]] = []
        combos = itertools.islice(itertools.product(*choices), 1, 65)  # the first keeps every literal: already judged
        for combo in combos:
            chosen = [c for c in combo if c is not None]
            names = list(formula.names)
            tree = copy.deepcopy(formula.tree)
            sites = _literals(tree.body)
            swap: dict[int, ast.expr] = {}
            for i, _, n, inverse in chosen:
                if n not in names:
                    names.append(n)
                name = ast.Name(id=f"_n{names.index(n)}", ctx=ast.Load())
                swap[id(sites[i])] = ast.BinOp(ast.Constant(1.0), ast.Div(), name) if inverse else name
            variant = Formula(formula.text, _replaced(tree, swap), names, formula.functions)
            said = ", ".join(f"{'1/' if inverse else ''}{c:g} as {pretty(n)}" for _, c, n, inverse in chosen)
            out.append((variant, f" (reading {said}, as printed)"))
        return out

    def _as_class(self, formula: Formula, ctx: Context) -> Formula | None:
        """``formula`` with the true class written as the number l (``e(1)``, ``e(1, k)``, ``ŷ_1``, ``a_{L,1}``) read
        as l: that formula when it is then right on every deciding world (the class was the only slip), else None."""
        label, names = ctx.label, list(formula.names)
        if label is None:
            return None
        changed = False
        for i, n in enumerate(names):
            m = re.fullmatch(rf"((?:dL/d)?(?:yhat_|y_|a_{ctx.layers},)){label}", n)
            if m and m.group(1) + "l" in ctx.values:
                names[i], changed = m.group(1) + "l", True
        tree = copy.deepcopy(formula.tree)

        class OneHot(ast.NodeTransformer):  # [1, 0] or [[1], [0]]: e(l) written out
            def visit_List(self, node: ast.List) -> ast.AST:
                entries = [e.elts[0] if isinstance(e, ast.List) and len(e.elts) == 1 else e for e in node.elts]
                values = [e.value if isinstance(e, ast.Constant) and isinstance(e.value, (int, float)) else None for e in entries]
                if len(values) == ctx.k and values == [float(i == label) for i in range(1, len(values) + 1)] and "l" in ctx.values:
                    if "l" not in names:
                        names.append("l")
                    return ast.copy_location(
                        ast.Call(ast.Name("_f_e", ast.Load()), [ast.Name(f"_n{names.index('l')}", ast.Load())], []), node
                    )
                return self.generic_visit(node)

        before = ast.dump(tree)
        tree = OneHot().visit(tree)
        changed = changed or ast.dump(tree) != before
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_f_e" and node.args:
                first = node.args[0]
                whole = len(node.args) == 1 or (isinstance(node.args[1], ast.Constant) and node.args[1].value == ctx.k)
                if isinstance(first, ast.Constant) and first.value == label and whole and "l" in ctx.values:
                    if "l" not in names:
                        names.append("l")
                    node.args = [ast.Name(id=f"_n{names.index('l')}", ctx=ast.Load())]
                    changed = True
        if not changed:
            return None
        variant = Formula(formula.text, ast.fix_missing_locations(tree), names, formula.functions)
        return variant if self._differing_world(variant, first=0) is None else None

    def _check_number(self, value: Array | Feedback) -> Feedback:
        """The verdict on a number: the first of :data:`NUMBER_RULES` that decides."""
        if isinstance(value, Feedback):
            return value
        return self._verdict(NUMBER_RULES, Judged([value], [self.expected(0)]))

    def _verdict(self, rules: Sequence[Rule], judged: Judged) -> Feedback:
        """The first rule of ``rules`` (in order) that decides ``judged``; the last always does."""
        for rule in rules:
            found = rule.apply(self, judged)
            if found is not None:
                return replace(found, rule=rule.name)
        raise AssertionError(f"no rule of {[r.name for r in rules]} decided")  # pragma: no cover - far_off always decides

    def printed_slack(self) -> Array:
        """How far each entry of the answer moves when it is computed from the given numbers as printed (6 significant
        digits) instead of the engine's: the sum over every given number x_i that printing rounds of
        ``abs(answer(x_i + δ_i) - answer(x_i))``, δ_i half a unit of its 6th digit (the reference formula evaluated
        there). Work done with every printed
        digit lands within it, cancellation included (0.307054 x 0.770801 - ... may keep no digit of a small entry).

        Returns:
            An array of the answer's shape (zeros when nothing printed was rounded); cached per exercise and seed.
        """
        cached = self._cache.get("slack")
        if cached is not None:
            return cached  # type: ignore[no-any-return]
        ctx = self.context()
        want = self.expected(0)
        slack = np.zeros(want.shape)
        try:
            formula = read(self.reference, ctx)
            base = fit_shape(evaluate(formula, ctx), want)
        except (AnswerError, ShapeMismatch, FloatingPointError):
            base = None
        for n in self._given_entries(ctx) if base is not None else []:
            v = float(ctx.values[n])
            if v == 0 or float(f"{v:.6g}") == v:
                continue  # printed as it is: nothing lost
            half = 0.5 * 10.0 ** (math.floor(math.log10(abs(v))) - 5)
            try:
                moved = fit_shape(evaluate(formula, _with_entry(ctx, n, v + half)), want)
            except (ShapeMismatch, FloatingPointError):
                continue
            if moved is not None and base is not None:
                slack += np.abs(moved - base)
        self._cache["slack"] = slack
        return slack

    def _exact(self, v: Array, want: Array) -> bool:
        """Every entry agrees to :data:`EXACT` digits, or lies within :meth:`printed_slack` of the answer."""
        return exactly(v, want) or bool(v.shape == want.shape and np.all(np.abs(v - want) <= 2 * self.printed_slack() + _unit(want, EXACT)))

    def _rounded(self, v: Array, want: Array) -> bool:
        """Every entry agrees to :data:`ROUNDING` digits (half a unit of the 3rd), the printed numbers' slack allowed."""
        return rounded(v, want) or bool(
            v.shape == want.shape and np.all(np.abs(v - want) <= 2 * self.printed_slack() + _unit(want, ROUNDING) / 2)
        )

    @staticmethod
    def _is_rounded_answer(v: Array) -> bool:
        """True when every entry is written with at most :data:`ROUNDING` significant digits (0.123, -0.0456)."""
        return all(float(f"{t:.{ROUNDING}g}") == t for t in v.ravel())

    def _partial_step(self, value: Array) -> Feedback | None:
        """For an update: some entries stepped right and others not updated (left at W_1) or stepped the wrong way
        (W_1 + η∇), each entry to :data:`EXACT` digits; the entries are named (counted from 1)."""
        if self.update is None:
            return None
        old, new = self._step()
        tol = np.maximum(_unit(new, EXACT), 2 * self.printed_slack()) + 1e-6 * float(np.abs(new).max())  # 6 decimals typed
        d = new - old
        moved = np.abs(d) > tol  # entries whose step shows at this precision
        right = np.abs(value - new) <= tol
        stayed = moved & (np.abs(value - old) <= tol)
        wrong_way = moved & (np.abs(value - (old - d)) <= tol)
        if not np.all(right | stayed | wrong_way) or not (stayed.any() or wrong_way.any()) or not right.any():
            return None

        def where(mask: np.ndarray[Any, Any]) -> str:
            return ", ".join(f"({i + 1},{j + 1})" for i, j in np.argwhere(mask))

        parts = []
        if stayed.any():
            parts.append(f"entries {where(stayed)} are not updated (still {pretty(self.update)})")
        if wrong_way.any():
            parts.append(f"entries {where(wrong_way)} are stepped the wrong way ({pretty(self.update)} + η ∇L, not - η ∇L)")
        key = "no_step" if stayed.any() and not wrong_way.any() else "sign" if wrong_way.any() and not stayed.any() else None
        return Feedback(
            False,
            key,
            f"Some entries are right, but {'; '.join(parts)} (counted from 1): every entry takes its own step, "
            f"{pretty(self.update)} - η ∇_{{{pretty(self.update)}}}L.\n{format_pair(self.asks, new, value)}",
            self.name,
        )

    def before_step(self, value: Array) -> bool:
        """For an update exercise: True when ``value`` is at least as close to the value before the step as after it."""
        if self.update is None:
            return False
        old, new = self.context().values[self.update], self.expected(0)
        return bool(np.linalg.norm(value - old) <= np.linalg.norm(value - new))

    STEP_TOLERANCE = 0.1
    """For an update exercise, a correct answer lies within this fraction of the step ``|W_new - W_old|`` of W_new
    (in the Frobenius norm): so another η (a step 0.9 or 1.1 times the true one, or further) is never correct,
    however many digits the entries share."""

    def _step(self) -> tuple[Array, Array]:
        assert self.update is not None  # only update exercises call this
        return np.asarray(self.context().values[self.update], dtype=float), self.expected(0)

    def on_step(self, value: Array) -> bool:
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
        """For an update exercise: ``value`` is W_old + c (W_new - W_old) for some c (to 1% of the step), |c - 1| > 0.02."""
        if self.update is None:
            return False
        old, new = self._step()
        d = new - old
        if not np.any(d):
            return False
        c = self._step_factor(value)
        return float(np.linalg.norm(value - old - c * d)) <= 0.01 * float(np.linalg.norm(d)) and abs(c - 1) > 0.02

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
            f"{step:.3g}: if you rounded, keep 6 significant digits so that it shows.\n{format_pair(self.asks, new, value)}",
            self.name,
        )

    def _no_step(self, value: Array, formula: bool = False) -> Feedback:
        assert self.update is not None  # only update exercises call this
        old, new = self.context().values[self.update], self.expected(0)
        step = float(np.abs(new - old).max())
        if formula:
            return Feedback(
                False,
                "no_step",
                f"Your formula stays closer to {pretty(self.update)} before the step than to {self.asks}: the step is "
                f"η ∇_{{{pretty(self.update)}}}L; check η and the gradient.\n"
                f"{format_pair(self.asks, new, value)}",
                self.name,
            )
        return Feedback(
            False,
            "no_step",
            f"Your answer is closer to {pretty(self.update)} before the step than to {self.asks}: the step changes each entry "
            f"by at most {step:.3g}, so give enough digits to show it (6 significant digits), and check η and the gradient.\n"
            f"{format_pair(self.asks, new, value)}",
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
                shown = self.shape if theirs in self.shape else f"{self.shape} ({theirs})"
                text = f"Your answer is {yours}; {self.asks} is {shown}: it is transposed" + (
                    " (∇_{W_k}L = ∇_{a_k}L h_{k-1}^T, not h_{k-1} ∇_{a_k}L^T)." if "W" in self.asks else "."
                )
            return Feedback(False, "transpose", text, self.name)
        kind = "a number" if value.size == 1 else f"a vector ({yours})" if 1 in value.shape else f"a matrix ({yours})"
        size = f" ({theirs})" if want.ndim and theirs not in self.shape else ""
        return Feedback(False, "shape", f"Your answer is {kind}; {self.asks} is {self.shape}{size}.", self.name)

    def _far_off(self, value: Array, want: Array, formula: bool = False) -> Feedback:
        fitted = fit_shape(value, want)
        assert fitted is not None  # callers checked the shape
        error = np.abs(fitted - want)
        relative = float((error / np.maximum(np.abs(want), _floor(want))).max())
        if want.ndim == 0 or want.size == 1:
            w, v = float(want.reshape(())), float(fitted.reshape(()))
            if relative < 0.05 and formula:  # a formula is exact or wrong: closeness is no rounding
                return Feedback(
                    False,
                    None,
                    f"Close to {self.asks} = {format_value(want)} on these numbers (yours is {v:.6g}, off by {relative:.2%}), "
                    f"but not equal: a formula must give it exactly. {self.hint}",
                    self.name,
                )
            if relative < 0.05:
                return Feedback(
                    False,
                    "digits",
                    f"Close, but not to {ROUNDING} significant digits: {self.asks} = {format_value(want)}, yours is {v:.6g} "
                    f"(off by {relative:.1%}). Keep more digits in the intermediate steps.",
                    self.name,
                )
            if w != 0 and abs(v + w) < 0.05 * abs(w):  # the negated answer (its size to 5%): nothing else is called a sign
                size = (
                    ""
                    if self._rounded(np.array(-v), want.reshape(()))
                    else f" (and the size is close, not to {ROUNDING} significant digits)"
                )
                return Feedback(False, "sign", f"The sign is wrong{size}: {self.asks} = {format_value(want)}, yours is {v:.6g}.", self.name)
            if w != 0 and abs(v) <= 1e-9 * abs(w):
                return Feedback(False, None, f"{self.asks} = {format_value(want)}; yours is 0. {self.hint}", self.name)
            ratio = f"{v / w:.3g} times" if w != 0 and math.isfinite(v / w) else "not" if w == 0 else "far more than"
            return Feedback(False, None, f"{self.asks} = {format_value(want)}; yours, {v:.6g}, is {ratio} that. {self.hint}", self.name)
        slack = 2 * self.printed_slack() + _unit(want, ROUNDING) / 2
        good = np.abs(fitted - want) <= slack
        digits = ROUNDING
        if good.all():  # every entry agrees to 3 digits (an update off its step): name those not to 5
            good, digits = np.abs(fitted - want) <= 2 * self.printed_slack() + _unit(want, EXACT), EXACT
        bad = np.argwhere(~good)
        where = ", ".join(f"({i + 1},{j + 1})" if want.shape[1] > 1 else f"{i + 1}" for i, j in bad[:8])
        more = f" and {len(bad) - 8} more" if len(bad) > 8 else ""
        flipped = [(i, j) for i, j in bad if rounded(np.array(-fitted[i, j]), np.array(want[i, j]))]
        entries = "entry" if len(bad) == 1 else "entries"
        head = f"{len(bad)} of {want.size} entries differ from {self.asks}: {entries} {where}{more} (counted from 1)."
        key: str | None = None
        if flipped:
            key = "sign" if len(flipped) == want.size else None  # "sign" names the negated answer only
            if key == "sign":
                head += " Each has the right size and the wrong sign."
            else:  # a partly right answer: which entries, not a slip's name
                head += (
                    " It is the negative of the right entry."
                    if len(bad) == 1
                    else " Each is the negative of the right entry."
                    if len(flipped) == len(bad)
                    else f" {len(flipped)} of them are the negatives of the right entries."
                )
        elif relative < 0.05:
            key = "digits"
            head += f" Each is close (within {100 * relative:.2g}%) but not to {digits} significant digits: keep more digits."
        else:
            head += f" {self.hint}"
        return Feedback(False, key, f"{head}\n{format_pair(self.asks, want, fitted)}", self.name)

    # ------------------------------------------------------------------ diagnosis
    def slips(self, world: int = 0) -> list[Slip]:
        """Every slip this exercise knows, valued on world ``world``, in the order they are tried (cached): its
        catalogued :class:`Mistake` formulas, the value before the step / the transpose / the sign, the missing paths
        (Module 4.6), the neighbouring indices, the world's lecture slips and the slips made from its formula
        (:mod:`~micrograd_nptel.exercises.slips`). The list has the same length and order on every world, so a slip
        is matched across worlds by its place (a slip with no value there has an empty value).

        Returns:
            :class:`~micrograd_nptel.exercises.feedback.Slip` records ``(key, message, value)``.
        """
        cached = self._cache.get(f"candidates{world}")
        if cached is not None:
            return cached  # type: ignore[no-any-return]
        ctx = self.context(world)
        out: list[Slip] = []
        for mistake, text, formula in self._catalogued():
            try:
                v = evaluate(formula if formula is not None else read(text, ctx), ctx)
            except (ShapeMismatch, FloatingPointError):
                v = np.full((0, 0), np.nan)  # no value here: never matches, keeps the slips aligned across worlds
            out.append(Slip(mistake.key, mistake.message.replace("{formula}", display(text, ctx)), v, text))
        if self.expected(world).ndim == 0:  # a 1 x 1 slip (a product of a row and a column) is a number
            out = [s._replace(value=s.value.reshape(()) if s.value.shape == (1, 1) else s.value) for s in out]
        out += self._generic_candidates(ctx, world)
        out += self.path_slips(ctx)
        out += self.neighbour_slips(ctx)
        out += [Slip(*t) for t in ctx.extra.get("slips", [])]  # type: ignore[attr-defined]  # the world's own (worlds.py)
        out += self._rewritten(ctx)  # made from the reference formula (slips.py), in a fixed order
        self._cache[f"candidates{world}"] = out
        return out

    def _rewritten(self, ctx: Context) -> list[Slip]:
        """The slips :mod:`~micrograd_nptel.exercises.slips` makes from the reference formula, valued on ``ctx`` (the
        rewrites are made once per exercise, on the question's numbers: every world has the same names and shapes)."""
        made = self._cache.get("rewrites")
        if made is None:
            question = self.context()
            try:
                made = rewrites(read(self.reference, question), question)
            except AnswerError:
                made = []
            self._cache["rewrites"] = made
        out = []
        for r in made:
            try:
                v = evaluate(r.formula, ctx)
            except (AnswerError, ShapeMismatch, FloatingPointError):
                v = np.full((0, 0), np.nan)  # keeps the slips aligned across worlds
            out.append(Slip(r.key, r.message, v))
        return out

    def _generic_candidates(self, ctx: Context, world: int) -> list[Slip]:
        """The slips every exercise of its kind has: the value before the step (an update), the answer's transpose
        (a square matrix), the answer with the wrong sign."""
        want = self.expected(world)
        out: list[Slip] = []
        if self.update is not None:
            out.append(
                Slip(
                    "no_step",
                    f"That is {pretty(self.update)} before the step: subtract η ∇_{{{pretty(self.update)}}}L.",
                    ctx.values[self.update],
                )
            )
        if want.ndim == 2 and want.shape[0] == want.shape[1] > 1:  # (one entry on every world, so the slips stay aligned)
            symmetric = np.allclose(want, want.T)
            transposed = np.full((0, 0), np.nan) if symmetric else want.T.copy()
            out.append(Slip("transpose", f"That is the transpose of {self.asks}: entry (i, j) is yours at (j, i).", transposed))
        out.append(Slip("sign", f"The sign is wrong: that is -{self.asks}.", -want))
        return out

    def path_slips(self, ctx: Context) -> list[Slip]:
        """``missing_paths``: the sum over every proper subset of the 2-8 paths from :attr:`paths` to the output
        (CS7015 Lecture 4, Module 4.6), on the numbers ``ctx``; none where the exercise names no paths."""
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
                out.append(Slip("missing_paths", _paths_message(paths, list(subset), missing, d), np.array(value)))
        return out

    def neighbour_slips(self, ctx: Context) -> list[Slip]:
        """``index_shift``: the gradient of each neighbouring unit or weight (one index one off, or i and j both), on
        the numbers ``ctx``; none unless :attr:`neighbours`."""
        if not self.neighbours:
            return []
        target = self.target
        prefix, _, body = target.rpartition("/d") if "/d" in target else ("", "", target)
        base, _, idx = body.partition("_")
        parts = [int(s) for s in idx.split(",")]
        first = 1 if base in ("W", "a", "h", "b") else 0  # the layer k is not an index that counts from 1
        counted = f"{self.asks} has the indices {idx.replace(',', ', ')}, counted from 1 as on the slides."
        out = []

        def candidate(shifted: list[int], text: str) -> None:
            name = (prefix + "/d" if prefix else "") + f"{base}_{','.join(map(str, shifted))}"
            if name in ctx.values:
                out.append(Slip("index_shift", f"That is {pretty(name)}, {text}: {counted}", ctx.values[name]))

        neighbour = f"the neighbouring {'weight' if base == 'W' else 'unit'}'s gradient"
        for pos in range(first, len(parts)):
            for step in (-1, 1):
                candidate([p + step * (i == pos) for i, p in enumerate(parts)], neighbour)
        if len(parts) - first == 2:  # i and j both one off: counted from 0, or shifted the other way
            i, j = parts[first:]
            for step, how in ((-1, "i and j both one less (counted from 0?)"), (1, "i and j both one more")):
                candidate([*parts[:first], i + step, j + step], how)
        return out

    def _diagnose(self, values: list[Array], match: Match, formula_worlds: int) -> Feedback | None:
        """The first slip whose value ``match``es the answer's on each of the first ``formula_worlds`` worlds."""
        first = self.slips(0)
        fitted = [fit_shape(values[0], s.value) for s in first]
        matches = [i for i, (s, v) in enumerate(zip(first, fitted)) if _near(v, s.value) and match(v, s.value)]
        if not matches:
            return None  # the other worlds' slips are valued only when one matches on the question's numbers
        others = [self.slips(w) for w in range(1, formula_worlds)]
        for i in matches:
            key, message = first[i].key, first[i].message
            if all(i < len(c) and c[i].key == key and match(fit_shape(v, c[i].value), c[i].value) for v, c in zip(values[1:], others)):
                return Feedback(False, key, f"{message}\n{format_pair(self.asks, self.expected(0), values[0])}", self.name)
        return None


# ---------------------------------------------------------------------- the verdict, as data
@dataclass
class Judged:
    """An answer as the verdict's rules read it.

    Attributes:
        values: its value on the worlds compared (a number: the question's only; a formula: worlds 0, 1, 2).
        want: the engine's answer on the same worlds.
        formula: the formula, or None for a number.
        fitted: each value in the answer's shape (None: it cannot be put in it).
        differs: for a formula that matches the first three worlds, the first deciding world where it does not,
            ``(world, its value there, the answer there)`` (set by the rule ``decided``).
    """

    values: list[Array]
    want: list[Array]
    formula: Formula | None = None
    fitted: list[Array | None] = field(init=False)
    differs: tuple[Context, Array, Array] | None = None

    def __post_init__(self) -> None:
        self.fitted = [fit_shape(v, w) for v, w in zip(self.values, self.want)]

    @property
    def here(self) -> Array:
        """The value on the question's numbers, in the answer's shape (a rule after ``shape`` may assume it fits)."""
        fitted = self.fitted[0]
        if fitted is None:  # pragma: no cover - the rule "shape" decides first
            raise AssertionError("the shape rule decides an answer that does not fit")
        return fitted


class Rule(NamedTuple):
    """One rule of the verdict: its name, what it says, and how it decides (a Feedback) or passes (None)."""

    name: str
    says: str
    apply: Callable[[Exercise, Judged], Feedback | None]


def _shape(ex: Exercise, j: Judged) -> Feedback | None:
    if j.fitted[0] is not None:
        return None
    match = exactly if j.formula is None else formula_close
    return ex._diagnose(j.values, match, formula_worlds=len(j.values)) or ex._shape_feedback(j.values[0], j.want[0])


def _exact(ex: Exercise, j: Judged) -> Feedback | None:
    if ex._exact(j.here, j.want[0]) and not ex.before_step(j.here) and ex.on_step(j.here):
        return Feedback(True, None, f"{ex.asks} = {format_value(j.want[0], len(ex.asks) + 3)}", ex.name)
    return None


def _slip(ex: Exercise, j: Judged) -> Feedback | None:
    if j.formula is None:
        return ex._diagnose([j.here], exactly, formula_worlds=1)
    found = ex._diagnose(j.values, formula_close, formula_worlds=3)
    if found is not None:
        return found
    for variant, note in ex._readings(j.formula):  # W_1 + 0.1 * grad_W_1: the sign slip, with 0.1 read as η
        values = [ex._evaluate(variant, w) for w in range(3)]
        arrays = [v for v in values if not isinstance(v, Feedback)]
        found = ex._diagnose(arrays, formula_close, formula_worlds=3) if len(arrays) == 3 else None
        if found is not None:
            head, _, rest = found.message.partition("\n")
            return replace(found, message=f"{head}{note}\n{rest}" if rest else head + note)
    return None


def _rounded_answer(ex: Exercise, j: Judged) -> bool:
    return ex._is_rounded_answer(j.here) and ex._rounded(j.here, j.want[0])


def _partial_step(ex: Exercise, j: Judged) -> Feedback | None:
    return None if _rounded_answer(ex, j) else ex._partial_step(j.here)


def _rounding(ex: Exercise, j: Judged) -> Feedback | None:
    v, want = j.here, j.want[0]
    if not (_rounded_answer(ex, j) or (ex._rounded(v, want) and ex.on_step(v) and not ex.before_step(v))):
        return None
    note = ""
    if ex.update is not None and not ex.on_step(v):
        note = f" At {ROUNDING} digits the step does not show in every entry: give 6 significant digits to show it."
    return Feedback(
        True,
        "rounding",
        f"Correct to rounding: every entry agrees with {ex.asks} = {format_value(want)} to {ROUNDING} significant digits "
        f"(exact is {EXACT}). Keep more digits in the intermediate steps.{note}",
        ex.name,
    )


def _slip_to_rounding(ex: Exercise, j: Judged) -> Feedback | None:
    found = ex._diagnose([j.here], rounded, formula_worlds=1)
    return replace(found, message=found.message + " (to rounding)") if found else None


def _no_step(ex: Exercise, j: Judged) -> Feedback | None:
    return ex._no_step(j.here, formula=j.formula is not None) if ex.before_step(j.here) else None


def _step_size(ex: Exercise, j: Judged) -> Feedback | None:
    """Along the step, a real step (c not 0): named before no_step, so η/10 is "another η", not "no step"."""
    return ex._step_size(j.here) if ex._along_the_step(j.here) and abs(ex._step_factor(j.here)) > 0.02 else None


def _far_off(ex: Exercise, j: Judged) -> Feedback | None:
    with np.errstate(over="ignore"):  # an answer near 1e308: its ratio to the answer is not a float ("far more than")
        return ex._far_off(j.values[0], j.want[0], formula=j.formula is not None)


def _decided(ex: Exercise, j: Judged) -> Feedback | None:
    assert j.formula is not None
    if not all(formula_close(f, w) for f, w in zip(j.fitted, j.want)):
        return None
    j.differs = ex._differing_world(j.formula)
    return ex._correct_formula(j.formula, j.want[0]) if j.differs is None else None


def _as_given(ex: Exercise, j: Judged) -> Feedback | None:
    assert j.formula is not None
    for variant, note in ex._as_given(j.formula, j.here, j.want[0]):
        if ex._differing_world(variant, first=0) is None:
            return ex._correct_formula(variant, j.want[0], note)
    return None


def _digits(ex: Exercise, j: Judged) -> Feedback | None:
    assert j.formula is not None
    if formula_close(j.here, j.want[0]) or not ex._exact(j.here, j.want[0]) or not _literals(j.formula.tree.body):
        return None
    return Feedback(
        False,
        "digits",
        f"{j.formula.text} agrees with {ex.asks} here to {EXACT} significant digits, but a formula is judged on other "
        "numbers too, where a number typed into it stays the same: write the given quantity's name for each number "
        f"that stands for one, or give the answer as a number.\n{format_pair(ex.asks, j.want[0], j.here)}",
        ex.name,
    )


def _elsewhere(ex: Exercise, j: Judged) -> tuple[Context, Array, Array]:
    """Where a formula that matches the question's numbers does not: the deciding world, else world 1."""
    return j.differs if j.differs is not None else (ex.context(1), j.values[1], j.want[1])


def _fixed_class(ex: Exercise, j: Judged) -> Feedback | None:
    assert j.formula is not None
    ctx = ex.context()
    if not formula_close(j.here, j.want[0]) or ctx.label is None:
        return None
    other, theirs, wanted = _elsewhere(ex, j)
    if other.label == ctx.label or ex._as_class(j.formula, ctx) is None:
        return None
    return Feedback(
        False,
        "fixed_class",
        f"{j.formula.text} writes the true class as the number {ctx.label}: it is right for this example only. "
        f"Write l (e(l), ŷ_l): on other numbers of the same shape the class is {other.label}, and there "
        f"{j.formula.text} gives {format_value(theirs)} instead of {format_value(wanted)}.",
        ex.name,
    )


def _hidden_slip(ex: Exercise, j: Judged) -> Feedback | None:
    return _slip(ex, j) if formula_close(j.here, j.want[0]) else None


def _by_accident(ex: Exercise, j: Judged) -> Feedback | None:
    assert j.formula is not None
    if not formula_close(j.here, j.want[0]):
        return None
    other, theirs, wanted = _elsewhere(ex, j)
    ctx = ex.context()
    why = _why(ctx, other, ex._given_entries(ctx), j.formula)
    theirs_text, wanted_text = format_value(theirs), format_value(wanted)
    if theirs_text == wanted_text:  # they differ beyond 6 digits: show enough to see it
        theirs_text, wanted_text = (np.array2string(np.asarray(v).ravel(), precision=12) for v in (theirs, wanted))
    return Feedback(
        False,
        None,
        f"{j.formula.text} gives {format_value(j.want[0])} here, but not on other numbers of the same shape"
        f"{why}: there it gives {theirs_text} instead of {wanted_text}. It matches these numbers by accident: a "
        "formula must hold on every student's numbers.",
        ex.name,
    )


_SHAPE = Rule("shape", "of another shape: a slip of that shape, or the two shapes named", _shape)
_SLIP = Rule("slip", "a slip the exercise knows (:meth:`Exercise.slips`), named by its key", _slip)
_NO_STEP = Rule("no_step", "an update closer to the value before the step than after it", _no_step)
_STEP_SIZE = Rule("step_size", "an update along the step but of another size (another η, a step c ≠ 0 times the true one)", _step_size)
_FAR_OFF = Rule("far_off", "how far off it is, entry by entry (always decides)", _far_off)

NUMBER_RULES: tuple[Rule, ...] = (
    _SHAPE,
    Rule("exact", f"every entry agrees to {EXACT} digits (printed numbers' rounding allowed), an update is on its step: correct", _exact),
    _SLIP,
    Rule("partial_step", "an update with some entries not updated, or stepped the wrong way", _partial_step),
    Rule("rounding", f"every entry agrees to {ROUNDING} digits: correct to rounding", _rounding),
    Rule("slip_to_rounding", f"a slip the exercise knows, to {ROUNDING} digits", _slip_to_rounding),
    _STEP_SIZE,
    _NO_STEP,
    _FAR_OFF,
)
"""The verdict on a number, in order: the first rule that decides gives the :class:`Feedback`."""

FORMULA_RULES: tuple[Rule, ...] = (
    _SHAPE,
    Rule("decided", "equals the answer on every deciding world (:meth:`Exercise.deciding_worlds`): correct", _decided),
    Rule("as_given", "with its literals read as the given values they print as (η = 0.1), it does: correct", _as_given),
    Rule("digits", f"a typed number makes it agree to {EXACT} digits here only: write the quantity's name", _digits),
    Rule("fixed_class", "right here only because it writes the true class as a number: write l", _fixed_class),
    Rule("hidden_slip", "right here only: a slip these numbers hide (b_2 = 0 in the figure) and the others show", _hidden_slip),
    Rule("by_accident", "right here only: where it differs is named (which world, which number)", _by_accident),
    _SLIP,
    _STEP_SIZE,
    _NO_STEP,
    _FAR_OFF,
)
"""The verdict on a formula that can be evaluated on the first three worlds, in order."""


def _suggesting(error: AnswerError, fixed: str) -> AnswerError:
    """``error`` with the answer to write instead: at the end of its message and as its ``suggestion``."""
    out = AnswerError(f"{error}. Write: {fixed}")
    out.suggestion = fixed
    return out


def _unit(want: Array, digits: int) -> Array:
    """One unit of each entry's ``digits``-th significant digit (0 for an entry that is 0)."""
    size = np.abs(want)
    return np.where(size > 0, 10.0 ** (np.floor(np.log10(np.where(size > 0, size, 1.0))) - (digits - 1)), 0.0)


def _with_entry(ctx: Context, name: str, value: float) -> Context:
    """``ctx`` with the scalar ``name`` (an entry such as ``W_3,1,2``, or a number such as ``eta``) set to ``value``, its
    vector or matrix and the class-l alias (``yhat_l``) changed with it."""
    values = dict(ctx.values)
    values[name] = np.array(value)
    whole = container(name)
    if whole != name and whole in values:
        index = [int(i) - 1 for i in re.findall(r"\d+", name[len(whole) :])]
        if len(index) == 1:
            index.append(0)
        array = values[whole].copy()
        array[tuple(index[-2:])] = value
        values[whole] = array
        if ctx.label is not None and index[0] == ctx.label - 1:
            for alias in (f"{whole}_l", f"{whole},l"):
                if alias in values:
                    values[alias] = np.array(value)
    return replace(ctx, values=values)


def _literals(node: ast.AST) -> list[ast.AST]:
    """The number literals of a formula's tree (``-0.5`` as one), outside indices, e(...) and exponents."""
    out: list[ast.AST] = []

    def walk(n: ast.AST) -> None:
        if (
            isinstance(n, ast.UnaryOp)
            and isinstance(n.op, ast.USub)
            and isinstance(n.operand, ast.Constant)
            and not isinstance(n.operand.value, str)
        ):
            out.append(n)
        elif isinstance(n, ast.Constant) and isinstance(n.value, (int, float)) and not isinstance(n.value, bool):
            out.append(n)
        elif isinstance(n, ast.Subscript):  # v[2]: the vector, not its index
            walk(n.value)
        elif isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "_f_e":
            pass  # e(1, 3): an index and a length, never a given value
        elif isinstance(n, ast.BinOp) and isinstance(n.op, ast.Pow):
            walk(n.left)
        else:
            for child in ast.iter_child_nodes(n):
                walk(child)

    walk(node)
    return out


def _literal_value(node: ast.AST) -> float:
    if isinstance(node, ast.UnaryOp):
        return -_literal_value(node.operand)
    assert isinstance(node, ast.Constant) and isinstance(node.value, (int, float))
    return float(node.value)


def _prints_as(c: float, v: float) -> bool:
    """True when the literal ``c`` is ``v`` as printed (6 significant digits), or ``v`` rounded to the literal's own
    digits when it has at least 3: 0.1 for η = 0.1, -0.00109553 for -0.001095528..., 0.0011 is not."""
    if not math.isfinite(c) or float(c).is_integer():  # whole numbers are the formula's own (2x, x^2), never a given
        return False
    if c == float(f"{v:.6g}"):
        return True
    digits = len(re.sub(r"^0+", "", f"{abs(c):.15g}".replace(".", "").split("e")[0]).rstrip("0"))
    return digits >= 3 and c == float(f"{v:.{digits}g}")


def _divisors(node: ast.AST) -> set[int]:
    """The ids of the literals that divide (``x / 10``), so that 1/10 may be read as a given value."""
    return {id(n.right) for n in ast.walk(node) if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Div)}


def _replaced(tree: ast.Expression, swap: dict[int, ast.expr]) -> ast.Expression:
    """``tree`` with the nodes whose id is in ``swap`` replaced by those expressions (changed in place and returned)."""

    class Swap(ast.NodeTransformer):
        def visit(self, node: ast.AST) -> ast.AST:
            if id(node) in swap:
                return ast.fix_missing_locations(ast.copy_location(swap[id(node)], node))
            out: ast.AST = super().visit(node)
            return out

    out = Swap().visit(tree)
    assert isinstance(out, ast.Expression)
    return out


def _why(base: Context, other: Context, entries: Sequence[str], formula: Formula | None = None) -> str:
    """What is different in ``other`` (another world) that a formula may not have allowed for, in a few words: a number
    typed into the formula that is a given value here, the class, a relu unit, a sign. ``entries``: the given scalars
    (:meth:`Exercise._given_entries`)."""
    reasons = []
    for node in _literals(formula.tree.body) if formula is not None else []:
        c = _literal_value(node)
        for n in entries:
            v = float(base.values[n])
            if _prints_as(c, v) and n in other.values and float(other.values[n]) != v:
                reasons.append(f"{pretty(n)} = {float(other.values[n]):.6g}, where the formula keeps {c:g}")
                break
    if base.label is not None and other.label != base.label:
        reasons.append(f"the true class l = {other.label}")
    if other.g == "relu":
        off = [n for n, v in other.values.items() if re.fullmatch(r"a_\d+,\d+", n) and n in base.values and (v > 0) != (base.values[n] > 0)]
        if off:
            state = "off" if other.values[off[0]] <= 0 else "on"
            reasons.append(f"{pretty(off[0])} = {float(other.values[off[0]]):.3g}, a relu unit {state} there")
    flipped = [n for n in entries if n in other.values and np.sign(other.values[n]) * np.sign(base.values[n]) < 0]
    if flipped:
        reasons.append(f"{pretty(flipped[0])} = {float(other.values[flipped[0]]):.3g}, of the other sign")
    return f" (where {' and '.join(reasons[:2])})" if reasons else ""


def _sides(text: str) -> list[str]:
    """``text`` split at each ``=`` outside brackets (``\\sum_{m=1}^{2}`` keeps its own)."""
    parts, depth, start = [], 0, 0
    for i, c in enumerate(text):
        depth += 1 if c in "([{" else -1 if c in ")]}" else 0
        if c == "=" and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    return [*parts, text[start:].strip()]


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
