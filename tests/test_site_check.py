"""docs/check_site.py: the browser check of the documentation site fails on each thing a reader would see broken."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = next((p for p in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")) if p), None)

pytestmark = [
    pytest.mark.skipif(importlib.util.find_spec("playwright") is None, reason="needs the docs extra (playwright)"),
    pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium (apt-get install chromium)"),
]


@pytest.fixture(scope="module")
def check_site():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("check_site", ROOT / "docs" / "check_site.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["check_site"] = module
    spec.loader.exec_module(module)
    return module


CLEAN = """<!doctype html><html><head><title>t</title></head><body><article>
<h1 id="top">A page</h1><p>Some text, with a price of 5 dollars and <code>$x$</code> in code.</p>
<p><a href="other.html#part">a link</a> <a href="#top">up</a> <a href="https://example.org/">out (a link, not a request)</a></p>
<img src="pic.png" alt="a picture">
</article></body></html>"""

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)


DEFECTS = {
    "raw_frac": ("<p>so $\\frac{a}{b}$ it is</p>", "untypeset math"),
    "raw_dollars": ("<p>where $x_1$ is the input</p>", "untypeset math"),
    "missing_page": ('<p><a href="missing.html">gone</a></p>', "broken link"),
    "missing_anchor": ('<p><a href="other.html#nowhere">gone</a></p>', "missing anchor"),
    "missing_image": ('<img src="missing.png" alt="">', "broken link or image"),
    "console_error": ("<script>console.error('boom')</script>", "console error"),
    "exception": ("<script>undefined_function()</script>", "uncaught exception"),
    "external_script": ('<script src="https://cdn.example.org/lib.js"></script>', "external resource"),
    "docutils_error": ('<div class="system-message"><p>Unknown directive type</p></div>', "marked broken"),
    "other_host": ("<script>fetch('http://127.0.0.1:9/x').catch(() => {})</script>", "request to another host"),
}


@pytest.fixture(scope="module")
def problems(check_site, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """One site: a clean page and one page per defect, checked once; the problems by page."""
    site = tmp_path_factory.mktemp("site")
    (site / "clean.html").write_text(CLEAN, encoding="utf-8")
    for name, (insert, _) in DEFECTS.items():
        (site / f"{name}.html").write_text(CLEAN.replace("</article>", insert + "</article>"), encoding="utf-8")
    (site / "other.html").write_text('<html><body><p id="part">there</p></body></html>', encoding="utf-8")
    (site / "pic.png").write_bytes(PNG)
    pages = sorted(site.glob("*.html"))
    found = check_site.static_problems(site, pages) + check_site.browser_problems(site, pages, CHROMIUM, None)
    return {page.stem: [p for p in found if p.startswith(page.name + ":")] for page in pages}


def test_a_clean_page_passes(problems: dict[str, list[str]]) -> None:
    assert problems["clean"] == []
    assert problems["other"] == []


@pytest.mark.parametrize("name", sorted(DEFECTS))
def test_each_defect_is_reported(problems: dict[str, list[str]], name: str) -> None:
    expected = DEFECTS[name][1]
    assert any(expected in p for p in problems[name]), problems[name]
