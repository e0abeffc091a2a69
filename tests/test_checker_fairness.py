"""The checker decides like a careful grader (issue 32): no wrong formula accepted on other students' numbers, every
form the library writes accepted back, numbers judged at the precision they were printed with, feedback that names
what is wrong."""

from __future__ import annotations

import functools
import re

import numpy as np
import pytest

from micrograd_nptel import exercises
from micrograd_nptel.exercises import AnswerError, catalogue, get
from micrograd_nptel.exercises.rates import library_forms, mutants, teacher_examples, wrongly_accepted_mutants

SEEDS = range(200)


@functools.cache
def student(exercise: str | exercises.Exercise, seed: int) -> exercises.Exercise:
    """``exercise`` (a name, or an Exercise) on ``seed``'s numbers, made once for this module: the tests that check the
    same students share each one's deciding worlds (which the library caches on the Exercise) instead of drawing them
    again. Seed 0 of a name is the built-in exercise itself, as ``get(name)`` gives it."""
    base = get(exercise) if isinstance(exercise, str) else exercise
    return base if seed == base.seed else base.new(seed)


@pytest.fixture(scope="module")
def teachers() -> dict[str, exercises.Exercise]:
    return {ex.name: ex for ex in teacher_examples()}


# ---------------------------------------------------------------------- wrong answers called correct: none


def test_a_relu_formula_without_g_prime_is_refused_for_every_student(teachers: dict[str, exercises.Exercise]) -> None:
    ex = teachers["teacher-relu"]
    wrong = "e(2,3)^T @ (W_2^T @ grad_a_2) * x_1"  # g'(a_1) left out: right only while a_{1,2} > 0
    assert not [s for s in SEEDS if student(ex, s).check(wrong).correct]
    assert all(student(ex, s).check(ex.reference).correct for s in range(20))


def test_abs_of_one_factor_is_refused_for_every_student() -> None:
    thin, logistic = get("4.4-thin"), get("4.9-logistic")
    assert not [s for s in SEEDS if student(thin, s).check("2*(yhat - y) * W_3 * g'(a_2) * abs(W_2) * g'(a_1) * x").correct]
    assert not [s for s in SEEDS if student(logistic, s).check("g(abs(z)) * (1 - g(z))").correct]


def test_a_formula_wrong_for_one_class_only_is_refused_for_every_student(teachers: dict[str, exercises.Exercise]) -> None:
    ex = teachers["teacher-5-class"]
    assert not [s for s in SEEDS if student(ex, s).check("yhat - e(l) + sum(e(l)*e(3))*0.1").correct]
    assert all(student(ex, s).check("yhat - e(l)").correct for s in range(20))


@pytest.mark.parametrize("seed", range(10))
def test_the_deciding_worlds_show_every_class_every_relu_unit_and_both_signs(teachers: dict[str, exercises.Exercise], seed: int) -> None:
    for base in (teachers["teacher-relu"], teachers["teacher-5-class"], get("4.4-thin"), get("4.9-logistic")):
        ex = student(base, seed)
        worlds = ex.deciding_worlds()
        assert len(worlds) >= 3 + ex.POOL
        if worlds[0].label is not None:
            assert {w.label for w in worlds} == set(range(1, worlds[0].k + 1))
        for name in ex._relu_units(worlds[0]):
            assert {bool(w.values[name] > 0) for w in worlds} == {True, False}, name
        for name in ("W_2", "z", "x_1", "dL/da_2,1"):
            if name in worlds[0].values and worlds[0].values[name].size == 1 and name in {*ex.given, *ex._given_entries(worlds[0])}:
                signs = {float(np.sign(w.values[name].reshape(()))) for w in worlds}
                assert {-1.0, 1.0} <= signs, (ex.name, name, signs)


def test_no_mutant_of_a_reference_is_accepted_unless_it_equals_the_answer_elsewhere(teachers: dict[str, exercises.Exercise]) -> None:
    every = [*catalogue(), *teachers.values()]
    wrong = {(e.name, seed): found for e in every for seed in range(3) if (found := wrongly_accepted_mutants(e, seed))}
    assert not wrong, wrong
    assert all(mutants(e) for e in every)  # every exercise is swept (diagnosis_rates' 20 seeds count the same)
    assert sum(len(mutants(get(e.name))) for e in catalogue()) > 300  # the sweep is not empty


# ---------------------------------------------------------------------- right answers refused: none


