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
import shutil
import signal
import subprocess
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, cast

import graphviz

from .engine import Value, topological_order

if TYPE_CHECKING:
    from .lecture import BackwardStep
    from .nn import MLP

MAX_NODES = 300
"""The most nodes :func:`draw_dot` draws by default (values and op nodes together)."""

RENDER_SECONDS = 10.0
"""The longest :func:`render` lets Graphviz run by default."""

MIN_SCALE = 0.75
"""The smallest scale ``size=`` may shrink a drawing to."""

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


_Link = tuple[Value, int, float, "_Link | None"]
"""A partial path: (node, the parent slot it was entered by, that edge's local grad, the path above it)."""


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
        TypeError: ``root`` or ``wrt`` is not a Value.
        ValueError: ``wrt`` is not in the graph below ``root``, or there are more than
            ``limit`` paths (the count is given).
    """
    nodes = _nodes(root, "chain_rule_paths")  # the order is all it needs, not the edges
    if not isinstance(wrt, Value):
        raise TypeError(f"chain_rule_paths needs wrt to be a Value, got {wrt!r} of type {type(wrt).__name__}")
    count: dict[Value, int] = {}
    for n in nodes:  # parents first: the number of paths from wrt to each node
        count[n] = 1 if n is wrt else sum(count[p] for p in n.parents)
    if wrt not in count:
        raise ValueError(f"{_name(wrt)} is not in the graph below {_name(root)}: no path leads from it to the root")
    if count[root] > limit:
        raise ValueError(f"{count[root]} paths lead from {_name(wrt)} to {_name(root)}, more than limit={limit}")
    paths: list[Path] = []
    # depth-first from the root down to wrt; a partial path is a linked list (node, slot, local grad, rest), so each
    # step costs O(1) and a path of n nodes is copied once, when it reaches wrt: linear, not quadratic, in its length
    stack: list[_Link] = [(root, -1, 1.0, None)]
    while stack:
        link = stack.pop()
        node = link[0]
        if node is wrt:
            up: list[Value] = []
            grads: list[float] = []
            slots: list[int] = []
            cur: _Link | None = link
            while cur is not None:
                up.append(cur[0])
                if cur[3] is not None:
                    grads.append(cur[2])
                    slots.append(cur[1])
                cur = cur[3]
            product = 1.0
            for g in grads:
                product *= g
            paths.append(Path(tuple(up), tuple(grads), product, tuple(slots)))
            continue
        for i in range(len(node.parents) - 1, -1, -1):
            p = node.parents[i]
            if count[p]:
                stack.append((p, i, node.local_grads[i], link))
    return paths


def _check_size(size: str) -> str:
    """Graphviz's ``"width,height"`` in inches, or a ValueError naming the value."""
    if not isinstance(size, str) or not re.fullmatch(r"\d+(\.\d+)?(,\d+(\.\d+)?)?", size):
        raise ValueError(f"size must be Graphviz's 'width,height' in inches, e.g. '10,6', got {size!r}")
    return size


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


class RenderError(RuntimeError):
    """Graphviz could not render a graph in time, or crashed; the message says what to do instead."""


INSTALL_GRAPHVIZ = "apt-get install graphviz (Debian/Ubuntu), brew install graphviz (macOS) or conda install graphviz"
"""How to get Graphviz's programs, which the Python package ``graphviz`` only calls."""


class GraphvizNotFound(graphviz.ExecutableNotFound):  # type: ignore[misc]
    """Graphviz's program (``dot``, ``neato``) is not installed: one message naming how to install it.

    A ``graphviz.ExecutableNotFound`` (so code that catches that still does), raised by :func:`render`,
    by showing a picture in Jupyter and by a picture's ``.render()`` and ``.pipe()``.
    """

    def __init__(self, engine: str) -> None:
        RuntimeError.__init__(
            self,
            f"Graphviz's {engine} program is not installed, and it draws the pictures (the Python package graphviz only "
            f"calls it): {INSTALL_GRAPHVIZ}; then restart Python (or the notebook's kernel)",
        )
        self.engine = engine


