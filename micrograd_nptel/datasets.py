"""Real and toy data sets, as plain Python lists, and the usual preprocessing.

- :func:`load_iris`: Fisher's Iris data, shipped with the package (``data/iris.csv``).
- :func:`make_moons`: the two-moons toy set of micrograd's demo.
- :func:`train_test_split` and :class:`StandardScaler`.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import math
import numbers
import random
from collections.abc import Sequence
from importlib import resources
from typing import NamedTuple

import numpy as np


class Dataset(NamedTuple):
    """A classification data set: ``X`` (N rows of n floats), ``y`` (N ints in [0, k)), ``class_names`` (k str)."""

    X: list[list[float]]
    y: list[int]
    class_names: tuple[str, ...]


IRIS_CLASSES = ("setosa", "versicolor", "virginica")
IRIS_FEATURES = ("sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm")


def load_iris() -> Dataset:
    """Fisher's Iris data: 150 flowers, 4 measurements each (cm), 3 species of 50.

    Columns of X: sepal length, sepal width, petal length, petal width (cm). Labels:
    0 setosa, 1 versicolor, 2 virginica, in the file's order (50 of each, in blocks).

    Source: UCI Machine Learning Repository, "Iris" (R. A. Fisher, 1936), CC BY 4.0,
    with rows 35 and 38 as in Fisher's paper (as R's ``datasets::iris``); provenance is
    in the header of ``micrograd_nptel/data/iris.csv``.

    Returns:
        ``Dataset(X, y, class_names)`` with ``len(X) == 150`` and ``len(X[0]) == 4``.
    """
    text = resources.files("micrograd_nptel").joinpath("data/iris.csv").read_text(encoding="utf-8")
    rows = csv.reader(line for line in io.StringIO(text) if not line.startswith("#"))
    header = next(rows)
    if tuple(header) != IRIS_FEATURES + ("species",):
        raise ValueError(f"iris.csv has an unexpected header {header!r}")
    X, y = [], []
    for row in rows:
        X.append([float(v) for v in row[:4]])
        y.append(IRIS_CLASSES.index(row[4]))
    return Dataset(X, y, IRIS_CLASSES)


DIGITS_SHA256 = "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"
"""The sha256 of the shipped ``data/digits.csv.gz`` (scikit-learn 1.9.1's copy)."""


def load_digits() -> Dataset:
    """The UCI "Optical Recognition of Handwritten Digits" set, 8x8 images, as scikit-learn ships it.

    1797 images of the digits 0-9 (178, 182, 177, 183, 181, 182, 181, 179, 174, 180 of each); each
    row of X is an 8x8 image read row by row, 64 pixel counts in 0..16 (the number of ink pixels in
    a 4x4 block of a 32x32 bitmap). Scale them (``StandardScaler``, or divide by 16) before training.

    Source: E. Alpaydin and C. Kaynak (1998), UCI Machine Learning Repository, CC BY 4.0; the
    test-set copy shipped with scikit-learn (``sklearn/datasets/data/digits.csv.gz``), shipped here
    unchanged as ``micrograd_nptel/data/digits.csv.gz`` (provenance in ``data/PROVENANCE.md``).

    Returns:
        ``Dataset(X, y, class_names)`` with 1797 rows of 64 floats, labels 0-9, names "0".."9".

    Raises:
        ValueError: the shipped file is damaged (its sha256 or shape is not the expected one).
    """
    raw = resources.files("micrograd_nptel").joinpath("data/digits.csv.gz").read_bytes()
    if hashlib.sha256(raw).hexdigest() != DIGITS_SHA256:
        raise ValueError("micrograd_nptel/data/digits.csv.gz is damaged (sha256 mismatch); reinstall the package")
    table = np.loadtxt(io.StringIO(gzip.decompress(raw).decode("ascii")), delimiter=",")
    if table.shape != (1797, 65):
        raise ValueError(f"digits.csv.gz has shape {table.shape}, expected (1797, 65)")
    return Dataset(table[:, :64].tolist(), [int(v) for v in table[:, 64]], tuple(str(d) for d in range(10)))


def make_moons(n: int = 100, noise: float = 0.1, seed: int = 0) -> Dataset:
    """Two interleaving half circles in 2-D, the toy set of micrograd's demo.

    Class 0 ("upper") is ``(cos t, sin t)``, class 1 ("lower") is
    ``(1 - cos t, 0.5 - sin t)``, t evenly spaced in [0, π]; Gaussian noise of standard
    deviation ``noise`` is added and the rows are shuffled, all from numpy's PCG64
    generator seeded with ``seed`` (the same numbers on every machine). The same
    construction as ``sklearn.datasets.make_moons``.

    Args:
        n: the number of points N (class 0 gets ``n - n // 2``, class 1 gets ``n // 2``).
        noise: the noise's standard deviation (same units as the coordinates, >= 0).
        seed: the generator seed.

    Raises:
        ValueError: ``n < 2`` or ``noise < 0``.
    """
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 2:
        raise ValueError(f"n must be an int >= 2, got {n!r}")
    if isinstance(noise, bool) or not (isinstance(noise, numbers.Real) and math.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    n_out, n_in = n - n // 2, n // 2
    t_out, t_in = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n_in)
    X = np.vstack([np.column_stack([np.cos(t_out), np.sin(t_out)]), np.column_stack([1 - np.cos(t_in), 0.5 - np.sin(t_in)])])
    y = np.hstack([np.zeros(n_out, dtype=int), np.ones(n_in, dtype=int)])
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    rng = np.random.Generator(np.random.PCG64(int(seed)))
    X = X + rng.normal(scale=noise, size=X.shape)
    order = rng.permutation(n)
    return Dataset(X[order].tolist(), [int(v) for v in y[order]], ("upper", "lower"))


def train_test_split(
    X: Sequence[Sequence[float]], y: Sequence[int], test_size: float = 0.2, seed: int = 0, stratify: bool = True
) -> tuple[list[list[float]], list[list[float]], list[int], list[int]]:
    """Split N examples into a training and a held-out test set.

    With ``stratify`` each class contributes ``round(test_size * its count)`` examples to
    the test set, so both sets keep the class proportions (Iris: 10 test flowers of each
    species with the default). The choice is a ``random.Random(seed)`` shuffle.

    Args:
        X: N rows of features; y: N labels.
        test_size: the fraction in (0, 1) of examples held out.
        seed: the shuffle's seed.
        stratify: keep class proportions (default) or split the shuffled whole.

    Returns:
        ``(X_train, X_test, y_train, y_test)`` as lists, in shuffled order.

    Raises:
        ValueError: ``X`` and ``y`` differ in length, or ``test_size`` is outside (0, 1),
        or either side would be empty.
    """
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} rows but y has {len(y)} labels (expected equal)")
    if isinstance(test_size, bool) or not (isinstance(test_size, numbers.Real) and 0.0 < test_size < 1.0):
        raise ValueError(f"test_size must be a fraction in (0, 1), got {test_size!r}")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be an int, got {seed!r} of type {type(seed).__name__}")
    rng = random.Random(int(seed))
    groups: dict[int, list[int]] = {}
    for i, label in enumerate(y):
        groups.setdefault(label if stratify else 0, []).append(i)
    train, test = [], []
    for key in sorted(groups):
        idx = groups[key]
        rng.shuffle(idx)
        k = round(test_size * len(idx))
        test += idx[:k]
        train += idx[k:]
    rng.shuffle(train)
    rng.shuffle(test)
    if not train or not test:
        raise ValueError(f"test_size={test_size} leaves an empty split of {len(y)} examples")
    return [list(X[i]) for i in train], [list(X[i]) for i in test], [y[i] for i in train], [y[i] for i in test]