@pytest.mark.parametrize("name", [e.name for e in catalogue()])
def test_everything_the_library_writes_as_the_solution_is_accepted_back(name: str) -> None:
    for seed in range(20):
        ex = student(name, seed)
        for form in library_forms(ex):
            fb = ex.check(form)
            assert fb.correct, (seed, form, fb)


@pytest.mark.parametrize(
    ("name", "answer"),
    [
        ("4.6-hidden", r"W_3^\top \nabla_{a_3} L"),
        ("4.6-hidden", "W_3ᵀ ∇_{a_3}L"),
        ("BP1-upstream", r"\frac{\partial L}{\partial f} y"),
        ("4.9-logistic", r"\sigma(z)(1-\sigma(z))"),
        ("4.9-logistic", "σ(z)(1 - σ(z))"),
        ("4.6-preactivation", r"\nabla_{h_2} L \odot g'(a_2)"),
        ("4.9-tanh", r"1 - \tanh^2(z)"),
        ("4.9-tanh", "1 - tanh²(z)"),
        ("4.5-yhat", r"-\frac{1}{\hat{y}_l} e(l)"),
        ("4.5-softmax", r"\mathrm{diag}(\hat{y}) - \hat{y}\hat{y}^T"),
        ("4.5-softmax", r"\left(\operatorname{diag}(\hat{y}) - \hat{y}\,\hat{y}^{\top}\right)"),
        ("4.1-preactivation", "b_2 + W_2 h_1"),
        ("4.7-weights", "∇_{a_2}L h_1^T"),
        ("4.2-update", "W_1 - η ∇_{W_1}L"),
        ("4.6-hidden-unit", "(W_3^T @ grad_a_3)_2"),
        ("4.6-hidden-unit", r"\sum_{m=1}^{2} \frac{\partial L}{\partial a_{3,m}} W_{3,m,2}"),
        ("4.7-weight", "grad_a_2[2] * h_1[3]"),
        ("4.7-bias", "[dL/da_{2,1}, dL/da_{2,2}, dL/da_{2,3}]"),
        ("4.6-hidden", "∇_{h_2}L = W_3ᵀ ∇_{a_3}L"),
        ("4.6-hidden", r"\nabla_{h_2}\mathcal{L} = W_3^T \nabla_{a_3}\mathcal{L}"),
        ("4.5-output", r"\begin{bmatrix} 1 \\ 0 \end{bmatrix}" + " * 0 + ŷ - e(l)"),
    ],
)
def test_latex_juxtaposition_entries_and_equations_are_read(name: str, answer: str) -> None:
    for seed in (0, 7):
        fb = student(name, seed).check(answer)
        assert fb.correct, (seed, fb)


def test_printed_numbers_put_into_a_formula_are_read_as_what_they_print() -> None:
    assert get("BP1-chain").check("exp(sin(0.64)) * cos(0.64) * 1.6").correct  # literals only: a number
    assert get("BP1-chain").check("exp(sin(x^2)) * cos(x^2) * 2 * 0.8").correct  # x = 0.8 typed
    assert get("4.9-logistic").check("sigmoid(0.5) * (1 - sigmoid(0.5))").correct
    for seed in range(10):
        ex = student("4.2-update", seed)
        eta = float(ex.context().values["eta"])
        fb = ex.check(f"W_1 - {eta:g} * grad_W_1")
        assert fb.correct and "as η" in fb.message, fb
        ex = student("4.7-weight", seed)
        g = float(ex.context().values["dL/da_2,2"])
        assert ex.check(f"{g:.6g} * h_{{1,3}}").correct
    assert not get("4.6-toy", 0).check("(1/y1)*(2+x) - (1/y2)*(3*x^2)").correct  # a whole number is never read as x = 2


def test_work_with_every_printed_digit_is_accepted_without_blame() -> None:
    fb = get("4.6-hidden", 498).check("[0.307054, 0.526009, -0.000366901]")  # W_3^T ∇ from the printed numbers
    assert fb.correct and fb.mistake is None, fb
    for seed in range(20):  # the printed W_3 and ∇_{a_3}L multiplied out in float64
        ex = student("4.6-hidden", seed)
        W, g = (np.array([[float(f"{t:.6g}") for t in row] for row in ex.context().values[n]]) for n in ("W_3", "dL/da_3"))
        assert ex.check((W.T @ g)[:, 0].tolist()).correct, seed


