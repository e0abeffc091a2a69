"""Derivations shown the way the slides write them: :func:`explain`.

After ``root.backward()``, ``explain(root, wrt)`` presents ``∂root/∂wrt`` two ways:

* as the **sum over paths** of the products of local derivatives (CS7015 Lecture 4,
  Module 4.6, "chain rule along multiple paths": ``∂p/∂z = Σ_m (∂p/∂q_m)(∂q_m/∂z)``), one
  factor per step between *named* quantities, e.g. the toy example's
  ``dz/dx = (1/y_1)(2x) + (-1/y_2)(3x²)``;
* with ``model=`` the network that built ``root``, as **Module 4.4's chain in matrix form**,
  a product of Jacobians (IIT Hyderabad Backpropagation-1: the Jacobian of a composition is
  the product of the Jacobians), grouped as the slide groups it:

  ``∂L/∂W_111 = [∂L/∂ŷ ∂ŷ/∂a_3] [∂a_3/∂h_2 ∂h_2/∂a_2] [∂a_2/∂h_1 ∂h_1/∂a_1] [∂a_1/∂W_111]``
  ("talk to the output layer", "to the previous hidden layer", ..., "now talk to the weights").

A :class:`Derivation` prints as plain Unicode (``str``) and typesets in Jupyter
(``_repr_latex_``).
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numpy.typing import NDArray

from .engine import Value, topological_order
from .notation import FROM_SUPERSCRIPT, LOSSES, SUPERSCRIPT_DIGITS, TO_SUPERSCRIPT, UNARY_OPS
from .paths import count_paths, walk_paths

if TYPE_CHECKING:
    from .nn import MLP

THROUGH = ("labelled", "all")
"""The choices of ``explain(..., through=...)``."""

MAX_SHOWN = 12
"""Paths written out by ``str()`` and ``_repr_latex_()``; the rest are counted."""

SHOWN_FACTORS = 16
"""Factors written out of one path by ``str()`` and ``_repr_latex_()``: a longer path shows its first and last 8."""


class ChainPath(NamedTuple):
    """One path from ``root`` down to ``wrt``, written as the slide writes a chain.

    Attributes:
        nodes: the m + 1 nodes along the path, ``root`` first and ``wrt`` last (the slide's order).
        factors: m pairs ``(symbol, value)``; factor t is ``∂nodes[t]/∂nodes[t+1]``, e.g.
            ``("∂h_{1,1}/∂a_{1,1}", 0.2355)``. With ``through="labelled"`` an unnamed node in
            between is folded into the factor (the sum over the sub-paths through it).
        product: the product of the m values.
    """

    nodes: tuple[Value, ...]
    factors: tuple[tuple[str, float], ...]
    product: float


class Jacobian(NamedTuple):
    """One factor of Module 4.4's chain in matrix form: its ``symbol`` (e.g. ``"∂a_3/∂h_2"``) and ``value``.

    ``value`` is a 2-D numpy array: rows index the numerator, columns the denominator
    (``∂L/∂ŷ`` is 1 x k; ``∂a_3/∂h_2 = W_3`` is n_3 x n_2; the last factor is one column).
    """

    symbol: str
    value: NDArray[np.float64]


class Derivation:
    """``∂root/∂wrt`` written out as the lecture does; made by :func:`explain`.

    Attributes:
        root, wrt: the two nodes.
        paths: up to ``limit`` :class:`ChainPath` objects, in a fixed order.
        count: the number of paths in all (``len(paths) < count`` when truncated).
        total: ``Σ`` over all ``count`` paths of the products; equals ``wrt.grad`` after
            ``root.backward()`` (Module 4.6).
        jacobians: with ``model=``, Module 4.4's chain as a list of :class:`Jacobian`, in
            the slide's order (``∂L/∂ŷ`` first); their matrix product is the 1 x 1 matrix
            ``[∂L/∂wrt]``. Empty without a model.
        groups: with ``model=``, the slide's braces: ``(caption, start, stop)`` over ``jacobians``.
    """

    def __init__(
        self,
        root: Value,
        wrt: Value,
        paths: list[ChainPath],
        count: int,
        total: float,
        jacobians: list[Jacobian],
        groups: list[tuple[str, int, int]],
    ) -> None:
        self.root, self.wrt = root, wrt
        self.paths, self.count, self.total = paths, count, total
        self.jacobians, self.groups = jacobians, groups

    @property
    def symbol(self) -> str:
        """``∂root/∂wrt`` with the nodes' names, e.g. ``"∂L/∂W_{1,1,1}"``."""
        return f"∂{_operand(self.root)}/∂{_operand(self.wrt)}"

    @property
    def jacobian_product(self) -> float:
        """The matrix product of :attr:`jacobians` as a number (NaN without a model)."""
        if not self.jacobians:
            return math.nan
        m = self.jacobians[0].value
        for j in self.jacobians[1:]:
            m = m @ j.value
        return float(m[0, 0])

    def __repr__(self) -> str:
        return f"<Derivation {self.symbol} = {self.total:.6g}: {_paths(self.count)}{', Jacobian chain' if self.jacobians else ''}>"

    # ------------------------------------------------------------------ plain text
    def __str__(self) -> str:
        """:meth:`text` with its defaults: the count, the first :data:`MAX_SHOWN` paths, a long path's ends."""
        return self.text()

    def text(self, paths: int | None = MAX_SHOWN, factors: int | None = SHOWN_FACTORS) -> str:
        """The derivation as plain text: the Jacobian chain (with a model), the number of paths, the first paths.

        What a reader can use by default: however many paths there are (2^5000 in a chain of diamonds), the count
        and the first ``paths`` of them, each path of more than ``factors`` factors shown by its first and last
        ``factors / 2`` with the number left out between (a 20,000-node diamond printed 13 MB before; 5 kB now).

        Args:
            paths: the most paths written out (None: every path :func:`explain` listed, up to its ``limit``).
            factors: the most factors written out of one path (None: every factor).

        Raises:
            ValueError: ``paths`` or ``factors`` is not None or an int >= 1 (``factors`` >= 2).

        Source: CS7015 Lecture 4, Module 4.4 (the chain of Jacobians) and Module 4.6 (the sum over paths).
        """
        paths, factors = _most(paths, "paths", 1), _most(factors, "factors", 2)
        lines = [f"{self.symbol} = {self.total:.10g}   ({name(self.wrt)}.grad = {self.wrt.grad:.10g})"]
        if self.jacobians:
            lines.append("")
            lines.append("CS7015 Lecture 4, Module 4.4: the chain as a product of Jacobians")
            lines.append(f"  {self.symbol} = " + " ".join("[" + " · ".join(j.symbol for j in self._group(g)) + "]" for g in self.groups))
            for caption, start, stop in self.groups:
                lines.append(f"  {caption}:")
                for j in self.jacobians[start:stop]:
                    rows, cols = j.value.shape
                    text = np.array2string(j.value, precision=4, suppress_small=True, max_line_width=100, separator=" ")
                    label = f"    {j.symbol} ({rows}×{cols}) ="
                    if rows == 1:
                        lines.append(f"{label} {text}")
                    else:  # rows below the label: their columns line up in any font (∂, ŷ, × are wider in some)
                        lines.append(label)
                        lines.append("      " + text.replace("\n", "\n      "))
            lines.append(f"  product of the {len(self.jacobians)} matrices = {self.jacobian_product:.10g}")
        lines.append("")
        lines.append(f"CS7015 Lecture 4, Module 4.6: the sum over the {_paths(self.count)} of the products of local derivatives")
        shown = self.paths[:paths]
        for k, p in enumerate(shown, 1):
            first, left_out, last = _ends(p.factors, factors)
            gap = [f"…({left_out:,} more factors)…"] if left_out else []
            symbols = " · ".join([*(s for s, _ in first), *gap, *(s for s, _ in last)]) or "1"
            values = " × ".join([*(f"({v:.4g})" for _, v in first), *gap, *(f"({v:.4g})" for _, v in last)]) or "1"
            lines.append(f"  path {k}: {symbols}")
            lines.append(f"        = {values} = {p.product:.6g}")
        if self.count > len(shown):
            lines.append(f"  ... and {_paths(self.count - len(shown), 'more ')}, not shown")
        lines.append(f"  sum over the {_paths(self.count)} = {self.total:.10g}")
        return "\n".join(lines)

    def _group(self, group: tuple[str, int, int]) -> list[Jacobian]:
        return self.jacobians[group[1] : group[2]]

    # ------------------------------------------------------------------ LaTeX
    def _repr_latex_(self) -> str:
        """The derivation typeset for Jupyter (MathJax): the slide's braces, the matrices, the paths."""
        return "$$\n" + self.latex() + "\n$$"

    def latex(self, paths: int | None = MAX_SHOWN, factors: int | None = SHOWN_FACTORS) -> str:
        """The body of :meth:`_repr_latex_`: one ``aligned`` environment, without the ``$$`` delimiters.

        ``paths`` and ``factors`` as in :meth:`text` (a long path's factors left out are written ``\\cdots``).
        """
        paths, factors = _most(paths, "paths", 1), _most(factors, "factors", 2)
        lhs = _frac(self.root, self.wrt)
        rows: list[str] = []
        if self.jacobians:
            fracs = [" ".join(_frac_symbol(j.symbol) for j in self._group(g)) for g in self.groups]
            braces = [r"\underbrace{" + f + "}_{" + _caption(g[0]) + "}" for f, g in zip(fracs, self.groups)]
            # two braces to a line: four in one row are wider than JupyterLab's column (about 850 px)
            lines = [r" \quad ".join(braces[i : i + 2]) for i in range(0, len(braces), 2)]
            rows.append(r"\underbrace{" + lhs + "}_{" + _caption(f"talk to the {_kind_of(self.wrt)} directly") + r"} &= " + lines[0])
            rows += [r"&\qquad " + line for line in lines[1:]]
            for caption, start, stop in self.groups:
                mats = r" \, ".join(bmatrix(j.value) for j in self.jacobians[start:stop])
                rows.append(r"&\qquad \text{" + caption + ":}")  # the caption on its own line: matrices and caption
                rows.append(r"&\qquad\quad " + mats)  # side by side are wider than JupyterLab's column
            rows.append(r"&= " + latex_number(self.jacobian_product) + r" \qquad \text{(the product of the Jacobians)}")
        shown = self.paths[:paths]
        first = r"&= " if self.jacobians else lhs + r" &= "
        if self.count == 0:
            rows.append(first + r"0 \qquad \text{(no path)}")
        for k, p in enumerate(shown):
            head, left_out, tail = _ends(p.factors, factors)
            gap = [r"\cdots_{\text{" + f"{left_out:,}" + r" more}}"] if left_out else []
            symbols = " ".join([*(_frac_symbol(s) for s, _ in head), *gap, *(_frac_symbol(s) for s, _ in tail)]) or "1"
            values = (
                " ".join([*("(" + latex_number(v) + ")" for _, v in head), *gap, *("(" + latex_number(v) + ")" for _, v in tail)]) or "1"
            )
            lead = first if k == 0 else r"&\quad + "
            rows.append(lead + symbols + (r" \qquad \text{(path " + str(k + 1) + ")}" if self.count > 1 else ""))
            rows.append(r"&\qquad\qquad = " + values + " = " + latex_number(p.product))
        if self.count > len(shown):
            rows.append(r"&\quad + \dots \qquad \text{(" + _paths(self.count - len(shown), "more ") + r")}")
        if self.count > 1:
            rows.append(r"&= " + latex_number(self.total) + r" \qquad \text{(the sum over the " + _paths(self.count) + r")}")
        return r"\begin{aligned}" + "\n" + " \\\\\n".join(rows) + "\n" + r"\end{aligned}"


# ---------------------------------------------------------------------- names


def name(v: Value) -> str:
    """A node's name for a derivation: its label, or for an unnamed node a short expression of its parents.

    ``x**2`` of a node labelled x is ``x²``; an unnamed loss node is ``L``; a constant is its value.
    """
    return _describe(v, 3)


def _describe(v: Value, depth: int) -> str:
    if v.label:
        return v.label
    if not v.parents:
        return f"{v.data:g}"
    if v.op in LOSSES:
        return "L"
    if depth == 0:
        return "…"
    args = [_describe(p, depth - 1) for p in v.parents]
    if v.op.startswith("**") and len(args) == 1:
        n = v.op[2:]
        return f"{_wrap(args[0])}{n.translate(TO_SUPERSCRIPT)}" if re.fullmatch(r"-?\d+", n) else f"{_wrap(args[0])}^{n}"
    if v.op in ("+", "-", "*", "/", "**") and len(args) == 2:
        sign = {"*": "·", "**": "^"}.get(v.op, v.op)
        return f"{_wrap(args[0])}{sign}{_wrap(args[1])}" if v.op in ("*", "/", "**") else f"{args[0]} {sign} {args[1]}"
    if v.op == "neg":
        return f"-{_wrap(args[0])}"
    if v.op in UNARY_OPS:
        return f"{v.op}({args[0]})"
    return v.op


def _operand(v: Value) -> str:
    """``name(v)``, in parentheses when it is an expression, so ``∂z/∂(y_1/y_2)`` reads right."""
    return _wrap(name(v))


_OPERAND = re.compile(rf"[\w{{}},.ŷ{SUPERSCRIPT_DIGITS}⁻·]+|\w+\(.*\)")
"""A name that needs no parentheses as an operand: one word (indices and exponents too) or a call."""


def _wrap(s: str) -> str:
    return s if _OPERAND.fullmatch(s) else f"({s})"


def tex(label: str) -> str:
    """A name in LaTeX: ``ŷ_1`` -> ``\\hat{y}_{1}``, ``W_{1,1,1}`` -> ``W_{1,1,1}``, ``y1`` -> ``y_{1}``, ``L`` -> ``\\mathcal{L}``."""
    if label == "L":
        return r"\mathcal{L}"
    m = re.fullmatch(r"([A-Za-zŷ]+)(\d+)", label)
    if m:
        label = f"{m.group(1)}_{{{m.group(2)}}}"
    out = label.replace("ŷ", r"\hat{y}").replace("·", r" \cdot ").replace("…", r"\dots ")
    out = re.sub(f"([{SUPERSCRIPT_DIGITS}⁻]+)", lambda s: "^{" + s.group(1).translate(FROM_SUPERSCRIPT) + "}", out)
    out = _LATEX_FUNCTION.sub(lambda m: str(UNARY_OPS[m.group(1)].latex) + "(", out)
    m = re.fullmatch(r"(.*?)_(\w+)", out)
    if m and "{" not in out:
        out = f"{m.group(1)}_{{{m.group(2)}}}"
    return out


_LATEX_FUNCTION = re.compile(r"\b(" + "|".join(op.name for op in UNARY_OPS.values() if op.latex) + r")\(")
"""A call of an op that LaTeX has a command for (``exp(`` -> ``\\exp(``)."""


def _frac(top: Value, bottom: Value) -> str:
    return _frac_symbol(f"∂{_operand(top)}/∂{_operand(bottom)}")


def _frac_symbol(symbol: str) -> str:
    """``"∂h_{1,1}/∂a_{1,1}"`` -> ``\\frac{\\partial h_{1,1}}{\\partial a_{1,1}}``."""
    top, _, bottom = symbol[1:].partition("/∂")  # names never contain "/∂"
    return r"\frac{\partial " + tex(top) + r"}{\partial " + tex(bottom) + "}"


def latex_number(x: float, digits: int = 4) -> str:
    """``x`` in LaTeX with ``digits`` significant digits: ``1.2 \\times 10^{-5}`` instead of ``1.2e-05`` (the numbers of
    :meth:`Derivation.latex`, :func:`bmatrix` and the exercises' feedback, as the slides of CS7015 Lecture 4 write them).

    Example:
        >>> latex_number(1.23456e-5)
        '1.235 \\\\times 10^{-5}'
    """
    s = f"{x:.{digits}g}"
    if "e" in s:
        mantissa, exponent = s.split("e")
        return rf"{mantissa} \times 10^{{{int(exponent)}}}"
    return s


def bmatrix(m: NDArray[np.float64], digits: int = 4) -> str:
    """A 2-D array as LaTeX ``\\begin{bmatrix}...\\end{bmatrix}``, ``digits`` significant digits (for ``IPython.display.Math``)."""
    rows = [" & ".join(latex_number(float(v), digits) for v in row) for row in np.atleast_2d(m)]
    return r"\begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}"


def _caption(text: str) -> str:
    """A brace's caption on two lines (``\\substack``), so neighbouring captions never overlap."""
    words = text.split()
    cut = min(range(1, len(words) + 1), key=lambda k: abs(len(" ".join(words[:k])) - len(" ".join(words[k:]))))
    lines = [" ".join(words[:cut]), " ".join(words[cut:])]
    return r"\substack{" + r" \\ ".join(r"\text{" + t + "}" for t in lines if t) + "}"


def _kind_of(v: Value) -> str:
    if v.label.startswith(("W", "w")):
        return "weight"
    if v.label.startswith("b"):
        return "bias"
    return "unit" if v.label.startswith(("a_", "h_", "ŷ")) else "input" if v.label.startswith("x") else "quantity"


# ---------------------------------------------------------------------- explain
def explain(root: Value, wrt: Value, *, model: MLP | None = None, through: str = "labelled", limit: int = 1000) -> Derivation:
    """``∂root/∂wrt`` as the slides write it: every path's chain of factors and, with a model, the Jacobian chain.

    Call it after ``root.backward()``: :attr:`Derivation.total` (computed here, independently
    of ``backward()``) then equals ``wrt.grad``.

    Args:
        root: the output, usually the loss L.
        wrt: a node below ``root``: an input, a weight, a bias, a unit.
        model: the :class:`~micrograd_nptel.nn.MLP` whose last forward pass built ``root``,
            with ``root`` the loss node computed from its outputs ŷ (``cross_entropy`` or
            ``squared_error``); then :attr:`Derivation.jacobians` holds CS7015 Lecture 4,
            Module 4.4's chain in matrix form for ``wrt`` a weight ``W_{k,i,j}``, a bias
            ``b_{k,i}``, a unit ``a_{k,i}``/``h_{k,i}``/``ŷ_j`` or an input ``x_j``.
        through: ``"labelled"`` (default): a path visits only named (labelled) nodes, each
            unnamed node in between folded into its factor, as the slides name only
            ``x, y_1, y_2, z`` or ``a, h, ŷ, L``; ``"all"``: every node of the graph, one
            factor per edge (the paths of :func:`~micrograd_nptel.graph.chain_rule_paths`).
        limit: the most paths to store (the rest are counted, never enumerated: no hang).

    Returns:
        A :class:`Derivation`.

    Raises:
        TypeError: ``root`` or ``wrt`` is not a Value, or ``model`` is not an MLP.
        ValueError: ``wrt`` is not below ``root``; a bad ``through`` or ``limit``; with a
            model, ``root`` is not a loss of its outputs or ``wrt`` is not one of its quantities.

    Example:
        >>> from micrograd_nptel.examples import multipath
        >>> z, v = multipath(2.0)
        >>> d = explain(z, v["x"])
        >>> [[f"{s} = {g:g}" for s, g in p.factors] for p in d.paths]
        [['∂z/∂y_1 = 0.25', '∂y_1/∂x = 4'], ['∂z/∂y_2 = -0.125', '∂y_2/∂x = 12']]
    """
    for v, what in ((root, "root"), (wrt, "wrt")):
        if not isinstance(v, Value):
            raise TypeError(f"explain: {what} must be a Value, got {v!r} of type {type(v).__name__}")
    if through not in THROUGH:
        raise ValueError(f"explain: through must be one of {THROUGH}, got {through!r}")
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise ValueError(f"explain: limit must be a non-negative int, got {limit!r}")
    order = topological_order(root)
    position = {v: k for k, v in enumerate(order)}
    if wrt not in position:
        if model is not None:  # e.g. ŷ_j for j ≠ l: the loss does not depend on it (Module 4.5: ∂L/∂ŷ_j = 0)
            return Derivation(root, wrt, [], 0, 0.0, *_jacobian_chain(root, wrt, model))
        raise ValueError(f"explain: {name(wrt)!r} is not in the graph below {name(root)!r}: no path leads from it to the root")
    reach = {v: v is wrt for v in order}  # does v depend on wrt?
    for v in order:
        if not reach[v]:
            reach[v] = any(reach[p] for p in v.parents)
    kept = [v for v in order if reach[v] and (v is wrt or v is root or through == "all" or v.label)]
    if through == "all":  # every node kept: one edge per parent slot (x·x has two)
        edges = {v: [(p, g) for p, g in zip(v.parents, v.local_grads) if reach[p]] for v in kept if v is not wrt}
    else:
        edges = _folded_edges(order, kept, wrt, reach)
    count = count_paths(kept, wrt, lambda v: [p for p, _ in edges[v]])
    deriv = {wrt: 1.0}
    for v in kept:
        if v is not wrt:
            deriv[v] = math.fsum(f * deriv[p] for p, f in edges[v])
    paths = _enumerate(root, wrt, edges, limit)
    jacobians, groups = _jacobian_chain(root, wrt, model) if model is not None else ([], [])
    return Derivation(root, wrt, paths, count[root], deriv[root], jacobians, groups)


def _folded_edges(order: list[Value], kept: list[Value], wrt: Value, reach: dict[Value, bool]) -> dict[Value, list[tuple[Value, float]]]:
    """For each kept node, the kept nodes one step below it, each with the factor ∂v/∂it (unnamed nodes between folded in).

    One pass over the graph, parents first: each unnamed node's "frontier" (the kept nodes below it, with the factor
    to each) is built once from its parents' frontiers, so a long unnamed chain shared by many named nodes costs
    its length once, not once per named node: linear in the graph's size, not quadratic.
    """
    is_kept = set(kept)
    frontier: dict[Value, dict[Value, float]] = {}  # for unnamed nodes that depend on wrt

    def below(v: Value) -> dict[Value, float]:
        out: dict[Value, float] = {}
        for p, g in zip(v.parents, v.local_grads):
            if not reach[p]:
                continue
            if p in is_kept:
                out[p] = out.get(p, 0.0) + g
            else:
                for q, f in frontier[p].items():
                    out[q] = out.get(q, 0.0) + g * f
        return out

    edges: dict[Value, list[tuple[Value, float]]] = {}
    for v in order:
        if not reach[v] or v is wrt:
            continue
        if v in is_kept:
            edges[v] = list(below(v).items())
        else:
            frontier[v] = below(v)
    return edges


MAX_FACTORS = 200_000
"""The most factors :func:`explain` writes out over all the paths it lists (each path of n steps has n): a graph
with long paths lists fewer of them, so the listing stays linear in the graph's size."""


def _enumerate(root: Value, wrt: Value, edges: dict[Value, list[tuple[Value, float]]], limit: int) -> list[ChainPath]:
    """Up to ``limit`` paths from ``root`` down to ``wrt`` (and at most :data:`MAX_FACTORS` factors in all), as
    :func:`~micrograd_nptel.paths.walk_paths` finds them (the package's one path enumerator), each written as a chain."""
    paths: list[ChainPath] = []
    written = 0
    names: dict[Value, str] = {}  # each node's name worked out once, however many paths pass through it

    def operand(v: Value) -> str:
        if v not in names:
            names[v] = _operand(v)
        return names[v]

    for up, values, _ in walk_paths(root, wrt, lambda v: [(p, slot, f) for slot, (p, f) in enumerate(edges[v])]):
        if len(paths) >= limit:
            break
        written += len(values)
        if written > MAX_FACTORS and paths:
            break
        nodes = up[::-1]  # root first, as the slide writes a chain
        factors = tuple((f"∂{operand(nodes[t])}/∂{operand(nodes[t + 1])}", f) for t, f in enumerate(values[::-1]))
        paths.append(ChainPath(nodes, factors, math.prod(f for _, f in factors)))
    return paths


def _most(n: int | None, what: str, least: int) -> int | None:
    """``n`` checked as how many ``what`` to write out: None (all) or an int >= ``least``."""
    if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < least):
        raise ValueError(f"{what} must be None (all) or an int >= {least}, got {n!r}")
    return n


