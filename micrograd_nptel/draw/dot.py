"""The computation graph as Graphviz DOT (:func:`draw_dot`): values, gradients, local derivatives on the edges,
and the chain rule's paths highlighted with a legend."""

from __future__ import annotations

import html
import re
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import NamedTuple

import graphviz

from ..engine import Value
from ..paths import Edge, Path, node_name, trace
from .render import Picture, check_dpi, check_size, finish, fit_size
from .style import (
    FILL,
    PATH_COLOURS,
    PATH_STYLES,
    ROOT_BORDER,
    label_html,
    number_text,
    op_label,
    rounding_errors,
    text_colour,
    unicode_name,
)

MAX_NODES = 300
"""The most nodes :func:`draw_dot` draws by default (values and op nodes together)."""

_PARAMETER = re.compile(r"^[Wwb](\d+|_.*)?$")  # W, w1, b, b_2, W_{1,2,3}: the lecture's parameters
_LAYER = re.compile(r"^(?:W|b|a|h)_\{(\d+),")
_INPUT = re.compile(r"^x(_\w+|_\{\w+\})?$")


def _kind(v: Value, root: Value, params: set[Value] | None) -> str:
    if v is root:
        return "root"
    if v.parents:
        return "value"
    if params is not None:
        return "parameter" if v in params else ("input" if v.label else "constant")
    if not v.label:
        return "constant"
    return "parameter" if _PARAMETER.match(v.label) else "input"


def _layer(v: Value) -> int | None:
    """The layer a label names: ``W_{i,..}``/``b_{i,..}``/``a_{i,..}``/``h_{i,..}`` -> i, ``x_j`` -> 0, ``ŷ_j`` -> -1 (the last)."""
    m = _LAYER.match(v.label)
    if m:
        return int(m.group(1))
    if v.label.startswith("ŷ"):
        return -1
    return 0 if _INPUT.match(v.label) else None


def _natural(label: str) -> list[object]:
    """Sort key that puts ``W_{1,2,10}`` after ``W_{1,2,9}``."""
    return [int(t) if t.isascii() and t.isdigit() else t for t in re.split(r"([0-9]+)", label)]  # '²' is a digit to str, not to int


SLIDE_BOX = "16,9"
"""Slide mode's frame in inches: 16:9, so a PNG at :data:`SLIDE_DPI` is at most 1920 x 1080 pixels."""

SLIDE_DPI = 120
"""Slide mode's PNG resolution (dots per inch): 16 x 9 inches -> 1920 x 1080 pixels."""

_TEXT = {False: ("14", "12", "13"), True: ("26", "24", "24")}
"""(node, edge label, caption) font sizes in points, default and slide mode."""

SLIDE_NAME_PT = "36"
"""A node's name in slide mode, larger than its numbers (30 px cap height and more on 1920 x 1080)."""


