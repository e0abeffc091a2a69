"""Speed and memory of micrograd_nptel, side by side with micrograd and the hand-written floor.

    python benchmarks/bench.py [--quick] [--repeat N]

Needs the benchmark extra (micrograd 0.1.0 from PyPI): ``pip install -e '.[bench]'``.
Every measurement runs in its own fresh Python process (``--case NAME`` runs one and
prints JSON); the parent prints one table with medians and ratios. Nothing here is a
test: the numbers are for reading, and the targets are checked on the same run.

1. Training step, micrograd's demo workload: MLP 2-16-16-1, ReLU, max-margin loss
   ``mean(relu(1 - y_i s_i)) + 1e-4 Σ p^2`` on 100 two-moons points; one forward +
   backward, all five implementations from the same weights (their losses are printed).
2. Depth: ``backward()`` on chains of relu nodes.
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


def timed(step: Callable[[], float], repeat: int) -> dict[str, Any]:
    loss = step()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
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
    return timed(lambda: demo_step(model, X, y, params), repeat)


def case_ours_scalar(repeat: int) -> dict[str, Any]:
    """Our engine, built from scalar ops only, exactly as micrograd's demo builds it."""
    from micrograd_nptel import Value

    X, y, W, b = workload()
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
    start = time.perf_counter()
    try:
        y.backward()
    except RecursionError:
        return {"result": "RecursionError", "seconds": time.perf_counter() - start}
    return {"result": f"ok (x.grad = {x.grad:g})", "seconds": time.perf_counter() - start}


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


def gc_paused(case: Callable[[int], dict[str, Any]]) -> Callable[[int], dict[str, Any]]:
    """The case with Python's cyclic garbage collector paused, as ``fit()`` trains (our graphs hold no cycles)."""

    def run(repeat: int) -> dict[str, Any]:
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return case(repeat)
        finally:
            if was_enabled:
                gc.enable()

    return run


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
    """The MLP path as fit() trains it: example_loss (CE from the logits) per example, the batch mean, backward."""
    from micrograd_nptel import Value
    from micrograd_nptel.training import example_loss

    X, y, model = digits_workload()

    def step() -> float:
        model.zero_grad()
        L = Value.sum([example_loss(model, x, label)[0] for x, label in zip(X, y)]) * (1.0 / len(X))
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

    return timed(step, repeat)


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

    result = timed(step, repeat)
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


def case_trajectory_ours(repeat: int) -> dict[str, Any]:
    """Our MLP step, timed at every one of micrograd's 100 demo steps (SGD with its schedule), not only at the start."""

    X, y, _, _ = workload()
    model, params = moons_model()
    times, losses = [], []
    for k in range(TRAJECTORY_STEPS):
        start = time.perf_counter()
        model.zero_grad()
        total = moons_loss(model, params, X, y)
        total.backward()
        times.append(time.perf_counter() - start)
        losses.append(total.data)
        for p in params:
            p.data -= demo_lr(k) * p.grad
    return {"median_s": statistics.median(times), "last20_s": statistics.median(times[-20:]), "loss": losses[-1], "steps": len(times)}


def case_trajectory_floor(repeat: int) -> dict[str, Any]:
    """The floor along the same 100 steps: its weights updated in place with its own gradients."""
    X, y, W, b = workload()
    step = floor_step(X, y, W, b)
    times, losses = [], []
    for k in range(TRAJECTORY_STEPS):
        start = time.perf_counter()
        loss, gW, gb = step()
        times.append(time.perf_counter() - start)
        losses.append(loss)
        lr = demo_lr(k)
        for Wk, Gk in zip(W, gW):
            for row, grow in zip(Wk, Gk):
                for j, g in enumerate(grow):
                    row[j] -= lr * g
        for bk, gk in zip(b, gb):
            for j, g in enumerate(gk):
                bk[j] -= lr * g
    return {"median_s": statistics.median(times), "last20_s": statistics.median(times[-20:]), "loss": losses[-1], "steps": len(times)}