@pytest.mark.parametrize("seed", range(20))
def test_an_update_rounded_to_3_digits_is_rounding(seed: int) -> None:
    ex = student("4.2-update", seed)
    want = ex.solution_value()
    fb = ex.check([[float(f"{t:.3g}") for t in row] for row in want])
    assert fb.correct, fb


# ---------------------------------------------------------------------- feedback you can act on


def test_an_update_names_entries_not_updated_stepped_the_wrong_way_and_another_eta() -> None:
    ex = get("4.2-update", 0)
    old, new = np.asarray(ex.context().values["W_1"]), np.asarray(ex.solution_value())
    v = new.copy()
    v[0, 0] = old[0, 0]
    fb = ex.check(np.round(v, 6).tolist())
    assert fb.mistake == "no_step" and "(1,1)" in fb.message and "not updated" in fb.message, fb
    v = new.copy()
    v[1, 2] = 2 * old[1, 2] - new[1, 2]
    fb = ex.check(np.round(v, 6).tolist())
    assert fb.mistake == "sign" and "(2,3)" in fb.message and "wrong way" in fb.message, fb
    fb = ex.check(np.round(old + 0.9 * (new - old), 6).tolist())  # η = 0.09 for 0.1
    assert fb.mistake == "step_size" and "c = 0.9" in fb.message, fb


def test_sign_names_the_negated_answer_only() -> None:
    ex = get("4.6-hidden", 3)
    want = np.asarray(ex.solution_value())
    partly = want.copy()
    partly[0] = -partly[0]
    fb = ex.check(partly.tolist())
    assert not fb.correct and fb.mistake != "sign" and "entry 1" in fb.message, fb
    assert ex.check((-want).tolist()).mistake == "sign"


def test_a_formula_right_on_these_numbers_only_says_where_it_differs(teachers: dict[str, exercises.Exercise]) -> None:
    fb = student(teachers["teacher-relu"], 1).check("e(2,3)^T @ (W_2^T @ grad_a_2) * x_1")
    assert not fb.correct and fb.mistake == "missing_g_prime", fb  # a_{1,2} > 0 here: the slip shows on the others
    fb = student("4.4-thin", 1).check("2*(yhat - y) * W_3 * g'(a_2) * abs(W_2) * g'(a_1) * x")
    assert not fb.correct and ("other sign" in fb.message or fb.mistake == "sign"), fb


@pytest.mark.parametrize(
    "answer",
    ["(W_3^T @ grad_a_3)_9", "grad_a_3[2,1,1]", "sin x", "W_3 ∇_{a_3}L", "[W_3, 1]", "h_{1,3} = 0.5", r"\int W_3", "2 3"],
)
def test_messages_never_show_internal_tokens(answer: str) -> None:
    ex = get("4.6-hidden")
    try:
        text = str(ex.check(answer))
    except AnswerError as e:
        text = str(e)
    assert not re.search(r"_n\d|_f_|%", text), text


def test_a_latex_command_outside_the_list_is_named() -> None:
    with pytest.raises(AnswerError, match=r"\\int is not read here"):
        get("4.6-hidden").check(r"\int W_3")


def test_the_left_side_of_an_equation_must_be_the_quantity_asked() -> None:
    with pytest.raises(AnswerError, match="the left side"):
        get("4.6-hidden").check("∇_{a_2}L = W_3ᵀ ∇_{a_3}L")
    assert get("4.9-logistic").check("g'(z) = g(z)(1 - g(z))").correct


