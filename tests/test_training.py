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


def test_mlp_and_network_share_one_training_interface() -> None:
    """fit, accuracy, loss, batch predict, save and load: the same names and parameters on both engines."""
    import inspect

    from micrograd_nptel.batched import Network

    for method in ("fit", "accuracy", "loss", "predict", "save", "load"):
        ours = list(inspect.signature(getattr(MLP, method)).parameters)
        theirs = list(inspect.signature(getattr(Network, method)).parameters)
        assert ours == theirs, (method, ours, theirs)


def test_mlp_fit_accuracy_loss_and_batch_predict_agree_with_training_and_network() -> None:
    import numpy as np

    from micrograd_nptel import accuracy
    from micrograd_nptel.batched import Network

    data = make_moons(40, noise=0.1, seed=1)
    one, two = MLP(2, [6], 2, seed=3), MLP(2, [6], 2, seed=3)
    history_one = one.fit(data.X, data.y, epochs=3, lr=0.3, batch_size=5, seed=2)
    history_two = fit(two, data.X, data.y, epochs=3, lr=0.3, batch_size=5, seed=2)
    assert [(s.loss, s.accuracy) for s in history_one] == [(s.loss, s.accuracy) for s in history_two]
    predicted = one.predict(data.X)  # a batch: one class per row, as Network.predict gives
    assert predicted == [one.predict(x) for x in data.X] and all(isinstance(c, int) for c in predicted)
    assert one.predict(np.array(data.X)) == predicted and isinstance(one.predict(np.array(data.X[0])), int)
    assert one.accuracy(data.X, data.y) == accuracy(one, data.X, data.y) == sum(p == t for p, t in zip(predicted, data.y)) / 40
    net = Network.from_mlp(one)
    assert net.predict(np.array(data.X)).tolist() == predicted
    assert one.loss(data.X, data.y) == pytest.approx(net.loss(data.X, data.y), rel=1e-12)
    with pytest.raises(ValueError, match="equal, non-zero numbers of rows and labels, got 2 and 1"):
        one.loss(data.X[:2], data.y[:1])


def test_network_fit_takes_the_learning_rate_of_its_default_sgd() -> None:
    import numpy as np

    from micrograd_nptel.batched import Network

    data = make_moons(40, noise=0.1, seed=1)
    X, y = np.array(data.X), np.array(data.y)
    slow, fast = Network([2, 6, 2], seed=3), Network([2, 6, 2], seed=3)
    slow.fit(X, y, epochs=1, batch_size=40, lr=0.01)
    fast.fit(X, y, epochs=1, batch_size=40, lr=1.0)
    start = Network([2, 6, 2], seed=3)
    moved = [np.abs(n.W[1] - start.W[1]).sum() for n in (slow, fast)]
    assert moved[1] == pytest.approx(100 * moved[0], rel=1e-9)  # one full-batch SGD step: the move is η ∇