MANY_LOSSES = 4000


def case_many_losses(repeat: int) -> dict[str, Any]:
    """N per-example losses of the moons MLP built first, then backward() on each, against build-then-backward interleaved."""
    X, y, _, _ = workload()
    model, params = moons_model()
    examples = [(X[i % len(X)], y[i % len(X)]) for i in range(MANY_LOSSES)]

    def loss(x: list[float], yi: float) -> Any:
        return (1 - yi * model(x)[0]).relu()

    start = time.perf_counter()
    for x, yi in examples:
        loss(x, yi).backward()
    interleaved_s = time.perf_counter() - start
    grads_interleaved = [p.grad for p in params]
    model.zero_grad()
    start = time.perf_counter()
    built = [loss(x, yi) for x, yi in examples]
    for L in built:
        L.backward()
    first_s = time.perf_counter() - start
    agree = all(abs(a - p.grad) <= 1e-9 * max(1.0, abs(a)) for a, p in zip(grads_interleaved, params))
    return {"interleaved_s": interleaved_s, "built_first_s": first_s, "same_grads": agree, "n": MANY_LOSSES}


CASES: dict[str, Callable[[int], dict[str, Any]]] = {
    "micrograd": case_micrograd,
    "ours-scalar": gc_paused(case_ours_scalar),
    "ours-mlp": gc_paused(case_ours_mlp),
    "floor": case_floor,
    "numpy": case_numpy,
    "ours-scalar-gc": case_ours_scalar,
    "ours-mlp-gc": case_ours_mlp,
}

TRAJECTORY_CASES: dict[str, Callable[[int], dict[str, Any]]] = {
    "trajectory-ours": gc_paused(case_trajectory_ours),
    "trajectory-floor": case_trajectory_floor,
}

DIGITS_CASES: dict[str, Callable[[int], dict[str, Any]]] = {
    "digits-mlp": gc_paused(case_digits_mlp),
    "digits-floor": case_digits_floor,
    "digits-numpy": case_digits_numpy,
}


BASELINE = "@before"  # a case name ending in this runs against the --baseline checkout's micrograd_nptel


