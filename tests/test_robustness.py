"""Faults found by trying to break the library (issue 11): each was wrong or a traceback before, and is tested here."""

from __future__ import annotations

import json
import math
import os
import random
import stat
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from micrograd_nptel import MLP, SGD, Value, chain_rule_paths, cross_entropy, draw_dot, fit, gradcheck, make_moons, softmax, squared_error
from micrograd_nptel.cli import main
from micrograd_nptel.expression import ExpressionError, parse_expression
from micrograd_nptel.lecture import activation
from micrograd_nptel.nn import cross_entropy_with_logits, one_hot
from micrograd_nptel.training import TrainingDiverged


# ---------------------------------------------------------------------- stable losses
def test_cross_entropy_with_logits_is_stable_like_pytorch() -> None:
    for a, l, loss, grads in (([720.0, 0.0], 0, 0.0, [0.0, 0.0]), ([720.0, 0.0], 1, 720.0, [1.0, -1.0]), ([0.0, 1e4], 0, 1e4, [-1.0, 1.0])):
        logits = [Value(v) for v in a]
        L = cross_entropy_with_logits(logits, l)
        L.backward()
        assert L.data == pytest.approx(loss, abs=1e-12) and [v.grad for v in logits] == pytest.approx(grads, abs=1e-12)
    # ordinary logits: the same as the lecture's -log softmax(a)_l, and the gradient is -(e(l) - ŷ) (Module 4.5)
    a = [Value(0.3), Value(-1.2), Value(2.0)]
    y_hat = softmax(a)
    L = cross_entropy_with_logits(a, 2)
    L.backward()
    assert L.data == pytest.approx(cross_entropy(y_hat, 2).data, rel=1e-15)
    assert [v.grad for v in a] == pytest.approx([p.data - (j == 2) for j, p in enumerate(y_hat)], rel=1e-15)


def test_the_probability_view_refuses_what_it_cannot_represent() -> None:
    with pytest.raises(ValueError, match=r"too small for ∂L/∂ŷ_l = -1/ŷ_l .* cross_entropy_with_logits"):
        cross_entropy(softmax([720.0, 0.0]), 1)  # ŷ_2 = e^-720 is subnormal: -1/ŷ_2 overflows
    with pytest.raises(ValueError, match=r"probability 0 < ŷ_l <= 1, got ŷ_1 = 2.0"):
        cross_entropy([Value(2.0)], 0)  # a "probability" > 1 gave a loss of -0.693
    with pytest.raises(ValueError, match="softmax over k = 1 output"):
        MLP(2, [16, 16], 1)


def test_training_uses_the_stable_loss() -> None:
    mlp = MLP(2, [], 2, seed=0)
    for row in mlp.layers[0].W:
        row[0].data = 400.0 if row is mlp.layers[0].W[0] else -400.0  # logits 800 apart for x = (1, 0)
    history = fit(mlp, [[1.0, 0.0]], [1], epochs=1, lr=1e-4, batch_size=1)
    assert history[0].loss == pytest.approx(800.0)


# ---------------------------------------------------------------------- sigmoid without cancellation
def test_sigmoid_of_large_negative_inputs_is_accurate() -> None:
    for x in (-30.0, -40.0, -700.0):
        true = math.exp(x) / (1 + math.exp(x))
        assert Value(x).sigmoid().data == pytest.approx(true, rel=1e-15)
        assert activation([x])[0] == pytest.approx(true, rel=1e-15)
    assert Value(-40.0).sigmoid().log().data == pytest.approx(-40.0, rel=1e-12)  # raised before: log(0)


# ---------------------------------------------------------------------- overflow reported where it happens
@pytest.mark.parametrize(
    "make, op",
    [
        (lambda: Value(1e308) + 1e308, r"\+"),
        (lambda: Value(-1e308) - 1e308, "-"),
        (lambda: Value(1e200) * 1e200, r"\*"),
        (lambda: Value(1e300) / 1e-10, "/"),
        (lambda: Value.linear([1e200], [1e200], 0.0), "linear"),
        (lambda: Value.sum([1e308, 1e308]), "sum"),
        (lambda: squared_error([Value(1e200)], [-1e200]), "squared_error"),
    ],
)
def test_overflow_is_an_error_at_the_op(make: object, op: str) -> None:
    with pytest.raises(OverflowError, match=rf"{op} overflowed a float"):
        make()  # type: ignore[operator]


def test_tiny_divisors_and_nan_inputs() -> None:
    with pytest.raises(OverflowError, match=r"local derivative of / at \(1, 1e-200\) overflows"):
        Value(1.0) / Value(1e-200)  # was a bare ZeroDivisionError from y*y underflowing
    q = Value(1e-100) / Value(1e-100)  # fine: -x/y² = -(x/y)/y
    assert q.local_grads == (1e100, -1e100)
    v = Value(1.0)
    v.data = float("nan")
    with pytest.raises(ValueError, match="relu of a non-finite value nan"):
        v.relu()  # was 0.0