def draw_dot(
    root: Value,
    rankdir: str | None = None,
    show_local_grads: bool = True,
    highlight: Sequence[Path] | None = None,
    format: str = "svg",
    parameters: Iterable[Value] | None = None,
    group_layers: bool | None = None,
    size: str | None = None,
    max_nodes: int = MAX_NODES,
    show_grads: bool = True,
    *,
    slide: bool = False,
    legend: str | None = None,
    dpi: float | None = None,
    graph_attr: Mapping[str, str] | None = None,
    node_attr: Mapping[str, str] | None = None,
    edge_attr: Mapping[str, str] | None = None,
) -> graphviz.Digraph:
    """The computation graph below ``root`` as a ``graphviz.Digraph`` (shown inline in Jupyter).

    Value nodes show label (when set), ``data`` and ``grad`` (4 significant digits; rounding noise such as
    ``0.5 - 0.6 + 0.1`` shows as 0); parameters are orange, inputs sky blue, constants grey, the root bluish green
    with a heavy border (Okabe-Ito colours, safe for the common colour-vision deficiencies). Each non-leaf value has
    an op node (``+``, ``*``, ``tanh``, ``linear``, ``softmax``, ...) whose incoming edges, one per parent use, carry
    the local derivative ``∂out/∂parent`` (CS7015 Lecture 4, Module 4.4: the chain rule's factors).

    For a network built with the lecture's labels (``W_{i,j,k}``, ``b_{i,j}``,
    ``a_{i,j}``, ``h_{i,j}``, inputs ``x_j``; as :class:`MLP` labels them) the nodes are
    grouped into one cluster per layer: input, hidden layer 1, ..., output layer.

    Args:
        root: the output node.
        rankdir: Graphviz direction: ``"LR"`` (left to right) or ``"TB"``, ``"RL"``, ``"BT"``;
            by default LR, or TB when ``size`` (or slide mode's 16:9 frame) is given and TB fits it at a larger scale.
        show_local_grads: label edges with local derivatives.
        highlight: paths from :func:`chain_rule_paths`; path k is drawn in its own colour and line style
            (``PATH_COLOURS``, ``PATH_STYLES``) and a legend lists each path's local derivatives, their product and the sum.
        format: the output format used by ``render``/``pipe`` (``"svg"``, ``"png"``, ``"pdf"``).
        parameters: the leaves to draw as parameters; by default, leaves labelled like
            the lecture's parameters (``W``, ``w1``, ``b``, ``b_2``, ``W_{1,2,3}``; not ``bias`` or ``x``).
        group_layers: cluster by layer; by default, when some label names a layer.
        size: the largest drawing, in inches, as Graphviz's ``"width,height"`` (e.g.
            ``"10,6"`` to fit a notebook column; a larger graph is scaled down, never up, and
            never below 3/4 of its natural size: a long chain is not squashed into a strip).
        max_nodes: refuse graphs with more nodes than this (Graphviz's layout time grows fast).
        show_grads: write each node's ``grad``; False draws values only (an exercise's picture, which must not give
            the answer away; then ``show_local_grads`` is off too).
        slide: lay the graph out for a projector: a 16:9 frame (``size`` "16,9" unless given, TB or LR, whichever
            fills it at the larger scale), name, value and gradient stacked in each node with its op, text at 26 pt:
            fitted to 1920 x 1080 the node text of a graph of ~15 ops is ≥ 30 px; PNG at 120 dpi.
        legend: where the paths' legend goes: ``"beside"`` (a box in the graph; the default), ``"below"`` (under
            the graph, one path a line, long routes wrapped; slide mode's default) or ``"off"``.
        dpi: the PNG/raster resolution (Graphviz's ``dpi``; 96 by default, 120 in slide mode).
        graph_attr, node_attr, edge_attr: your own Graphviz attributes (``{"fontsize": "20"}``), applied last:
            they win over the picture's own.

    Returns:
        A ``graphviz.Digraph``; ``.source`` is its DOT text.

    Raises:
        TypeError: ``root`` is not a Value.
        ValueError: a bad ``rankdir``, ``legend`` or ``dpi``, a highlighted path that is not in this graph, or more
            than ``max_nodes`` nodes (the message says what to draw instead).
    """
    legend = legend if legend is not None else ("below" if slide else "beside")
    if legend not in ("beside", "below", "off"):
        raise ValueError(f"legend must be 'beside', 'below' or 'off', got {legend!r}")
    check_dpi(dpi)
    style = _Style(show_local_grads and show_grads, show_grads, slide, legend, group_layers)

    def build(direction: str) -> graphviz.Digraph:
        return _build(root, direction, style, highlight, format, parameters, max_nodes)

    dot = _laid_out(build, rankdir, size if size is not None else (SLIDE_BOX if slide else None), fill=slide and size is None)
    return finish(dot, dpi, SLIDE_DPI if slide else None, graph_attr, node_attr, edge_attr)


def _laid_out(build: Callable[[str], graphviz.Digraph], rankdir: str | None, box: str | None, fill: bool) -> graphviz.Digraph:
    """The graph ``build`` draws in ``rankdir``, or (None) left to right or top to bottom, whichever fits ``box``
    (inches; ``fill``: fills it, slide mode) at the larger scale; ValueError for another ``rankdir``."""
    if rankdir is None:
        return fit_size(build("LR"), box, lambda: build("TB"), fill=fill)
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"rankdir must be one of 'LR', 'TB', 'RL', 'BT', got {rankdir!r}")
    dot = build(rankdir)
    if box is not None:
        dot.graph_attr["size"] = check_size(box)
    return dot