def run_case(name: str, repeat: int, baseline: str | None = None) -> dict[str, Any]:
    """Run one case in a fresh Python process and return its JSON result; ``NAME@before`` imports the library from ``baseline``."""
    env = None
    if name.endswith(BASELINE):
        name = name[: -len(BASELINE)]
        env = {**os.environ, "PYTHONPATH": str(baseline)}
    out = subprocess.run([sys.executable, __file__, "--case", name, "--repeat", str(repeat)], capture_output=True, text=True, env=env)
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else f"exit {out.returncode}"}
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def interleaved(cases: dict[str, Any], repeat: int, rounds: int, baseline: str | None = None) -> dict[str, dict[str, Any]]:
    """Run every case ``rounds`` times, one round of all cases after another (so a burst of load on this shared
    machine hits every case alike), each run in a fresh process; keep the run with the median time of each case.
    With ``baseline`` (a checkout of an earlier commit), each of our cases also runs against it, in the same rounds."""
    names = list(cases) + ([f"{n}{BASELINE}" for n in cases if n.startswith(("ours", "digits-mlp"))] if baseline else [])
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    for _ in range(rounds):
        for name in names:
            runs[name].append(run_case(name, repeat, baseline))
    result = {}
    for name, rs in runs.items():
        ok = sorted((r for r in rs if "median_s" in r), key=lambda r: r["median_s"])
        result[name] = ok[len(ok) // 2] if ok else rs[0]
    return result


def label_of(labels: dict[str, str], name: str) -> str:
    """A case's row label; a baseline run of it is marked ``[before]``."""
    return labels[name] if name in labels else labels[name[: -len(BASELINE)]] + " [before]"


def print_speedups(results: dict[str, dict[str, Any]], labels: dict[str, str]) -> None:
    """For each case run against the baseline too: how many times faster it is now, measured in the same rounds."""
    for name, r in results.items():
        before = results.get(name + BASELINE, {})
        if "median_s" in r and "median_s" in before:
            ratio = before["median_s"] / r["median_s"]
            faster = f"{ratio:.2f}x faster" if ratio >= 1 else f"{1 / ratio:.2f}x slower"
            print(f"  {labels[name]}: {faster} than before ({before['median_s'] * 1e3:.2f} ms)")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="5 timed steps per case and chains up to 10^5 (10^6 is skipped)")
    parser.add_argument("--repeat", type=int, default=None, help="timed steps per training-step case (default 9; at least 5)")
    parser.add_argument("--rounds", type=int, default=3, help="fresh-process runs of each training-step case, interleaved (default 3)")
    parser.add_argument(
        "--baseline", metavar="DIR", help="a checkout of an earlier commit: our cases also run against its library, side by side"
    )
    parser.add_argument("--case", help=argparse.SUPPRESS)
    args = parser.parse_args()
    repeat = max(5, args.repeat or (5 if args.quick else 9))
    if args.case:
        if args.case in CASES:
            result = CASES[args.case](repeat)
        elif args.case in DIGITS_CASES:
            result = DIGITS_CASES[args.case](repeat)
        elif args.case in TRAJECTORY_CASES:
            result = TRAJECTORY_CASES[args.case](repeat)
        elif args.case == "many-losses":
            result = gc_paused(case_many_losses)(repeat)
        elif args.case == "many-losses-gc":
            result = case_many_losses(repeat)
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

    print(f"# micrograd_nptel {micrograd_nptel.__version__} benchmarks, {time.strftime('%Y-%m-%d')}")
    print(
        f"# {platform.python_implementation()} {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores; "
        f"each case in a fresh process; median of {repeat} steps after one warm-up\n"
    )
    step = interleaved(CASES, repeat, args.rounds, args.baseline)
    labels = {
        "micrograd": "(a) micrograd 0.1.0 (PyPI)",
        "ours-scalar": "(b) ours, scalar ops only",
        "ours-mlp": "(c) ours, MLP (Value.linear units)",
        "floor": "(d) hand-written floats (floor)",
        "numpy": "(e) numpy, lecture's matrix formulas",
        "ours-scalar-gc": "(b') as (b), cyclic GC on",
        "ours-mlp-gc": "(c') as (c), cyclic GC on",
    }
    print("## 1. Training step: MLP 2-16-16-1 (ReLU), max-margin loss + L2, 100 moons points, forward + backward")
    print(f"{'implementation':<40} {'median ms':>10} {'vs micrograd':>13} {'vs floor':>9} {'loss':>12}")
    base, floor = step["micrograd"].get("median_s"), step["floor"].get("median_s")
    for name, r in step.items():
        if "error" in r:
            print(f"{label_of(labels, name):<40} {'failed: ' + r['error']}")
            continue
        t = r["median_s"]
        vs_m = f"{base / t:.1f}x" if base else "n/a"
        vs_f = f"{t / floor:.2f}x" if floor else "n/a"
        print(f"{label_of(labels, name):<40} {t * 1e3:>10.2f} {vs_m:>13} {vs_f:>9} {r['loss']:>12.6f}")
    print("(vs micrograd: how many times faster than (a); vs floor: time as a multiple of (d))")
    if base:
        matched = ", ".join(
            f"{label_of(labels, n).split(' ')[0]} {base / step[n]['median_s']:.1f}x"
            for n in ("ours-scalar-gc", "ours-mlp-gc")
            if "median_s" in step[n]
        )
        print(f"collector-matched (ours with the cyclic GC on, as micrograd runs): faster than (a) by {matched}")
    print_speedups(step, labels)

    print(f"## 1a. Along the training trajectory: the step of section 1 at each of micrograd's {TRAJECTORY_STEPS} demo SGD steps")
    traj = interleaved(TRAJECTORY_CASES, repeat, args.rounds, args.baseline)
    traj_labels = {"trajectory-ours": "(c) ours, MLP", "trajectory-floor": "(d) hand-written floats (floor)"}
    tfloor = traj["trajectory-floor"].get("median_s")
    print(f"{'implementation':<40} {'median ms':>10} {'last 20 ms':>11} {'vs floor':>9} {'final loss':>12}")
    for name, r in traj.items():
        if "error" in r:
            print(f"{label_of(traj_labels, name):<40} {'failed: ' + r['error']}")
            continue
        vs_f = f"{r['median_s'] / tfloor:.2f}x" if tfloor else "n/a"
        print(f"{label_of(traj_labels, name):<40} {r['median_s'] * 1e3:>10.2f} {r['last20_s'] * 1e3:>11.2f} {vs_f:>9} {r['loss']:>12.6f}")
    print("(as the margins are met, most examples' losses are clipped to 0 by the relu: both skip their chain rule)")
    print_speedups(traj, traj_labels)

    print(f"## 1b. Training step: MLP 64-32-10 (logistic), softmax + CE, a batch of {DIGITS_BATCH} digits, forward + backward")
    digits = interleaved(DIGITS_CASES, repeat, args.rounds, args.baseline)
    digit_labels = {
        "digits-mlp": "(c) ours, MLP path (as fit() trains)",
        "digits-floor": "(d) hand-written floats (floor)",
        "digits-numpy": "(e) numpy, batched.Network",
    }
    dfloor = digits["digits-floor"].get("median_s")
    print(f"{'implementation':<40} {'median ms':>10} {'vs floor':>9} {'loss':>12}")
    print(f"{'(a) micrograd 0.1.0':<40} n/a: it has no exp, so no logistic or softmax")
    for name, r in digits.items():
        if "error" in r:
            print(f"{label_of(digit_labels, name):<40} {'failed: ' + r['error']}")
            continue
        vs_f = f"{r['median_s'] / dfloor:.2f}x" if dfloor else "n/a"
        print(f"{label_of(digit_labels, name):<40} {r['median_s'] * 1e3:>10.2f} {vs_f:>9} {r['loss']:>12.6f}")
    print(f"(ours with the cyclic GC paused, as fit() trains; median of {args.rounds} interleaved fresh-process runs)")
    print_speedups(digits, digit_labels)

    print("## 2. Depth: backward() on a chain of n relu nodes")
    sizes = [1_000, 100_000] if args.quick else [1_000, 100_000, 1_000_000]
    print(f"{'n':>10} {'ours':>28} {'micrograd':>28}")
    depth = {}
    for n in sizes:
        ours, theirs = run_case(f"depth-ours-{n}", 1), run_case(f"depth-micrograd-{n}", 1)
        depth[n] = ours
        fmt = lambda r: r.get("error") or f"{r['result'].split(' ')[0]} {r['seconds']:.3f} s"  # noqa: E731
        print(f"{n:>10} {fmt(ours):>28} {fmt(theirs):>28}")
    print()

    print(f"## 2a. Many losses: {MANY_LOSSES} per-example losses of section 1's MLP, backward() on each")
    ml, ml_gc = run_case("many-losses", 1), run_case("many-losses-gc", 1)
    for what, r in (("cyclic GC paused (as fit() trains)", ml), ("cyclic GC on", ml_gc)):
        if "error" in r:
            print(f"{what}: failed: {r['error']}")
            continue
        print(
            f"{what}: built first, then backward() on each: {r['built_first_s']:.3f} s; "
            f"build and backward() in turn: {r['interleaved_s']:.3f} s; "
            f"ratio {r['built_first_s'] / r['interleaved_s']:.2f}x; same gradients: {r['same_grads']}"
        )
    print("(with the GC on, Python's cyclic collector scans the losses already built while more are made)\n")

    print("## 3. Memory: bytes per node (tracemalloc over 100,000 nodes), and a dropped graph freed by refcounting alone")
    mem = {e: run_case(f"memory-{e}", 1) for e in ("ours", "micrograd")}
    print(f"{'engine':<12} {'binary node (y*w)':>18} {'unary node (relu)':>18} {'freed without gc':>17}")
    for e, r in mem.items():
        print(f"{e:<12} {r['bytes_binary']:>18.0f} {r['bytes_unary']:>18.0f} {r['freed_without_gc']!s:>17}")
    print()

    print("## 4. Training to accuracy: micrograd-nptel train (defaults: Iris, MLP(4, [4, 4], 3), logistic, softmax + CE)")
    tr = run_case("train", 1)
    print(
        f"test accuracy {tr['test_accuracy']:.4f}; {tr['s_per_epoch']:.4f} s per epoch; {tr['total_s']:.1f} s for {tr['epochs']} epochs\n"
    )

    print("## 5. Batched training step: 784-128-128-10 logistic, softmax + CE, float64, batch 64 (forward + backward + SGD)")
    print("(median of max(100, 10 x repeat) steps)")
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

    print("## Targets (this run)")
    checks = []
    if base and "median_s" in step["ours-mlp"]:
        checks.append(
            ("(c) >= 100x faster than micrograd", base / step["ours-mlp"]["median_s"] >= 100, f"{base / step['ours-mlp']['median_s']:.1f}x")
        )
    if base and "median_s" in step["ours-scalar"]:
        checks.append(
            (
                "(b) >= 15x faster than micrograd",
                base / step["ours-scalar"]["median_s"] >= 15,
                f"{base / step['ours-scalar']['median_s']:.1f}x",
            )
        )
    if floor and "median_s" in step["ours-mlp"]:
        checks.append(
            (
                "(c) within 4.5x of the floor (d)",
                step["ours-mlp"]["median_s"] / floor <= 4.5,
                f"{step['ours-mlp']['median_s'] / floor:.2f}x",
            )
        )
    if dfloor and "median_s" in digits["digits-mlp"]:
        ratio = digits["digits-mlp"]["median_s"] / dfloor
        checks.append(("digits: MLP path within 3x of the floor", ratio <= 3, f"{ratio:.2f}x"))
    if tfloor and "median_s" in traj["trajectory-ours"]:
        ratio = traj["trajectory-ours"]["median_s"] / tfloor
        checks.append(("(c) within 4.5x of the floor along the trajectory", ratio <= 4.5, f"{ratio:.2f}x"))
    if "built_first_s" in ml:
        ratio = ml["built_first_s"] / ml["interleaved_s"]
        checks.append((f"{MANY_LOSSES} losses built first within 1.5x of interleaved (GC paused)", ratio <= 1.5, f"{ratio:.2f}x"))
    if 1_000_000 in depth and "seconds" in depth[1_000_000]:
        checks.append(("10^6-node chain backward < 1 s", depth[1_000_000]["seconds"] < 1, f"{depth[1_000_000]['seconds']:.2f} s"))
    if "median_s" in bn and "median_s" in bt:
        checks.append(
            ("batched step within 2x of PyTorch CPU", bn["median_s"] / bt["median_s"] <= 2, f"{bn['median_s'] / bt['median_s']:.2f}x")
        )
    ratio = mem["ours"]["bytes_binary"] / mem["micrograd"]["bytes_binary"]
    checks.append(("bytes per node <= half of micrograd's", ratio <= 0.5, f"{ratio:.2f} of micrograd's"))
    for what, ok, value in checks:
        print(f"{'MET   ' if ok else 'MISSED'} {what}: {value}")


if __name__ == "__main__":
    main()
