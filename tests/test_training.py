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


# ---------------------------------------------------------------- the collector paused while training
def test_gc_paused_pauses_the_collector_and_restores_it_exactly() -> None:
    import gc

    from micrograd_nptel.training import gc_paused

    thresholds = gc.get_threshold()
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():  # nested: the inner block leaves it paused for the outer one
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled() and gc.get_threshold() == thresholds
    with pytest.raises(KeyError), gc_paused():  # restored when the block raises
        raise KeyError("x")
    assert gc.isenabled()
    gc.disable()  # a collector the user had disabled stays disabled
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_fit_trains_with_the_collector_paused_and_restores_it() -> None:
    import gc

    seen = []
    data = make_moons(20, seed=0)
    fit(MLP(2, [4], 2, seed=0), data.X, data.y, epochs=2, on_epoch=lambda s: seen.append(gc.isenabled()))
    assert seen == [False, False] and gc.isenabled()


# ---------------------------------------------------------------- fit() takes the predicted class from the logits
def test_fit_makes_no_y_hat_node_and_trains_as_the_y_hat_loop_did(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same losses, accuracies and weights as the loop through ŷ (example_loss, argmax ŷ), with no softmax made per example."""
    import micrograd_nptel.nn as nn
    from micrograd_nptel import SGD, Value
    from micrograd_nptel.nn import argmax
    from micrograd_nptel.training import Batches, example_loss

    data = make_moons(30, noise=0.2, seed=3)
    reference = MLP(2, [5], 2, seed=1)
    opt, batches, expected = SGD(reference.parameters(), 0.5), Batches(len(data.X), 8, 0), []
    for _ in range(3):
        total, correct = 0.0, 0
        for _, batch in batches.epoch():
            opt.zero_grad()
            pairs = [example_loss(reference, data.X[i], data.y[i]) for i in batch]
            correct += sum(argmax(y_hat) == data.y[i] for (_, y_hat), i in zip(pairs, batch))
            L = Value.sum([loss for loss, _ in pairs]) * (1.0 / len(batch))
            L.backward()
            opt.step()
            total += L.data * len(batch)
        expected.append((total / len(data.X), correct / len(data.X)))

    made = []
    softmax = nn.softmax
    monkeypatch.setattr(nn, "softmax", lambda a: made.append(1) or softmax(a))
    model = MLP(2, [5], 2, seed=1)
    history = fit(model, data.X, data.y, epochs=3, lr=0.5, batch_size=8, seed=0)
    assert [(s.loss, s.accuracy) for s in history] == expected
    assert [p.data for p in model.parameters()] == [p.data for p in reference.parameters()]
    assert len(made) == 1  # the one pass fit() leaves in the layers at the end, not one per example
    assert [v.label for v in model.layers[-1].h] == ["ŷ_1", "ŷ_2"] and model.layers[-1].h[0].parents[0] is model.layers[-1].a[0]


def test_logits_are_the_output_pre_activations() -> None:
    model = MLP(3, [4], 3, seed=2)
    x = [0.2, -0.4, 1.0]
    a = [v.data for v in model.logits(x)]
    model(x)
    assert a == [v.data for v in model.layers[-1].a]
    assert max(range(3), key=a.__getitem__) == model.predict(x)
