"""The committed notebooks: one per lecture module, with outputs and without per-run noise.

Running them is nbmake's job (``--nbmake`` in pytest's options): each executes top to
bottom in a fresh kernel, and their ``assert``s compare formula and engine.
"""

from __future__ import annotations

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
