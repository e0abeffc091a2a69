"""Slips made from the exercise's own formula: one registry of slip kinds, each a key, what it means, and a generator
that rewrites the lecture's formula (the exercise's ``reference``) the way a student's slip does.

Every exercise, built-in or a teacher's, gets these on top of its catalogued slips and its world's lecture slips
(:mod:`~micrograd_nptel.exercises.worlds`), so a slip the catalogue does not list is still named:

* ``term_left_out`` (``missing_factor``): a term of the top-level sum left out (the bias of a = b + W h; a path);
* ``factor_dropped`` (``missing_factor``): one factor of a product set to 1 (∂z/∂y_1 forgotten, the 2 of the square);
* ``entry_left_out`` (``missing_paths``): one entry m of a vector left out of every sum over it (one term of Σ_m);
* ``halved`` (``extra_factor``, or ``missing_factor`` where the formula has its own factor 2): the answer times ½;
* ``doubled`` (``extra_factor``): the answer times 2.

A new kind is one entry of :data:`KINDS` (its key, description and generator). Generators work on the parsed
formula (:class:`~micrograd_nptel.exercises.formula.Formula`), so the rewritten formulas are evaluated on every world
of the exercise like any answer (CS7015 Lecture 4, Modules 4.4-4.8: the chain rule's factors and the sums over paths).
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from .formula import Context, Formula, pretty, unparse

__all__ = ["KINDS", "Kind", "Rewrite", "rewrites"]


@dataclass(frozen=True)
class Rewrite:
    """One slip made from the formula: its ``key`` (see :data:`~micrograd_nptel.exercises.feedback.MISTAKES`), the
    ``message`` a student sees, and the rewritten ``formula``."""

    key: str
    message: str
    formula: Formula


@dataclass(frozen=True)
class Kind:
    """A kind of slip: its ``key``, what it means (``description``) and its ``generator`` (formula, numbers) -> rewrites."""

    key: str
    description: str
    generator: Callable[[Formula, Context], Iterator[Rewrite]]


def _with(formula: Formula, body: ast.expr) -> Formula:
    return Formula(formula.text, ast.Expression(body=body), list(formula.names), set(formula.functions))


def _terms(node: ast.expr) -> list[tuple[int, ast.expr]]:
    """The top-level sum's terms with their signs: a - b + c -> [(+1, a), (-1, b), (+1, c)]."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
        right = _terms(node.right)
        if isinstance(node.op, ast.Sub):
            right = [(-s, t) for s, t in right]
        return _terms(node.left) + right
    return [(1, node)]


def _sum(terms: list[tuple[int, ast.expr]]) -> ast.expr:
    out: ast.expr | None = None
    for sign, t in terms:
        if out is None:
            out = t if sign > 0 else ast.UnaryOp(op=ast.USub(), operand=t)
        else:
            out = ast.BinOp(left=out, op=ast.Add() if sign > 0 else ast.Sub(), right=t)
    assert out is not None
    return out


def _term_left_out(f: Formula, ctx: Context) -> Iterator[Rewrite]:
    terms = _terms(f.tree.body)
    if not 2 <= len(terms) <= 6:
        return
    for i, (_, t) in enumerate(terms):
        shown = unparse(t, f)
        yield Rewrite(
            "missing_factor",
            f"The term {shown} of the sum is left out: {unparse(f.tree.body, f)} has every term.",
            _with(f, _sum(terms[:i] + terms[i + 1 :])),
        )


def _factor_dropped(f: Formula, ctx: Context) -> Iterator[Rewrite]:
    """Each factor of a product (``*``, ``/``'s numerator and denominator, ``@``, a juxtaposition) replaced by 1."""
    tree = f.tree.body
    nodes = list(ast.walk(tree))
    sites = []
    for node in nodes:
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Div, ast.Mod, ast.MatMult)):
            sites += [nodes.index(node.left), nodes.index(node.right)]
    for i in sites[:24]:
        site = nodes[i]
        names = sum(isinstance(n, ast.Name) and n.id.startswith("_n") for n in ast.walk(site))
        if (isinstance(site, ast.Constant) and site.value in (1, 1.0)) or names > 2:
            continue  # a factor, not most of the chain
        body = copy.deepcopy(tree)
        _replace(body, list(ast.walk(body))[i], ast.Constant(value=1.0))
        shown = unparse(site, f)
        yield Rewrite(
            "missing_factor",
            f"The factor {shown} is missing from the chain: every factor of {unparse(tree, f)} belongs in it.",
            _with(f, body),
        )


