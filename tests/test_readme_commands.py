"""The README's console examples, run as printed on a console that is not UTF-8 (issue 34, item 13).

Each ``$ micrograd-nptel ...`` line of a ``console`` block in README.md runs under ``PYTHONIOENCODING=cp1252`` (what a
redirected Windows console writes) and must print exactly the README's lines as that console shows them: what cp1252
holds unchanged, the rest in the ASCII notation (``∇_{a_2}L`` as ``grad_a_2``). CI runs this file with
``PYTHONIOENCODING=cp1252`` set for pytest too.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from micrograd_nptel._console import ERRORS, register_error_handler

ROOT = Path(__file__).resolve().parent.parent


def console_examples() -> list[tuple[str, str]]:
    """(command, its printed lines) for each ``$ micrograd-nptel`` line of README.md's console blocks."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    examples = []
    for block in re.findall(r"```console\n(.*?)```", readme, re.S):
        for part in re.split(r"^(?=\$ )", block, flags=re.M):
            if part.startswith("$ micrograd-nptel "):
                command, _, printed = part.partition("\n")
                examples.append((command[2:], printed))
    return examples


EXAMPLES = console_examples()


def test_the_readme_has_console_examples() -> None:
    assert len(EXAMPLES) >= 4 and sum("exercise" in c for c, _ in EXAMPLES) >= 3


@pytest.mark.parametrize("command, printed", EXAMPLES, ids=[c for c, _ in EXAMPLES])
def test_a_readme_command_prints_what_the_readme_shows_on_cp1252(command: str, printed: str, tmp_path: Path) -> None:
    args = shlex.split(command)[1:]
    missing = [a for a in args if a.endswith(".csv") and "-o" not in args[args.index(a) - 1 : args.index(a)]]
    if missing:
        pytest.skip(f"the README's {missing[0]} is the teacher's own file")
    register_error_handler()  # the handler this test encodes the README's text with, as the command's streams do
    done = subprocess.run(
        [sys.executable, "-m", "micrograd_nptel", *args],
        capture_output=True,
        timeout=300,
        env={**os.environ, "PYTHONIOENCODING": "cp1252"},
        cwd=tmp_path,
    )
    shown = (done.stdout + done.stderr).decode("cp1252")
    assert "Traceback" not in shown and done.returncode in (0, 1, 2), shown
    assert shown == printed.encode("cp1252", ERRORS).decode("cp1252"), shown
