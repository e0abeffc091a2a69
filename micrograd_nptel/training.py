"""Training by gradient descent, as in CS7015 Lecture 4, Modules 4.2 and 4.8.

Each step: forward propagation on a mini-batch of B examples, the mean loss
``L = (1/B) Σ_i L_i``, ``L.backward()``, then ``θ ← θ - η ∇_θ L`` (:class:`SGD`).
"""

from __future__ import annotations

import gc
import random
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import NamedTuple

from .engine import Value
from .nn import MLP, argmax, class_label, cross_entropy_with_logits, one_hot, squared_error
from .optim import SGD, Optimizer, check_optimizer


class EpochStats(NamedTuple):
    """One epoch: ``epoch`` (1-based), mean training ``loss``, training ``accuracy`` in [0, 1], wall ``seconds``."""

    epoch: int
    loss: float
    accuracy: float
    seconds: float


def example_loss(model: MLP, x: Sequence[float], label: int) -> tuple[Value, list[Value]]:
    """The loss of one example and ``ŷ``: cross-entropy for a softmax output, squared error to ``e(l)`` for a linear one.

    The cross-entropy is computed from the logits ``a_L`` (:func:`cross_entropy_with_logits`),
    stable for any finite logits; its gradient is Module 4.5's ``-(e(l) - ŷ)``.

    Source: CS7015 Lecture 4, Module 4.3 (the table of output and loss functions).

    Raises:
        TypeError/ValueError: ``label`` is not an int class in ``[0, k)``, or x has the wrong length.
    """
    label = class_label(label, model.nout)
    y_hat = model(x)
    if model.output == "softmax":
        return cross_entropy_with_logits(model.layers[-1].a, label), y_hat
    return squared_error(y_hat, one_hot(label, model.nout)), y_hat


def _loss_and_class(model: MLP, x: Sequence[float], label: int) -> tuple[Value, int]:
    """``example_loss``'s loss and ``argmax ŷ``; for a softmax output both from the logits ``a_L``, no ŷ node made."""
    if model.output == "softmax":
        a = model.logits(x)
        return cross_entropy_with_logits(a, label), argmax(a)
    loss, y_hat = example_loss(model, x, label)
    return loss, argmax(y_hat)


class TrainingDiverged(ValueError):
    """Training produced a non-finite loss or gradient, or an overflow; the message names the epoch and step."""


def accuracy(model: MLP, X: Sequence[Sequence[float]], y: Sequence[int]) -> float:
    """The fraction in [0, 1] of the N examples whose ``argmax ŷ`` equals the label.

    Raises:
        ValueError: ``X`` and ``y`` differ in length or are empty.
    """
    if len(X) != len(y) or len(X) == 0:
        raise ValueError(f"accuracy needs equal, non-zero numbers of rows and labels, got {len(X)} and {len(y)}")
    return sum(model.predict(x) == label for x, label in zip(X, y)) / len(y)


