"""Exercise verdicts a student can trust: no wrong answer judged correct, the slides' notation read, slips named."""

from __future__ import annotations

import re
import subprocess
import sys
import time

import numpy as np
import pytest

from micrograd_nptel import exercises
from micrograd_nptel.examples import figure_network
from micrograd_nptel.exercises import AnswerError, catalogue, get
from micrograd_nptel.exercises.formula import evaluate, read

# ---------------------------------------------------------------------- names an answer may use


def test_the_answers_own_name_is_the_quantity_asked_for() -> None:
    for name, answer in [
        ("4.6-hidden", "grad_h_2"),
        ("4.6-hidden", "∇_{h_2}L"),
        ("4.6-hidden", "dL/dh_{2,1}"),
        ("4.1-preactivation", "a_2"),
        ("4.7-bias", "grad_b_2"),
        ("BP1-chain", "df/dx"),
        ("BP1-upstream", "grad_x"),
        ("4.6-toy", "dz/dx"),
    ]:
        with pytest.raises(AnswerError, match="that is the quantity asked for"):
            get(name).check(answer)


@pytest.mark.parametrize(
    ("name", "answer"),
    [
        ("4.6-hidden", "W_2"),
        ("4.6-hidden", "a_2"),
        ("4.6-hidden", "grad_a_2"),
        ("4.6-hidden", "grad_a_2 / g'(a_2)"),
        ("4.1-preactivation", "log(h_2/(1-h_2))"),
    ],
)
def test_only_the_names_the_question_gives_may_be_used(name: str, answer: str) -> None:
    """Names that only a slip's formula uses are not the question's: the answer is refused, not judged."""
    with pytest.raises(AnswerError, match="is not given in this exercise"):
        get(name).check(answer)


def test_a_name_list_never_shows_a_name_that_is_then_refused() -> None:
    for ex in catalogue():
        for shown in ex._names().split(", "):
            try:
                ex.check(shown)
            except AnswerError as e:
                assert "not given" not in str(e) and "not a name" not in str(e) and "quantity asked" not in str(e), (ex.name, shown, e)


# ---------------------------------------------------------------------- numbers and shapes


def test_a_row_is_not_the_column_asked_for() -> None:
    fb = get("4.6-hidden").check("grad_a_3^T @ W_3")
    assert not fb.correct and fb.mistake == "transpose" and "a row (1 x 3)" in fb.message and "column (3 x 1)" in fb.message
    fb = get("4.6-hidden").check([get("4.6-hidden").solution_value().tolist()])  # typed as a row of numbers
    assert not fb.correct and fb.mistake == "transpose"


def test_a_number_is_not_a_vector_and_a_transpose_is_not_the_matrix() -> None:
    fb = get("4.6-hidden").check(0.5)
    assert not fb.correct and fb.mistake == "shape"
    ex = get("4.7-weights")  # square: the transpose has the answer's shape
    fb = ex.check(ex.solution_value().T.tolist())
    assert not fb.correct and fb.mistake == "transpose" and "transpose" in fb.message


def test_the_update_refuses_the_unchanged_weights_and_a_wrong_rate() -> None:
    ex = get("4.2-update")
    ctx = ex.context()
    W, grad, eta = ctx.values["W_1"], ctx.values["dL/dW_1"], float(ctx.values["eta"])
    for wrong, key in ((W, "no_step"), (np.round(W, 3), "no_step"), (W - 0.01 * grad, "step_size"), (W - eta / 10 * grad, "step_size")):
        fb = ex.check(wrong.tolist())
        assert not fb.correct and fb.mistake == key, fb  # a step of η/10 is another η (c = 0.1), not "no step"
        assert "entries differ" not in fb.message  # never "0 of 9 entries differ" beside a refusal
    assert ex.check((W - eta * grad).tolist()).correct
    assert ex.check("W_1 - η * ∇_{W_1}L").correct
    fb = ex.check("W_1 - 0.01 * grad_W_1")  # η = 0.1 at seed 0
    assert not fb.correct and fb.mistake == "step_size" and "c = 0.1" in fb.message and "check η" in fb.message


