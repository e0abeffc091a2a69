"""How the pictures write things: the palette, numbers, names with subscripts, ops as the slides write them."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from ..engine import Value
from ..notation import FROM_SUBSCRIPT, FROM_SUPERSCRIPT, GLYPHS, SUPERSCRIPT_DIGITS, SUPERSCRIPTS, TO_SUBSCRIPT, TO_SUPERSCRIPT

OKABE_ITO = {
    "orange": "#e69f00",
    "sky blue": "#56b4e9",
    "bluish green": "#009e73",
    "yellow": "#f0e442",
    "blue": "#0072b2",
    "vermillion": "#d55e00",
    "reddish purple": "#cc79a7",
    "black": "#000000",
}
"""Okabe and Ito's eight colours, told apart under the common colour-vision deficiencies (deuteranopia, protanopia,
tritanopia): every colour in the pictures is one of these, or a light tint of one, or grey."""

PATH_COLOURS = ("#d55e00", "#0072b2", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000")
"""The colours of highlighted paths, in order (then repeated); each path also has its own line style (:data:`PATH_STYLES`)."""

PATH_STYLES = ("solid", "dashed", "dotted")
"""The line styles of highlighted paths, in order: path k is drawn ``PATH_STYLES[k % 3]`` in ``PATH_COLOURS[k % 7]``,
so two paths differ in style even where a reader cannot tell their colours apart."""

FILL = {"parameter": "#f8dfa6", "input": "#cbe7f8", "constant": "#eeeeee", "value": "#ffffff", "root": "#c4eadf"}
"""Node fills: light tints of orange (parameters), sky blue (inputs) and bluish green (the root)."""

ROOT_BORDER = "#009e73"
INPUT_BORDER = "#0072b2"

POSITIVE, NEGATIVE, UNKNOWN, NOW, PATH_COLOUR = "#0072b2", "#d55e00", "#c8c8c8", "#e69f00", "#000000"
"""The network picture: ∂L/∂W > 0 blue, < 0 vermillion, not known yet grey; computed at this step orange;
a highlighted path black, wide and solid (the other edges thin and faded), so it shows by width and shade too."""

NOW_FILL = "#ffe3a3"

NOW_EDGE = f"{NOW}:#ffffff:{NOW}"
"""A weight computed at this step: a double orange line with a white core (three parallel strokes), so that it differs
from a negative weight's single vermillion line by its shape too: under deuteranopia the two hues look alike."""


def shown(x: float, err: float) -> float:
    """``x``, or 0.0 when ``|x|`` is within rounding noise: at most :data:`NOISE_FACTOR` times ``err``, its rounding-error
    bound from :func:`rounding_errors` (``0.5 - 0.6 + 0.1`` = 2.776e-17 is shown as 0)."""
    return 0.0 if abs(x) <= NOISE_FACTOR * err else x


def number_text(x: float, err: float = 0.0, digits: int = 4) -> str:
    """Compact: 4 significant digits (or ``digits``); ``0`` when ``|x|`` is within rounding noise (``err``, from
    :func:`rounding_errors`)."""
    return f"{shown(x, err):.{digits}g}"


EPSILON = 2.0**-52
"""A float's relative rounding step (``sys.float_info.epsilon``)."""

NOISE_FACTOR = 16.0
"""A number is shown as 0 when it is at most this many times its rounding-error bound."""


