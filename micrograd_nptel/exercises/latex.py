"""Formulas as the library and the slides write them, read back: LaTeX and display forms turned into the answer
grammar of :mod:`~micrograd_nptel.exercises.formula` before it is read.

Everything an exercise shows, its question, its solution (``solution().formula`` and ``.formula_tex``), a notebook's
derivation or ``explain``, can be pasted back as an answer. :func:`normalize` rewrites, in this order:

* math delimiters ``$`` and spacing (``\\,`` ``\\;`` ``\\!`` ``\\quad``), ``\\left``/``\\right``/``\\big`` before a bracket;
* fonts and names: ``\\mathcal{L}`` -> ``L``, ``\\mathrm{diag}``/``\\operatorname{diag}`` -> ``diag``, ``\\hat{y}`` -> ``ŷ``,
  ``\\sigma`` -> ``σ``, ``\\eta`` -> ``η``, ``\\ell`` -> ``l``, ``\\nabla`` -> ``∇``, ``\\partial`` -> ``∂``,
  ``\\exp \\log \\sin \\cos \\tanh`` -> the functions;
* operators: ``\\odot``, ``\\times`` -> ``*``; ``\\cdot`` -> ``·`` (a product as juxtaposition reads it: the slides'
  ``∇_{a_k}L \\cdot h_{k-1}^T`` is the outer product); ``\\mathcal{L}(\\theta)`` and ``L(θ)`` -> ``L``;
  ``^\\top``, ``^{T}``, ``^{\\top}`` -> ``^T``; ``g^{\\prime}`` -> ``g'``;
* ``\\frac{\\partial L}{\\partial W_{1,1,1}}`` -> ``∂L/∂W_{1,1,1}`` (a gradient), any other ``\\frac{A}{B}`` -> ``((A)/(B))``,
  ``\\sqrt{A}`` -> ``sqrt(A)``;
* ``\\sum_{m=1}^{2} body`` -> ``(body[m=1] + body[m=2])`` (the body runs to the next ``+``, ``-`` or closing bracket at
  its level);
* ``\\begin{bmatrix} a & b \\\\ c & d \\end{bmatrix}`` -> ``[[a, b], [c, d]]``;
* superscript digits ``x²`` -> ``x^2``; a power of a function, ``\\tanh^2(z)`` or ``σ²(z)`` -> ``tanh(z)^2``;
* an entry of a bracketed vector, ``(W_3^T ∇_{a_3}L)_2`` -> ``(...)[2]`` (indices from 1).

A LaTeX command outside this list is an :class:`~micrograd_nptel.exercises.formula.AnswerError` naming it
("\\\\int is not read here"). Nothing is evaluated here: the result is read by
:func:`~micrograd_nptel.exercises.formula.read`, which also reads juxtaposition (``W_2 h_1``, ``σ(z)(1 - σ(z))``).

Source: the notation of CS7015 Lecture 4 (Modules 4.1-4.9), as the slides typeset it.
"""

from __future__ import annotations

import re

from ..notation import FROM_SUPERSCRIPT, SUPERSCRIPT_DIGITS, UNARY_OPS

__all__ = ["normalize"]

_DROP = ("left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr", "displaystyle")
_SPACES = {",", ";", ":", "!", " ", "quad", "qquad"}
_FONTS = ("mathcal", "mathrm", "operatorname", "text", "mathbf", "boldsymbol", "bm", "mathit", "mathsf", "textrm", "mathbb")
_OP_COMMANDS = {op.latex[1:]: name for name, op in UNARY_OPS.items() if op.latex and re.fullmatch(r"\\[A-Za-z]+", op.latex)}
"""The engine's ops whose name LaTeX typesets as a command (``\\exp``, ``\\log``, ``\\tanh``, ``\\sin``, ``\\cos``:
:data:`~micrograd_nptel.notation.UNARY_OPS`' ``latex``), by command: each is read as the function."""

_WORDS = {
    **_OP_COMMANDS,
    "sigma": UNARY_OPS["sigmoid"].glyph,
    "eta": "η",
    "ell": "l",
    "nabla": "∇",
    "partial": "∂",
    "odot": "*",
    "cdot": "·",
    "theta": "θ",
    "times": "*",
    "ast": "*",
    "ln": "log",
    "pi": "pi",
    "top": "T",
    "intercal": "T",
    "prime": "'",
    "diag": "diag",
}
_POWERED = "|".join([*_OP_COMMANDS.values(), "sigmoid", UNARY_OPS["sigmoid"].glyph, "g"])
"""The functions a slide writes with a power on the name (``\\tanh^2(z)``, ``σ²(z)``, ``g^2(a)``)."""
_FUNCTION_POWER = re.compile(rf"(?<![\w'])({_POWERED})\s*\^\s*(\{{\s*\d+\s*\}}|\d+)\s*\(")