UNLISTED_SLIPS = [  # realistic wrong answers that no catalogue entry lists, and the key that names each
    ("4.1-preactivation", "W_2 @ h_1", "missing_factor"),  # the bias forgotten
    ("4.1-preactivation", "W_2 h_1", "missing_factor"),
    ("4.6-hidden", "W_3^T @ (grad_a_3 * e(1,2))", "missing_paths"),  # one term of ∇_h's sum left out
    ("4.6-hidden", "W_3^T @ (grad_a_3 * e(2,2))", "missing_paths"),
    ("4.6-hidden-unit", "dL/da_{3,1} * W_{3,1,2}", "missing_paths"),
    ("4.4-thin", "2*(yhat - y) * W_3 * (1-h_2^2) * W_2 * g'(a_1) * x", "wrong_function"),  # tanh' at one layer only
    ("4.4-thin", "2*(yhat - y) * W_3 * g'(a_2) * W_2 * (1-h_1^2) * x", "wrong_function"),
    ("4.4-thin", "(yhat - y) * W_3 * g'(a_2) * W_2 * g'(a_1) * x", "missing_factor"),  # the 2 of the square dropped
    ("4.4-thin", "0.5*2*(yhat - y) * W_3 * g'(a_2) * W_2 * g'(a_1) * x", "missing_factor"),
    ("4.6-toy", "2*x + (-1/y2)*(3*x^2)", "missing_factor"),  # ∂z/∂y_1 forgotten
    ("4.6-toy", "(1/y1)*(2*x) - 3*x^2", "missing_factor"),
    ("4.6-toy", "0.5*((1/y1)*(2*x) + (-1/y2)*(3*x^2))", "extra_factor"),  # an extra ½
    ("4.7-weight", "0.5 * dL/da_{2,2} * h_{1,3}", "extra_factor"),
    ("4.8-step", "(W_3^T @ grad_a_3)", "missing_g_prime"),
    ("4.6-preactivation", "grad_h_2 * h_2", "g_for_g_prime"),
    ("4.7-weights", "grad_a_2 @ x^T", "wrong_layer"),  # another layer's h
    ("4.7-weights", "grad_a_2 @ h_2^T", "wrong_layer"),
    ("BP1-chain", "exp(sin(x^2)) * cos(x^2)", "missing_factor"),
    ("BP1-chain", "exp(sin(x^2)) * cos(x) * 2*x", "wrong_point"),
    ("BP1-upstream", "y", "missing_factor"),  # the upstream gradient forgotten
    ("4.5-output", "yhat", "missing_factor"),
    ("4.9-logistic", "g(z) * (1 + g(z))", "sign"),
    ("4.9-tanh", "1 - z^2", "wrong_point"),
    ("4.2-update", "W_1 + eta * grad_W_1", "sign"),
    ("4.2-update", "W_1 - grad_W_1", "missing_factor"),  # η forgotten
]


def test_slips_the_catalogue_does_not_list_are_named() -> None:
    named = [
        (name, seed, answer) for name, answer, key in UNLISTED_SLIPS for seed in (0, 3) if student(name, seed).check(answer).mistake == key
    ]
    assert len(named) >= 0.9 * 2 * len(UNLISTED_SLIPS), set((n, a) for n, a, _ in UNLISTED_SLIPS) - {(n, a) for n, _, a in named}


# ---------------------------------------------------------------------- what an independent student pass found


def test_abs_behind_a_relu_unit_that_is_often_off_is_refused() -> None:
    ex = exercises.from_network(
        "t-relu-one",
        sizes=[3, 4, 3, 2],
        activation="relu",
        loss="cross_entropy",
        target="dL/dW_{1,3,2}",
        given=["x", "a_1", "h_1", "W_2", "grad_a_2"],
        question="q",
    )
    wrong = [
        "(W_2^T grad_a_2)_3 g'(a_{1,3}) abs(x_2)",
        "abs((W_2^T grad_a_2)_3) g'(a_{1,3}) x_2",
        "(abs(W_2)^T grad_a_2)_3 g'(a_{1,3}) x_2",
    ]
    for seed in (24, 33, 34):
        assert student(ex, seed).check("(W_2^T grad_a_2)_3 g'(a_{1,3}) x_2").correct
        assert not [w for w in wrong if student(ex, seed).check(w).correct], seed


@pytest.mark.parametrize(
    ("name", "answer"),
    [
        ("4.6-preactivation", "∇_{h_2}L ⊙ g(a_2)(1 - g(a_2))"),
        ("4.6-preactivation", "∇_{h_2}L ⊙ h_2(1-h_2)"),
        ("4.8-step", "g'(a_2) ⊙ W_3ᵀ ∇_{a_3}L"),
        ("4.8-step", r"g'(a_2) \odot W_3^T \nabla_{a_3}\mathcal{L}"),
        ("4.8-step", "h_2 * (1-h_2) * W_3^T grad_a_3"),
        ("4.6-hidden", "W_3^{T} grad_a_3"),
        ("4.5-output", r"\nabla_{a_L} L = \hat{y} - e(\ell)"),
        ("BP1-chain", r"2x\cos(x^2)e^{\sin(x^2)}"),
        ("4.5-output", r"\hat{\mathbf{y}} - \mathbf{y}"),
        ("4.5-yhat", "-(1/ŷ_ℓ) e(ℓ)"),
        ("4.5-softmax", "diag(ŷ) - ŷŷᵀ"),
        ("4.6-toy", r"\frac{1}{y_1}(2x) - \frac{1}{y_2}(3x^2)"),
    ],
)
def test_forms_a_student_pass_found_refused_are_read(name: str, answer: str) -> None:
    for seed in (0, 3):
        assert student(name, seed).check(answer).correct, (seed, answer)