class StandardScaler:
    """Feature standardisation ``(x - mean) / std``, each column fitted on the training set.

    Attributes:
        mean, std: n floats each (std is the population standard deviation; a constant
            column gets std 1 so it maps to 0).
    """

    def __init__(self) -> None:
        self.mean: list[float] = []
        self.std: list[float] = []

    def fit(self, X: Sequence[Sequence[float]]) -> StandardScaler:
        """Learn each column's mean and standard deviation from N >= 1 rows of n features."""
        A = np.asarray(X, dtype=float)
        if A.ndim != 2 or A.shape[0] == 0:
            raise ValueError(f"X must be a non-empty list of equal-length rows, got shape {A.shape}")
        std = A.std(axis=0)
        self.mean, self.std = A.mean(axis=0).tolist(), np.where(std > 0, std, 1.0).tolist()
        return self

    def transform(self, X: Sequence[Sequence[float]]) -> list[list[float]]:
        """Standardise rows of n features with the fitted mean and std.

        Raises:
            ValueError: not fitted, or rows of the wrong width.
        """
        if not self.mean:
            raise ValueError("StandardScaler is not fitted: call fit(X_train) first")
        A = np.asarray(X, dtype=float)
        if A.ndim != 2 or A.shape[1] != len(self.mean):
            raise ValueError(f"X must have rows of {len(self.mean)} features, got shape {A.shape}")
        result: list[list[float]] = ((A - np.asarray(self.mean)) / np.asarray(self.std)).tolist()
        return result

    def fit_transform(self, X: Sequence[Sequence[float]]) -> list[list[float]]:
        """``fit(X)`` then ``transform(X)``."""
        return self.fit(X).transform(X)