def fit(
    model: MLP,
    X: Sequence[Sequence[float]],
    y: Sequence[int],
    epochs: int = 100,
    lr: float = 0.5,
    batch_size: int = 8,
    seed: int = 0,
    on_epoch: Callable[[EpochStats], None] | None = None,
    optimizer: Optimizer | None = None,
) -> list[EpochStats]:
    """Train ``model`` by mini-batch gradient descent on N labelled examples.

    Every epoch shuffles the examples (``random.Random(seed)``) and takes ``ceil(N/B)``
    steps of :class:`SGD` on the batch's mean loss (see :func:`example_loss`).

    The engine's graphs hold no reference cycles (reference counting frees them), so
    Python's cyclic garbage collector is paused while training, and restored after
    (:func:`gc_paused`, which your own training loop can use too).

    Args:
        model: the network (updated in place).
        X: N rows of n features; y: N labels in [0, k).
        epochs: the number of passes over the data (>= 1).
        lr: η, the learning rate (> 0).
        batch_size: B, examples per step (>= 1; B >= N is full-batch gradient descent).
        seed: the shuffling seed.
        on_epoch: called with each epoch's :class:`EpochStats` (e.g. to update a progress bar).
        optimizer: an :class:`~micrograd_nptel.optim.Optimizer` over ``model.parameters()`` (Lecture 5's
            momentum, NAG, AdaGrad, RMSProp, Adam, NAdam); by default ``SGD(model.parameters(), lr)``.

    Returns:
        One :class:`EpochStats` per epoch.

    Raises:
        ValueError: bad sizes, ``epochs``/``batch_size`` < 1, or ``lr`` <= 0.
        TypeError/ValueError: a label is not an int class in ``[0, k)``.
        TrainingDiverged: a ValueError naming the epoch and step where the loss, a gradient or an
            update overflowed, with what to change (a smaller learning rate).
    """
    if len(X) != len(y) or len(X) == 0:
        raise ValueError(f"fit needs equal, non-zero numbers of rows and labels, got {len(X)} and {len(y)}")
    if epochs < 1 or batch_size < 1:
        raise ValueError(f"epochs and batch_size must be >= 1, got {epochs} and {batch_size}")
    labels = [class_label(v, model.nout) for v in y]  # every label checked before any work: no 1.5, no True
    opt = check_optimizer(optimizer, model.parameters(), "fit") if optimizer is not None else SGD(model.parameters(), lr)
    order = Batches(len(X), batch_size, seed)
    history: list[EpochStats] = []
    with gc_paused():
        for epoch in range(1, epochs + 1):
            start = time.perf_counter()
            total, correct = 0.0, 0
            for step, batch in order.epoch():
                opt.zero_grad()
                try:
                    losses = []
                    for i in batch:
                        loss, predicted = _loss_and_class(model, X[i], labels[i])
                        losses.append(loss)
                        correct += predicted == labels[i]
                    L = Value.sum(losses) * (1.0 / len(batch))
                except OverflowError as e:  # a value overflowed in the forward pass
                    raise diverged(epoch, step, opt.lr, e) from None
                try:
                    L.backward()
                    opt.step()
                except (OverflowError, ValueError) as e:  # a non-finite gradient or update: nothing else raises here
                    raise diverged(epoch, step, opt.lr, e) from None
                total += L.data * len(batch)
            history.append(EpochStats(epoch, total / len(X), correct / len(X), time.perf_counter() - start))
            if on_epoch is not None:
                on_epoch(history[-1])
        try:  # every layer's a and h hold the last example's pass, ŷ too (the loop did not make ŷ)
            model(X[order.order[-1]])
        except OverflowError as e:
            raise diverged(epochs, step, opt.lr, e) from None
    return history


class Batches:
    """The mini-batches of an epoch: the N example indices shuffled by ``random.Random(seed)`` (each epoch
    shuffling the previous order again), then cut into ceil(N/B) batches of B. Both engines' training loops
    use it, so from one seed they see the same batches.
    """

    def __init__(self, n: int, batch_size: int, seed: int) -> None:
        self.order = list(range(n))
        self.batch_size = batch_size
        self.rng = random.Random(seed)

    def epoch(self) -> Iterator[tuple[int, list[int]]]:
        """Shuffle, then yield ``(step, indices)`` for steps 1, 2, ..., ceil(N/B)."""
        self.rng.shuffle(self.order)
        for step, s in enumerate(range(0, len(self.order), self.batch_size), 1):
            yield step, self.order[s : s + self.batch_size]


def diverged(epoch: int, step: int, lr: float, why: Exception) -> TrainingDiverged:
    """The :class:`TrainingDiverged` for a run whose step ``step`` of epoch ``epoch`` failed with ``why``: what to change."""
    advice = getattr(why, "advice", "") or f"try a smaller learning rate, e.g. --lr {lr / 10:g}"
    return TrainingDiverged(f"training diverged at epoch {epoch}, step {step} with learning rate {lr:g} ({why}); {advice}")


