"""The second adversarial pass (issue 19): each fault reproduced as it was found, and refused with a clear error.

Every test here failed before its fix. Memory, not seconds, bounds what must not blow up.
"""

from __future__ import annotations

import copy
import gzip
import http.server
import os
import pickle
import stat
import subprocess
import sys
import threading
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from micrograd_nptel import MLP, SGD, Adam, Network, Value, backward_steps, cross_entropy, datasets, draw_network, explain, files, render
from micrograd_nptel.datasets import IDX_FILES, load_mnist
from micrograd_nptel.optim import AdaGrad, UpdateOverflow
from micrograd_nptel.training import TrainingDiverged, fit


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "micrograd_nptel", *args], capture_output=True, text=True, timeout=300, env=env)


def one_line(result: subprocess.CompletedProcess[str], code: int) -> str:
    assert result.returncode == code, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


# ---------------------------------------------------------------------- 1, 10, 19: what the project writes
def test_1_save_never_replaces_a_device_or_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    mlp = MLP(2, [2], 2)
    for target in ("/dev/null", "/dev/full", str(fifo)):
        with pytest.raises(ValueError, match="not a regular file"):
            mlp.save(target)
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode) and stat.S_ISFIFO(os.stat(fifo).st_mode)
    line = one_line(run("train", "--epochs", "3", "--quiet", "--save", "/dev/null"), 2)
    assert "/dev/null" in line and "not a regular file" in line
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)  # still the device, not a file holding the model


def test_1_plot_targets_are_checked_before_training(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "training.png")
    line = one_line(run("train", "--epochs", "3", "--quiet", "--plot", str(tmp_path)), 2)
    assert "training.png" in line and "not a regular file" in line
    with pytest.raises(ValueError, match="not a regular file"):
        files.write_atomic(tmp_path / "training.png", b"png")


@pytest.mark.parametrize("option", ["--save", "--plot"])
def test_10_bad_output_names_are_refused_before_training(tmp_path: Path, option: str) -> None:
    long = str(tmp_path / ("m" * 300 + ".json"))
    line = one_line(run("train", "--epochs", "500", "--quiet", option, long), 2)
    assert "File name too long" in line and option in line
    assert "empty" in one_line(run("train", "--epochs", "500", "--quiet", option, ""), 2)
    assert not any(tmp_path.iterdir())  # the probe file was removed again


def test_10_the_api_checks_the_path_before_writing(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="empty"):
        MLP(2, [2], 2).save("")
    with pytest.raises(ValueError, match="File name too long"):
        MLP(2, [2], 2).save(tmp_path / ("m" * 300))
    with pytest.raises(TypeError, match="file name"):
        MLP(2, [2], 2).save(3)  # type: ignore[arg-type]


def test_19_an_interrupted_write_leaves_the_old_file_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "training.png"
    target.write_bytes(b"the good picture")

    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(files.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        files.write_atomic(target, b"half of a new pic")
    assert target.read_bytes() == b"the good picture" and [p.name for p in tmp_path.iterdir()] == ["training.png"]


def test_19_plots_are_written_atomically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("matplotlib")
    from micrograd_nptel.plots import plot_confusion_matrix

    written: list[str] = []
    real = files.write_atomic
    monkeypatch.setattr("micrograd_nptel.plots.write_atomic", lambda p, d, w="": (written.append(str(p)), real(p, d, w)))
    path = plot_confusion_matrix([[1, 0], [0, 1]], ["a", "b"], str(tmp_path))
    assert written == [path] and Path(path).read_bytes()[:4] == b"\x89PNG"


# ---------------------------------------------------------------------- 2, 4, 14: data files
def test_2_corrupt_gzip_is_a_value_error_naming_the_file(tmp_path: Path) -> None:
    from test_idx import write_set

    write_set(tmp_path)
    broken = tmp_path / (IDX_FILES[0] + ".gz")
    data = bytearray(broken.read_bytes())
    data[30:60] = b"\xff" * 30  # corrupt deflate data, valid gzip header
    broken.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=rf"{IDX_FILES[0]}.gz: cannot be read as gzip"):
        load_mnist(tmp_path)
    line = one_line(run("train", "--dataset", "mnist", "--data-dir", str(tmp_path), "--epochs", "1", "--quiet"), 1)
    assert IDX_FILES[0] in line


