"""Pictures a room can read: slide mode measured at 1920 x 1080, the colour-safe palette, and the draw command's
options for it (--slide, --dpi, --param, --legend), with no rounding noise printed."""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from micrograd_nptel import backward_steps, chain_rule_paths, draw_dot, draw_network, render
from micrograd_nptel.draw.style import OKABE_ITO
from micrograd_nptel.examples import figure_network, multipath, neuron
from micrograd_nptel.expression import parse_expression

EXPRESSION = "(sigmoid(w1*x1 + w2*x2 + b) - y)**2"
AT = {"w1": 0.5, "x1": 1.0, "w2": -0.3, "x2": 2.0, "b": 0.1, "y": 1.0}
SVG = "{http://www.w3.org/2000/svg}"


def node_text_px(svg: bytes, box: tuple[int, int] = (1920, 1080)) -> float:
    """The smallest node text's height (its font size) in pixels when the picture is fitted into ``box``, as a
    projector shows it: SVG font size x the drawing's own scale x the fit."""
    root = ET.fromstring(svg)
    width, height = (float(root.get(k, "0").removesuffix("pt")) for k in ("width", "height"))
    graph = root.find(SVG + "g")
    assert graph is not None
    m = re.search(r"scale\(([\d.]+)", graph.get("transform", ""))
    scale = float(m.group(1)) if m else 1.0
    fit = min(box[0] / width, box[1] / height)
    sizes = [
        float(t.get("font-size", "0")) * scale * fit
        for g in graph.iter(SVG + "g")
        if g.get("class") == "node"
        for t in g.iter(SVG + "text")
        if (t.text or "").strip()
    ]
    return min(sizes)


def expression() -> tuple[object, dict[str, object]]:
    root, variables = parse_expression(EXPRESSION, AT)
    root.label = "f"
    root.backward()
    return root, variables  # type: ignore[return-value]


def test_slide_mode_node_text_is_30_px_at_1080p() -> None:
    root, variables = expression()
    default = node_text_px(render(draw_dot(root), "svg"))  # type: ignore[arg-type]
    slide = draw_dot(root, slide=True)  # type: ignore[arg-type]
    assert node_text_px(render(slide, "svg")) >= 30 > default
    highlighted = draw_dot(root, slide=True, highlight=chain_rule_paths(root, variables["w1"]))  # type: ignore[arg-type]
    assert node_text_px(render(highlighted, "svg")) >= 30  # the paths' legend below the graph, wrapped
    png = render(slide, "png")
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert width <= 1920 and height <= 1080 and (width == 1920 or height == 1080)  # fills the 16:9 frame
    chain, _ = parse_expression("exp(sin(x**2))", {"x": 1.0})
    chain.backward()
    png = render(draw_dot(chain, slide=True), "png")  # a small graph is scaled up to fill the frame too
    assert int.from_bytes(png[16:20], "big") == 1920 or int.from_bytes(png[20:24], "big") == 1080


def test_slide_nodes_stack_name_value_and_gradient_with_the_op() -> None:
    root, _ = expression()
    source = draw_dot(root, slide=True).source  # type: ignore[arg-type]
    assert "op [" not in source  # the op is the grey top of its node, not a node of its own
    f_node = next(line for line in source.splitlines() if "<B>f</B>" in line)
    assert f_node.count("<TR>") == 3 and "x^2" in f_node and "data 0.25" in f_node and "grad 1" in f_node  # x² at full size


def test_your_own_attributes_win_and_dpi_sets_pixels_not_points() -> None:
    root, _ = expression()
    dot = draw_dot(root, slide=True, graph_attr={"fontsize": "30"}, node_attr={"fontsize": "40"}, edge_attr={"fontsize": "9"})  # type: ignore[arg-type]
    assert (dot.graph_attr["fontsize"], dot.node_attr["fontsize"], dot.edge_attr["fontsize"]) == ("30", "40", "9")
    small, large = (render(draw_dot(root, dpi=d), "png") for d in (48, 96))  # type: ignore[arg-type]
    assert int.from_bytes(large[16:20], "big") == pytest.approx(2 * int.from_bytes(small[16:20], "big"), abs=2)
    svg = render(draw_dot(root, dpi=200), "svg")  # type: ignore[arg-type]
    assert b"scale(1 1)" in svg  # an SVG is not scaled by dpi (Graphviz would draw it beyond its own frame)
    with pytest.raises(ValueError, match="dpi"):
        draw_dot(root, dpi=0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="legend"):
        draw_dot(root, legend="left")  # type: ignore[arg-type]


