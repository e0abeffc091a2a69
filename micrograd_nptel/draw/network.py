"""The lecture's picture of the network (:func:`draw_network`): one node per unit, weights as edges, layers as columns."""

from __future__ import annotations

import html
import re
import textwrap
from collections.abc import Mapping
from typing import TYPE_CHECKING, NamedTuple, cast

import graphviz

from ..engine import Value
from ..paths import count_paths
from .render import NetworkPicture, check_dpi, check_size, finish
from .style import (
    FILL,
    INPUT_BORDER,
    NEGATIVE,
    NOW_EDGE,
    NOW_FILL,
    PATH_COLOUR,
    POSITIVE,
    ROOT_BORDER,
    UNKNOWN,
    grad_text_colour,
    html_math,
    number_text,
    subscripted,
    text_colour,
    text_width,
)

if TYPE_CHECKING:
    from ..lecture import BackwardStep
    from ..nn import MLP, Layer

Edge = tuple[str, str, str]
"""An edge of the unit graph: (source node, target node, key): key a weight's name, "O" for the output function, "L" the loss."""


class _Sizes(NamedTuple):
    """Point sizes of the picture's text, and the scale of its cells (1 at the default sizes)."""

    name: float
    value: float
    grad: float
    bias: float
    title: float
    note: float
    weight: float
    scale: float

    def scaled(self, k: float) -> _Sizes:
        name, value, grad, bias, title, note, weight = (round(v * k, 1) for v in self[:-1])
        return _Sizes(name, value, grad, bias, title, note, weight, self.scale * k)


_DEFAULT_SIZES = _Sizes(name=14, value=12, grad=11, bias=11, title=12, note=12, weight=11, scale=1.0)
_SLIDE_SIZES = _Sizes(name=26, value=20, grad=19, bias=19, title=19, note=19, weight=18, scale=1.25)
_SLIDE_STEP_SIZES = _Sizes(name=27, value=18, grad=18, bias=18, title=18, note=18, weight=18, scale=1.25)
"""A slide's step frame: every text at 18 pt (30 px and more on 1920 x 1080), cells as wide as their text."""
SLIDE_DPI = 120
SLIDE_STEP_DIGITS = 3
"""Significant digits of a slide step frame's numbers (4 elsewhere): a cell and the matrix's entries fit 16:9 at 18 pt."""
_TITLE_CHARS = 27
"""The longest formula of a step's title, in characters shown: ``∇h₀ L = W₁ᵀ ∇a₁ L  (h₀ = x)`` and one to spare."""
_EM = 0.58
"""A character's width at these labels' fonts, in ems (measured: Graphviz's DejaVu/Liberation Sans digits 0.56-0.64,
subscripts and spaces less): enough to size a cell for its text."""
_MATRIX_MAX = 6
"""The largest ∇W (rows or columns) a step frame lists entry by entry; a larger one is read off the edges."""


def _pt(x: float) -> str:
    return f"{x:g}"


