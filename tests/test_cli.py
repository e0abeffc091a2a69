"""The command line, end to end in subprocesses."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from micrograd_nptel import MLP


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "micrograd_nptel", *args], capture_output=True, text=True, timeout=300)


def test_train_defaults_end_to_end(tmp_path: Path) -> None:
    """The main job with its defaults: Iris, MLP(4, [4, 4], 3), logistic, softmax + cross-entropy."""
    path = tmp_path / "iris.json"
    result = run("train", "--save", str(path))
    assert result.returncode == 0, result.stderr
    m = re.search(r"train accuracy ([0-9.]+); test accuracy ([0-9.]+); ([0-9.]+) s per epoch", result.stdout)
    assert m, result.stdout
    assert float(m.group(2)) >= 0.93
    assert "MLP(4, [4, 4], 3, activation='logistic', output='softmax', seed=0)" in result.stdout
    assert "epoch" in result.stderr  # the progress bar
    assert MLP.load(path).hidden == [4, 4]


def test_train_options_moons_tanh_linear_output() -> None:
    result = run(
        "train",
        "--dataset",
        "moons",
        "--hidden",
        "8",
        "--activation",
        "tanh",
        "--output",
        "linear",
        "--epochs",
        "3",
        "--lr",
        "0.05",
        "--batch-size",
        "16",
        "--seed",
        "1",
        "--quiet",
    )
    assert result.returncode == 0, result.stderr
    assert "MLP(2, [8], 2, activation='tanh', output='linear', seed=1)" in result.stdout and result.stderr == ""


@pytest.mark.parametrize(
    "args",
    [
        ["train", "--epochs", "-3"],
        ["train", "--lr", "abc"],
        ["train", "--activation", "softplus"],
        ["train", "--optimizer", "lbfgs"],
        ["train", "--loss", "squared_error", "--output", "softmax"],
        ["train", "--momentum", "1.5"],
        ["train", "--hidden", "4,x"],
        ["fly"],
        [],
    ],
)
def test_bad_options_are_one_line_and_exit_2(args: list[str]) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "error:" in result.stderr, result.stderr


def test_failure_is_one_line_and_nonzero(tmp_path: Path) -> None:
    result = run("train", "--epochs", "500", "--quiet", "--save", str(tmp_path / "no" / "such" / "dir.json"))
    assert result.returncode == 2 and "final loss" not in result.stdout and result.stdout == ""  # refused before training
    assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith("micrograd-nptel train: error:")
    assert "no/such" in result.stderr and ".mlp-" not in result.stderr  # names the path, not a temp file
    diverged = run("train", "--epochs", "5", "--quiet", "--lr", "1000", "--activation", "linear", "--output", "linear")
    assert diverged.returncode == 1 and "training diverged at epoch 1" in diverged.stderr and "--lr 100" in diverged.stderr


def test_verify_refuses_a_network_too_large_in_one_line() -> None:
    result = run("verify", "--hidden", "100000,100000")
    assert result.returncode == 2, result.stderr
    line = result.stderr.strip()
    assert "\n" not in line and "needs about" in line and "to build and check" in line and "--hidden" in line
    assert "Traceback" not in result.stderr and "MemoryError" not in result.stderr
