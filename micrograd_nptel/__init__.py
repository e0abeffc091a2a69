"""micrograd_nptel: backpropagation as CS7015 Lecture 4 teaches it, on a scalar autodiff engine.

Build expressions from :class:`Value` nodes, call ``backward()``, read every ``grad``;
build the lecture's network (:class:`MLP`), train it on real data, and compare each
gradient with the formula derived on the slides.
"""

import importlib
from types import ModuleType

from .batched import Network
from .datasets import (
    Dataset,
    ImageData,
    StandardScaler,
    load_digits,
    load_fashion_mnist,
    load_iris,
    load_mnist,
    make_moons,
    train_test_split,
)
from .derivation import ChainPath, Derivation, Jacobian, explain
from .engine import Value, nodes_below, topological_order
from .gradcheck import GradcheckError, GradcheckReport, gradcheck
from .graph import Path, RenderError, chain_rule_paths, draw_dot, draw_network, render, step_through, trace
from .lecture import BackwardStep, backward_steps
from .nn import MLP, Layer, Module, Neuron, cross_entropy, cross_entropy_with_logits, softmax, squared_error
from .optim import NAG, SGD, AdaGrad, Adam, Momentum, NAdam, Optimizer, RMSProp
from .training import TrainingDiverged, accuracy, confusion_matrix, fit

__version__ = "0.1.0"

__all__ = [
    "MLP",
    "NAG",
    "SGD",
    "AdaGrad",
    "Adam",
    "BackwardStep",
    "ChainPath",
    "Dataset",
    "Derivation",
    "GradcheckError",
    "GradcheckReport",
    "ImageData",
    "Jacobian",
    "Layer",
    "Module",
    "Momentum",
    "NAdam",
    "Network",
    "Neuron",
    "Optimizer",
    "Path",
    "RMSProp",
    "RenderError",
    "StandardScaler",
    "TrainingDiverged",
    "Value",
    "accuracy",
    "backward_steps",
    "chain_rule_paths",
    "confusion_matrix",
    "cross_entropy",
    "cross_entropy_with_logits",
    "draw_dot",
    "draw_network",
    "explain",
    "fit",
    "gradcheck",
    "load_digits",
    "load_fashion_mnist",
    "load_iris",
    "load_mnist",
    "make_moons",
    "nodes_below",
    "render",
    "softmax",
    "squared_error",
    "step_through",
    "topological_order",
    "trace",
    "train_test_split",
]


def __getattr__(name: str) -> ModuleType:
    """``micrograd_nptel.exercises`` and ``micrograd_nptel.formula`` after ``import micrograd_nptel`` alone, imported on
    first use (``help(micrograd_nptel.formula)``, which every exercise's question points to, shows the grammar)."""
    if name in ("exercises", "formula"):
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
