"""The site's pages that follow the code, written at build time into ``docs/_generated/`` (never committed).

- ``notebooks/*.ipynb``: the lecture notebooks, copied from the repository's ``notebooks/`` with their stored outputs;
- ``api/*.rst``: one page per public module of :mod:`micrograd_nptel`, found by walking the package (a module that
  moves or appears needs no edit here); each public name is documented once, on the page of the module that
  defines it (or the public module that exports it, when it is defined in a private one);
- ``exercises.md``: the exercise catalogue, from :func:`micrograd_nptel.exercises.catalogue` itself;
- after the build, MathJax 2 is copied into ``_static/mathjax`` (from ``$MATHJAX_DIR`` or Debian's ``libjs-mathjax``).
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import os
import pkgutil
import re
import shutil
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.ext.autodoc.mock import mock
from sphinx.pycode import ModuleAnalyzer
from sphinx.util.docutils import SphinxDirective

DOCS = Path(__file__).resolve().parent.parent
ROOT = DOCS.parent
OUT = DOCS / "_generated"
PACKAGE = "micrograd_nptel"

# The parts of MathJax 2 the site uses: TeX input, CommonHTML output, its fonts (the rest of the 54 MB is not needed).
MATHJAX_PARTS = (
    "MathJax.js",
    "config/TeX-AMS_CHTML.js",
    "extensions",
    "jax/input/TeX",
    "jax/output/CommonHTML",
    "jax/element",
    "fonts/HTML-CSS/TeX/woff",
)
MATHJAX_PLACES = ("/usr/share/javascript/mathjax", "/usr/share/mathjax")


def _write(path: Path, text: str) -> None:
    """Write only when the text changed, so an unchanged page is not rebuilt."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


# ---------------------------------------------------------------- notebooks
def notebooks() -> list[str]:
    """Copy ``notebooks/*.ipynb`` to ``_generated/notebooks``; return their stems in order."""
    target = OUT / "notebooks"
    target.mkdir(parents=True, exist_ok=True)
    stems = []
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        _write(target / nb.name, _with_download_link(nb.read_text(encoding="utf-8"), nb.name))
        _write(target / "download" / nb.name, nb.read_text(encoding="utf-8"))
        stems.append(nb.stem)
    for old in target.glob("*.ipynb"):
        if old.stem not in stems:
            old.unlink()
    lines = ["# Notebooks", "", "One lesson per part of the lecture, shown with the outputs stored in the notebooks.", ""]
    lines += ["```{toctree}", ":maxdepth: 1", "", *stems, "```", ""]
    lines += ["Download them to run in JupyterLab (or `micrograd-nptel notebooks DIR` copies them all):", ""]
    lines += [f"- {{download}}`{stem}.ipynb <download/{stem}.ipynb>`" for stem in stems] + [""]
    _write(target / "index.md", "\n".join(lines))
    return stems


def _with_download_link(text: str, name: str) -> str:
    """The notebook's JSON with a line under its title: a link that downloads the notebook itself as ``.ipynb``.

    The link is added to the page's copy only (``_generated``); the file it downloads is the repository's notebook,
    byte for byte (``download/NAME``)."""
    notebook = json.loads(text)
    link = f"{{download}}`Download this notebook ({name}) <download/{name}>`, run it in JupyterLab."
    cell: dict[str, Any] = {"cell_type": "markdown", "metadata": {}, "source": [link]}
    if (notebook["nbformat"], notebook["nbformat_minor"]) >= (4, 5):  # cell ids exist from nbformat 4.5 on
        cell["id"] = "download-link"
    notebook["cells"].insert(1, cell)
    return json.dumps(notebook, ensure_ascii=False, indent=1) + "\n"


