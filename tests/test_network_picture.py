"""The network as the slide draws it (draw_network), backward one step at a time, and rendering limits."""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from micrograd_nptel import MLP, RenderError, Value, backward_steps, cross_entropy, draw_dot, draw_network, render, squared_error, trace
from micrograd_nptel.draw.render import natural_size
from micrograd_nptel.draw.style import NOW, NOW_FILL, PATH_COLOUR, POSITIVE
from micrograd_nptel.examples import chain, figure_network, neuron
from micrograd_nptel.expression import parse_expression
from micrograd_nptel.graph import MIN_SCALE, op_label
from micrograd_nptel.lecture import back_propagation, network_weights

PT_TO_PX = 96 / 72  # Graphviz's PNG: 96 dpi
SUBSCRIPT = "₀₁₂₃₄₅₆₇₈₉"


def positions(source: str) -> dict[str, tuple[float, float]]:
    return {m[0]: (float(m[1]), float(m[2])) for m in re.findall(r'^\s*(\w+) \[[^\n]*?pos="([-\d.]+),([-\d.]+)!"', source, flags=re.M)}


def weight_edges(source: str) -> list[str]:
    return [line for line in source.splitlines() if "->" in line and "penwidth" in line and "#888888" not in line]


def png_width(data: bytes) -> int:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(data[16:20], "big")


def test_one_node_per_unit_in_index_order_and_columns_left_to_right() -> None:
    mlp, _, L = figure_network()
    src = draw_network(mlp, loss=L).source
    pos = positions(src)
    units = [f"x{j}" for j in range(3)] + [f"u{k}_{i}" for k in (1, 2, 3) for i in range(3 if k < 3 else 2)] + ["y0", "y1", "L"]
    assert set(units) <= set(pos)
    for column in (["x0", "x1", "x2"], ["u1_0", "u1_1", "u1_2"], ["u2_0", "u2_1", "u2_2"], ["u3_0", "u3_1"], ["y0", "y1"]):
        ys = [pos[u][1] for u in column]
        assert ys == sorted(ys, reverse=True) and len({pos[u][0] for u in column}) == 1  # unit 1 on top, one column
    xs = [pos[c][0] for c in ("x0", "u1_0", "u2_0", "u3_0", "y0", "L")]
    assert xs == sorted(xs)
    for k in (1, 2):
        assert f"a{SUBSCRIPT[k]},₁" in src and f"h{SUBSCRIPT[k]},₁" in src
    assert len(weight_edges(src)) == 3 * 3 + 3 * 3 + 3 * 2
    assert re.search(r"y0 -> L", src) and not re.search(r"y1 -> L", src)  # L = -log ŷ_1 uses ŷ_1 only


def test_weight_edges_show_the_gradient_by_colour_and_width() -> None:
    mlp, _, L = figure_network()
    src = draw_network(mlp, loss=L).source
    widths = {}
    for layer in mlp.layers:
        for row in layer.W:
            for w in row:
                k, i, j = map(int, re.findall(r"\d+", w.label))
                src_id = f"x{j - 1}" if k == 1 else f"u{k - 1}_{j - 1}"
                line = next(e for e in weight_edges(src) if re.match(rf"\s*{src_id}(:\w+:\w)? -> u{k}_{i - 1}\b", e))
                assert (POSITIVE in line) == (w.grad >= 0), (w.label, line)
                widths[w.label] = (abs(w.grad), float(re.search(r"penwidth=\"?([\d.]+)", line).group(1)))
    ordered = sorted(widths.values())
    assert [p for _, p in ordered] == sorted(p for _, p in ordered)  # wider for larger |∂L/∂W|
    labelled = draw_network(mlp, loss=L, weight_labels=True).source
    w = mlp.layers[0].W[0][0]
    assert f">{w.grad:.3g}</FONT>" in labelled and labelled.count('BGCOLOR="#ffffff"><TR><TD><FONT') == 9 + 9 + 6
    assert "label_x0_u1_0" in labelled  # the label of W_{1,1,1}: a node on its edge, drawn over the lines on white


