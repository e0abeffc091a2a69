"""How the library writes its ops, activations and losses: one table each, read by every module that writes or
reads one (the expression parser, derivations, pictures, the command line, the lecture's formulas).

- :data:`UNARY_OPS`: each unary op of the engine once: the :class:`~micrograd_nptel.engine.Value` method (and op
  string) it is, the numpy function of the same name, its derivative as formula text, its glyph in pictures and its
  LaTeX name. Adding an op is the engine method plus one entry here.
- :data:`ACTIVATION_FUNCTIONS`: g and g′ in numpy (CS7015 Lecture 4, Module 4.9), once.
- :data:`LOSSES`: each loss and the output function O it goes with (Module 4.3's table).
- :data:`GLYPHS`, :data:`TO_SUPERSCRIPT`, :data:`FROM_SUPERSCRIPT`, :data:`TO_SUBSCRIPT`: how ops, exponents and
  indices are written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


# ---------------------------------------------------------------------- g and g′ (Module 4.9)
def logistic(a: Array) -> Array:
    """``σ(a) = 1/(1 + e^{-a})`` elementwise, stable for any finite a (``e^{-|a|}`` never overflows; for a < 0 it is
    ``e^a/(1 + e^a)``, without cancellation)."""
    e = np.exp(-np.abs(a))
    out: Array = np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return out


def _relu(a: Array) -> Array:
    out: Array = np.maximum(a, 0.0)
    return out


def _logistic_prime(a: Array, h: Array | None) -> Array:
    s = logistic(a) if h is None else h
    out: Array = s * (1.0 - s)  # g(a)(1 - g(a))
    return out


def _tanh_prime(a: Array, h: Array | None) -> Array:
    t = np.tanh(a) if h is None else h
    out: Array = 1.0 - t * t  # 1 - g(a)²
    return out


def _relu_prime(a: Array, h: Array | None) -> Array:
    out: Array = (a > 0).astype(float)  # 1 where a > 0, else 0 (0 at 0, as the engine's relu)
    return out


def _linear_prime(a: Array, h: Array | None) -> Array:
    out: Array = np.ones_like(a)
    return out


class Activation(NamedTuple):
    """One activation g of the hidden layers (CS7015 Lecture 4, Modules 4.1 and 4.9).

    Attributes:
        name: its name in the library (``"logistic"``).
        method: the :class:`~micrograd_nptel.engine.Value` method that computes it (``"sigmoid"``); ``None`` for
            ``linear``, which adds no node.
        g: ``h = g(a)`` elementwise on a float64 array of any shape.
        g_prime: ``g′(a)`` elementwise, from ``(a, h)``; for the logistic and tanh, as the slide writes it, from
            the activation ``h = g(a)`` when it is given (not ``None``), so it is not computed again.
        derivative: g′ as the slide writes it.
    """

    name: str
    method: str | None
    g: Callable[[Array], Array]
    g_prime: Callable[[Array, Array | None], Array]
    derivative: str


ACTIVATION_FUNCTIONS: dict[str, Activation] = {
    "logistic": Activation("logistic", "sigmoid", logistic, _logistic_prime, "g(a)(1 - g(a))"),
    "tanh": Activation("tanh", "tanh", np.tanh, _tanh_prime, "1 - g(a)²"),
    "relu": Activation("relu", "relu", _relu, _relu_prime, "1 if a > 0, else 0"),
    "linear": Activation("linear", None, np.copy, _linear_prime, "1"),
}
"""g and g′ of each hidden-layer activation, by name, in the order :data:`micrograd_nptel.nn.ACTIVATIONS` lists them."""

ACTIVATION_ALIASES = {"sigmoid": "logistic", "identity": "linear"}
"""Other names of an activation, as the course's assignment writes them (``train --activation sigmoid``)."""