def test_messages_a_student_pass_found_misleading_are_fixed() -> None:
    fb = get("BP1-chain", 7).check("exp(v) cos(v) 2x")  # close, but a formula is exact or wrong: no "digits"
    assert not fb.correct and fb.mistake != "digits" and "exactly" in fb.message, fb
    fb = get("4.6-hidden-unit", 7).check("abs(∂L/∂a_{3,1}) W_{3,1,2} + ∂L/∂a_{3,2} W_{3,2,2}")
    assert not fb.correct and fb.mistake != "fixed_class", fb  # a_{3,2} is a unit of layer 3 here, not the class
    assert get("4.5-output", 0).check("yhat - e(1)").mistake == "fixed_class"
    ex = get("4.5-output", 5)
    want = ex.solution_value()
    assert ex.check(f"[{want[0]:.6g} {want[1]:.6g}]").correct  # a list with blanks between its numbers
    fb = get("4.7-weights").check("∇_{a_2}L · h_1ᵀ")  # the slide's · between a column and a row: the outer product
    assert fb.correct, fb
    fb = get("4.7-weights").check("∇_{a_2}L ⊙ h_1ᵀ")
    assert fb.mistake != "transpose" and "write @" in fb.message, fb
    fb = get("4.2-update", 0).check("W_1 - grad_W_1/10")  # 1/10 is η = 0.1 as printed: read so since a62146f
    assert fb.correct and "every unit and every class" not in fb.message, fb
    fb = get("4.2-update", 0).check("W_1 - grad_W_1/8")
    assert not fb.correct and "every unit and every class" not in fb.message, fb


# ---------------------------------------------------------------------- one slip pipeline (issue 32)
@pytest.mark.parametrize("name", ["4.4-thin", "4.4-weight", "4.6-preactivation", "4.7-weights", "4.6-hidden", "4.5-output"])
def test_built_in_exercises_are_network_worlds_with_the_lecture_slips(name: str) -> None:
    """A built-in exercise's numbers are a NetworkWorld's, so it knows the lecture's slips a teacher's exercise knows; and
    every such slip differs from the answer on some deciding world (no slip that is the answer: W^T of a 1 x 1 W, h_k
    for h_{k-1} at a layer the target does not depend on)."""
    from micrograd_nptel.exercises.worlds import NetworkWorld

    ex = get(name)
    assert isinstance(ex.world, NetworkWorld) and ex.world.target == ex.target
    world_slips = list(ex.context().extra["slips"])
    assert {"sign"} < {s.key for s in world_slips}
    for i, slip in enumerate(world_slips):
        differs = False
        for ctx in ex.deciding_worlds():
            value, want = list(ctx.extra["slips"])[i].value, ctx.values[ex.target]
            differs = differs or not np.allclose(value.reshape(want.shape), want, rtol=1e-9, atol=1e-12)
        assert differs, (name, slip.key, slip.message)


def test_the_lecture_slips_name_a_built_in_answer_the_catalogue_does_not_list() -> None:
    """g' evaluated at h on 4.6-preactivation: not in its catalogue, named by the world's lecture slip."""
    ex = get("4.6-preactivation", 3)
    assert "h_2 * (1 - h_2)" not in " ".join(f for m in ex.mistakes for f in m.formulas)
    fb = ex.check("grad_h_2 * g(h_2) * (1 - g(h_2))")
    assert not fb.correct and fb.mistake == "g_prime_at_h", fb


