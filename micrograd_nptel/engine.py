"""The scalar reverse-mode autodiff engine: :class:`Value`.

A ``Value`` is one node of a computation graph. It records, in the forward pass,
its ``parents`` and the **local derivative** ``∂self/∂parent`` towards each of them
(``local_grads``, plain floats). ``backward()`` then visits the graph in reverse order
of creation, a topological order read off a record that each node keeps of the node
made before it (no sort; :func:`topological_order` where the record cannot be trusted),
and applies the chain rule, summing the contributions of every path:

    CS7015 Lecture 4, Module 4.6 (chain rule along multiple paths):
    ∂p/∂z = Σ_m (∂p/∂q_m)(∂q_m/∂z)

Every op below is one statement of the slide's table of derivatives: the value and
its local derivative side by side (for tanh: ``t`` and ``1 - t*t``). The engine is
data (parents, local derivatives), not closures, so a graph holds no reference
cycles and is freed by reference counting alone.
"""

from __future__ import annotations

import math
import numbers
import threading
from collections.abc import Callable, Iterable, Sequence
from itertools import count, filterfalse, repeat
from operator import attrgetter, mul
from typing import Union, cast

Scalar = Union["Value", int, float]
"""Anything an op accepts on either side: a ``Value`` or a real number."""


def _check_number(x: object, what: str) -> float:
    """Return ``x`` as a finite float, or raise a clear ``TypeError``/``ValueError``.

    Accepts ``int``, ``float`` and other real numbers (``numpy.float64``,
    ``fractions.Fraction``); rejects ``bool``, ``str``, ``None``, ``complex`` and
    containers with a ``TypeError`` naming the value, and NaN or ±inf with a
    ``ValueError``.
    """
    if type(x) is float:
        f = x
    elif (type(x) is int or isinstance(x, numbers.Real)) and not isinstance(x, bool) and type(x).__name__ != "bool_":
        try:
            f = float(x)
        except OverflowError:
            raise ValueError(
                f"{what} is too large for a float (|x| must be below 1.8e308), got an integer of {len(str(x))} digits"
            ) from None
    else:
        raise TypeError(f"{what} must be a real number (int or float), got {x!r} of type {type(x).__name__}")
    if not math.isfinite(f):
        raise ValueError(f"{what} must be finite, got {f!r}")
    return f


