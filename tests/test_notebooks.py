"""The committed notebooks: one per lecture module, with outputs and without per-run noise.

Running them is nbmake's job (``--nbmake`` in pytest's options): each executes top to
bottom in a fresh kernel, and their ``assert``s compare formula and engine.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="reading the notebooks needs nbformat (the test extra)")

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
EXPECTED = {
    "01_chain_rule.ipynb": "Backpropagation-1",
    "02_feedforward_network.ipynb": "Modules 4.1-4.3",
    "03_chain_to_a_weight.ipynb": "Module 4.4",
    "04_output_units.ipynb": "Module 4.5",
    "05_hidden_units.ipynb": "Module 4.6",
    "06_weights_and_biases.ipynb": "Module 4.7",
    "07_training.ipynb": "Modules 4.8",
    "08_write_your_own_exercise.ipynb": "Modules 4.1-4.8",
}
FORMULA = re.compile(r"[∂∇Σ⊙²³θ]|\\|\^|\b\w+_\{?\w+\}? *=|= *-?\(")
"""What marks a formula: a math symbol, a superscript, or an equation between subscripted names."""


def test_one_notebook_per_lecture_part() -> None:
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_notebook_is_clean_cites_its_slide_and_keeps_outputs(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    assert set(nb.metadata) == {"kernelspec", "language_info"} and nb.metadata.language_info == {"name": "python"}
    assert all(cell.metadata == {} and "id" not in cell for cell in nb.cells)  # no per-run metadata churn
    assert EXPECTED[name] in nb.cells[0].source and "Source:" in nb.cells[0].source
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count == i for i, c in enumerate(code, 1))  # run in order, top to bottom
    assert all(c.outputs for c in code[-1:]) and sum("assert" in c.source for c in code) >= 1
    assert not any(o.get("output_type") == "error" for c in code for o in c.outputs)


def math_and_code_spans(markdown: str) -> tuple[list[str], list[str]]:
    """The ``$…$``/``$$…$$`` formulas and the backtick code spans of a markdown text (fenced blocks count as code)."""
    code = re.findall(r"```.*?```|`[^`]*`", markdown, flags=re.S)
    text = re.sub(r"```.*?```|`[^`]*`", " ", markdown, flags=re.S).replace(r"\$", "")
    if text.count("$") % 2:
        raise AssertionError(f"unbalanced $ in {markdown[:80]!r}")
    formulas = re.findall(r"\$\$.+?\$\$|\$[^$]+\$", text, flags=re.S)
    return formulas, code


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_formulas_are_latex_not_code_spans(name: str) -> None:
    """Formulas are typeset ($…$, $$…$$), never grey code spans; code spans hold only code and the library's labels."""
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    markdown = [c.source for c in nb.cells if c.cell_type == "markdown"]
    assert nb.cells[0].source.startswith("# ") and "`" not in nb.cells[0].source.splitlines()[0]  # the title is text
    formulas = 0
    for text in markdown:
        maths, code = math_and_code_spans(text)
        formulas += len(maths)
        for span in code:
            assert not FORMULA.search(span), f"{name}: a formula in a code span: {span}"
        for m in maths:
            body = m.strip("$")
            assert body.count("{") == body.count("}") and body.count(r"\begin{") == body.count(r"\end{"), f"{name}: {m}"
    assert formulas >= 5, f"{name} has only {formulas} typeset formulas"


def test_labels_count_from_one_where_a_student_sees_them() -> None:
    """Printed names use the slides' indices (a_{3,1}, not a_3,0), and nothing prints a class counted from 0."""
    for name in sorted(EXPECTED):
        nb = nbformat.read(NOTEBOOKS / name, as_version=4)
        printed = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
        assert not re.search(r"[ahWb]_\{?\d*,?0\b", printed), f"{name} prints a 0 index"
        assert not re.search(r"\b(class|label) 0\b", printed), name


NAME_IN_HINT = re.compile(r"\b(grad_[a-zA-Z]+_\d+|[Wbah]_\d+|yhat_l|yhat|y1|y2)\b")
"""A name of the answer grammar as a "Your turn" hint lists it (grad_a_3, W_2, h_1, yhat, y1): it must be one the exercise gives."""


def your_turn_hints() -> list[tuple[str, str, str]]:
    """(notebook, exercise, hint) for every answer cell: ``answer = ...  # your answer: HINT`` after ``exercises.get(NAME)``."""
    found = []
    for name in sorted(EXPECTED):
        cells = nbformat.read(NOTEBOOKS / name, as_version=4).cells
        for before, cell in itertools.pairwise(cells):
            if cell.cell_type == "code" and cell.source.startswith("answer = ..."):
                exercise = re.search(r'exercises\.get\("([^"]+)"', before.source)
                assert exercise, f"{name}: an answer cell without the exercise above it"
                line = cell.source.splitlines()[0]
                assert len(line) <= 106, f"{name}: the hint is cut off in JupyterLab's code column: {line}"
                found.append((name, exercise.group(1), line.split("# ", 1)[1]))
    return found


@pytest.mark.parametrize("notebook, exercise, hint", your_turn_hints(), ids=lambda v: str(v)[:40])
def test_a_your_turn_hint_uses_only_the_given_names_and_shows_no_wrong_formula(notebook: str, exercise: str, hint: str) -> None:
    """Issue 34: the hints showed "W_2 @ grad_a_2" where W_3 and grad_a_3 are given, or "g(z)^2" for g'(z). A hint lists
    the names the exercise gives (each one the checker accepts), and a formula it quotes is a correct answer."""
    from micrograd_nptel import exercises
    from micrograd_nptel.exercises import AnswerError

    ex = exercises.get(exercise)
    for formula in re.findall(r'"([^"]+)"', hint):
        assert ex.check(formula).correct, f"{notebook}: the hint's {formula!r} is not a correct answer to {exercise}"
    for name in NAME_IN_HINT.findall(hint):
        try:
            ex.check(name)
        except AnswerError as e:
            assert "not given" not in str(e) and "unknown" not in str(e).lower(), f"{notebook}: {exercise}'s hint names {name}: {e}"
    assert len(your_turn_hints()) >= 18
