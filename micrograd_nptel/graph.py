"""Drawing computation graphs with the ``graphviz`` package: values, gradients, local
derivatives on the edges, and the chain rule's paths.

Every value node shows its label, ``data`` and ``grad``; every non-leaf has an op node;
every edge from a parent into an op carries the local derivative ``∂out/∂parent``, so
the picture, the engine and the slide's table of derivatives show the same numbers.
Rendering needs Graphviz's ``dot`` program; the returned ``graphviz.Digraph`` is usable
(its ``.source``) without it.

The code lives in :mod:`micrograd_nptel.paths` and the :mod:`micrograd_nptel.draw` package; this module keeps
every name importable from here (``from micrograd_nptel.graph import draw_dot``).
"""

from .draw.dot import MAX_NODES, draw_dot
from .draw.network import draw_network
from .draw.render import (
    INSTALL_GRAPHVIZ,
    MIN_SCALE,
    RENDER_SECONDS,
    GraphvizNotFound,
    NetworkPicture,
    Picture,
    RenderError,
    render,
)
from .draw.render import _natural_size as _natural_size
from .draw.style import PATH_COLOURS, op_label
from .draw.widgets import StepFrames, step_through
from .paths import Edge, Path, chain_rule_paths, trace

__all__ = [
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
    "op_label",
    "render",
    "step_through",
    "trace",
]
