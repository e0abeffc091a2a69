"""Formulas in the slide's notation, read safely and evaluated on numbers: the answer grammar of the exercises.

A student's answer to an exercise may be a formula written as the slides write it, e.g.
``"dL/da_{2,1} * h_{1,3}"``, ``"-(e(l) - yhat)"``, ``"W_3^T @ grad_a_3"``, ``"grad_h_2 * g'(a_2)"``.
The text is split into tokens, each name is resolved to a quantity of the exercise, and the
rest is parsed by Python's ``ast`` with a whitelist (as :mod:`~micrograd_nptel.expression` does):
nothing is ever run by ``eval``.

The grammar
-----------
Names (what an exercise gives; the list of an exercise says which):

* scalars: ``a_{k,i}``, ``h_{k,i}``, ``W_{k,i,j}``, ``b_{k,i}``, ``x_j``, ``ŷ_j`` (or ``yhat_j``,
  ``y_hat_j``), ``y_j``; the slide's short forms ``W_111``, ``h22``, ``a21`` (one digit per index);
  ``l``, the true class (counted from 1, as on the slides) and ``L`` (the number of layers) may
  stand for an index: ``yhat_l``, ``a_{L,l}``;
* vectors and matrices: ``a_k``, ``h_k`` (``h_0`` is ``x``), ``W_k`` (n_k x n_{k-1}), ``b_k``,
  ``x``, ``ŷ``/``yhat``, ``y`` (the true ``e(l)`` for a softmax output, the target for a linear one).
  Vectors are columns, as on the slides: ``h_1^T`` is a row, ``grad_a_2 @ h_1^T`` an outer product;
* gradients: ``dL/d<name>``, ``∂L/∂<name>``, ``∇_{<name>}L`` or ``grad_<name>`` (``grad_a_3`` is ∇_{a_3}L,
  ``dL/dW_{1,1,1}`` a number); ``W_{312}`` is W_{3,1,2}, the slides' form when every index is one digit;
  ``ŷ_l`` is entry l of each network's ŷ (its own true class);
* the exercise's own names where it has them (``x``, ``y1``/``y_1``, ``z``, ``f``, ``eta``/``η``), and
  ``dz/dy1``-style gradients with the exercise's output in place of ``L``;
* numbers, and ``[...]`` lists for a vector (a column) or ``[[...], [...]]`` for a matrix.

Operators: ``+ - * /`` (elementwise; ``⊙``, ``·`` and ``×`` are ``*``), ``^`` or ``**`` (power),
``@`` (matrix product), ``^T`` or ``ᵀ`` (transpose); ``( )`` or ``{ }`` group (``e^{sin(x^2)}``).
Constants: ``e`` (Euler's number, when not called as ``e(l)``) and ``pi``. A product may be written as the
slides write it, by juxtaposition: ``W_2 h_1`` is a matrix product where the shapes chain, ``σ(z)(1 - σ(z))``
and ``2x`` products of numbers. ``v[i]`` and ``(...)_i`` are entries (from 1); ``[f_1, f_2]`` a column of
formulas; LaTeX and superscripts are read too (:mod:`~micrograd_nptel.exercises.latex`).
A matrix a formula builds is bounded (:data:`MAX_ENTRIES`; ``e(i, n)`` up to
:data:`MAX_SIDE`) before it is built. Functions: ``exp``, ``log``, ``sqrt``, ``sin``,
``cos``, ``tanh``, ``sigmoid`` (``σ``, ``logistic``), ``g`` and ``g'`` (the network's activation and
its derivative, elementwise), ``e(l)`` (the one-hot vector of class l; ``e(i, n)`` of length n),
``diag(v)``, ``sum(v)``, ``abs`` (the engine's unary ops, :data:`~micrograd_nptel.notation.UNARY_OPS`, but relu,
which a formula writes as ``g`` of a relu network).
"""

from __future__ import annotations

import ast
import bisect
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from ..notation import ACTIVATION_FUNCTIONS, FROM_SUPERSCRIPT, SUPERSCRIPT_DIGITS, UNARY_OPS
from .latex import normalize

__all__ = [
    "FUNCTION_NAMES",
    "MAX_ENTRIES",
    "MAX_LENGTH",
    "MAX_SIDE",
    "AnswerError",
    "Array",
    "Context",
    "Formula",
    "ShapeMismatch",
    "as_array",
    "call_name",
    "canonical",
    "container",
    "display",
    "evaluate",
    "pretty",
    "pretty_tex",
    "read",
    "shape_text",
]

Array = NDArray[np.float64]
"""A float64 numpy array: a number (shape ``()``), a column vector (n x 1, as on the slides) or a matrix (n_k x n_{k-1})."""

MAX_LENGTH = 2000
"""The longest formula read, in characters."""


MAX_SIDE = 100
"""The longest vector ``e(i, n)`` builds (the exercises' vectors have at most 3 entries)."""

MAX_ENTRIES = 10_000
"""The most entries a matrix built by a formula (``@``, ``diag``) may have: it is validated before it costs memory."""


