"""The shipped Iris data against a trusted copy's statistics, the toy set, the split and the scaler."""

from __future__ import annotations

import pytest

from micrograd_nptel import StandardScaler, load_iris, make_moons, train_test_split


def test_iris_matches_fishers_data() -> None:
    data = load_iris()
    assert len(data.X) == 150 and all(len(row) == 4 for row in data.X)
    assert data.class_names == ("setosa", "versicolor", "virginica") and [data.y.count(c) for c in range(3)] == [50, 50, 50]
    # Per-class means of R's datasets::iris (Fisher 1936), the trusted copy.
    means = {
        0: [5.006, 3.428, 1.462, 0.246],
        1: [5.936, 2.770, 4.260, 1.326],
        2: [6.588, 2.974, 5.552, 2.026],
    }
    for c, expected in means.items():
        rows = [x for x, label in zip(data.X, data.y) if label == c]
        assert [sum(col) / 50 for col in zip(*rows)] == pytest.approx(expected, abs=1e-9)
    assert data.X[0] == [5.1, 3.5, 1.4, 0.2] and data.X[149] == [5.9, 3.0, 5.1, 1.8]
    assert data.X[34] == [4.9, 3.1, 1.5, 0.2] and data.X[37] == [4.9, 3.6, 1.4, 0.1]  # Fisher's rows 35 and 38, not UCI's
    assert min(min(r) for r in data.X) == 0.1 and max(max(r) for r in data.X) == 7.9


def test_make_moons_is_seeded_and_balanced() -> None:
    a, b, c = make_moons(100, 0.1, seed=1), make_moons(100, 0.1, seed=1), make_moons(100, 0.1, seed=2)
    assert a == b and a.X != c.X
    assert len(a.X) == 100 and a.y.count(0) == 50 and a.y.count(1) == 50
    clean = make_moons(7, 0.0, seed=0)
    for x, label in zip(clean.X, clean.y):  # noise-free points lie on the two half circles
        cx, cy = (0.0, 0.0) if label == 0 else (1.0, 0.5)
        assert (x[0] - cx) ** 2 + (x[1] - cy) ** 2 == pytest.approx(1.0)
    with pytest.raises(ValueError, match="n must be an int >= 2"):
        make_moons(1)
    with pytest.raises(ValueError, match="noise"):
        make_moons(10, -1.0)


def test_train_test_split_is_stratified_seeded_and_disjoint() -> None:
    data = load_iris()
    X_train, X_test, _, y_test = train_test_split(data.X, data.y, test_size=0.2, seed=0)
    assert len(X_train) == 120 and len(X_test) == 30 and [y_test.count(c) for c in range(3)] == [10, 10, 10]
    assert sorted(map(tuple, X_train + X_test)) == sorted(map(tuple, data.X))
    assert train_test_split(data.X, data.y, seed=0) == train_test_split(data.X, data.y, seed=0)
    assert train_test_split(data.X, data.y, seed=0)[1] != train_test_split(data.X, data.y, seed=1)[1]
    with pytest.raises(ValueError, match="150 rows but y has 3"):
        train_test_split(data.X, [0, 1, 2])
    with pytest.raises(ValueError, match="test_size"):
        train_test_split(data.X, data.y, test_size=1.5)


def test_standard_scaler() -> None:
    X = [[1.0, 10.0, 5.0], [3.0, 30.0, 5.0]]
    scaler = StandardScaler().fit(X)
    assert scaler.mean == [2.0, 20.0, 5.0] and scaler.std == [1.0, 10.0, 1.0]
    assert scaler.transform(X) == [[-1.0, -1.0, 0.0], [1.0, 1.0, 0.0]]
    with pytest.raises(ValueError, match="not fitted"):
        StandardScaler().transform(X)
    with pytest.raises(ValueError, match="rows of 3 features"):
        scaler.transform([[1.0, 2.0]])