def test_every_entry_must_agree_to_3_significant_digits_of_its_own() -> None:
    """Over 30 seeds: the smallest entry with its sign flipped, set to 0 or times 10 is never accepted."""
    accepted = []
    for base in catalogue():
        for seed in range(30):
            ex = base.new(seed)
            want = np.asarray(ex.solution_value(), dtype=float)
            if want.ndim == 0:
                continue
            flat = want.ravel()
            i = int(np.argmin(np.where(flat != 0, np.abs(flat), np.inf)))
            for change in (-1.0, 0.0, 10.0):
                wrong = flat.copy()
                wrong[i] *= change
                if ex.check(wrong.reshape(want.shape).tolist()).correct:
                    accepted.append((ex.name, seed, change))
    assert not accepted


def test_rounding_to_3_digits_is_accepted_with_a_note_and_2_digits_is_named() -> None:
    for name in ("4.4-weight", "4.7-weight", "4.7-weights"):  # where 3 digits are not already 5
        value = np.asarray(get(name).solution_value())
        three = np.array([float(f"{t:.3g}") for t in value.ravel()]).reshape(value.shape)
        fb = get(name).check(three.tolist())
        assert fb.correct and fb.mistake == "rounding", fb
    for name in ("4.7-weight", "4.9-logistic", "4.7-weights"):
        value = np.asarray(get(name).solution_value())
        two = np.array([float(f"{t:.2g}") for t in value.ravel()]).reshape(value.shape)
        fb = get(name).check(two.tolist())
        assert not fb.correct and fb.mistake == "digits" and "chain" not in fb.message, fb


def test_far_off_messages_of_single_functions_do_not_speak_of_a_chain() -> None:
    for name in ("4.9-logistic", "4.9-tanh", "4.1-preactivation", "4.5-softmax"):
        ex = get(name)
        fb = ex.check((np.asarray(ex.solution_value()) * 3 + 1).tolist())
        assert not fb.correct and "Check each factor of the chain" not in fb.message, (name, fb)


# ---------------------------------------------------------------------- the other worlds


def test_other_worlds_differ_in_every_given_number_and_the_true_class() -> None:
    for base in catalogue():
        for seed in range(20):
            ex = base.new(seed)
            first = ex.context(0)
            for world in (1, 2):
                other = ex.context(world)
                if first.label is not None:
                    assert other.label != first.label, (ex.name, seed, world)
                for name in (*ex.given, *ex.defined):
                    assert not np.array_equal(first.values[name], other.values[name]), (ex.name, seed, world, name)


def test_a_formula_that_writes_the_class_as_a_number_is_refused() -> None:
    for seed in range(6):
        ex = get("4.5-output", seed=seed)
        label = ex.context().label
        fb = ex.check(f"-(e({label}) - yhat)")
        assert not fb.correct and fb.mistake == "fixed_class", (seed, fb)
        assert ex.check("-(e(l) - yhat)").correct and ex.check("ŷ - y").correct
        fb = get("4.5-yhat", seed=seed).check(f"-(1/yhat_{label}) * e({label})")
        assert not fb.correct and fb.mistake == "fixed_class"
        assert get("4.5-yhat", seed=seed).check("-(1/yhat_l) * e(l)").correct


# ---------------------------------------------------------------------- bad input


def test_a_formula_may_not_build_a_huge_matrix() -> None:
    start = time.perf_counter()
    with pytest.raises(AnswerError, match="at most"):
        get("4.6-hidden").check("e(1, 30000) @ e(1, 30000)^T")
    with pytest.raises(AnswerError, match="at most"):
        get("4.6-hidden").check("[" + ", ".join(["1"] * 400) + "] @ [" + ", ".join(["1"] * 400) + "]^T")
    with pytest.raises(AnswerError, match="at most"):
        get("4.6-hidden").check("diag([" + ", ".join(["1"] * 400) + "])")
    assert time.perf_counter() - start < 2.0


@pytest.mark.parametrize("answer", ["h_{1,²}", "h_{1,①}", "W_{3,1,²}"])
def test_superscripts_and_circled_digits_are_one_answer_error(answer: str) -> None:
    with pytest.raises(AnswerError, match="superscripts"):
        get("4.7-weight").check(answer)