def label_positions(src: str) -> dict[str, tuple[float, float]]:
    found = re.finditer(r"(label_\w+) \[.*?pos=\"([-\d.]+),([-\d.]+)!", src, re.S)
    return {m.group(1): (float(m.group(2)), float(m.group(3))) for m in found}


def test_weight_labels_never_meet_and_a_step_lists_its_weights_as_the_named_matrix() -> None:
    """Labels sit 40% of the way back from the unit an edge enters: for a 3-3 (or 3-2) layer no two are closer than
    1/5 of a row, and each is on its own edge; step 5 lists its 9 ∇W_2 beside the picture as the 3 x 3 matrix, each
    number under its name W_{2,i,j} (on the edges, crossing between layers 1 and 2, they overlapped)."""
    mlp, xs, L = figure_network()
    labelled = draw_network(mlp, loss=L, weight_labels=True).source
    pos = label_positions(labelled)
    assert len(pos) == 24
    for gap in ("x", "u1_", "u2_"):
        ys = sorted(y for name, (_, y) in pos.items() if name.startswith(f"label_{gap}"))
        assert min(b - a for a, b in itertools.pairwise(ys)) >= 0.3, ys  # inches; a label is about 0.2 tall
    steps = backward_steps(mlp, [v.data for v in xs], 0)
    fifth = draw_network(mlp, step=steps[4]).source
    assert not label_positions(fifth)
    panel = next(line for line in fifth.splitlines() if line.strip().startswith("panel ["))
    assert "∇W₂ L</B> (3 × 3)" in panel
    cells = re.findall(r"<FONT[^>]*>(W₂,[₁₂₃],[₁₂₃])</FONT><BR/><FONT[^>]*>([-\d.e]+)</FONT>", panel)
    expected = [
        (f"W₂,{i},{j}".translate(str.maketrans("123", "₁₂₃")), f"{mlp.layers[1].W[i - 1][j - 1].grad:.3g}")
        for i in (1, 2, 3)
        for j in (1, 2, 3)
    ]
    assert cells == expected  # row by row, as the matrix is written
    assert "no ∇W at this step" in draw_network(mlp, step=steps[3]).source
    assert label_positions(draw_network(mlp, step=steps[4], weight_labels=True).source)
    assert not label_positions(draw_network(mlp, loss=L).source)


def test_biases_are_drawn_with_their_gradient() -> None:
    mlp, xs, L = figure_network()
    mlp.layers[1].b[0].data = 0.25
    L = cross_entropy(mlp(xs), 0)
    mlp.zero_grad()
    L.backward()
    src = draw_network(mlp, loss=L).source
    assert "b₂,₁ = 0.25" in src and f"∇ {mlp.layers[1].b[0].grad:.4g}" in src
    assert src.count("b₁,") == 3 and src.count("b₃,") == 2
    steps = backward_steps(mlp, [v.data for v in xs], 0)
    second = draw_network(mlp, step=steps[1]).source  # ∇b_3 = ∇a_3: computed at step 2, orange
    assert second.count(f'BGCOLOR="{NOW_FILL}" CELLPADDING="1"') == 2


