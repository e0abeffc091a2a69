"""Teachers' exercises: from_network, from_expression, an Exercise built directly, TOML files, and the command line."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from micrograd_nptel import exercises
from micrograd_nptel.exercises import Exercise, Mistake
from micrograd_nptel.exercises.grading import Answer, grade, student_seed
from micrograd_nptel.exercises.steps import derivative_formula, order_steps
from micrograd_nptel.exercises.worlds import ExpressionWorld, NetworkWorld
from micrograd_nptel.testing import gradient

HW3 = """
[[exercise]]
name = "hw3-tanh-W1"
sizes = [2, 3, 2]
activation = "tanh"
loss = "cross_entropy"
target = "grad_W_1"
given = ["x", "a_1", "h_1", "W_2", "grad_a_2"]
question = "Find the gradient of the loss with respect to W_1."

[exercise.slips.no_g_prime_here]
formula = "(W_2^T @ grad_a_2) @ x^T"
message = "The g'(a_1) factor is missing: go through h_1 = g(a_1)."

[[exercise]]
name = "hw3-toy"
expression = "z = log(y1/y2); y1 = x**2; y2 = x**3"
target = "dz/dx"
at = { x = 2.0 }
ranges = { x = [0.5, 3.0] }
"""


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "micrograd_nptel", *args], capture_output=True, text=True, timeout=300)


def toml(tmp_path: Path, text: str, name: str = "hw3.toml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


@pytest.mark.parametrize("activation", ["logistic", "tanh", "relu", "linear"])
@pytest.mark.parametrize("loss", ["cross_entropy", "squared_error"])
def test_a_network_exercise_is_graded_against_the_engine(activation: str, loss: str) -> None:
    given = ["x", "W_2", "W_3", "a_1", "h_1", "a_2", "h_2", "grad_a_3"]
    ex = exercises.from_network("hw", sizes=[3, 3, 3, 2], activation=activation, loss=loss, target="grad_W_1", given=given, seed=4)
    ctx = ex.context()
    model = ctx.extra["model"]
    want = gradient(ctx.extra["root"], model.layers[0].W)  # type: ignore[arg-type, attr-defined]
    assert np.array_equal(ex.solution_value(), want)  # the engine's answer, nothing stored
    assert ex.check(want.tolist()).correct and not ex.check((want * 2).tolist()).correct
    chain = "((W_2^T @ (((W_3^T @ grad_a_3) * g'(a_2)))) * g'(a_1)) @ x^T"
    assert ex.check(chain).correct, ex.check(chain)
    assert ex.check(f"-({chain})").mistake == "sign"
    assert ex.check(chain.replace("g'(a_1)", "g(a_1)")).mistake == "g_for_g_prime"
    assert ex.check(chain.replace("W_3^T", "W_3")).mistake == "transpose"
    if activation not in ("relu", "linear"):  # g'(h) = g'(a) for relu; g' = 1 for linear
        assert ex.check(chain.replace("g'(a_1)", "g'(h_1)").replace("g'(a_2)", "g'(h_2)")).mistake == "g_prime_at_h"
    if activation != "linear":
        assert ex.check(chain.replace(" * g'(a_1)", "")).mistake == "missing_g_prime"
    other = {"logistic": "(1 - h_{k}^2)", "tanh": "h_{k} * (1 - h_{k})"}.get(activation)  # the other activation's g'
    if other is not None:
        wrong = chain.replace("g'(a_1)", other.format(k=1)).replace("g'(a_2)", other.format(k=2))
        assert ex.check(wrong).mistake == "wrong_function", ex.check(wrong)
    # the slips of the world, as numbers: each wrong one is named by its key (or by an earlier slip of the same value)
    slips = list(ctx.extra["slips"])  # type: ignore[call-overload]
    for slip in slips:
        if not np.allclose(slip.value, want, rtol=1e-6, atol=1e-12):
            same = {s.key for s in slips if np.allclose(s.value, slip.value, rtol=1e-9, atol=1e-15)}
            assert ex.check(slip.value).mistake in same | {slip.key}, (slip.key, ex.check(slip.value))


@pytest.mark.parametrize("activation", ["logistic", "tanh", "relu", "linear"])
@pytest.mark.parametrize("output", ["softmax", "linear"])
def test_module_4_8s_pseudo_code_equals_the_engine_on_every_world(activation: str, output: str) -> None:
    world = NetworkWorld((2, 4, 3, 3), activation, output, "dL/dW_1")
    for w in range(3):
        ctx = world(3, w)
        for name, value in world.backprop(ctx.values).items():
            assert np.allclose(value, ctx.values[name], rtol=1e-12, atol=1e-15), (name, w)


@pytest.mark.parametrize(
    ("target", "answer"),
    [
        ("grad_W_2", "grad_a_2 @ h_1^T"),
        ("grad_b_1", "grad_a_1"),
        ("grad_h_1", "W_2^T @ grad_a_2"),
        ("grad_a_1", "grad_h_1 * g'(a_1)"),
        ("grad_a_2", "yhat - e(l)"),
        ("dL/dW_{2,1,3}", "dL/da_{2,1} * h_{1,3}"),
        ("dL/dh_{1,2}", "dL/da_{2,1} * W_{2,1,2} + dL/da_{2,2} * W_{2,2,2}"),
        ("grad_x", "W_1^T @ grad_a_1"),
        ("a_2", "b_2 + W_2 @ h_1"),
        ("yhat", "exp(a_2) / sum(exp(a_2))"),
        ("grad_yhat", "-(1/yhat_l) * e(l)"),
    ],
)
def test_every_target_has_the_lectures_reference(target: str, answer: str) -> None:
    names = ["x", "W_1", "W_2", "b_2", "a_1", "h_1", "a_2", "yhat", "l", "grad_h_1", "grad_a_1", "grad_a_2"]
    ex = exercises.from_network("t", sizes=[3, 3, 2], target=target, given=[n for n in names if n != target])
    assert ex.check(answer).correct and ex.check(ex.reference).correct


def test_the_check_networks_differ_in_every_given_number_and_the_class() -> None:
    ex = exercises.from_network("w", sizes=[2, 3, 2], target="grad_a_2", given=["yhat", "l", "a_2"])
    for seed in range(10):
        first = ex.new(seed).context(0)
        for world in (1, 2):
            other = ex.new(seed).context(world)
            assert other.label != first.label
            assert all(not np.array_equal(first.values[n], other.values[n]) for n in ex.given)
    assert ex.check("yhat - e(l)").correct and ex.check("yhat - e(1)").mistake == "fixed_class"


def test_teachers_slips_are_tried_first_and_checked() -> None:
    common = dict(sizes=[3, 3, 2], target="a_2", given=["W_2", "b_2", "h_1"])
    ex = exercises.from_network("pre", slips={"no_bias": ("W_2 @ h_1", "The bias is missing: {formula}.")}, **common)  # type: ignore[arg-type]
    fb = ex.check("W_2 @ h_1")
    assert fb.mistake == "no_bias" and fb.message.startswith("The bias is missing: W_2 h_1.\na_2   = [")
    assert ex.check(ex.solution_value() - ex.context().values["b_2"][:, 0]).mistake == "no_bias"
    with pytest.raises(ValueError, match="slip 'ok': its formula 'b_2 \\+ W_2 @ h_1' gives the correct answer"):
        exercises.from_network("pre", slips={"ok": ("b_2 + W_2 @ h_1", "no")}, **common)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="slip 'bad': its formula 'W_9 @ h_1' cannot be read"):
        exercises.from_network("pre", slips={"bad": ("W_9 @ h_1", "no")}, **common)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="given includes the target a_2 itself"):
        exercises.from_network("pre", sizes=[3, 3, 2], target="a_2", given=["a_2"])
    with pytest.raises(ValueError, match="target 'grad_W_5' is not a quantity of this exercise; it has"):
        exercises.from_network("pre", sizes=[3, 3, 2], target="grad_W_5")
    with pytest.raises(ValueError, match="loss 'squared_error' goes with output 'linear'"):
        exercises.from_network("pre", sizes=[3, 3, 2], target="a_2", output="softmax", loss="squared_error")
    with pytest.raises(ValueError, match="activation must be one of"):
        exercises.from_network("pre", sizes=[3, 3, 2], target="a_2", activation="swish")
    with pytest.raises(ValueError, match="give 4,096 weights; an exercise's network has at most 2,000"):
        exercises.from_network("pre", sizes=[64, 64], target="a_1")
    with pytest.raises(ValueError, match="each size must be an int from 1 to 64"):
        exercises.from_network("pre", sizes=[3, 0, 2], target="a_2")
    with pytest.raises(ValueError, match="reference 'W_2 @ h_1' disagrees with the engine"):
        exercises.from_network("pre", reference="W_2 @ h_1", **common)  # type: ignore[arg-type]


def test_an_expression_exercise_names_the_path_slips() -> None:
    ex = exercises.from_expression("toy", "z = log(y1/y2); y1 = x**2; y2 = x**3", target="dz/dx", at={"x": 3.0})
    assert ex.given == ("x", "y_1", "y_2") and ex.solution_value() == pytest.approx(-1 / 3)  # paths 2/3 and -1
    assert ex.check("-1/x").correct and ex.check("(1/y1)*(2*x) - (1/y2)*(3*x^2)").correct
    assert ex.check("(1/y1)*(2*x)").mistake == "missing_paths" and ex.check(2 / 3).mistake == "missing_paths"
    assert ex.check(1 / 3).mistake == "sign"
    assert ex.check(-2 / 3).mistake == "paths_multiplied"
    assert ex.check("-(1/y1)*(2*x) - (1/y2)*(3*x^2)").mistake == "sign"  # one path's sign
    assert ex.check("(1/y1) - (1/y2)*(3*x^2)").mistake == "missing_factor"
    other = ex.new(5)
    assert other.context().values["x"] != 2.0 and other.check("-1/x").correct
    chain = exercises.from_expression("chain", "f = exp(v); v = sin(u); u = x**2", target="df/dx", at={"x": 0.8})
    assert chain.check("exp(sin(x^2)) * cos(x^2) * 2*x").correct
    assert chain.check("exp(sin(x^2)) * cos(x^2)").mistake == "missing_factor"


def test_expression_errors_name_the_problem() -> None:
    with pytest.raises(ValueError, match="does not use the input 'y'"):
        exercises.from_expression("e", "z = x**2", target="dz/dx", at={"x": 1.0, "y": 2.0})
    with pytest.raises(ValueError, match="target must be d<output>/d<input>"):
        exercises.from_expression("e", "z = x**2", target="z'", at={"x": 1.0})
    with pytest.raises(ValueError, match="relu has no derivative in the answer grammar"):
        exercises.from_expression("e", "z = relu(x)", target="dz/dx", at={"x": 1.0})
    with pytest.raises(ValueError, match="2 outputs"):
        exercises.from_expression("e", "z = x**2; w = x**3", target="dz/dx", at={"x": 1.0})
    with pytest.raises(ValueError, match="ranges\\['x'\\] must have low < high"):
        exercises.from_expression("e", "z = x**2", target="dz/dx", at={"x": 1.0}, ranges={"x": (2.0, 1.0)})
    with pytest.raises(ValueError, match="reference 'x' disagrees with the engine"):
        exercises.from_expression("e", "z = x**2", target="dz/dx", at={"x": 1.0}, reference="x")


def test_steps_in_any_order_and_their_derivative_formula() -> None:
    assert order_steps("z = log(y1/y2); y1 = x**2; y2 = x**3") == ("y1 = x ** 2; y2 = x ** 3; z = log(y1 / y2)", "z")
    with pytest.raises(ValueError, match="circle"):
        order_steps("z = y + 1; y = z * 2; w = z")
    assert derivative_formula("z = relu(x)", "x") is None
    world = ExpressionWorld("L = (sigmoid(w*x + b) - y)**2", (("w", 0.5), ("x", 1.5), ("b", -0.2), ("y", 1.0)), "L", "w")
    assert world(0, 0).values["dL/dw"] == pytest.approx(world(0, 0).extra["nodes"]["w"].grad)  # type: ignore[index]


def test_an_exercise_built_directly_checks_answers() -> None:
    world = NetworkWorld((2, 3, 2), "tanh", "softmax", "dL/dW_1")
    ex = Exercise(
        name="hw-tanh-W1",
        module="homework 3",
        notebook="",
        title="∇_{W_1}L",
        question="Find ∇_{W_1}L.",
        question_tex="Find $\\nabla_{W_1}\\mathcal{L}$.",
        asks="∇_{W_1}L",
        asks_tex="\\nabla_{W_1}\\mathcal{L}",
        shape="a 3 x 2 matrix",
        given=("x", "dL/da_1"),
        reference="grad_a_1 @ x^T",
        reference_tex="",
        mistakes=(Mistake("sign", ("-(grad_a_1 @ x^T)",), "The sign is wrong."),),
        target="dL/dW_1",
        world=world,
    )
    assert ex.check("grad_a_1 @ x^T").correct and ex.new(3).check("grad_a_1 @ x^T").correct
    assert ex.check("x @ grad_a_1^T").mistake == "transpose"
    from dataclasses import replace

    with pytest.raises(ValueError, match="exercise 'hw-tanh-W1' has no numbers: give it world="):
        replace(ex, world=None).check("grad_a_1 @ x^T")


def test_a_toml_file_loads_both_kinds(tmp_path: Path) -> None:
    path = toml(tmp_path, HW3)
    tanh, toy = exercises.load(path)
    assert (tanh.name, tanh.asks, tanh.shape) == ("hw3-tanh-W1", "∇_{W_1}L", "a 3 x 2 matrix (n_1 x n_0)")
    assert tanh.check("(W_2^T @ grad_a_2) @ x^T").mistake == "no_g_prime_here"
    assert tanh.check("((W_2^T @ grad_a_2) * g(a_1)) @ x^T").mistake == "g_for_g_prime"
    assert tanh.check("((W_2^T @ grad_a_2) * g'(a_1)) @ x^T").correct
    assert toy.check("-1/x").correct and 0.5 <= float(toy.new(9).context().values["x"]) <= 3.0
    mine = exercises.get("hw3-toy", file=path, student="cs21b042")
    assert mine.seed == student_seed("cs21b042") and mine.check("-1/x").correct
    with pytest.raises(ValueError, match=r"no exercise called 'nope' in .*hw3.toml; the exercises are hw3-tanh-W1, hw3-toy"):
        exercises.get("nope", file=path)
    rows = grade(tanh, [Answer("s1", "((W_2^T @ grad_a_2) * g'(a_1)) @ x^T", None, 2), Answer("s2", "(W_2^T @ grad_a_2) @ x^T", None, 3)])
    assert [(r.correct, r.mistake) for r in rows] == [(True, None), (False, "no_g_prime_here")]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[[exercise]]\nname = 'a'\nsizes = [2, 2\n", r"hw3.toml: not TOML: Unclosed array"),
        ("[[exercise]]\nname = = 'a'\n", r"hw3.toml: not TOML: .*at line 2"),
        ("title = 'x'\n", "hw3.toml: unknown top-level key 'title'"),
        ("", "hw3.toml: no \\[\\[exercise\\]\\] table"),
        ("[[exercise]]\nname = 'a'\nsizes = [2, 2]\ntarget = 'a_1'\nsise = 3\n", "hw3.toml: exercise 1 \\('a'\\): unknown key 'sise'"),
        ("[[exercise]]\nname = 'a'\nsizes = 3\ntarget = 'a_1'\n", "exercise 1 \\('a'\\): key 'sizes' must be a list, got 3"),
        ("[[exercise]]\nname = 'a'\nsizes = [2, 2]\ntarget = 'a_1'\nseed = true\n", "key 'seed' must be a whole number"),
        ("[[exercise]]\nsizes = [2, 2]\ntarget = 'a_1'\n", "exercise 1: the key 'name' is missing"),
        ("[[exercise]]\nname = 'a'\ntarget = 'a_1'\n", "give either sizes \\(a network\\), expression"),
        ("[[exercise]]\nname = 'a'\nsizes = [2, 2]\ntarget = 'W_7'\n", "exercise 1 \\('a'\\): target 'W_7' is not a quantity"),
        ("[[exercise]]\nname = 'a'\nexpression = 'z = x**2'\ntarget = 'dz/dx'\n", "exercise 1 \\('a'\\): the key 'at' is missing"),
        (
            "[[exercise]]\nname = 'a'\nsizes = [2, 2]\ntarget = 'a_1'\n[exercise.slips.s]\nformula = 'W_1 @ x'\ntext = 'x'\n",
            "slip 's': unknown field 'text'",
        ),
        ("[[exercise]]\nname = 'a'\nsizes = [2, 2]\ntarget = 'a_1'\n" * 2, "exercise 2: the name 'a' is used twice"),
        ("[[exercise]]\nname = 'a'\nsizes = [2, 2]\ntarget = 'a_1'\nseed = -1\n", r"exercise 1 \('a'\): seed must be a whole number >= 0"),
        (
            "[[exercise]]\nname = 'a'\nsizes = [2, 2]\ntarget = 'a_1'\nanswer = 'numbers'\n",
            r"exercise 1 \('a'\): answer must be \"any\" \(a number or a formula\) or \"number\"",
        ),
        (
            "[[exercise]]\nname = 'a'\nexpression = 'z = x*y'\ntarget = 'dz/dx'\nat = { y = 1.0 }\n",
            r"exercise 1 \('a'\): at: the expression uses 'x', which at does not give; add its value in the question, "
            r"at = \{y: 1, x: NUMBER\}",
        ),
        (
            "[[exercise]]\nname = 'a'\nexpression = 'z = x*y'\ntarget = 'dz/dx'\nat = { x = 1.0, y = 2.0, q = 3.0 }\n",
            r"at: 'z = x\*y' does not use the input 'q'; remove it from at",
        ),
        (
            "[[exercise]]\nname = 'a'\nexpression = 'z = x*y'\ntarget = 'dz/dq'\nat = { x = 1.0, y = 2.0 }\n",
            r"target 'dz/dq' differentiates by 'q', which the expression does not use \(its inputs: x, y\)",
        ),
        (
            "[[exercise]]\nname = 'a'\nexpression = 'L = (sigmoid(w*x) - y)^2'\ntarget = 'dL/dw'\nat = { x = 1, w = 2, y = 1 }\n",
            r"\^ is not a power here; write \*\* \('L = \(sigmoid\(w\*x\) - y\)\*\*2'\)",
        ),
        (
            "[[exercise]]\nname = 'a'\nexpression = 'z = log(x - 2.9)'\ntarget = 'dz/dx'\nat = { x = 2.95 }\nranges = { x = [0.0, 3.0] }\n",
            r"exercise 1 \('a'\): ranges: \d+ of the first 500 seeds \(seed .*\) give no numbers where every step is defined in 20 "
            r"draws \(log of a non-positive number: .* at x = .*\); the inputs are drawn x from \[0, 3\]: narrow ranges",
        ),
        (
            "[[exercise]]\nname = 'a'\nsizes = [2, 3, 2]\ntarget = 'grad_W_1'\ngiven = ['x']\n",
            r"exercise 1 \('a'\): given: the default reference 'grad_a_1 @ x\^T' uses grad_a_1, which the question does not "
            r"give, and written out it still needs W_2; add grad_a_1 to given, or write reference = a formula in the given names",
        ),
    ],
)
def test_toml_errors_name_the_file_the_exercise_and_the_key(tmp_path: Path, text: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        exercises.load(toml(tmp_path, text))


def test_a_toml_file_is_checked_before_it_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from micrograd_nptel.exercises import loader

    with pytest.raises(ValueError, match="is a folder"):
        exercises.load(tmp_path)
    with pytest.raises(FileNotFoundError):
        exercises.load(tmp_path / "none.toml")
    monkeypatch.setattr(loader, "MAX_EXERCISES", 1)
    with pytest.raises(ValueError, match="holds 2 exercises; at most 1 are loaded"):
        exercises.load(toml(tmp_path, HW3))
    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 10)
    with pytest.raises(ValueError, match="at most 10 are read"):
        exercises.load(toml(tmp_path, HW3))


def test_the_command_line_takes_a_teachers_file(tmp_path: Path) -> None:
    path = toml(tmp_path, HW3)
    listed = run("exercise", "--file", str(path))
    assert listed.returncode == 0 and "hw3-tanh-W1" in listed.stdout and "hw3-toy" in listed.stdout
    shown = run("exercise", "--file", str(path), "hw3-tanh-W1", "--student", "cs1")
    assert shown.returncode == 0 and f"--file {path} hw3-tanh-W1 --seed" in shown.stdout
    checked = run("exercise", "--file", str(path), "hw3-toy", "--answer", "-1/x")
    assert checked.returncode == 0 and "correct" in checked.stdout
    wrong = run("exercise", "--file", str(path), "hw3-toy", "--answer", "1/x")
    assert wrong.returncode == 1 and "[sign]" in wrong.stdout
    missing = run("exercise", "--file", str(path), "nope")
    assert missing.returncode == 2 and "no exercise called 'nope' in" in missing.stderr and missing.stderr.count("\n") == 1
    bad = run("exercise", "--file", str(toml(tmp_path, "x = [", "bad.toml")))
    assert bad.returncode == 2 and "not TOML" in bad.stderr and bad.stderr.count("\n") == 1
    answers = tmp_path / "answers.csv"
    answers.write_text("student,answer\ncs1,-1/x\ncs2,1/x\n", encoding="utf-8")
    graded = run("grade", str(answers), "--exercise", "hw3-toy", "--file", str(path), "-o", str(tmp_path / "g.csv"))
    assert graded.returncode == 0 and "2 answers: 1 correct (50.0%)" in graded.stderr, graded.stderr


def test_the_built_in_exercises_are_data_and_a_copied_entry_loads(tmp_path: Path) -> None:
    files = exercises.catalogue_files()
    assert [f.name for f in files][:2] == ["backpropagation_1.toml", "module_4_1.toml"] and len(files) == 9
    built_in = [e for f in files for e in exercises.load(f)]  # each entry answered by its own reference (check=True)
    assert [e.name for e in built_in] == [e.name for e in exercises.catalogue()] and len(built_in) == 20
    text = files[-3].read_text(encoding="utf-8")  # module 4.7: a teacher copies the first entry and renames it
    first = text.index("[[exercise]]")
    entry = text[first : text.index("[[exercise]]", first + 1)]
    mine = exercises.load(toml(tmp_path, entry.replace("name = '4.7-weight'", "name = 'hw-weight'")))[0]
    original = exercises.get("4.7-weight")
    assert mine.name == "hw-weight" and mine.solution_value() == original.solution_value()
    assert mine.check("dL/da_{2,2} * h_{1,3}").correct and mine.check("dL/da_{2,3} * h_{1,2}").mistake == "transpose"


ENTRY = "world = 'toy'\nasks = 'dz/dx'\nasks_tex = 'x'\nshape = 'a number'\nquestion = 'q'\ngiven = ['x']\n"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (ENTRY.replace("'toy'", "'globe'") + "reference = 'x'", "world 'globe' is not one of figure"),
        (ENTRY.replace("shape = 'a number'\n", "") + "reference = 'x'", "the key 'shape' is missing"),
        (ENTRY.replace("asks_tex = 'x'\n", "") + "reference = 'x'", "reference 'x' is not the engine's"),  # asks_tex may go
        ("world = 'toy'\nsizes = [2, 2]", "give either sizes .*; this entry gives sizes and world"),
        ("world = 'toy'\nneighbours = 'yes'", "key 'neighbours' must be a true or false"),
        ("world = 'toy'\ngiven = [1]", "key 'given' must be a list of strings"),
        (ENTRY + "reference = 'x'", "reference 'x' is not the engine's dz/dx"),
        (ENTRY + "reference = '-1/x'\n[[exercise.mistakes]]\nkey = 'sign'\nformula = '1/x'", "mistake 1 must be a table with key"),
        (
            ENTRY.replace("['x']", "['x', 'w']") + "reference = '-1/x'",
            r"hw3.toml: exercise 1 \('w'\): key 'given' names 'w', which world 'toy' does not have; write one of .*x",
        ),
        (
            ENTRY + "reference = '-1/x'\n[[exercise.mistakes]]\nkey = 'sign'\nformula = '1/(x'\nmessage = 'm'",
            r"exercise 1 \('w'\): mistake 1 \('sign'\): key 'formula' '1/\(x' cannot be read: .*; fix the formula",
        ),
        (ENTRY + "reference = '-1/x'\nseed = -1", r"exercise 1 \('w'\): key 'seed' must be a whole number >= 0"),
        (
            ENTRY + "reference = '-1/x'\ntarget = 'dz/dq'",
            r"exercise 1 \('w'\): key 'target' names 'dz/dq', which world 'toy' does not have",
        ),
        (ENTRY + "reference = '-1/x'\nanswer = 'numbers'", r"key 'answer' must be \"any\" \(a number or a formula\) or \"number\""),
    ],
)
def test_an_entry_in_the_built_in_form_is_checked(tmp_path: Path, text: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        exercises.load(toml(tmp_path, "[[exercise]]\nname = 'w'\n" + text + "\n"))


def test_a_vector_of_one_entry_takes_its_number() -> None:
    """k = 1: ∇_{a_L}L is a vector of one number, and the number itself is the same answer."""
    ex = exercises.from_network(
        "one", sizes=[3, 2, 1], activation="relu", loss="squared_error", target="grad_a_2", given=["yhat", "y"], question="q"
    )
    assert ex.shape == "a vector of 1 number (k)"
    value = float(ex.solution_value()[0])
    assert all(ex.check(a).correct for a in (f"{value:.7g}", value, [value], "2*(yhat_1 - y_1)", "2*(yhat - y)"))
    assert ex.check(-value).mistake == "sign" and ex.check("yhat_1 - y_1").mistake == "missing_factor"


def test_an_expression_question_names_no_number_another_seed_changes() -> None:
    ex = exercises.from_expression("toy", "z = log(y1/y2); y1 = x**2; y2 = x**3", target="dz/dx", at={"x": 2.0})
    assert ex.question.endswith("Find dz/dx at the given x.") and "x = 2" not in ex.new(3).question
    with pytest.warns(UserWarning, match="the question says x = 2, but other seeds"):
        exercises.from_expression("toy2", "z = x**2", target="dz/dx", at={"x": 2.0}, question="Find dz/dx at x = 2.")


def test_a_formula_with_an_unclosed_brace_says_so() -> None:
    with pytest.raises(exercises.AnswerError, match=r"'\{' is never closed: add '\}' at position 17"):
        exercises.get("4.7-weight").check("dL/da_{2,2} * h_{1,3")


def test_an_exercise_that_asks_for_the_number_refuses_a_formula() -> None:
    from dataclasses import replace

    ex = replace(exercises.get("4.6-hidden"), answer="number")
    copied = ex.check("W_3^T @ grad_a_3")  # right on every student's numbers: a copied formula gives nothing away
    assert not copied.correct and copied.mistake == "number_asked"
    assert "asks for the number" in copied.message and "W_3" not in copied.message
    assert ex.check(ex.solution_value().tolist()).correct  # a number (a list) is checked as before
    assert ex.check(str(ex.solution_value().tolist())).correct  # so is a list written as text
    assert exercises.get("4.6-hidden").check("W_3^T @ grad_a_3").correct  # the default still takes a formula


def test_the_default_reference_uses_only_the_given_names() -> None:
    net = exercises.from_network("n", sizes=[2, 3, 2], activation="tanh", target="grad_W_1", given=["x", "a_1", "h_1", "W_2", "grad_a_2"])
    assert net.reference == "((W_2^T @ grad_a_2) * g'(a_1)) @ x^T" and net.check(net.reference).correct
    assert exercises.from_network("n", sizes=[2, 3, 2], target="grad_W_1", given=["x", "grad_a_1"]).reference == "grad_a_1 @ x^T"
    toy = exercises.from_expression("t", "z = log(y1/y2); y1 = x**2; y2 = x**3", target="dz/dx", at={"x": 2.0}, given=["x", "y1"])
    assert "y2" not in toy.reference and "y1" in toy.reference and toy.check(toy.reference).correct
    for ex in (net, toy):  # a student can type the reference: every name in it is one the question gives
        assert ex.check(ex.reference).correct and ex.new(5).check(ex.reference).correct


def test_a_missing_value_in_python_does_not_speak_of_the_command_line() -> None:
    with pytest.raises(ValueError, match="at does not give") as info:
        exercises.from_expression("t", "z = x * b", target="dz/dx", at={"x": 1.0})
    assert "--at" not in str(info.value) and "b: NUMBER" in str(info.value)


def test_answer_number_in_python_and_toml(tmp_path: Path) -> None:
    toy = exercises.from_expression("t", "z = x**2", target="dz/dx", at={"x": 3.0}, answer="number")
    assert toy.answer == "number" and toy.check("2*x").mistake == "number_asked" and toy.check("6").correct
    assert "takes numbers, not a formula" in str(toy) and "takes numbers, not a formula" in toy._repr_markdown_()
    assert "or a formula" in str(exercises.get("4.6-hidden"))  # the question says what the exercise takes
    net = exercises.from_network("n", sizes=[2, 2], target="a_1", given=["W_1", "b_1", "x"], answer="number")
    assert net.check("b_1 + W_1 @ x").mistake == "number_asked" and net.check(net.solution_value().tolist()).correct
    text = HW3.replace("at = { x = 2.0 }", 'at = { x = 2.0 }\nanswer = "number"')
    loaded = exercises.load(toml(tmp_path, text))
    assert [e.answer for e in loaded] == ["any", "number"]
    assert loaded[1].check("-1/x").message.startswith("This exercise asks for the number")
    entry = "[[exercise]]\nname = 'w'\n" + ENTRY + "reference = '-1/x'\nanswer = 'number'\n"
    assert exercises.load(toml(tmp_path, entry, "w.toml"))[0].check("-1/x").mistake == "number_asked"


def test_a_teachers_exercise_says_what_a_built_in_one_says() -> None:
    """from_network/from_expression take the Exercise fields a catalogue entry gives, as overrides of their defaults."""
    net = exercises.from_network(
        "w",
        sizes=[2, 3, 2],
        target="dL/dW_{2,1,3}",
        given=["h_1", "grad_a_2"],
        asks="∂L/∂W_213",
        asks_tex=r"\frac{\partial L}{\partial W_{213}}",
        shape="one number",
        hint="Downstream = upstream × local.",
        accepts=["∂L/∂a_{2,1} · h_{1,3}", r"\frac{\partial L}{\partial a_{2,1}} h_{1,3}"],
        forbidden=["g'"],
        neighbours=False,
        asked="dL/dW_{2,1,3}",
        slips=[("no_h", "dL/da_{2,1}", "h_{1,3} is missing."), ("no_h", "dL/da_{2,1} * 2", "Still no h_{1,3}.")],
    )
    assert (net.asks, net.shape, net.hint, net.neighbours, net.asked) == (
        "∂L/∂W_213",
        "one number",
        "Downstream = upstream × local.",
        False,
        "dL/dW_2,1,3",
    )
    assert net.forbidden == frozenset({"gprime"}) and len(net.accepts) == 2 and net.paths == "W_2,1,3"
    assert [m.message for m in net.mistakes] == ["h_{1,3} is missing.", "Still no h_{1,3}."]  # one key, two messages
    assert net.check("dL/da_{2,1} * 2").mistake == "no_h" and net.check("dL/da_{2,1} * h_{1,3}").correct
    assert exercises.from_network("d", sizes=[2, 3, 2], target="dL/dW_{2,1,3}").neighbours  # the default stays
    toy = exercises.from_expression(
        "t", "z = log(y1/y2); y1 = x**2; y2 = x**3", target="dz/dx", at={"x": 2.0}, defined=["dz/dy1"], path_examples=["(1/y1) * (2*x)"]
    )
    assert toy.defined == ("dz/dy_1",) and toy.path_examples == ("(1/y1) * (2*x)",) and toy.paths == "x"


@pytest.mark.parametrize(
    ("make", "error", "words"),
    [
        (
            lambda: exercises.from_network("n", sizes=[2, 2], target="grad_W_1", accepts=["x"]),
            ValueError,
            "accepts 'x' disagrees with the engine",
        ),
        (
            lambda: exercises.from_network("n", sizes=[2, 2], target="grad_W_1", neighbours=True),
            ValueError,
            "neighbours: ∇_{W_1}L has no indices",
        ),
        (
            lambda: exercises.from_network("n", sizes=[2, 2], target="grad_W_1", forbidden=["arcsin"]),
            ValueError,
            "forbidden: 'arcsin' is not a function",
        ),
        (
            lambda: exercises.from_network("n", sizes=[2, 2], target="grad_W_1", defined=["q"]),
            ValueError,
            "defined name 'q' is not a quantity",
        ),
        (lambda: exercises.from_network("n", sizes=[2, 2], target="grad_W_1", paths="q"), ValueError, "paths 'q' is not a node"),
        (
            lambda: exercises.from_network("n", sizes=[2, 2], target="grad_W_1", path_examples=["x +"]),
            ValueError,
            "path_examples: the formula",
        ),
        (
            lambda: exercises.from_network("n", sizes=[2, 2], target="grad_W_1", update="W_1"),
            TypeError,
            "unexpected keyword argument 'update'",
        ),
        (
            lambda: exercises.from_network("n", sizes=[2, 2], target="grad_W_1", accepts="x"),
            TypeError,
            "accepts must be a list of formulas",
        ),
        (
            lambda: exercises.from_network("n", sizes=[2, 2], target="a_1", slips=[("k", "x")]),
            ValueError,
            "slip 1 must be \\(key, formula, message\\)",
        ),
        (
            lambda: exercises.from_expression("e", "z = x**2", target="dz/dx", at={"x": 1.0}, neighbours=True),
            ValueError,
            "neighbours: dz/dx has no indices",
        ),
    ],
)
def test_a_field_that_does_not_fit_is_named(make: object, error: type, words: str) -> None:
    with pytest.raises(error, match=words):
        make()  # type: ignore[operator]


def test_the_default_reference_tex_names_each_op_as_notation_does_and_reads_back() -> None:
    """The LaTeX of a default reference writes each op's name as notation.UNARY_OPS does (sqrt was ``\\sqrt(x)``, a
    root over a bracket, which read back as an empty list)."""
    ex = exercises.from_expression("s", "z = sqrt(x) + exp(x) * tanh(x)", target="dz/dx", at={"x": 4.0})
    assert r"\operatorname{sqrt}(x)" in ex.reference_tex and r"\exp(x)" in ex.reference_tex and r"\sqrt(" not in ex.reference_tex
    assert ex.check(ex.reference_tex).correct and ex.new(7).check(ex.reference_tex).correct