def drop_foreign_sources(app: Sphinx, env: Any) -> None:
    """viewcode lists every module it looked in on its index page, also those with no page: ``namedtuple_Grade`` (a
    NamedTuple's generated members) or ``functools`` (a cached_property); no [source] link points to them (none of
    their code is ours): leave them out, so the index has no broken link."""
    modules = getattr(env, "_viewcode_modules", {})
    for name in [m for m in modules if m.split(".")[0] != PACKAGE]:
        del modules[name]


def name_commands(app: Sphinx, env: Any) -> None:
    """sphinx-argparse lists each subcommand for the search with its description as the name, which the search page
    then shows with HTML escapes (``&#x27;``) and reStructuredText's (``\\*\\*``): give it the command's name."""
    domain = env.domains.get("commands") if hasattr(env.domains, "get") else None
    if domain is None:
        return
    domain.data["commands"] = [(cmd, cmd, kind, doc, anchor, prio) for cmd, _, kind, doc, anchor, prio in domain.data["commands"]]
    for group, entries in domain.data.get("commands-by-group", {}).items():
        domain.data["commands-by-group"][group] = [(c, c, k, d, a, p) for c, _, k, d, a, p in entries]


# ---------------------------------------------------------------- API reference
def public_modules(mocked: Sequence[str] = ()) -> list[ModuleType]:
    """Every importable public module of the package (no ``_private`` part, no ``__main__``), package first."""
    package = importlib.import_module(PACKAGE)
    names = [
        info.name
        for info in pkgutil.walk_packages(package.__path__, f"{PACKAGE}.")
        if not any(part.startswith("_") for part in info.name.split("."))
    ]
    failed: dict[str, ImportError] = {}
    with mock(mocked):  # an optional extra that is not installed (torch), as autodoc will see it
        for name in names:  # a module that can only be imported after another (an import cycle) is tried again
            try:
                importlib.import_module(name)
            except ImportError as error:
                failed[name] = error
        for name in failed:
            importlib.import_module(name)
        return [package, *(importlib.import_module(name) for name in names)]


def _defined_names(module: ModuleType) -> list[str]:
    """The public names of ``module``: its ``__all__`` and the public classes it defines, or without an ``__all__``
    the public classes and functions it defines itself (not what it imports)."""
    names = getattr(module, "__all__", None)
    own = list(names) if names is not None else []
    try:
        source = inspect.getsource(module)
    except (OSError, TypeError):
        source = ""
    for name, obj in vars(module).items():
        if name.startswith("_") or inspect.ismodule(obj):
            continue
        # a constant of the module (ACTIVATIONS): an upper-case name assigned at the top of its source
        if names is None and name.isupper() and re.search(rf"^{name}\s*(:[^=\n]*)?=", source, re.MULTILINE):
            own.append(name)
            continue
        # with an __all__, also the classes defined here that a public function returns (not listed in __all__)
        wanted = inspect.isclass(obj) if names is not None else inspect.isclass(obj) or inspect.isfunction(obj)
        if wanted and obj.__module__ == module.__name__ and name not in own:
            own.append(name)
    return own