def test_highlight_colours_every_path_to_the_loss() -> None:
    mlp, _, L = figure_network()
    src = draw_network(mlp, loss=L, highlight="W_{1,1,1}").source
    assert "the 6 paths from W₁,₁,₁ to L" in src
    arrows = [line for line in src.splitlines() if "->" in line]
    on_path = [line for line in arrows if f'color="{PATH_COLOUR}' in line and "penwidth=5" in line]
    # x_1 -> a_{1,1}; h_{1,1} -> 3 units; 3 x 2 into layer 3; a_{3,1}, a_{3,2} -> ŷ_1; ŷ_1 -> L
    assert len(on_path) == 1 + 3 + 6 + 2 + 1
    # told apart by width and shade as well as colour: every other edge thin and faded
    assert all("penwidth=1]" in line and re.search(r'color="#\w{6}40"', line) for line in arrows if line not in on_path)
    assert "the 2 paths from h₂,₂ to L" in draw_network(mlp, loss=L, highlight="h_22").source
    with pytest.raises(ValueError, match=r"highlight 'W_9' is not a weight, bias, unit or input of this network"):
        draw_network(mlp, loss=L, highlight="W_9")
    with pytest.raises(TypeError, match="draw_network needs an MLP"):
        draw_network(L)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="run the network forward first"):
        draw_network(MLP(2, [2], 2))


@pytest.mark.parametrize("output", ["softmax", "linear"])
@pytest.mark.parametrize("g", ["logistic", "tanh", "relu"])
def test_backward_steps_follow_the_pseudo_code_and_match_the_formulas(g: str, output: str) -> None:
    mlp = MLP(3, [4, 3], 2, activation=g, output=output, seed=3)
    x = [0.7, -1.2, 0.4]
    y: int | list[float] = 1 if output == "softmax" else [0.3, -0.2]
    steps = backward_steps(mlp, x, y)
    W, b = network_weights(mlp)
    ref = back_propagation(W, b, x, y, g=g, O=output)
    assert len(steps) == 3 * len(mlp.layers) and [s.number for s in steps] == list(range(1, 10))
    kinds = [sorted({re.match(r"[a-zA-Z]+", n).group(0) for n in s.computing}) for s in steps]  # type: ignore[union-attr]
    assert kinds == [["a"], ["W", "b"], ["h"], ["a"], ["W", "b"], ["h"], ["a"], ["W", "b"], ["x"]]
    assert [s.k for s in steps] == [3, 3, 3, 3, 2, 2, 2, 1, 1]
    engine = {p.label: p.grad for p in mlp.parameters()}
    engine |= {v.label: v.grad for layer in mlp.layers for v in (*layer.a, *layer.h)}
    for s in steps:
        assert s.computing <= set(s.grads) and (s.number == 1 or set(steps[s.number - 2].grads) < set(s.grads))
        for name in s.computing:
            nums = [int(t) for t in re.findall(r"\d+", name)]
            if name.startswith("W"):
                formula = ref.W[nums[0]][nums[1] - 1, nums[2] - 1]
            elif name.startswith("b"):
                formula = ref.b[nums[0]][nums[1] - 1]
            elif name.startswith("a"):
                formula = ref.a[nums[0]][nums[1] - 1]
            elif name.startswith("h"):
                formula = ref.h[nums[0]][nums[1] - 1]
            else:  # x_j = h_{0,j}
                formula = ref.h[0][nums[0] - 1]
            assert s.grads[name] == formula, name
            if name in engine:
                assert abs(engine[name] - formula) < 1e-12, name
    loss = cross_entropy(mlp(x), 1) if output == "softmax" else squared_error(mlp(x), [0.3, -0.2])
    assert steps[0].loss == pytest.approx(loss.data, rel=1e-15)


def test_a_step_frame_fills_in_what_is_known_and_marks_what_is_computed() -> None:
    mlp, xs, _ = figure_network()
    steps = backward_steps(mlp, [v.data for v in xs], 0)
    first = draw_network(mlp, step=steps[0]).source
    assert first.count("∇ ?") == 3 + 3 * 2 + 3 * 2 + 3 + 3 + 2  # x, a and h of both hidden layers, and every bias
    assert first.count("∇ —") == 2 and "goes from L straight to ∇a₃" in first.replace("<BR/>", " ")  # ∇ŷ is folded into ∇a_3 (Module 4.8)
    assert len([e for e in weight_edges(first) if "dashed" in e]) == 9 + 9 + 6  # no ∇W known yet
    assert first.count(NOW_FILL) == 2  # a_{3,1}, a_{3,2} computed now
    second = draw_network(mlp, step=steps[1]).source
    assert len([e for e in weight_edges(second) if NOW in e]) == 6  # W_3 computed now
    assert "step 2 of 9:<BR/>∇W₃ L = ∇a₃ L h₂ᵀ<BR/>∇b₃ L = ∇a₃ L" in second  # Unicode subscripts: on the line in any SVG viewer
    assert "<SUB>" not in second and "<SUP>" not in second
    last = draw_network(mlp, step=steps[-1]).source
    assert "∇ ?" not in last and "dashed" not in last