class Value:
    """One scalar node of a computation graph, with its value and gradient.

    Args:
        data: the scalar value (a real number; ints are converted to float).
        label: an optional name shown by ``repr`` and in drawn graphs (e.g. ``"x"``,
            ``"W_{1,1,2}"``).

    Attributes:
        data (float): the value computed in the forward pass.
        grad (float): ∂L/∂self after ``L.backward()``; 0.0 at creation. Leaves
            accumulate it across ``backward()`` calls (as in PyTorch); every non-leaf
            holds the last pass's value.
        label (str): the name given at creation (or set later), "" by default.

    Raises:
        TypeError: ``data`` is a bool, str, None, complex, a list, or any non-real.
        ValueError: ``data`` is NaN or infinite, or an integer too large for a float.

    Source: CS7015 Lecture 4, Module 4.4 (backpropagation as a chain of local
    derivatives); IIT Hyderabad Backpropagation-1 ("downstream = upstream × local").

    Example:
        >>> x = Value(2.0, label="x")
        >>> y = x * x + 3 * x
        >>> y.backward()
        >>> x.grad  # 2x + 3
        7.0
    """

    __slots__ = ("data", "grad", "label", "_op", "_parents", "_local_grads", "_prev", "_segment")  # no __weakref__: 8 bytes a node

    data: float
    grad: float
    label: str
    _op: str
    _parents: tuple[Value, ...]
    _local_grads: tuple[float, ...]
    _prev: Value | None  # the node this thread made just before this one (None for a leaf, or the first of a segment)
    _segment: int  # the record segment holding this node's whole graph: 0 for a leaf, _BROKEN if no segment does

    def __init__(self, data: float, label: str = "") -> None:
        if not isinstance(label, str):
            raise TypeError(f"label must be a str, got {label!r} of type {type(label).__name__}")
        self.data = _check_number(data, "Value data")
        self.grad = 0.0
        self.label = label
        self._op = ""
        self._parents = ()
        self._local_grads = ()
        self._prev = None
        self._segment = 0

    # ------------------------------------------------------------------ graph data
    @property
    def op(self) -> str:
        """The op that produced this node (``"+"``, ``"*"``, ``"tanh"``, ``"linear"``, ...); "" for a leaf."""
        return self._op

    @property
    def parents(self) -> tuple[Value, ...]:
        """The nodes this one was computed from, in argument order; a parent used twice appears twice."""
        return self._parents

    @property
    def local_grads(self) -> tuple[float, ...]:
        """``∂self/∂parents[i]`` for each parent, computed in the forward pass (same length as ``parents``)."""
        return self._local_grads

    @property
    def is_leaf(self) -> bool:
        """True for a node with no parents (an input, a parameter or a constant)."""
        return not self._parents

    # ------------------------------------------------------------------ copying and pickling, at any depth
    def __reduce__(self) -> tuple[Callable[..., Value], tuple[object, ...]]:
        """Pickle (and ``copy.copy``) without recursion: the graph below this node as a flat list, parents first.

        Leaves are kept as objects, so parameters shared with a model stay shared; the nodes above them
        are made again from their data, op, parents and local derivatives. The record is not pickled.
        """
        if not self._parents:
            return (_leaf, (self.data, self.label, self.grad))
        return (_rebuild, (_flat(self),))

    def __deepcopy__(self, memo: dict[int, object]) -> Value:
        """``copy.deepcopy`` at any depth (no recursion): leaves copied once each, nodes made again parents first."""
        copies: list[Value] = []
        for node, parents in _flat_nodes(self):
            done = memo.get(id(node))
            if done is None:
                if parents is None:
                    done = _leaf(node.data, node.label, node.grad)
                else:
                    done = _remake(node.data, node.grad, node.label, node._op, [copies[i] for i in parents], node._local_grads)
                memo[id(node)] = done
            copies.append(done)  # type: ignore[arg-type]
        return copies[-1]

    def __repr__(self) -> str:
        name = f"label={self.label!r}, " if self.label else ""
        return f"Value({name}data={self.data:.6g}, grad={self.grad:.6g})"

    # ------------------------------------------------------------------ binary ops
    # Each op: the value and its local derivatives towards (self, other), side by side.
    def __add__(self, other: Scalar) -> Value:
        o = other if type(other) is Value else _lift(other)
        return _node(self.data + o.data, "+", (self, o), (1.0, 1.0))

    def __radd__(self, other: Scalar) -> Value:  # other + self, other a number
        o = _lift(other)
        return _node(o.data + self.data, "+", (o, self), (1.0, 1.0))

    def __sub__(self, other: Scalar) -> Value:
        o = other if type(other) is Value else _lift(other)
        return _node(self.data - o.data, "-", (self, o), (1.0, -1.0))

    def __rsub__(self, other: Scalar) -> Value:  # other - self
        o = _lift(other)
        return _node(o.data - self.data, "-", (o, self), (1.0, -1.0))

    def __mul__(self, other: Scalar) -> Value:
        o = other if type(other) is Value else _lift(other)
        return _node(self.data * o.data, "*", (self, o), (o.data, self.data))

    def __rmul__(self, other: Scalar) -> Value:  # other * self
        o = _lift(other)
        return _node(o.data * self.data, "*", (o, self), (self.data, o.data))

    def __truediv__(self, other: Scalar) -> Value:
        o = _lift(other)
        x, y = self.data, o.data
        if y == 0.0:
            raise ValueError(f"division by zero: {x!r} / {y!r} (the divisor must be nonzero)")
        q = x / y  # ∂(x/y)/∂y = -x/y² = -q/y, which does not underflow through y*y
        if q - q != 0.0:
            raise _overflow("/", (self, o), q)
        return _node(q, "/", (self, o), _finite_grads("/", (1.0 / y, -q / y), x, y))

    def __rtruediv__(self, other: Scalar) -> Value:
        return _lift(other) / self

    def __pow__(self, other: Scalar) -> Value:
        """``x ** n`` for a number n (one parent, local ``n x^(n-1)``), or ``x ** y`` for a Value y.

        With a ``Value`` exponent the parents are (x, y) and the local derivatives are
        ``y x^(y-1)`` and ``x^y ln x``, defined for x > 0.

        Raises:
            ValueError: x <= 0 with a ``Value`` or non-integer exponent; x == 0 with a
                negative exponent.
            OverflowError: a result (or local derivative) too large for a float.
        """
        x = self.data
        if isinstance(other, Value):
            y = other.data
            if x <= 0.0:
                raise ValueError(f"x ** y with a Value exponent needs x > 0 (∂/∂y = x^y ln x), got x={x!r}")
            v = _float_pow(x, y)
            return _node(v, "**", (self, other), (y * _float_pow(x, y - 1.0), v * math.log(x)))
        n = _check_number(other, "exponent")
        if x <= 0.0 and not n.is_integer():
            raise ValueError(f"x ** {n!r} with a non-integer exponent needs x > 0, got x={x!r}")
        if x == 0.0 and n < 0.0:
            raise ValueError(f"0.0 ** {n!r} is a division by zero (x must be nonzero for a negative exponent)")
        v = _float_pow(x, n)
        return _node(v, f"**{n:g}", (self,), (n * _float_pow(x, n - 1.0) if n != 0.0 else 0.0,))

    def __rpow__(self, other: Scalar) -> Value:
        return _lift(other) ** self

    def __neg__(self) -> Value:
        return _node(-self.data, "neg", (self,), (-1.0,))

    # ------------------------------------------------------------------ unary ops
    def exp(self) -> Value:
        """``e^x``; local derivative ``e^x``. Raises ``OverflowError`` for x > 709.78 (never a silent inf)."""
        try:
            e = math.exp(self.data)
        except OverflowError:
            raise OverflowError(f"exp({self.data!r}) overflows a float (exp needs x <= 709.78)") from None
        return _node(e, "exp", (self,), (e,))

    def log(self) -> Value:
        """Natural log ``ln x``; local derivative ``1/x``. Raises ``ValueError`` for x <= 0."""
        x = self.data
        if x <= 0.0:
            raise ValueError(f"log of a non-positive number: log({x!r}) needs x > 0")
        return _node(math.log(x), "log", (self,), (1.0 / x,))

    def sqrt(self) -> Value:
        """``√x``; local derivative ``1/(2√x)``. Raises ``ValueError`` for x <= 0 (at 0 the derivative is infinite)."""
        x = self.data
        if x <= 0.0:
            raise ValueError(f"sqrt needs x > 0 (its derivative 1/(2√x) is undefined at 0), got sqrt({x!r})")
        s = math.sqrt(x)
        return _node(s, "sqrt", (self,), (0.5 / s,))

    def tanh(self) -> Value:
        """``t = tanh x``; local derivative ``1 - t²`` (CS7015 Lecture 4, Module 4.9)."""
        t = math.tanh(self.data)
        return _node(t, "tanh", (self,), (1.0 - t * t,))

    def sigmoid(self) -> Value:
        """The logistic function ``g = 1/(1+e^{-x})``; local derivative ``g(1-g)`` (CS7015 Lecture 4, Module 4.9).

        Computed without overflow or cancellation for any finite x: ``1/(1+e^{-x})`` for
        x >= 0 and ``e^x/(1+e^x)`` for x < 0 (relative error ~1e-16 everywhere).
        """
        x = self.data
        if x >= 0.0:
            g = 1.0 / (1.0 + math.exp(-x))
        else:  # e^x/(1 + e^x): no cancellation, so sigmoid(-40) = 4.2e-18, not 0
            e = math.exp(x)
            g = e / (1.0 + e)
        return _node(g, "sigmoid", (self,), (g * (1.0 - g),))

    logistic = sigmoid

    def relu(self) -> Value:
        """``max(0, x)``; local derivative 1 for x > 0, else 0 (0 at x = 0, as in PyTorch)."""
        x = self.data
        if x - x != 0.0:  # a NaN or inf that came in by assignment to .data
            raise ValueError(f"relu of a non-finite value {x!r}")
        return _node(x, "relu", (self,), (1.0,)) if x > 0.0 else _node(0.0, "relu", (self,), (0.0,))

    def sin(self) -> Value:
        """``sin x``; local derivative ``cos x``."""
        return _node(math.sin(self.data), "sin", (self,), (math.cos(self.data),))

    def cos(self) -> Value:
        """``cos x``; local derivative ``-sin x``."""
        return _node(math.cos(self.data), "cos", (self,), (-math.sin(self.data),))

    def abs(self) -> Value:
        """``|x|``; local derivative ``sign x`` (0 at x = 0, as in PyTorch)."""
        x = self.data
        return _node(abs(x), "abs", (self,), (1.0 if x > 0.0 else -1.0 if x < 0.0 else 0.0,))

    __abs__ = abs

    # ------------------------------------------------------------------ fused n-ary nodes
    @staticmethod
    def sum(values: Iterable[Scalar]) -> Value:
        """``Σ_i v_i`` as ONE node with n parents, each with local derivative 1.

        Args:
            values: n >= 1 Values or numbers.

        Raises:
            ValueError: ``values`` is empty.
            TypeError: an item is not a Value or a real number.
            OverflowError: the sum is too large for a float.
        """
        parents = tuple(_lift(v) for v in values)
        if not parents:
            raise ValueError("Value.sum needs at least one term, got an empty sequence")
        try:
            total = math.fsum(p.data for p in parents)
        except OverflowError:
            total = math.inf
        return _node(total, "sum", parents, (1.0,) * len(parents))

    @staticmethod
    def linear(weights: Sequence[Scalar], inputs: Sequence[Scalar], bias: Scalar | None = None) -> Value:
        """The pre-activation ``a = b + Σ_j w_j h_j`` as ONE node.

        Its parents are the n weights, then the n inputs, then the bias (if given);
        its local derivatives are ``h_j`` (towards ``w_j``), ``w_j`` (towards ``h_j``)
        and ``1`` (towards ``b``).

        Source: CS7015 Lecture 4, Module 4.1 (``a_i = b_i + W_i h_{i-1}``) and Module 4.7
        (``∂a_ki/∂W_kij = h_{k-1,j}``).

        Args:
            weights: n >= 1 Values or numbers (a row of ``W_k``).
            inputs: n Values or numbers (``h_{k-1}``).
            bias: a Value, a number, or None for no bias.

        Raises:
            ValueError: ``weights`` and ``inputs`` differ in length, or are empty.
            TypeError: an item is not a Value or a real number.
        """
        ws = tuple(_lift(w) for w in weights)
        hs = tuple(_lift(h) for h in inputs)
        if len(ws) != len(hs):
            raise ValueError(f"Value.linear: {len(ws)} weights but {len(hs)} inputs (they must have the same length)")
        if not ws:
            raise ValueError("Value.linear needs at least one weight and input, got none")
        return _linear(ws, hs, None if bias is None else _lift(bias))

    # ------------------------------------------------------------------ backpropagation
    def backward(self, grad: float = 1.0) -> None:
        """Backpropagate from this node: set every node's ``grad`` to ∂self/∂node.

        Visits the nodes below ``self`` in reverse order of creation, which is a
        topological order (a node is made after its parents), by walking this thread's
        record back from ``self`` (see "The record" below); it sorts nothing. Where the
        record cannot be trusted (the graph reaches into an older segment of it, or was
        built by several threads) it falls back to :func:`topological_order`. Every
        non-leaf on the walk starts from ``grad = 0`` and ``self.grad`` from ``grad``; each
        node then adds ``local_grad * node.grad`` into each parent, so contributions over
        several paths are summed (CS7015 Lecture 4, Module 4.6). Leaves *accumulate*:
        two calls leave twice the gradient in each leaf, as in PyTorch; call
        ``zero_grad()`` on a module, or set ``grad = 0.0``, between steps. Non-leaves
        made before ``self`` that are not below it get ``grad = 0``, their true
        ∂self/∂node. Any depth works (no recursion).

        Args:
            grad: ∂L/∂self, the upstream gradient (1.0 when ``self`` is the loss).

        Raises:
            TypeError: ``grad`` is not a real number.
            ValueError: ``grad`` or ``self.data`` is NaN or infinite.
            OverflowError: a gradient overflowed a float (the node nearest the root is named).
        """
        seed = _check_number(grad, "backward grad")
        if not math.isfinite(self.data):
            raise ValueError(f"backward from a non-finite value {self.data!r}: the forward pass overflowed")
        if not self._parents:  # a leaf: ∂self/∂self = 1, nothing below it
            self.grad += seed
            return
        order: list[Value] = []  # the non-leaves below self, self first, each before its parents
        if self._segment != _BROKEN:
            node: Value | None = self
            while node is not None:  # the record: reverse creation order, no sort
                node.grad = 0.0
                order.append(node)
                node = node._prev
        else:
            order = topological_order(self)
            order.reverse()  # self first; the leaves in it keep (accumulate) their grad
            for node in order:
                if node._parents:
                    node.grad = 0.0
        self.grad = seed
        for node in order:
            g = node.grad
            if g:
                if g - g != 0.0:  # the first overflowed gradient, at the node nearest the root where it appeared
                    name = node.label or node.op
                    raise OverflowError(
                        f"backward: ∂/∂{name} overflowed a float ({g!r}); the gradients are too large: lower the learning rate"
                    )
                for parent, local in zip(node._parents, node._local_grads):
                    parent.grad += local * g
        end_record_segment()  # the next graph starts a new segment: the record keeps no old graph alive


