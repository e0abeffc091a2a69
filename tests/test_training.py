"""Training (``training.py``): a diverging run is a diagnosis that says what to change."""

from __future__ import annotations

import pytest

from micrograd_nptel import MLP, fit, make_moons
from micrograd_nptel.training import TrainingDiverged


def test_divergence_is_a_diagnosis() -> None:
    X, y = make_moons(40, noise=0.1, seed=0).X, make_moons(40, noise=0.1, seed=0).y
    mlp = MLP(2, [8], 2, activation="linear", output="linear", seed=0)
    with pytest.raises(TrainingDiverged, match=r"training diverged at epoch \d+, step \d+ with learning rate 1000 .* --lr 100"):
        fit(mlp, X, y, epochs=50, lr=1000.0, batch_size=8)
