"""An expression written as named steps (``"z = log(y1/y2); y1 = x**2; y2 = x**3"``, CS7015 Lecture 4, Module 4.6):
put in an order the engine's parser takes (:func:`order_steps`), and differentiated as a formula of the answer
grammar in the steps' own names (:func:`derivative_formula`), the reference answer of a teacher's expression
exercise."""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping

from ..notation import UNARY_OPS

__all__ = ["derivative_formula", "order_steps"]


def order_steps(text: str) -> tuple[str, str]:
    """Named steps in any order -> ``(text in an order parse_expression takes, the output's name)``.

    ``"z = log(y1/y2); y1 = x**2; y2 = x**3"`` -> ``("y1 = x ** 2; y2 = x ** 3; z = log(y1 / y2)", "z")``: each step after
    the steps it uses; the output is the step no other step uses. One expression without names is its own output ``""``.

    Raises:
        ValueError: not Python-like statements ``NAME = EXPR``, a name defined twice, steps that use each other in a
            circle, or more than one step that no other uses (the output is ambiguous).
    """
    if len(text) > 1000:
        raise ValueError(f"the expression is {len(text)} characters long; at most 1000 are accepted")
    try:
        tree = ast.parse(text.strip(), mode="exec")
    except SyntaxError as e:
        raise ValueError(f"cannot parse {text!r}: {e.msg}") from None
    if len(tree.body) == 1 and isinstance(tree.body[0], ast.Expr):
        return ast.unparse(tree.body[0]), ""
    steps: dict[str, ast.expr] = {}
    for s in tree.body:
        if not (isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], ast.Name)):
            raise ValueError(f"{ast.unparse(s)!r} in {text!r} is not a step NAME = EXPR (steps are separated by ';')")
        name = s.targets[0].id
        if name in steps:
            raise ValueError(f"{name!r} is defined twice in {text!r}")
        steps[name] = s.value
    uses = {n: {m.id for m in ast.walk(e) if isinstance(m, ast.Name) and m.id in steps} for n, e in steps.items()}
    outputs = [n for n in steps if not any(n in u for u in uses.values())]
    if len(outputs) != 1:
        raise ValueError(
            f"{text!r} has {len(outputs)} outputs ({', '.join(outputs) or 'none: the steps use each other in a circle'}); it needs one"
        )
    done: list[str] = []
    visiting: set[str] = set()

    def visit(n: str) -> None:
        if n in done:
            return
        if n in visiting:
            raise ValueError(f"the steps of {text!r} use each other in a circle (through {n!r})")
        visiting.add(n)
        for m in sorted(uses[n]):
            visit(m)
        done.append(n)

    visit(outputs[0])
    unused = [n for n in steps if n not in done]
    if unused:
        raise ValueError(f"the steps {', '.join(unused)} of {text!r} do not lead to the output {outputs[0]!r}")
    return "; ".join(f"{n} = {ast.unparse(steps[n])}" for n in done), outputs[0]


# ---------------------------------------------------------------------- the reference formula of an expression
def derivative_formula(text: str, wrt: str) -> str | None:
    """d(output)/d(wrt) of named steps as a formula of the answer grammar, in the steps' own names (forward mode).

    ``derivative_formula("z = log(y1/y2); y1 = x**2; y2 = x**3", "x")`` is ``1/(y1/y2) * ((2*x*y2 - y1*(3*x^2)) / y2^2)``
    up to brackets: each step's derivative inlined where the step is used. None when a step uses ``relu``, which the
    answer grammar has no derivative for.
    """
    ordered, _ = order_steps(text)
    tree = ast.parse(ordered, mode="exec")
    derivs: dict[str, str] = {}
    out = "0"
    try:
        for s in tree.body:
            value = s.value if isinstance(s, (ast.Assign, ast.Expr)) else None
            assert value is not None  # order_steps gives steps or one expression
            out = _d(value, wrt, derivs)
            if isinstance(s, ast.Assign) and isinstance(s.targets[0], ast.Name):
                derivs[s.targets[0].id] = out
    except _NoFormula:
        return None
    return out


class _NoFormula(Exception):
    pass


def _p(t: str) -> str:
    """``t`` in brackets unless it is one name, number or call (``exp(v)``)."""
    if re.fullmatch(r"[\w.]+", t):
        return t
    m = re.match(r"[A-Za-z]\w*\(", t)
    if m and t.endswith(")"):
        depth = 0
        for i, c in enumerate(t[m.end() - 1 :], m.end() - 1):
            depth += {"(": 1, ")": -1}.get(c, 0)
            if depth == 0:
                return t if i == len(t) - 1 else f"({t})"
    return f"({t})"


def _mul(a: str, b: str) -> str:
    if "0" in (a, b):
        return "0"
    return b if a == "1" else a if b == "1" else f"{_p(a)} * {_p(b)}"


def _add(a: str, b: str, sign: str = "+") -> str:
    if b == "0":
        return a
    if a == "0":
        return b if sign == "+" else f"-{_p(b)}"
    return f"{a} {sign} {_p(b) if sign == '-' else b}"


_DERIVATIVE = {name: op.derivative for name, op in UNARY_OPS.items() if op.derivative is not None}
"""Each unary op's local derivative as formula text (:data:`~micrograd_nptel.notation.UNARY_OPS`; none for relu)."""


def _d(node: ast.AST, wrt: str, derivs: Mapping[str, str]) -> str:
    """The derivative of ``node`` by ``wrt`` as formula text ("0" for zero)."""
    if isinstance(node, ast.Constant):
        return "0"
    if isinstance(node, ast.Name):
        return "1" if node.id == wrt else derivs.get(node.id, "0")
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        d = _d(node.operand, wrt, derivs)
        return d if isinstance(node.op, ast.UAdd) or d == "0" else f"-{_p(d)}"
    if isinstance(node, ast.BinOp):
        u, v = _p(ast.unparse(node.left)), _p(ast.unparse(node.right))
        du, dv = _d(node.left, wrt, derivs), _d(node.right, wrt, derivs)
        if isinstance(node.op, (ast.Add, ast.Sub)):
            return _add(du, dv, "+" if isinstance(node.op, ast.Add) else "-")
        if isinstance(node.op, ast.Mult):
            return _add(_mul(du, v), _mul(u, dv))
        if isinstance(node.op, ast.Div):
            top = _add(_mul(du, v), _mul(u, dv), "-")
            return "0" if top == "0" else f"{_p(top)} / {v}^2"
        if isinstance(node.op, ast.Pow):
            n = node.right.value if isinstance(node.right, ast.Constant) and isinstance(node.right.value, (int, float)) else None
            if n is not None:
                power = u if n == 2 else f"{u}^{_p(f'{n - 1:g}')}"
                return "0" if n == 0 else _mul(f"{n:g} * {power}" if n != 1 else "1", du)
            if dv == "0":
                return _mul(f"{v} * {u}^({v} - 1)", du)
            return _mul(f"{u}^{v}", _add(_mul(dv, f"log({u})"), "0" if du == "0" else _mul(v, f"{_p(du)} / {u}")))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _DERIVATIVE and len(node.args) == 1:
        du = _d(node.args[0], wrt, derivs)
        u = ast.unparse(node.args[0])
        return _mul(_DERIVATIVE[node.func.id].format(u=u, pu=_p(u)), du)
    raise _NoFormula