def test_sized_for_jupyterlabs_column(tmp_path: Path) -> None:
    """The 3-3-3-2 picture fits JupyterLab's 848 px output column at its own size, so no text is shrunk: its smallest
    text (11 pt: the ∇ line; subscripts are Unicode subscript digits of the 14 pt names) is 14.7 px on screen.
    The 4-16-16-3 network is as narrow (its layers grow downwards)."""
    mlp, _, L = figure_network()
    source = draw_network(mlp, loss=L).source
    smallest = min(int(n) for n in re.findall(r'POINT-SIZE="(\d+)"', source) + re.findall(r"fontsize=(\d+)", source))
    assert smallest >= 11 and smallest * PT_TO_PX >= 14
    assert "<SUB>" not in source  # a₁,₁: Graphviz's <SUB> dropped into the next line at these sizes
    width = png_width(render(draw_network(mlp, loss=L, highlight="W_111"), "png"))
    assert 600 <= width <= 848, width
    big = MLP(4, [16, 16], 3, seed=0)
    loss = cross_entropy(big([0.5, -1.0, 2.0, 0.1]), 2)
    loss.backward()
    assert png_width(render(draw_network(big, loss=loss), "png")) <= 848


def test_expression_graphs_write_ops_as_the_slide() -> None:
    ops = ("*", "**2", "**3", "exp", "sigmoid", "/", "-", "neg", "**0.5")
    assert [op_label(op) for op in ops] == ["×", "x²", "x³", "eˣ", "σ", "÷", "−", "−x", "x⁰·⁵"]
    f, _ = chain()
    src = draw_dot(f).source.replace('"', "")
    assert "label=x²" in src and "label=eˣ" in src and "**2" not in src


def test_the_neuron_reads_top_down_w1_to_b() -> None:
    h, _ = neuron()
    a = h.parents[0]
    src = draw_dot(h).source
    nodes, _ = trace(h)
    into = re.findall(rf"^\s*(n\d+) -> n{nodes.index(a)}op\b", src, flags=re.M)
    labels = [nodes[int(n[1:])].label for n in into]
    assert labels == ["w_1", "w_2", "w_3", "x_1", "x_2", "x_3", "b"] and "ordering=in" in src  # dot keeps this order, top to bottom


def test_size_never_squashes_a_chain_into_a_strip() -> None:
    f, _ = chain()
    fitted = draw_dot(f, size="10,6")
    natural = natural_size(fitted.copy())
    assert natural is not None
    w, h = (float(t) for t in fitted.graph_attr["size"].split(","))
    assert min(1.0, w / natural[0], h / natural[1]) >= MIN_SCALE
    assert fitted.graph_attr["rankdir"] == "TB"  # a chain is taller than wide once turned


