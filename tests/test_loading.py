"""Reading files: anything that is not a regular file is refused before a byte is read; a model file is checked
before the network is built, and a failed load changes nothing."""

from __future__ import annotations

import gzip
import json
import os
import random
import threading
import tracemalloc
from pathlib import Path

import pytest

from micrograd_nptel import MLP, exercises
from micrograd_nptel.batched import Network
from micrograd_nptel.datasets import idx_shape, read_idx
from micrograd_nptel.exercises.grading import read_answers
from micrograd_nptel.files import check_input_file


def _fifo(tmp_path: Path) -> Path:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this platform")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    return fifo


def _no_block(fn: object, *args: object) -> BaseException | None:
    """Run ``fn(*args)`` in a thread; fail if it is still running after 5 s (it would block forever)."""
    out: list[BaseException | None] = []

    def run() -> None:
        try:
            fn(*args)  # type: ignore[operator]
            out.append(None)
        except BaseException as e:  # handed back to the test
            out.append(e)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(5)
    assert out, f"{fn} blocked on a FIFO"
    return out[0]


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_mlp_load_refuses_a_device_before_reading() -> None:
    with pytest.raises(ValueError, match=r"/dev/zero.*not a regular file"):
        MLP.load("/dev/zero")


def test_mlp_load_refuses_a_fifo_without_blocking(tmp_path: Path) -> None:
    e = _no_block(MLP.load, _fifo(tmp_path))
    assert isinstance(e, ValueError) and "not a regular file" in str(e)


def test_mlp_load_refuses_a_folder(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="is a folder"):
        MLP.load(tmp_path)


def test_mlp_load_missing_file_is_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        MLP.load(tmp_path / "nope.json")


@pytest.mark.parametrize("reader", [read_idx, idx_shape])
def test_idx_readers_refuse_a_fifo_without_blocking(tmp_path: Path, reader: object) -> None:
    e = _no_block(reader, _fifo(tmp_path))
    assert isinstance(e, ValueError) and "not a regular file" in str(e)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_idx_reader_refuses_a_device() -> None:
    with pytest.raises(ValueError, match="not a regular file"):
        read_idx("/dev/zero")


READERS = {
    "MLP.load": MLP.load,
    "Network.load": Network.load,
    "read_idx": read_idx,
    "idx_shape": idx_shape,
    "read_answers (CSV)": read_answers,
    "exercises.load (TOML)": exercises.load,
}


@pytest.mark.parametrize("reader", sorted(READERS))
def test_every_reader_refuses_a_fifo_and_a_device_before_reading(tmp_path: Path, reader: str) -> None:
    e = _no_block(READERS[reader], _fifo(tmp_path))
    assert isinstance(e, ValueError) and "not a regular file" in str(e), e
    if os.path.exists("/dev/zero"):
        e = _no_block(READERS[reader], "/dev/zero")  # read to the end, it would fill the memory
        assert isinstance(e, ValueError) and "/dev/zero" in str(e) and "not a regular file" in str(e), e


def test_check_input_file_accepts_a_regular_file_and_a_symlink_to_one(tmp_path: Path) -> None:
    f = tmp_path / "a.gz"
    f.write_bytes(gzip.compress(b"x"))
    assert check_input_file(f) == os.fspath(f)
    link = tmp_path / "link"
    link.symlink_to(f)
    assert check_input_file(link) == os.fspath(link)


def _saved(tmp_path: Path) -> dict[str, object]:
    path = tmp_path / "m.json"
    MLP(2, [2], 2, seed=0).save(path)
    doc: dict[str, object] = json.loads(path.read_text())
    return doc


def test_model_with_a_5000_digit_number_is_a_value_error_naming_the_file(tmp_path: Path) -> None:
    doc = _saved(tmp_path)
    text = json.dumps(doc).replace('"seed": 0', '"seed": ' + "9" * 5000)
    bad = tmp_path / "huge.json"
    bad.write_text(text)
    with pytest.raises(ValueError, match=r"huge\.json.*number too long"):
        MLP.load(bad)


@pytest.mark.parametrize("version", [9, "1", 1.0, None, True])
def test_model_of_an_unknown_version_is_refused_naming_the_versions_read(tmp_path: Path, version: object) -> None:
    doc = _saved(tmp_path)
    doc["version"] = version
    bad = tmp_path / "v.json"
    bad.write_text(json.dumps(doc))
    with pytest.raises(ValueError, match=r"v\.json.*version.*reads version 1"):
        MLP.load(bad)


def test_model_of_version_1_loads(tmp_path: Path) -> None:
    doc = _saved(tmp_path)
    assert doc["version"] == 1
    good = tmp_path / "g.json"
    good.write_text(json.dumps(doc))
    assert MLP.load(good).nin == 2


def test_save_refuses_non_finite_parameters_and_random_seeds_save(tmp_path: Path) -> None:
    mlp = MLP(2, [2], 2)
    mlp.layers[0].W[0][0].data = float("nan")
    with pytest.raises(ValueError, match=r"not saving: parameter W_\{1,1,1\} is nan"):
        mlp.save(tmp_path / "m.json")
    assert not (tmp_path / "m.json").exists()
    seeded = MLP(2, [2], 2, seed=random.Random(0))
    seeded.save(tmp_path / "r.json")
    assert MLP.load(tmp_path / "r.json").state_dict() == seeded.state_dict()


def test_a_failed_load_leaves_the_model_untouched() -> None:
    mlp = MLP(2, [2], 2, seed=3)
    before = mlp.state_dict()
    state = json.loads(json.dumps(before))
    state["W1"][0][0] = 123.0
    state["b2"][1] = "x"
    with pytest.raises(TypeError, match=r"b_\{2,2\}"):
        mlp.load_state_dict(state)
    assert mlp.state_dict() == before


def test_load_checks_the_file_before_building_the_network(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    config = {"nin": 1000, "hidden": [1000, 1000], "nout": 1000, "activation": "logistic", "output": "softmax", "seed": 0}
    path.write_text(json.dumps({"format": "micrograd_nptel.MLP", "version": 1, "config": config, "state_dict": {}}))
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="does not hold a valid MLP: state_dict keys"):
            MLP.load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000  # bytes: the network is never built (230 MB before)
    for name, content, match in (
        ("deep.json", "[" * 30_000 + "]" * 30_000, "nested too deeply"),  # small: parsed; a larger one is refused unread
        ("binary.json", b"\xff\xfe\x00\x01", "not a text"),
        ("huge.json", json.dumps({"format": "micrograd_nptel.MLP", "config": {**config, "nin": 10**400}, "state_dict": {}}), "valid MLP"),
    ):
        bad = tmp_path / name
        bad.write_bytes(content if isinstance(content, bytes) else content.encode())
        with pytest.raises(ValueError, match=match) as info:
            MLP.load(bad)
        assert name in str(info.value)
