"""The chain rule's paths through a computation graph: its edges (:func:`trace`) and every path from a node up to
the root with the product of the local derivatives along it (:func:`chain_rule_paths`, CS7015 Lecture 4, Module 4.6)."""

from __future__ import annotations

from typing import NamedTuple

from .engine import Value, topological_order


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


_Link = tuple[Value, int, float, "_Link | None"]
"""A partial path: (node, the parent slot it was entered by, that edge's local grad, the path above it)."""


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
    count: dict[Value, int] = {}
    for n in nodes:  # parents first: the number of paths from wrt to each node
        count[n] = 1 if n is wrt else sum(count[p] for p in n.parents)
    if wrt not in count:
        raise ValueError(f"{_name(wrt)} is not in the graph below {_name(root)}: no path leads from it to the root")
    if count[root] > limit:
        raise ValueError(f"{count[root]} paths lead from {_name(wrt)} to {_name(root)}, more than limit={limit}")
    paths: list[Path] = []
    # depth-first from the root down to wrt; a partial path is a linked list (node, slot, local grad, rest), so each
    # step costs O(1) and a path of n nodes is copied once, when it reaches wrt: linear, not quadratic, in its length
    stack: list[_Link] = [(root, -1, 1.0, None)]
    while stack:
        link = stack.pop()
        node = link[0]
        if node is wrt:
            up: list[Value] = []
            grads: list[float] = []
            slots: list[int] = []
            cur: _Link | None = link
            while cur is not None:
                up.append(cur[0])
                if cur[3] is not None:
                    grads.append(cur[2])
                    slots.append(cur[1])
                cur = cur[3]
            product = 1.0
            for g in grads:
                product *= g
            paths.append(Path(tuple(up), tuple(grads), product, tuple(slots)))
            continue
        for i in range(len(node.parents) - 1, -1, -1):
            p = node.parents[i]
            if count[p]:
                stack.append((p, i, node.local_grads[i], link))
    return paths


def _name(v: Value) -> str:
    return repr(v.label) if v.label else repr(v)
