"""Safe parsing of expressions such as ``"log(x**2 / x**3)"`` into Value graphs.

Python's ``ast`` parses the text; only a whitelist of nodes is accepted (numbers,
variables, ``+ - * / **``, unary ``-``/``+`` and calls of the engine's functions), so
nothing is ever evaluated by Python itself (no ``eval``).
"""

from __future__ import annotations

import ast
import math
from collections.abc import Mapping

from .engine import Value
from .notation import UNARY_OPS

FUNCTIONS = tuple(UNARY_OPS)
"""The functions an expression may call: the engine's unary methods (:data:`micrograd_nptel.notation.UNARY_OPS`)."""


class ExpressionError(ValueError):
    """An expression that cannot be parsed or uses something outside the whitelist."""


def parse_expression(text: str, at: Mapping[str, float]) -> tuple[Value, dict[str, Value]]:
    """Build the Value graph of ``text`` with each variable a leaf holding its value in ``at``.

    Intermediate quantities are named as the slides name them, with assignments separated
    by ``;``: ``"y1 = x**2; y2 = x**3; z = log(y1/y2)"`` (CS7015 Lecture 4, Module 4.6's toy
    example) labels the nodes ``y1``, ``y2`` and ``z``; the last statement is the output.

    Args:
        text: e.g. ``"log(x**2 / x**3)"`` or ``"tanh(w*x + b)"``; at most 1,000 characters.
        at: the value of every variable, e.g. ``{"x": 2.0}``.

    Returns:
        ``(root, variables)``: the output node and the leaf of each variable, by name.

    Raises:
        ExpressionError: a syntax error, a name not in ``at`` or not a known function,
            or any construct outside the whitelist (the message names it).
        ValueError/OverflowError: a domain error while computing (e.g. ``log(0)``).
    """
    if len(text) > 1000:
        raise ExpressionError(f"expression is {len(text)} characters long; at most 1000 are accepted")
    try:
        tree = ast.parse(text.strip(), mode="exec")
        leaves = {name: Value(float(v), label=name) for name, v in at.items()}
        used: dict[str, Value] = {}
        root: Value | float = 0.0
        if not tree.body:
            raise ExpressionError("the expression is empty")
        for statement in tree.body:
            if isinstance(statement, ast.Expr):
                root = _build(statement.value, leaves, used, text)
            elif isinstance(statement, ast.Assign) and len(statement.targets) == 1 and isinstance(statement.targets[0], ast.Name):
                target = statement.targets[0].id
                if target in leaves or target in FUNCTIONS:
                    raise ExpressionError(f"{target!r} is named twice in {text!r}: each name may be given one value")
                root = _build(statement.value, leaves, used, text)
                if isinstance(root, Value) and root.label:
                    raise ExpressionError(f"{target} = {root.label} only renames {root.label!r} in {text!r}: give {target!r} an expression")
                root = root if isinstance(root, Value) else Value(root)
                root.label = target
                leaves[target] = root
            else:
                raise ExpressionError(f"unsupported statement {ast.unparse(statement)!r} in {text!r}: write NAME = EXPR; ...; EXPR")
    except SyntaxError as e:
        raise ExpressionError(f"cannot parse {text!r}: {e.msg}") from None
    except RecursionError:
        raise ExpressionError(f"{text[:40]!r}... is nested too deeply to parse") from None
    used = {name: v for name, v in used.items() if name in at}  # the inputs, not the named intermediates
    if not used or not isinstance(root, Value):
        raise ExpressionError(f"{text!r} has no variable: nothing to differentiate")
    return root, used


def _build(node: ast.AST, leaves: Mapping[str, Value], used: dict[str, Value], text: str) -> Value | float:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        try:
            return float(node.value)
        except OverflowError:
            raise ExpressionError(f"the number {str(node.value)[:20]}... in the expression is too large for a float") from None
    if isinstance(node, ast.Name):
        if node.id in leaves:
            used[node.id] = leaves[node.id]
            return leaves[node.id]
        if node.id in ("e", "pi"):
            return math.e if node.id == "e" else math.pi
        raise ExpressionError(f"unknown variable {node.id!r} in {text!r}: give its value with --at {node.id}=NUMBER")
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        operand = _build(node.operand, leaves, used, text)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)):
        left, right = _build(node.left, leaves, used, text), _build(node.right, leaves, used, text)
        if not isinstance(left, Value) and not isinstance(right, Value):
            left = Value(left)  # a constant sub-expression still becomes a node
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Mult):
            return left * right
        if isinstance(node.op, ast.Div):
            return left / right
        return left**right
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS:
        if len(node.args) != 1 or node.keywords:
            raise ExpressionError(f"{node.func.id}() takes exactly one argument in {text!r}")
        arg = _build(node.args[0], leaves, used, text)
        v = arg if isinstance(arg, Value) else Value(arg)
        result: Value = getattr(v, node.func.id)()
        return result
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        raise ExpressionError(f"unknown function {node.func.id!r} in {text!r}; allowed: {', '.join(FUNCTIONS)}")
    raise ExpressionError(
        f"unsupported syntax {ast.unparse(node)!r} in {text!r}: use numbers, variables, + - * / ** and {', '.join(FUNCTIONS)}"
    )
