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


def test_prepare_is_the_split_scaling_and_sizes_train_uses() -> None:
    from micrograd_nptel.datasets import load_digits, prepare

    iris = prepare("iris", test_size=0.2, seed=3)
    X_train, X_test, y_train, y_test = train_test_split(load_iris().X, load_iris().y, test_size=0.2, seed=3)
    scaler = StandardScaler().fit(X_train)
    assert iris.X_train == scaler.transform(X_train) and iris.X_test == scaler.transform(X_test)
    assert (iris.y_train, iris.y_test) == (y_train, y_test) and iris.class_names == load_iris().class_names
    assert (iris.hidden, iris.epochs, iris.batch_size, iris.backend, iris.sizes) == ([4, 4], 200, 8, "scalar", [4, 4, 4, 3])
    for column in zip(*iris.X_train):  # standardised on the training rows
        assert sum(column) / len(column) == pytest.approx(0.0, abs=1e-12)
    digits = prepare("digits", test_size=0.25, seed=1)
    _, X_test, _, y_test = train_test_split(load_digits().X, load_digits().y, test_size=0.25, seed=1)
    assert digits.X_test == [[v / 16.0 for v in row] for row in X_test] and digits.y_test == y_test  # 0..16 -> [0, 1]
    assert max(max(row) for row in digits.X_train) == 1.0 and min(min(row) for row in digits.X_train) == 0.0
    assert (digits.hidden, digits.epochs, digits.batch_size, digits.sizes) == ([32], 10, 32, [64, 32, 10])
    moons = prepare("moons", seed=5)
    assert len(moons.X_train) + len(moons.X_test) == 200 and moons.X_train != prepare("moons", seed=6).X_train
    assert (moons.hidden, moons.sizes) == ([16, 16], [2, 16, 16, 2])
    with pytest.raises(ValueError, match="unknown data set 'cifar'; expected one of iris, moons, digits, mnist, fashion-mnist"):
        prepare("cifar")


def test_a_notebook_trains_as_train_does_in_three_calls() -> None:
    from micrograd_nptel import MLP
    from micrograd_nptel.datasets import prepare

    data = prepare("iris", seed=0)
    mlp = MLP(data.sizes[0], data.hidden, data.sizes[-1], seed=0)
    mlp.fit(data.X_train, data.y_train, epochs=20, batch_size=data.batch_size, seed=0)
    assert mlp.accuracy(data.X_test, data.y_test) >= 0.8
