"""MNIST-style IDX files: the reader on files made here (well-formed and broken), the cache and the download, the CLI."""

from __future__ import annotations

import gzip
import hashlib
import http.server
import os
import re
import subprocess
import sys
import threading
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from cli_run import one_line, run_cli

from micrograd_nptel import datasets
from micrograd_nptel.datasets import IDX_FILES, load_fashion_mnist, load_mnist, read_idx


def idx_bytes(array: np.ndarray) -> bytes:
    magic = 2051 if array.ndim == 3 else 2049
    return magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in array.shape) + array.astype(np.uint8).tobytes()


def write_set(folder: Path, n_train: int = 50, n_test: int = 20, gz: bool = True, seed: int = 0) -> dict[str, np.ndarray]:
    """Four small IDX files shaped like MNIST's (7x7 images here), gzipped as published or plain."""
    rng = np.random.default_rng(seed)
    arrays = {
        IDX_FILES[0]: rng.integers(0, 256, (n_train, 7, 7)),
        IDX_FILES[1]: rng.integers(0, 10, n_train),
        IDX_FILES[2]: rng.integers(0, 256, (n_test, 7, 7)),
        IDX_FILES[3]: rng.integers(0, 10, n_test),
    }
    folder.mkdir(parents=True, exist_ok=True)
    for stem, array in arrays.items():
        data = idx_bytes(array)
        (folder / (stem + (".gz" if gz else ""))).write_bytes(gzip.compress(data) if gz else data)
    return arrays


@pytest.mark.parametrize("gz", [True, False])
def test_a_well_formed_set_loads_scaled_to_one(tmp_path: Path, gz: bool) -> None:
    arrays = write_set(tmp_path, gz=gz)
    data = load_mnist(tmp_path)
    assert data.X_train.shape == (50, 49) and data.X_test.shape == (20, 49)
    assert np.array_equal(data.X_train, arrays[IDX_FILES[0]].reshape(50, 49) / 255.0)
    assert data.y_test.tolist() == arrays[IDX_FILES[3]].tolist() and data.class_names == tuple("0123456789")
    assert 0.0 <= data.X_train.min() and data.X_train.max() <= 1.0
    assert load_fashion_mnist(tmp_path).class_names[0] == "T-shirt/top"


def test_broken_files_are_named(tmp_path: Path) -> None:
    images = np.zeros((4, 3, 3), dtype=np.uint8)
    good = idx_bytes(images)
    cases = {
        "bad-magic": (b"\x00\x00\x08\x04" + good[4:], "bad magic number 0x00000804"),
        "truncated": (good[:-5], "truncated: the header promises 36 bytes"),
        "trailing": (good + b"\x00", "has data after the 36 bytes"),
        "short": (b"\x00\x00", "too short to be an IDX file"),
        "huge": (b"\x00\x00\x08\x03" + (10**6).to_bytes(4, "big") * 3, "implausible sizes"),
        "zero": (b"\x00\x00\x08\x01" + (0).to_bytes(4, "big"), "implausible sizes"),
    }
    for name, (content, message) in cases.items():
        path = tmp_path / f"{name}-idx3-ubyte"
        path.write_bytes(content)
        with pytest.raises(ValueError, match=re.escape(message)) as info:
            read_idx(path)
        assert str(path) in str(info.value)
    not_gzip = tmp_path / "fake.gz"
    not_gzip.write_bytes(good)
    with pytest.raises(ValueError, match=r"fake.gz: cannot be read as gzip"):
        read_idx(not_gzip)


