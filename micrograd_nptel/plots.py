"""Pictures of a training run, for ``micrograd-nptel train --plot DIR`` (matplotlib, an optional extra).

Sized for a projector: 12 x 4.5 inches at 120 dpi (1440 x 540 px), 14-point text.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from typing import Any, cast

from .files import check_output_dir, write_atomic
from .training import EpochStats

STYLE: dict[str, Any] = {"font.size": 14, "axes.titlesize": 15}
"""The pictures' style, applied inside :func:`matplotlib.rc_context` only (``rcParams`` are never changed)."""


def _figure(**kwargs: Any) -> Any:
    """A new :class:`matplotlib.figure.Figure` drawn by the Agg canvas, outside pyplot.

    No ``matplotlib.use`` and no pyplot figure manager: a notebook's backend and its inline plots are
    left exactly as they were. Call it inside ``matplotlib.rc_context(STYLE)``.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(**kwargs)
    FigureCanvasAgg(fig)
    return fig


def _style() -> Any:
    """``matplotlib.rc_context(STYLE)``: the style for one picture, undone afterwards."""
    try:
        import matplotlib
    except ImportError:
        raise ImportError("plots need matplotlib: pip install 'micrograd-nptel[plot]'") from None
    return matplotlib.rc_context(cast(Any, STYLE))  # its stubs want Literal keys


def _save(fig: Any, folder: str, name: str) -> str:
    """Lay out ``fig``, write it to ``folder/name`` atomically (the folder made if missing), return the path.

    The PNG is rendered in memory first, then written through a temp file and renamed, so an
    interrupted run never leaves a half-written picture (a previous one stays whole).
    """
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    check_output_dir(folder, "plot folder")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, name)
    write_atomic(path, buffer.getvalue(), "plot")
    return path


def plot_training(history: Sequence[EpochStats], test_accuracy: Sequence[float], folder: str, title: str = "") -> str:
    """Write ``folder/training.png``: the mean training loss per epoch, and the training and test accuracy per epoch.

    Args:
        history: one :class:`~micrograd_nptel.training.EpochStats` per epoch.
        test_accuracy: the test accuracy after each epoch (same length as ``history``, or empty).
        folder: created if missing. title: shown above the plots.

    Returns:
        The path of the PNG.

    Raises:
        ImportError: matplotlib is not installed. ValueError: ``history`` is empty.
    """
    if not history:
        raise ValueError("plot_training needs at least one epoch")
    with _style():
        return _draw_training(history, test_accuracy, folder, title)


def _draw_training(history: Sequence[EpochStats], test_accuracy: Sequence[float], folder: str, title: str) -> str:
    epochs = [s.epoch for s in history]
    fig = _figure(figsize=(12, 4.5), dpi=120)
    ax1, ax2 = fig.subplots(1, 2)
    ax1.plot(epochs, [s.loss for s in history], color="tab:blue", marker="o" if len(epochs) <= 30 else None)
    ax1.set(xlabel="epoch", ylabel="mean training loss", title="training loss")
    ax1.grid(alpha=0.3)
    ax2.plot(epochs, [s.accuracy for s in history], label="training (during the epoch)", color="tab:blue")
    if test_accuracy:
        ax2.plot(epochs[: len(test_accuracy)], test_accuracy, label=f"test (final {test_accuracy[-1]:.3f})", color="tab:red")
    ax2.set(xlabel="epoch", ylabel="accuracy", title="accuracy", ylim=(0, 1.02))
    ax2.grid(alpha=0.3)
    ax2.legend(loc="lower right")
    if title:
        fig.suptitle(title, fontsize=13)
    return _save(fig, folder, "training.png")


def plot_confusion_matrix(matrix: Sequence[Sequence[int]], class_names: Sequence[str], folder: str, title: str = "") -> str:
    """Write ``folder/confusion_matrix.png``: the k x k test confusion matrix, counts in the cells, rows the true class.

    Args:
        matrix: from :func:`~micrograd_nptel.training.confusion_matrix`. class_names: k names.
        folder: created if missing. title: shown above.

    Returns:
        The path of the PNG.

    Raises:
        ImportError: matplotlib is not installed. ValueError: the matrix is not k x k.
    """
    k = len(class_names)
    if len(matrix) != k or any(len(row) != k for row in matrix):
        raise ValueError(f"the confusion matrix must be {k} x {k} (one row and column per class name)")
    with _style():
        return _draw_confusion_matrix(matrix, class_names, folder, title)


def _draw_confusion_matrix(matrix: Sequence[Sequence[int]], class_names: Sequence[str], folder: str, title: str) -> str:
    k = len(class_names)
    size = max(6.0, 0.75 * k + 3.0)
    fig = _figure(figsize=(size, size * 0.9), dpi=120)
    ax = fig.subplots()
    image = ax.imshow(matrix, cmap="Blues")
    top = max(max(row) for row in matrix) or 1
    for i in range(k):
        for j in range(k):
            ax.text(j, i, str(matrix[i][j]), ha="center", va="center", color="white" if matrix[i][j] > top / 2 else "black")
    ax.set_xticks(
        range(k),
        class_names,
        rotation=45 if max(map(len, class_names)) > 2 else 0,
        ha="right" if max(map(len, class_names)) > 2 else "center",
    )
    ax.set_yticks(range(k), class_names)
    ax.set(xlabel="predicted class", ylabel="true class", title="test confusion matrix" + (f"\n{title}" if title else ""))
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    return _save(fig, folder, "confusion_matrix.png")
