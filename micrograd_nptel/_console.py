"""Output that never fails on the console's encoding: the command line's fallback for a console that is not UTF-8.

A Windows console whose output is redirected (``micrograd-nptel explain W_111 > out.txt``) writes in the locale's code
page, cp1252 in Western Europe, which has no ``∂``, ``∇`` or ``ŷ``. :func:`make_console_safe` (called once by the
``micrograd-nptel`` entry point, never on import) makes ``sys.stdout`` and ``sys.stderr`` write what the encoding
cannot hold in the ASCII notation the answers are typed in (``∂L/∂W_{1,1,1}`` as ``dL/dW_{1,1,1}``, ``∇_{a_2}L`` as
``grad_a_2``, ``ŷ`` as ``yhat``, ``η`` as ``eta``, ``h₁`` as ``h_1``, ``x²`` as ``x^2``) and anything else as a
``\\uXXXX`` escape, instead of stopping with ``UnicodeEncodeError``.
"""

from __future__ import annotations

import codecs
import re
import sys

from .notation import SUBSCRIPT_DIGITS, SUPERSCRIPT_DIGITS

ERRORS = "micrograd_nptel.ascii"
"""The name of the codec error handler :func:`make_console_safe` registers and sets on the console's streams."""

_WORDS = {
    "∂": "d",
    "ŷ": "yhat",
    "ŵ": "w^",
    "η": "eta",
    "ε": "eps",
    "β": "beta",
    "γ": "gamma",
    "θ": "theta",
    "λ": "lambda",
    "σ": "sigma",
    "π": "pi",
    "Σ": "sum",
    "ℓ": "l",
    "·": "*",
    "⊙": "*",
    "×": "x",
    "÷": "/",
    "√": "sqrt",
    "≠": "!=",
    "≥": ">=",
    "≤": "<=",
    "≈": "~",
    "∝": "~",
    "∈": "in",
    "±": "+/-",
    "−": "-",
    "—": "--",
    "–": "-",
    "…": "...",
    "‖": "||",
    "′": "'",
    "→": "->",
    "←": "<-",
    "▶": ">>",
    "ᵀ": "^T",
    "\u0302": "^",  # a combining circumflex: x̂ as x^
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
}
_SUPERSCRIPTS = dict(zip(SUPERSCRIPT_DIGITS + "⁻⁺ˣʸ", "0123456789-+xy"))  # ᵀ is a word above: ^T
_SUBSCRIPTS = dict(zip(SUBSCRIPT_DIGITS, "0123456789"))
_CIRCLED = {chr(0x2460 + k): f"({k + 1})" for k in range(20)}  # ① ... ⑳
_GRADIENT = re.compile(r"∇_\{([^{}]*)\}L|∇_([^\s{}]+?)L\b")  # ∇_{a_2}L, ∇_aL


def ascii_notation(text: str) -> str:
    """``text`` with the lecture's symbols in the ASCII notation answers are typed in, other non-ASCII as ``\\uXXXX``.

    >>> ascii_notation("∂L/∂W_{1,1,1} = ∇_{a_2}L ⊙ g'(a₂)ᵀ, ŷ² (η = 0.1)")
    "dL/dW_{1,1,1} = grad_a_2 * g'(a_2)^T, yhat^2 (eta = 0.1)"
    """
    text = _GRADIENT.sub(lambda m: "grad_" + (m.group(1) if m.group(1) is not None else m.group(2)), text)
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isascii():
            out.append(ch)
        elif ch in _SUPERSCRIPTS or ch in _SUBSCRIPTS:
            table, mark = (_SUPERSCRIPTS, "^") if ch in _SUPERSCRIPTS else (_SUBSCRIPTS, "_")
            j = i
            while j < len(text) and text[j] in table:
                j += 1
            run = "".join(table[c] for c in text[i:j])
            out.append(mark + (run if len(run) == 1 else "{" + run + "}"))
            i = j
            continue
        elif ch in _WORDS:
            out.append(_WORDS[ch])
        elif ch in _CIRCLED:
            out.append(_CIRCLED[ch])
        elif ch == "∇":  # ∇_ŷ L as grad_yhat L, a bare ∇ as grad_
            out.append("grad" if text[i + 1 : i + 2] == "_" else "grad_")
        else:
            out.append(ch.encode("ascii", "backslashreplace").decode("ascii"))
        i += 1
    return "".join(out)


def _handler(error: UnicodeError) -> tuple[str, int]:
    """The codec error handler: the characters the encoding cannot hold, in :func:`ascii_notation`.

    A ``∇_{...}L`` is replaced whole (as ``grad_...``), so the handler reads on to its end."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    text, start, end = error.object, error.start, error.end
    if text[start] == "∇":
        m = _GRADIENT.match(text, start)
        if m:
            end = max(end, m.end())
    if text[end - 1] == "∇" and text[end : end + 1] == "_":  # ∇_ŷ: the "_" that follows is written by the stream
        return ascii_notation(text[start : end + 1])[:-1], end
    return ascii_notation(text[start:end]), end


def register_error_handler() -> None:
    """Register the codec error handler :data:`ERRORS` (``text.encode("cp1252", ERRORS)``), once."""
    try:
        codecs.lookup_error(ERRORS)
    except LookupError:
        codecs.register_error(ERRORS, _handler)


def make_console_safe() -> None:
    """Make ``sys.stdout`` and ``sys.stderr`` write what their encoding cannot hold in :func:`ascii_notation`.

    For the command line's entry point only (it changes the process's streams): a UTF-8 console is unchanged, a
    cp1252 one (a redirected Windows console) gets ``dL/dW_111`` for ``∂L/∂W_111``. A stream without
    ``reconfigure`` (closed, ``None``, an IDE's stream) is left as it is.
    """
    register_error_handler()
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is None or getattr(stream, "closed", False):
            continue
        try:
            reconfigure(errors=ERRORS)
        except (ValueError, OSError, TypeError):  # a stream that refuses it: leave it as it is
            continue
