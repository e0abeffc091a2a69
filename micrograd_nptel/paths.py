"""The chain rule's paths through a computation graph: its edges (:func:`trace`) and every path from a node up to
the root with the product of the local derivatives along it (:func:`chain_rule_paths`, CS7015 Lecture 4, Module 4.6).

The package's one path counter (:func:`count_paths`) and one path enumerator (:func:`walk_paths`) live here, over any
graph given as a function from a node to the edges below it: :func:`chain_rule_paths` walks the engine's graph,
:func:`~micrograd_nptel.derivation.explain` the graph of named quantities, and the network picture counts the
paths of its unit graph with them.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from typing import Any, NamedTuple, TypeVar

from .engine import Value, topological_order

N = TypeVar("N", bound=Hashable)


class Edge(NamedTuple):
    """One use of ``parent`` by ``child``: ``child.parents[slot] is parent``, with local derivative ``local_grad``."""

    parent: Value
    child: Value
    slot: int
    local_grad: float


def _nodes(root: Value, caller: str) -> list[Value]:
    """``topological_order(root)``, after checking that ``root`` is a Value (a TypeError naming ``caller`` if not)."""
    if not isinstance(root, Value):
        raise TypeError(f"{caller} needs a Value, got {root!r} of type {type(root).__name__}")
    return topological_order(root)


def trace(root: Value) -> tuple[list[Value], list[Edge]]:
    """The nodes and edges of the graph below ``root`` (iterative, like ``backward``).

    Args:
        root: the output node.

    Returns:
        ``(nodes, edges)``: the n distinct nodes, leaves first and ``root`` last, and
        one :class:`Edge` per parent use (``x*x`` gives two edges from x).

    Raises:
        TypeError: ``root`` is not a Value.
    """
    nodes = _nodes(root, "trace")
    edges = [Edge(p, n, i, lg) for n in nodes for i, (p, lg) in enumerate(zip(n.parents, n.local_grads))]
    return nodes, edges


class Path(NamedTuple):
    """One path from ``wrt`` up to the root: its ``nodes`` (``wrt`` first, root last), the
    ``local_grads`` along it (one per step), their ``product``, and for each step the index
    of the parent slot it enters (``parent_indices``), which tells apart the two edges of ``x*x``."""

    nodes: tuple[Value, ...]
    local_grads: tuple[float, ...]
    product: float
    parent_indices: tuple[int, ...]


def count_paths(order: Iterable[N], start: N, below: Callable[[N], Iterable[N]]) -> dict[N, int]:
    """The number of paths from ``start`` to each node, counted by dynamic programming in one pass (no enumeration).

    Args:
        order: the nodes, each after every node it has an edge down to (e.g. a topological order, parents first).
        start: where the paths begin (``count[start] == 1``).
        below: a node's edges, as the nodes they lead down to (a node met twice counts twice: ``x*x``).

    Returns:
        node -> number of paths from ``start`` to it (0 where none leads); Python ints, never overflowing.

    Source: CS7015 Lecture 4, Module 4.6 (the sum across all the paths: how many terms it has).
    """
    count: dict[N, int] = {}
    for n in order:
        count[n] = 1 if n == start else sum(count.get(p, 0) for p in below(n))
    return count


_Link = tuple[Any, int, Any, "_Link | None"]
"""A partial path: (node, the slot of the edge it was entered by, that edge's factor, the path above it)."""


def walk_paths(
    top: N, bottom: N, below: Callable[[N], Sequence[tuple[N, int, Any]]]
) -> Iterator[tuple[tuple[N, ...], tuple[Any, ...], tuple[int, ...]]]:
    """Every path from ``top`` down to ``bottom``, depth first, in a fixed order (a node's first edge first).

    A partial path is a linked list (node, slot, factor, rest), so each step costs O(1) and a path of n nodes is
    copied once, when it reaches ``bottom``: linear, not quadratic, in its length. A generator: the caller stops
    when it has enough. Edges are followed as ``below`` gives them; give only edges that lead to ``bottom`` (see
    :func:`count_paths`), or dead ends are explored too.

    Args:
        top, bottom: the two ends (e.g. the root and the quantity differentiated for).
        below: a node's edges down: ``(node below, slot, factor)`` (slot tells apart the two edges of ``x*x``).

    Yields:
        ``(nodes, factors, slots)`` per path, ``bottom`` first and ``top`` last; factor and slot t belong to the edge
        from ``nodes[t + 1]`` down to ``nodes[t]``.

    Source: CS7015 Lecture 4, Module 4.6 ("chain rule along multiple paths").
    """
    stack: list[_Link] = [(top, -1, None, None)]
    while stack:
        link = stack.pop()
        node = link[0]
        if node == bottom:
            nodes: list[N] = []
            factors: list[Any] = []
            slots: list[int] = []
            cur: _Link | None = link
            while cur is not None:
                nodes.append(cur[0])
                if cur[3] is not None:
                    factors.append(cur[2])
                    slots.append(cur[1])
                cur = cur[3]
            yield tuple(nodes), tuple(factors), tuple(slots)
            continue
        for p, slot, factor in reversed(below(node)):
            stack.append((p, slot, factor, link))


def chain_rule_paths(root: Value, wrt: Value, limit: int = 10_000) -> list[Path]:
    """Every path from ``wrt`` up to ``root`` with the product of the local derivatives along it.

    The products sum to ``∂root/∂wrt`` (``wrt.grad`` after ``root.backward()``): CS7015
    Lecture 4, Module 4.6, "sum across all the paths", ``∂p/∂z = Σ_m (∂p/∂q_m)(∂q_m/∂z)``.
    The paths are counted first (dynamic programming over the graph), so a graph with
    too many is refused at once instead of hanging.

    Args:
        root: the output (e.g. the loss L).
        wrt: a node below ``root`` (e.g. an input x or a weight).
        limit: the most paths to enumerate.

    Returns:
        A list of :class:`Path`, in a fixed order.

    Raises:
        TypeError: ``root`` or ``wrt`` is not a Value.
        ValueError: ``wrt`` is not in the graph below ``root``, or there are more than
            ``limit`` paths (the count is given).
    """
    nodes = _nodes(root, "chain_rule_paths")  # the order is all it needs, not the edges
    if not isinstance(wrt, Value):
        raise TypeError(f"chain_rule_paths needs wrt to be a Value, got {wrt!r} of type {type(wrt).__name__}")
    count = count_paths(nodes, wrt, lambda n: n.parents)
    if count.get(wrt, 0) == 0:
        raise ValueError(f"{node_name(wrt)} is not in the graph below {node_name(root)}: no path leads from it to the root")
    if count[root] > limit:
        raise ValueError(f"{count[root]} paths lead from {node_name(wrt)} to {node_name(root)}, more than limit={limit}")

    def below(n: Value) -> list[tuple[Value, int, float]]:
        return [(p, i, g) for i, (p, g) in enumerate(zip(n.parents, n.local_grads)) if count[p]]

    paths: list[Path] = []
    for up, grads, slots in walk_paths(root, wrt, below):
        product = 1.0
        for g in grads:
            product *= g
        paths.append(Path(up, grads, product, slots))
    return paths


def node_name(v: Value) -> str:
    """A node in a message: its label quoted, or its ``repr`` when it has none."""
    return repr(v.label) if v.label else repr(v)
