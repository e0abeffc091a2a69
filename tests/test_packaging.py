"""The package as pip delivers it: the sdist holds what its tests need, the wheel holds the notebooks, and
``micrograd-nptel notebooks DIR`` copies them to where they run without the repository."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from cli_run import one_line, run_cli

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))


def test_notebooks_are_copied_out_and_run_from_there(tmp_path: Path) -> None:
    done = run_cli("notebooks", str(tmp_path / "course"))
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "course").iterdir()) == NOTEBOOKS and len(NOTEBOOKS) >= 8
    assert all((tmp_path / "course" / n).read_bytes() == (ROOT / "notebooks" / n).read_bytes() for n in NOTEBOOKS)
    assert "already holds 01_chain_rule.ipynb and 7 more" in one_line(run_cli("notebooks", str(tmp_path / "course")), 2)
    assert run_cli("notebooks", str(tmp_path / "course"), "--force").returncode == 0
    for name in NOTEBOOKS:  # nothing a notebook runs points back into the repository
        cells = json.loads((ROOT / "notebooks" / name).read_text(encoding="utf-8"))["cells"]
        code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        assert not re.search(r"\.\./|__file__|notebooks/|docs/|benchmarks/|sys\.path", code), name
    nbformat = pytest.importorskip("nbformat", reason="running a notebook needs nbformat and nbclient (the test extra)")
    nbclient = pytest.importorskip("nbclient", reason="running a notebook needs nbformat and nbclient (the test extra)")
    notebook = nbformat.read(tmp_path / "course" / "01_chain_rule.ipynb", as_version=4)
    where = {"metadata": {"path": str(tmp_path / "course")}}
    nbclient.NotebookClient(notebook, timeout=300, resources=where).execute()  # raises on a failing cell


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The sdist and the wheel, built from this checkout as ``python -m build`` builds them (in an isolated env)."""
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return next(out.glob("*.tar.gz")), next(out.glob("*.whl"))


def test_the_sdist_holds_what_its_tests_and_readme_need(dists: tuple[Path, Path]) -> None:
    with tarfile.open(dists[0]) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    needed = {f"tests/{p.name}" for p in (ROOT / "tests").glob("*.py")} | {f"notebooks/{n}" for n in NOTEBOOKS}
    needed |= {"benchmarks/bench.py", "README.md", "pyproject.toml", "LICENSE"}
    images = re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", (ROOT / "README.md").read_text(encoding="utf-8"))
    assert images and all(not re.match(r"[a-z]+:|/|\.\.", image) for image in images)  # relative, inside the package's folder
    assert needed | set(images) <= names, sorted((needed | set(images)) - names)


def test_the_wheel_ships_the_notebooks_and_the_data(dists: tuple[Path, Path]) -> None:
    with zipfile.ZipFile(dists[1]) as wheel:
        names = set(wheel.namelist())
    needed = {f"micrograd_nptel/notebooks/{n}" for n in NOTEBOOKS} | {"micrograd_nptel/py.typed", "micrograd_nptel/course_notebooks.py"}
    data = ROOT / "micrograd_nptel" / "data"
    needed |= {f"micrograd_nptel/data/{p.name}" for p in data.iterdir() if p.suffix in (".csv", ".gz", ".md")}
    package = ROOT / "micrograd_nptel"  # every module of every subpackage, and the exercise catalogue's data
    modules = [p for suffix in ("*.py", "*.toml") for p in package.rglob(suffix) if "__pycache__" not in p.parts]
    needed |= {p.relative_to(ROOT).as_posix() for p in modules}
    assert "micrograd_nptel/exercises/catalogue/module_4_7.toml" in needed
    assert needed <= names, sorted(needed - names)
    assert not any(name.startswith(("tests/", "notebooks/", "benchmarks/")) for name in names)  # nothing outside the package
