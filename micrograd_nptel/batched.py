"""The lecture's network over a mini-batch, in numpy: the step after Lecture 4 (the course's assignment).

:class:`Network` runs CS7015 Lecture 4, Module 4.8's pseudo code on B examples at once, in
float64, with the very formulas of :mod:`micrograd_nptel.lecture` (which accept a leading batch
axis): ``a_k = b_k + W_k h_{k-1}`` row by row, ``∇_{a_L} L = -(e(y) - ŷ)``,
``∇_{W_k} L = ∇_{a_k} L h_{k-1}^T`` (summed over the batch, then divided by B), and so on. The
scalar engine stays the reference: the tests check that ``backward`` equals the mean of the
engine's per-example gradients to 1e-12.

Shapes: ``X`` is (B, n) (B examples of n features); ``W[k]`` is (n_k, n_{k-1}) and ``b[k]`` is (n_k,),
for k = 1..L as on the slides; ``ŷ`` is (B, k).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._validate import as_rng, positive_int
from .lecture import (
    activation,
    grad_biases,
    grad_hidden,
    grad_output,
    grad_output_squared_error,
    grad_preactivation,
    grad_weights,
    output,
)
from .nn import ACTIVATIONS, INITS, MLP, OUTPUTS, init_weights, read_model, write_model
from .optim import Optimizer, check_optimizer, make_optimizer
from .training import Batches, EpochStats, diverged

Array = NDArray[np.float64]

_BLOCK = 1 << 20
"""Numbers per block where a whole-X pass works a block of rows at a time (8 MB of float64), so its memory stays small."""


class Parameter:
    """One batched parameter, ``W_k`` or ``b_k``: its ``data`` array, the ``grad`` of the last backward (same shape), a ``name``."""

    __slots__ = ("data", "grad", "name")

    def __init__(self, data: Array, name: str) -> None:
        self.data = data
        self.grad = np.zeros_like(data)
        self.name = name

    def __repr__(self) -> str:
        return f"Parameter({self.name}, shape={self.data.shape})"


class BatchGradients(NamedTuple):
    """∇_{W_k} L and ∇_{b_k} L for k = 1..L (dicts keyed by k), averaged over the batch; the batch's mean ``loss``; ``y_hat`` (B, k)."""

    W: dict[int, Array]
    b: dict[int, Array]
    loss: float
    y_hat: Array


