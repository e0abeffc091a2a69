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
from .nn import MLP, SGD, argmax, cross_entropy, one_hot, squared_error


class EpochStats(NamedTuple):
    """One epoch: ``epoch`` (1-based), mean training ``loss``, training ``accuracy`` in [0, 1], wall ``seconds``."""

    epoch: int
    loss: float
    accuracy: float
    seconds: float


def example_loss(model: MLP, x: Sequence[float], label: int) -> tuple[Value, list[Value]]:
    """The loss of one example and ``ŷ``: cross-entropy for a softmax output, squared error to ``e(l)`` for a linear one.

    Source: CS7015 Lecture 4, Module 4.3 (the table of output and loss functions).
    """
    y_hat = model(x)
    if model.output == "softmax":
        return cross_entropy(y_hat, label), y_hat
    return squared_error(y_hat, one_hot(label, model.nout)), y_hat


def accuracy(model: MLP, X: Sequence[Sequence[float]], y: Sequence[int]) -> float:
    """The fraction in [0, 1] of the N examples whose ``argmax ŷ`` equals the label.

    Raises:
        ValueError: ``X`` and ``y`` differ in length or are empty.
    """
    if len(X) != len(y) or not X:
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
) -> list[EpochStats]:
    """Train ``model`` by mini-batch gradient descent on N labelled examples.

    Every epoch shuffles the examples (``random.Random(seed)``) and takes ``ceil(N/B)``
    steps of :class:`SGD` on the batch's mean loss (see :func:`example_loss`).

    The engine's graphs hold no reference cycles (reference counting frees them), so
    Python's cyclic garbage collector is paused while training, and restored after: its
    passes over the growing graph cost about 40% of a step (``benchmarks/README.md``).

    Args:
        model: the network (updated in place).
        X: N rows of n features; y: N labels in [0, k).
        epochs: the number of passes over the data (>= 1).
        lr: η, the learning rate (> 0).
        batch_size: B, examples per step (>= 1; B >= N is full-batch gradient descent).
        seed: the shuffling seed.
        on_epoch: called with each epoch's :class:`EpochStats` (e.g. to update a progress bar).

    Returns:
        One :class:`EpochStats` per epoch.

    Raises:
        ValueError: bad sizes, ``epochs``/``batch_size`` < 1, or ``lr`` <= 0.
    """
    if len(X) != len(y) or not X:
        raise ValueError(f"fit needs equal, non-zero numbers of rows and labels, got {len(X)} and {len(y)}")
    if epochs < 1 or batch_size < 1:
        raise ValueError(f"epochs and batch_size must be >= 1, got {epochs} and {batch_size}")
    opt = SGD(model.parameters(), lr)
    rng = random.Random(seed)
    order = list(range(len(X)))
    history: list[EpochStats] = []
    with _gc_paused():
        for epoch in range(1, epochs + 1):
            start = time.perf_counter()
            rng.shuffle(order)
            total, correct = 0.0, 0
            for s in range(0, len(order), batch_size):
                batch = order[s : s + batch_size]
                opt.zero_grad()
                losses = []
                for i in batch:
                    loss, y_hat = example_loss(model, X[i], y[i])
                    losses.append(loss)
                    correct += argmax(y_hat) == y[i]
                L = Value.sum(losses) * (1.0 / len(batch))
                L.backward()
                opt.step()
                total += L.data * len(batch)
            history.append(EpochStats(epoch, total / len(X), correct / len(X), time.perf_counter() - start))
            if on_epoch is not None:
                on_epoch(history[-1])
    return history


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector inside the block; restore its previous state after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