def topological_order(root: Value) -> list[Value]:
    """Every node below ``root`` (itself included), each after all of its parents.

    An iterative depth-first search (no recursion, so any depth works): a node is
    expanded the first time it is on top of the stack (its unseen parents are pushed
    above it) and emitted the second time, when all of its parents are done. Each node
    appears once however many paths reach it.

    Args:
        root: the node to start from (usually the loss L).

    Returns:
        A list of the n distinct nodes of the graph, leaves first, ``root`` last.
    """
    order: list[Value] = []
    emit = order.append
    seen: set[Value] = set()
    done: set[Value] = set()
    stack = [root]
    push_unseen, pop, is_seen = stack.extend, stack.pop, seen.__contains__
    while stack:
        node = stack[-1]
        if node in seen:
            pop()
            if node not in done:
                done.add(node)
                emit(node)
            continue
        seen.add(node)
        push_unseen(filterfalse(is_seen, node._parents))  # the per-edge test runs in C
    return order


# ---------------------------------------------------------------------- the record
# Each thread records the nodes it makes, newest first: every node links (_prev) to the one made just before it,
# so walking back from a root visits its graph in reverse creation order, a topological order, without a sort.
SEGMENT_NODES = 1 << 17
"""The record is cut into segments of at most this many nodes, and after every ``backward()``, so that it keeps
no old graph alive: a graph dropped without ``backward()`` is freed once no node made after it in the same
segment is alive (at most SEGMENT_NODES nodes later)."""