class AnswerError(ValueError):
    """An answer that cannot be read: the message says where and what was expected.

    Attributes:
        suggestion: an answer to write instead that the exercise reads (:mod:`~micrograd_nptel.exercises.suggest`),
            or None.
    """

    suggestion: str | None = None


@dataclass
class ShapeMismatch(Exception):
    """``@``, ``+``, ``-``, ``*`` or ``/`` between operands whose shapes do not fit (both are named)."""

    op: str
    left: str
    right: str
    left_shape: tuple[int, ...]
    right_shape: tuple[int, ...]
    transposed_fits: bool

    def __str__(self) -> str:
        def bracket(t: str) -> str:
            return f"({t})" if re.search(r"[-+*/@ ]", t) and not re.fullmatch(r"\(.*\)", t) else t

        op = "·" if self.op == "*" else self.op
        return (
            f"{bracket(self.left)} {op} {bracket(self.right)} does not fit: "
            f"{shape_text(self.left_shape)} {op} {shape_text(self.right_shape)}"
        )

    @property
    def outer(self) -> bool:
        """A column and a row joined elementwise (``∇ · h^T``): the outer product ``@`` was meant."""
        return self.op != "@" and len(self.left_shape) == 2 == len(self.right_shape) and self.left_shape[1] == 1 == self.right_shape[0]


def shape_text(shape: tuple[int, ...]) -> str:
    """``()`` -> ``"a number"``, ``(3, 1)`` -> ``"3 x 1"``."""
    return "a number" if shape == () else " x ".join(str(n) for n in shape)


@dataclass
class Context:
    """The numbers a formula is evaluated on.

    Attributes:
        values: every name by its canonical spelling (``"W_1"``, ``"W_1,1,1"``, ``"dL/da_3"``, ``"x"``):
            a 0-d array for a number, an (n, 1) array for a vector, (n, m) for a matrix.
        root: the output that gradients are of (``"L"``, or ``"z"``/``"f"`` in the toy examples).
        g: the activation that ``g``/``g'`` stand for (``"logistic"``, ``"tanh"``, ``"relu"`` or ``"linear"``).
        k: the length of ``e(l)`` (the number of classes); ``layers``: L, for ``L`` as an index.
        label: the true class l counted from 1 (None without one).
    """

    values: dict[str, Array]
    root: str = "L"
    g: str = "logistic"
    k: int = 0
    layers: int = 0
    label: int | None = None
    extra: dict[str, object] = field(default_factory=dict)


# ---------------------------------------------------------------------- names
_INDEXED = {"W": 3, "a": 2, "h": 2, "b": 2, "x": 1, "yhat": 1, "y": 1}
"""Names with indices, and how many a scalar of that name has (W_{k,i,j}: 3)."""

_GRAMMAR_OPS = tuple(name for name in UNARY_OPS if name != "relu")
"""The engine's unary ops a formula may call (:data:`~micrograd_nptel.notation.UNARY_OPS`): each but relu, which a formula
writes as ``g`` of a relu network (its derivative, a step, is ``g'``)."""

_FUNCTIONS = {
    **{name: name for name in _GRAMMAR_OPS},
    "ln": "log",
    "logistic": "sigmoid",
    UNARY_OPS["sigmoid"].glyph: "sigmoid",  # σ
    "g": "g",
    "g'": "gprime",
    "g′": "gprime",
    "e": "e",
    "diag": "diag",
    "sum": "sum",
    **{name: name for name in ("cosh", "sinh", "sech")},
}
_HYPERBOLIC: dict[str, Callable[[Array], Array]] = {"cosh": np.cosh, "sinh": np.sinh, "sech": lambda v: 1.0 / np.cosh(v)}
"""Functions a slide may write that are no op of the engine: tanh's derivative is sech²(z) = 1/cosh²(z) (Module 4.9)."""

FUNCTION_NAMES = (*_GRAMMAR_OPS, "g", "g'", "e", "diag", "sum", *_HYPERBOLIC)
"""The functions a formula may call."""


def call_name(text: str) -> str:
    """The grammar's own name of a function a formula may call, as an exercise's ``forbidden`` holds it: ``"g'"`` ->
    ``"gprime"``, ``"σ"`` and ``"logistic"`` -> ``"sigmoid"``, ``"exp"`` -> ``"exp"``.

    Raises:
        AnswerError: not one of :data:`FUNCTION_NAMES` (or their other spellings).
    """
    if text in _FUNCTIONS:
        return _FUNCTIONS[text]
    if text in _FUNCTIONS.values():
        return text
    raise AnswerError(f"{text!r} is not a function of the grammar; the functions are {', '.join(FUNCTION_NAMES)}")