def test_the_command_line_exits_2_for_an_unreadable_answer() -> None:
    for answer in ("h_{1,²}", "grad_h_2", "e(1, 30000) @ e(1, 30000)^T"):
        args = ["4.6-hidden", "--answer", answer]
        out = subprocess.run([sys.executable, "-m", "micrograd_nptel", "exercise", *args], capture_output=True, text=True, timeout=120)
        assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr, out.stderr


# ---------------------------------------------------------------------- the notation the slides and the library display


@pytest.mark.parametrize(
    ("name", "answer"),
    [
        ("4.2-update", "W_1 - η * ∇_{W_1}L"),
        ("4.6-hidden", "W_3ᵀ @ ∇_{a_3}L"),
        ("4.7-weights", "∇_{a_2}L @ h_1ᵀ"),
        ("4.8-step", "(W_3ᵀ @ ∇_{a_3}L) ⊙ g'(a_2)"),
        ("4.5-output", "ŷ - y"),
        ("4.5-yhat", "-y / ŷ"),
        ("4.6-toy", "dz/dy1*2*x + dz/dy2*3*x**2"),
        ("4.6-hidden-unit", "dL/da_{3,1} * W_{312} + dL/da_{3,2} * W_{322}"),
        ("BP1-chain", "f * cos(u) * 2*x"),
        ("BP1-chain", "exp(v) * cos(u) * 2*x"),
        ("BP1-upstream", "dL/df * y"),
        ("4.6-preactivation", "∇_{h_2}L ⊙ h_2 ⊙ (1 - h_2)"),
    ],
)
def test_the_display_forms_are_accepted(name: str, answer: str) -> None:
    for seed in (0, 7):
        fb = get(name, seed=seed).check(answer)
        assert fb.correct and fb.mistake is None, fb


def test_every_catalogued_display_form_is_accepted() -> None:
    for ex in catalogue():
        assert ex.accepts, ex.name
        for answer in ex.accepts:
            assert ex.check(answer).correct, (ex.name, answer)


@pytest.mark.parametrize(
    ("name", "answer"),
    [
        ("BP1-chain", "exp(sin(x²)) * cos(x²) * 2*x"),
        ("4.1-preactivation", "W_2 h_1 + b_2"),
        ("4.9-logistic", "g(z)(1-g(z))"),
        ("4.7-weight", "dL/da_{2,2} h_{1,3}"),
    ],
)
def test_the_slides_juxtaposition_and_superscripts_are_read(name: str, answer: str) -> None:
    """Once refused with the form to type ("write W_2 @ h_1"); the slides write them so, and so does the library."""
    assert get(name).check(answer).correct


# ---------------------------------------------------------------------- one figure network


def test_the_figures_network_is_the_notebooks_at_seed_0() -> None:
    mlp, xs, _ = figure_network()
    for ex in catalogue():
        if "figure's network" not in ex.question:
            continue
        ctx = ex.context()
        for layer in mlp.layers:
            k = layer.index
            np.testing.assert_array_equal(ctx.values[f"W_{k}"], [[w.data for w in row] for row in layer.W])
            np.testing.assert_array_equal(ctx.values[f"b_{k}"][:, 0], [b.data for b in layer.b])
        np.testing.assert_array_equal(ctx.values["x"][:, 0], [v.data for v in xs])
        assert ctx.label == 1, ex.name
        assert "a network of the figure's shape" in str(ex.new(3)) and "figure's network" not in str(ex.new(3)), ex.name
    explained = mlp.layers[0].W[0][0].grad  # what `explain W_111` and notebook 03 print
    assert get("4.4-weight").solution_value() == pytest.approx(explained, rel=1e-12)
    assert get("4.4-weight").solution_value() == pytest.approx(-0.0108060152, abs=1e-10)
    assert get("4.4-weight").check(explained).correct


def test_the_thin_network_gives_every_number_its_answer_needs() -> None:
    for seed in range(5):
        v = get("4.4-thin", seed=seed).context().values
        assert v["a_1"] == pytest.approx((v["W_1"] @ v["x"] + v["b_1"]).item())
        assert v["a_2"] == pytest.approx((v["W_2"] @ v["h_1"] + v["b_2"]).item())
        assert v["yhat"] == pytest.approx((v["W_3"] @ v["h_2"] + v["b_3"]).item())
        assert {"W_1", "b_1", "b_2", "b_3"} <= set(get("4.4-thin", seed=seed).given)


