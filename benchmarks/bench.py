"""Speed and memory of micrograd_nptel, side by side with micrograd and the hand-written floor.

    python benchmarks/bench.py [--quick] [--repeat N] [--rounds N] [--baseline DIR]

Needs the benchmark extra (micrograd 0.1.0 from PyPI): ``pip install -e '.[bench]'``.
Every measurement runs in its own fresh Python process (``--case NAME --regime R`` runs one
and prints JSON); the parent prints one table with medians, minima and ratios. Times are the
process's CPU time (``time.process_time``), so the other jobs of a shared machine do not count,
and every comparison runs in interleaved rounds. Nothing here is a test: the numbers are for
reading, and the targets are checked on the same run.

Python's cyclic garbage collector costs micrograd (a reference cycle per node) and us (none, but
a growing graph it walks) differently, so the comparisons run under three named regimes:

- ``users``: as users run them: the collector on, as Python starts (micrograd's demo, a student's loop);
- ``engines``: the engines alone: neither collecting (``gc.disable()``; ``fit()`` trains so);
- ``matched``: collector-matched: the automatic collector off and one ``gc.collect()`` per step, timed.

1. Training step, micrograd's demo workload: MLP 2-16-16-1, ReLU, max-margin loss
   ``mean(relu(1 - y_i s_i)) + 1e-4 Σ p^2`` on 100 two-moons points; one forward +
   backward, all five implementations from the same weights (their losses are printed).
   1a. the same along micrograd's 100 SGD steps; 1b. the digits step as ``fit()`` trains;
   1c. micrograd's demo loop written by hand on our engine: the collector on, on inside
   ``training.gc_paused()``, and off.
2. Depth: ``backward()`` on chains of relu nodes; 2a. many losses built first.
3. Memory: bytes per node (tracemalloc) and whether a dropped graph is freed without
   the cyclic garbage collector.
4. Training to accuracy: ``micrograd-nptel train`` with its defaults on Iris.
5. The batched network (``micrograd_nptel.batched.Network``) against PyTorch on the CPU: one
   training step (forward, backward, SGD update) of the assignment's 784-128-128-10 logistic
   network, softmax + cross-entropy, float64, a batch of 64 synthetic images; both from the same
   weights (their losses are printed). Needs the torch extra; without it that row says so.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import time
import tracemalloc
import weakref
from collections.abc import Callable
from operator import mul
from typing import Any

ALPHA = 1e-4
SIZES = (2, 16, 16, 1)


# ---------------------------------------------------------------------- shared workload
def workload() -> tuple[list[list[float]], list[float], list[list[list[float]]], list[list[float]]]:
    """100 two-moons points with labels ±1, and one set of weights (uniform(-1, 1), biases 0) for everyone."""
    from micrograd_nptel import make_moons

    data = make_moons(100, noise=0.1, seed=1)
    y = [1.0 if label == 1 else -1.0 for label in data.y]
    rng = random.Random(1337)
    W = [[[rng.uniform(-1, 1) for _ in range(SIZES[i])] for _ in range(SIZES[i + 1])] for i in range(3)]
    b = [[0.0] * SIZES[i + 1] for i in range(3)]
    return data.X, y, W, b


REGIMES = ("users", "engines", "matched")
REGIME_NAMES = {
    "users": "as users run them (collector on)",
    "engines": "engines alone (neither collecting)",
    "matched": "collector-matched (one gc.collect() a step)",
}
REGIME = "engines"  # set by --regime in a case's process


def clock() -> float:
    """CPU seconds of this process: what a case costs, whatever else the machine runs."""
    return time.process_time()


def enter_regime(regime: str) -> None:
    """Set the collector for ``regime`` (see the module docstring); ``per_step`` then adds the matched collection."""
    global REGIME
    if regime not in REGIMES:
        raise ValueError(f"unknown regime {regime!r}: one of {REGIMES}")
    REGIME = regime
    gc.collect()
    if regime == "users":
        gc.enable()
    else:
        gc.disable()


def per_step(step: Callable[[], Any]) -> Callable[[], Any]:
    """``step``, followed under the matched regime by one full collection (timed with it)."""
    if REGIME != "matched":
        return step

    def collected() -> Any:
        result = step()
        gc.collect()
        return result

    return collected


def timed(step: Callable[[], float], repeat: int, wall: bool = False) -> dict[str, Any]:
    """Median and min of ``repeat`` steps after one warm-up, in CPU time (``wall``: elapsed time, for threaded BLAS)."""
    step = per_step(step)
    now = time.perf_counter if wall else clock
    loss = step()  # warm-up
    times = []
    for _ in range(repeat):
        start = now()
        step()
        times.append(now() - start)
    return {"median_s": statistics.median(times), "min_s": min(times), "loss": loss, "steps": repeat}


def demo_step(forward: Callable[[list[float]], Any], X: list[list[float]], y: list[float], params: list[Any]) -> float:
    """micrograd's demo step, the same code for any engine: zero the grads, max-margin loss + L2, backward."""
    for p in params:
        p.grad = 0.0
    scores = [forward(x) for x in X]
    losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = ALPHA * sum(p * p for p in params)
    total = data_loss + reg_loss
    total.backward()
    return float(total.data)


