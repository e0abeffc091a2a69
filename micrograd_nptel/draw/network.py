"""The lecture's picture of the network (:func:`draw_network`): one node per unit, weights as edges, layers as columns."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import graphviz

from ..engine import Value
from .render import NetworkPicture, _check_size
from .style import _NEGATIVE, _NOW, _PATH, _POSITIVE, _UNKNOWN, _fmt, _grad_colour, _html_math, _sub

if TYPE_CHECKING:
    from ..lecture import BackwardStep
    from ..nn import MLP


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
    from ..derivation import canonical_name
    from ..lecture import BackwardStep
    from ..nn import MLP

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


def _paths_to_loss(
    highlight: str, names: dict[str, str], edges: list[tuple[str, str, str]], mlp: MLP
) -> tuple[set[tuple[str, str, str]], int]:
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
