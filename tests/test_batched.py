"""The batched numpy network against the scalar engine, its inputs, memory and files, and training on the digits
with both backends."""

from __future__ import annotations

import re
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from cli_run import one_line, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from micrograd_nptel import MLP, Value, load_digits
from micrograd_nptel.batched import Network
from micrograd_nptel.optim import Adam
from micrograd_nptel.training import confusion_matrix, example_loss, fit, format_confusion_matrix


def engine_mean_gradients(mlp: MLP, X: np.ndarray, y: np.ndarray) -> tuple[dict[int, np.ndarray], dict[int, np.ndarray], float]:
    """The scalar engine's gradient of the batch's mean loss: the mean of its per-example gradients."""
    mlp.zero_grad()
    losses = [example_loss(mlp, [float(v) for v in x], int(label))[0] for x, label in zip(X, y)]
    L = Value.sum(losses) * (1.0 / len(losses))
    L.backward()
    W = {layer.index: np.array([[w.grad for w in row] for row in layer.W]) for layer in mlp.layers}
    b = {layer.index: np.array([v.grad for v in layer.b]) for layer in mlp.layers}
    return W, b, L.data


@settings(max_examples=60, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 5), min_size=2, max_size=4),
    g=st.sampled_from(["logistic", "tanh", "relu", "linear"]),
    output=st.sampled_from(["softmax", "linear"]),
    init=st.sampled_from(["random", "xavier", "he"]),
    B=st.integers(1, 7),
    seed=st.integers(0, 1000),
)
def test_batched_gradients_equal_the_engines_mean_gradients(sizes: list[int], g: str, output: str, init: str, B: int, seed: int) -> None:
    if output == "softmax":
        sizes[-1] = max(2, sizes[-1])
    net = Network(sizes, activation=g, output=output, init=init, seed=seed)
    mlp = net.to_mlp()
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(B, sizes[0]))
    y = rng.integers(0, sizes[-1], B)
    grads = net.backward(X, y)
    W, b, loss = engine_mean_gradients(mlp, X, y)
    assert grads.loss == pytest.approx(loss, rel=1e-12, abs=1e-12)
    for k in W:
        assert np.abs(grads.W[k] - W[k]).max() <= 1e-12 and np.abs(grads.b[k] - b[k]).max() <= 1e-12
        assert grads.W[k].shape == net.W[k].shape == (sizes[k], sizes[k - 1])
    assert np.allclose(net.forward(X), np.array([[v.data for v in mlp(list(x))] for x in X]), atol=1e-13, rtol=0)


def test_the_same_weights_both_ways_and_the_same_training() -> None:
    mlp = MLP(4, [5, 3], 3, activation="tanh", seed=7, init="xavier")
    net = Network.from_mlp(mlp)
    assert Network([4, 5, 3, 3], activation="tanh", seed=7, init="xavier").W[2].tolist() == net.W[2].tolist()  # one initialisation
    back = net.to_mlp()
    assert back.state_dict() == mlp.state_dict() and (back.activation, back.output, back.init) == ("tanh", "softmax", "xavier")
    data = load_digits()
    X = np.array(data.X[:120])[:, :4] / 16.0
    y = np.array(data.y[:120]) % 3
    fit(mlp, X.tolist(), y.tolist(), epochs=3, batch_size=16, optimizer=Adam(mlp.parameters(), 0.01))
    net.fit(X, y, epochs=3, batch_size=16, optimizer=Adam(net.parameters(), 0.01))
    for layer in mlp.layers:  # the same batches, the same rule: the same weights after training
        assert np.abs(np.array([[w.data for w in row] for row in layer.W]) - net.W[layer.index]).max() < 1e-12


