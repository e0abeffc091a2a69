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
    from micrograd_nptel import MLP, Value

    X, y, W, b = workload()
    model = MLP(2, [16, 16], 1, activation="relu", output="linear")
    for layer, Wk, bk in zip(model.layers, W, b):
        for row, new_row in zip(layer.W, Wk):
            for p, v in zip(row, new_row):
                p.data = v
        for p, v in zip(layer.b, bk):
            p.data = v
    params = model.parameters()

    def step() -> float:
        model.zero_grad()
        losses = [(1 - yi * model(x)[0]).relu() for x, yi in zip(X, y)]
        total = Value.sum(losses) * (1.0 / len(losses)) + ALPHA * Value.linear(params, params)
        total.backward()
        return total.data

    return timed(step, repeat)


def case_floor(repeat: int) -> dict[str, Any]:
    """Hand-written forward and backward on plain floats: the floor for any pure-Python engine."""
    X, y, W, b = workload()
    W1, W2, W3 = W
    b1, b2, b3 = b
    n = len(X)

    def step() -> float:
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
        return total / n + ALPHA * reg  # biases are 0 here and their reg term too

    return timed(step, repeat)


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
    ref = weakref.ref(middle)
    del middle, y
    freed = ref() is None
    gc.enable()
    return {"bytes_binary": binary, "bytes_unary": unary, "freed_without_gc": freed}


def case_train() -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-m", "micrograd_nptel", "train", "--quiet"], capture_output=True, text=True, check=True)
    m = re.search(r"test accuracy ([0-9.]+); ([0-9.]+) s per epoch \(([0-9.]+) s for (\d+) epochs\)", out.stdout)
    if not m:
        raise RuntimeError(f"unexpected output of micrograd-nptel train: {out.stdout!r}")
    return {"test_accuracy": float(m.group(1)), "s_per_epoch": float(m.group(2)), "total_s": float(m.group(3)), "epochs": int(m.group(4))}


def without_gc(case: Callable[[int], dict[str, Any]]) -> Callable[[int], dict[str, Any]]:
    """The same case with Python's cyclic garbage collector off: how much of the step it costs."""

    def run(repeat: int) -> dict[str, Any]:
        gc.disable()
        return case(repeat)

    return run


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


CASES: dict[str, Callable[[int], dict[str, Any]]] = {
    "micrograd": case_micrograd,
    "ours-scalar": case_ours_scalar,
    "ours-mlp": case_ours_mlp,
    "floor": case_floor,
    "numpy": case_numpy,
    "ours-scalar-nogc": without_gc(case_ours_scalar),
    "ours-mlp-nogc": without_gc(case_ours_mlp),
}


def run_case(name: str, repeat: int) -> dict[str, Any]:
    """Run one case in a fresh Python process and return its JSON result."""
    out = subprocess.run([sys.executable, __file__, "--case", name, "--repeat", str(repeat)], capture_output=True, text=True)
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else f"exit {out.returncode}"}
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="5 timed steps per case and chains up to 10^5 (10^6 is skipped)")
    parser.add_argument("--repeat", type=int, default=None, help="timed steps per training-step case (default 9; at least 5)")
    parser.add_argument("--case", help=argparse.SUPPRESS)
    args = parser.parse_args()
    repeat = max(5, args.repeat or (5 if args.quick else 9))
    if args.case:
        if args.case in CASES:
            result = CASES[args.case](repeat)
        elif args.case.startswith("depth-"):
            _, engine, n = args.case.split("-")
            result = case_depth(engine, int(n))
        elif args.case.startswith("memory-"):
            result = case_memory(args.case.split("-", 1)[1])
        elif args.case == "batched-numpy":
            result = case_batched_numpy(repeat)
        elif args.case == "batched-torch":
            result = case_batched_torch(repeat)
        else:
            result = case_train()
        print(json.dumps(result))
        return

    import micrograd_nptel

    print(f"# micrograd_nptel {micrograd_nptel.__version__} benchmarks, {time.strftime('%Y-%m-%d')}")
    print(
        f"# {platform.python_implementation()} {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores; "
        f"each case in a fresh process; median of {repeat} steps after one warm-up\n"
    )
    step = {name: run_case(name, repeat) for name in CASES}
    labels = {
        "micrograd": "(a) micrograd 0.1.0 (PyPI)",
        "ours-scalar": "(b) ours, scalar ops only",
        "ours-mlp": "(c) ours, MLP (Value.linear units)",
        "floor": "(d) hand-written floats (floor)",
        "numpy": "(e) numpy, lecture's matrix formulas",
        "ours-scalar-nogc": "(b') as (b), cyclic GC off (diagnosis)",
        "ours-mlp-nogc": "(c') as (c), cyclic GC off (diagnosis)",
    }
    print("## 1. Training step: MLP 2-16-16-1 (ReLU), max-margin loss + L2, 100 moons points, forward + backward")
    print(f"{'implementation':<40} {'median ms':>10} {'vs micrograd':>13} {'vs floor':>9} {'loss':>12}")
    base, floor = step["micrograd"].get("median_s"), step["floor"].get("median_s")
    for name, r in step.items():
        if "error" in r:
            print(f"{labels[name]:<40} {'failed: ' + r['error']}")
            continue
        t = r["median_s"]
        vs_m = f"{base / t:.1f}x" if base else "n/a"
        vs_f = f"{t / floor:.2f}x" if floor else "n/a"
        print(f"{labels[name]:<40} {t * 1e3:>10.2f} {vs_m:>13} {vs_f:>9} {r['loss']:>12.6f}")
    print("(vs micrograd: how many times faster than (a); vs floor: time as a multiple of (d))\n")

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
            ("(c) >= 50x faster than micrograd", base / step["ours-mlp"]["median_s"] >= 50, f"{base / step['ours-mlp']['median_s']:.1f}x")
        )
    if base and "median_s" in step["ours-scalar"]:
        checks.append(
            (
                "(b) >= 8x faster than micrograd",
                base / step["ours-scalar"]["median_s"] >= 8,
                f"{base / step['ours-scalar']['median_s']:.1f}x",
            )
        )
    if floor and "median_s" in step["ours-mlp"]:
        checks.append(
            ("(c) within 3x of the floor (d)", step["ours-mlp"]["median_s"] / floor <= 3, f"{step['ours-mlp']['median_s'] / floor:.2f}x")
        )
    if 1_000_000 in depth and "seconds" in depth[1_000_000]:
        checks.append(("10^6-node chain backward < 5 s", depth[1_000_000]["seconds"] < 5, f"{depth[1_000_000]['seconds']:.2f} s"))
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