def test_legend_beside_below_or_off() -> None:
    root, variables = expression()
    paths = chain_rule_paths(root, variables["w1"])  # type: ignore[arg-type]
    assert "legend [" in draw_dot(root, highlight=paths).source  # type: ignore[arg-type]
    below = draw_dot(root, highlight=paths, legend="below").source  # type: ignore[arg-type]
    assert "legend [" not in below and "labelloc=b" in below and "sum over the 1 path = ∂f/∂w1" in below
    off = draw_dot(root, highlight=paths, legend="off").source  # type: ignore[arg-type]
    assert "sum over" not in off and "path 1" not in off


def colours(source: str) -> set[str]:
    return {c.lower()[:7] for c in re.findall(r"#[0-9a-fA-F]{6,8}", source)}


def is_grey(c: str) -> bool:
    r, g, b = (int(c[i : i + 2], 16) for i in (1, 3, 5))
    return max(r, g, b) - min(r, g, b) <= 16


def test_every_colour_is_okabe_ito_a_tint_of_one_or_grey() -> None:
    palette = {c.lower() for c in OKABE_ITO.values()}

    def tint_of(c: str) -> bool:  # a light tint: each channel moved the same share of the way to white
        rgb = [int(c[i : i + 2], 16) for i in (1, 3, 5)]
        for p in palette:
            base = [int(p[i : i + 2], 16) for i in (1, 3, 5)]
            shares = [(v - b) / (255 - b) for v, b in zip(rgb, base) if b < 250]
            if shares and all(0 <= s <= 1 for s in shares) and max(shares) - min(shares) < 0.2:
                return True
        return False

    def shade_of(c: str) -> bool:  # a darker shade (text on a fill): each channel scaled by the same factor toward black
        rgb = [int(c[i : i + 2], 16) for i in (1, 3, 5)]
        for p in palette:
            base = [int(p[i : i + 2], 16) for i in (1, 3, 5)]
            factors = [v / b for v, b in zip(rgb, base) if b > 40]
            if (
                factors
                and all(0 < f <= 1 for f in factors)
                and max(factors) - min(factors) < 0.03
                and all(v <= 3 for v, b in zip(rgb, base) if b <= 40)
            ):
                return True
        return False

    root, variables = expression()
    mlp, _, L = figure_network()
    sources = [
        draw_dot(root, highlight=chain_rule_paths(root, variables["x1"])).source,  # type: ignore[arg-type]
        draw_network(mlp, loss=L, highlight="W_111").source,
    ]
    sources.append(draw_network(mlp, loss=L, slide=True).source)  # the numbers' text in darker shades of blue and vermillion
    for c in set().union(*(colours(s) for s in sources)):
        assert c in palette or is_grey(c) or tint_of(c) or shade_of(c), c


def draw(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "micrograd_nptel", "draw", *args], capture_output=True, text=True, timeout=60, cwd=cwd)


AT_ARG = "w1=0.5,x1=1,w2=-0.3,x2=2,b=0.1,y=1"