class Network:
    """The feedforward network of CS7015 Lecture 4 over mini-batches, in numpy float64.

    Args:
        sizes: ``[n, n_1, ..., n_{L-1}, k]``: inputs, hidden layers, outputs (at least 2 numbers).
        activation: g of the hidden layers: ``"logistic"``, ``"tanh"``, ``"relu"`` or ``"linear"``.
        output: O: ``"softmax"`` (with cross-entropy) or ``"linear"`` (with squared error), Module 4.3.
        init: ``"random"``, ``"xavier"`` or ``"he"`` (:func:`~micrograd_nptel.nn.init_weights`); the same
            numbers as ``MLP(..., seed=seed, init=init)``, so the two engines start from one point.
        seed: the initialisation seed.

    Attributes:
        W, b: dicts k -> array: ``W[k]`` (n_k, n_{k-1}), ``b[k]`` (n_k,).
        L: the number of layers.

    Raises:
        TypeError/ValueError: a size is not a positive int, fewer than 2 sizes, an unknown g, O or init,
            or a softmax over one output.

    Example:
        >>> net = Network([4, 8, 3], seed=0)
        >>> net.forward(np.zeros((5, 4))).shape
        (5, 3)
    """

    def __init__(
        self, sizes: Sequence[int], activation: str = "logistic", output: str = "softmax", init: str = "random", seed: int = 0
    ) -> None:
        if isinstance(sizes, (int, str)) or len(sizes) < 2:
            raise ValueError(f"sizes must list at least the inputs and the outputs, e.g. [4, 8, 3], got {sizes!r}")
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation {activation!r} is not one of {ACTIVATIONS}")
        if output not in OUTPUTS:
            raise ValueError(f"output {output!r} is not one of {OUTPUTS}")
        if init not in INITS:
            raise ValueError(f"init {init!r} is not one of {INITS}")
        self.sizes = [positive_int(n, "size") for n in sizes]
        if output == "softmax" and self.sizes[-1] == 1:
            raise ValueError("a softmax over k = 1 output is always ŷ = 1: use k >= 2, or output='linear'")
        self.activation, self.output, self.init, self.seed = activation, output, init, seed
        self.L = len(self.sizes) - 1
        rng = as_rng(seed)  # the same draws, in the same order, as MLP's layers
        self.W = {k: np.array(init_weights(rng, self.sizes[k - 1], self.sizes[k], init)) for k in range(1, self.L + 1)}
        self.b = {k: np.zeros(self.sizes[k]) for k in range(1, self.L + 1)}
        self._params = [Parameter(self.W[k], f"W_{k}") for k in self.W] + [Parameter(self.b[k], f"b_{k}") for k in self.b]

    # ------------------------------------------------------------------ the forward pass
    def forward(self, X: ArrayLike) -> Array:
        """ŷ for a batch: X of shape (B, n) -> ŷ of shape (B, k) (Module 4.8's forward pass, row by row).

        Raises:
            ValueError: X is not (B, n) with this network's n, or holds NaN/inf.
        """
        return self._forward(self._check_X(X))[2]

    def _forward(self, X: Array) -> tuple[dict[int, Array], dict[int, Array], Array]:
        h = {0: X}
        a: dict[int, Array] = {}
        for k in range(1, self.L + 1):
            a[k] = h[k - 1] @ self.W[k].T + self.b[k]  # a_k = b_k + W_k h_{k-1}, one row per example
            if k < self.L:
                h[k] = activation(a[k], self.activation)
        return a, h, output(a[self.L], self.output)

    def predict(self, X: ArrayLike) -> NDArray[np.int64]:
        """The predicted classes ``argmax_j ŷ_j`` (0-based) for X of shape (B, n): an int array of length B
        (as :meth:`MLP.predict <micrograd_nptel.nn.MLP.predict>` predicts a batch)."""
        return self._predict(self._check_X(X))

    def _predict(self, X: Array) -> NDArray[np.int64]:
        """``predict`` on a checked X, a block of rows at a time: the activations of a block, never of all B rows."""
        result = np.empty(X.shape[0], dtype=np.int64)
        step = max(1, _BLOCK // max(self.sizes))
        for start in range(0, X.shape[0], step):
            result[start : start + step] = np.argmax(self._forward(X[start : start + step])[2], axis=1)
        return result

    # ------------------------------------------------------------------ the loss and the backward pass
    def backward(self, X: ArrayLike, y: ArrayLike) -> BatchGradients:
        """Module 4.8's backward pass on a batch; sets each parameter's ``grad`` to the batch mean and returns them.

        The loss is the mean over the B examples of the lecture's per-example loss: cross-entropy
        ``-log ŷ_l`` (from the logits, stable) for a softmax output; ``Σ_j (ŷ_j - y_j)^2`` for a
        linear one, with y the one-hot e(l) of an int label or a given target row. So ∇ is the
        mean of the scalar engine's per-example gradients (``example_loss`` + ``backward()``).

        Args:
            X: (B, n) inputs.
            y: B int labels in [0, k); or, for a linear output, a (B, k) array of targets.

        Returns:
            :class:`BatchGradients`.

        Raises:
            ValueError: shapes that do not match (named), a label out of range, or non-finite numbers.
        """
        X = self._check_X(X)
        labels, targets = self._check_y(y, X.shape[0])
        return self._backward(X, labels, targets)

    def _backward(self, X: Array, labels: NDArray[np.int64], targets: Array) -> BatchGradients:
        """:meth:`backward` on inputs already checked (``fit`` checks the whole set once, not every batch)."""
        B = X.shape[0]
        a, h, y_hat = self._forward(X)
        L = self.L
        loss = self._loss(a[L], y_hat, labels, targets)
        if self.output == "softmax":
            ga = grad_output(y_hat, labels)  # -(e(l) - ŷ), row by row
        else:
            ga = grad_output_squared_error(y_hat, targets)  # 2(ŷ - y)
        ga = ga / B  # the mean over the batch: every gradient below is linear in ∇_{a_L} L
        gW: dict[int, Array] = {}
        gb: dict[int, Array] = {}
        for k in range(L, 0, -1):
            gW[k] = grad_weights(ga, h[k - 1])  # ∇_{W_k} L = ∇_{a_k} L h_{k-1}^T, summed over the (scaled) rows
            gb[k] = grad_biases(ga)
            if k > 1:
                ga = grad_preactivation(grad_hidden(self.W[k], ga), a[k - 1], self.activation, h[k - 1])
        for p in self._params:
            kind, layer = p.name.split("_")
            p.grad = (gW if kind == "W" else gb)[int(layer)]
        return BatchGradients(gW, gb, loss, y_hat)

    def loss(self, X: ArrayLike, y: ArrayLike) -> float:
        """The batch's mean loss (see :meth:`backward`), without computing gradients."""
        X = self._check_X(X)
        labels, targets = self._check_y(y, X.shape[0])
        a, _, y_hat = self._forward(X)
        return self._loss(a[self.L], y_hat, labels, targets)

    def _loss(self, a_L: Array, y_hat: Array, labels: NDArray[np.int64], targets: Array) -> float:
        """The mean over the rows of ``logsumexp(a_L) - a_{L,l}`` (softmax) or ``Σ_j (ŷ_j - y_j)^2`` (linear)."""
        if self.output == "softmax":
            m = a_L.max(axis=1, keepdims=True)
            log_sum = m[:, 0] + np.log(np.exp(a_L - m).sum(axis=1))
            return float(np.mean(log_sum - a_L[np.arange(a_L.shape[0]), labels]))
        diff = y_hat - targets
        return float(np.mean((diff * diff).sum(axis=1)))

    def parameters(self) -> list[Parameter]:
        """θ = [W_1..W_L, b_1..b_L] as :class:`Parameter` objects (their ``data`` are ``W[k]`` and ``b[k]`` themselves)."""
        return list(self._params)

    def zero_grad(self) -> None:
        """Set every parameter's ``grad`` to 0."""
        for p in self._params:
            p.grad[...] = 0.0

    # ------------------------------------------------------------------ the scalar engine, both ways
    @classmethod
    def from_mlp(cls, mlp: MLP) -> Network:
        """A Network with ``mlp``'s sizes, g, O and a copy of its weights.

        Raises:
            TypeError: ``mlp`` is not an MLP.
        """
        if not isinstance(mlp, MLP):
            raise TypeError(f"from_mlp needs an MLP, got {mlp!r}")
        net = cls([mlp.nin, *mlp.hidden, mlp.nout], mlp.activation, mlp.output, mlp.init, 0)
        for layer in mlp.layers:
            net.W[layer.index][...] = [[w.data for w in row] for row in layer.W]
            net.b[layer.index][...] = [v.data for v in layer.b]
        net.seed = mlp.seed if isinstance(mlp.seed, int) else 0
        return net

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write this network as :meth:`MLP.save <micrograd_nptel.nn.MLP.save>` does (``MLP.load`` reads it), without
        building the scalar network: the same JSON, written atomically.

        Raises:
            ValueError: a parameter is NaN or infinite, or ``path`` is refused (see ``MLP.save``); nothing is written.
            OSError: the write itself failed; a previous file at ``path`` is unchanged.
        """
        for p in self._params:
            if not np.isfinite(p.data).all():
                raise ValueError(f"not saving: {p.name} holds non-finite numbers (training diverged?); a saved model must be finite")
        config = {
            "nin": self.sizes[0],
            "hidden": self.sizes[1:-1],
            "nout": self.sizes[-1],
            "activation": self.activation,
            "output": self.output,
            "seed": self.seed,
            "init": self.init,
        }
        state = {f"W{k}": self.W[k].tolist() for k in self.W} | {f"b{k}": self.b[k].tolist() for k in self.b}
        write_model(path, config, state)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Network:
        """Read a network written by :meth:`save` (or by ``MLP.save``: one file format), without building the scalar network.

        The file is checked as ``MLP.load`` checks it, before any memory is spent on the network.

        Raises:
            FileNotFoundError: nothing is at ``path``; OSError: it cannot be read.
            ValueError: the file is not a saved network, or its shapes or numbers do not match its config
                (the message names the file).
        """

        def build(config: dict[str, Any]) -> Network:
            seed = config.get("seed", 0)
            sizes = [config["nin"], *config["hidden"], config["nout"]]
            args = {key: config[key] for key in ("activation", "output", "init") if key in config}
            return cls(sizes, seed=seed if isinstance(seed, int) and not isinstance(seed, bool) else 0, **args)

        net, state = read_model(path, build)
        for k in range(1, net.L + 1):
            net.W[k][...] = state[f"W{k}"]
            net.b[k][...] = state[f"b{k}"]
        return net

    def to_mlp(self) -> MLP:
        """An :class:`~micrograd_nptel.nn.MLP` (the scalar engine) with this network's shape and weights."""
        mlp = MLP(self.sizes[0], self.sizes[1:-1], self.sizes[-1], self.activation, self.output, self.seed, self.init)
        for layer in mlp.layers:
            for row, values in zip(layer.W, self.W[layer.index].tolist()):
                for w, v in zip(row, values):
                    w.data = v
            for p, v in zip(layer.b, self.b[layer.index].tolist()):
                p.data = v
        return mlp

    # ------------------------------------------------------------------ training
    def fit(
        self,
        X: ArrayLike,
        y: ArrayLike,
        epochs: int = 10,
        batch_size: int = 64,
        optimizer: Optimizer | None = None,
        seed: int = 0,
        on_epoch: Callable[[EpochStats], None] | None = None,
        lr: float = 0.1,
    ) -> list[EpochStats]:
        """Mini-batch training: each epoch shuffles the N examples and takes ceil(N/B) optimizer steps.

        The signature is :meth:`MLP.fit <micrograd_nptel.nn.MLP.fit>`'s (the defaults are the batched engine's).

        Args:
            X: (N, n); y: N labels (or (N, k) targets for a linear output).
            epochs, batch_size: >= 1.
            optimizer: built on ``self.parameters()``; by default ``SGD(self.parameters(), lr)``.
            seed: the shuffling seed; on_epoch: called with each epoch's stats; lr: η of the default SGD (> 0).

        Returns:
            One :class:`~micrograd_nptel.training.EpochStats` per epoch (mean loss and accuracy over the epoch's batches).

        Raises:
            ValueError: bad shapes or sizes; ``TrainingDiverged`` when the loss or an update stops being finite.
        """
        X = self._check_X(X)
        labels, targets = self._check_y(y, X.shape[0])
        epochs, batch_size = positive_int(epochs, "epochs"), positive_int(batch_size, "batch_size")
        opt = (
            check_optimizer(optimizer, self.parameters(), "Network.fit")
            if optimizer is not None
            else make_optimizer("sgd", self.parameters(), lr)
        )
        order = Batches(X.shape[0], batch_size, seed)  # the same batches as training.fit from the same seed
        history: list[EpochStats] = []
        for epoch in range(1, epochs + 1):
            start = time.perf_counter()
            total, correct = 0.0, 0
            for step, idx in order.epoch():
                with np.errstate(over="ignore", invalid="ignore"):
                    grads = self._backward(X[idx], labels[idx], targets[idx])
                correct += int((np.argmax(grads.y_hat, axis=1) == labels[idx]).sum())
                try:
                    if not np.isfinite(grads.loss):
                        raise OverflowError(f"the loss is {grads.loss!r}")
                    opt.step()
                except (OverflowError, ValueError) as e:
                    raise diverged(epoch, step, opt.lr, e) from None
                total += grads.loss * len(idx)
            history.append(EpochStats(epoch, total / X.shape[0], correct / X.shape[0], time.perf_counter() - start))
            if on_epoch is not None:
                on_epoch(history[-1])
        return history

    def accuracy(self, X: ArrayLike, y: ArrayLike) -> float:
        """The fraction in [0, 1] of the rows of X whose predicted class equals the label."""
        X = self._check_X(X)
        labels, _ = self._check_y(y, X.shape[0], labels_only=True)
        return float(np.mean(self._predict(X) == labels))

    # ------------------------------------------------------------------ checks
    def _check_X(self, X: ArrayLike) -> Array:
        """X as a (B, n) float64 array with B >= 1, or a clear error (checked before any conversion that loses data).

        A float64 C-contiguous array is used as it is, never copied (60,000 x 784 images are 376 MB).
        """
        raw = np.asarray(X)
        if raw.dtype == object or raw.dtype.kind not in "biuf":  # None, strings, complex numbers: nothing to compute with
            if raw.dtype.kind == "c":
                raise TypeError("X must hold real numbers, got complex numbers (their imaginary parts would be lost)")
            real = (int, float, np.integer, np.floating)
            bad = next((v for v in raw.ravel().tolist() if not isinstance(v, real) or isinstance(v, bool)), raw.dtype)
            raise TypeError(f"X must hold real numbers, got {bad!r} of type {type(bad).__name__}")
        arr = np.ascontiguousarray(raw, dtype=np.float64)  # the same array when it is float64 and C-contiguous already
        if arr.ndim != 2 or arr.shape[1] != self.sizes[0]:
            raise ValueError(f"X must have shape (B, {self.sizes[0]}) (B examples of n = {self.sizes[0]} features), got {arr.shape}")
        if arr.shape[0] == 0:
            raise ValueError(f"X is empty (shape {arr.shape}): give at least one example")
        step = max(1, _BLOCK // arr.shape[1])
        if not all(np.isfinite(arr[i : i + step]).all() for i in range(0, arr.shape[0], step)):  # a block at a time
            raise ValueError("X holds NaN or infinite numbers")
        return arr

    def _check_y(self, y: ArrayLike, B: int, labels_only: bool = False) -> tuple[NDArray[np.int64], Array]:
        """(labels, targets): int labels (B,) and float targets (B, k); one of them derived from the other where it can be."""
        arr = np.asarray(y)
        k = self.sizes[-1]
        if arr.ndim == 1:
            if arr.shape != (B,) or not (np.issubdtype(arr.dtype, np.integer) and not np.issubdtype(arr.dtype, np.bool_)):
                raise ValueError(f"y must be {B} int class labels (shape ({B},)), got shape {arr.shape} of {arr.dtype}")
            if B and (arr.min() < 0 or arr.max() >= k):
                raise ValueError(f"labels must be in [0, {k}), got {arr.min()}..{arr.max()}")
            return arr.astype(np.int64), np.eye(k)[arr]
        if labels_only or self.output == "softmax" or arr.shape != (B, k):
            raise ValueError(f"y must be {B} int labels, or (linear output) targets of shape ({B}, {k}); got shape {arr.shape}")
        targets = arr.astype(float)
        if not np.isfinite(targets).all():
            raise ValueError("y holds NaN or infinite targets")
        return np.argmax(targets, axis=1), targets

    def __repr__(self) -> str:
        return f"Network({self.sizes}, activation={self.activation!r}, output={self.output!r}, init={self.init!r}, seed={self.seed})"
