"""How the pictures write things: the palette, numbers, names with subscripts, ops as the slides write them."""

from __future__ import annotations

import html
import re

from ..engine import Value

PATH_COLOURS = ("#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")
"""The colours of highlighted paths, in order (then repeated)."""

_FILL = {"parameter": "#fdd9b5", "input": "#cfe2f3", "constant": "#eeeeee", "value": "#ffffff", "root": "#d9ead3"}


_POSITIVE, _NEGATIVE, _UNKNOWN, _NOW, _PATH = "#1f5fbf", "#c0392b", "#c8c8c8", "#e69500", "#2ca02c"


_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _fmt(x: float) -> str:
    """Compact: 4 significant digits."""
    return f"{x:.4g}"


def _label_html(label: str) -> str:
    """``W_{1,2,3}`` -> ``W<SUB>1,2,3</SUB>``; ``x_1`` -> ``x<SUB>1</SUB>``; everything escaped."""
    m = re.match(r"^(.*?)_\{(.+)\}$", label) or re.match(r"^(.*?)_(\w+)$", label)
    if m:
        return f"{html.escape(m.group(1))}<SUB>{html.escape(m.group(2))}</SUB>"
    return html.escape(label)


_OPS = {
    "+": "+",
    "-": "−",
    "*": "×",
    "/": "÷",
    "neg": "−x",
    "exp": "eˣ",
    "log": "log",
    "sqrt": "√x",
    "sigmoid": "σ",
    "relu": "ReLU",
    "abs": "|x|",
    "**": "xʸ",
    "sum": "Σ",
    "linear": "b + Σ w h",
    "cross_entropy": "−log ŷ_l",
    "squared_error": "Σ (ŷ−y)²",
}
_SUPERSCRIPTS = str.maketrans("0123456789-.", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻·")


def op_label(op: str) -> str:
    """An op as the slides write it: ``*`` -> ``×``, ``**2`` -> ``x²``, ``exp`` -> ``eˣ``, ``sigmoid`` -> ``σ``."""
    if op.startswith("**") and op != "**":
        n = op[2:]
        return "x" + n.translate(_SUPERSCRIPTS) if re.fullmatch(r"-?\d+(\.\d+)?", n) else f"x^{n}"
    return _OPS.get(op, op)


def _unicode_name(v: Value) -> str:
    """A node's name for a legend: ``y_1`` -> ``y₁``, ``a_{2,1}`` -> ``a₂,₁``; an unnamed node as its expression (``y₁/y₂``)."""
    from ..derivation import name

    text = name(v)
    return re.sub(r"_\{([\d,]+)\}|_(\d+)", lambda m: (m.group(1) or m.group(2)).translate(_SUBSCRIPT), text)


def _grad_colour(g: float | None) -> str:
    """A ∇'s colour in the network picture: grey when unknown, black for 0, blue > 0, red < 0."""
    return "#999999" if g is None else ("#000000" if g == 0 else (_POSITIVE if g > 0 else _NEGATIVE))


def _sub(name: str, index: str) -> str:
    """``a`` with subscript ``1,1``: Unicode subscript digits (``a₁,₁``), which Graphviz lays out on the line, where its
    ``<SUB>`` drops into the line below at these sizes; any other index as ``<SUB>`` at 11 pt."""
    if index and all(ch.isdigit() or ch == "," for ch in index):
        return html.escape(name) + index.translate(_SUBSCRIPT)
    return f'{html.escape(name)}<SUB><FONT POINT-SIZE="11">{html.escape(index)}</FONT></SUB>'


def _html_math(text: str) -> str:
    """``∇_{W_2} L = ∇_{a_2} L h_1^T`` as Graphviz HTML, with real subscripts and superscripts."""
    out = html.escape(text)

    def subscript(m: re.Match[str]) -> str:
        index = (m.group(1) or m.group(2)).replace("_", "")
        if all(ch.isdigit() or ch == "," for ch in index):  # W_{1,1,1}: Unicode subscripts stay on the line
            return index.translate(_SUBSCRIPT)
        return f"<SUB>{index}</SUB>"

    out = re.sub(r"_\{([^}]*)\}|_(\w)", subscript, out)
    return re.sub(r"\^(\w)", r"<SUP>\1</SUP>", out)
