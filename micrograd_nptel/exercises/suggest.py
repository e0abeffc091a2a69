"""What to write instead: an answer the grammar cannot read, rewritten into one it can.

A student who types ``sin x``, ``W_3.T @ grad_a_3`` or ``transpose(W_3)`` meant something the grammar of
:mod:`~micrograd_nptel.exercises.formula` reads when written its way. :func:`suggestion` applies the rewrites of
:data:`FIXES` (each a common way of writing outside the grammar: a function's argument without brackets, numpy's
``.T``, a subscript digit) until the answer reads, and returns it only then, so a suggestion
is always an answer the checker reads (a test reads every one). It says nothing about whether the answer is right. A
bracket left open gets no suggestion: where it closes is the student's meaning (the error points at it).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

from .formula import FUNCTION_NAMES, AnswerError

__all__ = ["FIXES", "Fix", "suggestion"]

_SUBSCRIPT_DIGITS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")
_CALLED = "|".join(re.escape(f) for f in sorted({*FUNCTION_NAMES, "σ", "sigma", "ln"} - {"e", "g'"}, key=len, reverse=True))
_ARGUMENT = r"(?:[A-Za-z_]\w*(?:\{[^{}]*\}\w*)?|\d+(?:\.\d+)?)(?:\^\d+|\*\*\d+)?"


class Fix(NamedTuple):
    """One rewrite: what it corrects (shown to no one; for the reader of the code) and the function that does it."""

    what: str
    apply: Callable[[str], str]


FIXES: tuple[Fix, ...] = (
    Fix(
        "a function's argument without brackets: sin x -> sin(x)", lambda t: re.sub(rf"(?<![\w'])({_CALLED})\s+({_ARGUMENT})", r"\1(\2)", t)
    ),
    Fix("numpy's transpose: W_3.T -> W_3^T", lambda t: re.sub(r"([\w})\]])\.T\b", r"\1^T", t)),
    Fix("transpose(W_3) -> W_3^T", lambda t: re.sub(r"\btranspose\(\s*([A-Za-z_][\w{},]*)\s*\)", r"\1^T", t)),
    Fix(
        "a subscript digit: W₃ -> W_3",
        lambda t: re.sub(r"([A-Za-z])([₀-₉]+)", lambda m: f"{m.group(1)}_{m.group(2).translate(_SUBSCRIPT_DIGITS)}", t),
    ),
    Fix("a small t for the transpose: W_3ᵗ -> W_3ᵀ", lambda t: t.replace("ᵗ", "ᵀ")),
    Fix("sigma spelled out: sigma(z) -> σ(z)", lambda t: re.sub(r"\bsigma\b", "σ", t)),
    Fix("a ; or . at the end", lambda t: re.sub(r"[;.,\s]+$", "", t)),
)
"""The rewrites :func:`suggestion` tries, in order, on an answer that cannot be read."""


def suggestion(text: str, reads: Callable[[str], object], rounds: int = 4) -> str | None:
    """``text`` rewritten by :data:`FIXES` into an answer that ``reads`` (a function that raises
    :class:`~micrograd_nptel.exercises.formula.AnswerError` when it cannot read one), or None.

    Args:
        text: the answer as typed (already refused by ``reads``).
        reads: reads an answer as the exercise does (:meth:`~micrograd_nptel.exercises.Exercise.read_formula`).
        rounds: how many times the fixes are applied, each round all of them in order (an answer may need several).

    Returns:
        The rewritten answer, which ``reads`` reads; None when the fixes do not make one (or change nothing).
    """
    candidate = text
    for _ in range(rounds):
        fixed = candidate
        for fix in FIXES:
            fixed = fix.apply(fixed)
        if fixed == candidate:
            return None
        candidate = fixed
        try:
            reads(candidate)
        except AnswerError:
            continue
        return candidate
    return None
