"""What the checker says: the diagnoses it can give (:data:`MISTAKES`), one answer's :class:`Feedback`, a
:class:`Solution`, and the numbers written as the feedback and the question show them (6 significant digits,
vectors as columns, matrices one row per line; in LaTeX for a notebook)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from ..derivation import Derivation, bmatrix, latex_number
from .formula import Array

if TYPE_CHECKING:
    from .check import Exercise

__all__ = ["MISTAKES", "Feedback", "Mistake", "Slip", "Solution", "format_pair", "format_value", "shape_tex", "tex_value", "typed"]

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
    "decimal_comma": "a comma as the decimal mark (-0,5): a comma separates a list's entries; write -0.5",
    "number_asked": 'a formula where the exercise asks for the number (answer = "number"): numbers only',
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
        rule: the name of the verdict's rule that decided (see ``NUMBER_RULES`` and ``FORMULA_RULES`` in
            :mod:`~micrograd_nptel.exercises.check`), or of the check made before them: ``"placeholder"``,
            ``"decimal_comma"``, ``"number_asked"``, ``"evaluates"`` (a formula whose shapes do not fit, or not
            finite). Not compared.
    """

    correct: bool
    mistake: str | None
    message: str
    exercise: str = ""
    rule: str = field(default="", compare=False)

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


class Slip(NamedTuple):
    """One slip valued on one world: the record every producer (catalogue, world, formula rewrites, paths, indices)
    gives and the checker matches an answer against.

    Attributes:
        key: a key of :data:`MISTAKES`. message: what the student reads. value: the slip's value on the world (an
            empty array where it has none there). formula: the slip as a formula, where it is one (catalogued slips).
    """

    key: str
    message: str
    value: Array
    formula: str = ""


# ---------------------------------------------------------------------- formatting numbers
def _cells(v: Array) -> list[list[str]]:
    return [[f"{float(t):.6g}" for t in row] for row in v]


def format_value(v: Array, indent: int | None = None, width: int | None = None) -> str:
    """A number (6 significant digits), a column ``[...]ᵀ``, or a matrix.

    Args:
        v: a 0-d array, a column (n x 1) or a matrix.
        indent: None (inside a sentence): a matrix on one line, as it is typed, ``[[0.1, -0.2], [0.3, 0.4]]``. An
            int: one row per line, the columns aligned, and rows 2 onward indented by ``indent`` characters: the
            column at which the value starts on its line (``len("dL/dW_2 = ")``), so every row lines up under row 1.
        width: the width of every cell of a matrix written by rows (default: its widest cell's), so two matrices
            written one under the other (:func:`format_pair`) have their columns aligned too.

    Returns:
        The text.
    """
    if v.ndim == 0 or v.size == 1:
        return f"{float(v.reshape(())):.6g}"
    if v.shape[1] == 1:
        return "[" + ", ".join(f"{float(t):.6g}" for t in v[:, 0]) + "]ᵀ"
    cells = _cells(v)
    if indent is None:
        return "[" + ", ".join("[" + ", ".join(row) + "]" for row in cells) + "]"
    width = max([width or 0, *(len(c) for row in cells for c in row)])
    rows = ["[" + ", ".join(c.rjust(width) for c in row) + "]" for row in cells]
    return "[" + (",\n" + " " * (indent + 1)).join(rows) + "]"


def format_pair(name: str, want: Array, yours: Array) -> str:
    """``name = value`` and ``yours = value`` on lines of their own; matrices one row per line, every row under the
    first and, when both are matrices written by rows, the two matrices' columns under each other."""
    pad = max(len(name), 5)
    rows = [_cells(v) for v in (want, yours) if v.ndim == 2 and v.size > 1 and v.shape[1] > 1]
    width = max((len(c) for m in rows for row in m for c in row), default=0)
    return f"{name.ljust(pad)} = {format_value(want, pad + 3, width)}\n{'yours'.ljust(pad)} = {format_value(yours, pad + 3, width)}"


def tex_value(v: Array) -> str:
    """6 significant digits (enough to get the answer right to 1e-4 by hand); a column vector as a row with ^T."""
    if v.ndim == 0 or v.size == 1:
        return latex_number(float(v.reshape(())), 6)
    return bmatrix(v.T, 6) + "^T" if v.shape[1] == 1 else bmatrix(v, 6)


def shape_tex(shape: str) -> str:
    """``"a 3 x 3 matrix (n_2 x n_1)"`` -> ``"a 3 x 3 matrix ($n_2 \\times n_1$)"``: the slide's sizes typeset."""
    return re.sub(r"\(([nk][^)]*)\)", lambda m: "($" + m.group(1).replace(" x ", r" \times ") + "$)", shape)


def typed(name: str) -> str:
    """How to type a canonical name in a formula: ``dL/da_3`` -> ``grad_a_3``, ``W_1,1,1`` -> ``W_{1,1,1}``, ``yhat`` -> ``yhat``."""
    grad = name.startswith("dL/d") and re.fullmatch(r"[Wabh]_\d+|yhat|x", name[4:])
    body = name[4:] if grad else name
    body = re.sub(r"_(\d+,[\d,]+)$", lambda m: "_{" + m.group(1) + "}", body)
    return f"grad_{body}" if grad else body


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
        head = f"{self.exercise.asks} = {self.formula} = "
        text = head + format_value(v.reshape(-1, 1) if v.ndim == 1 else v, len(head))  # a matrix's rows under its first
        return text + (f"\n\n{self.derivation}" if self.derivation is not None else "")

    def _repr_markdown_(self) -> str:
        v = np.asarray(self.value)
        out = f"$${self.exercise.asks_tex} = {self.formula_tex} = {tex_value(v.reshape(-1, 1) if v.ndim == 1 else v)}$$"
        if self.derivation is not None:
            out += "\n\n" + self.derivation._repr_latex_()
        return out
