"""Open every page of the built site in headless Chromium and fail on what a reader would see broken.

    python docs/check_site.py docs/_build/html [--chromium PATH] [--screenshots DIR] [PAGE ...]

A page fails on: an error Sphinx or the theme shows on the page; math left untypeset (``$...$``, ``\\(``,
``\\frac``... in the text outside code, or a MathJax error); a link to a missing page or anchor; an image that does
not load; a console error or uncaught exception; any request to another host (the site must work offline: it is
opened from ``file://`` and every other request is refused). The HTML is also read for ``<script>``/``<link>``
elements that point at ``http(s)://``. Exit 0 when every page is clean, 1 with one line per problem otherwise, 2 for
a bad command line.

Uses Playwright's Python package to drive a Chromium that is already installed (Debian's ``chromium``), so no
browser is downloaded.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import time
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urlsplit

# Visible text that is math MathJax should have typeset: a TeX command, \( \) or \[ \] delimiters, or $...$.
RAW_MATH = re.compile(r"\\(?:frac|partial|nabla|sum|hat|mathbf|left|right|begin|end|sigma|odot|cdot)\b|\\\(|\\\[|\$[^$\s][^$\n]{0,200}?\$")
# The page's visible text without code, preformatted blocks and MathJax's own output.
VISIBLE_TEXT_JS = """() => {
  const body = document.querySelector('article') || document.body;
  const copy = body.cloneNode(true);
  copy.querySelectorAll('pre, code, script, style, .MathJax, .MathJax_CHTML, .MJX_Assistive_MathML, .MathJax_Preview, textarea')
      .forEach(e => e.remove());
  return copy.innerText;
}"""
MATHJAX_DONE_JS = """() => new Promise(resolve => {
  if (!window.MathJax || !window.MathJax.Hub) { resolve('none'); return; }
  window.MathJax.Hub.Queue(() => resolve('done'));
})"""
MATHJAX_ERRORS_JS = """() => Array.from(document.querySelectorAll('.MathJax_Error, .merror, mjx-merror'))
  .map(e => e.textContent.slice(0, 120))"""
# What Sphinx or the theme mark as broken on the page itself: a docutils error, an unresolved reference, Furo's
# red "table of contents" box.
MARKED_JS = """() => Array.from(document.querySelectorAll(
    '.system-message, .problematic, .contents:not(.this-will-duplicate-information-and-it-is-still-useful-here)'))
  .map(e => e.className + ': ' + e.textContent.trim().slice(0, 100))"""
BROKEN_IMAGES_JS = """() => Array.from(document.images)
  .filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.getAttribute('src'))"""


class _Page(HTMLParser):
    """The ids, links, images and external resources of one HTML file."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.images: list[str] = []
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        for key in ("id", "name"):
            if a.get(key):
                self.ids.add(a[key])
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        if tag == "img" and "src" in a:
            self.images.append(a["src"])
        if tag in ("script", "img", "iframe", "source") and re.match(r"(https?:)?//", a.get("src", "")):
            self.external.append(f"<{tag} src={a['src']}>")
        if tag == "link" and re.match(r"(https?:)?//", a.get("href", "")):
            self.external.append(f"<link href={a['href']}>")


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8", errors="replace"))
    return page


def static_problems(site: Path, pages: list[Path]) -> list[str]:
    """Missing link targets, anchors and images, and external resources, read from the HTML files."""
    parsed = {p: _parse(p) for p in pages}
    problems = []
    for page, info in parsed.items():
        rel = page.relative_to(site)
        problems += [f"{rel}: external resource {e}" for e in info.external]
        for href in info.links + info.images:
            split = urlsplit(href)
            if split.scheme or href.startswith(("//", "mailto:")):
                continue
            path_part, fragment = urldefrag(href)
            target = (page.parent / unquote(path_part)).resolve() if path_part else page
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                problems.append(f"{rel}: broken link or image {href!r}")
                continue
            if fragment and target.suffix == ".html":
                ids = parsed[target].ids if target in parsed else _parse(target).ids
                if unquote(fragment) not in ids:
                    problems.append(f"{rel}: link to a missing anchor {href!r}")
    return problems


def find_chromium(given: str | None) -> str:
    for candidate in (given, os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if candidate and (found := shutil.which(candidate)):
            return found
    raise SystemExit("check_site: no Chromium found: install Debian's chromium (apt-get install chromium) or give --chromium PATH")


def _refuse_other_hosts(seen: list[str]) -> Callable[[Any], None]:
    """A route handler: files of the site load, any other request is refused and noted in ``seen``."""

    def route(r: Any) -> None:
        url = r.request.url
        if url.startswith(("file:", "data:", "blob:", "about:")):
            r.continue_()
        else:
            seen.append(f"request to another host: {url}")
            r.abort()

    return route


def browser_problems(site: Path, pages: list[Path], chromium: str, shots: Path | None) -> list[str]:
    """What Chromium shows wrong on each page: console errors, other hosts, untypeset math, broken images."""
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        for page_path in pages:
            rel = page_path.relative_to(site).as_posix()
            seen: list[str] = []
            page = context.new_page()

            page.route("**/*", _refuse_other_hosts(seen))
            page.on("console", lambda m, seen=seen: seen.append(f"console {m.type}: {m.text[:200]}") if m.type == "error" else None)
            page.on("pageerror", lambda e, seen=seen: seen.append(f"uncaught exception: {str(e)[:200]}"))
            page.goto(page_path.as_uri(), wait_until="load")
            if page.evaluate(MATHJAX_DONE_JS) == "done":
                seen += [f"MathJax error: {e}" for e in page.evaluate(MATHJAX_ERRORS_JS)]
            text = page.evaluate(VISIBLE_TEXT_JS)
            seen += [f"untypeset math: {m.group(0)[:80]!r}" for m in RAW_MATH.finditer(text)]
            seen += [f"image does not load: {src}" for src in page.evaluate(BROKEN_IMAGES_JS)]
            seen += [f"marked broken: {m}" for m in page.evaluate(MARKED_JS)]
            if shots is not None:
                shots.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(shots / (rel.replace("/", "_").removesuffix(".html") + ".png")), full_page=True)
            problems += [f"{rel}: {s}" for s in seen]
            page.close()
        browser.close()
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="check the built site in headless Chromium")
    parser.add_argument("site", type=Path, help="the built HTML folder (docs/_build/html)")
    parser.add_argument("--chromium", help="the Chromium to use (default: chromium on PATH)")
    parser.add_argument("--screenshots", type=Path, help="folder for a full-page PNG of each page checked")
    parser.add_argument("pages", nargs="*", default=[], help="check only these pages (default: all), e.g. index.html")
    args = parser.parse_intermixed_args(argv)
    if not (args.site / "index.html").is_file():
        parser.error(f"{args.site} has no index.html: build the site first")
    site = args.site.resolve()
    pages = sorted(p for p in site.rglob("*.html") if "_static" not in p.relative_to(site).parts)
    if args.pages:
        missing = [name for name in args.pages if not (site / name).is_file()]
        if missing:
            parser.error(f"no page {missing[0]!r} in {args.site}")
        pages = [site / name for name in args.pages]
    start = time.perf_counter()
    problems = static_problems(site, pages)
    problems += browser_problems(site, pages, find_chromium(args.chromium), args.screenshots)
    for line in problems:
        print(line)
    print(f"check_site: {len(pages)} pages, {len(problems)} problems, {time.perf_counter() - start:.1f} s")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
