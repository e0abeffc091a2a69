"""Exercises: the right answer accepted in every form, each slip named by its key, bad answers one clear error."""

from __future__ import annotations

import functools
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from micrograd_nptel import exercises, explain
from micrograd_nptel.draw.style import NEGATIVE, POSITIVE
from micrograd_nptel.exercises import MISTAKES, AnswerError, Exercise, catalogue, diagnosis_rates, get
from micrograd_nptel.exercises.formula import Context, canonical, display, evaluate, read

NOTEBOOKS = [
    "01_chain_rule",
    "02_feedforward_network",
    "03_chain_to_a_weight",
    "04_output_units",
    "05_hidden_units",
    "06_weights_and_biases",
    "07_training",
]


def test_the_catalogue_covers_the_lecture_in_order() -> None:
    names = [e.name for e in catalogue()]
    assert len(names) >= 14 and len(set(names)) == len(names)
    for nb in NOTEBOOKS:
        assert len(catalogue(nb)) >= 2, nb
    # the lecture's worked results, each by its name
    for name in ("BP1-chain", "BP1-upstream", "4.6-toy", "4.5-yhat", "4.5-output", "4.5-softmax", "4.6-hidden-unit", "4.6-hidden"):
        assert name in names
    for name in (
        "4.6-preactivation",
        "4.7-weight",
        "4.7-weights",
        "4.7-bias",
        "4.4-weight",
        "4.9-logistic",
        "4.9-tanh",
        "4.8-step",
        "4.2-update",
    ):
        assert name in names
    order = [NOTEBOOKS.index(e.notebook) for e in catalogue()]
    assert order == sorted(order)
    for e in catalogue():
        assert all(m.key in MISTAKES for m in e.mistakes), e.name
        assert e.module.startswith(("CS7015 Lecture 4, Module 4.", "IIT Hyderabad Backpropagation-1"))


@functools.lru_cache(maxsize=1)
def _rates_20() -> tuple[exercises.Rate, ...]:
    """The README's measurement, made once for the tests that read it: the catalogue and a teacher's three exercises."""
    return tuple(diagnosis_rates(range(20), exercises=[*catalogue(), *exercises.teacher_examples()]))


def test_diagnosis_rates_over_20_seeds() -> None:
    """Every exercise, 20 seeds: no wrong answer judged correct, every correct form accepted, the slips named (>= 90%)."""
    rows = list(_rates_20())
    summary = exercises.rate_summary(rows)
    assert summary["refused"][0] == summary["refused"][1] > 0  # a wrong answer judged correct: never
    assert summary["accepted"][0] == summary["accepted"][1] > 0
    assert summary["named"][0] >= 0.9 * summary["named"][1]
    low = [r for r in rows if r.diagnosed < 19 * r.seeds / 20]
    assert not low, low
    for e in catalogue():
        forms = {r.form for r in rows if r.exercise == e.name and r.mistake == "accepted"}
        assert {"number", "formula", "display", "library"} <= forms, e.name
        assert any(r.exercise == e.name and r.form == "mutant" for r in rows), e.name
        assert any(r.exercise == e.name and r.mistake == "refused" for r in rows), e.name
    keys = {r.mistake for r in rows}
    for key in (
        "missing_paths",
        "paths_multiplied",
        "sign",
        "missing_g_prime",
        "g_prime_at_h",
        "g_for_g_prime",
        "transpose",
        "wrong_layer",
        "one_step_off",
        "softmax_diagonal",
        "index_shift",
        "sum_for_product",
        "wrong_point",
    ):
        assert key in keys, key
    assert all(r.seeds >= 19 for r in rows if r.form not in ("rounding", "number", "perturbed", "transposed"))


def test_the_readme_table_is_the_measured_one() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert exercises.rates_table(list(_rates_20())) in readme


