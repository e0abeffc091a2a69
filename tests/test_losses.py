"""The losses: cross-entropy from the logits, stable like PyTorch's, and the probability view's limits."""

from __future__ import annotations

import pytest

from micrograd_nptel import MLP, Value, cross_entropy, fit, softmax
from micrograd_nptel.nn import cross_entropy_with_logits


def test_cross_entropy_with_logits_is_stable_like_pytorch() -> None:
    for a, l, loss, grads in (([720.0, 0.0], 0, 0.0, [0.0, 0.0]), ([720.0, 0.0], 1, 720.0, [1.0, -1.0]), ([0.0, 1e4], 0, 1e4, [-1.0, 1.0])):
        logits = [Value(v) for v in a]
        L = cross_entropy_with_logits(logits, l)
        L.backward()
        assert L.data == pytest.approx(loss, abs=1e-12) and [v.grad for v in logits] == pytest.approx(grads, abs=1e-12)
    # ordinary logits: the same as the lecture's -log softmax(a)_l, and the gradient is -(e(l) - ŷ) (Module 4.5)
    a = [Value(0.3), Value(-1.2), Value(2.0)]
    y_hat = softmax(a)
    L = cross_entropy_with_logits(a, 2)
    L.backward()
    assert L.data == pytest.approx(cross_entropy(y_hat, 2).data, rel=1e-15)
    assert [v.grad for v in a] == pytest.approx([p.data - (j == 2) for j, p in enumerate(y_hat)], rel=1e-15)


def test_the_probability_view_refuses_what_it_cannot_represent() -> None:
    with pytest.raises(ValueError, match=r"too small for ∂L/∂ŷ_l = -1/ŷ_l .* cross_entropy_with_logits"):
        cross_entropy(softmax([720.0, 0.0]), 1)  # ŷ_2 = e^-720 is subnormal: -1/ŷ_2 overflows
    with pytest.raises(ValueError, match=r"probability 0 < ŷ_l <= 1, got ŷ_1 = 2.0"):
        cross_entropy([Value(2.0)], 0)  # a "probability" > 1 gave a loss of -0.693
    with pytest.raises(ValueError, match="softmax over k = 1 output"):
        MLP(2, [16, 16], 1)


def test_training_uses_the_stable_loss() -> None:
    mlp = MLP(2, [], 2, seed=0)
    for row in mlp.layers[0].W:
        row[0].data = 400.0 if row is mlp.layers[0].W[0] else -400.0  # logits 800 apart for x = (1, 0)
    history = fit(mlp, [[1.0, 0.0]], [1], epochs=1, lr=1e-4, batch_size=1)
    assert history[0].loss == pytest.approx(800.0)