def test_shapes_are_checked_with_errors_that_name_them() -> None:
    net = Network([3, 4, 2])
    with pytest.raises(ValueError, match=r"X must have shape \(B, 3\) .* got \(5, 4\)"):
        net.forward(np.zeros((5, 4)))
    with pytest.raises(ValueError, match=r"y must be 5 int class labels .* got shape \(4,\)"):
        net.backward(np.zeros((5, 3)), np.zeros(4, dtype=int))
    with pytest.raises(ValueError, match=r"labels must be in \[0, 2\)"):
        net.backward(np.zeros((2, 3)), np.array([0, 2]))
    with pytest.raises(ValueError, match="NaN or infinite"):
        net.forward(np.full((1, 3), np.nan))
    with pytest.raises(ValueError, match="softmax over k = 1"):
        Network([3, 1])
    with pytest.raises(ValueError, match="at least the inputs and the outputs"):
        Network([3])
    with pytest.raises(TypeError, match="from_mlp needs an MLP"):
        Network.from_mlp(net)  # type: ignore[arg-type]
    linear = Network([3, 2], output="linear")
    targets = np.array([[0.5, -1.0]])
    assert linear.backward(np.ones((1, 3)), targets).loss == pytest.approx(float(((linear.forward(np.ones((1, 3))) - targets) ** 2).sum()))


def test_load_digits_is_the_uci_set() -> None:
    data = load_digits()
    assert len(data.X) == 1797 and all(len(row) == 64 for row in data.X)
    assert np.bincount(data.y).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    values = np.array(data.X)
    assert values.min() == 0.0 and values.max() == 16.0 and np.all(values == np.round(values))
    assert data.class_names == tuple("0123456789")


def test_confusion_matrix() -> None:
    m = confusion_matrix([0, 1, 2, 2, np.int64(1)], [0, 2, 2, 1, 1], 3)
    assert m == [[1, 0, 0], [0, 1, 1], [0, 1, 1]] and sum(map(sum, m)) == 5
    text = format_confusion_matrix(m, ("a", "b", "c"))
    assert "columns: predicted" in text and "rows: true class" in text
    with pytest.raises(ValueError, match="3 true labels but 2 predictions"):
        confusion_matrix([0, 1, 1], [0, 1], 2)
    with pytest.raises(ValueError, match="out of range"):
        confusion_matrix([0, 3], [0, 1], 3)


def train(*args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "micrograd_nptel", "train", *args], capture_output=True, text=True, timeout=600)
    return done, time.perf_counter() - start


def test_train_digits_with_the_numpy_backend_and_adam() -> None:
    done, seconds = train("--backend", "numpy", "--dataset", "digits", "--optimizer", "adam", "--quiet")
    assert done.returncode == 0, done.stderr
    test_acc = float(re.search(r"test accuracy ([0-9.]+)", done.stdout).group(1))  # type: ignore[union-attr]
    assert test_acc >= 0.95 and seconds < 30, (test_acc, seconds)
    assert "test confusion matrix:" in done.stdout and "(columns: predicted)" in done.stdout