TOKEN = re.compile(
    r"""(?P<space>\s+)
      |(?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
      |(?P<name>∇_\{(?:[^{}]|\{[^{}]*\})*\}[A-Za-z]?
              |(?:(?:d|∂)[A-Za-z]\w*/(?:d|∂)|grad_|∇_?)?[^\W\d]\w*(?:\{[^{}]*\}\w*)?['′]?)
      |(?P<op>\^T\b|ᵀ|\*\*|[-+*/@^(),\[\]{}⊙·×−])""",
    re.VERBOSE,
)
"""The tokens of the answer grammar: blanks, numbers, names (with ∇_{...}, d.../d..., grad_ forms), operators."""
_OPS = {"^T": ".T", "ᵀ": ".T", "^": "**", "⊙": "*", "·": "%", "×": "*", "−": "-", "{": "(", "}": ")"}
"""Operators as Python writes them; ``·`` is read as juxtaposition is (``%``): the slides write ∇_{a_k}L · h_{k-1}^T
for the outer product and σ(z) · (1 - σ(z)) for a product of numbers."""
_CONSTANTS = {"e": repr(math.e), "pi": repr(math.pi), "π": repr(math.pi)}
"""``e`` (when not called as ``e(l)``), ``pi``: numbers, so ``e^{sin(x^2)}`` reads as the slide writes it."""


def canonical(token: str, ctx: Context) -> str:
    """A name as typed -> its spelling in ``ctx.values``: ``W_{1,1,1}``/``W_111`` -> ``W_1,1,1``, ``grad_a_3`` -> ``dL/da_3``.

    Raises:
        AnswerError: a name whose indices cannot be read (``W_12``: W takes one index or three).
    """
    prefix = ""
    nabla = re.fullmatch(r"∇_\{(.*)\}([A-Za-z]?)", token)
    if nabla:  # the slides' ∇_{W_1}L: the body in braces, the output after them
        root = nabla.group(2) or ctx.root
        if root != ctx.root:
            raise AnswerError(f"{token!r}: this exercise takes gradients of {ctx.root}, so write ∇_{{...}}{ctx.root}")
        token = "grad_" + nabla.group(1).strip()
    m = re.match(r"(?:d|∂)([A-Za-z]\w*)/(?:d|∂)|grad_|∇_?", token)
    if m:
        root = m.group(1) or ctx.root
        if root != ctx.root:
            raise AnswerError(f"{token!r}: this exercise takes gradients of {ctx.root}, so write d{ctx.root}/d...")
        prefix, token = f"d{ctx.root}/d", token[m.end() :]
    token = token.replace("ŷ", "yhat").replace("y_hat", "yhat").replace("η", "eta")
    m = re.fullmatch(r"(yhat|W|a|h|b|x|y)_?(?:\{([^{}]*)\}|([0-9lL]+))?", token)
    if not m or (m.group(2) is None and m.group(3) is None):
        return prefix + ("x" if token == "h_0" else token)
    base, braced, digits = m.groups()
    if braced is not None:
        indices = [s.strip() for s in braced.split(",")]
        if len(indices) == 1 and re.fullmatch(r"[0-9]{2,3}", indices[0]) and len(indices[0]) == _INDEXED[base] > 1:
            indices = list(indices[0])  # W_{312}: the slides' form when every index is one digit
    elif base in ("x", "yhat", "y") or len(digits) == 1:
        indices = [digits]
    else:
        indices = list(digits)
    out: list[str] = []
    for n, s in enumerate(indices):
        if s == "l" and n == len(indices) - 1:
            if f"{prefix}{base}_{','.join([*out, 'l'])}" in ctx.values:  # ŷ_l: the true class of each network, not this one's
                out.append("l")
                continue
        if s == "l" and ctx.label is not None:
            s = str(ctx.label)
        elif s == "L" and ctx.layers:
            s = str(ctx.layers)
        if not re.fullmatch(r"[0-9]+", s):
            raise AnswerError(f"{token!r}: an index must be a number (or l, the true class, or L, the last layer), got {s!r}")
        out.append(str(int(s)))
    if base in ("W", "a", "h", "b") and len(out) not in (1, _INDEXED[base]):
        raise AnswerError(
            f"{token!r}: {base} takes one index (the layer: {base}_k) or {_INDEXED[base]} "
            f"({base}_{{k,i{',j' if base == 'W' else ''}}}), got {len(out)}"
        )
    if base == "h" and out[0] == "0":
        return prefix + ("x" if len(out) == 1 else f"x_{out[1]}")
    return prefix + f"{base}_{','.join(out)}"


def pretty(name: str) -> str:
    """A canonical name as the slide writes it in text: ``dL/dW_1,1,1`` -> ``∂L/∂W_{1,1,1}``, ``dL/da_3`` -> ``∇_{a_3}L``."""
    grad = re.match(r"d(\w+)/d", name)
    body = name[grad.end() :] if grad else name
    m = re.fullmatch(r"(yhat|W|a|h|b|x|y)_([\d,l]+)", body)
    if m:
        idx = m.group(2)
        body = f"{m.group(1)}_{{{idx}}}" if "," in idx else f"{m.group(1)}_{idx}"
    body = body.replace("yhat", "ŷ").replace("eta", "η")
    if not grad:
        return body
    vector = re.fullmatch(r"[Wabh]_\d+|ŷ", body)  # a whole vector or matrix: ∇ as on the slides
    return f"∇_{{{body}}}{grad.group(1)}" if vector else f"∂{grad.group(1)}/∂{body}"


