"""Copying and pickling Values at any depth, out of the student's path through ``engine.py``.

Pickling keeps sharing: a node reachable from several pickled objects (``[a, b]`` with
``b = a*2 + a``, a model and its loss) is written once and comes back as one node, so the
size of a pickle is linear in the number of distinct nodes. A node is written as its data,
grad, label, op, parents and local derivatives, and pickle's own memo shares what was
written before. Pickle recurses into a node's parents, so a deep graph (a chain of 10⁶ nodes)
switches, past ``DEPTH`` nested nodes, to a flat form: the nodes below, oldest first, each of
whose parents then is already written. Nothing recurses in Python either way.
"""

from __future__ import annotations

import threading

from .engine import Value, gradient_written, make_node, nodes_below, topological_order

DEPTH = 100
"""How many nodes pickle may nest, one inside another's parents, before a node is written flat
(pickle nests about three C calls a node; the interpreter's limit is 1000)."""


class _State:
    """One thread's pickling state. It is changed when a node is reduced and changed back when the marker written
    after it (``_Exit``, ``_Clear``) is reduced; if the dump fails before (a full disk), the marker is dropped
    unreduced and its ``__del__`` changes the state back instead: the ``finally`` of a dump we do not call."""

    def __init__(self) -> None:
        self.depth = 0  # the nodes being written, one inside another's parents
        self.short: set[int] = set()  # the creation numbers of nodes in a flat prefix: written without nesting


_local = threading.local()


def _current() -> _State:
    """This thread's pickling state (made on its first pickle)."""
    try:
        return _local.state  # type: ignore[no-any-return]
    except AttributeError:
        _local.state = _State()
        return _local.state  # type: ignore[no-any-return]


class _Exit:
    """Written after a node's parents: pickle reduces it then, which marks the node's end (depth - 1)."""

    __slots__ = ("state", "done")

    def __init__(self, state: _State) -> None:
        self.state, self.done = state, False

    def __reduce__(self) -> tuple[object, ...]:
        self._undo()
        return (_nothing, ())

    def _undo(self) -> None:
        if not self.done:
            self.done = True
            self.state.depth -= 1

    __del__ = _undo  # dropped unreduced: the dump failed part-way (the node's end was never reached)


class _Clear:
    """Written after a flat prefix: forgets the prefix's nodes (those pickle had written before are not reduced again)."""

    __slots__ = ("state", "numbers", "done")

    def __init__(self, state: _State, numbers: set[int]) -> None:
        self.state, self.numbers, self.done = state, numbers, False

    def __reduce__(self) -> tuple[object, ...]:
        self._undo()
        return (_nothing, ())

    def _undo(self) -> None:
        if not self.done:
            self.done = True
            self.state.short -= self.numbers

    __del__ = _undo  # dropped unreduced: the dump failed part-way


def _nothing() -> None:
    return None


def reduce(v: Value) -> tuple[object, ...]:
    """What pickles ``v``: a leaf as its data, label and grad; a node as its fields and its parents (see the module)."""
    if not v._parents:
        return (_leaf, (v.data, v.label, v.grad))
    fields = (v.data, v.grad, v.label, v._op, v._parents, v._local_grads)
    state = _current()
    if v._order in state.short:  # in a flat prefix: its parents come before it
        state.short.discard(v._order)
        return (_remake, fields)
    if state.depth < DEPTH:
        state.depth += 1
        return (_remake, (*fields, _Exit(state)))
    prefix = nodes_below(v)[:0:-1]  # the non-leaves below v, oldest first, v itself not
    numbers = {node._order for node in prefix}
    state.short |= numbers
    return (_remake_after, (prefix, _Clear(state, numbers), *fields))


def _leaf(data: float, label: str, grad: float) -> Value:
    v = Value(data, label)
    v.grad = grad
    return v


def _remake(data: float, grad: float, label: str, op: str, parents: tuple[Value, ...], local_grads: tuple[float, ...], *_: object) -> Value:
    """A node made again from its fields (pickle and copies)."""
    out = make_node(data, op, tuple(parents), tuple(local_grads))
    out.grad, out.label = grad, label
    if grad:
        gradient_written(out)  # a gradient backward() did not write: the next pass through it must reset it
    return out


def _remake_after(prefix: list[Value], _clear: object, *fields: object) -> Value:
    """A node written flat: ``prefix`` (its nodes below, already made again by then) is only there to be made first."""
    return _remake(*fields)  # type: ignore[arg-type]


def shallow(v: Value) -> Value:
    """``copy.copy(v)``: a new node (or leaf) with v's data, grad and label, sharing v's parents."""
    if not v._parents:
        return _leaf(v.data, v.label, v.grad)
    return _remake(v.data, v.grad, v.label, v._op, v._parents, v._local_grads)


def deep(v: Value, memo: dict[int, object]) -> Value:
    """``copy.deepcopy(v)`` without recursion: every node below v copied once, parents first, sharing through ``memo``."""
    for node in topological_order(v):
        if id(node) in memo:
            continue
        if node._parents:
            parents = tuple(memo[id(p)] for p in node._parents)
            copied = _remake(node.data, node.grad, node.label, node._op, parents, node._local_grads)  # type: ignore[arg-type]
        else:
            copied = _leaf(node.data, node.label, node.grad)
        memo[id(node)] = copied
    return memo[id(v)]  # type: ignore[return-value]