class _Style(NamedTuple):
    """How :func:`draw_dot` draws: what it writes, and in which mode."""

    local_grads: bool
    grads: bool
    slide: bool
    legend: str
    group_layers: bool | None


def _build(
    root: Value,
    rankdir: str,
    style: _Style,
    highlight: Sequence[Path] | None,
    format: str,
    parameters: Iterable[Value] | None,
    max_nodes: int,
) -> graphviz.Digraph:
    """The DOT graph of :func:`draw_dot` in one direction (arguments checked there)."""
    nodes, edges = trace(root)
    n_drawn = len(nodes) + (0 if style.slide else sum(1 for v in nodes if v.parents))  # value nodes and op nodes
    if n_drawn > max_nodes:
        raise ValueError(
            f"the graph has {n_drawn} nodes (values and ops), more than max_nodes={max_nodes}: Graphviz would take minutes; "
            "draw a smaller expression, or the network picture (draw_network / micrograd-nptel draw network)"
        )
    node_pt, edge_pt, caption_pt = _TEXT[style.slide]
    graph_attr = {"rankdir": rankdir, "fontname": "Helvetica", "nodesep": "0.25", "ranksep": "0.5", "ordering": "in"}
    if style.slide:
        graph_attr.update(nodesep="0.2", ranksep="0.35", pad="0.2")
    dot = Picture(format=format, graph_attr=graph_attr)
    dot.attr("node", fontname="Helvetica", fontsize=node_pt)
    dot.attr("edge", fontname="Helvetica", fontsize=edge_pt, color="#555555", fontcolor="#444444")
    ids = {v: f"n{k}" for k, v in enumerate(nodes)}  # n0 .. n{N-1}, in topological order; "n{k}op" is its op
    groups = _Groups(dot, nodes, style.group_layers, node_pt)
    params = set(parameters) if parameters is not None else None
    errors = rounding_errors(nodes)
    for v in groups.order:
        groups.place(v).node(ids[v], label=_node_label(v, _kind(v, root, params), style, errors), shape="plaintext")
    on_paths, through_op = _path_edges(highlight, ids, root)
    if not style.slide:
        for v in groups.order:
            if v.parents:
                _op_node(dot, groups.place(v), v, ids[v], through_op.get(ids[v]))
    for sub in groups.clusters.values():
        dot.subgraph(sub)
    for e in edges:
        _edge(dot, e, ids, style, on_paths.get((ids[e.parent], ids[e.child], e.slot)), len(edges), groups)
    _captions(dot, highlight, style, caption_pt)
    return dot


class _Groups:
    """The clusters of a network's layers: which layer each node is in, and where it is drawn."""

    def __init__(self, dot: graphviz.Digraph, nodes: list[Value], group_layers: bool | None, fontsize: str) -> None:
        layers = {v: _layer(v) for v in nodes}
        numbered = [i for i in layers.values() if i is not None and i > 0]
        self.grouped = bool(numbered) if group_layers is None else group_layers
        n_layers = max(numbered, default=0)
        for v, i in layers.items():
            if i == -1:
                layers[v] = n_layers if n_layers else None
        self.layers = layers
        self.dot = dot
        # op nodes sit with their value; emitting nodes in unit order keeps unit 1 on top
        position = {v: k for k, v in enumerate(nodes)}
        self.order = sorted(nodes, key=lambda v: (layers[v] is None, _natural(v.label), position[v])) if self.grouped else nodes
        self.clusters: dict[int, graphviz.Digraph] = {}
        if self.grouped:
            for i in sorted({i for i in layers.values() if i is not None}):
                name = "input" if i == 0 else ("output layer" if i == n_layers else f"hidden layer {i}")
                sub = graphviz.Digraph(name=f"cluster_{i}")
                title = f"{name} (layer {i})" if i else "input (h_0 = x)"
                sub.attr(label=title, style="rounded,dashed", color="#999999", fontcolor="#555555", fontsize=fontsize)
                self.clusters[i] = sub

    def place(self, v: Value) -> graphviz.Digraph:
        """The cluster ``v`` is drawn in, or the graph."""
        i = self.layers[v]
        return self.clusters[i] if self.grouped and i is not None else self.dot

    def crosses(self, e: Edge) -> bool:
        """``e`` goes from one layer's cluster to another's."""
        a, b = self.layers[e.parent], self.layers[e.child]
        return self.grouped and a is not None and b is not None and a != b