class Picture(graphviz.Digraph):  # type: ignore[misc]
    """A ``graphviz.Digraph`` that is shown in Jupyter through :func:`render` (with its limits), and whose missing
    Graphviz is one :class:`GraphvizNotFound` naming how to install it, not an error deep inside ``graphviz``."""

    def _repr_mimebundle_(self, include: object = None, exclude: object = None, **_: object) -> dict[str, object]:
        return {"image/svg+xml": render(self, "svg").decode("utf-8")}

    def pipe(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().pipe(*args, **kwargs)
        except graphviz.ExecutableNotFound:
            raise GraphvizNotFound(self.engine or "dot") from None

    def render(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().render(*args, **kwargs)
        except graphviz.ExecutableNotFound:
            raise GraphvizNotFound(self.engine or "dot") from None


def render(graph: graphviz.Digraph, format: str = "svg", *, timeout: float = RENDER_SECONDS) -> bytes:
    """Run Graphviz on ``graph`` and return the image, within ``timeout`` seconds.

    Args:
        graph: from :func:`draw_dot` or :func:`draw_network`.
        format: ``"svg"``, ``"png"``, ``"pdf"`` (any format Graphviz writes).
        timeout: seconds before Graphviz is stopped.

    Returns:
        The image bytes.

    Raises:
        GraphvizNotFound: Graphviz's program (``dot``, ``neato``) is not installed (a ``graphviz.ExecutableNotFound``).
        RenderError: Graphviz ran longer than ``timeout``, crashed, or failed (one line: why, and what to do).
    """
    engine = graph.engine or "dot"
    exe = shutil.which(engine)
    if exe is None:
        raise GraphvizNotFound(engine)
    n = graph.source.count("label=")
    try:
        source = graph.source.encode("utf-8")
    except UnicodeEncodeError as e:  # a label holding a lone surrogate ("\ud800"): no file or program can take it
        raise ValueError(f"a label holds {e.object[e.start : e.end]!r}, which is not a character UTF-8 can encode; rename it") from None
    try:
        done = subprocess.run([exe, f"-T{format}"], input=source, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise RenderError(
            f"Graphviz's {engine} took more than {timeout:g} s to lay out this graph (about {n} labelled items) and was stopped; "
            "draw fewer nodes, leave the local derivatives off (--no-local-grads), or write the .dot source instead"
        ) from None
    if done.returncode < 0:
        sig = signal.Signals(-done.returncode).name
        raise RenderError(
            f"Graphviz's {engine} crashed ({sig}) laying out this graph (about {n} labelled items); "
            "draw fewer nodes, or write the .dot source instead"
        )
    if done.returncode:
        why = (done.stderr.decode("utf-8", "replace").strip().splitlines() or ["no message"])[-1]
        raise RenderError(f"Graphviz's {engine} failed ({why}); write the .dot source instead to inspect it")
    image: bytes = done.stdout
    return image


def _natural_size(graph: graphviz.Digraph) -> tuple[float, float] | None:
    """The drawing's width and height in inches, from ``dot -Tplain``; None if Graphviz is missing or fails."""
    try:
        first = render(graph, "plain").split(b"\n", 1)[0].split()
        return float(first[2]), float(first[3])  # "graph scale width height"
    except (graphviz.ExecutableNotFound, RenderError, IndexError, ValueError):
        return None


def _fit(dot: graphviz.Digraph, size: str | None, other: Callable[[], graphviz.Digraph]) -> graphviz.Digraph:
    """Fit ``dot`` into ``size`` without squashing it: try ``other()`` (the other direction) and scale by at least MIN_SCALE."""
    if size is None:
        return dot
    box = [float(t) for t in _check_size(size).split(",")]
    width, height = box[0], box[-1]

    def scale(g: graphviz.Digraph) -> tuple[float, tuple[float, float] | None]:
        natural = _natural_size(g)
        return (1.0, None) if natural is None else (min(1.0, width / natural[0], height / natural[1]), natural)

    best, (s, natural) = dot, scale(dot)
    if s < 1.0:
        alternative = other()
        s2, natural2 = scale(alternative)
        if s2 > s:
            best, s, natural = alternative, s2, natural2
    if natural is None or s >= MIN_SCALE:
        best.graph_attr["size"] = size
    else:  # the box would shrink the text below MIN_SCALE: keep MIN_SCALE and let the page scroll
        best.graph_attr["size"] = f"{natural[0] * MIN_SCALE:.2f},{natural[1] * MIN_SCALE:.2f}"
    return best


def op_label(op: str) -> str:
    """An op as the slides write it: ``*`` -> ``×``, ``**2`` -> ``x²``, ``exp`` -> ``eˣ``, ``sigmoid`` -> ``σ``."""
    if op.startswith("**") and op != "**":
        n = op[2:]
        return "x" + n.translate(_SUPERSCRIPTS) if re.fullmatch(r"-?\d+(\.\d+)?", n) else f"x^{n}"
    return _OPS.get(op, op)


def _parallel(colours: Sequence[str]) -> str:
    """Graphviz's colour list for one edge on several paths: side-by-side lines with a gap (``invis``) between, so each shows."""
    return ":invis:".join(colours)


def _unicode_name(v: Value) -> str:
    """A node's name for a legend: ``y_1`` -> ``y₁``, ``a_{2,1}`` -> ``a₂,₁``; an unnamed node as its expression (``y₁/y₂``)."""
    from .derivation import name

    text = name(v)
    return re.sub(r"_\{([\d,]+)\}|_(\d+)", lambda m: (m.group(1) or m.group(2)).translate(_SUBSCRIPT), text)


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


# ---------------------------------------------------------------------- the network as the slide draws it
_POSITIVE, _NEGATIVE, _UNKNOWN, _NOW, _PATH = "#1f5fbf", "#c0392b", "#c8c8c8", "#e69500", "#2ca02c"


_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _grad_colour(g: float | None) -> str:
    """A ∇'s colour in the network picture: grey when unknown, black for 0, blue > 0, red < 0."""
    return "#999999" if g is None else ("#000000" if g == 0 else (_POSITIVE if g > 0 else _NEGATIVE))


def _sub(name: str, index: str) -> str:
    """``a`` with subscript ``1,1``: Unicode subscript digits (``a₁,₁``), which Graphviz lays out on the line, where its
    ``<SUB>`` drops into the line below at these sizes; any other index as ``<SUB>`` at 11 pt."""
    if index and all(ch.isdigit() or ch == "," for ch in index):
        return html.escape(name) + index.translate(_SUBSCRIPT)
    return f'{html.escape(name)}<SUB><FONT POINT-SIZE="11">{html.escape(index)}</FONT></SUB>'


class NetworkPicture(Picture):
    """A ``graphviz.Digraph`` that Jupyter shows as a PNG: the same pixels in every browser and on a projector.

    (Graphviz's SVG places each subscript as a separate text span at positions measured with its own fonts, so a
    browser with other fonts draws ``a₁,₁`` and the step titles overlapped.)
    """

    def _repr_mimebundle_(self, include: object = None, exclude: object = None, **_: object) -> dict[str, object]:
        return {"image/png": render(self, "png")}


def draw_network(
    mlp: MLP,
    *,
    highlight: str | None = None,
    step: BackwardStep | None = None,
    size: str | None = None,
    loss: Value | None = None,
    weight_labels: bool | None = None,
    gradients: bool = True,
) -> graphviz.Digraph:
    """The lecture's picture of the network: one node per unit, weights as edges, layers as columns.

    Inputs ``x_1..x_n`` on the left; each unit drawn as the slide draws it: its bias ``b_{k,i}`` (added
    where the weights come in), its pre-activation ``a_{k,i}`` (where the weights come in) and, in a
    hidden layer, its activation ``h_{k,i}`` (where they leave), each with its value and ∂L/∂ (``∇``);
    the output layer's ``a_{L,j}``, the outputs ``ŷ_j`` (O's edges between them) and the loss ``L``.
    Units are in index order, unit 1 on top. Each weight edge ``W_{k,i,j}`` shows ∂L/∂W_{k,i,j} by
    colour (blue > 0, red < 0) and width (∝ |∂L/∂W|), and with ``weight_labels`` its number, written on
    the edge 40% of the way back from the unit it enters (at 40%, no two labels of a 3-3 layer meet).

    Source: CS7015 Lecture 4, Module 4.1 (the figure of the network), 4.4 (the paths from a
    weight to the loss), 4.8 (the backward pass, step by step).

    Args:
        mlp: a network after a forward pass (and ``backward()``, for gradients): ``mlp.layers[i].a``/``.h`` are read.
        highlight: a weight ``W_{k,i,j}``, bias ``b_{k,i}``, unit ``a_{k,i}``/``h_{k,i}`` or input
            ``x_j`` (the slide's short forms ``W_111`` work too): every path from it to L is drawn
            in green, with the number of paths in the legend (Module 4.4).
        step: a :class:`~micrograd_nptel.lecture.BackwardStep` from ``backward_steps(mlp, x, y)``:
            only the gradients known after that step are filled in ("?" for the rest), and the
            ones computed at that step are marked in orange. The pseudo code goes from L straight to
            ``∇_{a_L}L = -(e(y) - ŷ)`` (Module 4.8), so ∇ŷ is never computed on its own: ŷ shows "—".
        size: the largest drawing in inches, Graphviz's ``"width,height"``.
        loss: the loss node, to show L's value and which ŷ_j it uses (by default every ŷ_j, no value).
        weight_labels: write ∂L/∂W on the weight edges: True for every known one, False for none; by default
            (None) the ones computed at ``step`` (step 2's ∇W_3, step 5's ∇W_2, ...), none without a step.
        gradients: False draws values only, every ∇ a "?" and every weight grey (an exercise's picture, which must
            not give the answer away).

    Returns:
        A :class:`NetworkPicture` (a ``graphviz.Digraph``; render it with :func:`render`; Jupyter shows it as a PNG).

    Raises:
        TypeError: ``mlp`` is not an MLP.
        ValueError: the network has not run forward yet, a bad ``size``, or ``highlight`` is not one of its names.
    """
    from .derivation import canonical_name
    from .lecture import BackwardStep
    from .nn import MLP

    if not isinstance(mlp, MLP):
        raise TypeError(f"draw_network needs an MLP, got {mlp!r} of type {type(mlp).__name__}")
    if highlight is not None and not isinstance(highlight, str):
        raise TypeError(f"draw_network: highlight must be a name such as 'W_{{1,1,1}}' or 'W_111', got {highlight!r}")
    if step is not None and not isinstance(step, BackwardStep):
        raise TypeError(f"draw_network: step must be a BackwardStep from backward_steps(mlp, x, y), got {step!r}")
    layers = mlp.layers
    if not layers[0].a:
        raise ValueError("draw_network: run the network forward first (mlp(x), then L.backward() for gradients)")
    if step is not None:  # a step of another network, or of another input, would draw a picture that mixes the two
        y_now = [v.data for v in layers[-1].h]
        if len(step.y_hat) != len(y_now) or any(abs(a - b) > 1e-9 * max(1.0, abs(b)) for a, b in zip(step.y_hat, y_now)):
            raise ValueError(
                "draw_network: this step is not of this network's last forward pass (its ŷ differs); "
                "take the steps from backward_steps(mlp, x, y) with the same network and input"
            )
    L = len(layers)
    xs = layers[0].h_prev  # Values, or floats when x entered as constants (then ∇x is not tracked: "?")
    y_hat = layers[-1].h
    softmax = mlp.output == "softmax"

    known: dict[str, float] | None = step.grads if step is not None else None if gradients else {}
    now = step.computing if step is not None else frozenset()

    def grad(name: str, v: Value) -> float | None:
        return v.grad if known is None else known.get(name)

    def cell(name_html: str, value: float, g: float | None, key: str, port: str = "", g_text: str | None = None) -> str:
        fill = ' BGCOLOR="#ffe0a0"' if key in now else ""
        colour = _grad_colour(None if g_text else g)
        g_text = g_text or ("?" if g is None else _fmt(g))
        p = f' PORT="{port}"' if port else ""
        return (
            f'<TD{p}{fill} CELLPADDING="2" WIDTH="66"><FONT POINT-SIZE="14"><B>{name_html}</B></FONT><BR/>{_fmt(value)}<BR/>'
            f'<FONT COLOR="{colour}" POINT-SIZE="11">∇ {g_text}</FONT></TD>'
        )

    def bias_cell(k: int, i: int, b: Value) -> str:
        """b_{k,i} and its value on one line, ∇ below, in 11 pt on grey: the bias a_{k,i} adds."""
        key = f"b_{{{k},{i}}}"
        g = grad(key, b)
        fill = "#ffe0a0" if key in now else "#f1f1f1"
        colour = _grad_colour(g)
        return (
            f'<TD BGCOLOR="{fill}" CELLPADDING="1" WIDTH="66"><FONT POINT-SIZE="11">{_sub("b", f"{k},{i}")} = {_fmt(b.data)}<BR/>'
            f'<FONT COLOR="{colour}">∇ {"?" if g is None else _fmt(g)}</FONT></FONT></TD>'
        )

    def table(*rows: str, border: str = "#555555") -> str:
        """One cell a row: a hidden unit is a_{k,i} above h_{k,i}, so a column of units is one cell wide."""
        body = "".join(f"<TR>{r}</TR>" for r in rows)
        return f'<<TABLE BORDER="1" COLOR="{border}" CELLBORDER="1" CELLSPACING="0" BGCOLOR="#ffffff">{body}</TABLE>>'

    # the unit graph: (src, dst, key) with key a weight's name, "O" for the output function, "L" for the loss
    names: dict[str, str] = {}  # a name the user may highlight -> node id
    edges: list[tuple[str, str, str]] = []
    nodes: dict[str, str] = {}  # node id -> label
    columns: list[list[str]] = [[f"x{j}" for j in range(mlp.nin)]]
    for j, v in enumerate(xs):
        names[f"x_{j + 1}"] = f"x{j}"
        if isinstance(v, Value):
            x_value, x_grad = v.data, grad(f"x_{j + 1}", v)
        else:  # x entered as constants: ∇x is known only from the pseudo code's steps
            x_value, x_grad = float(cast(float, v)), None if known is None else known.get(f"x_{j + 1}")
        nodes[f"x{j}"] = table(cell(_sub("x", str(j + 1)), x_value, x_grad, f"x_{j + 1}", "h"), border="#3d85c6")
    for k, layer in enumerate(layers, 1):
        column = []
        for i, a in enumerate(layer.a):
            uid = f"u{k}_{i}"
            a_name = f"a_{{{k},{i + 1}}}"
            cells = [bias_cell(k, i + 1, layer.b[i]), cell(_sub("a", f"{k},{i + 1}"), a.data, grad(a_name, a), a_name, "a")]
            names[a_name] = uid
            if k < L:
                h, h_name = layer.h[i], f"h_{{{k},{i + 1}}}"
                cells.append(cell(_sub("h", f"{k},{i + 1}"), h.data, grad(h_name, h), h_name, "h"))
                names[h_name] = uid
            names[f"b_{{{k},{i + 1}}}"] = uid
            nodes[uid] = table(*cells)
            column.append(uid)
            prev = "x{j}" if k == 1 else f"u{k - 1}_{{j}}"
            for j in range(layer.nin):
                edges.append((prev.format(j=j), uid, f"W_{{{k},{i + 1},{j + 1}}}"))
        columns.append(column)
    outputs = []
    for j, v in enumerate(y_hat):
        yid = f"y{j}"
        # ∂L/∂ŷ: the loss's own derivative; in step mode "—": the pseudo code folds it into ∇_{a_L}L
        folded = "—" if step is not None else None if gradients else "?"
        nodes[yid] = table(cell(_sub("ŷ", str(j + 1)), v.data, v.grad, f"ŷ_{j + 1}", g_text=folded), border="#38761d")
        names[f"ŷ_{j + 1}"] = yid
        outputs.append(yid)
        for i in range(len(y_hat)):
            if softmax or i == j:
                edges.append((f"u{L}_{i}", yid, "O"))
    columns.append(outputs)
    if step is not None:
        used = list(step.uses)
    else:
        used = [j for j, v in enumerate(y_hat) if loss is None or any(p is v for p in loss.parents)]
    for j in used:
        edges.append((f"y{j}", "L", "L"))
    loss_value = step.loss if step is not None else None if loss is None else loss.data
    loss_text = "" if loss_value is None else f"<BR/>{_fmt(loss_value)}"
    loss_cell = f'<TD CELLPADDING="4"><B>L</B>{loss_text}</TD>'
    nodes["L"] = f'<<TABLE BORDER="3" COLOR="#38761d" CELLBORDER="0" BGCOLOR="#d9ead3"><TR>{loss_cell}</TR></TABLE>>'
    columns.append(["L"])

    on_path, n_paths = _paths_to_loss(highlight, names, edges, mlp) if highlight else (set(), 0)

    # neato with pinned positions (inches): columns left to right, unit 1 on top, exactly as the slide (dot reorders units)
    graph_attr = {"splines": "line", "fontname": "Helvetica", "outputorder": "edgesfirst", "pad": "0.12"}
    if size is not None:
        graph_attr["size"] = _check_size(size)
    dot = NetworkPicture(engine="neato", graph_attr=graph_attr)
    dot.attr("node", shape="plaintext", fontname="Helvetica", fontsize="12")
    dot.attr("edge", fontname="Helvetica", fontsize="11", arrowsize="0.5")
    titles = ["<input x = h" + _sub("", "0") + ">"] + [f"hidden layer {k}" for k in range(1, L)]
    titles += [f"output layer {L}", "<ŷ = O(a" + _sub("", str(L)) + ")>", "loss"]
    # inches: every table is 0.92 wide (cells of 66 pt); the gaps where weights cross leave room for their labels
    table_w, loss_w = 0.92, 0.55
    gaps = [0.8] * L + [0.28, 0.22]  # x->1, ..., (L-1)->L; a_L -> ŷ; ŷ -> L
    row = 1.8 if L > 1 else 1.05  # inches between units (a hidden unit is b, a and h: 1.53 tall)
    port_y = {"x": 0.0, "h": -0.465, "a_hidden": 0.135, "a_out": -0.165}  # a cell's centre, from its unit's centre
    tallest = max(len(column) for column in columns)
    centres: list[float] = []
    x = table_w / 2
    for c in range(len(columns)):
        centres.append(x)
        width_here = loss_w if c == len(columns) - 1 else table_w
        width_next = loss_w if c + 1 == len(columns) - 1 else table_w
        x += width_here / 2 + (gaps[c] if c < len(gaps) else 0.0) + width_next / 2
    unit_y: dict[str, float] = {}
    for c, (column, title) in enumerate(zip(columns, titles)):
        top = (tallest - 1) * row / 2
        dot.node(f"title{c}", label=title, fontsize="12", fontcolor="#444444", pos=f"{centres[c]:.2f},{top + 1.05:.2f}!")
        for i, uid in enumerate(column):
            y = (len(column) - 1) * row / 2 - i * row  # unit 1 on top, the column centred
            unit_y[uid] = y
            dot.node(uid, label=nodes[uid], pos=f"{centres[c]:.2f},{y:.2f}!")
    column_of = {uid: c for c, column in enumerate(columns) for uid in column}

    def label_pos(src: str, dst: str) -> str:
        """The point 40% of the way from the head of edge src -> dst (the a cell it enters) back to its tail."""
        tail = (centres[column_of[src]] + table_w / 2, unit_y[src] + port_y["x" if src.startswith("x") else "h"])
        head = (centres[column_of[dst]] - table_w / 2, unit_y[dst] + port_y["a_out" if dst.startswith(f"u{L}_") else "a_hidden"])
        return f"{head[0] + 0.4 * (tail[0] - head[0]):.3f},{head[1] + 0.4 * (tail[1] - head[1]):.3f}!"

    def labelled(key: str) -> bool:
        """Write this weight's ∂L/∂W on its edge: the ones computed at ``step`` by default, or all / none."""
        return key in now if weight_labels is None else bool(weight_labels)

    weights = {w.label: w for layer in layers for row in layer.W for w in row}
    gmax = max((abs(grad(n, w) or 0.0) for n, w in weights.items()), default=0.0) or 1.0
    for src, dst, key in edges:
        attrs: dict[str, str] = {}
        src_port = ":a:e" if src.startswith(f"u{L}_") else (":h:e" if src[0] in "ux" else "")
        dst_port = ":a:w" if dst.startswith("u") else ""
        if key.startswith("W"):
            g = grad(key, weights[key])
            if g is None:
                attrs.update(color=_UNKNOWN, style="dashed", penwidth="1")
            else:
                attrs.update(color=_POSITIVE if g >= 0 else _NEGATIVE, penwidth=f"{0.8 + 5.2 * abs(g) / gmax:.2f}")
                if labelled(key):  # a node on the edge (nodes are drawn after edges): white box, the sign's colour
                    dot.node(
                        f"label_{src}_{dst}",
                        label=f'<<TABLE BORDER="0" CELLPADDING="0" BGCOLOR="#ffffff"><TR><TD><FONT COLOR="{attrs["color"]}" '
                        f'POINT-SIZE="11">{g:.3g}</FONT></TD></TR></TABLE>>',
                        pos=label_pos(src, dst),
                        margin="0",
                        width="0",
                        height="0",
                    )
            if key in now:
                attrs.update(color=_NOW, penwidth="4", style="solid")
        else:
            attrs.update(color="#888888", penwidth="1")
        if (src, dst, key) in on_path:
            attrs.update(color=_PATH + ":" + attrs["color"] if key.startswith("W") else _PATH, penwidth="4", style="solid")
        elif highlight and attrs["color"].startswith("#") and len(attrs["color"]) == 7:
            attrs["color"] += "40"  # dimmed: every edge off the highlighted paths at a quarter of its colour
        dot.edge(src + src_port, dst + dst_port, **attrs)

    notes = ["weights: width ∝ |∂L/∂W|, blue &gt; 0, red &lt; 0; b: the bias each a adds" if gradients else "b: the bias each a adds"]
    if step is not None:
        notes.insert(0, f"<B>step {step.number}:</B> {_html_math(step.title)} (orange: computed now; ?: not yet known)")
        if step.number == 1:
            straight = "ŷ's ∇ is not computed on its own: the pseudo code goes from L straight to ∇a"
            notes.insert(1, straight + _sub("", str(L)) + " (Module 4.8)")
    if highlight:
        notes.insert(0, f"green: the {n_paths} path{'s' * (n_paths != 1)} from {_html_math(canonical_name(highlight))} to L (Module 4.4)")
    dot.attr(
        label="<" + "".join(n + '<BR ALIGN="LEFT"/>' for n in notes) + ">", labelloc="t", labeljust="l", fontsize="12", fontcolor="#333333"
    )
    return dot


class StepFrames(list[Any]):
    """:func:`step_through`'s frames without ipywidgets: a list of ``graphviz.Digraph`` that Jupyter shows as images."""

    titles: list[str]

    def _repr_html_(self) -> str:
        import base64

        titles = getattr(self, "titles", None) or [f"frame {k + 1}" for k in range(len(self))]
        parts = []
        for title, frame in zip(titles, self):
            png = base64.b64encode(render(frame, "png")).decode("ascii")
            caption = f"<figcaption><b>{html.escape(title)}</b></figcaption>"
            parts.append(f'<figure style="margin:0 0 1em 0">{caption}<img src="data:image/png;base64,{png}"/></figure>')
        return "<div>" + "".join(parts) + "</div>"


def step_through(mlp: MLP, x: Sequence[float], label: int | Sequence[float], *, size: str | None = None) -> object:
    """Backward one step at a time (CS7015 Lecture 4, Module 4.8): a slider over :func:`draw_network` frames in Jupyter.

    Runs :func:`~micrograd_nptel.lecture.backward_steps` (3L steps) and draws each. With
    ipywidgets installed this returns a widget (an ``IntSlider`` "step" above the picture);
    without it, the frames as a :class:`StepFrames` list, which Jupyter shows as the 3L pictures, one
    below the other (PNG images), each under its step's title.

    Args:
        mlp: the network; x: its input (n numbers); label: the class (0-based int) or the target vector.
        size: passed to :func:`draw_network`.

    Returns:
        An ``ipywidgets.VBox``, or a :class:`StepFrames` (a list of 3L ``graphviz.Digraph``).

    Raises:
        ValueError/TypeError: as ``backward_steps``.
    """
    from .lecture import backward_steps

    steps = backward_steps(mlp, x, label)
    frames = StepFrames(draw_network(mlp, step=s, size=size) for s in steps)
    frames.titles = [f"step {k + 1} of {len(steps)}" for k in range(len(steps))]
    try:
        import ipywidgets
        from IPython.display import display
    except ImportError:
        return frames
    slider = ipywidgets.IntSlider(value=1, min=1, max=len(frames), description="step", continuous_update=False)
    out = ipywidgets.Output()

    def show(_: object = None) -> None:
        out.clear_output(wait=True)
        with out:
            display(frames[slider.value - 1])  # type: ignore[no-untyped-call]

    slider.observe(show, names="value")
    show()

    class StepThrough(ipywidgets.VBox):  # type: ignore[misc]
        """The slider and its picture; a saved notebook also carries step 1 as a PNG, which JupyterLab shows
        before the notebook is run (when there is no widget yet), instead of the text ``VBox(children=...)``."""

        def _repr_mimebundle_(self, **kwargs: object) -> dict[str, object]:
            bundle: dict[str, object] = super()._repr_mimebundle_(**kwargs)
            bundle["image/png"] = render(frames[0], "png")
            return bundle

    return StepThrough([slider, out])


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


def _paths_to_loss(
    highlight: str, names: dict[str, str], edges: list[tuple[str, str, str]], mlp: MLP
) -> tuple[set[tuple[str, str, str]], int]:
    """The unit-graph edges on some path from ``highlight`` to L, and the number of paths."""
    from .derivation import canonical_name

    name = canonical_name(highlight.replace("y_hat_", "ŷ_"))
    weight = next((e for e in edges if e[2] == name), None)
    if weight is None and name not in names:
        valid = f"W_{{k,i,j}}, b_{{k,i}}, a_{{k,i}}, h_{{k,i}} (k = 1..{len(mlp.layers)}), x_j or ŷ_j"
        raise ValueError(f"highlight {highlight!r} is not a weight, bias, unit or input of this network; names look like {valid}")
    start = weight[1] if weight else names[name]
    after: dict[str, list[tuple[str, str, str]]] = {}
    for e in edges:
        after.setdefault(e[0], []).append(e)
    count: dict[str, int] = {"L": 1}
    for src in reversed(list(dict.fromkeys([e[0] for e in edges]))):  # right to left: paths from each node to L
        count[src] = sum(count.get(e[1], 0) for e in after[src])
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
