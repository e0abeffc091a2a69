"""Backward one step at a time in Jupyter (:func:`step_through`): a slider over the network's step frames."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .network import draw_network
from .render import render

if TYPE_CHECKING:
    from ..nn import MLP


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


def step_through(mlp: MLP, x: Sequence[float], label: int | Sequence[float], *, size: str | None = None, slide: bool = False) -> object:
    """Backward one step at a time (CS7015 Lecture 4, Module 4.8): a slider over :func:`draw_network` frames in Jupyter.

    Runs :func:`~micrograd_nptel.lecture.backward_steps` (3L steps) and draws each. With
    ipywidgets installed this returns a widget (an ``IntSlider`` "step" above the picture);
    without it, the frames as a :class:`StepFrames` list, which Jupyter shows as the 3L pictures, one
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