def _node_label(v: Value, kind: str, style: _Style, errors: tuple[dict[Value, float], dict[Value, float]]) -> str:
    """A value node's HTML label: name, data and grad in one row, or stacked (slide mode, with the op on top)."""
    border = f' BORDER="3" COLOR="{ROOT_BORDER}"' if kind == "root" else ' BORDER="1"'
    data = f"data {number_text(v.data, errors[0][v])}"
    grad = f"grad {number_text(v.grad, errors[1][v])}" if style.grads else ""
    name = f"<B>{label_html(v.label)}</B>" if v.label else ""
    if name and style.slide:
        name = f'<FONT POINT-SIZE="{SLIDE_NAME_PT}">{name}</FONT>'
    table = f'<<TABLE{border} CELLBORDER="0" CELLSPACING="0" CELLPADDING="{4 if style.slide else 3}" BGCOLOR="{FILL[kind]}">'
    if not style.slide:
        cells = (f"<TD>{name}</TD>" if name else "") + f"<TD>{data}</TD>" + (f"<TD>{grad}</TD>" if grad else "")
        return f"{table}<TR>{cells}</TR></TABLE>>"
    top = []
    if v.parents:  # the op, on grey as its own node is drawn by default
        top.append(f'<TD BGCOLOR="{_OP_FILL}" BORDER="1" SIDES="B">{html.escape(op_label(v.op))}</TD>')
    if name:
        top.append(f"<TD>{name}</TD>")
    span = len(top) or 1
    rows = [f"<TR>{''.join(top)}</TR>"] if top else []
    rows += [f'<TR><TD COLSPAN="{span}">{t}</TD></TR>' for t in (data, grad) if t]
    return f"{table}{''.join(rows)}</TABLE>>"


_OP_FILL = "#E8E8E8"


def _op_node(dot: graphviz.Digraph, where: graphviz.Digraph, v: Value, vid: str, colours: list[tuple[str, str]] | None) -> None:
    """The op node of ``v`` (``+``, ``σ``, ...) and its edge into ``v``, on the highlighted paths' lines if any go on."""
    op = op_label(v.op)
    op_shape = "circle" if len(op) <= 3 else "ellipse"
    where.node(f"{vid}op", label=op, shape=op_shape, style="filled", fillcolor="#f3f3f3", width="0.45", margin="0.03")
    dot.edge(f"{vid}op", vid, arrowsize="0.6", **(_path_attrs(colours) if colours else {}))


def _path_edges(
    highlight: Sequence[Path] | None, ids: dict[Value, str], root: Value
) -> tuple[dict[tuple[str, str, int], list[tuple[str, str]]], dict[str, list[tuple[str, str]]]]:
    """For each edge on a highlighted path, the (colour, style) of its paths; for each child, those that go on through its op."""
    on_paths: dict[tuple[str, str, int], list[tuple[str, str]]] = {}  # (parent, child, slot) -> paths' (colour, style)
    through_op: dict[str, list[tuple[str, str]]] = {}  # child -> the paths that leave its op node into it
    for k, path in enumerate(highlight or ()):
        look = (PATH_COLOURS[k % len(PATH_COLOURS)], PATH_STYLES[k % len(PATH_STYLES)])
        for t, slot in enumerate(path.parent_indices):
            parent, child = path.nodes[t], path.nodes[t + 1]
            if slot >= len(child.parents) or child.parents[slot] is not parent or child not in ids:
                raise ValueError(f"highlighted path {k + 1} is not in the graph below {node_name(root)}")
            on_paths.setdefault((ids[parent], ids[child], slot), []).append(look)
            through_op.setdefault(ids[child], []).append(look)  # the path goes on from the op node to its result: unbroken
    return on_paths, through_op


def _path_attrs(looks: Sequence[tuple[str, str]]) -> dict[str, str]:
    """An edge on highlighted paths: wide, in the paths' colours side by side, in the first path's line style."""
    return {"color": _parallel([c for c, _ in looks]), "penwidth": "3", "style": looks[0][1]}