def pretty_tex(name: str) -> str:
    """A canonical name in LaTeX: ``dL/da_3`` -> ``\\nabla_{a_3}\\mathcal{L}``,
    ``dL/dW_1,1,1`` -> ``\\frac{\\partial \\mathcal{L}}{\\partial W_{1,1,1}}``."""
    text = pretty(name)

    def sym(s: str) -> str:
        s = s.replace("ŷ", r"\hat{y}").replace("η", r"\eta")
        return r"\mathcal{L}" if s == "L" else s

    m = re.fullmatch(r"∇_\{(.*)\}(\w+)", text)
    if m:
        return rf"\nabla_{{{sym(m.group(1))}}}{sym(m.group(2))}"
    m = re.fullmatch(r"∂(\w+)/∂(.*)", text)
    if m:
        return rf"\frac{{\partial {sym(m.group(1))}}}{{\partial {sym(m.group(2))}}}"
    return sym(text)


def container(name: str) -> str:
    """The vector or matrix a scalar belongs to: ``W_1,2,3`` -> ``W_1``, ``x_2`` -> ``x``, ``dL/da_3,1`` -> ``dL/da_3``."""
    m = re.fullmatch(r"((?:d\w+/d)?)(W|a|h|b)_(\d+),[\d,l]+", name)
    if m:
        return f"{m.group(1)}{m.group(2)}_{m.group(3)}"
    m = re.fullmatch(r"((?:d\w+/d)?)(x|yhat|y)_(?:\d+|l)", name)
    return f"{m.group(1)}{m.group(2)}" if m else name


def display(text: str, ctx: Context) -> str:
    """A formula as the slide writes it: ``"grad_a_2 @ h_1^T"`` -> ``"∇_{a_2}L h_1ᵀ"``,
    ``"dL/da_{2,2} * h_{1,3}"`` -> ``"∂L/∂a_{2,2}·h_{1,3}"``."""
    out, pos = [], 0
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m:
            return text
        tok = m.group()
        if m.lastgroup == "name" and tok not in _FUNCTIONS:
            try:
                name = canonical(tok, ctx)
                tok = pretty(name) if name in ctx.values else tok
            except AnswerError:
                pass
        elif m.lastgroup == "op":
            tok = {"@": "", "^T": "ᵀ", "*": "·", "**": "^"}.get(tok, tok)
        out.append(tok)
        pos = m.end()
    return re.sub(r"\s*·\s*", "·", re.sub(r"\s{2,}", " ", "".join(out))).strip()


# ---------------------------------------------------------------------- reading
@dataclass
class Formula:
    """A formula read from text: its tree (names replaced by ``_n0``, ``_n1``, ...), the names it uses, the text."""

    text: str
    tree: ast.Expression
    names: list[str]
    functions: set[str]

    @property
    def is_number(self) -> bool:
        """True when the formula has no name: numbers, lists of numbers and functions of them (``sigmoid(0.5)``), one
        number to check on the question's numbers only."""
        return not self.names


def read(text: str, ctx: Context, refuse: Mapping[str, str] | None = None) -> Formula:
    """Tokenize ``text``, resolve every name against ``ctx``, and parse it with ``ast``.

    Args:
        text: the formula as typed (at most :data:`MAX_LENGTH` characters).
        ctx: the numbers; a name must be one of ``ctx.values``.
        refuse: canonical names a formula may not use, each with the reason (e.g. the quantity asked for);
            an entry of a refused vector or matrix is refused too.

    Raises:
        AnswerError: an unknown character or name, a refused name, a superscript, a product that is not
            written (``W_2 h_1``: "write W_2 @ h_1"), or a syntax error (with the position, counted from 1).
    """
    if len(text) > MAX_LENGTH:
        raise AnswerError(f"the answer is {len(text)} characters long; at most {MAX_LENGTH} are read")
    original = text
    text = normalize(text).replace("ᵀ", "^T")  # ᵀ is a letter to the regex: spell it as the operator it is
    if not text.strip():
        raise AnswerError("the answer is empty: write a number, a list, or a formula such as dL/da_{2,1} * h_{1,3}")
    _check_braces(text)
    refuse = refuse or {}
    out: list[str] = []
    starts: list[int] = []  # where each piece of `out` starts in the translated text ...
    origins: list[int] = []  # ... and in the original
    names: list[str] = []
    functions: set[str] = set()
    pos, length = 0, 0
    last = ""  # the previous token: "value" (a name, ")", "]", ^T), "number", "call" (a function's name), or "" (an operator)
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m:
            raise AnswerError(_where(text, pos, f"cannot read {text[pos]!r}"))
        kind, tok = m.lastgroup, m.group()
        piece, now = tok, last
        if kind == "space":
            if not out:  # leading blanks (a formula starting with "-" on the command line)
                pos = m.end()
                continue
        else:
            if last in ("value", "number") and (kind in ("name", "number") or tok in ("(", "{")):
                if last == "number" and kind == "number":
                    raise AnswerError(_where(text, pos, "two numbers in a row: write an operator between them (+ - * / @)"))
                starts.append(length)  # juxtaposition, as the slides write a product: W_2 h_1, σ(z)(1 - σ(z)), 2x
                origins.append(pos)
                out.append(" % ")
                length += 3
            if kind == "name":
                piece, now = _name(text, m, ctx, refuse, names, functions)
            else:
                if kind == "number" and math.isinf(float(tok)):
                    raise AnswerError(_where(text, pos, f"the number {tok} is too large for a float (the largest is about 1.8e308)"))
                piece = _OPS.get(tok, tok) if kind == "op" else tok
                now = "number" if kind == "number" else "value" if tok in (")", "}", "]", "^T", "ᵀ") else ""
        last = now
        starts.append(length)
        origins.append(pos)
        out.append(piece)
        length += len(piece)
        pos = m.end()
    return Formula(original, _parse("".join(out), text, starts, origins), names, functions)