def _ends(
    factors: tuple[tuple[str, float], ...], most: int | None
) -> tuple[tuple[tuple[str, float], ...], int, tuple[tuple[str, float], ...]]:
    """A path's factors as (the first ones, how many are left out, the last ones): all of them if ``most`` allows."""
    if most is None or len(factors) <= most:
        return factors, 0, ()
    half = most // 2
    return factors[:half], len(factors) - 2 * half, factors[-half:]


def _paths(n: int, more: str = "") -> str:
    """``"1 path"``, ``"6 paths"``; a count too large to print in full (the diamond graphs' 2^15000) as ``"about 10^4515 paths"``."""
    if n >= 10**15:
        return f"about 10^{int(n.bit_length() * math.log10(2))} {more}paths"
    return f"{n} {more}path{'s' * (n != 1)}"


# ---------------------------------------------------------------------- Module 4.4 in matrices
def _jacobian_chain(root: Value, wrt: Value, model: MLP) -> tuple[list[Jacobian], list[tuple[str, int, int]]]:
    """Module 4.4's chain for ``wrt``, each factor computed from the lecture's formulas (not from the engine)."""
    from .lecture import activation_derivative, network_weights
    from .nn import MLP

    if not isinstance(model, MLP):
        raise TypeError(f"explain: model must be an MLP, got {model!r} of type {type(model).__name__}")
    layers = model.layers
    L = len(layers)
    y_hat = layers[-1].h
    if not y_hat or not root.parents or not all(any(p is y for y in y_hat) for p in root.parents):
        raise ValueError(
            "explain: with model=, root must be the loss computed from the model's outputs ŷ by its last forward pass "
            "(e.g. L = cross_entropy(mlp(x), l))"
        )
    W, _ = network_weights(model)
    y = np.array([v.data for v in y_hat])
    k_out = len(y)
    dL_dy = np.zeros((1, k_out))
    for p, g in zip(root.parents, root.local_grads):
        dL_dy[0, next(j for j, v in enumerate(y_hat) if v is p)] += g
    J_O = np.diag(y) - np.outer(y, y) if model.output == "softmax" else np.eye(k_out)
    yh = "ŷ"
    chain: list[Jacobian] = [Jacobian(f"∂L/∂{yh}", dL_dy), Jacobian(f"∂{yh}/∂a_{L}", J_O)]
    groups = [("talk to the output layer", 0, 2)]
    x_in = layers[0].h_prev  # Values, or floats when x entered as constants (then ∂L/∂x_j is not asked for)
    x_nodes = [v for v in x_in if isinstance(v, Value)]
    x_data = [v.data if isinstance(v, Value) else float(v) for v in x_in]

    def target(j: int, symbol: str, column: NDArray[np.float64]) -> tuple[list[Jacobian], list[tuple[str, int, int]]]:
        """Cut the chain after factor j and end it with ``column`` (∂(factor j's numerator)/∂wrt)."""
        out = chain[:j] + [Jacobian(symbol, column.reshape(-1, 1))]
        cut = [(c, s, min(e, len(out))) for c, s, e in groups if s < len(out)]
        if not cut or cut[-1][2] < len(out):  # the new last factor opens a brace of its own
            cut.append((f"and now talk to the {_kind_of(wrt)}", len(out) - 1, len(out)))
        return out, cut

    def col(m: NDArray[np.float64], i: int) -> NDArray[np.float64]:
        return m[:, i]

    for j, v in enumerate(y_hat):
        if v is wrt and model.output == "softmax":
            return target(0, f"∂L/∂{yh}_{j + 1}", col(dL_dy, j))
    for k in range(L, 0, -1):  # layer k: a_k (and h_k, W_k, b_k)
        layer = layers[k - 1]
        a_k = np.array([v.data for v in layer.a])
        if k < L:  # ∂a_{k+1}/∂h_k, ∂h_k/∂a_k
            hk = layer.h
            for i, v in enumerate(hk):
                if v is wrt and v is not layer.a[i]:
                    return target(len(chain), f"∂a_{k + 1}/∂h_{{{k},{i + 1}}}", col(W[k + 1], i))
            chain.append(Jacobian(f"∂a_{k + 1}/∂h_{k}", W[k + 1]))
            chain.append(Jacobian(f"∂h_{k}/∂a_{k}", np.diag(activation_derivative(a_k, model.activation))))
            groups.append(("talk to the previous hidden layer", len(chain) - 2, len(chain)))
        for i, v in enumerate(layer.a):
            if v is wrt:
                last = chain[-1]
                return target(len(chain) - 1, last.symbol.rpartition("/")[0] + f"/∂a_{{{k},{i + 1}}}", col(last.value, i))
        h_prev = np.array(x_data if k == 1 else [v.data for v in layers[k - 2].h])
        for i, row in enumerate(layer.W):
            for jj, w in enumerate(row):
                if w is wrt:
                    column = np.zeros(len(layer.a))
                    column[i] = h_prev[jj]
                    chain.append(Jacobian(f"∂a_{k}/∂W_{{{k},{i + 1},{jj + 1}}}", column.reshape(-1, 1)))
                    groups.append(("and now talk to the weights", len(chain) - 1, len(chain)))
                    return chain, groups
        for i, bias in enumerate(layer.b):
            if bias is wrt:
                column = np.zeros(len(layer.a))
                column[i] = 1.0
                chain.append(Jacobian(f"∂a_{k}/∂b_{{{k},{i + 1}}}", column.reshape(-1, 1)))
                groups.append(("and now talk to the bias", len(chain) - 1, len(chain)))
                return chain, groups
    for j, v in enumerate(x_nodes):
        if v is wrt:
            chain.append(Jacobian(f"∂a_1/∂x_{j + 1}", col(W[1], j).reshape(-1, 1)))
            groups.append(("and now talk to the input", len(chain) - 1, len(chain)))
            return chain, groups
    raise ValueError(f"explain: {name(wrt)!r} is not a weight, bias, unit or input of {model!r}")


