"""Expressions typed on the command line and in Python: deep nesting refused, a leading minus accepted."""

from __future__ import annotations

from pathlib import Path

import pytest

from micrograd_nptel.cli import main
from micrograd_nptel.expression import ExpressionError, parse_expression


def test_the_parser_refuses_deep_nesting() -> None:
    with pytest.raises(ExpressionError, match="nested too deeply"):
        parse_expression("-" * 999 + "x", {"x": 1.0})


def test_an_expression_may_start_with_a_minus(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["draw", "-x", "--at", "x=1", "-o", str(tmp_path / "e.dot")]) == 0
    assert main(["explain", "x", "--expr", "-x*x", "--at", "x=3"]) == 0
    assert "∂" in capsys.readouterr().out
    assert main(["draw", "1/x", "--at", "x=1e-200", "-o", str(tmp_path / "t.dot")]) == 1  # one line, not 26 of traceback