def test_4_a_gzip_bomb_is_refused_from_its_headers(tmp_path: Path) -> None:
    shapes = [(190_000, 28, 28), (190_000,), (190_000, 28, 28), (190_000,)]  # each under the 200 MB per-file cap
    for stem, dims in zip(IDX_FILES, shapes):
        head = (2051 if len(dims) == 3 else 2049).to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in dims)
        (tmp_path / (stem + ".gz")).write_bytes(gzip.compress(head + bytes(1000)))  # the data need not even be there
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=r"would take 2\.7 GB, over the 1\.0 GB limit"):
            load_mnist(tmp_path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000  # refused before anything was built (it was 3.56 GB)


def test_14_the_cache_folder_must_be_a_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "file").write_text("x")
    for where in (str(tmp_path / "file"), "/dev/null"):
        monkeypatch.setenv("MICROGRAD_NPTEL_DATA", where)
        with pytest.raises(ValueError, match=rf"MICROGRAD_NPTEL_DATA '{where}' is not a folder"):
            load_mnist()
    env = {**os.environ, "MICROGRAD_NPTEL_DATA": "/dev/null"}
    assert "is not a folder" in one_line(run("train", "--dataset", "mnist", "--epochs", "1", "--quiet", env=env), 1)


@pytest.fixture
def bad_server() -> Iterator[str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", "abc")
            self.end_headers()
            self.wfile.write(b"x" * 10)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_14_a_bad_content_length_names_the_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bad_server: str) -> None:
    monkeypatch.setenv("MICROGRAD_NPTEL_DATA", str(tmp_path))
    monkeypatch.setattr(datasets, "MNIST", {**datasets.MNIST, "url": bad_server})
    with pytest.raises(ValueError, match=rf"{bad_server}{IDX_FILES[0]}.gz: the server sent Content-Length 'abc'"):
        load_mnist()
    assert list((tmp_path / "mnist").iterdir()) == []  # nothing half-downloaded left behind


# ---------------------------------------------------------------------- 3: explain in linear time and memory
def peak_bytes(f: object) -> int:
    tracemalloc.start()
    try:
        f()  # type: ignore[operator]
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_3_a_long_chain_is_one_path_in_linear_memory() -> None:
    x = Value(0.5, label="x")
    v = x
    for _ in range(64_000):
        v = v.tanh()
    v.label = "L"
    d = explain(v, x)
    assert d.count == 1 and len(d.paths[0].factors) == 1  # unnamed steps folded into one factor
    assert peak_bytes(lambda: explain(v, x, through="all")) < 150_000_000  # 64k factors once, not 64k^2 / 2 copies


def test_3_a_huge_path_count_is_printed_as_a_power_of_ten() -> None:
    x = Value(0.5, label="x")
    v = x
    for _ in range(15_000):
        v = (v + v) * 0.5
    v.label = "L"
    v.backward()
    d = explain(v, x, through="all")
    assert d.count == 2**15_000 and 0 < len(d.paths) <= 1000
    assert sum(len(p.factors) for p in d.paths) <= 200_000 + 45_000  # MAX_FACTORS: the listing is bounded
    assert "about 10^4515 paths" in str(d) and abs(d.total - x.grad) < 1e-9
    assert peak_bytes(lambda: str(explain(v, x, through="all"))) < 400_000_000  # was 4 GB


def test_3_labelled_nodes_sharing_an_unnamed_chain_cost_its_length_once() -> None:
    x = Value(0.5, label="x")
    u, named = x, []
    for k in range(2_000):
        u = u.sin()
        w = u * 1.0
        w.label = f"l_{k}"
        named.append(w)
    root = Value.sum(named)
    root.label = "L"
    root.backward()
    d = explain(root, x)
    assert d.count == 2_000 and d.total == pytest.approx(x.grad, rel=1e-12)
    assert peak_bytes(lambda: explain(root, x)) < 50_000_000


# ---------------------------------------------------------------------- 5: the numpy backend builds no scalar network
def test_5_numpy_backend_sizes_out_of_reach_are_one_line() -> None:
    line = one_line(run("train", "--backend", "numpy", "--hidden", "100000,100000", "--epochs", "1", "--quiet"), 2)
    assert "needs about" in line and "GB" in line and "this machine has" in line


