"""Where an exercise's numbers come from, kept importable here; it lives in :mod:`micrograd_nptel.exercises.worlds`."""

from .exercises.steps import order_steps
from .exercises.worlds import LOSSES, MAX_LAYERS, MAX_UNITS, MAX_WEIGHTS, ExpressionWorld, NetworkWorld

__all__ = ["LOSSES", "MAX_LAYERS", "MAX_UNITS", "MAX_WEIGHTS", "ExpressionWorld", "NetworkWorld", "order_steps"]