def resolve_reexport(app: Sphinx, env: Any, node: addnodes.pending_xref, contnode: nodes.TextElement) -> nodes.Node | None:
    """A reference to a name by a module that re-exports it (``micrograd_nptel.graph.draw_network``) links to the page
    of the module that defines it (``micrograd_nptel.draw.network.draw_network``)."""
    if node.get("refdomain") != "py" or not str(node.get("reftarget", "")).startswith(f"{PACKAGE}."):
        return None
    target = node["reftarget"]
    parts = target.split(".")
    obj: Any = None
    for cut in range(len(parts) - 1, 0, -1):  # the longest importable module, then attributes
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for attr in parts[cut:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return None
        break
    if obj is None or inspect.ismodule(obj):
        return None
    canonical = f"{getattr(obj, '__module__', '')}.{getattr(obj, '__qualname__', '')}"
    if canonical == target or not canonical.startswith(f"{PACKAGE}."):
        return None
    domain = env.domains["py"]
    return domain.resolve_xref(env, node["refdoc"], app.builder, node["reftype"], canonical, node, contnode)  # type: ignore[no-any-return]


def _home(obj: Any, attr: str, exporter: str, modules: Sequence[ModuleType]) -> str:
    """The module whose page documents ``obj``: where it is defined, unless that module is private; for a constant
    (``MISTAKES``), the public module whose source assigns it (autodoc reads its docstring there)."""
    public = {m.__name__ for m in modules}
    if inspect.isclass(obj) or inspect.isroutine(obj):
        defined = getattr(obj, "__module__", None)
        return defined if defined in public else exporter
    for module in modules:
        if getattr(module, attr, None) is obj:
            try:
                source = inspect.getsource(module)
            except (OSError, TypeError):
                continue
            if re.search(rf"^{attr}\s*(:[^=\n]*)?=", source, re.MULTILINE):
                return module.__name__
    return exporter


ROLE = re.compile(r":(?:py:)?\w+:`~?([^`<]*?)(?:\s*<[^>]*>)?`")


def _summary(obj: Any, attr: str, home: str) -> str:
    """The first sentence of a docstring, its cross-reference roles as literals (they were written for its module); a
    constant's is the string below its assignment in ``home`` (not the docstring of its type, ``dict``)."""
    if inspect.isclass(obj) or inspect.isroutine(obj) or inspect.ismodule(obj):
        text = inspect.getdoc(obj) or ""
    else:
        text = "\n".join(ModuleAnalyzer.for_module(home).find_attr_docs().get(("", attr), []))
    doc = text.split("\n\n")[0].replace("\n", " ").strip()
    doc = doc[:-2] + "." if doc.endswith("::") else doc  # "::" would open a literal block that is not here
    doc = doc[:-1] + "." if doc.endswith(":") else doc
    return ROLE.sub(lambda m: f"``{m.group(1).split('.')[-1]}``", doc) or "(no docstring)"


def api_pages(mocked: Sequence[str] = ()) -> list[str]:
    """Write ``_generated/api/<module>.rst`` for every public module and ``index.rst`` listing them."""
    modules = public_modules(mocked)
    target = OUT / "api"
    target.mkdir(parents=True, exist_ok=True)
    documented: set[object] = set()  # a class or function once (by identity), a constant once per home and name
    written = []
    for module in modules:
        name = module.__name__
        members = []
        elsewhere = []
        for attr in _defined_names(module):
            obj = getattr(module, attr)
            if inspect.ismodule(obj):  # a submodule in __all__ (exercises.grading) has its own page
                continue
            home = _home(obj, attr, name, modules)
            key = id(obj) if inspect.isclass(obj) or inspect.isroutine(obj) else (home, attr)
            if home == name and key not in documented:
                documented.add(key)
                members.append(attr)
            elif home != name:
                elsewhere.append((attr, home))
        title = f"``{name}``"
        lines = [title, "=" * len(title), "", f".. automodule:: {name}"]
        lines += [f"   :members: {', '.join(members)}", ""] if members else [""]
        if elsewhere:
            lines += ["Also exported here (documented where they are defined):", ""]
            lines += [".. list-table::", "   :header-rows: 1", "   :widths: 20 25 55", ""]
            lines += ["   * - name", "     - defined in", "     - what it is"]
            for attr, home in elsewhere:
                summary = _summary(getattr(module, attr), attr, home)
                lines += [f"   * - :py:obj:`{attr} <{home}.{attr}>`", f"     - ``{home}``", f"     - {summary}"]
            lines.append("")
        _write(target / f"{name}.rst", "\n".join(lines))
        written.append(name)
    for old in target.glob("*.rst"):
        if old.stem not in written and old.stem != "index":
            old.unlink()
    index = ["API reference", "=============", "", "Every public module of the package, from its docstrings.", ""]
    index += [".. toctree::", "   :maxdepth: 1", "", *[f"   {n}" for n in written], ""]
    _write(target / "index.rst", "\n".join(index))
    return written


# ---------------------------------------------------------------- exercises
def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def exercise_page() -> int:
    """Write ``_generated/exercises.md`` from the library's catalogue; return the number of exercises."""
    from micrograd_nptel import exercises

    catalogue = exercises.catalogue()
    mistakes: dict[str, str] = dict(getattr(exercises, "MISTAKES", {}))
    lines = [
        "(exercise-catalogue)=",
        "# The exercise catalogue",
        "",
        f"The {len(catalogue)} exercises of the library, in the lecture's order, as "
        "`micrograd_nptel.exercises.catalogue()` returns them when this site is built. Each checks an answer on "
        "the numbers of its seed, and a formula on at least 18 more networks of the same shape (every class, every relu unit "
        "on and off, every known slip apart from the answer); a wrong answer is "
        "compared with the slips listed under *diagnoses* and the first that matches is named.",
        "",
        "Run one in Python (in a notebook the exercise and its feedback are typeset):",
        "",
        "```python",
        "from micrograd_nptel import exercises",
        "",
        f'ex = exercises.get("{catalogue[0].name}")  # the notebook\'s numbers; seed=7: other ones',
        "print(ex)                     # the question and the numbers it gives",
        'print(ex.check("..."))        # your answer: a number, a nested list, or a formula',
        "ex.solution()                 # when stuck",
        "```",
        "",
        "or on the command line:",
        "",
        "```sh",
        "micrograd-nptel exercise                       # the list",
        f"micrograd-nptel exercise {catalogue[0].name}             # the question",
        f'micrograd-nptel exercise {catalogue[0].name} --answer "..."',
        "```",
        "",
        "See {doc}`/cli` for every option and {doc}`/teachers` for writing your own.",
        "",
        "| exercise | source | find | answer |",
        "| --- | --- | --- | --- |",
    ]
    for ex in catalogue:
        source = _cell(ex.module.removeprefix("CS7015 Lecture 4, ").removeprefix("IIT Hyderabad "))
        lines.append(f"| [`{ex.name}`](#{_anchor(ex.name)}) | {source} | ${ex.asks_tex}$ | {_cell(ex.shape)} |")
    lines.append("")
    modules: dict[str, list[Any]] = {}
    for ex in catalogue:
        modules.setdefault(ex.module, []).append(ex)
    for module, group in modules.items():
        lines += [f"## {module}", ""]
        for ex in group:
            lines += [f"({_anchor(ex.name)})=", f"### `{ex.name}`: ${ex.asks_tex}$", ""]
            lines += [f"**Question.** {ex.question_tex}", ""]
            notebook = f"[{ex.notebook}](notebooks/{ex.notebook}.ipynb#{_your_turn(ex.notebook, ex.name)})"
            lines += [f"**Answer:** ${ex.asks_tex}$, {ex.shape}. **Notebook:** {notebook}", ""]
            keys = list(dict.fromkeys(m.key for m in ex.mistakes))  # a slip recognised by several formulas, once
            if keys:
                lines += ["| diagnosis | what it means |", "| --- | --- |"]
                lines += [f"| `{key}` | {_cell(mistakes.get(key, ''))} |" for key in keys]
                lines.append("")
    _write(OUT / "exercises.md", "\n".join(lines))
    return len(catalogue)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _anchor(name: str) -> str:
    return f"exercise-{_slug(name)}"


def _your_turn(notebook: str, name: str) -> str:
    """The notebook's anchor for this exercise: its own "Your turn: NAME" heading when it has one."""
    path = ROOT / "notebooks" / f"{notebook}.ipynb"
    if path.is_file():
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        headings = {line.lstrip("#").strip() for c in cells if c["cell_type"] == "markdown" for line in "".join(c["source"]).splitlines()}
        if f"Your turn: {name}" in headings:
            return f"your-turn-{_slug(name)}"
    return "your-turn"


class ExercisesOf(SphinxDirective):
    """``{exercises-of} Module 4.6``: a list of the catalogue's exercises whose module ends with the argument."""

    required_arguments = 1
    final_argument_whitespace = True

    def run(self) -> list[nodes.Node]:
        from micrograd_nptel import exercises

        wanted = self.arguments[0].strip()
        found = [ex for ex in exercises.catalogue() if ex.module.endswith(wanted)]
        if not found:
            return [nodes.paragraph("", f"No exercise of {wanted} in the catalogue.")]
        items = nodes.bullet_list()
        for ex in found:
            ref = addnodes.pending_xref("", refdomain="std", reftype="ref", reftarget=_anchor(ex.name), refexplicit=True, refwarn=True)
            ref += nodes.literal(ex.name, ex.name)
            para = nodes.paragraph()
            para += ref
            para += nodes.Text(": find ")
            para += nodes.math(ex.asks_tex, ex.asks_tex)
            para += nodes.Text(f", {ex.shape}")
            items += nodes.list_item("", para)
        return [items]


# ---------------------------------------------------------------- MathJax
def mathjax_source() -> Path:
    """Where MathJax 2 is: ``$MATHJAX_DIR``, else Debian's ``libjs-mathjax``.

    Raises:
        ExtensionError: none found (the message says what to install).
    """
    places = [os.environ["MATHJAX_DIR"]] if os.environ.get("MATHJAX_DIR") else list(MATHJAX_PLACES)
    for place in places:
        if (Path(place) / "MathJax.js").is_file():
            return Path(place)
    raise ExtensionError(
        "MathJax 2 not found in " + ", ".join(places) + ": install Debian's libjs-mathjax (apt-get install libjs-mathjax) "
        "or set MATHJAX_DIR to a folder holding MathJax.js (MathJax 2.7)"
    )


def copy_mathjax(app: Sphinx, error: BaseException | None) -> None:
    if error is not None or app.builder.format != "html":
        return
    source = mathjax_source()
    target = Path(app.outdir) / "_static" / "mathjax"
    for part in MATHJAX_PARTS:
        src, dst = source / part, target / part
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True)
        else:
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)