# ---------------------------------------------------------------------- slips named


@pytest.mark.parametrize(
    ("name", "answer", "key"),
    [
        ("4.4-thin", "2*(yhat - y) * W_3 * g(a_2) * W_2 * g(a_1) * x", "g_for_g_prime"),
        ("4.4-weight", "grad_a_3^T @ W_3 @ diag(g(a_2)) @ W_2 @ diag(g(a_1)) @ e(1, 3) * x_1", "g_for_g_prime"),
        ("4.6-preactivation", "grad_h_2 * g(a_2)", "g_for_g_prime"),
        ("4.8-step", "(W_3^T @ grad_a_3) * g(a_2)", "g_for_g_prime"),
        ("BP1-chain", "exp(sin(x^2)) * cos(x^2)", "missing_factor"),
        ("BP1-chain", "exp(sin(x^2)) * cos(x^2) * x", "missing_factor"),
        ("4.4-thin", "2*(yhat - y) * W_3 * g'(a_2) * W_2 * g'(a_1)", "missing_factor"),
        ("4.7-weight", "dL/da_{2,2}", "missing_factor"),
        ("4.6-toy", "1/y1 - 1/y2", "missing_factor"),
        ("4.6-toy", "(1/y1) * (2*x) * (-1/y2) * (3*x^2)", "paths_multiplied"),
        ("4.6-hidden-unit", "dL/da_{3,1} * W_{3,1,2} * dL/da_{3,2} * W_{3,2,2}", "paths_multiplied"),
        ("4.6-toy", "(1/y1) * (2*x) + (1/y2) * (3*x^2)", "sign"),
        ("4.6-hidden-unit", "dL/da_{3,1} * W_{3,1,2} - dL/da_{3,2} * W_{3,2,2}", "sign"),
        ("BP1-chain", "exp(sin(x^2)) + cos(x^2) + 2*x", "sum_for_product"),
        ("4.7-weight", "dL/da_{2,2} + h_{1,3}", "sum_for_product"),
        ("4.9-logistic", "1 - g(z)^2", "wrong_function"),
        ("4.4-thin", "2*(yhat - y) * W_3 * (1 - h_2^2) * W_2 * (1 - h_1^2) * x", "wrong_function"),
        ("4.4-thin", "2*(yhat - y) * W_3 * g'(a_2) * W_2 * (1 - h_1^2) * x", "wrong_function"),
        ("4.4-weight", "e(1, 3)^T @ ((W_2^T @ ((W_3^T @ grad_a_3) * (1 - h_2^2))) * (1 - h_1^2)) * x_1", "wrong_function"),
        ("4.6-preactivation", "grad_h_2 * (1 - h_2^2)", "wrong_function"),
        ("4.8-step", "(W_3^T @ grad_a_3) * (1 - h_2^2)", "wrong_function"),
        ("4.7-weight", "dL/da_{2,1} * h_{1,2}", "index_shift"),
        ("4.9-tanh", "1 + tanh(z)^2", "sign"),
        ("4.6-preactivation", "grad_h_2 * a_2 * (1 - a_2)", "wrong_point"),
        ("4.8-step", "(W_3^T @ grad_a_3) * a_2 * (1 - a_2)", "wrong_point"),
        ("4.5-yhat", "ŷ - e(l)", "one_step_off"),
        ("4.5-output", "-(1/yhat_l) * e(l)", "one_step_off"),
        ("4.7-weights", "grad_a_2^T @ h_1", "transpose"),
        ("4.4-weight", "e(1, 3)^T @ diag(g'(a_1)) @ W_2 @ diag(g'(a_2)) @ W_3^T @ grad_a_3 * x_1", "transpose"),
        ("4.8-step", "(W_3 @ grad_a_3) * g'(a_2)", "transpose"),
    ],
)
def test_the_lectures_slips_are_named(name: str, answer: str, key: str) -> None:
    for seed in (0, 4):
        fb = get(name, seed=seed).check(answer)
        assert not fb.correct and fb.mistake == key, (seed, fb)