def test_sgd_refuses_an_overflowing_update_and_changes_nothing() -> None:
    w, u = Value(1e308, label="w"), Value(1.0, label="u")
    w.grad, u.grad = -1e308, 1.0
    with pytest.raises(OverflowError, match=r"update of w overflowed"):
        SGD([u, w], lr=10.0).step()
    assert (u.data, w.data) == (1.0, 1e308)


def test_divergence_is_a_diagnosis() -> None:
    X, y = make_moons(40, noise=0.1, seed=0).X, make_moons(40, noise=0.1, seed=0).y
    mlp = MLP(2, [8], 2, activation="linear", output="linear", seed=0)
    with pytest.raises(TrainingDiverged, match=r"training diverged at epoch \d+, step \d+ with learning rate 1000 .* --lr 100"):
        fit(mlp, X, y, epochs=50, lr=1000.0, batch_size=8)


@pytest.mark.parametrize("act", ["logistic", "tanh", "relu", "linear"])
@pytest.mark.parametrize("out", ["softmax", "linear"])
@pytest.mark.parametrize("lr", ["0.5", "10", "1000"])
def test_train_never_prints_a_traceback(act: str, out: str, lr: str, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["train", "--dataset", "moons", "--epochs", "3", "--quiet", "--activation", act, "--output", out, "--lr", lr])
    err = capsys.readouterr().err
    assert status in (0, 1)
    if status == 1:
        assert len(err.strip().splitlines()) == 1 and "training diverged at epoch" in err and "--lr" in err, err
    else:
        assert err == ""


# ---------------------------------------------------------------------- labels
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


# ---------------------------------------------------------------------- numpy inputs and other types
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


def test_chain_rule_paths_type_errors_and_linear_time() -> None:
    with pytest.raises(TypeError, match="chain_rule_paths needs wrt to be a Value"):
        chain_rule_paths(Value(1.0) * 2, 2.0)  # type: ignore[arg-type]
    x = Value(0.5, label="x")
    y = x
    for _ in range(40_000):
        y = y.sin()
    start = time.perf_counter()
    (path,) = chain_rule_paths(y, x)
    assert len(path.nodes) == 40_001 and time.perf_counter() - start < 5.0  # a hang guard: 6.9 s before (quadratic); 0.13 s measured


def test_natural_sort_survives_unicode_digits() -> None:
    h = Value(1.0, label="h_{1,1}") * Value(2.0, label="h1²")
    h.label = "W_{1,1,1}"
    assert "digraph" in draw_dot(h).source  # int('²') crashed the layer sort


def test_the_parser_refuses_deep_nesting() -> None:
    with pytest.raises(ExpressionError, match="nested too deeply"):
        parse_expression("-" * 999 + "x", {"x": 1.0})


# ---------------------------------------------------------------------- saving and loading
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
        ("deep.json", "[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ("binary.json", b"\xff\xfe\x00\x01", "not a text"),
        ("huge.json", json.dumps({"format": "micrograd_nptel.MLP", "config": {**config, "nin": 10**400}, "state_dict": {}}), "valid MLP"),
    ):
        bad = tmp_path / name
        bad.write_bytes(content if isinstance(content, bytes) else content.encode())
        with pytest.raises(ValueError, match=match) as info:
            MLP.load(bad)
        assert name in str(info.value)


def test_saved_files_get_normal_modes_and_follow_symlinks(tmp_path: Path) -> None:
    mlp = MLP(2, [2], 2)
    old = os.umask(0o022)
    try:
        new = tmp_path / "new.json"
        mlp.save(new)
        assert stat.S_IMODE(new.stat().st_mode) == 0o644  # mkstemp alone gives 0600
        new.chmod(0o640)
        mlp.save(new)
        assert stat.S_IMODE(new.stat().st_mode) == 0o640  # an overwrite keeps the mode
    finally:
        os.umask(old)
    target = tmp_path / "target.json"
    target.write_text("{}")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    mlp.save(link)
    assert link.is_symlink() and MLP.load(target).state_dict() == mlp.state_dict()


# ---------------------------------------------------------------------- the command line
@pytest.mark.parametrize(
    "argv, status, words",
    [
        (["train", "--test-size", "2"], 2, "--test-size"),
        (["verify", "--example", "150"], 2, "--example"),
        (["train", "--seed", "-1"], 2, "--seed"),
        (["train", "--save", "/nonexistent/dir/m.json", "--epochs", "1"], 2, "/nonexistent/dir"),
    ],
)
def test_cli_usage_errors_are_exit_2_and_name_the_option(
    argv: list[str], status: int, words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) if argv[1] in ("--test-size", "--seed") else _nothing() as info:
        code = main(argv)
    code = info.value.code if info is not None else code  # type: ignore[union-attr]
    err = capsys.readouterr().err
    assert code == status and words in err and len(err.strip().splitlines()) == 1, err


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *args: object) -> bool:
        return False


def test_an_expression_may_start_with_a_minus(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["draw", "-x", "--at", "x=1", "-o", str(tmp_path / "e.dot")]) == 0
    assert main(["explain", "x", "--expr", "-x*x", "--at", "x=3"]) == 0
    assert "∂" in capsys.readouterr().out
    assert main(["draw", "1/x", "--at", "x=1e-200", "-o", str(tmp_path / "t.dot")]) == 1  # one line, not 26 of traceback