def _replace(body: ast.AST, target: ast.AST, new: ast.expr) -> None:
    for parent in ast.walk(body):
        for name, value in ast.iter_fields(parent):
            if value is target:
                setattr(parent, name, new)


def _entry_left_out(f: Formula, ctx: Context) -> Iterator[Rewrite]:
    """A vector V (n = 2..4 entries) of the formula with entry m set to 0: the term m of every sum over V left out."""
    for index, name in enumerate(f.names):
        v = ctx.values.get(name)
        if v is None or v.ndim != 2 or v.shape[1] != 1 or not 2 <= v.shape[0] <= 4:
            continue
        n = v.shape[0]
        for m in range(1, n + 1):
            body = copy.deepcopy(f.tree.body)
            keep = ast.BinOp(
                left=ast.Constant(value=1.0),
                op=ast.Sub(),
                right=ast.Call(func=ast.Name(id="_f_e", ctx=ast.Load()), args=[ast.Constant(value=m), ast.Constant(value=n)], keywords=[]),
            )
            masked = ast.BinOp(left=ast.Name(id=f"_n{index}", ctx=ast.Load()), op=ast.Mult(), right=keep)
            for node in list(ast.walk(body)):
                for field, value in ast.iter_fields(node):
                    if isinstance(value, ast.Name) and value.id == f"_n{index}":
                        setattr(node, field, masked)
            if isinstance(body, ast.Name) and body.id == f"_n{index}":
                body = masked
            yield Rewrite(
                "missing_paths",
                f"The term m = {m} of the sum over the entries of {pretty(name)} is missing: Σ_m runs over every unit m "
                "(Module 4.6: every path through the layer counts).",
                _with(f, body),
            )


def _factors(node: ast.expr) -> list[ast.expr]:
    """The factors of the top-level product: 2 * (ŷ - y) * W_3 -> [2, ŷ - y, W_3]."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Mod, ast.MatMult)):
        return _factors(node.left) + _factors(node.right)
    return [node]


def _scaled(factor: float) -> Callable[[Formula, Context], Iterator[Rewrite]]:
    def generator(f: Formula, ctx: Context) -> Iterator[Rewrite]:
        own_two = any(isinstance(n, ast.Constant) and n.value in (2, 2.0) for n in _factors(f.tree.body))
        body = ast.BinOp(left=ast.Constant(value=factor), op=ast.Mult(), right=copy.deepcopy(f.tree.body))
        if factor == 0.5 and own_two:
            yield Rewrite(
                "missing_factor",
                "Half the answer: the factor 2 of the formula (2(ŷ - y) of the square, 2x of x²) is dropped.",
                _with(f, body),
            )
        else:
            yield Rewrite("extra_factor", f"{factor:g} times the answer: a factor {factor:g} that is not in the chain.", _with(f, body))

    return generator


KINDS: dict[str, Kind] = {
    "term_left_out": Kind("missing_factor", "a term of the top-level sum left out (the bias, one path)", _term_left_out),
    "factor_dropped": Kind("missing_factor", "one factor of a product set to 1", _factor_dropped),
    "entry_left_out": Kind("missing_paths", "one entry m of a vector left out of every sum over it", _entry_left_out),
    "halved": Kind("extra_factor", "the answer times ½ (missing_factor where the formula has its own 2)", _scaled(0.5)),
    "doubled": Kind("extra_factor", "the answer times 2", _scaled(2.0)),
}
"""The slip kinds made from an exercise's formula, in the order they are tried (after its catalogued slips)."""


def rewrites(formula: Formula, ctx: Context) -> list[Rewrite]:
    """Every slip of :data:`KINDS` made from ``formula`` on the numbers ``ctx`` (the same list, in the same order, for
    every world of an exercise: a slip is matched across worlds by its place). A rewrite that cannot be evaluated
    there is kept (it will not match); at most 64."""
    out: list[Rewrite] = []
    for kind in KINDS.values():
        out += list(kind.generator(formula, ctx))
    return out[:64]