def test_images_and_labels_must_agree(tmp_path: Path) -> None:
    write_set(tmp_path)
    (tmp_path / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx_bytes(np.zeros(49, dtype=np.uint8))))
    with pytest.raises(ValueError, match=r"train-images-idx3-ubyte.gz has 50 images but .*train-labels-idx1-ubyte.gz has 49 labels"):
        load_mnist(tmp_path)
    (tmp_path / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx_bytes(np.full(50, 12, dtype=np.uint8))))
    with pytest.raises(ValueError, match=r"train-labels-idx1-ubyte.gz has a label 12"):
        load_mnist(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(ValueError, match=r"has no t10k-labels-idx1-ubyte.gz"):
        load_mnist(tmp_path)
    with pytest.raises(ValueError, match="is not a folder"):
        load_mnist(tmp_path / "nowhere")


def test_download_checks_sha256_caches_and_explains_offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "server"
    write_set(source)
    sums = {f + ".gz": hashlib.sha256((source / (f + ".gz")).read_bytes()).hexdigest() for f in IDX_FILES}
    spec = {"url": source.as_uri() + "/", "sha256": sums, "classes": tuple("0123456789")}
    monkeypatch.setattr(datasets, "MNIST", spec)
    monkeypatch.setenv("MICROGRAD_NPTEL_DATA", str(tmp_path / "cache"))
    data = load_mnist()  # downloads the four files into the cache (file:// URLs stand in for the network)
    assert data.X_train.shape == (50, 49) and sorted(p.name for p in (tmp_path / "cache" / "mnist").iterdir()) == sorted(sums)
    for f in source.iterdir():
        f.unlink()
    assert load_mnist().X_test.shape == (20, 49)  # from the cache now, nothing fetched
    monkeypatch.setenv("MICROGRAD_NPTEL_DATA", str(tmp_path / "other"))
    monkeypatch.setattr(datasets, "MNIST", {**spec, "url": "http://127.0.0.1:9/"})  # nothing listens there: "offline"
    with pytest.raises(
        ValueError,
        match=r"cannot download mnist .* put the four files \(train-images-idx3-ubyte.gz, .*\) in .*other/mnist, or read them from "
        r"another folder: --data-dir FOLDER on the command line, path=FOLDER in Python",
    ):
        load_mnist()
    write_set(source)
    monkeypatch.setattr(datasets, "MNIST", {**spec, "sha256": {**sums, IDX_FILES[0] + ".gz": "0" * 64}})
    with pytest.raises(ValueError, match="does not have the official sha256"):
        load_mnist()
    assert not (tmp_path / "other" / "mnist" / (IDX_FILES[0] + ".gz")).exists()  # a bad download is not kept


def test_the_official_checksums_are_recorded() -> None:
    for spec in (datasets.MNIST, datasets.FASHION_MNIST):
        assert set(spec["sha256"]) == {f + ".gz" for f in IDX_FILES}  # type: ignore[call-overload]
        assert all(re.fullmatch(r"[0-9a-f]{64}", s) for s in spec["sha256"].values())  # type: ignore[attr-defined]


def test_train_on_idx_files_from_data_dir(tmp_path: Path) -> None:
    write_set(tmp_path / "fashion", n_train=200, n_test=50)
    done = subprocess.run(
        [sys.executable, "-m", "micrograd_nptel", "train", "--dataset", "fashion-mnist", "--data-dir", str(tmp_path / "fashion"),
         "--epochs", "2", "--hidden", "8", "--quiet"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "fashion-mnist: 200 train / 50 test examples, 49 features, 10 classes" in done.stdout and "numpy backend" in done.stdout
    assert "Ankle boot" in done.stdout  # the confusion matrix names the classes
    bad = subprocess.run(
        [sys.executable, "-m", "micrograd_nptel", "train", "--dataset", "mnist", "--data-dir", str(tmp_path / "none"), "--quiet"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert bad.returncode == 1 and len(bad.stderr.strip().splitlines()) == 1 and "is not a folder" in bad.stderr


def test_train_plot_writes_the_pictures(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib", reason="--plot needs matplotlib (the plot extra; the test extra installs it)")
    done = subprocess.run(
        [sys.executable, "-m", "micrograd_nptel", "train", "--dataset", "digits", "--backend", "numpy", "--optimizer", "adam",
         "--plot", str(tmp_path / "plots"), "--quiet"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    for name in ("training.png", "confusion_matrix.png"):
        data = (tmp_path / "plots" / name).read_bytes()
        assert data[:4] == b"\x89PNG" and int.from_bytes(data[16:20], "big") >= 1000  # wide enough for a projector


def test_corrupt_gzip_is_a_value_error_naming_the_file(tmp_path: Path) -> None:
    from test_idx import write_set

    write_set(tmp_path)
    broken = tmp_path / (IDX_FILES[0] + ".gz")
    data = bytearray(broken.read_bytes())
    data[30:60] = b"\xff" * 30  # corrupt deflate data, valid gzip header
    broken.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=rf"{IDX_FILES[0]}.gz: cannot be read as gzip"):
        load_mnist(tmp_path)
    line = one_line(run_cli("train", "--dataset", "mnist", "--data-dir", str(tmp_path), "--epochs", "1", "--quiet"), 1)
    assert IDX_FILES[0] in line


def test_a_gzip_bomb_is_refused_from_its_headers(tmp_path: Path) -> None:
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


def test_the_cache_folder_must_be_a_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "file").write_text("x")
    for where in (str(tmp_path / "file"), "/dev/null"):
        monkeypatch.setenv("MICROGRAD_NPTEL_DATA", where)
        with pytest.raises(ValueError, match=rf"MICROGRAD_NPTEL_DATA '{where}' is not a folder"):
            load_mnist()
    env = {**os.environ, "MICROGRAD_NPTEL_DATA": "/dev/null"}
    assert "is not a folder" in one_line(run_cli("train", "--dataset", "mnist", "--epochs", "1", "--quiet", env=env), 1)


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


def test_a_bad_content_length_names_the_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bad_server: str) -> None:
    monkeypatch.setenv("MICROGRAD_NPTEL_DATA", str(tmp_path))
    monkeypatch.setattr(datasets, "MNIST", {**datasets.MNIST, "url": bad_server})
    with pytest.raises(ValueError, match=rf"{bad_server}{IDX_FILES[0]}.gz: the server sent Content-Length 'abc'"):
        load_mnist()
    assert list((tmp_path / "mnist").iterdir()) == []  # nothing half-downloaded left behind
