"""Backward one step at a time in Jupyter (:func:`step_through`): a slider over the network's step frames."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .network import draw_network
from .render import graphviz_installed, render

if TYPE_CHECKING:
    from ..nn import MLP


class StepFrames(list[Any]):
    """:func:`step_through`'s frames without ipywidgets: a list of ``graphviz.Digraph`` that Jupyter shows as images."""

    titles: list[str]

    def __repr__(self) -> str:
        """Outside Jupyter: what the frames are and how to write them, not their Graphviz source."""
        return (
            f"<StepFrames: {len(self)} pictures of backward, one per step (CS7015 Lecture 4, Module 4.8); "
            "shown in Jupyter, or written with render(frames[k], 'png') or 'svg'>"
        )

    def _repr_html_(self) -> str:
        import base64

        titles = getattr(self, "titles", None) or [f"frame {k + 1}" for k in range(len(self))]
        parts = []
        kind = "png" if graphviz_installed() else "svg+xml"  # without dot, the SVG render's fallback draws
        for title, frame in zip(titles, self):
            image = base64.b64encode(render(frame, "png" if kind == "png" else "svg")).decode("ascii")
            caption = f"<figcaption><b>{html.escape(title)}</b></figcaption>"
            parts.append(f'<figure style="margin:0 0 1em 0">{caption}<img src="data:image/{kind};base64,{image}"/></figure>')
        return "<div>" + "".join(parts) + "</div>"


def step_through(mlp: MLP, x: Sequence[float], label: int | Sequence[float], *, size: str | None = None, slide: bool = False) -> object:
    """Backward one step at a time (CS7015 Lecture 4, Module 4.8): a slider over :func:`draw_network` frames in Jupyter.

    Runs :func:`~micrograd_nptel.lecture.backward_steps` (3L steps) and draws each. In Jupyter with
    ipywidgets installed this returns a widget (an ``IntSlider`` "step" above the picture);
    without ipywidgets, or outside a Jupyter kernel (a script, a terminal: printed, it is one line, no
    Graphviz source), the frames as a :class:`StepFrames` list, which Jupyter shows as the 3L pictures, one
    below the other (PNG images), each under its step's title.

    Args:
        mlp: the network; x: its input (n numbers); label: the class (0-based int) or the target vector.
        size, slide: passed to :func:`draw_network` (``slide=True``: larger text for a projector); every frame is
            the same size in pixels.

    Returns:
        An ``ipywidgets.VBox``, or a :class:`StepFrames` (a list of 3L ``graphviz.Digraph``).

    Raises:
        ValueError/TypeError: as ``backward_steps``.
    """
    from ..lecture import backward_steps

    steps = backward_steps(mlp, x, label)
    frames = StepFrames(draw_network(mlp, step=s, size=size, slide=slide) for s in steps)
    frames.titles = [f"step {k + 1} of {len(steps)}" for k in range(len(steps))]
    try:
        import ipywidgets
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        return frames
    if getattr(get_ipython(), "kernel", None) is None:  # plain Python or a terminal IPython: no widget can be shown
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
            if graphviz_installed():
                bundle["image/png"] = render(frames[0], "png")
            else:
                bundle["image/svg+xml"] = render(frames[0], "svg").decode("utf-8")
            return bundle

    return StepThrough([slider, out])
