"""Output on a console that is not UTF-8 (issue 34, item 13): a redirected Windows console writes cp1252, which has no
∂, ∇ or ŷ; every command must still print, in the ASCII notation answers are typed in."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from micrograd_nptel._console import ascii_notation


def run_cp1252(*args: str) -> tuple[int, str, str]:
    """``python -m micrograd_nptel ARGS`` with PYTHONIOENCODING=cp1252: its status, stdout and stderr (decoded as cp1252)."""
    env = {**os.environ, "PYTHONIOENCODING": "cp1252"}
    done = subprocess.run([sys.executable, "-m", "micrograd_nptel", *args], capture_output=True, timeout=300, env=env)
    return done.returncode, done.stdout.decode("cp1252"), done.stderr.decode("cp1252")


def test_explain_writes_the_ascii_notation() -> None:
    status, out, err = run_cp1252("explain", "W_111")
    assert status == 0, err
    assert out.startswith("dL/dW_{1,1,1} = -0.0108060"), out[:200]
    assert "dL/dyhat" in out and "\\u" not in out


@pytest.mark.parametrize(
    "args, status, expected",
    [
        (("exercise",), 0, "grad_yhat L for L = -log yhat_l"),
        (("exercise", "4.2-update"), 0, "W_1 <- W_1 - eta"),
        (("exercise", "4.7-weights", "--answer", "h_1 @ grad_a_2^T"), 1, "so it is grad_a_2 h_1^T"),
        (("train", "--help"), 0, "yhat = O(a_L)"),
    ],
)
def test_commands_print_on_a_cp1252_console(args: tuple[str, ...], status: int, expected: str) -> None:
    code, out, err = run_cp1252(*args)
    assert code == status, err
    assert expected in out, out[:2000]


def test_a_cp1252_error_line_is_one_line_in_ascii() -> None:
    code, out, err = run_cp1252("exercise", "4.6-hidden", "--answer", "grad_h_2")
    assert code == 2 and out == ""
    assert err.strip() == (
        "micrograd-nptel exercise: error: 'grad_h_2' is grad_h_2: that is the quantity asked for; "
        "write it with W_3, grad_a_3 at position 1: >>grad_h_2"
    )


def test_training_prints_its_progress_on_cp1252() -> None:
    code, out, err = run_cp1252("train", "--epochs", "1", "--hidden", "4")
    assert code == 0, err
    assert "test accuracy" in out.lower() or "test accuracy" in err.lower(), out


@pytest.mark.parametrize(
    "text, ascii",
    [
        ("∂L/∂W_{1,1,1}", "dL/dW_{1,1,1}"),
        ("∇_{a_2}L = ∇_{h_2}L ⊙ g'(a_2)", "grad_a_2 = grad_h_2 * g'(a_2)"),
        ("∇_ŷ L", "grad_yhat L"),
        ("∇_{ŷ}L", "grad_yhat"),
        ("x² + y₁₂ + e^{x⁻¹⁰}", "x^2 + y_{12} + e^{x^{-10}}"),
        ("W_1 ← W_1 − η ∇_{W_1}L", "W_1 <- W_1 - eta grad_W_1"),
        ("①②", "(1)(2)"),
        ("日本", "\\u65e5\\u672c"),
    ],
)
def test_ascii_notation(text: str, ascii: str) -> None:
    assert ascii_notation(text) == ascii
    assert ascii_notation(text).isascii()


def test_explain_prints_matrices_whose_columns_line_up_in_any_font() -> None:
    """Issue 34: a matrix's rows were indented to the width of ``∂ŷ/∂a_3 (2×2) = ``, which JupyterLab's font draws wider
    than the monospace cells (∂, ŷ, ×): a matrix of more than one row starts on its own line, behind spaces only."""
    from micrograd_nptel import examples, explain

    mlp, _, L = examples.figure_network()
    text = str(explain(L, mlp.layers[0].W[0][0], model=mlp))
    rows = [line for line in text.splitlines() if line.lstrip().startswith("[")]
    assert len(rows) >= 15
    for line in rows:
        indent = line[: line.index("[")]
        assert indent.strip() == "", line  # nothing but spaces before the row: the same column in every font
    assert "∂ŷ/∂a_3 (2×2) =\n      [[ 0.2397 -0.2397]\n       [-0.2397  0.2397]]" in text