def rounding_errors(nodes: Sequence[Value]) -> tuple[dict[Value, float], dict[Value, float]]:
    """A bound on the rounding error of each node's ``data`` and ``grad``, so a picture shows ``0.5 - 0.6 + 0.1`` as 0,
    not 2.776e-17.

    Forward, ``err(v) = Σ_i |∂v/∂p_i|·err(p_i) + ε·Σ_i |∂v/∂p_i · p_i|`` (leaves are exact); backward, the same over
    the uses of each node, starting from the root's exact ``grad`` (the chain rule's sums, Module 4.6).

    Args:
        nodes: a topological order (``trace(root)[0]``: parents first, the root last).

    Returns:
        ``(data_err, grad_err)``: node -> bound (≥ 0).
    """
    data_err: dict[Value, float] = {}
    for v in nodes:
        data_err[v] = sum(abs(g) * data_err.get(p, 0.0) + EPSILON * abs(g * p.data) for p, g in zip(v.parents, v.local_grads))
    grad_err: dict[Value, float] = dict.fromkeys(nodes, 0.0)
    for v in reversed(nodes):
        for p, g in zip(v.parents, v.local_grads):
            if p in grad_err:
                grad_err[p] += abs(g) * grad_err[v] + EPSILON * abs(g * v.grad)
    return data_err, grad_err


def label_html(label: str) -> str:
    """``W_{1,2,3}`` -> ``W₁,₂,₃``, ``x_1`` -> ``x₁`` (Unicode subscripts, on the line in every SVG viewer); another index
    as ``<SUB>`` (``x_i`` -> ``x<SUB>i</SUB>``); everything escaped."""
    m = re.match(r"^(.*?)_\{(.+)\}$", label) or re.match(r"^(.*?)_(\w+)$", label)
    if m:
        if all(ch.isdigit() or ch == "," for ch in m.group(2)):
            return html.escape(m.group(1)) + m.group(2).translate(TO_SUBSCRIPT)
        return f"{html.escape(m.group(1))}<SUB>{html.escape(m.group(2))}</SUB>"
    return html.escape(label)


def op_label(op: str) -> str:
    """An op as the slides write it: ``*`` -> ``×``, ``**2`` -> ``x²``, ``exp`` -> ``eˣ``, ``sigmoid`` -> ``σ``."""
    if op.startswith("**") and op != "**":
        n = op[2:]
        return "x" + n.translate(TO_SUPERSCRIPT) if re.fullmatch(r"-?\d+(\.\d+)?", n) else f"x^{n}"
    return GLYPHS.get(op, op)


def unicode_name(v: Value) -> str:
    """A node's name for a legend: ``y_1`` -> ``y₁``, ``a_{2,1}`` -> ``a₂,₁``; an unnamed node as its expression (``y₁/y₂``)."""
    from ..derivation import name

    text = name(v)
    return re.sub(r"_\{([\d,]+)\}|_(\d+)", lambda m: (m.group(1) or m.group(2)).translate(TO_SUBSCRIPT), text)


def full_size(text: str) -> str:
    """A label as slide mode writes it, every character at full size (subscripts and superscripts are drawn at about
    half the text's height, 12 px on a projector): indices as the slides write them, ``W₁,₁,₁`` -> ``W111``,
    ``a₂,₁`` -> ``a21``, ``h₀`` -> ``h0`` (with the commas when an index has two digits: ``W₁,₁₀`` -> ``W1,10``); a
    superscript as the answer grammar writes it, ``h₁ᵀ`` -> ``h1^T``, ``x²`` -> ``x^2``, ``eˣ`` -> ``e^x``; Graphviz's ``<SUB>`` as
    plain text."""

    def index(m: re.Match[str]) -> str:
        parts = m.group(0).translate(FROM_SUBSCRIPT).split(",")
        return ",".join(parts) if any(len(p) > 1 for p in parts) else "".join(parts)

    text = re.sub(r"[₀-₉]+(?:,[₀-₉]+)*", index, text)
    power = f"[{SUPERSCRIPTS}]+(?:·[{SUPERSCRIPT_DIGITS}]+)?"  # x⁰·⁵: the dot only between superscript digits (w1·x1 stays)
    text = re.sub(power, lambda m: "^" + m.group(0).translate(FROM_SUPERSCRIPT).replace("·", "."), text)
    return re.sub(r'<SUB>(?:<FONT POINT-SIZE="[\d.]+">)?(.*?)(?:</FONT>)?</SUB>', r"\1", text)