def _check_braces(text: str) -> None:
    """An unmatched ``{`` or ``(`` (``h_{1,3``), or a closing one with none open, named at its place."""
    pairs = {")": "(", "}": "{", "]": "["}
    stack: list[tuple[str, int]] = []
    for pos, c in enumerate(text):
        if c in "({[":
            stack.append((c, pos))
        elif c in pairs:
            if not stack or stack[-1][0] != pairs[c]:
                raise AnswerError(_where(text, pos, f"{c!r} closes nothing that is open"))
            stack.pop()
    if stack:
        c, pos = stack[-1]
        closing = {v: k for k, v in pairs.items()}[c]
        raise AnswerError(_where(text, pos, f"{c!r} is never closed: add {closing!r}"))


def _name(text: str, m: re.Match[str], ctx: Context, refuse: Mapping[str, str], names: list[str], functions: set[str]) -> tuple[str, str]:
    """A name token -> ``(its piece of Python, "value" or "call")``: a function, a constant,
    or a quantity of ``ctx`` (added to ``names``); superscripts, primes, NaN and refused names are errors."""
    tok, pos = m.group(), m.start()
    following = text[m.end() :].lstrip()[:1]
    sup = re.search(f"[{_SUPERSCRIPTS}]", tok)
    if sup:
        plain = tok[: sup.start()]
        power = tok[sup.start() :].translate(FROM_SUPERSCRIPT)
        hint = f"write {plain}^{power}, not {tok}" if plain and power.isdigit() else "write indices and powers with 0-9"
        raise AnswerError(_where(text, pos, f"{tok!r}: {hint} (superscripts and circled digits are not read)"))
    if tok in _FUNCTIONS and following == "(" and f"d{ctx.root}/d{tok}" not in ctx.values:
        functions.add(_FUNCTIONS[tok])
        return "_f_" + _FUNCTIONS[tok], "call"
    if tok.rstrip("'′") != tok:
        raise AnswerError(_where(text, pos, f"{tok!r}: only g' may carry a prime (the derivative of the activation g)"))
    if tok in _CONSTANTS and tok not in ctx.values:
        return _CONSTANTS[tok], "number"
    if tok.lower() in ("nan", "inf", "infinity"):
        raise AnswerError(_where(text, pos, f"{tok} is not an answer: an answer must be finite numbers"))
    try:
        name = canonical(tok, ctx)
    except AnswerError as e:
        raise AnswerError(_where(text, pos, str(e))) from None
    reason = refuse.get(name, refuse.get(container(name)))
    if reason is not None:
        raise AnswerError(_where(text, pos, f"{tok!r} is {pretty(name)}: {reason}"))
    if name not in ctx.values:
        if tok in _FUNCTIONS:
            raise AnswerError(_where(text, pos, f"{tok} is a function: write {tok}(...) with its argument in brackets"))
        raise AnswerError(_where(text, pos, f"{tok!r} is not a name in this exercise"))
    if name not in names:
        names.append(name)
    return f"_n{names.index(name)}", "value"


def _parse(translated: str, text: str, starts: list[int], origins: list[int]) -> ast.Expression:
    """The translated text parsed by ``ast``; a syntax error at its place in the original ``text``."""
    try:
        source = translated.strip()
        return _juxtaposition_first(ast.parse(source, mode="eval"), source)
    except SyntaxError as e:
        at = max((e.offset or 1) - 1, 0)
        i = max(bisect.bisect_right(starts, at) - 1, 0)
        where = origins[i] if i < len(origins) else len(text)
        raise AnswerError(_where(text, where, f"cannot read the formula ({e.msg})")) from None
    except RecursionError:
        raise AnswerError("the formula is nested too deeply to read") from None