def test_draw_cli_slide_dpi_and_param(tmp_path: Path) -> None:
    done = draw(EXPRESSION, "--at", AT_ARG, "--slide", "-o", "slide.png", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    png = (tmp_path / "slide.png").read_bytes()
    assert int.from_bytes(png[16:20], "big") == 1920  # 16 inches at 120 dpi
    done = draw(EXPRESSION, "--at", AT_ARG, "--dpi", "48", "-o", "small.png", cwd=tmp_path)
    assert done.returncode == 0 and int.from_bytes((tmp_path / "small.png").read_bytes()[16:20], "big") < 1300
    done = draw(EXPRESSION, "--at", AT_ARG, "--param", "w1,w2,b", "-o", "p.dot", cwd=tmp_path)
    source = (tmp_path / "p.dot").read_text()
    fills = {m[1]: m[0] for m in re.findall(r'BGCOLOR="(#\w+)"><TR><TD><B>(\w+)</B>', source)}
    assert fills["w1"] == fills["w2"] == fills["b"] != fills["x1"] == fills["y"]  # w1 is a parameter: --param said so
    for args in (["--param", "w3"], ["--param", ","], ["--dpi", "0"]):
        bad = draw(EXPRESSION, "--at", AT_ARG, *args, cwd=tmp_path)
        assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1, (args, bad.stderr)
    assert draw("network", "--param", "w1", cwd=tmp_path).returncode == 2


def test_draw_cli_refuses_an_unused_at_and_prints_no_rounding_noise(tmp_path: Path) -> None:
    bad = draw("x*x", "--at", "x=1,z=2", cwd=tmp_path)
    assert bad.returncode == 2 and "z" in bad.stderr and "its variables are x" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
    done = draw("x - 0.6 + 0.1", "--at", "x=0.5", "-o", "noise.svg", cwd=tmp_path)
    assert done.returncode == 0 and "output f = 0" in done.stdout and "e-17" not in done.stdout, done.stdout
    assert "e-17" not in (tmp_path / "noise.svg").read_text()
    draw("x - 0.6 + 0.1", "--at", "x=0.5", "-o", "noise.dot", cwd=tmp_path)
    source = (tmp_path / "noise.dot").read_text()
    assert "e-17" not in source and "<B>f</B></TD><TD>data 0</TD>" in source


def test_draw_help_shows_named_steps() -> None:
    done = subprocess.run([sys.executable, "-m", "micrograd_nptel", "draw", "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "h = sigmoid(a)" in done.stdout and "--slide" in done.stdout and "--param" in done.stdout


def test_step_through_slide_frames(monkeypatch: pytest.MonkeyPatch) -> None:
    from micrograd_nptel import step_through

    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # the frames themselves
    mlp, xs, _ = figure_network()
    frames = step_through(mlp, [v.data for v in xs], 0, slide=True)
    assert len(frames) == 9 and all(f.graph_attr["dpi"] == "120" for f in frames)  # type: ignore[attr-defined]
    assert "panel [" in frames[4].source and "∇W2 L</B> (3 × 3)" in frames[4].source  # type: ignore[index]


def slide_frames() -> list[object]:
    """The backward pass's slide frames both ways a teacher gets them: draw_network(step=..., slide=True) (the draw
    command's --steps --slide) and step_through(..., slide=True)."""
    from micrograd_nptel import backward_steps, step_through

    mlp, xs, L = figure_network()
    drawn = [draw_network(mlp, loss=L, step=s, slide=True) for s in backward_steps(mlp, [v.data for v in xs], 0)]
    stepped = list(step_through(mlp, [v.data for v in xs], 0, slide=True))  # type: ignore[call-overload]
    return drawn + stepped


def test_every_slide_step_frame_has_30_px_text_at_1080p(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # step_through's frames themselves
    frames = slide_frames()
    assert len(frames) == 18
    for k, frame in enumerate(frames):  # the units, the titles and the panel: the step, the ∇W matrix and the notes
        found = texts(render(frame, "svg"))  # type: ignore[arg-type]
        assert min(px for _, px, *_ in found) >= 20 and min(px for _, px, is_label, *_ in found if is_label) >= 30, k
    panel = next(line for line in frames[4].source.splitlines() if line.strip().startswith("panel ["))  # type: ignore[attr-defined]
    assert "W221</FONT><BR/>" in panel and "-0.000839" in panel  # each ∇W entry under its name W_{k,i,j}, as the slides write it


def plain_boxes(frame: object) -> tuple[tuple[float, float], dict[str, tuple[float, float, float, float]]]:
    """The drawing's size and each visible node's box (left, bottom, right, top; inches), from Graphviz's layout."""
    lines = [line.split() for line in render(frame, "plain").decode().splitlines()]  # type: ignore[arg-type]
    width, height = float(lines[0][2]), float(lines[0][3])
    boxes = {}
    for t in lines:
        if t[0] == "node" and not t[1].startswith("corner"):
            x, y, w, h = (float(v) for v in t[2:6])
            boxes[t[1]] = (x - w / 2, y - h / 2, x + w / 2, y + h / 2)
    return (width, height), boxes


def test_slide_step_frames_overlap_nothing_and_cut_nothing_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """Graphviz widens a cell to hold its text: a cell too narrow for its numbers would meet its neighbour's box."""
    from micrograd_nptel import backward_steps

    monkeypatch.setitem(sys.modules, "ipywidgets", None)
    mlp, xs, L = figure_network()
    labelled = draw_network(mlp, loss=L, step=backward_steps(mlp, [v.data for v in xs], 0)[-1], slide=True, weight_labels=True)
    assert sum(line.strip().startswith("label_") for line in labelled.source.splitlines()) == 24
    for frame in [*slide_frames()[:9], labelled]:  # with weight labels, the gaps widen to hold them clear of the cells
        frame.graph_attr.pop("size")  # type: ignore[attr-defined]  # the layout at its own size
        (width, height), boxes = plain_boxes(frame)
        margin = 0.09  # a plaintext node's own margin, inside its box
        for name, (x0, y0, x1, y1) in boxes.items():
            assert -0.01 <= x0 + margin and x1 - margin <= width + 0.01 and -0.01 <= y0 and y1 <= height + 0.01, name
        for (a, p), (b, q) in itertools.combinations(boxes.items(), 2):
            apart = p[2] - margin <= q[0] + margin or q[2] - margin <= p[0] + margin or p[3] <= q[1] or q[3] <= p[1]
            assert apart, (a, b)
        done = subprocess.run(["neato", "-Tplain"], input=frame.source.encode(), capture_output=True, timeout=60)  # type: ignore[attr-defined]
        assert not done.stderr, done.stderr  # "table size too small for content": the panel's text would spill out


def test_every_slide_step_frame_is_one_pixel_size(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ipywidgets", None)
    sizes = set()
    for frame in slide_frames():
        png = render(frame, "png")  # type: ignore[arg-type]
        sizes.add((int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")))
    ((width, height),) = sizes
    assert width <= 1920 and height <= 1080 and (width == 1920 or height == 1080)  # fills the 16:9 frame


# ---------------------------------------------------------------------- the back row: cap height, contrast, colour vision
CAP = 0.716
"""Cap height / font size of the fonts Graphviz draws Helvetica with (Liberation Sans 0.716, DejaVu Sans 0.729, Arial
0.716): the smaller, so a measured size is never flattered."""

SMALL_GLYPHS = set("₀₁₂₃₄₅₆₇₈₉⁰¹²³⁴⁵⁶⁷⁸⁹⁻ᵀᵢⱼₖˣʸ")
"""Subscript and superscript characters: drawn at about half the text's height (12 px on a projector)."""


def is_name(text: str) -> bool:
    """A node's label: a name as slide mode writes it (``a11``, ``x1``, ``ŷ2``, ``W111``, ``L``, ``w1``, ``f``)."""
    return re.fullmatch(r"[A-Za-zŷ]+\d*", text) is not None


def texts(svg: bytes, box: tuple[int, int] = (1920, 1080)) -> list[tuple[str, float, bool, str, str]]:
    """Every text of an SVG picture fitted into ``box`` as a projector shows it: ``(text, cap height in px, a node's
    name?, its colour, the fill behind it)``. The fill is the last filled shape drawn before the text that holds its
    anchor (a table cell's background), else the page's white; arrowheads (under 6 pt) are not fills."""
    root = ET.fromstring(svg)
    width, height = (float(root.get(k, "0").removesuffix("pt")) for k in ("width", "height"))
    graph = root.find(SVG + "g")
    assert graph is not None
    m = re.search(r"scale\(([\d.]+)", graph.get("transform", ""))
    scale = (float(m.group(1)) if m else 1.0) * min(box[0] / width, box[1] / height)
    named = {"black": "#000000", "white": "#ffffff"}
    fills: list[tuple[float, float, float, float, str]] = []
    out = []
    for el in graph.iter():
        if el.tag == SVG + "polygon" and el.get("fill") not in (None, "none", "transparent"):
            xy = [tuple(map(float, p.split(","))) for p in el.get("points", "").split()]
            xs, ys = [p[0] for p in xy], [p[1] for p in xy]
            if max(xs) - min(xs) > 6 and max(ys) - min(ys) > 6 and el.get("fill-opacity") is None:
                fills.append((min(xs), min(ys), max(xs), max(ys), named.get(el.get("fill", ""), el.get("fill", ""))))
        if el.tag == SVG + "text" and (el.text or "").strip():
            size = float(el.get("font-size", "14"))
            x, y = float(el.get("x", "0")), float(el.get("y", "0")) - 0.35 * size
            behind = next((f[4] for f in reversed(fills) if f[0] <= x <= f[2] and f[1] <= y <= f[3]), "#ffffff")
            colour = named.get(el.get("fill", "black"), el.get("fill", "#000000"))
            bold = el.get("font-weight") == "bold"
            out.append((el.text, size * scale * CAP, bold and is_name(el.text.strip()), colour, behind))
    return out


def contrast(a: str, b: str) -> float:
    """WCAG 2's contrast ratio, computed here on its own (not the library's)."""

    def lum(c: str) -> float:
        r, g, b_ = ((v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4) for v in (int(c[i : i + 2], 16) / 255 for i in (1, 3, 5)))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b_

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def slide_pictures() -> dict[str, object]:
    """Every picture slide mode draws, as a teacher gets it from the draw command."""
    root, variables = expression()
    mlp, xs, L = figure_network()
    chain, _ = parse_expression("exp(sin(x**2))", {"x": 1.0})
    chain.backward()
    mp_root, mp_vars = multipath()
    neuron_root, _ = neuron()
    out: dict[str, object] = {
        "expression --slide": draw_dot(root, slide=True),  # type: ignore[arg-type]
        "expression --slide --highlight w1": draw_dot(root, slide=True, highlight=chain_rule_paths(root, variables["w1"])),  # type: ignore[arg-type]
        "chain --slide": draw_dot(chain, slide=True),
        "multipath --slide --highlight x": draw_dot(mp_root, slide=True, highlight=chain_rule_paths(mp_root, mp_vars["x"])),
        "neuron --slide": draw_dot(neuron_root, slide=True),
        "network --slide": draw_network(mlp, loss=L, slide=True),
        "network --slide --highlight W_111": draw_network(mlp, loss=L, slide=True, highlight="W_111"),
    }
    for k, step in enumerate(backward_steps(mlp, [v.data for v in xs], 0), 1):
        out[f"network --steps --slide (step {k})"] = draw_network(mlp, loss=L, step=step, slide=True)
    return out


@pytest.fixture(scope="module")
def slide_svgs() -> dict[str, bytes]:
    return {name: render(picture, "svg") for name, picture in slide_pictures().items()}  # type: ignore[arg-type]


def test_every_slide_text_is_20_px_and_every_name_30_px_cap_height_at_1080p(slide_svgs: dict[str, bytes]) -> None:
    for name, svg in slide_svgs.items():
        found = texts(svg)
        assert not [t for t, *_ in found if SMALL_GLYPHS & set(t)], name  # W111 as the slides write it: no half-size glyph
        assert min(px for _, px, *_ in found) >= 20, (name, min(found, key=lambda t: t[1]))
        names = [px for _, px, is_label, *_ in found if is_label]
        assert names and min(names) >= 30, (name, min(names, default=0))


def test_every_text_has_4_5_to_1_contrast_on_its_fill(slide_svgs: dict[str, bytes]) -> None:
    assert contrast("#d55e00", "#ffe3a3") < 3.2  # the measurement: vermillion on the "computed now" fill
    root, variables = expression()
    mlp, _, L = figure_network()
    more = {  # the default pictures too, with the paths' legend in their colours and the weights' labels
        "expression --highlight x1": render(draw_dot(root, highlight=chain_rule_paths(root, variables["x1"])), "svg"),  # type: ignore[arg-type]
        "network --weight-labels": render(draw_network(mlp, loss=L, weight_labels=True), "svg"),
    }
    checked = 0
    for name, svg in {**slide_svgs, **more}.items():
        for text, _, _, colour, fill in texts(svg):
            assert contrast(colour, fill) >= 4.5, (name, text, colour, fill, round(contrast(colour, fill), 2))
            checked += 1
    on_orange = [t for svg in slide_svgs.values() for t in texts(svg) if t[4] == "#ffe3a3"]
    assert checked > 1000 and len(on_orange) > 50  # the "computed now" cells were among them


# Machado, Oliveira and Fernandes (2009), "A physiologically-based model for simulation of color vision deficiency":
# deuteranopia at severity 1.0, applied to linear RGB.
DEUTERANOPIA = np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]])


def seen_by_deuteranope(colour: str) -> np.ndarray:
    """The colour as a deuteranope sees it, in CIE L*a*b* (D65)."""
    srgb = np.array([int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    linear = np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)
    simulated = np.clip(DEUTERANOPIA @ linear, 0, 1)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ simulated
    t = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def test_computed_now_differs_from_negative_by_its_line_not_only_its_hue() -> None:
    from micrograd_nptel.draw.style import NEGATIVE, NOW

    normal = float(np.linalg.norm(seen_by_deuteranope("#000000") - seen_by_deuteranope("#ffffff")))
    assert normal > 99  # black and white stay 100 apart in L*
    alike = float(np.linalg.norm(seen_by_deuteranope(NOW) - seen_by_deuteranope(NEGATIVE)))
    assert alike < 25  # under deuteranopia orange and vermillion differ by lightness alone (ΔE ≈ 18): hue does not tell them
    mlp, xs, L = figure_network()
    frame = draw_network(mlp, loss=L, step=backward_steps(mlp, [v.data for v in xs], 0)[4], slide=True)
    edges = [line for line in frame.source.splitlines() if "->" in line and "color=" in line]
    now = [e for e in edges if NOW in e]
    negative = [e for e in edges if NEGATIVE in e and NOW not in e]
    assert len(now) == 9 and negative  # W_2's 9 weights, the edges into layer 2
    for e in now:  # a double line: orange, white, orange strokes side by side
        assert f'color="{NOW}:#ffffff:{NOW}"' in e, e
    for e in negative:
        assert f'color="{NEGATIVE}"' in e and ":" not in re.search(r'color="([^"]*)"', e).group(1), e  # type: ignore[union-attr]
    # what a deuteranope sees of each: the now edge has a white core between its strokes, a light stripe
    # ΔE ≈ 78 from the strokes, where the negative edge is one solid line
    assert float(np.linalg.norm(seen_by_deuteranope("#ffffff") - seen_by_deuteranope(NOW))) > 25


def test_a_slide_png_is_1920_by_1080() -> None:
    for name, picture in slide_pictures().items():
        png = render(picture, "png")  # type: ignore[arg-type]
        assert (int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")) == (1920, 1080), name


def measured_sizes() -> list[tuple[str, float, float]]:
    """Each slide picture's smallest text and smallest node name, cap height in px at 1920 x 1080 (for the docs)."""
    rows = []
    for name, picture in slide_pictures().items():
        found = texts(render(picture, "svg"))  # type: ignore[arg-type]
        rows.append((name, min(px for _, px, *_ in found), min(px for _, px, is_label, *_ in found if is_label)))
    return rows


def _measurements() -> list[tuple[str, float]]:
    """The node text height at 1920 x 1080 of each picture the issue measured, default and slide mode."""
    root, variables = expression()
    mlp, xs, L = figure_network()
    from micrograd_nptel import backward_steps

    step5 = backward_steps(mlp, [v.data for v in xs], 0)[4]
    pictures = {
        f"draw {EXPRESSION!r}": draw_dot(root),  # type: ignore[arg-type]
        f"draw {EXPRESSION!r} --slide": draw_dot(root, slide=True),  # type: ignore[arg-type]
        f"draw {EXPRESSION!r} --slide --highlight w1": draw_dot(root, slide=True, highlight=chain_rule_paths(root, variables["w1"])),  # type: ignore[arg-type]
        "draw network --value-graph": draw_dot(L),
        "draw network --value-graph --slide": draw_dot(L, slide=True),
        "draw network": draw_network(mlp, loss=L),
        "draw network --slide": draw_network(mlp, loss=L, slide=True),
        "draw network --steps (step 5)": draw_network(mlp, loss=L, step=step5),
        "draw network --steps --slide (step 5)": draw_network(mlp, loss=L, step=step5, slide=True),
    }
    return [(name, node_text_px(render(picture, "svg"))) for name, picture in pictures.items()]


if __name__ == "__main__":  # python tests/test_slides.py: the tables of measurements (the teachers page quotes them)
    for name, px in _measurements():
        print(f"{px:5.1f} px  {name}")
    print("smallest text, smallest node name: cap height in px at 1920 x 1080")
    for name, least, label in measured_sizes():
        print(f"{least:5.1f} {label:5.1f}  {name}")


def test_full_size_writes_indices_and_powers_as_the_slides_and_the_grammar_do() -> None:
    from micrograd_nptel.draw.style import full_size

    cases = {
        "W₁,₁,₁": "W111",
        "a₂,₁ 0.5": "a21 0.5",
        "x = h₀": "x = h0",
        "W₁,₁₀": "W1,10",
        "∇W₂ L = ∇a₂ L h₁ᵀ": "∇W2 L = ∇a2 L h1^T",
        "x² and x⁻¹ and eˣ and xʸ": "x^2 and x^-1 and e^x and x^y",
        "x⁰·⁵": "x^0.5",
        "w1·x1 + w2·x2": "w1·x1 + w2·x2",
        'x<SUB><FONT POINT-SIZE="11">i</FONT></SUB>': "xi",
    }
    assert {k: full_size(k) for k in cases} == cases