_BROKEN = -1  # the _segment of a node whose graph reaches into another segment (or thread): backward() sorts it
_segment_numbers = count(1)  # 0 is a leaf's


class _Record:
    """One thread's record: its newest node, the current segment's number and how many nodes it may still take."""

    __slots__ = ("newest", "segment", "ticks")

    def __init__(self) -> None:
        self.start()

    def start(self) -> None:
        """Begin a new segment: the next node made links to nothing older."""
        self.newest: Value | None = None
        self.segment = next(_segment_numbers)
        self.ticks = repeat(True, SEGMENT_NODES - 1)  # next() gives None at the segment's last node


class _Records(threading.local):
    """Each thread its own record, so graphs built in several threads at once never mix their chains."""

    def __init__(self) -> None:
        self.record = _Record()


_records = _Records()


def end_record_segment() -> None:
    """End this thread's current record segment, so that nodes made from now on link to nothing older.

    ``backward()`` does this when it is done, and ``MLP.predict`` after a forward pass that nobody will
    backpropagate: a graph dropped afterwards is freed at once by reference counting. A graph still being
    built across the cut is not wrong, only slower: its ``backward()`` falls back to :func:`topological_order`.
    """
    _records.record.start()


_segment_of = attrgetter("_segment")


def _segment_within(nodes: Iterable[Value]) -> int:
    """The record segment that every non-leaf of ``nodes`` lies in: 0 if all are leaves, ``_BROKEN`` if none."""
    segments = set(map(_segment_of, nodes))
    segments.discard(0)
    return segments.pop() if len(segments) == 1 else _BROKEN if segments else 0