def _juxtaposition_first(tree: ast.Expression, source: str) -> ast.Expression:
    """A product written by juxtaposition binds tighter than ``*``, ``/``, ``@`` and ``⊙``, as on the slides:
    ``∇_{h_2}L ⊙ g(a_2)(1 - g(a_2))`` is ∇ ⊙ (g (1 - g)), and ``g'(a_2) ⊙ W_3ᵀ ∇_{a_3}L`` is g' ⊙ (W_3ᵀ ∇). Python
    reads the ``%`` that :func:`read` writes for it at the level of ``*``, left to right; this moves it inside, unless
    the product before it was bracketed in ``source`` (``(1/y_1)(2x)`` stays (1/y_1)·(2x))."""

    def bracketed(node: ast.expr) -> bool:
        start, end = node.col_offset, node.end_col_offset
        if end is None:
            return False
        before, after = source[:start].rstrip(), source[end:].lstrip()
        return before.endswith("(") and after.startswith(")")

    class Tighter(ast.NodeTransformer):
        def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
            self.generic_visit(node)
            left = node.left
            products = (ast.Mult, ast.Div, ast.MatMult)
            if isinstance(node.op, ast.Mod) and isinstance(left, ast.BinOp) and isinstance(left.op, products) and not bracketed(left):
                inner = ast.BinOp(left=left.right, op=ast.Mod(), right=node.right)
                ast.copy_location(inner, left.right)
                inner.end_col_offset = node.end_col_offset
                moved = self.visit_BinOp(inner)
                assert isinstance(moved, ast.expr)
                out = ast.BinOp(left=left.left, op=left.op, right=moved)
                return ast.copy_location(out, node)
            return node

    out = Tighter().visit(tree)
    assert isinstance(out, ast.Expression)
    return out


_SUPERSCRIPTS = SUPERSCRIPT_DIGITS + "①②③④⑤⑥⑦⑧⑨"


def _where(text: str, pos: int, message: str) -> str:
    """One line: the message, the position (from 1) and the text with ▶ where reading stopped."""
    return f"{message} at position {pos + 1}: {text[:pos]}▶{text[pos:]}"


# ---------------------------------------------------------------------- evaluating
def evaluate(formula: Formula, ctx: Context, forbidden: frozenset[str] = frozenset()) -> Array:
    """The formula's value on ``ctx``'s numbers: a 0-d array, or a 2-D one (vectors are columns).

    Raises:
        AnswerError: a construct outside the whitelist, a ragged list, NaN or inf written in the answer,
            a function in ``forbidden`` (e.g. g' when the exercise asks for g'), or a bad call.
        ShapeMismatch: an operation between shapes that do not fit.
        FloatingPointError: the value is not a finite number (log of a negative, division by zero, overflow).
    """
    with np.errstate(all="raise"):
        try:
            return _eval(formula.tree.body, formula, ctx, forbidden)
        except RecursionError:
            raise AnswerError("the formula is nested too deeply to evaluate") from None


def unparse(node: ast.AST, formula: Formula) -> str:
    """The formula text of a node of ``formula``'s tree, in the names and functions the student wrote (``W_3^T``)."""
    text = ast.unparse(node)
    text = re.sub(r"_n(\d+)", lambda m: pretty(formula.names[int(m.group(1))]), text)
    text = re.sub(r"_f_(\w+)", lambda m: "g'" if m.group(1) == "gprime" else m.group(1), text)
    return text.replace(".T", "^T").replace(" % ", " ").replace("**", "^")


def _scalar_like(v: Array) -> bool:
    return v.size == 1


def _eval(node: ast.AST, f: Formula, ctx: Context, forbidden: frozenset[str]) -> Array:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        try:
            number = float(node.value)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            raise AnswerError(f"the number {str(node.value)[:20]} in the answer is too large for a float")
        return np.array(number)
    if isinstance(node, ast.Name) and node.id.startswith("_n"):
        return ctx.values[f.names[int(node.id[2:])]]
    if isinstance(node, ast.Name):
        raise AnswerError(f"{node.id!r} is a function: call it, e.g. {node.id.removeprefix('_f_')}(...)")
    if isinstance(node, ast.Attribute) and node.attr == "T":
        if isinstance(node.value, ast.List) and not any(isinstance(e, (ast.List, ast.Tuple)) for e in node.value.elts):
            return _eval(node.value, f, ctx, forbidden)  # [a, b]ᵀ: a column, as the library prints one
        v = _eval(node.value, f, ctx, forbidden)
        return v.T if v.ndim == 2 else v
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        v = _eval(node.operand, f, ctx, forbidden)
        return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.Subscript):
        return _entry(node, f, ctx, forbidden)
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _eval(node.left, f, ctx, forbidden), _eval(node.right, f, ctx, forbidden)
        op = _BINARY[type(node.op)]
        if op == " ":  # juxtaposition: a matrix product where the shapes chain (W_2 h_1, ∇a h^T), else elementwise
            right = _one_hot_for(node.right, left, right, ctx)
            chains = left.ndim == 2 and right.ndim == 2 and left.shape[1] == right.shape[0]
            op = "@" if chains and not _scalar_like(left) and not _scalar_like(right) else "*"
        if op == "@":
            right = _one_hot_for(node.right, left, right, ctx)
            if left.ndim != 2 or right.ndim != 2 or left.shape[1] != right.shape[0]:
                fits = left.ndim == 2 and right.ndim == 2 and (left.shape[0] == right.shape[0] or left.shape[1] == right.shape[1])
                raise ShapeMismatch("@", unparse(node.left, f), unparse(node.right, f), left.shape, right.shape, fits)
            _bound(left.shape[0] * right.shape[1], lambda: unparse(node, f))
            result: Array = left @ right
            return result
        if left.shape != right.shape and not _scalar_like(left) and not _scalar_like(right):
            raise ShapeMismatch(op, unparse(node.left, f), unparse(node.right, f), left.shape, right.shape, left.shape == right.shape[::-1])
        if _scalar_like(left) and not _scalar_like(right):
            left = left.reshape(())
        if _scalar_like(right) and not _scalar_like(left):
            right = right.reshape(())
        if op == "^" and _scalar_like(left) and left.item() < 0 and not np.all(np.mod(right, 1) == 0):
            raise FloatingPointError(f"{unparse(node, f)}: a negative number to a fractional power")
        out: Array = _ELEMENTWISE[op](left, right)
        return out
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id.startswith("_f_") and not node.keywords:
        name = node.func.id[3:]
        shown = "g'" if name == "gprime" else name
        if name in forbidden:
            raise AnswerError(f"{shown}(...) is what this exercise asks you to derive: write it with other functions")
        args = [_eval(a, f, ctx, forbidden) for a in node.args]
        return _call(name, shown, args, ctx)
    if isinstance(node, (ast.List, ast.Tuple)):
        if all(_is_literal(e) for e in node.elts):
            return _literal(node)
        return _list(node, f, ctx, forbidden)
    raise AnswerError(
        f"{unparse(node, f)!r} is not part of the grammar: use names, numbers, + - * / ^ @ ^T and {', '.join(FUNCTION_NAMES)}"
    )


