"""Sphinx configuration of the micrograd_nptel site: ``python -m sphinx -W -b html docs docs/_build/html``.

The pages that must follow the code are generated here at build time (into ``docs/_generated``, never committed):
the notebooks (copied from ``notebooks/`` with their stored outputs), the API reference (one page per public module,
found by walking the package, so a moved or new module needs no edit here) and the exercise catalogue (from
``micrograd_nptel.exercises.catalogue()``). MathJax 2 is copied into the site from Debian's ``libjs-mathjax``
(or ``$MATHJAX_DIR``), so the site shows its math without a network.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))
sys.path.insert(0, str(DOCS.parent))

import micrograd_nptel  # noqa: E402

project = "micrograd_nptel"
author = "micrograd_nptel developers"
copyright = "micrograd_nptel developers (MIT)"
release = version = getattr(micrograd_nptel, "__version__", "0.1.0")

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",  # [source] beside every API entry: the module's code, highlighted, in the site
    "sphinx_copybutton",
    "sphinxarg.ext",
    "generate",
]

exclude_patterns = ["_build", "**.ipynb_checkpoints", "_ext", "README.md", "_generated/notebooks/download"]  # download/: files
templates_path: list[str] = []
smartquotes_action = "qe"  # quotes and ellipses, but "--backend" stays two hyphens (not an en dash)

# ---------------------------------------------------------------- Markdown and notebooks
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
nb_execution_mode = "off"  # the notebooks are shown with the outputs stored in them (pytest runs them: nbmake)
nb_execution_raise_on_error = True
nb_execution_timeout = 120
nb_merge_streams = True
# A widget (step_through's slider) cannot run in a static page: show the picture stored beside it, and load no
# widget JavaScript from a CDN.
nb_mime_priority_overrides = [("html", "application/vnd.jupyter.widget-view+json", None)]
nb_ipywidgets_js: dict[str, dict[str, str]] = {}
nb_render_markdown_format = "myst"  # text/markdown outputs (the exercises' questions) keep their $...$ math

# ---------------------------------------------------------------- API reference
# micrograd_nptel.torch needs the torch extra: without it, its page is built from a stand-in torch.
autodoc_mock_imports = [] if importlib.util.find_spec("torch") else ["torch"]
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_type_aliases = {n: n for n in ("ArrayLike", "NDArray", "Array", "Vector", "Matrix", "Params", "Context")}
autodoc_typehints_format = "short"
autodoc_class_signature = "separated"
autodoc_default_options = {"show-inheritance": True}
autodoc_preserve_defaults = True
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_ivar = True  # "Attributes:" as fields, so a dataclass field is not described twice
napoleon_use_rtype = False
napoleon_attr_annotations = True
python_use_unqualified_type_names = True
# A reference to a name of the library that does not exist fails the build; other libraries' names are not linked.
nitpicky = True
nitpick_ignore_regex = [
    (r"py:.*", r"(?!micrograd_nptel\.).*"),
    (r"py:.*", r".*\._\w+"),  # private TypeVars (nn._M)
    (r"py:class", r"micrograd_nptel\.[\w.]+\.[A-Z]"),  # a one-letter TypeVar (paths.N): no page of its own
]

# A copy button on every code block; a console block's "$ " prompts and its printed lines are left out of the copy.
copybutton_prompt_text = r"\$ |>>> |\.\.\. "
copybutton_prompt_is_regexp = True
copybutton_only_copy_prompt_lines = True
copybutton_exclude = ".linenos, .gp, .go"

# ---------------------------------------------------------------- HTML
html_theme = "furo"
html_title = "micrograd_nptel"
html_static_path = ["_static"]
html_css_files = ["site.css"]
html_last_updated_fmt = None
html_copy_source = False
html_show_sourcelink = False
html_theme_options = {"source_repository": "", "top_of_page_buttons": []}

# MathJax 2 shipped with the site (see generate.copy_mathjax): no CDN.
mathjax_path = "mathjax/MathJax.js?config=TeX-AMS_CHTML"
mathjax2_config = {
    # myst-nb marks its pages tex2jax_ignore and its math with the class "math": MathJax typesets exactly those.
    "tex2jax": {
        "inlineMath": [["\\(", "\\)"]],
        "displayMath": [["\\[", "\\]"]],
        "processEscapes": True,
        "processClass": "tex2jax_process|mathjax_process|math|output_area",
    },
    "menuSettings": {"zoom": "None"},
    "showMathMenu": False,
}