def test_5_the_network_is_built_directly_with_the_mlps_weights() -> None:
    for seed, init in ((0, "random"), (7, "xavier"), (3, "he")):
        direct = Network([5, 4, 3], activation="tanh", output="softmax", init=init, seed=seed)
        via = Network.from_mlp(MLP(5, [4], 3, activation="tanh", output="softmax", seed=seed, init=init))
        assert all(np.array_equal(direct.W[k], via.W[k]) and np.array_equal(direct.b[k], via.b[k]) for k in (1, 2))


def test_5_numpy_save_writes_what_mlp_load_reads(tmp_path: Path) -> None:
    net = Network([3, 4, 2], seed=2)
    net.save(tmp_path / "net.json")
    mlp = MLP.load(tmp_path / "net.json")
    assert all(np.array_equal(net.W[k], [[w.data for w in row] for row in mlp.layers[k - 1].W]) for k in (1, 2))


# ---------------------------------------------------------------------- 6, 7, 8, 11, 15: the optimizers
@pytest.mark.parametrize("engine", ["scalar", "numpy"])
@pytest.mark.parametrize("make", [lambda p: Adam(p, lr=0.1, eps=0.0), lambda p: AdaGrad(p, lr=0.1, eps=0.0)])
def test_6_eps_zero_with_a_zero_gradient_is_no_update_not_nan(engine: str, make: object) -> None:
    if engine == "scalar":
        w = [Value(1.0), Value(2.0)]
        w[0].grad, w[1].grad = 0.0, 0.5  # a blank pixel's weight: exactly 0
        make(w).step()  # type: ignore[operator]
        assert w[0].data == 1.0 and w[1].data < 2.0
    else:
        net = Network([2, 2], output="linear")
        net.parameters()[0].grad[...] = [[0.0, 0.5], [0.0, 0.0]]
        before = net.W[1].copy()
        make(net.parameters()).step()  # type: ignore[operator]
        assert np.isfinite(net.W[1]).all() and net.W[1][0, 0] == before[0, 0] and net.W[1][0, 1] < before[0, 1]


def test_7_an_optimizer_of_another_model_is_an_error() -> None:
    net, other = Network([2, 3, 2]), Network([2, 3, 2])
    X, y = np.zeros((4, 2)), np.array([0, 1, 0, 1])
    with pytest.raises(ValueError, match="are not this model's"):
        net.fit(X, y, optimizer=SGD(other.parameters(), lr=0.1))
    with pytest.raises(TypeError, match=r"must be an Optimizer .* got 'adam'"):
        net.fit(X, y, optimizer="adam")  # type: ignore[arg-type]
    mlp, mlp2 = MLP(2, [3], 2), MLP(2, [3], 2)
    with pytest.raises(ValueError, match="are not this model's"):
        fit(mlp, [[0.0, 1.0]], [1], optimizer=SGD(mlp2.parameters(), lr=0.1))
    frozen = [p.data for p in mlp.layers[0].parameters()]
    fit(mlp, [[0.0, 1.0]], [1], epochs=2, optimizer=SGD(mlp.layers[1].parameters(), lr=0.1))  # a subset: layer 1 frozen
    assert [p.data for p in mlp.layers[0].parameters()] == frozen


def test_11_a_failed_step_changes_nothing_in_either_engine() -> None:
    w = Value(1.0, label="w")
    w.grad = 1.0
    opt = SGD([w], lr=1e300)
    w.grad = 1e10
    with pytest.raises(UpdateOverflow, match="update of w overflowed"):
        opt.step()
    assert (w.data, opt.t) == (1.0, 0)
    adam = Adam([w], lr=1e300)
    w.grad = 1e300
    with pytest.raises(OverflowError):
        adam.step()  # v = (1 - β2) g² overflows
    assert (w.data, adam.t, adam.state) == (1.0, 0, [{}])
    net = Network([2, 2], output="linear")
    for p in net.parameters():
        p.grad[...] = 1.0
    before = [p.data.copy() for p in net.parameters()]
    big = Adam(net.parameters(), lr=1e300)
    net.parameters()[1].grad[...] = 1e300  # b_1: its v overflows, after W_1 was updated
    with pytest.raises(OverflowError, match="b_1"):
        big.step()
    assert all(np.array_equal(p.data, b) for p, b in zip(net.parameters(), before)) and big.t == 0 and big.state == [{}, {}]
    net.parameters()[1].grad[...] = 1.0
    big.lr = 0.1
    big.step()  # and the next step works from the state as it was
    assert big.t == 1 and np.isfinite(big.state[1]["v"]).all()