def draw_network(
    mlp: MLP,
    *,
    highlight: str | None = None,
    step: BackwardStep | None = None,
    size: str | None = None,
    loss: Value | None = None,
    weight_labels: bool | None = None,
    gradients: bool = True,
    slide: bool = False,
    dpi: float | None = None,
    graph_attr: Mapping[str, str] | None = None,
    node_attr: Mapping[str, str] | None = None,
    edge_attr: Mapping[str, str] | None = None,
) -> graphviz.Digraph:
    """The lecture's picture of the network: one node per unit, weights as edges, layers as columns.

    Inputs ``x_1..x_n`` on the left; each unit drawn as the slide draws it: its bias ``b_{k,i}`` (added
    where the weights come in), its pre-activation ``a_{k,i}`` (where the weights come in) and, in a
    hidden layer, its activation ``h_{k,i}`` (where they leave), each with its value and ∂L/∂ (``∇``);
    the output layer's ``a_{L,j}``, the outputs ``ŷ_j`` (O's edges between them) and the loss ``L``.
    Units are in index order, unit 1 on top. Each weight edge ``W_{k,i,j}`` shows ∂L/∂W_{k,i,j} by
    colour (blue > 0, vermillion < 0: Okabe-Ito colours, told apart under colour-vision deficiencies) and width
    (∝ ``|∂L/∂W|``), and with ``weight_labels`` its number, written on the edge 40% of the way back from the unit it
    enters (at 40%, no two labels of a 3-3 layer meet). A step frame has a panel on the right: the step, and the
    ∂L/∂W computed at that step as the matrix, each entry under its name ``W_{k,i,j}``; every frame of a network
    is the same size in pixels.

    Source: CS7015 Lecture 4, Module 4.1 (the figure of the network), 4.4 (the paths from a
    weight to the loss), 4.8 (the backward pass, step by step).

    Args:
        mlp: a network after a forward pass (and ``backward()``, for gradients): ``mlp.layers[i].a``/``.h`` are read.
        highlight: a weight ``W_{k,i,j}``, bias ``b_{k,i}``, unit ``a_{k,i}``/``h_{k,i}`` or input
            ``x_j`` (the slide's short forms ``W_111`` work too): every path from it to L is drawn
            black and wide (the other edges thin and faded), with the number of paths in the notes (Module 4.4).
        step: a :class:`~micrograd_nptel.lecture.BackwardStep` from ``backward_steps(mlp, x, y)``:
            only the gradients known after that step are filled in ("?" for the rest), and the
            ones computed at that step are marked in orange. The pseudo code goes from L straight to
            ``∇_{a_L}L = -(e(y) - ŷ)`` (Module 4.8), so ∇ŷ is never computed on its own: ŷ shows "—".
        size: the largest drawing in inches, Graphviz's ``"width,height"``.
        loss: the loss node, to show L's value and which ŷ_j it uses (by default every ŷ_j, no value).
        weight_labels: write ∂L/∂W on the weight edges: True for every known one; False or None (the default) for
            none (a step frame lists the ones it computes beside the picture, as the matrix ∇W_k, named).
        gradients: False draws values only, every ∇ a "?" and every weight grey (an exercise's picture, which must
            not give the answer away).
        slide: for a projector: larger text (names 18 pt, numbers 16 pt, ∇ 15 pt; name and value on one line), at most
            16 x 9 inches (``size`` unless given), PNG at 120 dpi: at most 1920 x 1080 pixels. A step frame: every text
            at 18 pt, numbers to 3 significant digits, each column as wide as its text, scaled to fill 16 x 9 inches:
            the lecture's 3-3-3-2 network's frames show every text, the ∇W matrix's too, at 30.6 px on 1920 x 1080
            (with ``weight_labels`` the gaps widen to hold the labels clear of the cells: 26 px).
        dpi: the PNG resolution (96 by default, 120 in slide mode).
        graph_attr, node_attr, edge_attr: your own Graphviz attributes, applied last; ``node_attr["fontsize"]``
            scales every text of the units (and their cells) from the numbers' size.

    Returns:
        A :class:`NetworkPicture` (a ``graphviz.Digraph``; render it with :func:`render`; Jupyter shows it as a PNG).

    Raises:
        TypeError: ``mlp`` is not an MLP.
        ValueError: the network has not run forward yet, a bad ``size``, ``dpi`` or ``fontsize``, or ``highlight`` is
            not one of its names.
    """
    _check_network(mlp, highlight, step)
    check_dpi(dpi)
    drawing = _Drawing(mlp, step, loss, gradients, _sizes(slide, step is not None, node_attr), slide)
    dot = drawing.picture(size if size is not None else ("16,9" if slide else None), highlight, weight_labels)
    if slide and step is not None and size is None:  # a step frame fills 16:9, up or down (its text is sized for that)
        dot.graph_attr["size"] += "!"
    return finish(dot, dpi, SLIDE_DPI if slide else None, graph_attr, node_attr, edge_attr)


def _sizes(slide: bool, step: bool, node_attr: Mapping[str, str] | None) -> _Sizes:
    """The picture's text sizes: the mode's, or scaled to the user's ``node_attr["fontsize"]`` for the numbers (every
    other text keeps its proportion); ValueError for a fontsize that is not a number of points from 4 to 200."""
    sizes = (_SLIDE_STEP_SIZES if step else _SLIDE_SIZES) if slide else _DEFAULT_SIZES
    if node_attr and "fontsize" in node_attr:
        try:
            fontsize = float(node_attr["fontsize"])
        except ValueError:
            fontsize = -1.0
        if not 4 <= fontsize <= 200:
            raise ValueError(f"node_attr fontsize must be a number of points from 4 to 200, got {node_attr['fontsize']!r}")
        sizes = sizes.scaled(fontsize / sizes.value)
    return sizes


def _check_network(mlp: MLP, highlight: str | None, step: BackwardStep | None) -> None:
    """TypeError/ValueError for an argument :func:`draw_network` cannot draw."""
    from ..lecture import BackwardStep
    from ..nn import MLP

    if not isinstance(mlp, MLP):
        raise TypeError(f"draw_network needs an MLP, got {mlp!r} of type {type(mlp).__name__}")
    if highlight is not None and not isinstance(highlight, str):
        raise TypeError(f"draw_network: highlight must be a name such as 'W_{{1,1,1}}' or 'W_111', got {highlight!r}")
    if step is not None and not isinstance(step, BackwardStep):
        raise TypeError(f"draw_network: step must be a BackwardStep from backward_steps(mlp, x, y), got {step!r}")
    if not mlp.layers[0].a:
        raise ValueError("draw_network: run the network forward first (mlp(x), then L.backward() for gradients)")
    if step is not None:  # a step of another network, or of another input, would draw a picture that mixes the two
        y_now = [v.data for v in mlp.layers[-1].h]
        if len(step.y_hat) != len(y_now) or any(abs(a - b) > 1e-9 * max(1.0, abs(b)) for a, b in zip(step.y_hat, y_now)):
            raise ValueError(
                "draw_network: this step is not of this network's last forward pass (its ŷ differs); "
                "take the steps from backward_steps(mlp, x, y) with the same network and input"
            )