def _rst_text(text: str | None) -> str | None:
    """Argparse's plain text as reStructuredText that shows the same characters."""
    if not text:
        return text
    return re.sub(r"([\\*|`_])", r"\\\1", text)


def cli_parser() -> argparse.ArgumentParser:
    """The ``micrograd-nptel`` parser itself (for sphinx-argparse), its help texts escaped for reStructuredText."""
    from micrograd_nptel.cli import build_parser

    parser = build_parser()
    todo = [parser]
    while todo:
        p = todo.pop()
        p.description, p.epilog = _rst_text(p.description), _rst_text(p.epilog)
        for action in p._actions:
            if action.help is not argparse.SUPPRESS:
                action.help = _rst_text(action.help)
            if isinstance(action, argparse._SubParsersAction):
                for choice in action._choices_actions:
                    choice.help = _rst_text(choice.help)
                todo.extend(action.choices.values())
    return parser


LITERAL = re.compile(r"``([^`]+)``")
_TEX = {
    "∂": r"\partial ",
    "∇": r"\nabla ",
    "Σ": r"\sum ",
    "ŷ": r"\hat y",
    "η": r"\eta ",
    "β": r"\beta ",
    "ε": r"\epsilon ",
    "γ": r"\gamma ",
    "θ": r"\theta ",
    "λ": r"\lambda ",
    "σ": r"\sigma ",
    "⊙": r"\odot ",
    "·": r"\cdot ",
    "×": r"\times ",
    "ᵀ": r"^\top ",
    "²": "^2",
    "³": "^3",
    "√": r"\sqrt ",
    "≠": r"\ne ",
    "≥": r"\ge ",
    "≤": r"\le ",
    "≈": r"\approx ",
    "−": "-",
    "…": r"\ldots ",
}