def test_render_limits_are_one_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, _ = parse_expression("+".join(["x"] * 500), {"x": 1.0})
    start = time.perf_counter()
    with pytest.raises(ValueError, match=r"999 nodes .* more than max_nodes=300"):
        draw_dot(root)
    assert time.perf_counter() - start < 1.0
    _, _, L = figure_network()
    with pytest.raises(RenderError, match=r"took more than 0.001 s .* draw fewer nodes"):
        render(draw_dot(L, rankdir="LR"), "png", timeout=0.001)
    fake = tmp_path / "dot"
    fake.write_text("#!/bin/sh\nkill -SEGV $$\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    with pytest.raises(RenderError, match=r"crashed \(SIGSEGV\)"):
        render(draw_dot(Value(1.0, label="x") * 2, rankdir="LR"), "png")


def draw(*args: str, cwd: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "micrograd_nptel", "draw", *args], capture_output=True, text=True, timeout=60, cwd=cwd)
    return done, time.perf_counter() - start


def test_draw_cli_network_steps_and_long_sums(tmp_path: Path) -> None:
    done, _ = draw("network", "-o", "net.png", "--highlight", "W_111", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "one node per unit" in done.stdout and (tmp_path / "net.png").read_bytes()[:4] == b"\x89PNG"
    done, _ = draw("network", "--steps", "-o", "frames", "--format", "svg", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "frames").iterdir()) == [f"step_{i:02d}.svg" for i in range(1, 10)]
    done, _ = draw("network", "--value-graph", "-o", "values.svg", cwd=tmp_path)
    assert done.returncode == 0 and "hidden layer 1 (layer 1)" in (tmp_path / "values.svg").read_text()
    # 49 edges out of x, each with its local derivative: dot lays it out in 0.12 s with the derivatives as xlabels
    # and in 40 s with them as labels (nodes to the layout), which render's 10 s limit stops (exit 1). An SVG times
    # the layout; a PNG of it is 15420 x 2543 px, whose painting (3.5 s alone, 11.5 s on a loaded machine) is not.
    fifty, seconds = draw("+".join(["x"] * 50), "--at", "x=1", "-o", "fifty.svg", cwd=tmp_path)
    assert fifty.returncode == 0 and seconds < 15, (fifty.stderr, seconds)
    svg = (tmp_path / "fifty.svg").read_text(encoding="utf-8")
    assert svg.count(">+</text>") == 49 and "grad 50" in svg
    many, seconds = draw("+".join(["x"] * 500), "--at", "x=1", "-o", "many.png", "--no-local-grads", cwd=tmp_path)
    assert many.returncode == 1 and seconds < 15 and len(many.stderr.strip().splitlines()) == 1 and "max_nodes" in many.stderr
    for args in (["network", "--highlight", "W_9"], ["chain", "--steps"], ["network", "--steps", "-o", "x.png"]):
        bad, _ = draw(*args, cwd=tmp_path)
        assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1, (args, bad.stderr)
    tiny, _ = draw("1/x", "--at", "x=1e-200", "-o", "t.png", cwd=tmp_path)
    assert tiny.returncode == 1 and len(tiny.stderr.strip().splitlines()) == 1, tiny.stderr


def test_step_through_returns_a_slider_or_frames(monkeypatch: pytest.MonkeyPatch) -> None:
    import graphviz

    from micrograd_nptel import step_through

    pytest.importorskip("ipywidgets", reason="the slider needs ipywidgets (the notebooks and test extras)")
    import IPython

    class Kernel:  # a Jupyter kernel's shell: step_through makes its widget only there
        kernel = object()

    mlp = MLP(2, [2], 2, seed=1)
    monkeypatch.setattr(IPython, "get_ipython", lambda: Kernel())
    widget = step_through(mlp, [0.5, -0.5], 1)
    slider = widget.children[0]  # type: ignore[attr-defined]
    assert slider.max == 6 and slider.value == 1 and slider.description == "step"
    slider.value = 4  # the slider's callback draws frame 4 (into the Output widget, in a kernel)
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # no ipywidgets: plain frames
    frames = step_through(mlp, [0.5, -0.5], 1)
    assert isinstance(frames, list) and len(frames) == 6 and all(isinstance(f, graphviz.Digraph) for f in frames)