def test_the_answer_comes_from_the_engine_and_new_changes_the_numbers() -> None:
    ex = get("4.7-weights")
    other = ex.new(5)
    assert other.seed == 5 and other.name == ex.name
    assert not np.allclose(ex.solution_value(), other.solution_value())
    mlp = ex.context().extra["model"]
    engine = np.array([[w.grad for w in row] for row in mlp.layers[1].W])
    np.testing.assert_array_equal(ex.solution_value(), engine)
    assert ex.solution_value().shape == (3, 3)
    assert get("4.6-hidden").solution_value().shape == (3,)
    assert isinstance(get("4.4-weight").solution_value(), float)
    with pytest.raises(ValueError, match=">= 0"):
        ex.new(-1)
    with pytest.raises(TypeError, match="int"):
        ex.new(1.5)  # type: ignore[arg-type]


def test_seed_0_is_the_notebooks_numbers() -> None:
    ctx = get("BP1-upstream").context().values
    assert (float(ctx["x"]), float(ctx["y"]), float(ctx["z"]), float(ctx["dL/df"])) == (-2.0, 3.0, 1.0, -2.0)
    assert get("BP1-upstream").solution_value() == -6.0  # notebook 01's ∂L/∂x
    assert get("4.6-toy").solution_value() == pytest.approx(-0.5)  # dz/dx = -1/x at x = 2


def test_a_formula_that_matches_one_number_by_accident_is_refused() -> None:
    ex = get("4.7-weight")
    value = ex.solution_value()
    fb = ex.check(f"{value!r} / h_{{1,1}} * h_{{1,1}}")
    assert not fb.correct and "by accident" in fb.message
    assert ex.check(repr(value)).correct  # a number alone is checked on the question's numbers only


def test_missing_paths_are_named_by_the_units_they_pass_through() -> None:
    ex = get("4.4-weight")
    d = explain(ex.context().extra["root"], ex.context().extra["nodes"]["W_1,1,1"], model=ex.context().extra["model"])
    partial = math.fsum(p.product for p in d.paths if p.nodes[3].label != "h_{2,2}")
    fb = ex.check(partial)
    assert fb.mistake == "missing_paths"
    assert "You have the 4 paths through h_{2,1} and h_{2,3}; the 2 paths through h_{2,2} are missing" in fb.message


@pytest.mark.parametrize(
    ("name", "answer", "key", "words"),
    [
        ("4.6-hidden", "W_3 @ grad_a_3", "transpose", "2 x 3 @ 2 x 1"),
        ("4.7-weights", "h_1 @ grad_a_2^T", "transpose", "∇_{a_2}L h_1^T"),
        ("4.6-preactivation", "grad_h_2", "missing_g_prime", "g'(a_2)"),
        ("4.6-preactivation", "grad_h_2 ⊙ g'(h_2)", "g_prime_at_h", "evaluated at h_2"),
        ("4.5-output", "-(1 - yhat_l) * e(l)", "softmax_diagonal", "i ≠ l"),
        ("4.5-softmax", "diag(ŷ ⊙ (1 - ŷ))", "softmax_diagonal", "i ≠ j"),
        ("4.7-weight", "dL/da_{2,2} * h_{2,3}", "wrong_layer", "h_{1,3}"),
        ("4.6-toy", "(1/y1)*(2*x)", "missing_paths", "the path through y_2 is missing"),
        ("BP1-chain", "e^(sin(x^2)) * cos(x^2)", "missing_factor", "2x"),
    ],
)
def test_slips_are_named_in_the_slides_notation(name: str, answer: str, key: str, words: str) -> None:
    if "e^(" in answer:
        answer = answer.replace("e^(sin(x^2))", "exp(sin(x^2))")
    fb = get(name).check(answer)
    assert not fb.correct and fb.mistake == key, fb
    assert words in fb.message, fb.message