_FUNCTIONS = {"log", "exp", "sin", "cos", "tanh", "max", "min"}


def _is_formula(text: str) -> bool:
    """A docstring's ``literal`` that is the lecture's math (``a_i = b_i + W_i h_{i-1}``, ``∂L/∂W_{k,i,j}``), not code
    (a call, an attribute, a string, the answer grammar's ``grad_a_2`` or ``dL/dW``, a Python operator)."""
    if not re.search(r"[∂∇Σŷηᵀ⊙²]|_\{|=|\^", text):
        return False
    if re.search(r"[\"'\\\[\]@#$%&;:<>|`]|\*|->|\(\)|\.\w|\bgrad_|\bd\w*/d|==|!=|\bNone\b|\bTrue\b|\bFalse\b", text):
        return False
    depth = 0
    for ch in text:  # a comma outside braces and brackets: a tuple or a list, not a formula
        depth += 1 if ch in "({" else -1 if ch in ")}" else 0
        if ch == "," and depth == 0:
            return False
    return True


def _tex(text: str) -> str:
    """The formula in LaTeX: the Unicode symbols as commands, ``^T`` as a transpose, words as upright names."""
    out = "".join(_TEX.get(ch, ch) for ch in text)
    out = re.sub(r"\^T\b", r"^\\top ", out)
    words = r"(?<![\\\w])([A-Za-z]{2,})(?![\w])"
    out = re.sub(words, lambda m: "\\" + m.group(1) + " " if m.group(1) in _FUNCTIONS else rf"\operatorname{{{m.group(1)}}}", out)
    return out.replace("...", r"\ldots ").strip()  # a role's text must not end in a space