def luminance(colour: str) -> float:
    """WCAG 2's relative luminance of ``"#rrggbb"`` (0 black, 1 white)."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG 2's contrast ratio of two ``"#rrggbb"`` colours, 1 to 21 (text needs 4.5 for level AA)."""
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


TEXT_CONTRAST = 4.5
"""The least contrast of any text on its fill (WCAG 2 level AA for normal text)."""


def text_colour(colour: str, fill: str = "#ffffff") -> str:
    """``colour`` for text on ``fill``: itself when it has :data:`TEXT_CONTRAST` against the fill, else the lightest
    shade of it that has (each channel scaled by the same factor toward black: vermillion ``#d55e00`` on the orange
    "computed now" fill becomes ``#aa4b00``, 4.5:1, where it was 3.1:1). The hue stays, so the meaning does."""
    channels = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    for step in range(101):
        k = 1 - step / 100
        shade = "#" + "".join(f"{round(c * k):02x}" for c in channels)
        if contrast(shade, fill) >= TEXT_CONTRAST:
            return shade
    return "#000000"


def grad_colour(g: float | None) -> str:
    """A ∇'s colour in the network picture: grey when unknown, black for 0, blue > 0, vermillion < 0."""
    return "#999999" if g is None else ("#000000" if g == 0 else (POSITIVE if g > 0 else NEGATIVE))


def grad_text_colour(g: float | None, fill: str = "#ffffff") -> str:
    """:func:`grad_colour` for a number written on ``fill``, darkened as :func:`text_colour` does to be read."""
    return text_colour(grad_colour(g), fill)


def subscripted(name: str, index: str) -> str:
    """``a`` with subscript ``1,1``: Unicode subscript digits (``a₁,₁``), which Graphviz lays out on the line, where its
    ``<SUB>`` drops into the line below at these sizes; any other index as ``<SUB>`` at 11 pt."""
    if index and all(ch.isdigit() or ch == "," for ch in index):
        return html.escape(name) + index.translate(TO_SUBSCRIPT)
    return f'{html.escape(name)}<SUB><FONT POINT-SIZE="11">{html.escape(index)}</FONT></SUB>'


_NARROW = frozenset(".,:;' ")
_WIDTH = {"-": 0.34, "∇": 0.7, "=": 0.84, "W": 1.03, "—": 1.0, "?": 0.53, "×": 0.84}


def text_width(text: str, pt: float, bold: bool = False) -> float:
    """About how wide ``text`` is drawn at ``pt`` points (points): DejaVu Sans's widths, which Graphviz measures where
    Helvetica is not installed, and wider than Helvetica's or Arial's (digits 0.64 em against 0.56), so a cell sized by
    this holds its text with either font. Subscript digits 0.4 em, ``.``, ``,`` and spaces 0.32, letters about 0.65."""
    em = 0.0
    for ch in text:
        if ch in _NARROW:
            em += 0.32
        elif ch in _WIDTH:
            em += _WIDTH[ch]
        elif "₀" <= ch <= "₉":
            em += 0.4
        else:
            em += 0.64
    return em * pt * (1.1 if bold else 1.0)


def html_math(text: str) -> str:
    """``∇_{W_2} L = ∇_{a_2} L h_1^T`` as Graphviz HTML on one line: ``∇W₂ L = ∇a₂ L h₁ᵀ``.

    Unicode subscripts and superscripts throughout, never ``<SUB>``/``<SUP>``: Graphviz places those as separate
    text spans, which an SVG viewer with other fonts draws on the line below."""
    out = html.escape(text)

    def subscript(m: re.Match[str]) -> str:
        index = m.group(1) or m.group(2)
        return re.sub(r"_?(\d+)", lambda d: d.group(1).translate(TO_SUBSCRIPT), index)  # W_3 -> W₃; 1,1,1 -> ₁,₁,₁

    out = re.sub(r"_\{([^}]*)\}|_(\w)", subscript, out)
    return re.sub(r"\^(\w)", lambda m: m.group(1).translate(TO_SUPERSCRIPT) if m.group(1) in "0123456789T" else f"^{m.group(1)}", out)