def test_15_a_weight_decay_overflow_names_lambda() -> None:
    mlp = MLP(2, [2], 2, seed=0)
    opt = SGD(mlp.parameters(), lr=0.1, weight_decay=1e308)
    for p in mlp.parameters():
        p.data = 10.0
    with pytest.raises(TrainingDiverged, match=r"weight-decay term λw .* overflowed \(λ = 1e\+308\).*--weight-decay 1e\+307"):
        fit(mlp, [[0.5, 1.0], [1.0, 0.0]], [0, 1], epochs=1, optimizer=opt)
    line = one_line(run("train", "--epochs", "2", "--quiet", "--weight-decay", "1e308"), 1)
    assert "weight decay" in line and "smaller learning rate" not in line


# ---------------------------------------------------------------------- 9, 17: the batched network's inputs
def test_9_empty_batches_are_value_errors() -> None:
    net = Network([4, 3, 2])
    empty, labels = np.zeros((0, 4)), np.zeros(0, dtype=int)
    for call in (net.backward, net.loss, net.accuracy, net.fit):
        with pytest.raises(ValueError, match="X is empty"):
            call(empty, labels)


def test_17_complex_and_none_inputs_are_type_errors() -> None:
    net = Network([2, 2])
    with pytest.raises(TypeError, match="complex numbers"):
        net.forward(np.array([[1 + 2j, 0.5]]))
    with pytest.raises(TypeError, match="None of type NoneType"):
        net.forward([[None, 0.5]])
    with pytest.raises(TypeError, match="'a' of type str"):
        net.forward([["a", 0.5]])


# ---------------------------------------------------------------------- 12 is in test_torch_bridge.py; 13, 16: names and types
def test_13_explain_outputs_and_the_loss_on_the_command_line() -> None:
    ok = run("explain", "ŷ_2")
    assert ok.returncode == 0 and ok.stdout.startswith("∂L/∂ŷ_2 = 0"), ok.stderr
    assert run("explain", "yhat_1").stdout.startswith("∂L/∂ŷ_1 =")
    assert "is the output itself" in one_line(run("explain", "L"), 2)
    assert "indices count from 1" in one_line(run("explain", "W_{0,0,0}"), 2)


def test_16_wrong_types_are_type_errors_and_mismatched_steps_value_errors() -> None:
    mlp = MLP(3, [3, 3], 2, seed=0)
    L = cross_entropy(mlp([1.0, 0.5, -1.5]), 0)
    L.backward()
    with pytest.raises(TypeError, match="highlight must be a name"):
        draw_network(mlp, highlight=5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="step must be a BackwardStep"):
        draw_network(mlp, step="x")  # type: ignore[arg-type]
    other = MLP(3, [3, 3], 2, seed=1)
    step = backward_steps(other, [1.0, 0.5, -1.5], 0)[0]
    with pytest.raises(ValueError, match="not of this network's last forward pass"):
        draw_network(mlp, step=step)
    x = Value(1.0, label="\ud800")
    with pytest.raises(ValueError, match=r"'\\ud800', which is not a character UTF-8 can encode"):
        from micrograd_nptel import draw_dot

        render(draw_dot(x * 2.0), "svg")
    with pytest.raises(OverflowError, match=r"2.0 \*\* 1100.0 overflows a float"):
        Value(2.0) ** 1100


# ---------------------------------------------------------------------- 18: copying and pickling at any depth
def test_18_pickle_and_deepcopy_a_100k_node_chain() -> None:
    x = Value(0.5, label="x")
    v = x
    for _ in range(100_000):
        v = (v * 1.0001).tanh()
    v.backward()
    for copied in (pickle.loads(pickle.dumps(v)), copy.deepcopy(v)):
        assert copied.data == v.data and copied is not v
        copied.backward()
    mlp = MLP(2, [3], 2, seed=0)
    again = copy.deepcopy(mlp)
    assert again.layers[0].W[0][0] is not mlp.layers[0].W[0][0] and again.state_dict() == mlp.state_dict()
    restored = pickle.loads(pickle.dumps(mlp))
    assert restored([1.0, 2.0])[0].data == mlp([1.0, 2.0])[0].data
