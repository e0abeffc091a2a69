"""How well the checker judges: :func:`diagnosis_rates` answers every exercise over many seeds with its correct
answer in every form, with wrong answers, and with each catalogued slip, and counts how often the verdict is the
expected one (the README's table of rates is this function's output, kept equal by a test)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np

from ..training import gc_paused
from .check import Exercise, exactly, fit_shape, formula_close, rounded
from .feedback import Feedback, typed
from .formula import TOKEN, AnswerError, Array, Context, ShapeMismatch, canonical, container, evaluate, read
from .loader import catalogue

__all__ = [
    "Rate",
    "diagnosis_rates",
    "library_forms",
    "mutants",
    "rate_summary",
    "rates_table",
    "teacher_examples",
    "wrongly_accepted_mutants",
]


class Rate(NamedTuple):
    """How often :meth:`Exercise.check` judges one kind of answer right: ``diagnosed`` of ``seeds`` for one exercise.

    ``mistake`` is ``"accepted"`` (a correct answer, in the ``form`` number, list, formula, display or rounding),
    ``"refused"`` (a wrong answer, in the ``form`` slip, perturbed, transposed, before the step, own name, fixed class),
    or the key of a slip (:data:`~micrograd_nptel.exercises.feedback.MISTAKES`) that must be named, as a ``formula``
    and as a ``number``. ``seeds`` counts the seeds where the answer applies (a slip whose value equals the answer on
    that seed is not one there).
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

    Each exercise's seeds are swept inside :func:`~micrograd_nptel.training.gc_paused` (as :func:`~micrograd_nptel.training.fit`
    trains): its students, their worlds and their read formulas stay alive through the sweep, and with the collector
    on its passes over them took about a third of the time (58 s -> 38 s for 20 seeds in a test process). What little
    garbage in cycles a sweep leaves (a caught error's traceback) is collected after it, when the collector resumes.

    Args:
        seeds: the seeds (default 0-19). exercises: default, the catalogue.

    Returns:
        One :class:`Rate` per (exercise, kind, form), in the catalogue's order.
    """
    rows: list[Rate] = []
    for base in exercises if exercises is not None else catalogue():
        tally: dict[tuple[str, str], tuple[int, int]] = {}
        students = _Students(base)
        with gc_paused():  # one exercise's students and their worlds stay alive through its seeds: see the docstring
            for seed in seeds:
                ex = students.on(seed)
                count = functools.partial(_count, tally)
                _count_accepted(ex, count)
                slips = _slips(ex)
                _count_refused(ex, slips, count, students)
                _count_named(ex, slips, count)
        rows += [Rate(base.name, key, form, done, seen) for (key, form), (done, seen) in tally.items()]
    return rows


class _Students:
    """One exercise's students, each made once for a sweep (:meth:`Exercise.new` of its seed), and the worlds an
    accepted formula must also hold on (:func:`_same_elsewhere`): a student's worlds are drawn once, not again for
    each formula and for each neighbouring seed that reads them."""

    def __init__(self, base: Exercise) -> None:
        self.base = base
        self._made: dict[int, Exercise] = {}
        self._elsewhere: dict[int, list[Context]] = {}

    def on(self, seed: int) -> Exercise:
        """The student of ``seed``."""
        if seed not in self._made:
            self._made[seed] = self.base.new(seed)
        return self._made[seed]

    def elsewhere(self, seed: int) -> list[Context]:
        """Worlds 0-2 of seeds seed+1 .. seed+4 (other students' numbers) and worlds 300-309 of ``seed`` (beyond those
        the checker draws), in that order; the far worlds only where the exercise has a world builder."""
        if seed not in self._elsewhere:
            ex = self.on(seed)
            near = [self.on(seed + d).context(w) for d in range(1, 5) for w in range(3)]
            far = [ex.world(seed, w) for w in range(300, 310)] if ex.world else []
            self._elsewhere[seed] = near + far
        return self._elsewhere[seed]


Count = Callable[[str, str, bool], None]
"""``count(kind, form, ok)``: one seed of one (kind, form) of :func:`diagnosis_rates`, judged as expected or not."""


def _correct(ex: Exercise, answer: object) -> bool:
    fb = _verdict(ex, answer)
    return fb is not None and fb.correct


def _refused(ex: Exercise, answer: object) -> bool:
    fb = _verdict(ex, answer)
    return fb is None or not fb.correct


def _count_accepted(ex: Exercise, count: Count) -> None:
    """The engine's answer as a number and a list, the reference formula, the display forms, and rounded to 3 digits."""
    want = ex.expected(0)
    sol = ex.solution_value()
    count("accepted", "number", _correct(ex, sol))
    if isinstance(sol, np.ndarray):
        count("accepted", "list", _correct(ex, sol.tolist()))
    count("accepted", "formula", _correct(ex, ex.reference))
    if ex.accepts:
        count("accepted", "display", all(_correct(ex, t) for t in ex.accepts))
    count("accepted", "library", all(_correct(ex, t) for t in library_forms(ex)))
    three = np.array([float(f"{t:.3g}") for t in want.ravel()]).reshape(want.shape)
    if not exactly(three, want) and not ex.before_step(three) and ex.on_step(three):
        fb = _verdict(ex, three)
        count("accepted", "rounding", fb is not None and fb.correct)  # as rounding, or exact within the printed slack


Known = tuple[str, str, "Array | None"]
"""``(key, formula, value)`` of one slip to measure; the formula ``""`` for a world's slip (a number only), the value
None where its shapes do not fit."""


def _slips(ex: Exercise) -> list[Known]:
    """Every catalogued slip's formula and value on the question's numbers, except those equal to the answer there."""
    ctx = ex.context()
    want = ex.expected(0)
    out: list[Known] = []
    for m in ex.mistakes:
        for text in m.formulas:
            try:
                v: Array | None = evaluate(read(text, ctx), ctx)
            except (ShapeMismatch, FloatingPointError):
                v = None  # a shape that does not fit: diagnosed from the formula alone
            if v is None or not formula_close(fit_shape(v, want), want):
                out.append((m.key, text, v))
    for key, _, value, _ in ctx.extra.get("slips", []):  # type: ignore[attr-defined]  # the world's lecture slips (numbers)
        if not formula_close(fit_shape(value, want), want):
            out.append((key, "", value))
    return out


def _count_refused(ex: Exercise, slips: list[Known], count: Count, students: _Students) -> None:
    """Wrong answers, none of which may be judged correct (see :func:`diagnosis_rates`)."""
    ctx = ex.context()
    want = ex.expected(0)
    count("refused", "slip", all(_refused(ex, t) and (v is None or _refused(ex, v)) for _, t, v in slips))
    perturbed = [v for v in _perturbed(want) if not rounded(v, want)]
    if perturbed:
        count("refused", "perturbed", all(_refused(ex, v) for v in perturbed))
    if want.ndim == 2 and (want.shape[0] != want.shape[1] or not np.allclose(want, want.T)):
        count("refused", "transposed", _refused(ex, want.T.tolist()))
    if ex.update is not None:
        old = ctx.values[ex.update]
        count("refused", "before the step", _refused(ex, old) and _refused(ex, old + (want - old) / 10))
        count("refused", "another η", _refused(ex, old + 2 * (want - old)) and _refused(ex, old + (want - old) / 2))
    if ex.asked_name is not None:
        count("refused", "own name", _refused(ex, typed(ex.asked_name)))
    if "l" in ex.given and ctx.label is not None:
        fixed = re.sub(r"\bl\b", str(ctx.label), ex.reference)
        count("refused", "fixed class", _refused(ex, fixed))
    count("refused", "mutant", not _wrongly_accepted(ex, students))


def _count_named(ex: Exercise, slips: list[Known], count: Count) -> None:
    """Each slip named by its key, as a formula and as a number; the missing paths and the neighbours' gradients."""
    ctx = ex.context()
    want = ex.expected(0)
    for key in dict.fromkeys(k for k, _, _ in slips):
        applies = [(t, v) for k, t, v in slips if k == key]
        readable = [t for t, _ in applies if t and _readable(ex, t)]
        if readable:
            count(key, "formula", all(_named(ex, t, key) for t in readable))
        numbers = [v for _, v in applies if v is not None and not _ambiguous(ex, v, key)]
        if numbers:
            count(key, "number", all(_named(ex, v, key) for v in numbers))
    paths = [c[2] for c in ex.path_slips(ctx) if not _ambiguous(ex, c[2], "missing_paths")]
    if paths:
        count("missing_paths", "number", all(_named(ex, v, "missing_paths") for v in paths))
    if ex.path_examples:
        count("missing_paths", "formula", all(_named(ex, t, "missing_paths") for t in ex.path_examples))
    shifted = [c[2] for c in ex.neighbour_slips(ctx) if not exactly(fit_shape(c[2], want), want)]
    if ex.neighbours and shifted:
        count("index_shift", "number", all(_named(ex, v, "index_shift") for v in shifted))


def _ambiguous(ex: Exercise, value: Array, key: str) -> bool:
    """True when another slip (of another key) gives the same number on this seed: a number cannot tell them apart."""
    return any(k != key and exactly(fit_shape(value, v), v) for k, _, v, _ in ex.slips(0) if v.size)


def library_forms(ex: Exercise) -> list[str]:
    """Every way the library writes the answer, each of which must be accepted back: the solution's display form and
    LaTeX (``solution().formula``, ``.formula_tex``), the catalogue's ``reference_tex``, each in ``$...$``, and as the
    equation ``asks = formula`` (text and LaTeX)."""
    sol = ex.solution()
    forms = [sol.formula, sol.formula_tex, ex.reference_tex, f"${sol.formula_tex}$", f"{ex.asks} = {sol.formula}"]
    forms.append(f"{ex.asks_tex} = {sol.formula_tex}")
    return list(dict.fromkeys(forms))


_OTHER_FUNCTIONS = {"exp": "log", "log": "exp", "sigmoid": "tanh", "tanh": "sigmoid", "g": "g'", "g'": "g", "sin": "cos", "cos": "sin"}


def mutants(ex: Exercise) -> list[str]:
    """The reference formula changed in one place, as a slip changes it: a name for another given one of the same
    shape, an index one off, a sign (a name negated, + for -), a function for another (g for g', exp for log), a name
    in ``abs(...)``, a factor dropped (a name set to 1), the class l written as each class number. Each is a formula a
    student can write; :func:`diagnosis_rates` counts one that is judged correct and differs from the answer on other
    numbers (other students', other worlds) as a wrong verdict."""
    text = ex.reference
    ctx = ex.context()
    tokens = []
    pos = 0
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m:
            return []
        tokens.append((m.lastgroup, m.group()))
        pos = m.end()
    shapes: dict[tuple[int, ...], list[str]] = {}
    for n in ex.allowed:
        if n in ctx.values:
            shapes.setdefault(ctx.values[n].shape, []).append(n)
    out: list[str] = []

    def put(i: int, piece: str) -> None:
        out.append("".join(t for _, t in tokens[:i]) + piece + "".join(t for _, t in tokens[i + 1 :]))

    for i, (kind, tok) in enumerate(tokens):
        before = [t for k, t in tokens[:i] if k != "space"]
        if kind == "op" and tok in ("+", "-") and before and before[-1] not in ("(", "{", "[", ",", "+", "-", "*", "/", "@", "^"):
            put(i, "-" if tok == "+" else "+")  # a binary sign flipped
        if kind != "name":
            continue
        following = "".join(t for _, t in tokens[i + 1 :]).lstrip()[:1]
        if tok in _OTHER_FUNCTIONS and following == "(":
            put(i, _OTHER_FUNCTIONS[tok])
            continue
        if tok == "l":
            for c in range(1, (ctx.k or 0) + 1):
                put(i, str(c))
            continue
        try:
            name = canonical(tok, ctx)
        except AnswerError:
            continue
        if name not in ctx.values:
            continue
        put(i, f"(-{tok})")
        put(i, f"abs({tok})")
        put(i, "1")
        for other in shapes.get(ctx.values[name].shape, []):
            if other != name and container(other) != name:
                put(i, f"({typed(other)})")
        numbers = re.findall(r"\d+", tok)
        for j in range(1 if re.match(r"(?:dL/d|grad_|∂L/∂)?[Wabh]_", tok) else 0, len(numbers)):
            for step in (-1, 1):
                shifted = list(numbers)
                shifted[j] = str(int(shifted[j]) + step)
                put(i, _renumbered(tok, shifted))
    return list(dict.fromkeys(m for m in out if m != text))


def _renumbered(token: str, numbers: list[str]) -> str:
    """``token`` with its numbers replaced, in order, by ``numbers`` (``W_{3,1,2}`` -> ``W_{3,2,2}``)."""
    parts = re.split(r"(\d+)", token)
    parts[1::2] = numbers
    return "".join(parts)


def wrongly_accepted_mutants(base: Exercise, seed: int) -> list[str]:
    """The mutants of ``base``'s reference (:func:`mutants`) on ``seed``'s numbers that :meth:`Exercise.check` judges
    correct although they differ from the answer on other numbers (worlds 0-2 of seeds seed+1 .. seed+4, and worlds
    300-309 of ``seed``): wrong verdicts, so the list must be empty. :func:`diagnosis_rates` counts the same sweep as
    its refused form ``mutant``.

    Args:
        base: an exercise (built-in or a teacher's). seed: the student's seed (an int >= 0).

    Returns:
        The mutant formulas judged correct wrongly, in :func:`mutants`' order (none: the checker is fair on them).

    Raises:
        TypeError: ``seed`` is not an int. ValueError: ``seed`` < 0 (as :meth:`Exercise.new`).

    Source: the lecture's derivatives (CS7015 Lecture 4, Modules 4.4-4.9) are each a formula of the exercise's given
    names; a slip changes one piece of it, and a fair checker tells the slip from the formula on other numbers.
    """
    students = _Students(base)
    return _wrongly_accepted(students.on(seed), students)


def _wrongly_accepted(ex: Exercise, students: _Students) -> list[str]:
    return [m for m in mutants(ex) if _correct(ex, m) and not _same_elsewhere(ex, m, students.elsewhere(ex.seed))]


def _same_elsewhere(ex: Exercise, text: str, worlds: list[Context]) -> bool:
    """``text`` equals the answer on ``worlds`` (:meth:`_Students.elsewhere`: other students' numbers, and worlds of
    this seed beyond those the checker uses): an accepted formula must. (Read once: every world has the same names.)"""
    try:
        formula = read(text, ex.context())
    except AnswerError:
        return False
    for ctx in worlds:
        want = ctx.values[ex.target]
        try:
            v = evaluate(formula, ctx)
        except (AnswerError, ShapeMismatch, FloatingPointError):
            return False
        if not formula_close(fit_shape(v, want), want):
            return False
    return True


def teacher_examples() -> list[Exercise]:
    """Three exercises a teacher writes (:func:`~micrograd_nptel.exercises.from_network`,
    :func:`~micrograd_nptel.exercises.from_expression`), measured beside the catalogue: a relu network's weight (where
    a formula without g' is right only while the unit is on), a 5-class output's ∇_{a_L}L (a formula wrong for one
    class only), and the toy expression of Module 4.6."""
    from .authoring import from_expression, from_network

    return [
        from_network(
            "teacher-relu",
            sizes=[2, 3, 2],
            activation="relu",
            loss="cross_entropy",
            target="dL/dW_{1,2,1}",
            given=["x", "a_1", "W_2", "grad_a_2"],
            question="Find ∂L/∂W_{1,2,1} of this relu network.",
            reference="e(2,3)^T @ ((W_2^T @ grad_a_2) * g'(a_1)) * x_1",
        ),
        from_network(
            "teacher-5-class",
            sizes=[2, 2, 5],
            activation="logistic",
            loss="cross_entropy",
            target="grad_a_2",
            given=["yhat", "l"],
            question="Find ∇_{a_2}L of this 5-class softmax output.",
        ),
        from_expression("teacher-toy", "z = log(y1/y2); y1 = x**2; y2 = x**3", target="dz/dx", at={"x": 2.0}, question="Find dz/dx."),
    ]


def _readable(ex: Exercise, text: str) -> bool:
    try:
        ex.read_formula(text)
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