def check_not_diverging(history: Sequence[EpochStats], start: float, lr: float, factor: float = 10.0) -> None:
    """Raise :class:`TrainingDiverged` when the loss has stayed far above ``start`` up to the last epoch.

    A learning rate far too large can leave every number finite while the loss only grows: ``fit`` then
    returns normally, and this says what went wrong. "Far above" means more than ``factor`` times
    ``start`` and more than ``start + 1`` (so a tiny loss's noise is not flagged), in every epoch from
    some epoch to the last; the message names that epoch.

    Args:
        history: ``fit``'s epochs; start: the untrained network's mean loss (e.g. on a few training examples);
        lr: η, for the advice; factor: how many times ``start`` counts as far above it (> 1).

    Raises:
        TrainingDiverged: as above, with the advice to lower the learning rate.
        ValueError: ``factor`` is not > 1.
    """
    if not factor > 1.0:
        raise ValueError(f"factor must be > 1, got {factor!r}")
    limit = max(factor * start, start + 1.0)
    first = len(history)
    while first > 0 and history[first - 1].loss > limit:
        first -= 1
    if first == len(history):
        return
    stats = history[first]
    raise TrainingDiverged(
        f"training diverged at epoch {stats.epoch}: the mean loss rose from {start:.4g} (untrained) to {stats.loss:.4g} "
        f"and ended at {history[-1].loss:.4g} with learning rate {lr:g}; try a smaller learning rate, e.g. --lr {lr / 10:g}"
    )


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector inside a ``with`` block; restore its previous state after.

    A training step builds a graph of thousands of nodes that stay alive until ``backward()``. With
    the collector on (as Python starts), every 700 new objects trigger a pass that walks the young
    objects, and every few passes one that walks all of them, the growing graph included: on
    micrograd's demo loop written by hand with scalar ops, about half of every step
    (``benchmarks/README.md``). This engine's graphs hold no reference cycles, so reference counting
    alone frees each step's graph when it is dropped, and the collector has nothing to find in them.
    :func:`fit` trains inside this block; wrap your own loop in it too::

        with gc_paused():
            for k in range(100):
                loss = ...            # forward
                model.zero_grad()
                loss.backward()
                for p in model.parameters():
                    p.data -= lr * p.grad

    On exit (normally or by an exception) the collector is enabled again if, and only if, it was
    enabled on entry: nested blocks and a collector you had already disabled are left as they were.
    Nothing else is changed (its thresholds, counts and frozen objects stay). Inside the block,
    objects that refer to each other in a cycle (none from this library) are freed only after it, or
    when you call ``gc.collect()``.

    Source: CPython's ``gc`` module (``gc.disable``, ``gc.isenabled``); not part of the lecture.

    Example:
        >>> import gc
        >>> with gc_paused():
        ...     gc.isenabled()
        False
        >>> gc.isenabled()
        True
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def confusion_matrix(y_true: Sequence[int], y_pred: Sequence[int], k: int) -> list[list[int]]:
    """The k x k confusion matrix: entry [i][j] counts the examples of true class i predicted as class j.

    The diagonal holds the correct predictions; row i sums to the number of examples of class i.

    Args:
        y_true, y_pred: N class labels each, ints in ``[0, k)`` (numpy integers welcome).
        k: the number of classes.

    Returns:
        k lists of k ints.

    Raises:
        ValueError: the two differ in length, or a label is outside ``[0, k)``.
        TypeError: a label is not an integer.
    """
    k = _positive(k)
    if len(y_true) != len(y_pred):
        raise ValueError(f"confusion_matrix: {len(y_true)} true labels but {len(y_pred)} predictions (expected equal)")
    matrix = [[0] * k for _ in range(k)]
    for t, p in zip(y_true, y_pred):
        matrix[class_label(t, k)][class_label(p, k)] += 1
    return matrix


def format_confusion_matrix(matrix: Sequence[Sequence[int]], class_names: Sequence[str]) -> str:
    """The matrix as a text table: one row per true class, one column per predicted class, both named."""
    width = max(5, *(len(n) for n in class_names), *(len(str(v)) for row in matrix for v in row))
    head = " " * width + "  " + " ".join(f"{n:>{width}}" for n in class_names) + "   (columns: predicted)"
    rows = [f"{name:>{width}}  " + " ".join(f"{v:>{width}}" for v in row) for name, row in zip(class_names, matrix)]
    return "\n".join([head, *rows]) + "\n(rows: true class)"


def _positive(k: object) -> int:
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be a positive int (the number of classes), got {k!r}")
    return k
