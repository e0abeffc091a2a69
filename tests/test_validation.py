"""What the public entries accept: class labels, numbers from numpy, integers too large for a float."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from micrograd_nptel import MLP, Value, fit, gradcheck, make_moons
from micrograd_nptel.expression import ExpressionError, parse_expression
from micrograd_nptel.nn import one_hot


def test_labels_must_be_class_indices() -> None:
    X = [[0.0, 1.0], [1.0, 0.0]]
    lin = MLP(2, [2], 3, output="linear")
    with pytest.raises(TypeError, match="a class label must be an int"):
        fit(lin, X, [1.5, 0], epochs=1)  # type: ignore[list-item]  # one_hot(1.5) was all zeros
    with pytest.raises(TypeError, match="a class label must be an int"):
        fit(lin, X, [True, 0], epochs=1)
    with pytest.raises(TypeError, match="a class label must be an int"):
        one_hot(1.5, 3)  # type: ignore[arg-type]
    fit(lin, np.array(X), np.array([2, 0]), epochs=1)  # numpy arrays and np.int64 labels are welcome


def test_numbers_from_numpy_are_accepted() -> None:
    mlp = MLP(np.int64(2), [np.int64(3)], np.int64(2), seed=np.int64(1))  # type: ignore[arg-type]
    assert (mlp.nin, mlp.hidden, mlp.nout) == (2, [3], 2)
    report = gradcheck(lambda a, b: a * b + a.tanh(), np.array([0.5, -1.0]))
    assert report.ok
    moons = make_moons(np.int64(20), noise=np.float32(0.1), seed=np.int64(0))  # type: ignore[arg-type]
    assert len(moons.X) == 20
    with pytest.raises(ValueError, match="noise must be a finite number"):
        make_moons(20, noise=True)  # type: ignore[arg-type]


def test_huge_integers_are_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="too large for a float"):
        Value(10**400)
    with pytest.raises(ExpressionError, match="too large for a float"):
        parse_expression(f"x + {10**400}", {"x": 1.0})