def test_train_digits_with_the_scalar_engine() -> None:
    done, _ = train("--dataset", "digits", "--optimizer", "adam", "--quiet")
    assert done.returncode == 0, done.stderr
    assert float(re.search(r"test accuracy ([0-9.]+)", done.stdout).group(1)) >= 0.93  # type: ignore[union-attr]


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "nag", "adagrad", "rmsprop", "adam", "nadam"])
def test_every_optimizer_and_option_trains_from_the_command_line(optimizer: str) -> None:
    done, _ = train(
        "--backend", "numpy", "--dataset", "iris", "--optimizer", optimizer, "--init", "he", "--activation", "relu",
        "--weight-decay", "1e-4", "--epochs", "100", "--quiet",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert float(re.search(r"test accuracy ([0-9.]+)", done.stdout).group(1)) >= 0.8  # type: ignore[union-attr]


def test_the_assignments_names_for_loss_and_activation() -> None:
    squared, _ = train(
        "--dataset", "moons", "--loss", "squared_error", "--activation", "identity", "--lr", "0.01", "--epochs", "2", "--quiet"
    )
    assert squared.returncode == 0, squared.stderr
    assert "output='linear'" in squared.stdout and "activation='linear'" in squared.stdout


def extra_bytes(f: object) -> int:
    """The most memory ``f()`` held at once beyond what existed before it (tracemalloc's peak)."""
    tracemalloc.start()
    try:
        f()  # type: ignore[operator]
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_fit_and_accuracy_use_a_float64_x_as_it_is() -> None:
    rng = np.random.default_rng(0)
    X, y = rng.random((10_000, 784)), rng.integers(0, 10, 10_000)  # 63 MB, C-contiguous float64
    net = Network([784, 128, 128, 10], seed=0)
    opt = Adam(net.parameters(), lr=1e-3)
    for call in (lambda: net.accuracy(X, y), lambda: net.fit(X, y, epochs=1, batch_size=64, optimizer=opt)):
        assert extra_bytes(call) < 0.3 * X.nbytes  # within 1.3x the data (was 4.2x for accuracy, 2.1x for fit)
    assert 0.0 <= net.accuracy(X[:100].astype(np.float32), y[:100]) <= 1.0  # other dtypes still work (converted)
    assert net.accuracy(X[:, ::-1].copy()[:, ::-1], y) == net.accuracy(X, y)  # and non-contiguous views


def test_network_load_reads_what_network_save_and_mlp_save_write(tmp_path: Path) -> None:
    net = Network([3, 4, 2], activation="tanh", init="xavier", seed=2)
    net.W[1][0, 0] = 0.1 + 0.2  # a float that only repr round-trips
    net.save(tmp_path / "net.json")
    again = Network.load(tmp_path / "net.json")
    assert repr(again) == repr(net)
    assert all(np.array_equal(again.W[k], net.W[k]) and np.array_equal(again.b[k], net.b[k]) for k in (1, 2))
    mlp = MLP(2, [3], 2, output="linear", seed=5)
    mlp.save(tmp_path / "mlp.json")
    from_mlp = Network.load(tmp_path / "mlp.json")
    assert np.array_equal(from_mlp.forward([[0.5, -1.0]]), Network.from_mlp(mlp).forward([[0.5, -1.0]]))
    (tmp_path / "bad.json").write_text('{"format": "micrograd_nptel.MLP", "version": 9, "config": {}, "state_dict": {}}')
    with pytest.raises(ValueError, match=r"bad\.json' has format version 9"):
        Network.load(tmp_path / "bad.json")


def test_numpy_backend_sizes_out_of_reach_are_one_line() -> None:
    line = one_line(run_cli("train", "--backend", "numpy", "--hidden", "100000,100000", "--epochs", "1", "--quiet"), 2)
    assert "needs about" in line and "GB" in line and "this machine has" in line


def test_the_network_is_built_directly_with_the_mlps_weights() -> None:
    for seed, init in ((0, "random"), (7, "xavier"), (3, "he")):
        direct = Network([5, 4, 3], activation="tanh", output="softmax", init=init, seed=seed)
        via = Network.from_mlp(MLP(5, [4], 3, activation="tanh", output="softmax", seed=seed, init=init))
        assert all(np.array_equal(direct.W[k], via.W[k]) and np.array_equal(direct.b[k], via.b[k]) for k in (1, 2))


def test_numpy_save_writes_what_mlp_load_reads(tmp_path: Path) -> None:
    net = Network([3, 4, 2], seed=2)
    net.save(tmp_path / "net.json")
    mlp = MLP.load(tmp_path / "net.json")
    assert all(np.array_equal(net.W[k], [[w.data for w in row] for row in mlp.layers[k - 1].W]) for k in (1, 2))


def test_empty_batches_are_value_errors() -> None:
    net = Network([4, 3, 2])
    empty, labels = np.zeros((0, 4)), np.zeros(0, dtype=int)
    for call in (net.backward, net.loss, net.accuracy, net.fit):
        with pytest.raises(ValueError, match="X is empty"):
            call(empty, labels)


def test_complex_and_none_inputs_are_type_errors() -> None:
    net = Network([2, 2])
    with pytest.raises(TypeError, match="complex numbers"):
        net.forward(np.array([[1 + 2j, 0.5]]))
    with pytest.raises(TypeError, match="None of type NoneType"):
        net.forward([[None, 0.5]])
    with pytest.raises(TypeError, match="'a' of type str"):
        net.forward([["a", 0.5]])