def test_network_slips_are_module_4_8s_loop_with_one_step_replaced() -> None:
    """The world's slips come from lecture.back_propagation with one of lecture.Steps replaced: unchanged, it is the
    engine's gradient; g' left out at layer 1 is ∇_{h_1}L itself."""
    from micrograd_nptel import lecture
    from micrograd_nptel.exercises.worlds import NetworkWorld

    world = NetworkWorld((2, 3, 3, 2), "tanh", "softmax", "dL/da_1")
    v = world(4, 0).values
    plain = world.backprop(v)
    for name in ("dL/dW_1", "dL/da_2", "dL/dh_1", "dL/dx"):
        np.testing.assert_allclose(plain[name], v[name], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(world.backprop(v, slip="missing_g_prime", layers=frozenset({1}))["dL/da_1"], v["dL/dh_1"], rtol=1e-12)
    W = [v["W_1"], v["W_2"], v["W_3"]]
    b = [v[f"b_{k}"][:, 0] for k in (1, 2, 3)]
    label = int(v["l"]) - 1
    steps = lecture.slide_steps(W, label, "tanh")._replace(preactivation=lambda k, grad_h, fwd: grad_h)
    grads = lecture.back_propagation(W, b, v["x"][:, 0], label, "tanh", steps=steps)
    np.testing.assert_allclose(grads.a[1], world.backprop(v, slip="missing_g_prime")["dL/da_1"][:, 0], rtol=1e-12)


def _verdict_cases() -> list[tuple[str, object, str]]:
    h, up = get("4.6-hidden"), get("4.2-update")
    w, W1, after = h.expected(0).ravel(), up.context().values["W_1"], up.expected(0)
    first_only = np.where(np.arange(9).reshape(3, 3) == 0, W1, after)
    return [
        ("4.6-hidden", [1.0, 2.0], "shape"),
        ("4.6-hidden", w.tolist(), "exact"),
        ("4.6-hidden", (-w).tolist(), "slip"),
        ("4.2-update", first_only.tolist(), "partial_step"),
        ("4.6-hidden", [float(f"{v:.3g}") for v in w], "rounding"),
        ("4.6-hidden", [-float(f"{v:.3g}") for v in w], "slip_to_rounding"),
        ("4.2-update", (W1 * 1.01).tolist(), "no_step"),
        ("4.2-update", (W1 + 0.1 * (after - W1)).tolist(), "step_size"),  # η/10: another η, not "no step"
        ("4.2-update", (W1 + 0.5 * (after - W1)).tolist(), "step_size"),
        ("4.6-hidden", [5.0, 6.0, 7.0], "far_off"),
        ("4.6-hidden", "W_3", "shape"),
        ("4.6-hidden", "W_3^T @ grad_a_3", "decided"),
        ("4.2-update", "W_1 - 0.1 * grad_W_1", "as_given"),
        ("BP1-chain", "exp(sin(x^2)) * cos(x^2) * 1.60001", "digits"),
        ("4.5-output", "yhat - e(1)", "fixed_class"),
        ("4.1-preactivation", "W_2 @ h_1", "hidden_slip"),
        ("BP1-chain", "exp(sin(x^2)) * cos(x^2) * 1.6", "by_accident"),
        ("4.6-hidden", "-(W_3^T @ grad_a_3)", "slip"),
        ("4.2-update", "W_1 * 1.0001", "no_step"),
        ("4.2-update", "W_1 - 0.7 * eta * grad_W_1", "step_size"),
        ("4.6-hidden", "W_3^T @ grad_a_3 + 1", "far_off"),
    ]


def test_the_verdict_is_an_ordered_list_of_named_rules_each_of_which_decides_some_answer() -> None:
    """check.NUMBER_RULES and check.FORMULA_RULES are the verdict, in order: the Feedback names the rule that decided,
    and every rule decides some answer (none is dead)."""
    from micrograd_nptel.exercises.check import FORMULA_RULES, NUMBER_RULES

    decided: dict[str, set[str]] = {"number": set(), "formula": set()}
    for name, answer, rule in _verdict_cases():
        fb = get(name).check(answer)
        assert fb.rule == rule, (name, answer, fb)
        assert fb.correct == (rule in ("exact", "rounding", "decided", "as_given")), fb
        decided["formula" if isinstance(answer, str) else "number"].add(rule)
    assert decided["number"] == {r.name for r in NUMBER_RULES}
    assert decided["formula"] == {r.name for r in FORMULA_RULES}
    assert [r.name for r in FORMULA_RULES].index("decided") < [r.name for r in FORMULA_RULES].index("slip")


_OUTSIDE_THE_GRAMMAR = {
    "4.6-hidden": [
        "W_3ᵗ @ grad_a_3",
        "W₃ᵀ @ grad_a_3",
        "((W_3^T @ grad_a_3)",
        "W_3.T @ grad_a_3",
        "transpose(W_3) @ grad_a_3",
        "W_3^T @ grad_a_3;",
        "h_1 = W_3^T @ grad_a_3",
        "W_3ᵀ∇",
        "W_3^T grad_a_3)",
        "np.dot(W_3.T, grad_a_3)",
        "sin x",
        "2 3",
        "(W_3^T @ grad_a_3)_9",
    ],
    "4.9-logistic": ["sigma z (1 - sigma z)", "g(z)*(1-g(z)", "sigma(z) * (1 - sigma(z))", "sech(z)", "σ'(z)"],
    "BP1-chain": ["e^{sin x^2} cos x^2 2x", "exp(sin x^2) * cos x^2 * 2*x", "exp(sin(x^2)) * cos(x^2) * 2*x.", "f'(x)"],
    "4.7-weights": ["grad_a_2 @ h_1.T", "∇_{a_2}L h₁ᵀ", "dL/dW_2 = grad_a_2 @ h_1^T"],
}
"""Answers outside the grammar, as students write them (numpy's .T, subscript digits, sin x, a bracket left open)."""


def test_every_suggestion_is_an_answer_the_exercise_reads() -> None:
    """An unreadable answer's suggestion ("Write: ...") is itself read by the exercise (and here, each is right)."""
    suggested = []
    for name, answers in _OUTSIDE_THE_GRAMMAR.items():
        ex = get(name)
        for answer in answers:
            try:
                ex.check(answer)
                continue
            except AnswerError as e:
                if e.suggestion is None:
                    assert "Write:" not in str(e), e
                    continue
                assert str(e).endswith(f"Write: {e.suggestion}"), e
                assert ex.check(e.suggestion).correct, (answer, e.suggestion)
                suggested.append(answer)
    assert len(suggested) >= 12, suggested
    assert {"W_3.T @ grad_a_3", "transpose(W_3) @ grad_a_3", "e^{sin x^2} cos x^2 2x", "grad_a_2 @ h_1.T"} <= set(suggested)
    # a bracket left open: where it closes is the student's meaning, so no suggestion (closing at the end changed it)
    for name, answer in [("BP1-chain", "exp(sin(x^2)*cos(x^2)*2*x"), ("4.9-logistic", "g(z)*(1-g(z)")]:
        with pytest.raises(AnswerError) as e:
            get(name).check(answer)
        assert e.value.suggestion is None and "never closed" in str(e.value)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_dividing_by_the_printed_rate_is_reading_eta(seed: int) -> None:
    """W_1 - ∇/10 with η = 0.1 printed is W_1 - η ∇ (1/10 read as η), as 0.1 typed for η is; another divisor is not."""
    ex = get("4.2-update", seed)
    eta = float(ex.context().values["eta"])
    divisor = f"{1 / eta:g}"
    fb = ex.check(f"W_1 - grad_W_1/{divisor}")
    assert fb.correct and f"reading 1/{divisor} as η" in fb.message, fb
    assert not ex.check(f"W_1 - grad_W_1/{1 / eta + 1:g}").correct


@pytest.mark.parametrize(
    ("name", "answer"),
    [
        ("4.7-weights", r"\nabla_{a_2} \mathcal{L}(\theta)\, h_{1}^T"),
        ("4.7-weight", r"\frac{\partial \mathcal{L}(\theta)}{\partial a_{2,2}}\, h_{1,3}"),
        ("4.7-weights", r"\nabla_{a_2}\mathcal{L}(\theta) \cdot \mathbf{h}_{1}^T"),  # Module 4.7's slide, as written
        ("4.7-weights", "grad_a_2 · h_1^T"),
        ("4.7-weights-output", r"\nabla_{a_3} \mathcal{L} \cdot h_2^T"),
        ("4.6-preactivation", "∇_{h_2}L(θ) ⊙ g'(a_2)"),
        ("4.9-tanh", "sech(z)^2"),
        ("4.9-tanh", "1/cosh(z)^2"),
        ("4.9-logistic", r"\sigma(z) \cdot (1 - \sigma(z))"),
    ],
)
def test_the_slides_own_notation_is_accepted(name: str, answer: str) -> None:
    """L(θ), the slide's · for the outer product ∇_{a_k}L · h_{k-1}^T, and sech² for tanh' (a student pass refused them)."""
    fb = get(name, 2).check(answer)
    assert fb.correct, fb


def test_every_verdict_names_its_rule() -> None:
    """Feedback.rule is set for every answer check() judges, those decided before the rules included."""
    cases = [
        ("4.6-hidden", "W_3 @ grad_a_3", "slip"),  # the catalogue's slip W for W^T, written as its formula
        ("4.6-hidden", "W_3 @ W_3", "evaluates"),
        ("4.6-hidden", "W_3^T * grad_a_3", "evaluates"),
        ("4.6-preactivation", "grad_h_2 @ g'(a_2)", "evaluates"),
        ("4.6-hidden", ..., "placeholder"),
        ("4.6-toy", "-0,5", "decimal_comma"),
        ("BP1-chain", "log(-x)", "evaluates"),
    ]
    for name, answer, rule in cases:
        fb = get(name).check(answer)
        assert fb.rule == rule, (answer, fb)


def test_a_mix_up_of_at_and_star_gets_the_right_advice() -> None:
    fb = get("4.6-preactivation").check("grad_h_2 @ g'(a_2)")  # @ for ⊙: not "a transpose would make them fit"
    assert fb.mistake == "shape" and "write *" in fb.message and "transpose" not in fb.message, fb
    fb = get("4.6-hidden").check("W_3^T * grad_a_3")  # * for @
    assert fb.mistake == "shape" and "write @" in fb.message, fb


def test_a_given_value_typed_to_4_digits_is_read_as_that_value() -> None:
    """dL/da_{2,2} * 0.6085 with h_{1,3} printed 0.608537: the formula with h_{1,3}, as its number is accepted."""
    ex = get("4.7-weight")
    h13 = float(ex.context().values["h_1,3"])
    fb = ex.check(f"dL/da_{{2,2}} * {h13:.4g}")
    assert fb.correct and "as printed" in fb.message, fb


def test_the_class_written_as_a_list_is_named_fixed_class() -> None:
    for answer in ("yhat - [1, 0]", "yhat - [[1], [0]]"):
        fb = get("4.5-output").check(answer)
        assert not fb.correct and fb.mistake == "fixed_class", fb


def test_a_slip_with_eta_typed_as_a_number_is_still_named() -> None:
    """W_1 + 0.1 * grad_W_1 is the sign slip with η = 0.1 typed, as W_1 + eta * grad_W_1 is."""
    ex = get("4.2-update")
    with_name = ex.check("W_1 + eta * grad_W_1")
    fb = ex.check("W_1 + 0.1 * grad_W_1")
    assert fb.mistake == with_name.mistake and "reading 0.1 as η" in fb.message, (fb, with_name)


def test_a_pasted_numpy_list_is_read_in_linear_time() -> None:
    """latex._spaced_lists backtracked exponentially on a comma list of long numbers (6.9 s for 3 entries of 17 digits)."""
    import time

    from micrograd_nptel.exercises.latex import normalize

    text = "[" + ", ".join(["-0.10590465174861508123456"] * 40) + "]"
    start = time.process_time()
    assert normalize(text) == text
    assert time.process_time() - start < 1.0


def test_a_teachers_slip_whose_shapes_do_not_fit_is_named_as_the_teacher_wrote_it() -> None:
    """A slip formula with no value (W_2 for W_2^T on a 2-4-3 network) is still recognised when typed: the teacher's
    key and message, then the shapes (a student pass found the generic [transpose] text instead)."""
    ex = exercises.from_network(
        "hw",
        sizes=[2, 4, 3],
        target="grad_a_1",
        given=["W_2", "grad_a_2", "a_1"],
        slips=[("no_transpose", "(W_2 @ grad_a_2) * g'(a_1)", "W_2 needs its transpose on the way down.")],
    )
    fb = ex.check("(W_2 @ grad_a_2) * g'(a_1)")
    assert fb.mistake == "no_transpose" and fb.message.startswith("W_2 needs its transpose") and "does not fit" in fb.message, fb
    assert fb.rule == "slip"
    assert ex.check("(W_2 @ grad_a_2) * g'(a_1) * 2").mistake != "no_transpose"


def test_a_number_too_large_for_a_float_is_named_and_a_huge_one_warns_nothing() -> None:
    import warnings

    with pytest.raises(AnswerError, match="1e400 is too large for a float"):
        get("4.7-weight").check("1e400")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy's overflow RuntimeWarning in the far-off message was printed before
        fb = get("4.7-weight").check(1e308)
    assert not fb.correct and "far more than" in fb.message, fb


def test_a_transposed_matrix_names_the_shape_once() -> None:
    fb = get("4.7-weights-output").check([[1, 2], [3, 4], [5, 6]])
    assert fb.mistake == "transpose" and fb.message.count("2 x 3") == 1, fb