class _Drawing:
    """The network picture being built: its unit tables, the unit graph, and where everything goes (inches)."""

    def __init__(self, mlp: MLP, step: BackwardStep | None, loss: Value | None, gradients: bool, sizes: _Sizes, slide: bool) -> None:
        self.mlp, self.step, self.loss, self.gradients, self.s, self.slide = mlp, step, loss, gradients, sizes, slide
        self.frame = slide and step is not None  # a slide's step frame: laid out from its text's widths, to fill 16:9
        self.digits = SLIDE_STEP_DIGITS if self.frame else 4
        self.L = len(mlp.layers)
        # a slide's cell writes name and value on one line; a step frame's cells are as wide as their column's widest
        # line in any frame (x, the layers, ŷ)
        cell_pt = 66.0 * sizes.scale
        self.cell_pt = self._column_widths() if slide else [cell_pt] * (self.L + 2)
        self.known: dict[str, float] | None = step.grads if step is not None else None if gradients else {}
        self.now = step.computing if step is not None else frozenset()
        self.names: dict[str, str] = {}  # a name the user may highlight -> node id
        self.edges: list[Edge] = []
        self.tables: dict[str, str] = {}  # node id -> label
        self.columns: list[list[str]] = []
        self._units()

    # ------------------------------------------------------------------ the units as tables
    def grad(self, name: str, v: Value) -> float | None:
        return v.grad if self.known is None else self.known.get(name)

    def num(self, x: float) -> str:
        """A number as the picture writes it: 4 significant digits, 3 in a slide's step frame."""
        return number_text(x, digits=self.digits)

    def _column_widths(self) -> list[float]:
        """A step frame's cell width in each column (x, the layers, ŷ; points): its widest line in any frame of this
        network (``backward_steps`` ran ``backward()``, so a ``.grad`` is the number its ∇ will show): a unit's name and
        value, ``b_{k,i} = value``, or ``∇ number``; padding 2 and a border each side, and 2 points to spare."""
        s, layers = self.s, self.mlp.layers

        def unit(name: str, index: str, data: float, g: float | None) -> list[float]:
            line = text_width(subscripted(name, index), s.name, bold=True) + text_width(" " + self.num(data), s.value)
            return [line, text_width("∇ " + ("—" if g is None else self.num(g)), s.grad)]

        column: list[float] = []
        for j, x in enumerate(layers[0].h_prev, 1):  # x entered as numbers: its ∇ (∇h_0, from the steps) as -0.00123
            x_data, x_grad = (x.data, x.grad) if isinstance(x, Value) else (float(cast(float, x)), -0.00123)
            column += unit("x", str(j), x_data, x_grad)
        widths = [column]
        for k, layer in enumerate(layers, 1):
            column = [w for i, a in enumerate(layer.a, 1) for w in unit("a", f"{k},{i}", a.data, a.grad)]
            if k < self.L:
                column += [w for i, h in enumerate(layer.h, 1) for w in unit("h", f"{k},{i}", h.data, h.grad)]
            for i, b in enumerate(layer.b, 1):
                column += [
                    text_width(f"{subscripted('b', f'{k},{i}')} = {self.num(b.data)}", s.bias),
                    text_width("∇ " + self.num(b.grad), s.grad),
                ]
            widths.append(column)
        widths.append([w for j, v in enumerate(layers[-1].h, 1) for w in unit("ŷ", str(j), v.data, None)])
        return [max(column) + (16 if not self.frame else 14) for column in widths]

    def cell(self, name_html: str, value: float, g: float | None, key: str, port: str = "", g_text: str | None = None) -> str:
        """A unit's a or h (or x, ŷ): the name, the value, the ∇ below it; orange when computed at this step."""
        s = self.s
        fill = f' BGCOLOR="{NOW_FILL}"' if key in self.now else ""
        colour = grad_text_colour(None if g_text else g, NOW_FILL if key in self.now else "#ffffff")
        g_text = g_text or ("?" if g is None else self.num(g))
        p = f' PORT="{port}"' if port else ""
        name = f'<FONT POINT-SIZE="{_pt(s.name)}"><B>{name_html}</B></FONT>'
        number = f'<FONT POINT-SIZE="{_pt(s.value)}">{self.num(value)}</FONT>'
        width = _pt(round(self.cell_pt[self._column(key)], 1))
        return (
            f'<TD{p}{fill} CELLPADDING="2" WIDTH="{width}">{name}{" " if self.slide else "<BR/>"}{number}<BR/>'
            f'<FONT COLOR="{colour}" POINT-SIZE="{_pt(s.grad)}">∇ {g_text}</FONT></TD>'
        )

    def _column(self, key: str) -> int:
        """The column of a cell's quantity: 0 for x_j, k for a_{k,i} and h_{k,i}, L + 1 for ŷ_j."""
        m = re.match(r"[ah]_\{(\d+),", key)
        return int(m.group(1)) if m else 0 if key.startswith("x") else self.L + 1

    def bias_cell(self, k: int, i: int, b: Value) -> str:
        """b_{k,i} and its value on one line, ∇ below, smaller, on grey: the bias a_{k,i} adds."""
        key = f"b_{{{k},{i}}}"
        g = self.grad(key, b)
        fill = NOW_FILL if key in self.now else "#f1f1f1"
        if self.slide and not self.frame:  # one line: ∇b is ∇a, written in the a cell below it
            return (
                f'<TD BGCOLOR="{fill}" CELLPADDING="1" WIDTH="{_pt(round(self.cell_pt[k], 1))}">'
                f'<FONT POINT-SIZE="{_pt(self.s.bias)}">{subscripted("b", f"{k},{i}")} = {self.num(b.data)}</FONT></TD>'
            )
        return (
            f'<TD BGCOLOR="{fill}" CELLPADDING="1" WIDTH="{_pt(round(self.cell_pt[k], 1))}"><FONT POINT-SIZE="{_pt(self.s.bias)}">'
            f"{subscripted('b', f'{k},{i}')} = {self.num(b.data)}<BR/>"
            f'<FONT COLOR="{grad_text_colour(g, fill)}">∇ {"?" if g is None else self.num(g)}</FONT>'
            "</FONT></TD>"
        )

    @staticmethod
    def table(*rows: str, border: str = "#555555") -> str:
        """One cell a row: a hidden unit is a_{k,i} above h_{k,i}, so a column of units is one cell wide."""
        body = "".join(f"<TR>{r}</TR>" for r in rows)
        return f'<<TABLE BORDER="1" COLOR="{border}" CELLBORDER="1" CELLSPACING="0" BGCOLOR="#ffffff">{body}</TABLE>>'

    def _units(self) -> None:
        """Every node's table and the unit graph's edges, column by column: x, the layers, ŷ, L."""
        layers, L = self.mlp.layers, self.L
        self.columns.append([f"x{j}" for j in range(self.mlp.nin)])
        for j, v in enumerate(layers[0].h_prev):  # Values, or floats when x entered as constants (then ∇x is "?")
            self.names[f"x_{j + 1}"] = f"x{j}"
            if isinstance(v, Value):
                x_value, x_grad = v.data, self.grad(f"x_{j + 1}", v)
            else:  # x entered as constants: ∇x is known only from the pseudo code's steps
                x_value, x_grad = float(cast(float, v)), None if self.known is None else self.known.get(f"x_{j + 1}")
            self.tables[f"x{j}"] = self.table(
                self.cell(subscripted("x", str(j + 1)), x_value, x_grad, f"x_{j + 1}", "h"), border=INPUT_BORDER
            )
        for k, layer in enumerate(layers, 1):
            column = []
            for i, a in enumerate(layer.a):
                uid, a_name = f"u{k}_{i}", f"a_{{{k},{i + 1}}}"
                cells = [
                    self.bias_cell(k, i + 1, layer.b[i]),
                    self.cell(subscripted("a", f"{k},{i + 1}"), a.data, self.grad(a_name, a), a_name, "a"),
                ]
                self.names[a_name] = self.names[f"b_{{{k},{i + 1}}}"] = uid
                if k < L:
                    h, h_name = layer.h[i], f"h_{{{k},{i + 1}}}"
                    cells.append(self.cell(subscripted("h", f"{k},{i + 1}"), h.data, self.grad(h_name, h), h_name, "h"))
                    self.names[h_name] = uid
                self.tables[uid] = self.table(*cells)
                column.append(uid)
                prev = "x{j}" if k == 1 else f"u{k - 1}_{{j}}"
                self.edges += [(prev.format(j=j), uid, f"W_{{{k},{i + 1},{j + 1}}}") for j in range(layer.nin)]
            self.columns.append(column)
        self._outputs()

    def _outputs(self) -> None:
        """ŷ (O's edges into it) and L (the edges of the ŷ_j it uses)."""
        y_hat, step, L = self.mlp.layers[-1].h, self.step, self.L
        outputs = []
        for j, v in enumerate(y_hat):
            # ∂L/∂ŷ: the loss's own derivative; in step mode "—": the pseudo code folds it into ∇_{a_L}L
            folded = "—" if step is not None else None if self.gradients else "?"
            self.tables[f"y{j}"] = self.table(
                self.cell(subscripted("ŷ", str(j + 1)), v.data, v.grad, f"ŷ_{j + 1}", g_text=folded), border=ROOT_BORDER
            )
            self.names[f"ŷ_{j + 1}"] = f"y{j}"
            outputs.append(f"y{j}")
            self.edges += [(f"u{L}_{i}", f"y{j}", "O") for i in range(len(y_hat)) if self.mlp.output == "softmax" or i == j]
        self.columns.append(outputs)
        loss = self.loss
        used = (
            list(step.uses) if step is not None else [j for j, v in enumerate(y_hat) if loss is None or any(p is v for p in loss.parents)]
        )
        self.edges += [(f"y{j}", "L", "L") for j in used]
        loss_value = step.loss if step is not None else None if loss is None else loss.data
        loss_text = "" if loss_value is None else f"<BR/>{self.num(loss_value)}"
        loss_cell = f'<TD CELLPADDING="4"><FONT POINT-SIZE="{_pt(self.s.name)}"><B>L</B>{loss_text}</FONT></TD>'
        self.tables["L"] = f'<<TABLE BORDER="3" COLOR="{ROOT_BORDER}" CELLBORDER="0" BGCOLOR="{FILL["root"]}"><TR>{loss_cell}</TR></TABLE>>'
        self.columns.append(["L"])

    # ------------------------------------------------------------------ the picture
    def picture(self, size: str | None, highlight: str | None, weight_labels: bool | None) -> graphviz.Digraph:
        """Pinned positions (neato): columns left to right, unit 1 on top, exactly as the slide (dot reorders units)."""
        on_path, n_paths = _paths_to_loss(highlight, self.names, self.edges, self.mlp) if highlight else (set(), 0)
        self.labels = bool(weight_labels)
        pad = "0.06" if self.frame else "0.12"  # a step frame fills its 16:9 frame
        graph_attr = {"splines": "line", "fontname": "Helvetica", "outputorder": "edgesfirst", "pad": pad}
        if size is not None:
            graph_attr["size"] = check_size(size)
        dot = NetworkPicture(engine="neato", graph_attr=graph_attr)
        dot.attr("node", shape="plaintext", fontname="Helvetica", fontsize=_pt(self.s.value))
        dot.attr("edge", fontname="Helvetica", fontsize=_pt(self.s.weight), arrowsize="0.5")
        self._place(dot)
        for e in self.edges:
            self._edge(dot, e, e in on_path, bool(highlight), bool(weight_labels))
        notes = self._notes(highlight, n_paths)
        if self.step is None:
            label = "<" + "".join(n + '<BR ALIGN="LEFT"/>' for n in notes) + ">"
            dot.attr(label=label, labelloc="t", labeljust="l", fontsize=_pt(self.s.note), fontcolor="#333333")
        else:
            self._panel(dot, notes, right=self.slide)
        return dot

    def _place(self, dot: graphviz.Digraph) -> None:
        """Every column's title and nodes at their pinned positions (inches); remembers each node's centre."""
        r, L = self.s.scale, self.L
        if self.frame:
            row, self.port_y, loss_w, gaps, above, below = self._frame_layout()
        else:
            loss_w, gaps, above, below = 0.55 * r, [0.8 * (1 + r) / 2] * L + [0.28 * r, 0.22 * r], 1.05 * r, 0.8 * r
        if self.slide and not self.frame:
            row, self.port_y = self._slide_rows()
        elif not self.slide:
            row = (1.8 if L > 1 else 1.05) * r  # inches between units (a hidden unit is b, a and h: 1.53 tall)
            self.port_y = {k: v * r for k, v in {"x": 0.0, "h": -0.465, "a_hidden": 0.135, "a_out": -0.165}.items()}
        tallest = max(len(column) for column in self.columns)
        # each column's width (inches; a table is 66 pt wide at scale 1; gaps leave room for labels) and centre
        self.widths = [w / 72 + 0.003 for w in self.cell_pt] + [loss_w]
        self.centres: list[float] = [self.widths[0] / 2]
        for c in range(1, len(self.columns)):
            self.centres.append(self.centres[-1] + self.widths[c - 1] / 2 + gaps[c - 1] + self.widths[c] / 2)
        titles = ["<input x = h" + subscripted("", "0") + ">"] + [f"hidden layer {k}" for k in range(1, L)]
        titles += [f"output layer {L}", "<ŷ = O(a" + subscripted("", str(L)) + ")>", "loss"]
        if self.frame:  # two lines: a title as wide as its column
            titles = ["<input<BR/>x = h" + subscripted("", "0") + ">"] + [f"<hidden<BR/>layer {k}>" for k in range(1, L)]
            titles += [f"<output<BR/>layer {L}>", "<ŷ = O(a" + subscripted("", str(L)) + ")>", "loss"]
        self.top = (tallest - 1) * row / 2 + above  # the titles' line
        self.bottom = -(tallest - 1) * row / 2 - below  # below the lowest unit
        self.unit_y: dict[str, float] = {}
        for c, (column, title) in enumerate(zip(self.columns, titles)):
            dot.node(
                f"title{c}", label=title, fontsize=_pt(self.s.title), fontcolor="#444444", pos=f"{self.centres[c]:.2f},{self.top:.2f}!"
            )
            for i, uid in enumerate(column):
                y = (len(column) - 1) * row / 2 - i * row  # unit 1 on top, the column centred
                self.unit_y[uid] = y
                dot.node(uid, label=self.tables[uid], pos=f"{self.centres[c]:.2f},{y:.2f}!")
        self.column_of = {uid: c for c, column in enumerate(self.columns) for uid in column}
        weights = {  # by place, not by label: a tied, replaced (W += 0.1) or relabelled weight is still W_{k,i,j}
            f"W_{{{k},{i},{j}}}": w
            for k, layer in enumerate(self.mlp.layers, 1)
            for i, row_ in enumerate(layer.W, 1)
            for j, w in enumerate(row_, 1)
        }
        self.weights = weights
        self.gmax = max((abs(self.grad(n, w) or 0.0) for n, w in weights.items()), default=0.0) or 1.0

    def _slide_rows(self) -> tuple[float, dict[str, float]]:
        """Slide mode's row height and each cell's centre from its unit's centre (inches), from the font sizes: a line
        is as tall as its largest font (Graphviz), a cell adds its padding and border (the default mode's 1.53-inch
        unit and its cell centres come out of the same sums)."""
        s = self.s
        bias = s.bias + 3  # points: one line (∇b is ∇a, in the a cell), padding 1, border
        cell = max(s.name, s.value) + s.grad + 5  # name and value on one line, ∇ below; padding 2, border
        hidden = 2 + bias + 2 * cell  # b, a and h, and the table's border
        top = hidden / 2
        a_hidden = top - 1 - bias - cell / 2
        out_top = (2 + bias + cell) / 2
        ports = {"x": 0.0, "h": (a_hidden - cell) / 72, "a_hidden": a_hidden / 72, "a_out": (out_top - 1 - bias - cell / 2) / 72}
        return (hidden if self.L > 1 else 2 + bias + cell) / 72 + 0.3 * s.scale, ports

    def _frame_layout(self) -> tuple[float, dict[str, float], float, list[float], float, float]:
        """A slide step frame's row height, cell centres from their unit's centre, L's width, the gaps between
        columns, and the titles' line above the top unit's centre and the frame's edge below the lowest one (inches),
        from the text: a line is 1.11 times its font tall (Graphviz), a cell adds its padding and border."""
        s = self.s
        line = 1.11 / 72  # inches a point of font takes as a line

        def lines(*pts: float) -> float:
            return sum(pt * line for pt in pts)

        bias = lines(s.bias, s.grad) + 3 / 72  # two lines, padding 1, border
        cell = lines(max(s.name, s.value), s.grad) + 5 / 72  # name and value on one line, ∇ below; padding 2, border
        hidden = 2 / 72 + bias + 2 * cell  # b, a and h, and the table's border
        unit = hidden if self.L > 1 else 2 / 72 + bias + cell
        a_hidden = hidden / 2 - 1 / 72 - bias - cell / 2
        a_out = (2 / 72 + bias + cell) / 2 - 1 / 72 - bias - cell / 2
        ports = {"x": 0.0, "h": a_hidden - cell, "a_hidden": a_hidden, "a_out": a_out}
        loss_text = self.num(self.step.loss) if self.step is not None else "L"
        loss_w = (_EM * s.name * len(loss_text) + 20) / 72  # a border of 3, padding 4 and spacing 2 each side
        gaps = [self._layer_gap(layer) for layer in self.mlp.layers] + [0.3, 0.3]  # x->1, ..., (L-1)->L; a_L -> ŷ; ŷ -> L
        above = unit / 2 + 0.12 + lines(s.title, s.title) / 2  # the two-line titles just above the top unit
        return unit + 0.22, ports, loss_w, gaps, above, unit / 2 + 0.1

    def _layer_gap(self, layer: Layer) -> float:
        """A step frame's gap (inches) before ``layer``'s units: 0.6; with weight labels, room for the widest of its
        labels 40% of the way back from the unit an edge enters (they then stand clear of the cells, and the frame is
        wider: its matrix lists the step's ∇W at 30 px and more without them)."""
        if not self.labels:
            return 0.6
        widest = max(text_width(f"{w.grad:.3g}", self.s.weight) for row in layer.W for w in row)
        return max(0.6, (widest / 2 + 6) / 0.4 / 72)

    def label_pos(self, src: str, dst: str) -> str:
        """The point 40% of the way from the head of edge src -> dst (the a cell it enters) back to its tail."""
        c, d = self.column_of[src], self.column_of[dst]
        tail = (self.centres[c] + self.widths[c] / 2, self.unit_y[src] + self.port_y["x" if src.startswith("x") else "h"])
        into = "a_out" if dst.startswith(f"u{self.L}_") else "a_hidden"
        head = (self.centres[d] - self.widths[d] / 2, self.unit_y[dst] + self.port_y[into])
        return f"{head[0] + 0.4 * (tail[0] - head[0]):.3f},{head[1] + 0.4 * (tail[1] - head[1]):.3f}!"

    def _edge(self, dot: graphviz.Digraph, e: Edge, on_path: bool, highlighting: bool, labels: bool) -> None:
        """One edge: a weight by its ∇'s sign (colour) and size (width), a double orange line when computed now; on a path black, wide."""
        src, dst, key = e
        attrs: dict[str, str] = {}
        src_port = ":a:e" if src.startswith(f"u{self.L}_") else (":h:e" if src[0] in "ux" else "")
        dst_port = ":a:w" if dst.startswith("u") else ""
        if key.startswith("W"):
            g = self.grad(key, self.weights[key])
            if g is None:
                attrs.update(color=UNKNOWN, style="dashed", penwidth="1")
            else:
                attrs.update(color=POSITIVE if g >= 0 else NEGATIVE, penwidth=f"{0.8 + 5.2 * abs(g) / self.gmax:.2f}")
                if labels:  # a node on the edge (nodes are drawn after edges): white box, the sign's colour
                    dot.node(
                        f"label_{src}_{dst}",
                        label=f'<<TABLE BORDER="0" CELLPADDING="0" BGCOLOR="#ffffff"><TR><TD><FONT COLOR="{text_colour(attrs["color"])}" '
                        f'POINT-SIZE="{_pt(self.s.weight)}">{g:.3g}</FONT></TD></TR></TABLE>>',
                        pos=self.label_pos(src, dst),
                        margin="0",
                        width="0",
                        height="0",
                    )
            if key in self.now:  # a double line (orange, white, orange): told from vermillion by its shape, not hue alone
                attrs.update(color=NOW_EDGE, penwidth="2.5", style="solid")
        else:
            attrs.update(color="#888888", penwidth="1")
        if on_path:
            attrs.update(color=PATH_COLOUR + ":" + attrs["color"] if key.startswith("W") else PATH_COLOUR, penwidth="5", style="solid")
        elif highlighting and attrs["color"].startswith("#") and len(attrs["color"]) == 7:
            attrs["color"] += "40"  # dimmed and thin: every edge off the highlighted paths at a quarter of its colour
            attrs["penwidth"] = "1"
        dot.edge(src + src_port, dst + dst_port, **attrs)

    def _notes(self, highlight: str | None, n_paths: int) -> list[str]:
        """The key to the picture's colours, and what it highlights."""
        from ..derivation import canonical_name

        weights = "weights: width ∝ |∂L/∂W|, blue &gt; 0, vermillion &lt; 0; " if self.gradients else ""
        notes = [weights + "b: the bias each a adds"]
        if self.step is not None:
            notes.insert(0, "orange, double line: computed now; ?: not yet known")
            if self.step.number == 1:
                straight = "ŷ's ∇ is not computed on its own: the pseudo code goes from L straight to ∇a"
                notes.insert(1, straight + subscripted("", str(self.L)) + " (Module 4.8)")
        if highlight:
            paths = f"{n_paths} path{'s' * (n_paths != 1)}"
            notes.insert(0, f"black, wide: the {paths} from {html_math(canonical_name(highlight))} to L (Module 4.4)")
        return notes

    def _panel(self, dot: graphviz.Digraph, notes: list[str], right: bool) -> None:
        """A step frame's panel, the same size in every frame of the network: the step, the ∇W it computes as the
        matrix (each entry named W_{k,i,j}), and the notes; to the right of the picture (slide mode: it fills 16:9)
        or below it (the default: the frame stays as narrow as JupyterLab's column)."""
        assert self.step is not None
        s = self.s
        left, right_edge = self._edges_x()
        width, height, chars = self._panel_box(right, right_edge - left)
        title = f'<TD ALIGN="LEFT" BALIGN="LEFT" VALIGN="TOP"><B>{"<BR/>".join(self._title_lines(chars))}</B>'
        wrapped = "<BR/>".join(t for n in notes for t in _wrap_html(n, chars))
        notes_html = f'<FONT COLOR="#333333">{wrapped}</FONT>'
        align = ' ALIGN="LEFT"' if right else ""
        matrix = f'<TD VALIGN="TOP"{align}>{self._matrix()}</TD>'
        if right:
            notes_cell = f'<TD ALIGN="LEFT" BALIGN="LEFT">{notes_html}</TD>'
            body = f"<TR>{title}</TD></TR><TR>{matrix}</TR><TR>{notes_cell}</TR><TR><TD></TD></TR>"
            x, y = right_edge + (0.3 if self.frame else 0.35) + width / 72 / 2, (self.top + self.bottom) / 2
        else:
            body = f'<TR>{title}<BR/>{notes_html}</TD>{matrix}</TR><TR><TD COLSPAN="2"></TD></TR>'
            x, y = (left + right_edge) / 2, self.bottom - 0.1 - height / 72 / 2
        label = (
            f'<<TABLE BORDER="0" CELLSPACING="6" CELLPADDING="0" FIXEDSIZE="TRUE" WIDTH="{width:.0f}" HEIGHT="{height:.0f}">{body}</TABLE>>'
        )
        dot.node("panel", label=label, fontsize=_pt(s.note), pos=f"{x:.2f},{y:.2f}!", margin="0")
        # two invisible corners hold the frame: a cell that widens as its ∇ becomes known (step 9's ∇x) stays inside
        low, high = (self.bottom, x + width / 72 / 2) if right else (y - height / 72 / 2, right_edge + 0.02)
        top = self.top + (s.title * 1.11 / 72 + 0.06 if self.frame else 0.3 * s.scale)  # above the titles
        for name, at in (("corner_lo", f"{left:.2f},{low:.2f}!"), ("corner_hi", f"{high:.2f},{top:.2f}!")):
            dot.node(name, label="", shape="point", style="invis", width="0", height="0", pos=at)

    def _edges_x(self) -> tuple[float, float]:
        """The picture's left edge and the right edge of its L (inches), without the panel."""
        if self.frame:
            return self.centres[0] - self.widths[0] / 2 - 0.08, self.centres[-1] + self.widths[-1] / 2
        return self.centres[0] - 0.66 * self.s.scale, self.centres[-1] + 0.55 * self.s.scale / 2

    def _panel_box(self, right: bool, picture_w: float) -> tuple[float, float, int]:
        """The panel's width and height (points) and its text's line length (characters): beside the picture, as tall
        as it, as wide as the largest ∇W matrix (a step frame: and its longest step title); or below it, as wide."""
        s = self.s
        entry_w = self._entry_pt() + 6  # points: an entry's cell and its borders
        matrix_w = max(min(layer.nin, _MATRIX_MAX) for layer in self.mlp.layers) * entry_w
        em = 0.62 * s.note  # a character (~0.6 em; DejaVu Sans is wider than Helvetica)
        if right and self.frame:  # every step's title on its lines unbroken
            width = max(matrix_w + 12, _TITLE_CHARS * em)
            return width, (self.top - self.bottom) * 72, int(width / em)
        if right:
            width = max(matrix_w + 12, 250 * s.scale)
            return width, (self.top - self.bottom) * 72, max(20, int(width / em))
        matrix_h = (1 + max(min(len(layer.W), _MATRIX_MAX) for layer in self.mlp.layers)) * (s.bias + s.grad + 6) * 1.25
        width = picture_w * 72
        height = max(matrix_h, (5 + 4) * 1.25 * s.note) + 12  # the longest title (5 lines) and notes (4)
        return width, height, max(20, int((width - matrix_w - 24) / em))

    def _title_lines(self, chars: int) -> list[str]:
        """The step's title as HTML lines of about ``chars`` characters: "step n of 3L:", then one formula a line."""
        assert self.step is not None
        parts = [f"step {self.step.number} of {3 * self.L}:"] + [t.strip() for t in self.step.title.split(";")]
        if self.frame:  # wrapped by the characters shown (a subscript's markup is not shown)
            return [line for part in parts for line in _wrap_html(html_math(part), chars)]
        return [html_math(line) for part in parts for line in textwrap.wrap(part, chars, subsequent_indent="  ")]

    def _entry_pt(self) -> float:
        """A ∇W matrix entry's cell width (points): 70 at scale 1; in a step frame its widest name or number in any frame."""
        if not self.frame:
            return 70 * self.s.scale
        s, widths = self.s, [0.0]
        for k, layer in enumerate(self.mlp.layers, 1):
            widths.append(_EM * s.bias * len(f"W{k},{len(layer.W)},{layer.nin}"))
            widths += [_EM * s.grad * len(f"{w.grad:.3g}") for row in layer.W for w in row]
        return max(widths) + 8  # padding 2 each side, and 2 points to spare

    def _matrix(self) -> str:
        """The ∂L/∂W computed at this step as the matrix ∇W_k (rows i, columns j), each entry under its name; or a line
        saying this step computes no weight's gradient."""
        assert self.step is not None
        s = self.step
        ks = sorted({int(m.group(1)) for n in s.computing if (m := re.match(r"W_\{(\d+),", n))})
        if not ks:
            return f'<FONT COLOR="#666666" POINT-SIZE="{_pt(self.s.grad)}">no ∇W at this step</FONT>'
        k = ks[0]
        layer = self.mlp.layers[k - 1]
        if max(len(layer.W), layer.nin) > _MATRIX_MAX:
            shape = f"{len(layer.W)} × {layer.nin}"
            return f"<B>∇{subscripted('W', str(k))} L</B> ({shape}): too many to list; read them off the edges' colour and width"
        head = f'<TR><TD COLSPAN="{layer.nin}" ALIGN="LEFT"><B>∇{subscripted("W", str(k))} L</B> ({len(layer.W)} × {layer.nin}):</TD></TR>'
        rows, entry = [head], self._entry_pt()
        for i in range(len(layer.W)):
            cells = []
            for j in range(layer.nin):
                name = f"W_{{{k},{i + 1},{j + 1}}}"
                g = s.grads.get(name)
                cells.append(
                    f'<TD BGCOLOR="{NOW_FILL}" WIDTH="{_pt(round(entry, 1))}"><FONT POINT-SIZE="{_pt(self.s.bias)}">'
                    f"{subscripted('W', f'{k},{i + 1},{j + 1}')}</FONT><BR/>"
                    f'<FONT COLOR="{grad_text_colour(g, NOW_FILL)}" POINT-SIZE="{_pt(self.s.grad)}">'
                    f"{'?' if g is None else f'{g:.3g}'}</FONT></TD>"
                )
            rows.append(f"<TR>{''.join(cells)}</TR>")
        return f'<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="2">{"".join(rows)}</TABLE>'