def test_index_shift_and_rounding() -> None:
    ex = get("4.7-weight")
    neighbour = float(ex.context().values["dL/dW_2,2,2"])
    fb = ex.check(neighbour)
    assert fb.mistake == "index_shift" and "∂L/∂W_{2,2,2}" in fb.message
    value = ex.solution_value()
    rounded = float(f"{value:.3g}")
    fb = ex.check(rounded)
    assert fb.correct and fb.mistake == "rounding" and "3 significant digits" in fb.message
    fb = ex.check(-value * 1.0004)  # a sign slip, rounded
    assert fb.mistake == "sign" and "(to rounding)" in fb.message
    fb = ex.check(-value * 1.004)  # a sign slip, rounded too early
    assert fb.mistake == "sign" and not fb.correct


def test_far_off_answers_say_how_far_and_which_entries() -> None:
    ex = get("4.7-weights")
    wrong = ex.solution_value().copy()
    wrong[1, 2] += 1.0
    fb = ex.check(wrong)
    assert not fb.correct and fb.mistake is None
    assert "1 of 9 entries differ" in fb.message and "(2,3)" in fb.message
    fb = get("4.4-weight").check(1.0)
    assert "times that" in fb.message


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        ("W_3 ^^ 2", "cannot read"),
        ("W_3 % 2", "cannot read '%' at position 5"),
        ("grad_q_7", "not a name in this exercise"),
        ("grad_W_1", "is not given in this exercise"),
        ("[[1, 2, 3], [4, 5]]", "same length"),
        ("nan", "NaN is not an answer"),
        ("1e999", "too large"),
        ("__import__('os')", "not a name"),
        ("(lambda: 1)()", "not a name"),
        ("W_12", "W takes one index"),
        ("", "empty"),
        ("x" * 3000, "at most 2000"),
        ("9" * 1500, "too large for a float"),
        ("[" + "9" * 400 + "]", "too large for a float"),
        ("-" * 1990 + "W_3", "nested too deeply"),
    ],
)
def test_bad_answers_are_one_clear_error(answer: str, words: str) -> None:
    with pytest.raises(AnswerError, match=None) as info:
        get("4.6-hidden").check(answer)
    assert words.lower() in str(info.value).lower(), str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("answer", [None, True, float("nan"), [1.0, float("inf"), 0.0], [[1, 2], [3]], {"a": 1}, "abc"])
def test_bad_python_answers_raise_answer_error(answer: object) -> None:
    with pytest.raises(AnswerError):
        get("4.6-hidden").check(answer)


def test_shapes_are_named() -> None:
    ex = get("4.7-weights")
    fb = ex.check([1.0, 2.0, 3.0])
    assert fb.mistake == "shape" and "3 x 3" in fb.message and "3 x 1" in fb.message
    fb = get("4.6-hidden").check(0.5)
    assert fb.mistake == "shape" and "a vector of 3 numbers" in fb.message
    fb = get("4.6-hidden").check("grad_a_3 * W_3")
    assert fb.mistake in ("shape", "transpose") and "2 x 1" in fb.message and "2 x 3" in fb.message


def test_placeholder_is_a_request_not_an_error() -> None:
    fb = get("4.6-hidden").check(...)
    assert fb.placeholder and not fb.correct and "Replace ... with your answer" in fb.message
    assert "Your turn" in fb._repr_html_()


def test_forbidden_function_and_display() -> None:
    with pytest.raises(AnswerError, match="what this exercise asks"):
        get("4.9-logistic").check("g'(z)")
    assert get("4.9-logistic").check("sigmoid(z) * (1 - sigmoid(z))").correct
    assert get("4.9-tanh").check("1 - tanh(z)^2").correct
    ex = get("4.4-weight")
    text, latex, md = str(ex), ex._repr_latex_(), ex._repr_markdown_()
    assert "∂L/∂W_{1,1,1}" in text and "W_3 =" in text and "a number" in text
    assert r"\frac{\partial \mathcal{L}}{\partial W_{1,1,1}}" in md and latex == md
    fb = ex.check(ex.reference)
    assert fb.correct and "#2e7d32" in fb._repr_html_()
    assert "#c62828" in ex.check(0.0)._repr_html_()
    sol = ex.solution()
    assert sol.derivation is not None and "6 paths" in str(sol)