_THETA = re.compile(r"(\\mathcal\s*\{\s*L\s*\}|(?<![A-Za-z0-9_\\])L)\s*\(\s*(?:\\theta|θ)\s*\)")
"""``L(θ)`` as the slides write the loss (``\\mathcal{L}(\\theta)``): read as L."""


class _Error(ValueError):
    pass


def normalize(text: str) -> str:
    """``text`` with the LaTeX and display forms the library writes rewritten in the answer grammar (see the module).

    Args:
        text: an answer as typed or pasted (at most :data:`~micrograd_nptel.exercises.formula.MAX_LENGTH` characters:
            the caller bounds it first).

    Returns:
        The text in the grammar of :mod:`~micrograd_nptel.exercises.formula`; plain text without any of these forms is
        returned unchanged.

    Raises:
        AnswerError: a LaTeX command that is not read (named), a ``\\frac`` or ``\\sum`` without its braces, or a
            ``\\begin`` of something other than a matrix.
    """
    from .formula import AnswerError

    try:
        text = _THETA.sub(r"\1", text)  # the slides' L(θ), \mathcal{L}(\theta): the loss, of every parameter θ
        out = _latex(text) if "\\" in text else text.replace("$", " ")
        out = re.sub(r"\^\s*\{\s*(T|⊤|\')\s*\}", lambda m: "'" if m.group(1) == "'" else "^T", out).replace("⊤", "T")
        out = re.sub(r"(?<=[\w)ᵀ])ŷ", " ŷ", out.replace("ℓ", "l"))  # ŷŷᵀ: two names
        out = _spaced_lists(out)
        out = _superscripts(out)
        out = _function_powers(out)
        return re.sub(r"([)\]])\s*_\s*(?:\{([^{}]*)\}|(\d+))", lambda m: f"{m.group(1)}[{m.group(2) or m.group(3)}]", out)
    except _Error as e:
        raise AnswerError(str(e)) from None


def _braced(text: str, start: int) -> tuple[str, int]:
    """The group ``{...}`` at ``start`` (blanks before it skipped), or one character: ``(content, end)``."""
    i = start
    while i < len(text) and text[i] == " ":
        i += 1
    if i >= len(text):
        raise _Error("a LaTeX command is missing its argument at the end of the answer")
    if text[i] != "{":
        if text[i] == "\\":  # \frac\partial L ... : a command as the argument
            m = re.match(r"\\[A-Za-z]+", text[i:])
            if m:
                return m.group(), i + m.end()
        return text[i], i + 1
    depth = 0
    for j in range(i, len(text)):
        depth += {"{": 1, "}": -1}.get(text[j], 0)
        if depth == 0:
            return text[i + 1 : j], j + 1
    raise _Error(f"the brace at position {i + 1} is never closed: add '}}'")


def _latex(text: str) -> str:
    text = text.replace("$", " ")
    text = re.sub(r"\\begin\{([pbBvV]?matrix|array)\}(?:\{[^{}]*\})?(.*?)\\end\{\1\}", _matrix, text, flags=re.S)
    if "\\begin" in text:
        raise _Error("\\begin{...} is read only for a matrix (bmatrix, pmatrix, matrix)")
    out: list[str] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        m = re.match(r"\\([A-Za-z]+|.)", text[i:], flags=re.S)
        if m is None:
            raise _Error("a lone \\ ends the answer: remove it")
        word, i = m.group(1), i + m.end()
        if word in _SPACES:
            out.append(" ")
        elif word in _DROP:
            continue
        elif word in _FONTS:
            body, i = _braced(text, i)
            out.append(_latex(body) if "\\" in body else body)
        elif word in ("hat", "widehat"):
            body, i = _braced(text, i)
            body = (_latex(body) if "\\" in body else body).strip()
            out.append(" ŷ" if body == "y" else f" {body}hat")
        elif word in ("frac", "dfrac", "tfrac"):
            top, i = _braced(text, i)
            bottom, i = _braced(text, i)
            out.append(_fraction(_latex(top) if "\\" in top else top, _latex(bottom) if "\\" in bottom else bottom))
        elif word == "sqrt":
            body, i = _braced(text, i)
            out.append(f"sqrt({_latex(body) if chr(92) in body else body})")
        elif word == "sum":
            rest, i = _sum(text, i)
            out.append(rest)
        elif word in _WORDS:
            out.append(f" {_WORDS[word]}" if _WORDS[word].isalpha() and len(_WORDS[word]) > 1 else _WORDS[word])
        elif word in ("{", "}"):
            out.append(word)
        else:
            raise _Error(
                f"\\{word} is not read here: write the answer with the names and functions of the grammar (help(micrograd_nptel.formula))"
            )
    joined = "".join(out)
    joined = re.sub(r"\^\s*\{\s*(T|')\s*\}", lambda m: "^T" if m.group(1) == "T" else "'", joined)
    joined = re.sub(r"\^\s*'", "'", joined)
    joined = re.sub(r"∇\s*_", "∇_", joined)
    joined = re.sub(r"(∇_\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\})\s+([A-Za-z])\b", r"\1\2", joined)  # ∇_{a_3} L -> ∇_{a_3}L
    return joined