# ---------------------------------------------------------------------- the engine's unary ops
class UnaryOp(NamedTuple):
    """One unary op of the engine, as every module writes and reads it.

    Attributes:
        name: the :class:`~micrograd_nptel.engine.Value` method, which is also the op string of the nodes it makes
            and the function name an expression calls (``"exp"``).
        numpy: the same function elementwise on a float64 array.
        derivative: its local derivative as formula text, with ``{u}`` for the argument and ``{pu}`` for the argument
            in parentheses when it needs them (``"1/{pu}"`` for log); ``None`` for relu, whose derivative (a step)
            the formula grammar cannot write.
        glyph: the op node's text in a picture (``"eˣ"``, ``"σ"``).
        latex: the LaTeX command of its name in a derivation (``"\\exp"``), or ``None`` to leave the name as text.
    """

    name: str
    numpy: Callable[[Array], Array]
    derivative: str | None
    glyph: str
    latex: str | None


UNARY_OPS: dict[str, UnaryOp] = {
    "exp": UnaryOp("exp", np.exp, "exp({u})", "eˣ", r"\exp"),
    "log": UnaryOp("log", np.log, "1/{pu}", "log", r"\log"),
    "sqrt": UnaryOp("sqrt", np.sqrt, "1/(2*sqrt({u}))", "√x", r"\operatorname{sqrt}"),
    "tanh": UnaryOp("tanh", np.tanh, "1 - tanh({u})^2", "tanh", r"\tanh"),
    "sigmoid": UnaryOp("sigmoid", logistic, "sigmoid({u}) * (1 - sigmoid({u}))", "σ", None),
    "relu": UnaryOp("relu", _relu, None, "ReLU", None),
    "sin": UnaryOp("sin", np.sin, "cos({u})", "sin", r"\sin"),
    "cos": UnaryOp("cos", np.cos, "-sin({u})", "cos", r"\cos"),
    "abs": UnaryOp("abs", np.abs, "{pu}/abs({u})", "|x|", None),
}
"""The engine's unary ops, by name (the order in which error messages list them)."""


# ---------------------------------------------------------------------- losses
LOSSES = {"cross_entropy": "softmax", "squared_error": "linear"}
"""Each loss (the op string of its node, and ``train --loss``) and the output function O it goes with (CS7015
Lecture 4, Module 4.3's table)."""

LOSS_GLYPHS = {"cross_entropy": "−log ŷ_l", "squared_error": "Σ (ŷ−y)²"}
"""A loss node's text in a picture."""


# ---------------------------------------------------------------------- glyphs, superscripts, subscripts
GLYPHS: dict[str, str] = {
    "+": "+",
    "-": "−",
    "*": "×",
    "/": "÷",
    "neg": "−x",
    "**": "xʸ",
    "sum": "Σ",
    "linear": "b + Σ w h",
    **{name: op.glyph for name, op in UNARY_OPS.items() if op.glyph != name},
    **LOSS_GLYPHS,
}
"""An op node's text in a picture, by op string (an op not listed is written as its name)."""

SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
"""The digits 0-9 as superscripts."""

TO_SUPERSCRIPT = str.maketrans("0123456789-.T", SUPERSCRIPT_DIGITS + "⁻·ᵀ")
"""``str.translate`` table: an exponent written up (``x**-2`` -> ``x⁻²``, ``h^T`` -> ``hᵀ``)."""

SUPERSCRIPTS = SUPERSCRIPT_DIGITS + "⁻ᵀˣʸ"
"""Every superscript the library writes: the digits, minus, the transpose's ᵀ and the glyphs' ˣ and ʸ (``eˣ``, ``xʸ``)."""

FROM_SUPERSCRIPT = str.maketrans(SUPERSCRIPTS, "0123456789-Txy")
"""``str.translate`` table: :data:`SUPERSCRIPTS` back to plain characters (for LaTeX's ``^{...}``, slide mode's ``^2``)."""

SUBSCRIPT_DIGITS = "₀₁₂₃₄₅₆₇₈₉"
"""The digits 0-9 as subscripts."""

TO_SUBSCRIPT = str.maketrans("0123456789", SUBSCRIPT_DIGITS)
"""``str.translate`` table: an index written down (``W_{1,2,3}`` -> ``W₁,₂,₃``)."""

FROM_SUBSCRIPT = str.maketrans(SUBSCRIPT_DIGITS, "0123456789")
"""``str.translate`` table: subscript digits back to plain ones."""
