"""The committed notebooks: one per lecture module, with outputs and without per-run noise.

Running them is nbmake's job (``--nbmake`` in pytest's options): each executes top to
bottom in a fresh kernel, and their ``assert``s compare formula and engine.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
EXPECTED = {
    "01_chain_rule.ipynb": "Backpropagation-1",
    "02_multiple_paths.ipynb": "Module 4.6",
    "03_feedforward_network.ipynb": "Modules 4.1-4.3",
    "04_output_units.ipynb": "Module 4.5",
    "05_hidden_units.ipynb": "Module 4.6",
    "06_weights_and_biases.ipynb": "Module 4.7",
    "07_training.ipynb": "Modules 4.8",
}


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