def typeset_formulas(app: Sphinx, what: str, name: str, obj: Any, options: Any, lines: list[str]) -> None:
    """Docstrings write the slides' formulas as ``a_i = b_i + W_i h_{i-1}`` (readable in ``help()``); on the API
    pages they are typeset (``:math:``), as the lecture pages' are."""
    for n, line in enumerate(lines):
        if "->" in line or "``" not in line:  # a conversion between spellings: the literals are strings
            continue
        lines[n] = LITERAL.sub(lambda m: f":math:`{_tex(m.group(1))}`" if _is_formula(m.group(1)) else m.group(0), line)


FIELD_OF_NAMES = re.compile(r"^(\s*):(param|ivar|var|cvar) (\w+(?:, *\w+)+):(.*)$")


def split_name_lists(app: Sphinx, what: str, name: str, obj: Any, options: Any, lines: list[str]) -> None:
    """After napoleon: ``:param W, b: text`` (Google style ``W, b: text``) as one field per name.

    Sphinx reads a field ``W, b`` as the type ``W,`` of a parameter ``b``; each name gets the text instead.
    """
    out: list[str] = []
    i = 0
    while i < len(lines):
        match = FIELD_OF_NAMES.match(lines[i])
        if not match:
            out.append(lines[i])
            i += 1
            continue
        indent, kind, names, first = match.groups()
        body = [first]
        i += 1
        while i < len(lines) and lines[i].startswith(indent + " ") and lines[i].strip():
            body.append(lines[i])
            i += 1
        for field_name in (n.strip() for n in names.split(",")):
            out.append(f"{indent}:{kind} {field_name}:{body[0]}")
            out.extend(body[1:])
    lines[:] = out


def generate(app: Sphinx) -> None:
    notebooks()
    api_pages(app.config.autodoc_mock_imports)
    exercise_page()
    mathjax_source()  # fail at the start, not after the build


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("exercises-of", ExercisesOf)
    app.connect("builder-inited", generate)
    app.connect("missing-reference", resolve_reexport)
    app.connect("autodoc-process-docstring", split_name_lists, priority=600)  # after napoleon (500)
    app.connect("autodoc-process-docstring", typeset_formulas, priority=610)
    app.connect("build-finished", copy_mathjax)
    app.connect("env-updated", name_commands)
    app.connect("env-updated", drop_foreign_sources)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