def test_a_slip_given_as_a_number_is_named() -> None:
    ex = get("4.4-weight")
    ctx = ex.context()
    wrong = evaluate(read("grad_a_3^T @ W_3 @ diag(g'(a_2)) @ W_2 @ diag(g'(a_1)) @ e(1, 3) * h_{1,1}", ctx), ctx).item()
    fb = ex.check(wrong)  # h_{1,1} for x_1: not "2 of the 6 paths are missing"
    assert fb.mistake == "wrong_layer" and "paths" not in fb.message.splitlines()[0]
    ex = get("4.5-output")
    fb = ex.check(evaluate(read("-(1/yhat_l) * e(l)", ex.context()), ex.context()).tolist())
    assert fb.mistake == "one_step_off"


def test_every_message_that_names_a_slip_carries_its_key() -> None:
    """A message with no key never speaks of a sign, a transpose or a missing factor."""
    unkeyed = []
    for base in catalogue():
        for seed in range(10):
            ex = base.new(seed)
            want = np.asarray(ex.solution_value(), dtype=float)
            answers: list[object] = [(-want).tolist(), (want * 1.5).tolist(), (want * 1.01).tolist(), (want + 1).tolist()]
            if want.ndim:
                flipped = want.copy().ravel()
                flipped[0] *= -1
                answers.append(flipped.reshape(want.shape).tolist())
            for answer in answers:
                fb = ex.check(answer)
                if fb.mistake is None and not fb.correct:
                    if any(w in fb.message.replace(ex.asks, "").lower() for w in ("sign", "transpose", "missing", "rounding", "step")):
                        unkeyed.append((ex.name, seed, fb.message[:80]))
    assert not unkeyed, unkeyed[:5]


def test_notebook_cells_exist_for_every_exercise() -> None:
    import json
    from pathlib import Path

    notebooks = Path(__file__).resolve().parent.parent / "notebooks"
    for ex in catalogue():
        text = json.loads((notebooks / f"{ex.notebook}.ipynb").read_text(encoding="utf-8"))
        sources = ["".join(c["source"]) for c in text["cells"] if c["cell_type"] == "code"]
        assert any(f'exercises.get("{ex.name}")' in s for s in sources), ex.name


def test_the_rates_are_stated() -> None:
    rows = exercises.diagnosis_rates(range(1))  # the table's form, on the default exercises; the rates: 20 seeds in test_exercises.py
    assert set(exercises.rate_summary(rows)) == {"accepted", "refused", "named"}
    table = exercises.rates_table(rows)
    assert table.count("\n") == len(catalogue()) + 2 and "**all**" in table


MUTATIONS = {"+": ["-", "*"], "-": ["+"], "*": ["+", "/"], "g'": ["g"], "g": ["g'"], "^T": [""], "2": ["1", "3"]}


def test_a_formula_changed_by_one_token_is_judged_correct_only_when_it_equals_the_answer() -> None:
    """Every correct form with one operator, g/g', a transpose or a 2 changed: correct only if right on all three worlds."""
    wrongly = []
    for base in catalogue():
        for seed in (0, 5):
            ex = base.new(seed)
            for text in (ex.reference, *ex.accepts):
                tokens = re.findall(r"\w+'?|\S", text)
                for i, token in enumerate(tokens):
                    for other in MUTATIONS.get(token, []):
                        mutated = "".join([*tokens[:i], other, *tokens[i + 1 :]])
                        try:
                            fb = ex.check(mutated)
                        except AnswerError:
                            continue
                        if fb.correct and not _right_everywhere(ex, mutated):
                            wrongly.append((ex.name, seed, mutated))
    assert not wrongly, wrongly[:5]


def _right_everywhere(ex: exercises.Exercise, text: str) -> bool:
    for world in range(3):
        ctx = ex.context(world)
        try:
            value = evaluate(read(text, ctx), ctx)
        except (ArithmeticError, ValueError, exercises.ShapeMismatch):
            return False
        want = np.asarray(ctx.values[ex.target], dtype=float)
        if value.size != want.size or not np.allclose(value.reshape(want.shape), want, rtol=1e-9, atol=1e-15):
            return False
    return True


