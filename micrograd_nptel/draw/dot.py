"""The computation graph as Graphviz DOT (:func:`draw_dot`): values, gradients, local derivatives on the edges,
and the chain rule's paths highlighted with a legend."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence

import graphviz

from ..engine import Value
from ..paths import Path, _name, trace
from .render import Picture, _check_size, _fit
from .style import _FILL, PATH_COLOURS, _fmt, _label_html, _unicode_name, op_label

MAX_NODES = 300
"""The most nodes :func:`draw_dot` draws by default (values and op nodes together)."""

_PARAMETER = re.compile(r"^[Wwb](_.*)?$")
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
) -> graphviz.Digraph:
    """The computation graph below ``root`` as a ``graphviz.Digraph`` (shown inline in Jupyter).

    Value nodes show label (when set), ``data`` and ``grad`` (4 significant digits);
    parameters are orange, inputs blue, constants grey, the root green with a heavy
    border. Each non-leaf value has an op node (``+``, ``*``, ``tanh``, ``linear``,
    ``softmax``, ...) whose incoming edges, one per parent use, carry the local
    derivative ``∂out/∂parent`` (CS7015 Lecture 4, Module 4.4: the chain rule's factors).

    For a network built with the lecture's labels (``W_{i,j,k}``, ``b_{i,j}``,
    ``a_{i,j}``, ``h_{i,j}``, inputs ``x_j``; as :class:`MLP` labels them) the nodes are
    grouped into one cluster per layer: input, hidden layer 1, ..., output layer.

    Args:
        root: the output node.
        rankdir: Graphviz direction: ``"LR"`` (left to right) or ``"TB"``, ``"RL"``, ``"BT"``;
            by default LR, or TB when ``size`` is given and TB fits the box at a larger scale.
        show_local_grads: label edges with local derivatives.
        highlight: paths from :func:`chain_rule_paths`; each is coloured differently and a
            legend lists each path's local derivatives, their product and the sum.
        format: the output format used by ``render``/``pipe`` (``"svg"``, ``"png"``, ``"pdf"``).
        parameters: the leaves to draw as parameters; by default, leaves labelled like
            the lecture's parameters (``W...``, ``w...``, ``b...``).
        group_layers: cluster by layer; by default, when some label names a layer.
        size: the largest drawing, in inches, as Graphviz's ``"width,height"`` (e.g.
            ``"10,6"`` to fit a notebook column; a larger graph is scaled down, never up, and
            never below 3/4 of its natural size: a long chain is not squashed into a strip).
        max_nodes: refuse graphs with more nodes than this (Graphviz's layout time grows fast).
        show_grads: write each node's ``grad``; False draws values only (an exercise's picture, which must not give
            the answer away; then ``show_local_grads`` is off too).

    Returns:
        A ``graphviz.Digraph``; ``.source`` is its DOT text.

    Raises:
        TypeError: ``root`` is not a Value.
        ValueError: a bad ``rankdir``, a highlighted path that is not in this graph, or more
            than ``max_nodes`` nodes (the message says what to draw instead).
    """
    if rankdir is None:
        dot = draw_dot(root, "LR", show_local_grads, highlight, format, parameters, group_layers, None, max_nodes, show_grads)
        return _fit(
            dot,
            size,
            lambda: draw_dot(root, "TB", show_local_grads, highlight, format, parameters, group_layers, None, max_nodes, show_grads),
        )
    show_local_grads = show_local_grads and show_grads
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"rankdir must be one of 'LR', 'TB', 'RL', 'BT', got {rankdir!r}")
    nodes, edges = trace(root)
    n_drawn = len(nodes) + sum(1 for v in nodes if v.parents)  # value nodes and op nodes
    if n_drawn > max_nodes:
        raise ValueError(
            f"the graph has {n_drawn} nodes (values and ops), more than max_nodes={max_nodes}: Graphviz would take minutes; "
            "draw a smaller expression, or the network picture (draw_network / micrograd-nptel draw network)"
        )
    params = set(parameters) if parameters is not None else None
    graph_attr = {"rankdir": rankdir, "fontname": "Helvetica", "nodesep": "0.25", "ranksep": "0.5", "ordering": "in"}
    if size is not None:
        graph_attr["size"] = _check_size(size)
    dot = Picture(format=format, graph_attr=graph_attr)
    dot.attr("node", fontname="Helvetica", fontsize="14")
    dot.attr("edge", fontname="Helvetica", fontsize="12", color="#555555", fontcolor="#444444")

    ids = {v: f"n{k}" for k, v in enumerate(nodes)}  # n0 .. n{N-1}, in topological order; "n{k}op" is its op
    layers = {v: _layer(v) for v in nodes}
    numbered = [i for i in layers.values() if i is not None and i > 0]
    grouped = bool(numbered) if group_layers is None else group_layers
    n_layers = max(numbered, default=0)
    for v, i in layers.items():
        if i == -1:
            layers[v] = n_layers if n_layers else None
    # op nodes sit with their value; emitting nodes in unit order keeps unit 1 on top
    position = {v: k for k, v in enumerate(nodes)}
    if grouped:
        nodes = sorted(nodes, key=lambda v: (layers[v] is None, _natural(v.label), position[v]))
    clusters: dict[int, graphviz.Digraph] = {}
    if grouped:
        for i in sorted({i for i in layers.values() if i is not None}):
            name = "input" if i == 0 else ("output layer" if i == n_layers else f"hidden layer {i}")
            sub = graphviz.Digraph(name=f"cluster_{i}")
            sub.attr(label=f"{name} (layer {i})" if i else "input (h_0 = x)", style="rounded,dashed", color="#999999", fontcolor="#555555")
            clusters[i] = sub

    def target(v: Value) -> graphviz.Digraph:
        i = layers[v]
        return clusters[i] if grouped and i is not None else dot

    for v in nodes:
        kind = _kind(v, root, params)
        border = ' BORDER="3" COLOR="#38761d"' if kind == "root" else ' BORDER="1"'
        name_cell = f"<TD><B>{_label_html(v.label)}</B></TD>" if v.label else ""
        label = (
            f'<<TABLE{border} CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" BGCOLOR="{_FILL[kind]}"><TR>'
            f"{name_cell}<TD>data {_fmt(v.data)}</TD>{f'<TD>grad {_fmt(v.grad)}</TD>' if show_grads else ''}</TR></TABLE>>"
        )
        target(v).node(ids[v], label=label, shape="plaintext")
    colour_of: dict[tuple[str, str, int], list[str]] = {}  # (parent, child, slot) -> colours
    through_op: dict[str, list[str]] = {}  # child -> the colours of the paths that leave its op node into it
    for k, path in enumerate(highlight or ()):
        c = PATH_COLOURS[k % len(PATH_COLOURS)]
        for t, slot in enumerate(path.parent_indices):
            parent, child = path.nodes[t], path.nodes[t + 1]
            if slot >= len(child.parents) or child.parents[slot] is not parent or child not in ids:
                raise ValueError(f"highlighted path {k + 1} is not in the graph below {_name(root)}")
            colour_of.setdefault((ids[parent], ids[child], slot), []).append(c)
            through_op.setdefault(ids[child], []).append(c)  # the path goes on from the op node to its result: unbroken

    for v in nodes:
        if v.parents:
            op = op_label(v.op)
            op_shape = "circle" if len(op) <= 3 else "ellipse"
            target(v).node(f"{ids[v]}op", label=op, shape=op_shape, style="filled", fillcolor="#f3f3f3", width="0.45", margin="0.03")
            colours = through_op.get(ids[v])
            extra = {"color": _parallel(colours), "penwidth": "2.5"} if colours else {}
            dot.edge(f"{ids[v]}op", ids[v], arrowsize="0.6", **extra)
    for sub in clusters.values():
        dot.subgraph(sub)

    for e in edges:
        attrs = {"arrowsize": "0.6"}
        if grouped and layers[e.parent] is not None and layers[e.child] is not None and layers[e.parent] != layers[e.child]:
            attrs["minlen"] = "2"  # a rank of room between layers, so the clusters line up side by side
        if show_local_grads:
            # a label is a node to dot's layout (seconds for 50 edges into one node); an xlabel is placed after it
            attrs["label" if len(edges) <= 40 else "xlabel"] = _fmt(e.local_grad)
        colours = colour_of.get((ids[e.parent], ids[e.child], e.slot))
        if colours:
            attrs.update(color=_parallel(colours), penwidth="2.5", fontcolor=colours[0])
            if len(colours) > 1 and "label" in attrs:  # beside the parallel lines, not on top of them
                attrs["xlabel"] = attrs.pop("label")
        dot.edge(ids[e.parent], f"{ids[e.child]}op", **attrs)

    if highlight:
        dot.node("legend", label=_legend(highlight), shape="plaintext")
    note = "edge labels: local derivatives ∂out/∂in" if show_local_grads else ""
    kinds = "orange: parameters, blue: inputs, grey: constants, green: root"
    dot.attr(label=f"{note}{chr(10) if note else ''}{kinds}", labelloc="b", fontsize="13", fontcolor="#666666")
    return dot


def _parallel(colours: Sequence[str]) -> str:
    """Graphviz's colour list for one edge on several paths: side-by-side lines with a gap (``invis``) between, so each shows."""
    return ":invis:".join(colours)


def _legend(paths: Sequence[Path]) -> str:
    rows = []
    total = 0.0
    for k, p in enumerate(paths):
        c = PATH_COLOURS[k % len(PATH_COLOURS)]
        route = " → ".join(html.escape(_unicode_name(n)) for n in p.nodes)
        factors = " × ".join(_fmt(g) for g in p.local_grads)
        rows.append(f'<TR><TD ALIGN="LEFT"><FONT COLOR="{c}"><B>path {k + 1}</B>: {route}: {factors} = {_fmt(p.product)}</FONT></TD></TR>')
        total += p.product
    start, end = paths[0].nodes[0], paths[0].nodes[-1]
    d = f"∂{html.escape(_unicode_name(end) if end.label else 'out')}/∂{html.escape(_unicode_name(start) if start.label else 'in')}"
    rows.append(f'<TR><TD ALIGN="LEFT"><B>sum over the {len(paths)} paths = {d} = {_fmt(total)}</B></TD></TR>')
    return f'<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="4" BGCOLOR="#ffffff">{"".join(rows)}</TABLE>>'