def _edge(
    dot: graphviz.Digraph,
    e: Edge,
    ids: dict[Value, str],
    style: _Style,
    looks: list[tuple[str, str]] | None,
    n_edges: int,
    groups: _Groups,
) -> None:
    """The edge of one parent use, into the child's op node (or, in slide mode, into the child), with its local derivative."""
    attrs = {"arrowsize": "0.6" if not style.slide else "0.9"}
    if groups.crosses(e):
        attrs["minlen"] = "2"  # a rank of room between layers, so the clusters line up side by side
    if style.local_grads:
        # a label is a node to dot's layout (seconds for 50 edges into one node); an xlabel is placed after it
        attrs["label" if n_edges <= 40 else "xlabel"] = number_text(e.local_grad)
    if looks:
        attrs.update(_path_attrs(looks), fontcolor=text_colour(looks[0][0]))
        if len(looks) > 1 and "label" in attrs:  # beside the parallel lines, not on top of them
            attrs["xlabel"] = attrs.pop("label")
        if len(looks) > 1 and style.slide:  # room for the parallel lines and their label between two stacked nodes
            attrs["minlen"] = "2"
    dot.edge(ids[e.parent], ids[e.child] if style.slide else f"{ids[e.child]}op", **attrs)


def _captions(dot: graphviz.Digraph, highlight: Sequence[Path] | None, style: _Style, caption_pt: str) -> None:
    """The legend of the highlighted paths (beside, or below with the key) and the key to the colours."""
    note = "edge labels: local derivatives ∂out/∂in" if style.local_grads else ""
    kinds = "orange: parameters, blue: inputs, grey: constants, green: root" + (", grey top: the op" if style.slide else "")
    if highlight and style.legend == "beside":
        dot.node("legend", label=_legend(highlight), shape="plaintext")
    if highlight and style.legend == "below":
        rows = _legend_rows(highlight, wrap=70 if style.slide else 110)
        key = "".join(f'<TR><TD ALIGN="LEFT"><FONT COLOR="#666666">{html.escape(t)}</FONT></TD></TR>' for t in (note, kinds) if t)
        label = f'<<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="2">{"".join(rows)}{key}</TABLE>>'
        dot.attr(label=label, labelloc="b", labeljust="l", fontsize=caption_pt)
        return
    dot.attr(label=f"{note}{chr(10) if note else ''}{kinds}", labelloc="b", fontsize=caption_pt, fontcolor="#666666")


def _parallel(colours: Sequence[str]) -> str:
    """Graphviz's colour list for one edge on several paths: side-by-side lines with a gap (``invis``) between, so each shows."""
    return ":invis:".join(colours)


def _legend_rows(paths: Sequence[Path], wrap: int = 0) -> list[str]:
    """One HTML table row per path (its colour, its line style's name, route, factors, product), then the sum;
    a route longer than ``wrap`` characters goes on over more lines."""
    rows = []
    total = 0.0
    for k, p in enumerate(paths):
        c, line = PATH_COLOURS[k % len(PATH_COLOURS)], PATH_STYLES[k % len(PATH_STYLES)]
        names = [unicode_name(n) for n in p.nodes]
        text = (
            f"path {k + 1} ({line}): "
            + " → ".join(names)
            + ": "
            + " × ".join(number_text(g) for g in p.local_grads)
            + f" = {number_text(p.product)}"
        )
        lines = textwrap.wrap(text, wrap, break_long_words=False, subsequent_indent="    ") if wrap else [text]
        body = '<BR ALIGN="LEFT"/>'.join(html.escape(t) for t in lines)
        rows.append(f'<TR><TD ALIGN="LEFT" BALIGN="LEFT"><FONT COLOR="{text_colour(c)}">{body}</FONT></TD></TR>')
        total += p.product
    start, end = paths[0].nodes[0], paths[0].nodes[-1]
    d = f"∂{html.escape(unicode_name(end) if end.label else 'out')}/∂{html.escape(unicode_name(start) if start.label else 'in')}"
    rows.append(
        f'<TR><TD ALIGN="LEFT"><B>sum over the {len(paths)} path{"s" * (len(paths) != 1)} = {d} = {number_text(total)}</B></TD></TR>'
    )
    return rows


def _legend(paths: Sequence[Path]) -> str:
    """The paths' legend as a box in the graph."""
    rows = "".join(_legend_rows(paths))
    return f'<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="4" BGCOLOR="#ffffff">{rows}</TABLE>>'