# ---------------------------------------------------------------------- internals
_new = object.__new__


def _node(data: float, op: str, parents: tuple[Value, ...], local_grads: tuple[float, ...], within: int | None = None) -> Value:
    """Make a non-leaf node and record it; an op whose value overflowed (inf or NaN) raises ``OverflowError`` here.

    ``within`` is the segment every non-leaf parent lies in (0 if all are leaves, ``_BROKEN`` if none): a
    caller that makes many nodes from the same inputs works it out once; by default (None) it is read off ``parents``.
    """
    if data - data != 0.0:  # False for every finite float, True for ±inf and NaN: one subtraction per op
        raise _overflow(op, parents, data)
    out: Value = _new(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    out._op = op
    out._parents = parents
    out._local_grads = local_grads
    rec = _records.record  # the record: the node links to the one this thread made before it
    segment = rec.segment
    if within is not None:
        if within != segment and within:  # 0: only leaves below
            segment = _BROKEN
    else:
        for p in parents:  # a parent from another segment or thread (0: a leaf) makes backward() sort
            if p._segment != segment and p._segment:
                segment = _BROKEN
                break
    out._segment = segment
    out._prev = rec.newest
    rec.newest = out
    if next(rec.ticks, None) is None:
        rec.start()
    return out


def _flat_nodes(root: Value) -> list[tuple[Value, list[int] | None]]:
    """The graph below ``root``, parents first: each node with the positions of its parents (None for a leaf)."""
    order = topological_order(root)
    index = {node: i for i, node in enumerate(order)}
    return [(node, [index[p] for p in node._parents] if node._parents else None) for node in order]


def _flat(root: Value) -> list[object]:
    """What pickles ``root`` without recursion: leaves as objects, other nodes as (data, grad, label, op, parents, local grads)."""
    return [
        node if parents is None else (node.data, node.grad, node.label, node._op, parents, node._local_grads)
        for node, parents in _flat_nodes(root)
    ]


def _leaf(data: float, label: str, grad: float) -> Value:
    v = Value(data, label)
    v.grad = grad
    return v


def _remake(data: float, grad: float, label: str, op: str, parents: Sequence[Value], local_grads: Sequence[float]) -> Value:
    """A node made again from what :func:`_flat` keeps of it (used by pickling and deep copies)."""
    out = _node(data, op, tuple(parents), tuple(local_grads))
    out.grad, out.label = grad, label
    return out


def _rebuild(rows: list[object]) -> Value:
    """The inverse of :func:`_flat`: the nodes made again in order; the last is the root."""
    made: list[Value] = []
    for row in rows:
        if isinstance(row, Value):
            made.append(row)
            continue
        data, grad, label, op, parents, local_grads = cast(tuple[float, float, str, str, list[int], tuple[float, ...]], row)
        made.append(_remake(data, grad, label, op, [made[i] for i in parents], local_grads))
    return made[-1]


def _overflow(op: str, parents: tuple[Value, ...], data: float) -> OverflowError:
    args = ", ".join(f"{p.data:.6g}" for p in parents[:4]) + (", ..." if len(parents) > 4 else "")
    return OverflowError(
        f"{op} overflowed a float: {op}({args}) = {data!r} (every value must stay below 1.8e308 in magnitude; "
        "in training this means the run diverged: lower the learning rate)"
    )


def _finite_grads(op: str, grads: tuple[float, ...], *args: float) -> tuple[float, ...]:
    """``grads`` if every local derivative is finite, else an ``OverflowError`` naming the op and its inputs."""
    for g in grads:
        if g - g != 0.0:
            raise OverflowError(f"the local derivative of {op} at ({', '.join(f'{a:.6g}' for a in args)}) overflows a float ({g!r})")
    return grads


def _lift(x: Scalar) -> Value:
    """Return ``x`` if it is a Value, else a new constant leaf holding it (or a clear error)."""
    if isinstance(x, Value):
        return x
    return Value(_check_number(x, "operand"))


def _float_pow(x: float, y: float) -> float:
    try:
        return float(x**y)
    except OverflowError:
        raise OverflowError(f"{x!r} ** {y!r} overflows a float (every value must stay below 1.8e308 in magnitude)") from None


_data = attrgetter("data")


def _linear(
    ws: Sequence[Value], hs: Sequence[Value] | None, bias: Value | None, hd: Sequence[float] | None = None, within: int | None = None
) -> Value:
    """``Value.linear`` without the checks: ``ws`` and ``hs`` are equal-length sequences of Values.

    ``hd`` may pass the inputs' ``data`` when a layer has read them once for all its units, and ``within``
    their segment (see :func:`_node`). With ``hs=None`` the inputs ``hd`` are constants: the node's
    parents are only the weights and the bias (∂a/∂w_j = h_j; no node is made for an input number).
    """
    if hs is None:
        hd = hd or []
        return _linear_constant_inputs(ws, bias, hd, (*hd, 1.0) if bias is not None else tuple(hd), within)
    wd = list(map(_data, ws))
    if hd is None:
        hd = list(map(_data, hs))
    a = sum(map(mul, wd, hd))
    if bias is None:
        return _node(a, "linear", (*ws, *hs), (*hd, *wd), within)
    return _node(a + bias.data, "linear", (*ws, *hs, bias), (*hd, *wd, 1.0), within)


def _linear_constant_inputs(
    ws: Sequence[Value], bias: Value | None, hd: Sequence[float], local: tuple[float, ...], within: int | None
) -> Value:
    """``a = b + Σ_j w_j h_j`` for constant inputs ``hd``: parents ``(*ws, bias)``, local derivatives ``local = (*hd, 1.0)``,
    a tuple a layer builds once and shares among its units."""
    a = sum(map(mul, map(_data, ws), hd))
    if bias is None:
        return _node(a, "linear", tuple(ws), local, within)
    return _node(a + bias.data, "linear", (*ws, bias), local, within)
