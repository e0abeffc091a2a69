"""Files that are not what they claim (issue 34, items 8 and 9): a TOML file nested 1,000 deep is one ValueError naming
the file; a large file that is no saved model is refused from its first 64 KiB, before it is parsed (a 24 MB JSON
list cost 221 MB and a 100 MB one 918 MB under tracemalloc before), and a saved model rewritten with sorted keys and
indentation still loads."""

from __future__ import annotations

import json
import subprocess
import sys
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from micrograd_nptel import MLP, exercises
from micrograd_nptel.batched import Network
from micrograd_nptel.nn import HEAD_BYTES


@pytest.mark.parametrize(
    "text",
    [
        "a = " + "[" * 1000 + "]" * 1000 + "\n",
        "a = " + "{b = " * 1000 + "1" + "}" * 1000 + "\n",
        "[[exercise]]\nname = 'x'\nsizes = " + "[" * 1000 + "]" * 1000 + "\n",
    ],
)
def test_a_toml_file_nested_1000_deep_is_one_clear_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "deep.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=r"deep.toml: arrays or inline tables nested too deeply to read"):
        exercises.load(path)  # was a RecursionError traceback
    cli = subprocess.run(
        [sys.executable, "-m", "micrograd_nptel", "exercise", "--file", str(path)], capture_output=True, text=True, timeout=300
    )
    assert cli.returncode == 2 and cli.stderr.count("\n") == 1 and "deep.toml" in cli.stderr and "Traceback" not in cli.stderr


def peak_while(f: Callable[[], object]) -> int:
    """The most memory Python allocated while ``f`` ran (bytes, tracemalloc)."""
    tracemalloc.start()
    try:
        f()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


def refused(load: Callable[[Path], object], path: Path, match: str) -> Callable[[], None]:
    def run() -> None:
        with pytest.raises(ValueError, match=match):
            load(path)

    return run


@pytest.mark.parametrize("load", [MLP.load, Network.load], ids=["MLP", "Network"])
def test_a_large_file_that_is_no_model_is_refused_before_it_is_parsed(tmp_path: Path, load: Callable[[Path], object]) -> None:
    listing = tmp_path / "numbers.json"
    listing.write_text("[" + "0.5," * (6 * 2**20 - 1) + "0.5]", encoding="ascii")  # 24 MB of JSON: 221 MB to parse before
    assert listing.stat().st_size > 24_000_000
    no_marker = r"numbers.json' is not a saved micrograd_nptel MLP \(no \"format\": \"micrograd_nptel.MLP\" in its first 65,536 bytes\)"
    assert peak_while(refused(load, listing, no_marker)) < 1_000_000
    # a model's head (a 2-2 network: 6 numbers) in front of 10 MB of anything: the config says how large it may be
    padded = tmp_path / "padded.json"
    config = {"nin": 2, "hidden": [], "nout": 2, "activation": "logistic", "output": "softmax", "seed": 0, "init": "random"}
    head = json.dumps({"format": "micrograd_nptel.MLP", "version": 1, "config": config})[:-1]
    padded.write_text(head + ', "junk": [' + "1," * 5_000_000 + '1], "state_dict": {"W1": [[1, 2], [3, 4]], "b1": [0, 0]}}')
    too_large = r"padded.json' is 10,000,\d+ bytes, more than a saved MLP of sizes \[2, 2\] takes \(6 numbers: at most 65,920 bytes\)"
    assert peak_while(refused(load, padded, too_large)) < 1_000_000
    no_config = tmp_path / "no_config.json"
    no_config.write_text('{"format": "micrograd_nptel.MLP", "junk": [' + "1," * 50_000 + "1]}")
    refused(load, no_config, r"no_config.json' is not a saved micrograd_nptel MLP \(no config in its first 65,536 bytes\)")()


def test_a_saved_model_rewritten_with_sorted_keys_and_indentation_still_loads(tmp_path: Path) -> None:
    mlp = MLP(64, [64], 10, seed=3)
    path = tmp_path / "model.json"
    mlp.save(path)
    assert path.stat().st_size > HEAD_BYTES  # so the head is what is checked first
    rewritten = tmp_path / "rewritten.json"
    rewritten.write_text(json.dumps(json.loads(path.read_text()), indent=8, sort_keys=True))
    assert rewritten.stat().st_size > 2.5 * path.stat().st_size  # 54 bytes a number: within BYTES_PER_NUMBER
    assert MLP.load(rewritten).state_dict() == mlp.state_dict()
    net = Network.load(rewritten)
    assert net.W[1].tolist() == mlp.state_dict()["W1"] and net.b[2].tolist() == mlp.state_dict()["b2"]