def find(root: Value, label: str, model: MLP | None = None) -> Value:
    """The node called ``label``: below ``root``, or (with ``model``) any unit, weight, bias, input or output ŷ_j of the
    model's last forward pass, even one with no path to ``root`` (such as ŷ_2 when L = -log ŷ_1). The slide's short
    forms are accepted (``W_111``, ``W111`` for ``W_{1,1,1}``; ``yhat_2`` for ``ŷ_2``).

    Raises:
        ValueError: no node has that label (the message lists the patterns of the names there are, and says that
            indices count from 1 when the name has a 0).
    """
    wanted = {label, canonical_name(label)}
    nodes = topological_order(root)
    if model is not None:
        layers = model.layers
        nodes += [v for v in layers[0].h_prev if isinstance(v, Value)]
        nodes += [v for layer in layers for v in (*layer.a, *layer.h, *(w for row in layer.W for w in row), *layer.b)]
    for v in nodes:
        if v.label in wanted:
            return v
    patterns = sorted({_pattern(v.label) for v in nodes if v.label})
    hint = "; indices count from 1, as on the slides" if re.search(r"(?<!\d)0", label) else ""
    raise ValueError(f"{label!r} is not a name in this graph; names look like {', '.join(patterns)}{hint}")


def _pattern(label: str) -> str:
    """``W_{1,2,3}`` -> ``W_{k,i,j}``, ``h_{2,1}`` -> ``h_{k,i}``, ``x_3`` -> ``x_j``: the shape of a name, not its indices."""
    letters = {1: "j", 2: "ki", 3: "kij"}.get(len(re.findall(r"\d+", label)), "n" * 9)
    it = iter(letters)
    return re.sub(r"\d+", lambda _: next(it, "n"), label)


def canonical_name(label: str) -> str:
    """The library's label for a name as the slides write it: ``W_111``/``W111`` -> ``W_{1,1,1}``, ``a_21`` -> ``a_{2,1}``.

    Single-digit indices only (``W_111`` is ambiguous otherwise); any other text is returned unchanged.
    """
    m = re.fullmatch(r"([Wbah])_?\{?(\d)(\d)(\d)?\}?", label)
    if not m:
        hat = re.fullmatch(r"(?:yhat|y_hat|ŷ)_?\{?(\d+)\}?", label)
        return f"ŷ_{hat.group(1)}" if hat else label
    return f"{m.group(1)}_{{{','.join(g for g in m.groups()[1:] if g)}}}"