@pytest.mark.parametrize("seed", [2, 3, 13, 14, 20])
def test_an_update_with_another_eta_is_never_correct_however_many_digits_agree(seed: int) -> None:
    """At these seeds the step is smaller than one unit of an entry's 3rd digit: 2η and η/2 still agree to 3 digits."""
    ex = get("4.2-update", seed)
    old, new = np.asarray(ex.context().values["W_1"], dtype=float), np.asarray(ex.solution_value(), dtype=float)
    for c in (0.5, 0.8, 1.2, 2.0):
        fb = ex.check(np.round(old + c * (new - old), 6).tolist())
        assert not fb.correct, (seed, c, fb.message)
    fb = ex.check(np.round(old + 2 * (new - old), 6).tolist())
    assert fb.mistake == "step_size" and "c = 2" in fb.message
    assert ex.check(np.round(new, 6).tolist()).correct
    assert ex.check("W_1 - eta * grad_W_1").correct


def test_a_power_of_a_one_by_one_value_is_evaluated() -> None:
    fb = get("4.4-thin").check("x^2")  # x is a 1 x 1 value here
    assert not fb.correct
    assert get("4.6-hidden-unit").check("(grad_a_3^T @ W_3 @ e(2,3))^2").correct is False


def test_a_comma_as_the_decimal_mark_is_named_not_read_as_a_list() -> None:
    ex = get("4.7-weight")
    want = ex.solution_value()
    fb = ex.check(f"{want:.6g}".replace(".", ","))
    assert not fb.correct and fb.mistake == "decimal_comma" and f"write {want:.6g}" in fb.message, fb
    assert ex.check(f"{want:.6g}").correct
    assert get("4.6-hidden").check("1,2").mistake == "shape"  # a vector is asked: "1,2" is a list there


def test_both_indices_counted_from_0_are_named_as_such() -> None:
    fb = get("4.7-weight").check("dL/da_{2,1} * h_{1,2}")
    assert fb.mistake == "index_shift" and "i and j both one less (counted from 0?)" in fb.message


@pytest.mark.parametrize(("answer", "words"), [("e(1, 3.5)", "the length n of e(i, n)"), ("e(1.5, 2)", "the index must be")])
def test_a_one_hot_vector_with_a_bad_length_or_index_says_which(answer: str, words: str) -> None:
    with pytest.raises(AnswerError, match=re.escape(words)):
        get("4.5-output").check(answer)


@pytest.mark.parametrize("seed", range(30))
def test_the_absolute_value_of_the_answer_is_never_correct_by_accident(seed: int) -> None:
    """The third network gives the answer the opposite sign, so abs(...) of a formula whose sign varies is refused."""
    ex = get("4.7-weight", seed=seed)
    for wrong in ("abs(dL/da_{2,2} * h_{1,3})", "-abs(dL/da_{2,2} * h_{1,3})", "abs(dL/da_{2,2}) * h_{1,3}"):
        fb = ex.check(wrong)
        assert not fb.correct and fb.mistake != "fixed_class", (wrong, fb)  # a_{2,2} is a hidden unit, not the class
    assert ex.check("dL/da_{2,2} * abs(h_{1,3})").correct  # h = g(a) > 0 for the logistic: the same formula


def test_a_number_with_only_the_sign_wrong_is_not_called_close() -> None:
    ex = get("4.7-weight", seed=5)
    fb = ex.check(-float(ex.solution_value()))
    assert fb.mistake == "sign" and "close" not in fb.message


def test_a_long_chain_of_products_builds_no_error_text_unless_it_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 34, item 10: 60 chained diag(e(1,100)) products rebuilt the error text of every @ (0.74 s of CPU for one
    answer); the text is made only when a bound is exceeded."""
    from micrograd_nptel.exercises import formula as grammar

    calls = []
    real = grammar.unparse
    monkeypatch.setattr(grammar, "unparse", lambda node, f: calls.append(1) or real(node, f))
    answer = " @ ".join(["diag(e(1,100))"] * 60) + " @ e(1,100)"
    ex = get("4.6-hidden")
    ctx = ex.context()
    value = grammar.evaluate(grammar.read(answer, ctx), ctx)
    assert value.shape == (100, 1) and not calls
    with pytest.raises(AnswerError, match="at most"):
        ex.check("[" + ", ".join(["1"] * 101) + "] @ [[" + ", ".join(["1"] * 101) + "]]")  # 101 x 101 > 10,000 entries
    assert calls  # the text is made when it is shown
