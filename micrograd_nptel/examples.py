"""The lecture's worked examples as ready-made graphs (for ``micrograd-nptel draw`` and the notebooks).

Each function builds the graph, calls ``backward()`` and returns ``(root, variables)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .engine import Value
from .nn import MLP, Neuron, cross_entropy


def multipath(x: float = 2.0) -> tuple[Value, dict[str, Value]]:
    """CS7015 Lecture 4, Module 4.6: z = log(y1/y2), y1 = x^2, y2 = x^3; dz/dx = 2/x - 3/x = -1/x."""
    xv = Value(x, label="x")
    y1, y2 = xv**2, xv**3
    y1.label, y2.label = "y_1", "y_2"
    z = (y1 / y2).log()  # y1/y2 stays unnamed, as on the slide: its factor folds into ∂z/∂y_i
    z.label = "z"
    z.backward()
    return z, {"x": xv}


def chain(x: float = 1.0) -> tuple[Value, dict[str, Value]]:
    """IIT Hyderabad Backpropagation-1: f(x) = e^{sin(x^2)}, f'(x) = e^{sin(x^2)} cos(x^2) 2x."""
    xv = Value(x, label="x")
    s = xv**2
    s.label = "x²"
    t = s.sin()
    t.label = "sin(x²)"
    f = t.exp()
    f.label = "f"
    f.backward()
    return f, {"x": xv}


def neuron(x: tuple[float, float, float] = (1.0, 0.5, -1.5), seed: int = 0) -> tuple[Value, dict[str, Value]]:
    """One logistic unit (CS7015 Lecture 4, Module 4.1): a = b + Σ_k w_k x_k as one node, h = g(a)."""
    unit = Neuron(3, activation="logistic", seed=seed)
    unit.b.data = 0.1
    xs = [Value(v, label=f"x_{k + 1}") for k, v in enumerate(x)]
    h = unit(xs)
    h.backward()
    return h, {v.label: v for v in xs} | dict(unit.named_parameters())


def figure_network(x: Sequence[float] = (1.0, 0.5, -1.5), label: int = 0, seed: int = 0) -> tuple[MLP, list[Value], Value]:
    """The lecture's figure network MLP(3, [3, 3], 2) (L = 3), softmax + cross-entropy, after ``backward()`` on one example.

    Source: CS7015 Lecture 4, Modules 4.1 and 4.4 (n = 3 inputs, two hidden layers of 3, k = 2).

    Args:
        x: the 3 inputs (default (1, 0.5, -1.5)).
        label: the true class l, 0-based (0 is the slides' class 1).
        seed: the initialisation seed.

    Returns:
        ``(mlp, xs, L)``: the network, the 3 input leaves ``x_1..x_3`` and the loss node labelled ``L``.

    Raises:
        ValueError/TypeError: a wrong-length x or a label out of range.
    """
    mlp = MLP(3, [3, 3], 2, seed=seed)
    xs = [Value(v, label=f"x_{k + 1}") for k, v in enumerate(x)]
    L = cross_entropy(mlp(xs), label)
    L.label = "L"
    L.backward()
    return mlp, xs, L


def network(x: Sequence[float] = (1.0, 0.5, -1.5), label: int = 0, seed: int = 0) -> tuple[Value, dict[str, Value]]:
    """The lecture's figure network (see :func:`figure_network`) as ``(L, {name: leaf})`` for the inputs and parameters."""
    mlp, xs, L = figure_network(x, label, seed)
    return L, {v.label: v for v in xs} | dict(mlp.named_parameters())


EXAMPLES: dict[str, Callable[..., tuple[Value, dict[str, Value]]]] = {
    "multipath": multipath,
    "chain": chain,
    "neuron": neuron,
    "network": network,
}
"""The named examples of ``micrograd-nptel draw``."""