def test_step_through_outside_jupyter_prints_one_line(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """In a script or a terminal (ipywidgets installed or not) step_through prints no Graphviz source, no control codes."""
    from micrograd_nptel import step_through

    frames = step_through(MLP(2, [2], 2, seed=1), [0.5, -0.5], 1)
    print(frames)
    out = capsys.readouterr().out
    assert out.startswith("<StepFrames: 6 pictures of backward") and out.count("\n") == 1, out[:300]
    assert "digraph" not in out and "\x1b" not in out and "\r" not in out


def png_size(data: bytes) -> tuple[int, int]:
    return png_width(data), int.from_bytes(data[20:24], "big")


@pytest.mark.parametrize("slide", [False, True])
def test_every_step_frame_is_one_pixel_size(slide: bool) -> None:
    """A cell that widens when its ∇ becomes known (step 9's ∇x), a longer title or note: the frame stays put."""
    mlp, xs, L = figure_network()
    steps = backward_steps(mlp, [v.data for v in xs], 0)
    frames = [draw_network(mlp, loss=L, step=s, slide=slide) for s in steps]
    sizes = {png_size(render(f, "png")) for f in frames}
    assert len(sizes) == 1
    if slide:  # a projector's 1920 x 1080, filled across
        ((width, height),) = sizes
        assert width == 1920 and height <= 1080
    assert len({re.search(rb'width="(\d+)pt" height="(\d+)pt"', render(f, "svg")).groups() for f in frames}) == 1  # type: ignore[union-attr]


def test_slide_network_is_larger_and_respects_the_users_font_size() -> None:
    mlp, _, L = figure_network()
    slide = draw_network(mlp, loss=L, slide=True)
    assert slide.graph_attr["dpi"] == "120" and 'POINT-SIZE="19"' in slide.source  # ∇ at 19 pt, not 11
    big = draw_network(mlp, loss=L, node_attr={"fontsize": "24"})
    assert big.node_attr["fontsize"] == "24" and 'POINT-SIZE="28"' in big.source  # names keep their 14:12 proportion
    assert draw_network(mlp, loss=L, graph_attr={"pad": "1"}).graph_attr["pad"] == "1"
    with pytest.raises(ValueError, match="fontsize"):
        draw_network(mlp, loss=L, node_attr={"fontsize": "huge"})
    with pytest.raises(ValueError, match="dpi"):
        draw_network(mlp, loss=L, dpi=0)


@pytest.mark.parametrize("change", ["tie", "add", "relabel"])
def test_a_weight_tied_replaced_or_relabelled_is_still_drawn_at_its_place(change: str) -> None:
    """Issue 34, item 5: draw_network raised KeyError: 'W_{2,1,1}' after a tie, after `W += 0.1` or a new label."""
    mlp = MLP(3, [2], 2, seed=1)
    if change == "tie":
        mlp.layers[1].W[1][0] = mlp.layers[0].W[1][2]  # W_{2,2,1} is W_{1,2,3}: one Value in two places
    elif change == "add":
        mlp.layers[0].W[0][0] += 0.1  # W_{1,1,1} is now the node W + 0.1
    else:
        mlp.layers[0].W[0][0].label = "w"
    L = cross_entropy(mlp([Value(0.1), Value(0.2), Value(0.3)]), 0)
    L.backward()
    src = draw_network(mlp, loss=L, weight_labels=True, highlight="W_{2,2,1}").source
    for key, w, edge in (("W_{2,2,1}", mlp.layers[1].W[1][0], "u1_0 -> u2_1"), ("W_{1,1,1}", mlp.layers[0].W[0][0], "x0 -> u1_0")):
        line = next(e for e in src.splitlines() if re.match(rf"\s*{edge.split(' -> ')[0]}(:\w+:\w)? -> {edge.split(' -> ')[1]}\b", e))
        assert (POSITIVE in line) == (w.grad >= 0), (key, line)
        assert f">{w.grad:.3g}</FONT>" in src  # its label: the gradient of the Value in that place