def test_grammar_short_forms_and_unicode() -> None:
    ctx = get("4.4-weight").context()
    assert canonical("W_111", ctx) == canonical("W_{1,1,1}", ctx) == "W_1,1,1"
    assert canonical("h22", ctx) == "h_2,2" and canonical("h_0", ctx) == "x"
    assert canonical("∂L/∂W_{1, 1, 1}", ctx) == canonical("grad_W_111", ctx) == "dL/dW_1,1,1"
    assert canonical("ŷ_l", ctx) == "yhat_l" and canonical("yhat_1", ctx) == "yhat_1"  # ŷ_l: entry l of each network
    assert ctx.values["yhat_l"] == ctx.values["yhat_1"]  # l = 1 at seed 0
    assert canonical("a_{L,1}", ctx) == "a_3,1"
    v1 = evaluate(read("W_3ᵀ @ grad_a_3", ctx), ctx)
    v2 = evaluate(read("W_3^T @ ∇_a_3", ctx), ctx)
    np.testing.assert_array_equal(v1, v2)
    assert display("grad_a_2 @ h_1^T", ctx) == "∇_{a_2}L h_1ᵀ"
    assert display("dL/da_{2,2} * h_{1,3}", ctx) == "∂L/∂a_{2,2}·h_{1,3}"


def test_evaluation_never_runs_python() -> None:
    ctx = Context({"x": np.array(2.0)}, root="f")
    for text in ("x.__class__", "[x for x in ()]", "x if x else x", "{}", "x[0]", "print(x)"):
        with pytest.raises(AnswerError):
            evaluate(read(text, ctx), ctx)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "micrograd_nptel", "exercise", *args], capture_output=True, text=True, timeout=120)


def test_command_line_exit_codes() -> None:
    listed = _cli()
    assert listed.returncode == 0 and all(e.name in listed.stdout for e in catalogue())
    question = _cli("4.7-weight", "--seed", "3")
    assert question.returncode == 0 and "∂L/∂W_{2,2,3}" in question.stdout and "--answer" in question.stdout
    ex = get("4.7-weight", seed=3)
    assert _cli("4.7-weight", "--seed", "3", "--answer", ex.reference).returncode == 0
    assert _cli("4.7-weight", "--seed", "3", "--answer", repr(ex.solution_value())).returncode == 0
    wrong = _cli("4.7-weight", "--seed", "3", "--answer", "-dL/da_{2,2} * h_{1,3}")
    assert wrong.returncode == 1 and "[sign]" in wrong.stdout
    minus = _cli("4.5-output", "--answer", "-1/yhat")  # a formula starting with '-' needs no '--'
    assert minus.returncode == 1
    bad = _cli("4.7-weight", "--answer", "dL/da_{2,2} * h_{1,3")
    assert bad.returncode == 2 and "position" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1 and "Traceback" not in bad.stderr
    unknown = _cli("4.7-weigth")
    assert unknown.returncode == 2 and "4.7-weight" in unknown.stderr
    assert _cli("4.7-weight", "--solution").returncode == 0


def test_exercise_is_documented() -> None:
    for obj in (Exercise, Exercise.check, Exercise.new, Exercise.solution, Exercise.solution_value, catalogue, get, diagnosis_rates):
        assert obj.__doc__ and len(obj.__doc__) > 40, obj


def test_the_slides_way_of_writing_is_read() -> None:
    ex = get("BP1-chain")
    assert ex.check("e^{sin(x^2)} * cos(x^2) * 2*x").correct  # e as a number, braces as grouping
    assert ex.check("e^{sin(x^2)} * cos(x^2) * 2x").correct  # 2x: a product written as the slides write it
    assert get("4.5-output").check("-(e(l) - ŷ)").correct  # e(l) is still the one-hot vector