_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "^", ast.MatMult: "@", ast.Mod: " "}
"""The operators of the grammar; ``%`` is what :func:`read` writes for a juxtaposition (a student cannot type it)."""

_ELEMENTWISE = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide, "^": np.power}
"""The entry-by-entry operators, as numpy's functions (a number with an array: the number with every entry)."""


def _one_hot_for(node: ast.AST, left: Array, right: Array, ctx: Context) -> Array:
    """``e(i)`` after a matrix of n columns is the one-hot vector of length n (``diag(g'(a_1)) e(1)`` on the slides),
    whatever the number of classes; any other right operand is returned as it is."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "_f_e"
        and len(node.args) == 1
        and left.ndim == 2
        and right.ndim == 2
        and left.shape[1] != right.shape[0]
        and 1 <= left.shape[1] <= MAX_SIDE
    ):
        i = int(np.argmax(right[:, 0])) + 1
        if i <= left.shape[1]:
            out = np.zeros((left.shape[1], 1))
            out[i - 1, 0] = 1.0
            return out
    return right


def _entry(node: ast.Subscript, f: Formula, ctx: Context, forbidden: frozenset[str]) -> Array:
    """``v[i]`` or ``M[i, j]`` (also ``(...)_i``): an entry counted from 1, as on the slides."""
    v = _eval(node.value, f, ctx, forbidden)
    index = node.slice
    parts = index.elts if isinstance(index, ast.Tuple) else [index]
    numbers = []
    for p in parts:
        if not (isinstance(p, ast.Constant) and isinstance(p.value, int) and not isinstance(p.value, bool)):
            raise AnswerError(f"an entry's index is a whole number counted from 1, got {ast.unparse(p)!r} in {unparse(node, f)!r}")
        numbers.append(p.value)
    what = unparse(node.value, f)
    if v.ndim == 2 and 1 in v.shape and len(numbers) == 1:
        (i,) = numbers
        n = v.size
        if not 1 <= i <= n:
            raise AnswerError(f"{what} has {n} entries (counted from 1): there is no entry {i}")
        return np.array(v.reshape(-1)[i - 1])
    if v.ndim == 2 and len(numbers) == 2:
        i, j = numbers
        if not (1 <= i <= v.shape[0] and 1 <= j <= v.shape[1]):
            raise AnswerError(f"{what} is {shape_text(v.shape)} (counted from 1): there is no entry ({i}, {j})")
        return np.array(v[i - 1, j - 1])
    kind = "a number" if v.ndim == 0 else f"{shape_text(v.shape)}"
    want = "two indices (i, j)" if v.ndim == 2 else "no index"
    raise AnswerError(f"{what} is {kind}: an entry of it takes {want}, got {len(numbers)}")


def _is_literal(n: ast.AST) -> bool:
    if isinstance(n, (ast.List, ast.Tuple)):
        return all(_is_literal(e) for e in n.elts)
    if isinstance(n, ast.UnaryOp) and isinstance(n.op, (ast.USub, ast.UAdd)):
        return _is_literal(n.operand)
    return isinstance(n, ast.Constant)


def _list(node: ast.List | ast.Tuple, f: Formula, ctx: Context, forbidden: frozenset[str]) -> Array:
    """``[dL/da_{2,1}, dL/da_{2,2}]``: a column of formulas, each a number; ``[[...], [...]]`` a matrix of them."""

    def walk(n: ast.AST) -> object:
        if isinstance(n, (ast.List, ast.Tuple)):
            return [walk(e) for e in n.elts]
        v = _eval(n, f, ctx, forbidden)
        if v.size != 1:
            raise AnswerError(f"each entry of a list is a number; {unparse(n, f)} is {shape_text(v.shape)}")
        return float(v.reshape(()))

    return as_array(walk(node))


def _bound(entries: int, what: Callable[[], str]) -> None:
    """Refuse a matrix of more than :data:`MAX_ENTRIES` entries; ``what`` names it, and is called only then (a formula
    of many products does not pay for the text of each)."""
    if entries > MAX_ENTRIES:
        raise AnswerError(f"{what()[:60]} would have {entries} entries; a formula may build at most {MAX_ENTRIES}")


def _call(name: str, shown: str, args: list[Array], ctx: Context) -> Array:
    if name == "e":
        if len(args) not in (1, 2) or any(not _scalar_like(a) for a in args):
            raise AnswerError("e(l) takes a class (counted from 1), or e(i, n) an index and a length")
        n = ctx.k if len(args) == 1 else float(args[1])
        i = float(args[0])
        shown_args = f"e({i:g}{'' if len(args) == 1 else f', {n:g}'})"
        if not (float(n).is_integer() and n >= 1):
            raise AnswerError(f"{shown_args}: the length n of e(i, n) must be a whole number of at least 1, got {n:g}")
        if not (i.is_integer() and 1 <= i <= n):
            raise AnswerError(f"{shown_args}: the index must be a whole number from 1 to {n:g}")
        if n > MAX_SIDE:
            raise AnswerError(f"e({i:g}, {n:g}): a vector of at most {MAX_SIDE} entries, got {n:g}")
        out = np.zeros((int(n), 1))
        out[int(i) - 1, 0] = 1.0
        return out
    if len(args) != 1:
        raise AnswerError(f"{shown}() takes exactly one argument, got {len(args)}")
    (v,) = args
    if name == "diag":
        if v.ndim != 2 or v.shape[1] != 1:
            raise AnswerError(f"diag(v) takes a vector (a column), got {shape_text(v.shape)}")
        _bound(v.size * v.size, lambda: f"diag of {v.size} entries")
        return np.diag(v[:, 0])
    if name == "sum":
        return np.array(v.sum())
    if name == "g":
        return ACTIVATION_FUNCTIONS[ctx.g].g(v)
    if name == "gprime":
        return ACTIVATION_FUNCTIONS[ctx.g].g_prime(v, None)
    if name in _HYPERBOLIC:
        return _HYPERBOLIC[name](v)
    return UNARY_OPS[name].numpy(v)


def _literal(node: ast.List | ast.Tuple) -> Array:
    def walk(n: ast.AST) -> object:
        if isinstance(n, (ast.List, ast.Tuple)):
            return [walk(e) for e in n.elts]
        if isinstance(n, ast.UnaryOp) and isinstance(n.op, (ast.USub, ast.UAdd)):
            v = walk(n.operand)
            if isinstance(v, float):
                return -v if isinstance(n.op, ast.USub) else v
        if isinstance(n, ast.Constant) and isinstance(n.value, (int, float)) and not isinstance(n.value, bool):
            try:
                return float(n.value)
            except OverflowError:
                raise AnswerError(f"the number {str(n.value)[:20]}... in the answer is too large for a float") from None
        raise AnswerError(f"a list in an answer holds numbers only, got {ast.unparse(n)!r}")

    return as_array(walk(node))


def as_array(value: object) -> Array:
    """A number, a list (a vector, read as a column) or a nested list / array (a matrix) -> a 0-d or 2-D array.

    Raises:
        AnswerError: a ragged list, something that is not a number, NaN or inf, or more than 2 dimensions.
    """
    if isinstance(value, (bool, np.bool_)):
        raise AnswerError(f"{value!r} is a truth value, not a number")
    if isinstance(value, (list, tuple)):
        lengths = {len(v) if isinstance(v, (list, tuple, np.ndarray)) else -1 for v in value}
        if len(lengths) > 1:
            sizes = [len(v) if isinstance(v, (list, tuple, np.ndarray)) else "a number" for v in value]
            raise AnswerError(f"the rows of a matrix need the same length; got rows of {sizes}")
    try:
        arr = np.array(value, dtype=float)
    except (ValueError, TypeError):
        raise AnswerError(f"expected numbers, got {str(value)[:60]!r} ({type(value).__name__})") from None
    if arr.ndim > 2:
        raise AnswerError(f"an answer is a number, a vector or a matrix; got {arr.ndim} dimensions")
    if arr.size == 0:
        raise AnswerError("the answer is an empty list")
    if not np.isfinite(arr).all():
        raise AnswerError(f"the answer holds {'NaN' if np.isnan(arr).any() else 'inf'}: an answer must be finite numbers")
    return arr.reshape(-1, 1) if arr.ndim == 1 else arr