def _wrap_html(text: str, width: int) -> list[str]:
    """An HTML-label line broken into lines of about ``width`` characters (tags and entities count as none)."""
    words, lines, current, length = text.split(" "), [], "", 0
    for w in words:
        n = len(html.unescape(re.sub(r"<[^>]+>", "", w)))
        if current and length + 1 + n > width:
            lines.append(current)
            current, length = w, n
        else:
            current, length = (f"{current} {w}", length + 1 + n) if current else (w, n)
    return [*lines, current] if current else lines


def _paths_to_loss(highlight: str, names: dict[str, str], edges: list[Edge], mlp: MLP) -> tuple[set[Edge], int]:
    """The unit-graph edges on some path from ``highlight`` to L, and the number of paths."""
    from ..derivation import canonical_name

    name = canonical_name(highlight.replace("y_hat_", "ŷ_"))
    weight = next((e for e in edges if e[2] == name), None)
    if weight is None and name not in names:
        valid = f"W_{{k,i,j}}, b_{{k,i}}, a_{{k,i}}, h_{{k,i}} (k = 1..{len(mlp.layers)}), x_j or ŷ_j"
        raise ValueError(f"highlight {highlight!r} is not a weight, bias, unit or input of this network; names look like {valid}")
    start = weight[1] if weight else names[name]
    after: dict[str, list[tuple[str, str, str]]] = {}
    for e in edges:
        after.setdefault(e[0], []).append(e)
    right_to_left = ["L", *reversed(list(dict.fromkeys([e[0] for e in edges])))]  # each node after the nodes it feeds
    count = count_paths(right_to_left, "L", lambda node: [e[1] for e in after.get(node, [])])  # paths from each node to L
    on: set[tuple[str, str, str]] = {weight} if weight else set()
    stack, seen = [start], {start}
    while stack:
        node = stack.pop()
        for e in after.get(node, []):
            if count.get(e[1], 0):
                on.add(e)
                if e[1] not in seen:
                    seen.add(e[1])
                    stack.append(e[1])
    return on, count.get(start, 0)