def test_pictures_show_the_question_without_giving_the_answer_away() -> None:
    for name in ("BP1-chain", "BP1-upstream", "4.6-toy", "4.9-logistic"):
        src = get(name).picture().source
        assert "data" in src and "grad" not in src, name  # values only: no grad, no local derivative on an edge
    ex = get("4.4-weight")
    src = ex.picture().source
    edges = [line for line in src.splitlines() if "->" in line]
    assert "∇ ?" in src and edges  # every ∇ unknown
    assert not any(POSITIVE in e or NEGATIVE in e for e in edges)  # no weight coloured by its gradient's sign
    assert f"{ex.solution_value():.4g}" not in src


PIECES = list("Wahbxyz_{}0123,^T@*+-/() .lLge'[]")
PIECES += ["grad_", "dL/d", "yhat", "exp", "diag", "e(l)", "ᵀ", "⊙", "∂L/∂", "**", "sum", "9" * 400]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=20), st.sampled_from([e.name for e in catalogue()]))
def test_any_text_is_a_feedback_or_one_clear_error(pieces: list[str], name: str) -> None:
    """Whatever a student types: a Feedback, or an AnswerError of one line; never another exception."""
    try:
        fb = get(name).check("".join(pieces))
    except AnswerError as e:
        assert "\n" not in str(e)
    else:
        assert isinstance(fb.message, str) and fb.message


@pytest.mark.parametrize(
    "module",
    [
        "micrograd_nptel.exercises",
        *(f"micrograd_nptel.exercises.{m}" for m in ("authoring", "check", "feedback", "formula", "grading", "loader", "rates")),
        *(f"micrograd_nptel.exercises.{m}" for m in ("steps", "worlds")),
        *(f"micrograd_nptel.{m}" for m in ("authoring", "formula", "grading", "worlds")),
    ],
)
def test_every_module_of_the_exercises_imports_first_in_a_fresh_interpreter(module: str) -> None:
    """No import cycle: each module is importable on its own, the old paths (formula, grading, ...) included."""
    done = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]


def test_the_grammar_a_question_points_to_is_there_after_importing_the_package() -> None:
    code = "import micrograd_nptel; print('The grammar' in micrograd_nptel.formula.__doc__)"  # help(micrograd_nptel.formula)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "True", done.stderr[-2000:]


def test_the_old_import_paths_give_the_same_objects() -> None:
    from micrograd_nptel import authoring, formula, grading, worlds
    from micrograd_nptel.exercises import formula as grammar

    assert formula.read is grammar.read and formula.AnswerError is exercises.AnswerError
    assert formula.__doc__ == grammar.__doc__ and "The grammar" in (formula.__doc__ or "")  # what help(...) shows a student
    assert grading.grade_file is exercises.grading.grade_file and authoring.load is exercises.load
    assert worlds.NetworkWorld is exercises.NetworkWorld
    assert all(hasattr(m, name) for m in (authoring, formula, grading, worlds) for name in m.__all__)


def test_no_catalogue_message_holds_a_placeholder_but_formula() -> None:
    """A slip's message is shown with ``{formula}`` filled in and nothing else: a ``{g}`` would reach the student as it is.

    Braces after ``_`` or ``^`` are the slides' indices and powers (``W_{1,1,1}``, ``e^{-z}``), not placeholders."""
    import re

    placeholder = re.compile(r"(?<![_^\\\w])\{([A-Za-z_]\w*)\}")
    found = [(e.name, m.key, hole) for e in catalogue() for m in e.mistakes for hole in placeholder.findall(m.message) if hole != "formula"]
    assert found == []
    texts = [(e.name, t) for e in catalogue() for t in (e.title, e.question, e.asks, e.hint)]
    assert [(name, t) for name, t in texts if placeholder.search(t)] == []
    four_four = next(m for m in get("4.4-thin").mistakes if m.key == "missing_g_prime")
    assert "logistic" in four_four.message
