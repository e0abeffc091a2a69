"""Drawing computation graphs with the ``graphviz`` package: values, gradients, local
derivatives on the edges, and the chain rule's paths.

Every value node shows its label, ``data`` and ``grad``; every non-leaf has an op node;
every edge from a parent into an op carries the local derivative ``∂out/∂parent``, so
the picture, the engine and the slide's table of derivatives show the same numbers.
Rendering needs Graphviz's ``dot`` program; the returned ``graphviz.Digraph`` is usable
(its ``.source``) without it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from typing import NamedTuple

import graphviz

from .engine import Value, topological_order

PATH_COLOURS = ("#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")
"""The colours of highlighted paths, in order (then repeated)."""

_FILL = {"parameter": "#fdd9b5", "input": "#cfe2f3", "constant": "#eeeeee", "value": "#ffffff", "root": "#d9ead3"}
_PARAMETER = re.compile(r"^[Wwb](_.*)?$")
_LAYER = re.compile(r"^(?:W|b|a|h)_\{(\d+),")
_INPUT = re.compile(r"^x(_\w+|_\{\w+\})?$")


class Edge(NamedTuple):
    """One use of ``parent`` by ``child``: ``child.parents[slot] is parent``, with local derivative ``local_grad``."""

    parent: Value
    child: Value
    slot: int
    local_grad: float


def _nodes(root: Value, caller: str) -> list[Value]:
    """``topological_order(root)``, after checking that ``root`` is a Value (a TypeError naming ``caller`` if not)."""
    if not isinstance(root, Value):
        raise TypeError(f"{caller} needs a Value, got {root!r} of type {type(root).__name__}")
    return topological_order(root)


def trace(root: Value) -> tuple[list[Value], list[Edge]]:
    """The nodes and edges of the graph below ``root`` (iterative, like ``backward``).

    Args:
        root: the output node.

    Returns:
        ``(nodes, edges)``: the n distinct nodes, leaves first and ``root`` last, and
        one :class:`Edge` per parent use (``x*x`` gives two edges from x).

    Raises:
        TypeError: ``root`` is not a Value.
    """
    nodes = _nodes(root, "trace")
    edges = [Edge(p, n, i, lg) for n in nodes for i, (p, lg) in enumerate(zip(n.parents, n.local_grads))]
    return nodes, edges


class Path(NamedTuple):
    """One path from ``wrt`` up to the root: its ``nodes`` (``wrt`` first, root last), the
    ``local_grads`` along it (one per step), their ``product``, and for each step the index
    of the parent slot it enters (``parent_indices``), which tells apart the two edges of ``x*x``."""

    nodes: tuple[Value, ...]
    local_grads: tuple[float, ...]
    product: float
    parent_indices: tuple[int, ...]


def chain_rule_paths(root: Value, wrt: Value, limit: int = 10_000) -> list[Path]:
    """Every path from ``wrt`` up to ``root`` with the product of the local derivatives along it.

    The products sum to ``∂root/∂wrt`` (``wrt.grad`` after ``root.backward()``): CS7015
    Lecture 4, Module 4.6, "sum across all the paths", ``∂p/∂z = Σ_m (∂p/∂q_m)(∂q_m/∂z)``.
    The paths are counted first (dynamic programming over the graph), so a graph with
    too many is refused at once instead of hanging.

    Args:
        root: the output (e.g. the loss L).
        wrt: a node below ``root`` (e.g. an input x or a weight).
        limit: the most paths to enumerate.

    Returns:
        A list of :class:`Path`, in a fixed order.

    Raises:
        TypeError: ``root`` is not a Value.
        ValueError: ``wrt`` is not in the graph below ``root``, or there are more than
            ``limit`` paths (the count is given).
    """
    nodes = _nodes(root, "chain_rule_paths")  # the order is all it needs, not the edges
    count: dict[Value, int] = {}
    for n in nodes:  # parents first: the number of paths from wrt to each node
        count[n] = 1 if n is wrt else sum(count[p] for p in n.parents)
    if wrt not in count:
        raise ValueError(f"{_name(wrt)} is not in the graph below {_name(root)}: no path leads from it to the root")
    if count[root] > limit:
        raise ValueError(f"{count[root]} paths lead from {_name(wrt)} to {_name(root)}, more than limit={limit}")
    paths: list[Path] = []
    # depth-first from the root down to wrt, one stack entry per partial path
    stack: list[tuple[Value, tuple[Value, ...], tuple[float, ...], tuple[int, ...]]] = [(root, (root,), (), ())]
    while stack:
        node, up, grads, slots = stack.pop()
        if node is wrt:
            product = 1.0
            for g in grads:
                product *= g
            paths.append(Path(up[::-1], grads[::-1], product, slots[::-1]))
            continue
        for i in range(len(node.parents) - 1, -1, -1):
            p = node.parents[i]
            if count[p]:
                stack.append((p, (*up, p), (*grads, node.local_grads[i]), (*slots, i)))
    return paths


def _name(v: Value) -> str:
    return repr(v.label) if v.label else repr(v)


def _fmt(x: float) -> str:
    """Compact: 4 significant digits."""
    return f"{x:.4g}"


def _label_html(label: str) -> str:
    """``W_{1,2,3}`` -> ``W<SUB>1,2,3</SUB>``; ``x_1`` -> ``x<SUB>1</SUB>``; everything escaped."""
    m = re.match(r"^(.*?)_\{(.+)\}$", label) or re.match(r"^(.*?)_(\w+)$", label)
    if m:
        return f"{html.escape(m.group(1))}<SUB>{html.escape(m.group(2))}</SUB>"
    return html.escape(label)


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
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", label)]


def draw_dot(
    root: Value,
    rankdir: str = "LR",
    show_local_grads: bool = True,
    highlight: Sequence[Path] | None = None,
    format: str = "svg",
    parameters: Iterable[Value] | None = None,
    group_layers: bool | None = None,
    size: str | None = None,
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
        rankdir: Graphviz direction: ``"LR"`` (left to right) or ``"TB"``, ``"RL"``, ``"BT"``.
        show_local_grads: label edges with local derivatives.
        highlight: paths from :func:`chain_rule_paths`; each is coloured differently and a
            legend lists each path's local derivatives, their product and the sum.
        format: the output format used by ``render``/``pipe`` (``"svg"``, ``"png"``, ``"pdf"``).
        parameters: the leaves to draw as parameters; by default, leaves labelled like
            the lecture's parameters (``W...``, ``w...``, ``b...``).
        group_layers: cluster by layer; by default, when some label names a layer.
        size: the largest drawing, in inches, as Graphviz's ``"width,height"`` (e.g.
            ``"10,6"`` to fit a notebook column; a larger graph is scaled down, never up).

    Returns:
        A ``graphviz.Digraph``; ``.source`` is its DOT text.

    Raises:
        TypeError: ``root`` is not a Value.
        ValueError: a bad ``rankdir``, or a highlighted path that is not in this graph.
    """
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"rankdir must be one of 'LR', 'TB', 'RL', 'BT', got {rankdir!r}")
    nodes, edges = trace(root)
    params = set(parameters) if parameters is not None else None
    graph_attr = {"rankdir": rankdir, "fontname": "Helvetica", "nodesep": "0.25", "ranksep": "0.5"}
    if size is not None:
        if not re.fullmatch(r"\d+(\.\d+)?(,\d+(\.\d+)?)?", size):
            raise ValueError(f"size must be Graphviz's 'width,height' in inches, e.g. '10,6', got {size!r}")
        graph_attr["size"] = size
    dot = graphviz.Digraph(format=format, graph_attr=graph_attr)
    dot.attr("node", fontname="Helvetica", fontsize="11")
    dot.attr("edge", fontname="Helvetica", fontsize="9", color="#555555", fontcolor="#444444")

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
            f"{name_cell}<TD>data {_fmt(v.data)}</TD><TD>grad {_fmt(v.grad)}</TD></TR></TABLE>>"
        )
        target(v).node(ids[v], label=label, shape="plaintext")
        if v.parents:
            op_shape = "circle" if len(v.op) <= 2 else "ellipse"
            target(v).node(f"{ids[v]}op", label=v.op, shape=op_shape, style="filled", fillcolor="#f3f3f3", width="0.3", margin="0.02")
            dot.edge(f"{ids[v]}op", ids[v], arrowsize="0.6")
    for sub in clusters.values():
        dot.subgraph(sub)

    colour_of: dict[tuple[str, str, int], list[str]] = {}  # (parent, child, slot) -> colours
    for k, path in enumerate(highlight or ()):
        c = PATH_COLOURS[k % len(PATH_COLOURS)]
        for t, slot in enumerate(path.parent_indices):
            parent, child = path.nodes[t], path.nodes[t + 1]
            if slot >= len(child.parents) or child.parents[slot] is not parent or child not in ids:
                raise ValueError(f"highlighted path {k + 1} is not in the graph below {_name(root)}")
            colour_of.setdefault((ids[parent], ids[child], slot), []).append(c)
    for e in edges:
        attrs = {"arrowsize": "0.6"}
        if grouped and layers[e.parent] is not None and layers[e.child] is not None and layers[e.parent] != layers[e.child]:
            attrs["minlen"] = "2"  # a rank of room between layers, so the clusters line up side by side
        if show_local_grads:
            attrs["label"] = _fmt(e.local_grad)
        colours = colour_of.get((ids[e.parent], ids[e.child], e.slot))
        if colours:
            attrs.update(color=":".join(colours), penwidth="2.5", fontcolor=colours[0])
        dot.edge(ids[e.parent], f"{ids[e.child]}op", **attrs)

    if highlight:
        dot.node("legend", label=_legend(highlight), shape="plaintext")
    note = "edge labels: local derivatives ∂out/∂in" if show_local_grads else ""
    kinds = "orange: parameters, blue: inputs, grey: constants, green: root"
    dot.attr(label=f"{note}{'; ' if note else ''}{kinds}", labelloc="b", fontsize="10", fontcolor="#666666")
    return dot


def _legend(paths: Sequence[Path]) -> str:
    rows = []
    total = 0.0
    for k, p in enumerate(paths):
        c = PATH_COLOURS[k % len(PATH_COLOURS)]
        route = " → ".join(html.escape(n.label or n.op or "·") for n in p.nodes)
        factors = " × ".join(_fmt(g) for g in p.local_grads)
        rows.append(f'<TR><TD ALIGN="LEFT"><FONT COLOR="{c}"><B>path {k + 1}</B>: {route}: {factors} = {_fmt(p.product)}</FONT></TD></TR>')
        total += p.product
    start, end = paths[0].nodes[0], paths[0].nodes[-1]
    d = f"∂{html.escape(end.label or 'out')}/∂{html.escape(start.label or 'in')}"
    rows.append(f'<TR><TD ALIGN="LEFT"><B>sum over the {len(paths)} paths = {d} = {_fmt(total)}</B></TD></TR>')
    return f'<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" BGCOLOR="#ffffff">{"".join(rows)}</TABLE>>'
