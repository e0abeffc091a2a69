"""The way out to PyTorch: the lecture's network as a ``torch.nn.Sequential``, and back (the ``torch`` extra).

``to_torch(mlp)`` builds ``Linear(n_0, n_1), g, Linear(n_1, n_2), g, ..., Linear(n_{L-1}, k)[, Softmax]`` in
float64 with the same weights: ``Linear`` computes ``a = h W^T + b`` with ``weight`` of shape
(n_k, n_{k-1}), exactly the slides' ``W_k`` (row j holds unit j's weights ``W_{k,j,·}``). So the two
give the same ŷ and, after one ``backward``, the same ``∂L/∂W``. ``from_torch(module)`` reads such a
Sequential back into an :class:`~micrograd_nptel.nn.MLP`.

Needs PyTorch: ``pip install 'micrograd-nptel[torch]'``.
"""

from __future__ import annotations

import itertools
from typing import Any

from .nn import MLP

try:
    import torch
except ImportError as e:  # pragma: no cover - exercised only without the extra
    raise ImportError("micrograd_nptel.torch needs PyTorch: pip install 'micrograd-nptel[torch]'") from e

_TO_TORCH = {"logistic": torch.nn.Sigmoid, "tanh": torch.nn.Tanh, "relu": torch.nn.ReLU, "linear": torch.nn.Identity}
_FROM_TORCH = {torch.nn.Sigmoid: "logistic", torch.nn.Tanh: "tanh", torch.nn.ReLU: "relu", torch.nn.Identity: "linear"}


def to_torch(mlp: MLP, *, softmax: bool = True) -> Any:
    """The same network as a float64 ``torch.nn.Sequential``: identical weights, activations and output.

    Args:
        mlp: the scalar engine's network.
        softmax: end with ``torch.nn.Softmax(dim=-1)`` when O is softmax, so the module returns ŷ
            as ``mlp(x)`` does. Pass ``False`` to get the logits ``a_L``, what
            ``torch.nn.CrossEntropyLoss`` wants for training (the stable form, as
            :func:`~micrograd_nptel.nn.cross_entropy_with_logits`).

    Returns:
        ``torch.nn.Sequential`` of ``Linear`` (float64) and activation modules.

    Raises:
        TypeError: ``mlp`` is not an MLP.
    """
    if not isinstance(mlp, MLP):
        raise TypeError(f"to_torch needs an MLP, got {mlp!r} of type {type(mlp).__name__}")
    modules: list[Any] = []
    for layer in mlp.layers:
        linear = torch.nn.Linear(layer.nin, layer.nout, dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.tensor([[w.data for w in row] for row in layer.W], dtype=torch.float64))
            linear.bias.copy_(torch.tensor([b.data for b in layer.b], dtype=torch.float64))
        modules.append(linear)
        if layer.index < len(mlp.layers):
            modules.append(_TO_TORCH[mlp.activation]())
    if mlp.output == "softmax" and softmax:
        modules.append(torch.nn.Softmax(dim=-1))
    return torch.nn.Sequential(*modules)


def from_torch(module: Any) -> MLP:
    """An :class:`~micrograd_nptel.nn.MLP` with the weights of a ``torch.nn.Sequential`` of this shape.

    The Sequential must alternate ``Linear`` layers with one kind of activation (``Sigmoid``,
    ``Tanh``, ``ReLU`` or ``Identity``) between them, and may end with ``Softmax(dim=-1)`` (then
    O is softmax; otherwise linear). Shapes must chain (``out_features`` of one Linear is the
    ``in_features`` of the next), and each Linear needs a bias.

    Raises:
        TypeError: ``module`` is not a ``torch.nn.Sequential``.
        ValueError: a layer that cannot be mapped (named, with its position), mixed activations,
            shapes that do not chain, a Linear without bias, or one whose numbers are not real and
            finite (complex, on the meta device, NaN/inf, or an uninitialised LazyLinear).
    """
    if not isinstance(module, torch.nn.Sequential):
        raise TypeError(f"from_torch needs a torch.nn.Sequential, got {type(module).__name__}")
    children: list[Any] = list(module)
    output = "linear"
    if children and isinstance(children[-1], torch.nn.Softmax):
        if children[-1].dim not in (-1, 1):
            raise ValueError(f"layer {len(children) - 1} is Softmax(dim={children[-1].dim}); only the last dimension (dim=-1) maps to O")
        output = "softmax"
        children = children[:-1]
    linears = children[0::2]
    activations = children[1::2]
    for i, m in enumerate(children):
        expected = torch.nn.Linear if i % 2 == 0 else tuple(_FROM_TORCH)
        if not isinstance(m, expected):
            what = "a Linear layer" if i % 2 == 0 else "an activation (Sigmoid, Tanh, ReLU, Identity)"
            raise ValueError(f"layer {i} is {type(m).__name__}, which cannot be mapped: expected {what} here")
    if not linears or len(activations) != len(linears) - 1:
        raise ValueError("the Sequential must start and end with Linear layers, with one activation between each two")
    kinds = {next(g for cls, g in _FROM_TORCH.items() if isinstance(m, cls)) for m in activations}  # subclasses too
    if len(kinds) > 1:
        raise ValueError(f"the hidden layers mix activations {sorted(kinds)}; the lecture's network has one g for all of them")
    for i, (a, b) in enumerate(itertools.pairwise(linears)):
        if a.out_features != b.in_features:
            raise ValueError(f"Linear {i + 1} has {a.out_features} outputs but Linear {i + 2} has {b.in_features} inputs")
    if any(lin.bias is None for lin in linears):
        raise ValueError("every Linear layer needs a bias (b_k on the slides)")
    for i, lin in zip(range(0, len(children), 2), linears):  # what the numbers must be, before any is copied
        uninitialised = getattr(lin, "has_uninitialized_params", None)  # a LazyLinear's check, found by name (mypy
        if callable(uninitialised) and uninitialised():  # reads isinstance(lin, LazyModuleMixin) as an impossible class)
            raise ValueError(f"layer {i} is an uninitialised {type(lin).__name__}: run the model once on an input first")
        for what, t in (("weight", lin.weight), ("bias", lin.bias)):
            if t.device.type == "meta":
                raise ValueError(f"layer {i} ({type(lin).__name__}) has its {what} on the meta device (no numbers): load or init it first")
            if t.is_complex() or not t.is_floating_point():
                raise ValueError(f"layer {i} ({type(lin).__name__}) has a {t.dtype} {what}; the lecture's network is real (float)")
            if not bool(torch.isfinite(t).all()):
                raise ValueError(f"layer {i} ({type(lin).__name__}) has NaN or infinite numbers in its {what}")
    sizes = [linears[0].in_features] + [lin.out_features for lin in linears]
    mlp = MLP(sizes[0], sizes[1:-1], sizes[-1], activation=kinds.pop() if kinds else "logistic", output=output)
    for layer, lin in zip(mlp.layers, linears):
        for row, values in zip(layer.W, lin.weight.detach().double().tolist()):
            for w, v in zip(row, values):
                w.data = v
        for p, v in zip(layer.b, lin.bias.detach().double().tolist()):
            p.data = v
    return mlp