def _fraction(top: str, bottom: str) -> str:
    """``∂L`` over ``∂W_{1,1,1}``: the gradient's name; anything else a bracketed division."""
    t, b = top.strip(), bottom.strip()
    m, n = re.fullmatch(r"(∂|d)\s*([A-Za-z]\w*)", t), re.fullmatch(r"(∂|d)\s*(\S.*)", b)
    if m and n and (m.group(1) == n.group(1)):
        return f" {m.group(1)}{m.group(2)}/{n.group(1)}{n.group(2).replace(' ', '')} "
    return f"(({t})/({b}))"


def _sum(text: str, i: int) -> tuple[str, int]:
    """``\\sum_{m=1}^{2} body``: the body written once for each m, added (``(body[1] + body[2])``)."""
    m = re.match(r"\s*_\s*\{\s*([A-Za-z])\s*=\s*(\d+)\s*\}\s*\^\s*(?:\{\s*(\d+)\s*\}|(\d))", text[i:])
    if not m:
        raise _Error("\\sum is read with its bounds written out: \\sum_{m=1}^{2} ...")
    var, low, high = m.group(1), int(m.group(2)), int(m.group(3) or m.group(4))
    if not 0 <= high - low < 100:
        raise _Error(f"\\sum from {low} to {high}: at most 100 terms are read")
    i += m.end()
    depth, j = 0, i
    while j < len(text):
        c = text[j]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            if depth == 0:
                break
            depth -= 1
        elif c in "+-=," and depth == 0 and text[i:j].strip():
            break
        j += 1
    body = text[i:j]
    body = _latex(body) if "\\" in body else body
    terms = [re.sub(rf"(?<![A-Za-z\\]){var}(?![A-Za-z])", str(v), body) for v in range(low, high + 1)]
    return "(" + " + ".join(t.strip() for t in terms) + ")", j


def _matrix(m: re.Match[str]) -> str:
    rows = [r for r in re.split(r"\\\\", m.group(2)) if r.strip()]
    cells = [[_latex(c).strip() if "\\" in c else c.strip() for c in r.split("&")] for r in rows]
    return "[" + ", ".join("[" + ", ".join(row) + "]" for row in cells) + "]"


def _spaced_lists(text: str) -> str:
    """``[0.75 -0.75]`` and ``[1 2; 3 4]`` (numbers separated by blanks, rows by ``;``, as in MATLAB) -> ``[0.75, -0.75]``
    and ``[[1, 2], [3, 4]]``: read as the list they are, not as 0.75 - 0.75."""
    number = r"[-+−]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"

    def fix(m: re.Match[str]) -> str:
        rows = [r.split() for r in m.group(1).split(";") if r.strip()]
        if len(rows) == 1:
            return "[" + ", ".join(rows[0]) + "]"
        return "[" + ", ".join("[" + ", ".join(r) + "]" for r in rows) + "]"

    # each number set off from the next by blanks or ";" (no two ways to split "123": a pasted numpy list is linear)
    spaced = rf"\[(\s*{number}(?:\s*;\s*{number}|\s+{number})*\s*;?\s*)\]"
    return re.sub(spaced, lambda m: fix(m) if re.search(rf"{number}\s+{number}|;", m.group(1)) else m.group(), text)


def _superscripts(text: str) -> str:
    """``x²`` -> ``x^2``, ``x¹²`` -> ``x^12`` (superscript digits after a name, a number or a bracket)."""
    if not re.search(f"[{SUPERSCRIPT_DIGITS}]", text):
        return text
    return re.sub(rf"(?<=[\w)\]}}'])([{SUPERSCRIPT_DIGITS}]+)", lambda m: "^" + m.group(1).translate(FROM_SUPERSCRIPT), text)


def _function_powers(text: str) -> str:
    """``tanh^2(z)`` -> ``tanh(z)^2``: a power written on the function, as the slides do, moved after its call."""
    while True:
        m = _FUNCTION_POWER.search(text)
        if not m:
            return text
        depth, j = 0, m.end() - 1
        while j < len(text):
            depth += {"(": 1, ")": -1}.get(text[j], 0)
            if depth == 0:
                break
            j += 1
        if depth:
            return text  # unclosed: read() names the bracket
        power = m.group(2).strip("{} ")
        text = f"{text[: m.start()]}{m.group(1)}{text[m.end() - 1 : j + 1]}^{power}{text[j + 1 :]}"