def case_micrograd(repeat: int) -> dict[str, Any]:
    from micrograd.nn import MLP

    X, y, W, b = workload()
    model = MLP(2, [16, 16, 1])
    for layer, Wk, bk in zip(model.layers, W, b):
        for neuron, row, bias in zip(layer.neurons, Wk, bk):
            for p, v in zip(neuron.w, row):
                p.data = v
            neuron.b.data = bias
    params = model.parameters()
    return timed(lambda: demo_step(model, X, y, params), max(3, repeat // 3))  # a step takes seconds: fewer of them


def scalar_model(W: Any, b: Any) -> tuple[list[Any], Any]:
    """The moons MLP on our engine from scalar ops only, exactly as micrograd's demo builds it: ``(params, forward)``."""
    from micrograd_nptel import Value

    Wv = [[[Value(v) for v in row] for row in Wk] for Wk in W]
    bv = [[Value(v) for v in bk] for bk in b]
    params = [p for Wk in Wv for row in Wk for p in row] + [p for bk in bv for p in bk]

    def forward(x: list[float]) -> Value:
        h: list[Any] = x
        for k in range(3):
            a = [sum((w * hj for w, hj in zip(row, h)), bias) for row, bias in zip(Wv[k], bv[k])]
            h = [v.relu() for v in a] if k < 2 else a
        out: Value = h[0]
        return out

    return params, forward


def case_ours_scalar(repeat: int) -> dict[str, Any]:
    """Our engine, built from scalar ops only, exactly as micrograd's demo builds it."""
    X, y, W, b = workload()
    params, forward = scalar_model(W, b)
    return timed(lambda: demo_step(forward, X, y, params), repeat)


def case_ours_mlp(repeat: int) -> dict[str, Any]:
    """Our MLP class: one Value.linear node per unit (the lecture's a_ij), Value.sum for the sums."""
    X, y, _, _ = workload()
    model, params = moons_model()

    def step() -> float:
        model.zero_grad()
        total = moons_loss(model, params, X, y)
        total.backward()
        return float(total.data)

    return timed(step, repeat)


def case_floor(repeat: int) -> dict[str, Any]:
    """Hand-written forward and backward on plain floats: the floor for any pure-Python engine."""
    X, y, W, b = workload()
    step = floor_step(X, y, W, b)
    return timed(lambda: step()[0], repeat)


def floor_step(
    X: list[list[float]], y: list[float], W: list[list[list[float]]], b: list[list[float]]
) -> Callable[[], tuple[float, list[list[list[float]]], list[list[float]]]]:
    """The floor's step on weights ``W``, ``b`` (read at each call, so an update in place is seen): (loss, ∇W, ∇b)."""
    W1, W2, W3 = W
    b1, b2, b3 = b
    n = len(X)

    def step() -> tuple[float, list[list[list[float]]], list[list[float]]]:
        gW1 = [[0.0, 0.0] for _ in range(16)]
        gW2 = [[0.0] * 16 for _ in range(16)]
        gW3 = [0.0] * 16
        gb1, gb2, gb3 = [0.0] * 16, [0.0] * 16, 0.0
        total = 0.0
        for x, yi in zip(X, y):
            a1 = [bj + w[0] * x[0] + w[1] * x[1] for w, bj in zip(W1, b1)]
            h1 = [a if a > 0.0 else 0.0 for a in a1]
            a2 = [bj + sum(map(mul, w, h1)) for w, bj in zip(W2, b2)]
            h2 = [a if a > 0.0 else 0.0 for a in a2]
            s = b3[0] + sum(map(mul, W3[0], h2))
            margin = 1.0 - yi * s
            if margin <= 0.0:
                continue
            total += margin
            ds = -yi / n
            for j in range(16):
                gW3[j] += ds * h2[j]
            gb3 += ds
            da2 = [ds * W3[0][j] if a2[j] > 0.0 else 0.0 for j in range(16)]
            dh1 = [0.0] * 16
            for j in range(16):
                d = da2[j]
                if d:
                    row, gr = W2[j], gW2[j]
                    for k in range(16):
                        gr[k] += d * h1[k]
                        dh1[k] += d * row[k]
                    gb2[j] += d
            for j in range(16):
                if a1[j] > 0.0:
                    d = dh1[j]
                    gW1[j][0] += d * x[0]
                    gW1[j][1] += d * x[1]
                    gb1[j] += d
        reg = 0.0
        for Wk, gk in ((W1, gW1), (W2, gW2)):
            for row, grow in zip(Wk, gk):
                for k, w in enumerate(row):
                    reg += w * w
                    grow[k] += 2 * ALPHA * w
        for k, w in enumerate(W3[0]):
            reg += w * w
            gW3[k] += 2 * ALPHA * w
        for bk, gk in ((b1, gb1), (b2, gb2)):  # the L2 term covers every parameter, biases too (as the engine's cases)
            for k, v in enumerate(bk):
                reg += v * v
                gk[k] += 2 * ALPHA * v
        reg += b3[0] * b3[0]
        gb3 += 2 * ALPHA * b3[0]
        return total / n + ALPHA * reg, [gW1, gW2, [gW3]], [gb1, gb2, [gb3]]

    return step


def case_numpy(repeat: int) -> dict[str, Any]:
    """The lecture's matrix formulas on the whole batch (CS7015 Lecture 4, Modules 4.5-4.8)."""
    import numpy as np

    X, y, W, b = workload()
    Xa, ya = np.array(X), np.array(y)[:, None]
    Ws = [np.array(Wk) for Wk in W]
    bs = [np.array(bk) for bk in b]
    n = len(X)

    def step() -> float:
        A1 = Xa @ Ws[0].T + bs[0]
        H1 = np.maximum(A1, 0.0)
        A2 = H1 @ Ws[1].T + bs[1]
        H2 = np.maximum(A2, 0.0)
        S = H2 @ Ws[2].T + bs[2]
        margin = 1.0 - ya * S
        loss = np.maximum(margin, 0.0).mean() + ALPHA * sum(float((p * p).sum()) for p in Ws + bs)
        dS = np.where(margin > 0, -ya, 0.0) / n  # ∇_{a_3} L per example
        grads = [dS.T @ H2 + 2 * ALPHA * Ws[2]]  # ∇_{W_3} L = Σ_examples ∇_{a_3} L h_2^T
        dA2 = (dS @ Ws[2]) * (A2 > 0)  # ∇_{h_2} L = W_3^T ∇_{a_3} L, then ⊙ g'(a_2)
        grads.append(dA2.T @ H1 + 2 * ALPHA * Ws[1])
        dA1 = (dA2 @ Ws[1]) * (A1 > 0)
        grads.append(dA1.T @ Xa + 2 * ALPHA * Ws[0])
        grads += [dS.sum(0), dA2.sum(0), dA1.sum(0)]
        return float(loss)

    return timed(step, repeat)


# ---------------------------------------------------------------------- depth and memory
def relu_chain(Value: Any, n: int) -> tuple[Any, Any]:
    x = Value(1.0)
    y = x
    for _ in range(n):
        y = y.relu()
    return x, y


def value_class(engine: str) -> Any:
    """The ``Value`` class of ``"micrograd"`` or ``"ours"``."""
    if engine == "micrograd":
        from micrograd.engine import Value as MicrogradValue

        return MicrogradValue
    from micrograd_nptel import Value

    return Value


def case_depth(engine: str, n: int) -> dict[str, Any]:
    V = value_class(engine)
    x, y = relu_chain(V, n)
    start = clock()
    try:
        y.backward()
    except RecursionError:
        return {"result": "RecursionError", "seconds": clock() - start}
    return {"result": f"ok (x.grad = {x.grad:g})", "seconds": clock() - start}


def case_memory(engine: str) -> dict[str, Any]:
    V = value_class(engine)
    n = 100_000
    w = V(1.0001)
    tracemalloc.start()
    x = V(0.5)
    before = tracemalloc.get_traced_memory()[0]
    y = x
    for _ in range(n):
        y = y * w  # one binary node per step, no new constants
    binary = (tracemalloc.get_traced_memory()[0] - before) / n
    del y
    gc.collect()
    before = tracemalloc.get_traced_memory()[0]
    y = x
    for _ in range(n):
        y = y.relu()
    unary = (tracemalloc.get_traced_memory()[0] - before) / n
    tracemalloc.stop()
    del y
    gc.collect()
    gc.disable()
    y = x
    for _ in range(300):  # depth 600: within micrograd's recursion limit, so its backward() runs too
        y = (y * w).relu()
    y.backward()
    middle = y
    for _ in range(300):
        middle = next(p for p in (middle._prev if engine == "micrograd" else middle.parents) if p is not w)
    if engine == "micrograd":
        ref = weakref.ref(middle)
        del middle, y
        freed = ref() is None
    else:  # our Value has no __weakref__ slot (8 bytes a node): count the live Values instead (gc.get_objects collects nothing)
        before = sum(type(o) is V for o in gc.get_objects())
        del middle, y
        freed = before - sum(type(o) is V for o in gc.get_objects()) >= 600  # all 600 nodes of the chain

    gc.enable()
    return {"bytes_binary": binary, "bytes_unary": unary, "freed_without_gc": freed}


def case_train() -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-m", "micrograd_nptel", "train", "--quiet"], capture_output=True, text=True, check=True)
    m = re.search(r"test accuracy ([0-9.]+); ([0-9.]+) s per epoch \(([0-9.]+) s for (\d+) epochs\)", out.stdout)
    if not m:
        raise RuntimeError(f"unexpected output of micrograd-nptel train: {out.stdout!r}")
    return {"test_accuracy": float(m.group(1)), "s_per_epoch": float(m.group(2)), "total_s": float(m.group(3)), "epochs": int(m.group(4))}


# ---------------------------------------------------------------------- the digits step (64-32-10, logistic, softmax + CE)
DIGITS_SIZES = (64, 32, 10)
DIGITS_BATCH = 32


def digits_workload() -> tuple[list[list[float]], list[int], Any]:
    """The first 32 digits scaled to [0, 1], their labels, and MLP(64, [32], 10) (logistic, softmax) that every case starts from."""
    from micrograd_nptel import MLP, load_digits

    digits = load_digits()
    X = [[v / 16.0 for v in row] for row in digits.X[:DIGITS_BATCH]]
    return X, list(digits.y[:DIGITS_BATCH]), MLP(64, [32], 10, activation="logistic", output="softmax", seed=0)


def case_digits_mlp(repeat: int) -> dict[str, Any]:
    """The MLP path as fit() trains it: per example the logits a_L, the cross-entropy from them and argmax a_L
    (the predicted class, no ŷ node), the batch mean, backward."""
    from micrograd_nptel import Value, cross_entropy_with_logits
    from micrograd_nptel.nn import argmax
    from micrograd_nptel.training import example_loss

    X, y, model = digits_workload()
    has_logits = hasattr(model, "logits")

    def step() -> float:
        model.zero_grad()
        losses, correct = [], 0
        for x, label in zip(X, y):
            if has_logits:
                a = model.logits(x)
                losses.append(cross_entropy_with_logits(a, label))
                correct += argmax(a) == label
            else:  # a --baseline from before fit() took its prediction from the logits: fit()'s loop then
                loss, y_hat = example_loss(model, x, label)
                losses.append(loss)
                correct += argmax(y_hat) == label
        L = Value.sum(losses) * (1.0 / len(X))
        L.backward()
        return L.data

    return timed(step, repeat)


def case_digits_floor(repeat: int) -> dict[str, Any]:
    """The same step on plain floats, written by hand: the floor for any pure-Python engine."""
    import math

    X, y, model = digits_workload()
    W1 = [[w.data for w in row] for row in model.layers[0].W]
    W2 = [[w.data for w in row] for row in model.layers[1].W]
    b1 = [b.data for b in model.layers[0].b]
    b2 = [b.data for b in model.layers[1].b]
    n = len(X)

    def step() -> float:
        gW1 = [[0.0] * 64 for _ in range(32)]
        gW2 = [[0.0] * 32 for _ in range(10)]
        gb1, gb2 = [0.0] * 32, [0.0] * 10
        total = 0.0
        for x, label in zip(X, y):
            a1 = [bj + sum(map(mul, w, x)) for w, bj in zip(W1, b1)]
            h1 = [1.0 / (1.0 + math.exp(-a)) if a >= 0.0 else math.exp(a) / (1.0 + math.exp(a)) for a in a1]
            a2 = [bj + sum(map(mul, w, h1)) for w, bj in zip(W2, b2)]
            top = max(a2)
            e = [math.exp(a - top) for a in a2]
            s = sum(e)
            total += math.log(s) + top - a2[label]
            da2 = [ei / s / n for ei in e]  # ∇_{a_2} L = -(e(l) - ŷ), divided by the batch
            da2[label] -= 1.0 / n
            dh1 = [0.0] * 32
            for i, d in enumerate(da2):
                row, grow = W2[i], gW2[i]
                for j in range(32):
                    grow[j] += d * h1[j]
                    dh1[j] += d * row[j]
                gb2[i] += d
            for j in range(32):
                d = dh1[j] * h1[j] * (1.0 - h1[j])
                grow = gW1[j]
                for k in range(64):
                    grow[k] += d * x[k]
                gb1[j] += d
        return total / n

    return timed(step, repeat)


def case_digits_numpy(repeat: int) -> dict[str, Any]:
    """batched.Network on the same weights: the lecture's matrix formulas over the batch (Module 4.8)."""
    import numpy as np

    from micrograd_nptel.batched import Network

    X, y, model = digits_workload()
    net = Network.from_mlp(model)
    Xa, ya = np.array(X), np.array(y)
    return timed(lambda: float(net.backward(Xa, ya).loss), repeat)


BATCH_SIZES = (784, 128, 128, 10)
BATCH = 64


def batch_workload() -> tuple[Any, Any, Any]:
    """64 synthetic 28x28 "images" (uniform [0, 1)), random labels, and the Network both implementations start from."""
    import numpy as np

    from micrograd_nptel.batched import Network

    rng = np.random.default_rng(0)
    X = rng.random((BATCH, BATCH_SIZES[0]))
    y = rng.integers(0, BATCH_SIZES[-1], BATCH)
    return X, y, Network(list(BATCH_SIZES), activation="logistic", output="softmax", seed=0)


def case_batched_numpy(repeat: int) -> dict[str, Any]:
    from micrograd_nptel.optim import SGD

    X, y, net = batch_workload()
    opt = SGD(net.parameters(), lr=0.1)

    def step() -> float:
        loss = net.backward(X, y).loss
        opt.step()
        return loss

    return timed(step, repeat, wall=True)


def case_batched_torch(repeat: int) -> dict[str, Any]:
    import torch

    X, y, net = batch_workload()
    layers: list[Any] = []
    for k in range(1, net.L + 1):
        linear = torch.nn.Linear(BATCH_SIZES[k - 1], BATCH_SIZES[k], dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(net.W[k]))
            linear.bias.copy_(torch.from_numpy(net.b[k]))
        layers += [linear, torch.nn.Sigmoid()] if k < net.L else [linear]
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    loss_fn = torch.nn.CrossEntropyLoss()

    def step() -> float:
        opt.zero_grad()
        loss = loss_fn(model(Xt), yt)
        loss.backward()
        opt.step()
        return float(loss.item())

    result = timed(step, repeat, wall=True)
    result["torch"] = f"{torch.__version__}, {torch.get_num_threads()} threads"
    return result


# ---------------------------------------------------------------------- along the training trajectory, and many losses first
TRAJECTORY_STEPS = 100


def demo_lr(k: int) -> float:
    """micrograd's demo schedule: the learning rate at step k of 100."""
    return 1.0 - 0.9 * k / 100


def moons_model() -> tuple[Any, list[Any]]:
    """Our MLP 2-16-16-1 (ReLU) from the workload's weights, and its parameters."""
    from micrograd_nptel import MLP

    _, _, W, b = workload()
    model = MLP(2, [16, 16], 1, activation="relu", output="linear")
    for layer, Wk, bk in zip(model.layers, W, b):
        for row, new_row in zip(layer.W, Wk):
            for p, v in zip(row, new_row):
                p.data = v
        for p, v in zip(layer.b, bk):
            p.data = v
    return model, model.parameters()


def moons_loss(model: Any, params: list[Any], X: list[list[float]], y: list[float]) -> Any:
    """micrograd's demo loss on our MLP: the mean max-margin loss over the points plus α Σ θ² (one linear node)."""
    from micrograd_nptel import Value

    return Value.sum([(1 - yi * model(x)[0]).relu() for x, yi in zip(X, y)]) * (1.0 / len(X)) + ALPHA * Value.linear(params, params)


def trajectory_result(times: list[float], losses: list[float]) -> dict[str, Any]:
    return {
        "median_s": statistics.median(times),
        "min_s": min(times),
        "first_s": times[0],
        "last20_s": statistics.median(times[-20:]),
        "times": times,
        "loss": losses[-1],
        "steps": len(times),
    }


def case_trajectory_ours(repeat: int) -> dict[str, Any]:
    """Our MLP step, timed at every one of micrograd's 100 demo steps (SGD with its schedule), not only at the start."""
    X, y, _, _ = workload()
    model, params = moons_model()
    times, losses = [], []

    def step() -> Any:
        model.zero_grad()
        total = moons_loss(model, params, X, y)
        total.backward()
        return total

    step = per_step(step)
    for k in range(TRAJECTORY_STEPS):
        start = clock()
        total = step()
        times.append(clock() - start)
        losses.append(total.data)
        for p in params:
            p.data -= demo_lr(k) * p.grad
    return trajectory_result(times, losses)


def case_trajectory_floor(repeat: int) -> dict[str, Any]:
    """The floor along the same 100 steps: its weights updated in place with its own gradients."""
    X, y, W, b = workload()
    step = per_step(floor_step(X, y, W, b))
    times, losses = [], []
    for k in range(TRAJECTORY_STEPS):
        start = clock()
        loss, gW, gb = step()
        times.append(clock() - start)
        losses.append(loss)
        lr = demo_lr(k)
        for Wk, Gk in zip(W, gW):
            for row, grow in zip(Wk, Gk):
                for j, g in enumerate(grow):
                    row[j] -= lr * g
        for bk, gk in zip(b, gb):
            for j, g in enumerate(gk):
                bk[j] -= lr * g
    return trajectory_result(times, losses)


# ---------------------------------------------------------------------- a student's own loop: micrograd's demo written by hand
LOOP_STEPS = 8


def student_loop(how: str, mlp_class: bool) -> dict[str, Any]:
    """micrograd's demo loop written by hand on our engine (forward, zero_grad, backward, SGD with its schedule) for
    LOOP_STEPS steps; ``how``: "on" (the collector on, as Python starts), "paused" (on, the loop inside
    training.gc_paused()), "off" (gc.disable() before the loop). Scalar ops as the notebooks write them, or our MLP."""
    from micrograd_nptel.training import gc_paused

    X, y, W, b = workload()
    if mlp_class:
        model, params = moons_model()

        def loss() -> Any:
            model.zero_grad()
            return moons_loss(model, params, X, y)
    else:
        params, forward = scalar_model(W, b)

        def loss() -> Any:
            for p in params:
                p.grad = 0.0
            scores = [forward(x) for x in X]
            data_loss = sum((1 + -yi * si).relu() for yi, si in zip(y, scores)) * (1.0 / len(X))
            return data_loss + ALPHA * sum(p * p for p in params)

    times: list[float] = []

    def loop() -> float:
        total = None
        for k in range(LOOP_STEPS):
            start = clock()
            total = loss()
            total.backward()
            for p in params:
                p.data -= demo_lr(k) * p.grad
            times.append(clock() - start)
        return float(total.data) if total is not None else math.nan

    gc.collect()
    gc.enable()
    if how == "off":
        gc.disable()
    if how == "paused":
        with gc_paused():
            final = loop()
    else:
        final = loop()
    gc.enable()
    return {"median_s": statistics.median(times), "min_s": min(times), "loss": final, "steps": LOOP_STEPS}


MANY_LOSSES = 4000


def case_many_losses(repeat: int) -> dict[str, Any]:
    """N per-example losses of the moons MLP built first, then backward() on each, against build-then-backward interleaved."""
    X, y, _, _ = workload()
    model, params = moons_model()
    examples = [(X[i % len(X)], y[i % len(X)]) for i in range(MANY_LOSSES)]

    def loss(x: list[float], yi: float) -> Any:
        return (1 - yi * model(x)[0]).relu()

    start = clock()
    for x, yi in examples:
        loss(x, yi).backward()
    interleaved_s = clock() - start
    grads_interleaved = [p.grad for p in params]
    model.zero_grad()
    start = clock()
    built = [loss(x, yi) for x, yi in examples]
    for L in built:
        L.backward()
    first_s = clock() - start
    agree = all(abs(a - p.grad) <= 1e-9 * max(1.0, abs(a)) for a, p in zip(grads_interleaved, params))
    return {"interleaved_s": interleaved_s, "built_first_s": first_s, "same_grads": agree, "n": MANY_LOSSES}


CASES: dict[str, Callable[[int], dict[str, Any]]] = {
    "micrograd": case_micrograd,
    "ours-scalar": case_ours_scalar,
    "ours-mlp": case_ours_mlp,
    "floor": case_floor,
    "numpy": case_numpy,
}

TRAJECTORY_CASES: dict[str, Callable[[int], dict[str, Any]]] = {
    "trajectory-ours": case_trajectory_ours,
    "trajectory-floor": case_trajectory_floor,
}

DIGITS_CASES: dict[str, Callable[[int], dict[str, Any]]] = {
    "digits-mlp": case_digits_mlp,
    "digits-floor": case_digits_floor,
    "digits-numpy": case_digits_numpy,
}

LOOP_CASES: dict[str, Callable[[int], dict[str, Any]]] = {
    f"loop-{kind}-{how}": (lambda repeat, kind=kind, how=how: student_loop(how, kind == "mlp"))
    for kind in ("scalar", "mlp")
    for how in ("on", "paused", "off")
}

ALL_CASES = {**CASES, **TRAJECTORY_CASES, **DIGITS_CASES, **LOOP_CASES, "many-losses": case_many_losses}

BASELINE = "@before"  # a case name ending in this runs against the --baseline checkout's micrograd_nptel


def run_case(name: str, repeat: int, baseline: str | None = None, regime: str = "engines") -> dict[str, Any]:
    """Run one case in a fresh Python process under ``regime`` and return its JSON result; ``NAME@before`` imports the
    library from ``baseline``."""
    env = None
    if name.endswith(BASELINE):
        name = name[: -len(BASELINE)]
        env = {**os.environ, "PYTHONPATH": str(baseline)}
    command = [sys.executable, __file__, "--case", name, "--repeat", str(repeat), "--regime", regime]
    out = subprocess.run(command, capture_output=True, text=True, env=env)
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else f"exit {out.returncode}"}
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def interleaved(
    cases: list[str], repeat: int, rounds: int, baseline: str | None = None, regimes: tuple[str, ...] = ("engines",)
) -> dict[tuple[str, str], dict[str, Any]]:
    """Run every (case, regime) ``rounds`` times, one round of all of them after another (so a burst of load on this
    shared machine hits every case alike), each run in a fresh process; keep the run with the median time of each,
    and the smallest time seen over the rounds as ``min_s``. With ``baseline`` (a checkout of an earlier commit),
    each of our cases also runs against it, in the same rounds."""
    names = cases + ([f"{n}{BASELINE}" for n in cases if n.startswith(("ours", "digits-mlp", "trajectory-ours"))] if baseline else [])
    keys = [(name, regime) for regime in regimes for name in names]
    runs: dict[tuple[str, str], list[dict[str, Any]]] = {key: [] for key in keys}
    for _ in range(rounds):
        for name, regime in keys:
            runs[(name, regime)].append(run_case(name, repeat, baseline, regime))
    result = {}
    for key, rs in runs.items():
        ok = sorted((r for r in rs if "median_s" in r), key=lambda r: r["median_s"])
        result[key] = dict(ok[len(ok) // 2], min_s=min(r.get("min_s", r["median_s"]) for r in ok)) if ok else rs[0]
    return result


def label_of(labels: dict[str, str], name: str) -> str:
    """A case's row label; a baseline run of it is marked ``[before]``."""
    return labels[name] if name in labels else labels[name[: -len(BASELINE)]] + " [before]"


def load() -> str:
    """The load average (1, 5, 15 minutes) as ``uptime`` shows it, or "n/a" where the OS has none (Windows)."""
    try:
        return ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except (AttributeError, OSError):
        return "n/a"


def ratio_target(
    checks: list[tuple[str, bool, str]],
    text: str,
    top: dict[str, Any],
    bottom: dict[str, Any],
    *,
    at_most: float | None = None,
    at_least: float | None = None,
    with_min: bool = False,
    digits: int = 2,
) -> None:
    """Append the target ``text`` to ``checks``: the median time of ``top`` over ``bottom``, at most ``at_most`` (a
    multiple of a peer) or at least ``at_least`` (a speed-up); skipped when either measurement failed."""
    if "median_s" not in top or "median_s" not in bottom:
        return
    ratio = top["median_s"] / bottom["median_s"]
    shown = f"{ratio:.{digits}f}x" + (f" median, {top['min_s'] / bottom['min_s']:.2f}x min" if with_min else "")
    checks.append((text, ratio <= at_most if at_most is not None else ratio >= (at_least or 0.0), shown))


def ms(r: dict[str, Any], key: str = "median_s") -> str:
    return f"{r[key] * 1e3:.2f}" if key in r else "failed"


def regime_ratios(step: dict[tuple[str, str], dict[str, Any]], top: str, bottom: str, spec: str) -> str:
    """``top``'s time over ``bottom``'s in each regime, median (min): "users 9.1x (9.8x), engines ..."; n/a where one failed."""
    out = []
    for r in REGIMES:
        a, b = step[(top, r)], step[(bottom, r)]
        ok = "median_s" in a and "median_s" in b
        out.append(f"{r} {a['median_s'] / b['median_s']:{spec}}x ({a['min_s'] / b['min_s']:{spec}}x)" if ok else f"{r} n/a")
    return ", ".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="5 timed steps per case and chains up to 10^5 (10^6 is skipped)")
    parser.add_argument("--repeat", type=int, default=None, help="timed steps per training-step case (default 9; at least 5)")
    parser.add_argument("--rounds", type=int, default=3, help="fresh-process runs of each training-step case, interleaved (default 3)")
    parser.add_argument(
        "--baseline", metavar="DIR", help="a checkout of an earlier commit: our cases also run against its library, side by side"
    )
    parser.add_argument("--case", help=argparse.SUPPRESS)
    parser.add_argument("--regime", default="engines", choices=REGIMES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    repeat = max(5, args.repeat or (5 if args.quick else 9))
    if args.case:
        enter_regime(args.regime)
        if args.case in ALL_CASES:
            result = ALL_CASES[args.case](repeat)
        elif args.case.startswith("depth-"):
            _, engine, n = args.case.split("-")
            result = case_depth(engine, int(n))
        elif args.case.startswith("memory-"):
            result = case_memory(args.case.split("-", 1)[1])
        elif args.case == "batched-numpy":
            result = case_batched_numpy(repeat)
        elif args.case == "batched-torch":
            result = case_batched_torch(repeat)
        elif args.case == "train":
            result = case_train()
        else:
            parser.error(f"unknown --case {args.case!r}")
        print(json.dumps(result))
        return

    import micrograd_nptel

    print(f"# micrograd_nptel {micrograd_nptel.__version__} benchmarks, {time.strftime('%Y-%m-%d %H:%M')}; load average {load()}")
    print(
        f"# {platform.python_implementation()} {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores; "
        f"each case in a fresh process; CPU time; median of {repeat} steps after one warm-up (micrograd: {max(3, repeat // 3)}); "
        f"{args.rounds} interleaved rounds, the median run kept, min = the fastest step of any round\n"
    )
    checks: list[tuple[str, bool, str]] = []

    # ------------------------------------------------------------------ 1. the first step, three regimes
    step = interleaved(list(CASES), repeat, args.rounds, args.baseline, REGIMES)
    labels = {
        "micrograd": "(a) micrograd 0.1.0 (PyPI)",
        "ours-scalar": "(b) ours, scalar ops only",
        "ours-mlp": "(c) ours, MLP (Value.linear units)",
        "floor": "(d) hand-written floats (floor)",
        "numpy": "(e) numpy, lecture's matrix formulas",
    }
    names = list(CASES) + [n + BASELINE for n in CASES if (n + BASELINE, "engines") in step]
    print("## 1. Training step: MLP 2-16-16-1 (ReLU), max-margin loss + L2, 100 moons points, forward + backward")
    print("median ms (min ms) per regime; users: " + "; ".join(f"{r}: {REGIME_NAMES[r]}" for r in REGIMES[1:]))
    print(f"{'implementation':<44}" + "".join(f"{r:>22}" for r in REGIMES) + f"{'loss':>12}")
    for name in names:
        cells = [step[(name, r)] for r in REGIMES]
        row = "".join(f"{(ms(c) + ' (' + ms(c, 'min_s') + ')') if 'median_s' in c else 'failed':>22}" for c in cells)
        loss = next((f"{c['loss']:.6f}" for c in cells if "loss" in c), "")
        print(f"{label_of(labels, name):<44}{row}{loss:>12}")
    print("how many times faster than micrograd (a), each regime against micrograd in the same regime (from the minima):")
    for name in ("ours-scalar", "ours-mlp"):
        print(f"  {label_of(labels, name):<42} " + regime_ratios(step, "micrograd", name, ".1f"))
    print("time as a multiple of the floor (d) at the first step (from the minima):")
    for name in ("ours-scalar", "ours-mlp"):
        print(f"  {label_of(labels, name):<42} " + regime_ratios(step, name, "floor", ".2f"))
    if args.baseline:
        for name in ("ours-scalar", "ours-mlp"):
            now, before = step[(name, "engines")], step.get((name + BASELINE, "engines"), {})
            if "median_s" in now and "median_s" in before:
                ratio, low = before["median_s"] / now["median_s"], before["min_s"] / now["min_s"]
                print(f"  {labels[name]}, engines alone: {ratio:.2f}x ({low:.2f}x) as fast as before (above 1: faster)")
    print()

    # ------------------------------------------------------------------ 1a. the trajectory
    print(f"## 1a. Along the training trajectory: the step of section 1 at each of micrograd's {TRAJECTORY_STEPS} demo SGD steps")
    traj = interleaved(list(TRAJECTORY_CASES), repeat, args.rounds, args.baseline, ("engines", "users"))
    traj_labels = {"trajectory-ours": "(c) ours, MLP", "trajectory-floor": "(d) hand-written floats (floor)"}
    print(f"{'implementation':<40} {'regime':>8} {'first ms':>9} {'median ms':>10} {'min ms':>8} {'last 20 ms':>11} {'final loss':>11}")
    for (name, regime), r in traj.items():
        if "error" in r:
            print(f"{label_of(traj_labels, name):<40} {regime:>8} failed: {r['error']}")
            continue
        print(
            f"{label_of(traj_labels, name):<40} {regime:>8} {ms(r, 'first_s'):>9} {ms(r):>10} {ms(r, 'min_s'):>8} "
            f"{ms(r, 'last20_s'):>11} {r['loss']:>11.6f}"
        )
    for regime in ("engines", "users"):
        ours, fl = traj[("trajectory-ours", regime)], traj[("trajectory-floor", regime)]
        if "times" in ours and "times" in fl:
            first = ours["times"][0] / fl["times"][0]
            print(
                f"ours / floor, {regime}: first step {first:.2f}x; "
                f"along the trajectory median {ours['median_s'] / fl['median_s']:.2f}x, "
                f"min {ours['min_s'] / fl['min_s']:.2f}x; last 20 steps {ours['last20_s'] / fl['last20_s']:.2f}x"
            )
            if regime == "engines":
                ratio_target(checks, "moons along its 100-step trajectory within 4.5x of the floor", ours, fl, at_most=4.5, with_min=True)
    for regime in ("engines", "users"):
        now, before = traj[("trajectory-ours", regime)], traj.get(("trajectory-ours" + BASELINE, regime), {})
        if "median_s" in now and "median_s" in before:
            print(
                f"ours now against before, {regime}: {before['median_s'] / now['median_s']:.2f}x ({before['min_s'] / now['min_s']:.2f}x) "
                "as fast (above 1: faster)"
            )
    print("(as the margins are met, most examples' losses are clipped to 0 by the relu: both skip their chain rule)\n")

    # ------------------------------------------------------------------ 1b. digits as fit() trains
    print(f"## 1b. Training step: MLP 64-32-10 (logistic), softmax + CE, a batch of {DIGITS_BATCH} digits, forward + backward")
    digits = interleaved(list(DIGITS_CASES), repeat, args.rounds, args.baseline, ("engines", "users"))
    digit_labels = {
        "digits-mlp": "(c) ours, as fit() trains (from the logits)",
        "digits-floor": "(d) hand-written floats (floor)",
        "digits-numpy": "(e) numpy, batched.Network",
    }
    print(f"{'(a) micrograd 0.1.0':<55} n/a: it has no exp, so no logistic or softmax")
    print(f"{'implementation':<55} {'regime':>8} {'median ms':>10} {'min ms':>8} {'vs floor (min)':>16} {'loss':>10}")
    for (name, regime), r in digits.items():
        if "error" in r:
            print(f"{label_of(digit_labels, name):<55} {regime:>8} failed: {r['error']}")
            continue
        fl = digits[("digits-floor", regime)]
        vs = f"{r['median_s'] / fl['median_s']:.2f}x ({r['min_s'] / fl['min_s']:.2f}x)" if "median_s" in fl else "n/a"
        print(f"{label_of(digit_labels, name):<55} {regime:>8} {ms(r):>10} {ms(r, 'min_s'):>8} {vs:>16} {r['loss']:>10.6f}")
    d, dfl = digits[("digits-mlp", "engines")], digits[("digits-floor", "engines")]
    text = "digits: fit()'s step within 2.0x of the floor (engines alone, as fit() trains)"
    ratio_target(checks, text, d, dfl, at_most=2.0, with_min=True)
    print()

    # ------------------------------------------------------------------ 1c. a student's own loop
    print(f"## 1c. micrograd's demo loop written by hand on our engine ({LOOP_STEPS} SGD steps; ms per step, CPU)")
    loops = interleaved(list(LOOP_CASES), repeat, args.rounds, None, ("users",))
    print("median ms (min ms) of a step; ratios of the medians (of the minima)")
    print(f"{'loop':<30} {'collector on':>17} {'on, gc_paused()':>17} {'off':>17} {'on / off':>14} {'paused / off':>14}")
    for kind, what in (("scalar", "scalar ops (as the notebooks)"), ("mlp", "our MLP class")):
        on, paused, off = (loops[(f"loop-{kind}-{how}", "users")] for how in ("on", "paused", "off"))
        if not all("median_s" in r for r in (on, paused, off)):
            print(f"{what:<30} failed: {[r.get('error') for r in (on, paused, off)]}")
            continue
        cells = [f"{ms(r)} ({ms(r, 'min_s')})" for r in (on, paused, off)]
        tax, kept = (f"{r['median_s'] / off['median_s']:.2f}x ({r['min_s'] / off['min_s']:.2f}x)" for r in (on, paused))
        print(f"{what:<30} {cells[0]:>17} {cells[1]:>17} {cells[2]:>17} {tax:>14} {kept:>14}")
        ratio = paused["median_s"] / off["median_s"]
        checks.append((f"hand-written moons loop ({what}), collector on, inside gc_paused(): within 1.2x of it off", ratio <= 1.2, kept))
    print("(the collector on: as Python starts; gc_paused(): micrograd_nptel.training.gc_paused, as fit() trains)\n")

    # ------------------------------------------------------------------ 2. depth
    print("## 2. Depth: backward() on a chain of n relu nodes (CPU seconds of backward() alone; 10^6: the fastest of the rounds)")
    sizes = [1_000, 100_000] if args.quick else [1_000, 100_000, 1_000_000]
    print(f"{'n':>10} {'ours':>28} {'micrograd':>28}" + (f" {'ours [before]':>28}" if args.baseline else ""))
    depth: dict[int, list[dict[str, Any]]] = {}
    fmt = lambda r: r.get("error") or f"{r['result'].split(' ')[0]} {r['seconds']:.3f} s"  # noqa: E731
    for n in sizes:
        rounds = max(1, args.rounds) if n == sizes[-1] else 1  # the largest chain: interleaved rounds, the fastest kept
        runs = [
            (run_case(f"depth-ours-{n}", 1), run_case(f"depth-ours-{n}{BASELINE}", 1, args.baseline) if args.baseline else {})
            for _ in range(rounds)
        ]
        best = lambda rs: min(rs, key=lambda r: r.get("seconds", math.inf))  # noqa: E731
        ours, before = best([a for a, _ in runs]), best([b for _, b in runs])
        depth[n] = [a for a, _ in runs]
        theirs = run_case(f"depth-micrograd-{n}", 1)
        print(f"{n:>10} {fmt(ours):>28} {fmt(theirs):>28}" + (f" {fmt(before):>28}" if args.baseline else ""))
    last = [r["seconds"] for r in depth.get(1_000_000, []) if "seconds" in r]
    if last:
        checks.append(
            (
                "10^6-node chain backward < 0.6 s",
                min(last) < 0.6,
                f"{min(last):.2f} s (fastest of {len(last)}; all: " + ", ".join(f"{t:.2f}" for t in last) + ")",
            )
        )
    print()

    print(f"## 2a. Many losses: {MANY_LOSSES} per-example losses of section 1's MLP, backward() on each")
    ml = {regime: run_case("many-losses", 1, regime=regime) for regime in ("engines", "users")}
    for regime, r in ml.items():
        if "error" in r:
            print(f"{REGIME_NAMES[regime]}: failed: {r['error']}")
            continue
        print(
            f"{REGIME_NAMES[regime]}: built first, then backward() on each: {r['built_first_s']:.3f} s; "
            f"build and backward() in turn: {r['interleaved_s']:.3f} s; "
            f"ratio {r['built_first_s'] / r['interleaved_s']:.2f}x; same gradients: {r['same_grads']}"
        )
    if "built_first_s" in ml["engines"]:
        ratio = ml["engines"]["built_first_s"] / ml["engines"]["interleaved_s"]
        checks.append((f"{MANY_LOSSES} losses built first within 1.2x of interleaved (engines alone)", ratio <= 1.2, f"{ratio:.2f}x"))
    print("(with the collector on, Python's cyclic collector scans the losses already built while more are made)\n")

    print("## 3. Memory: bytes per node (tracemalloc over 100,000 nodes), and a dropped graph freed by refcounting alone")
    mem = {e: run_case(f"memory-{e}", 1) for e in ("ours", "micrograd")}
    print(f"{'engine':<12} {'binary node (y*w)':>18} {'unary node (relu)':>18} {'freed without gc':>17}")
    for e, r in mem.items():
        print(f"{e:<12} {r['bytes_binary']:>18.0f} {r['bytes_unary']:>18.0f} {r['freed_without_gc']!s:>17}")
    print()

    print("## 4. Training to accuracy: micrograd-nptel train (defaults: Iris, MLP(4, [4, 4], 3), logistic, softmax + CE)")
    tr = run_case("train", 1)
    if "error" in tr:
        print(f"failed: {tr['error']}\n")
    else:
        print(
            f"test accuracy {tr['test_accuracy']:.4f}; {tr['s_per_epoch']:.4f} s per epoch; "
            f"{tr['total_s']:.1f} s for {tr['epochs']} epochs "
            "(wall time, as the CLI reports it)\n"
        )

    print("## 5. Batched training step: 784-128-128-10 logistic, softmax + CE, float64, batch 64 (forward + backward + SGD)")
    print("(median of max(100, 10 x repeat) steps; elapsed time: a BLAS thread waiting for work spins on the CPU)")
    many = max(100, 10 * repeat)  # a step of ~1 ms: many more steps than section 1, so the median is steady
    bn, bt = run_case("batched-numpy", many), run_case("batched-torch", many)
    print(f"{'implementation':<40} {'median ms':>10} {'vs PyTorch':>11} {'loss':>12}")
    for label, r in (("ours, batched.Network (numpy)", bn), (f"PyTorch CPU ({bt.get('torch', 'n/a')})", bt)):
        if "error" in r:
            print(f"{label:<40} failed: {r['error']}")
            continue
        ratio = f"{r['median_s'] / bt['median_s']:.2f}x" if "median_s" in bt else "n/a"
        print(f"{label:<40} {r['median_s'] * 1e3:>10.2f} {ratio:>11} {r['loss']:>12.6f}")
    print("(vs PyTorch: time as a multiple of PyTorch's; the same weights, so the losses agree)\n")

    print(f"## Targets (this run; load average at the end {load()})")
    base, mlp, scalar, fl = (step[(n, "users")] for n in ("micrograd", "ours-mlp", "ours-scalar", "floor"))
    ratio_target(checks, "(c) >= 100x faster than micrograd, as users run them", base, mlp, at_least=100, digits=1)
    ratio_target(checks, "(b) >= 15x faster than micrograd, as users run them", base, scalar, at_least=15, digits=1)
    e_mlp, e_fl = step[("ours-mlp", "engines")], step[("floor", "engines")]
    ratio_target(checks, "(c) within 4.5x of the floor (d) at the first step, engines alone", e_mlp, e_fl, at_most=4.5)
    ratio_target(checks, "batched step within 2x of PyTorch CPU", bn, bt, at_most=2)
    ratio = mem["ours"]["bytes_binary"] / mem["micrograd"]["bytes_binary"]
    checks.append(("bytes per node <= half of micrograd's", ratio <= 0.5, f"{ratio:.2f} of micrograd's"))
    for what, ok, value in checks:
        print(f"{'MET   ' if ok else 'MISSED'} {what}: {value}")


if __name__ == "__main__":
    main()
