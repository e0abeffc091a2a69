"""The scalar reverse-mode autodiff engine: :class:`Value`.

A ``Value`` is one node of a computation graph. It records, in the forward pass,
its ``parents`` and the **local derivative** ``∂self/∂parent`` towards each of them
(``local_grads``, plain floats). ``backward()`` then finds the nodes below it, orders
them so that each comes before its parents (:func:`nodes_below`), and applies the
chain rule, summing the contributions of every path:

    CS7015 Lecture 4, Module 4.6 (chain rule along multiple paths):
    ∂p/∂z = Σ_m (∂p/∂q_m)(∂q_m/∂z)

Every op below is one statement of the slide's table of derivatives: the value and
its local derivative side by side (for tanh: ``t`` and ``1 - t*t``). The engine is
data (parents, local derivatives), not closures, so a graph holds no reference
cycles and is freed by reference counting alone. Copying and pickling live in
``_copy.py``, out of this path.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Sequence
from itertools import chain, count, filterfalse
from operator import attrgetter, mul
from typing import Union, cast

from ._validate import check_number

Scalar = Union["Value", int, float]
"""Anything an op accepts on either side: a ``Value`` or a real number."""


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
            below ``L`` holds that pass's value.
        label (str): the name given at creation (or set later), "" by default.

    Values compare with numbers and with each other by ``data`` (``<``, ``<=``, ``>``,
    ``>=`` return a ``bool``, so ``max(values)`` returns the largest Value itself and the
    gradient flows to it, as in PyTorch); ``==`` is identity, and Values hash by identity,
    so they can be dict keys. ``float(v)`` and ``v.item()`` give ``v.data``; ``bool(v)``
    raises (write ``v.data != 0``).

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

    __slots__ = ("data", "grad", "label", "_op", "_parents", "_local_grads", "_order", "_oldest")  # no __weakref__: 8 bytes a node

    data: float
    grad: float
    label: str
    _op: str
    _parents: tuple[Value, ...]
    _local_grads: tuple[float, ...]
    _order: int  # a non-leaf's creation number: larger than its parents' (set by _node; a leaf has none)
    _oldest: int  # the smallest creation number of a non-leaf below this node, itself included (_NEVER for a leaf)

    def __init__(self, data: float, label: str = "") -> None:
        if not isinstance(label, str):
            raise TypeError(f"label must be a str, got {label!r} of type {type(label).__name__}")
        self.data = check_number(data, "Value data")
        self.grad = 0.0
        self.label = label
        self._op = ""
        self._parents = ()
        self._local_grads = ()
        self._oldest = _NEVER

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

    @staticmethod
    def from_op(data: float, parents: Sequence[Value], local_grads: Sequence[float], op: str = "op") -> Value:
        """A new op's node from its value and its local derivatives: how every op of this engine is made.

        Args:
            data: the op's value f(parents), computed by the caller.
            parents: the n >= 1 Values it was computed from.
            local_grads: n numbers, ``∂f/∂parents[i]`` at these values.
            op: the name shown in graphs and ``repr`` (e.g. ``"softplus"``).

        Returns:
            A non-leaf Value; ``backward()`` sends ``local_grads[i] * grad`` to ``parents[i]``.

        Raises:
            TypeError: a parent is not a Value, ``op`` is not a str, or a number is not real.
            ValueError: ``op`` is empty, ``parents`` is empty, or the lengths differ.
            OverflowError: ``data`` or a local derivative is a float NaN or ±inf (the op overflowed), as for every op.

        Source: CS7015 Lecture 4, Module 4.4 (each node needs only its local derivatives);
        IIT Hyderabad Backpropagation-1 ("downstream = upstream × local").

        Example:
            >>> x = Value(0.5)
            >>> s = 1.0 / (1.0 + math.exp(-x.data))
            >>> softplus = Value.from_op(math.log1p(math.exp(x.data)), [x], [s], op="softplus")
            >>> softplus.backward(); round(x.grad, 6)
            0.622459
        """
        if not isinstance(op, str):
            raise TypeError(f"op must be a str, got {op!r} of type {type(op).__name__}")
        if not op:
            raise ValueError("op must name the operation (a non-empty str such as 'softplus'): an empty op is a leaf's")
        if isinstance(parents, Value) or not isinstance(parents, Iterable):
            raise TypeError(f"parents must be a sequence of Values, got {parents!r}")
        ps = tuple(parents)
        for i, p in enumerate(ps):
            if not isinstance(p, Value):
                raise TypeError(f"parents[{i}] must be a Value, got {p!r} of type {type(p).__name__}")
        if isinstance(local_grads, (str, bytes)) or not isinstance(local_grads, Iterable):
            raise TypeError(f"local_grads must be a sequence of numbers, got {local_grads!r}")
        locals_ = tuple(g if type(g) is float else _local_grad(g, f"local_grads[{i}] of {op}") for i, g in enumerate(local_grads))
        if not ps:
            raise ValueError(f"{op} needs at least one parent (a node with none is a leaf: use Value(data))")
        if len(locals_) != len(ps):
            parents_ = "1 parent" if len(ps) == 1 else f"{len(ps)} parents"
            raise ValueError(f"{op} has {parents_} but {len(locals_)} local derivatives (one for each parent)")
        if isinstance(data, float) and not math.isfinite(data):
            raise _overflow(op, ps, data)  # as every op reports a value that overflowed
        return _node(check_number(data, f"the value of {op}"), op, ps, _finite_grads(op, locals_, *(p.data for p in ps)))

    def detach(self) -> Value:
        """A new leaf with the same ``data`` and ``label`` and no parents: gradients stop there (``torch.Tensor.detach``)."""
        return Value(self.data, self.label)

    def item(self) -> float:
        """``self.data``, the Python float (``torch.Tensor.item``)."""
        return self.data

    def __float__(self) -> float:
        return self.data

    def __bool__(self) -> bool:
        raise TypeError(
            f"the truth value of a Value is ambiguous ({self!r}): compare its data instead, e.g. `if v.data != 0:` or `if v > 0:`"
        )

    # ------------------------------------------------------------------ comparisons, on data (== stays identity)
    def __lt__(self, other: Scalar) -> bool:
        return self.data < _compared(other, "<")

    def __le__(self, other: Scalar) -> bool:
        return self.data <= _compared(other, "<=")

    def __gt__(self, other: Scalar) -> bool:
        return self.data > _compared(other, ">")

    def __ge__(self, other: Scalar) -> bool:
        return self.data >= _compared(other, ">=")

    __hash__ = object.__hash__  # by identity, as == is

    # ------------------------------------------------------------------ copying and pickling (see _copy.py)
    def __reduce__(self) -> tuple[object, ...]:
        """Pickle at any depth, nodes shared with other pickled objects kept shared (see ``_copy.reduce``)."""
        return _copy.reduce(self)

    def __copy__(self) -> Value:
        """``copy.copy``: a new node with the same data, grad, label, op, parents and local derivatives."""
        return _copy.shallow(self)

    def __deepcopy__(self, memo: dict[int, object]) -> Value:
        """``copy.deepcopy`` at any depth (no recursion): leaves copied once each, nodes made again parents first."""
        return _copy.deep(self, memo)

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
            ValueError: x <= 0 with a ``Value`` exponent; x < 0 with a non-integer exponent;
                x == 0 with an exponent below 1 other than 0 (``0.0 ** 2.5`` is 0 with local
                derivative 0, as in PyTorch).
            OverflowError: a result or a local derivative too large for a float
                (``Value(10.0) ** Value(308.2)``: ``x^y ln x`` is infinite; ``Value(1.5) ** 1750.0``: ``n x^(n-1)`` is).
        """
        x = self.data
        if isinstance(other, Value):
            y = other.data
            if x <= 0.0:
                raise ValueError(f"x ** y with a Value exponent needs x > 0 (∂/∂y = x^y ln x), got x={x!r}")
            v = _float_pow(x, y)
            return _node(v, "**", (self, other), _finite_grads("**", (y * _float_pow(x, y - 1.0), v * math.log(x)), x, y))
        n = check_number(other, "exponent")
        if x < 0.0 and not n.is_integer():
            raise ValueError(f"x ** {n!r} with a non-integer exponent needs x >= 0, got x={x!r}")
        if x == 0.0 and n < 1.0 and n != 0.0:  # 0^n with n < 0 is 1/0; with 0 < n < 1 its derivative n 0^(n-1) is
            what = "a division by zero" if n < 0.0 else f"not differentiable there (the derivative {n:g}·0^({n - 1.0:g}) is infinite)"
            raise ValueError(f"0.0 ** {n!r} is {what}: x must be nonzero (or the exponent 0 or >= 1)")
        v = _float_pow(x, n)
        return _node(v, f"**{n:g}", (self,), _finite_grads(f"**{n:g}", (n * _float_pow(x, n - 1.0) if n != 0.0 else 0.0,), x))

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
        """Natural log ``ln x``; local derivative ``1/x``.

        Raises ``ValueError`` for x <= 0, ``OverflowError`` for a subnormal x (below 5.6e-309) whose 1/x is infinite.
        """
        x = self.data
        if x <= 0.0:
            raise ValueError(f"log of a non-positive number: log({x!r}) needs x > 0")
        return _node(math.log(x), "log", (self,), _finite_grads("log", (1.0 / x,), x))  # 1/x overflows for x < 5.6e-309

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
        wd, hd = list(map(_data, ws)), list(map(_data, hs))
        a = sum(map(mul, wd, hd))
        if bias is None:
            return _node(a, "linear", (*ws, *hs), (*hd, *wd))
        b = _lift(bias)
        return _node(a + b.data, "linear", (*ws, *hs, b), (*hd, *wd, 1.0))

    @staticmethod
    def pre_activations(W: Sequence[Sequence[Value]], h_prev: Sequence[Value] | Sequence[float], b: Sequence[Value]) -> list[Value]:
        """Layer k's pre-activations ``a_k = b_k + W_k h_{k-1}``: one ``linear`` node per unit.

        Unit i's node is ``a_{k,i} = b_{k,i} + Σ_j W_{k,i,j} h_{k-1,j}``, with the local
        derivatives ``h_{k-1,j}`` towards ``W_{k,i,j}``, ``W_{k,i,j}`` towards ``h_{k-1,j}``
        and 1 towards ``b_{k,i}``. Inputs given as numbers are constants (the input x):
        then a node's parents are the row ``W_{k,i}`` and ``b_{k,i}`` only, and no node is
        made for an input. W and b may hold any Values, leaves or not (tied or
        reparametrised weights).

        Args:
            W: n_k rows of n_{k-1} Values (``W[i-1][j-1]`` is ``W_{k,i,j}``).
            h_prev: n_{k-1} Values, or n_{k-1} numbers (constants).
            b: n_k Values.

        Returns:
            The n_k Values ``a_{k,1} .. a_{k,n_k}``.

        Raises:
            ValueError: W has no rows, a row of W has another length than ``h_prev``, or W and b differ in length.
            TypeError: an entry of W or b is not a Value, or of ``h_prev`` not a Value or a real number.

        Source: CS7015 Lecture 4, Module 4.1 (``a_i = b_i + W_i h_{i-1}``) and Module 4.7
        (``∂a_{k,i}/∂W_{k,i,j} = h_{k-1,j}``).
        """
        return _units(W, h_prev, b)

    # ------------------------------------------------------------------ backpropagation
    def backward(self, grad: float = 1.0) -> None:
        """Backpropagate from this node: set ``grad`` on every node below it to ∂self/∂node.

        The chain rule along every path (CS7015 Lecture 4, Module 4.6): ``self.grad`` starts at
        ``grad``; then each node, newest first, adds ``local_grad * node.grad`` into each of its
        parents. A node is always made after its parents, so by the time it is reached every node
        made from it has added its share: its gradient is complete.

        The order: the lecture draws and teaches a depth-first topological sort
        (:func:`topological_order`: each node after its parents, read backwards), because it
        follows on the slide the argument "a node's gradient needs those of the nodes that use
        it". Any order with every node after all the nodes made from it gives the same sums;
        newest first by creation number is one that needs no search, only a sort in C, and it is
        what PyTorch's autograd engine runs: each of its nodes gets a ``sequence_nr`` from a
        counter when it is made, and the engine's ready queue pops the highest ``sequence_nr``
        first. Here the counter is ``_order``, set by ``_node``.

        The contract: it sets ``.grad`` on nodes below ``self`` only and touches nothing else.
        Each non-leaf below it holds this pass's ∂self/∂node, 0.0 where no gradient flows;
        leaves *accumulate* (two calls leave twice the gradient, as in PyTorch: call
        ``zero_grad()`` on a module, or set ``grad = 0.0``, between steps). The result depends
        only on the graph below ``self``, whatever was built before, after or in other threads;
        any depth works (no recursion). Unlike PyTorch, the graph is kept (``retain_graph`` is
        always on), non-leaves keep their gradient (as with ``retain_grad()``), and any node may
        be a parameter, leaf or not.

        The cost is linear in the part of that graph gradient can reach: a subgraph reached only
        through a zero local derivative (a relu at or below 0, a met margin) is skipped, as a
        hand-written loop skips it; it is visited only to reset it if an earlier ``backward()``
        wrote into it (see ``_reached``). A ``.grad`` you assign to a non-leaf yourself is
        not such a write: it is reset only where gradient reaches that node. In the code, each
        speed shortcut is marked as one beside the plain form it stands for (``_reached`` for
        :func:`nodes_below` with every gradient set to 0.0).

        Args:
            grad: ∂L/∂self, the upstream gradient (1.0 when ``self`` is the loss).

        Raises:
            TypeError: ``grad`` is not a real number.
            ValueError: ``grad`` or ``self.data`` is NaN or infinite.
            OverflowError: a gradient overflowed a float: the node nearest the root is named, or a leaf
                and the op it came through. (Leaves are looked at when an upstream gradient exceeds 1e150, which
                every overflow needs unless a local derivative itself exceeds 1e150.)
        """
        seed = check_number(grad, "backward grad")
        if not math.isfinite(self.data):
            raise ValueError(f"backward from a non-finite value {self.data!r}: the forward pass overflowed")
        if not self._parents:  # a leaf: ∂self/∂self = 1, nothing below it
            self.grad += seed
            return
        order = _reached(self)  # speed shortcut for `order = nodes_below(self)`, every node's grad then set to 0.0
        self.grad = seed
        large = False  # an upstream gradient above 1e150: only then may a leaf's sum overflow (see _check_leaf_grads)
        for node in order:  # newest first: every node made from `node` has added its share, so node.grad is complete
            g = node.grad
            if not g:
                continue
            if not -1e150 < g < 1e150:  # rare: inf or NaN (raised here, nearest the root where it appeared), or large
                large = _large(node, g)
            parents = node._parents
            if len(parents) == 1:  # speed shortcut for the loop below with one parent (no zip)
                parents[0].grad += node._local_grads[0] * g
            else:
                for parent, local in zip(parents, node._local_grads):  # the chain rule: downstream += local × upstream
                    parent.grad += local * g
        if large:
            _check_leaf_grads(order)


# ---------------------------------------------------------------------- the counter and the order backward() runs
_new = object.__new__
_created = count(1)  # creation numbers (PyTorch's sequence_nr): next() is atomic, so a node's is larger than its parents' in any thread
_next_number = _created.__next__
_order_of = attrgetter("_order")


def _node(data: float, op: str, parents: tuple[Value, ...], local_grads: tuple[float, ...], oldest: int = -1, label: str = "") -> Value:
    """Make a non-leaf node; an op whose value overflowed (inf or NaN) raises ``OverflowError`` here."""
    if data - data != 0.0:  # False for every finite float, True for ±inf and NaN: one subtraction per op
        raise _overflow(op, parents, data)
    out: Value = _new(Value)
    out.data = data
    out.grad = 0.0
    out.label = label
    out._op = op
    out._parents = parents
    out._local_grads = local_grads
    out._order = n = _next_number()
    if oldest < 0:  # speed shortcut for backward() (see _reached): the oldest non-leaf below out, unless the caller knows it
        if len(parents) == 2:
            oldest, other = parents[0]._oldest, parents[1]._oldest
            if other < oldest:
                oldest = other
        else:
            oldest = parents[0]._oldest if len(parents) == 1 else min(map(_oldest_of, parents))
    out._oldest = oldest if oldest < n else n
    return out


def nodes_below(root: Value) -> list[Value]:
    """The non-leaf nodes below ``root`` (itself included), each before all of its parents.

    Collects them breadth-first (each once, however many paths reach it), then sorts them
    newest first by their creation number: a node is always made after its parents, so
    that is an order in which every node's children come before it, the order the chain
    rule needs. Linear in the graph's size (the sort runs in C); no recursion.

    Args:
        root: the node to start from (usually the loss L).

    Returns:
        The n distinct non-leaves below ``root``, ``root`` first (an empty list for a leaf).

    Source: CS7015 Lecture 4, Module 4.6 (a node's gradient is complete once every path
    through its children has been summed).
    """
    seen = {root}
    inner = [root] if root._parents else []  # a leaf has no non-leaf below it
    for node in inner:  # the list grows while it is read: each new non-leaf is read once
        for parent in node._parents:
            if parent not in seen:
                seen.add(parent)
                if parent._parents:
                    inner.append(parent)
    inner.sort(key=_order_of, reverse=True)
    return inner


# ---------------------------------------------------------------------- speed shortcut: backward() only where gradient flows
_oldest_of = attrgetter("_oldest")
_NEVER = 1 << 62  # a leaf's _oldest: larger than any creation number
_written = [0]  # the largest creation number of a node that backward() (or a copy) may have left a gradient on
_written_lock = threading.Lock()


def _reached(root: Value) -> list[Value]:
    """What ``root.backward()`` walks: the non-leaves below ``root`` gradient can reach, newest first, zeroed.

    The plain version is ``nodes_below(root)``, every node zeroed. This one follows an edge
    only if its local derivative is nonzero: gradient cannot cross a zero one, so the nodes
    beyond are ∂root/∂node = 0 and need no work, if they already hold 0.0. A node holds 0.0
    from its creation until a ``backward()`` writes into it, and a pass writes only nodes no
    newer than its root; so a cut-off subgraph whose oldest non-leaf (``_oldest``, kept by
    ``_node``) is newer than every earlier pass's root is skipped whole, and any other is
    walked as far as it holds such old nodes, resetting them to 0.0. A node whose ``_oldest``
    is itself has only leaves as parents: nothing to visit. Linear in the nodes visited; no
    recursion.

    Source: CS7015 Lecture 4, Module 4.6 (a node's gradient is complete once every path
    through the nodes made from it has been summed).
    """
    with _written_lock:
        written = _written[0]  # nodes no newer than this may hold an earlier pass's gradient
        if root._order > written:
            _written[0] = root._order
    seen = {root}
    inner = [root]
    cut = []
    for node in inner:  # the list grows while it is read: each node reached is read once
        node.grad = 0.0
        if node._oldest == node._order:  # its parents are all leaves: none to visit
            continue
        parents = node._parents
        if len(parents) == 1:  # a unary node: the loops below for one parent
            parent = parents[0]
            if parent not in seen:  # not a leaf (a node with a leaf parent only was skipped above)
                if node._local_grads[0]:
                    seen.add(parent)
                    inner.append(parent)
                elif parent._oldest <= written:
                    cut.append(parent)
            continue
        if len(parents) > 3 and seen.issuperset(parents):  # a unit whose inputs were all met (in C)
            continue
        if 0.0 in node._local_grads:  # an edge gradient cannot cross: the parent beyond it is cut off (unless reached another way)
            for parent, local in zip(parents, node._local_grads):
                if parent not in seen:
                    if local or not parent._parents:
                        seen.add(parent)
                        if parent._parents:
                            inner.append(parent)
                    elif parent._oldest <= written:
                        cut.append(parent)  # and an earlier pass may have written below it: reset it (below)
        else:  # as in nodes_below
            for parent in parents:
                if parent not in seen:
                    seen.add(parent)
                    if parent._parents:
                        inner.append(parent)
    for node in cut:  # reset what earlier passes wrote below a cut (unless gradient reaches it after all)
        if node not in seen:
            seen.add(node)
            node.grad = 0.0
            cut.extend(p for p in node._parents if p._oldest <= written)
    inner.sort(key=_order_of, reverse=True)
    return inner


def topological_order(root: Value) -> list[Value]:
    """Every node below ``root`` (itself included, leaves too), each after all of its parents.

    The lecture's iterative depth-first search (no recursion, so any depth works): a node is
    expanded the first time it is on top of the stack (its unseen parents are pushed above
    it) and emitted the second time, when all of its parents are done. Each node appears
    once however many paths reach it.

    Args:
        root: the node to start from (usually the loss L).

    Returns:
        A list of the n distinct nodes of the graph, leaves first, ``root`` last.

    Raises:
        TypeError: ``root`` is not a Value.
    """
    if not isinstance(root, Value):
        raise TypeError(f"topological_order needs a Value (the root of a graph), got {root!r} of type {type(root).__name__}")
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


# ---------------------------------------------------------------------- internals
make_node = _node
"""``_node`` for the package's other modules (``_copy`` remakes pickled and copied nodes with it, ``nn`` makes the
cross-entropy's node): a non-leaf node from its fields, unchecked but for overflow. Outside the package,
:meth:`Value.from_op` is the checked form."""


def _wrote(node: Value) -> None:
    """Record that ``node`` (a non-leaf) was given a gradient other than by ``backward()`` (a copy of a node): see ``_reached``."""
    with _written_lock:
        if node._order > _written[0]:
            _written[0] = node._order


gradient_written = _wrote
"""``_wrote`` for the package's other modules (``_copy`` gives remade nodes their gradient): the next pass through the node resets it."""


_data = attrgetter("data")


_is_leaf = attrgetter("is_leaf")
LeafRows = list[tuple[tuple[Value, ...], Value, tuple[Value, ...]]]
"""Each unit's ``(row of W, bias, (*row, bias))``, as :func:`leaf_rows` finds them."""


def leaf_rows(W: Sequence[Sequence[Value]], b: Sequence[Value], nin: int) -> LeafRows | None:
    """For ``leaf_units``: each unit's ``(row, bias, (*row, bias))`` if W and b are ``len(b)`` rows of ``nin`` leaves and
    ``len(b)`` leaves, else None. ``Layer`` finds them once for the W and b it holds, and again when they change."""
    try:
        if len(W) != len(b) or any(len(row) != nin or not all(map(_is_leaf, row)) for row in W) or not all(map(_is_leaf, b)):
            return None
    except (AttributeError, TypeError):  # not Values: pre_activations says what is wrong
        return None
    return [(tuple(row), bi, (*row, bi)) for row, bi in zip(W, b)]


def leaf_units(rows: LeafRows, h_prev: Sequence[Value] | Sequence[float], labels: Iterable[str]) -> list[Value]:
    """``Value.pre_activations(W, h_prev, b)`` for ``rows = leaf_rows(W, b, len(h_prev))``, the nodes labelled ``labels``
    (for the package's other modules). Speed shortcut: it checks no shape, reads no weight's ``_oldest`` (W and b are
    leaves) and trusts ``h_prev`` to be all Values or all floats checked by the caller (``nn._inputs``); a constant input
    shares one parents tuple ``(*row, bias)`` among its unit's nodes. The plain version is ``Value.pre_activations``."""
    if isinstance(h_prev[0], Value):  # Values: each unit's parents are its row of W, h_{k-1} and its bias
        hs = cast(tuple[Value, ...], tuple(h_prev))
        hd = [h.data for h in hs]
        below = min(map(_oldest_of, hs))  # every unit's _oldest, for backward(): found once
        a = []
        for (row, bi, _), label in zip(rows, labels):
            wd = [w.data for w in row]
            a.append(_node(sum(map(mul, wd, hd)) + bi.data, "linear", (*row, *hs, bi), (*hd, *wd, 1.0), below, label))
        return a
    local = (*h_prev, 1.0)  # the same local derivatives (h_{k-1}, 1) for every unit: one tuple shared by all
    return [
        _node(sum(map(mul, [w.data for w in row], h_prev)) + bi.data, "linear", row_b, local, _NEVER, label)
        for (row, bi, row_b), label in zip(rows, labels)
    ]


def _units(W: Sequence[Sequence[Value]], h_prev: Sequence[Value] | Sequence[float], b: Sequence[Value]) -> list[Value]:
    """``Value.pre_activations(W, h_prev, b)``."""
    n = len(h_prev)
    if not W:
        raise ValueError(f"pre_activations needs at least one unit: W has no rows (and b has {len(b)} entries)")
    if len(W) != len(b):
        raise ValueError(f"pre_activations: W has {len(W)} rows but b has {len(b)} entries (one bias per unit)")
    if set(map(len, W)) != {n}:
        i, row = next((i, row) for i, row in enumerate(W) if len(row) != n)
        raise ValueError(f"pre_activations: row {i + 1} of W has {len(row)} entries but h_prev has {n}")
    try:
        weights_oldest = min(map(_oldest_of, chain(chain.from_iterable(W), b)))  # _NEVER if all are leaves, for _node
        if n and isinstance(h_prev[0], Value):  # Values: each unit's parents are its row of W, h_{k-1} and its bias
            hs = cast(tuple[Value, ...], tuple(h_prev))
            hd = [h.data for h in hs]
            below = min(weights_oldest, *map(_oldest_of, hs))  # every unit's _oldest, for backward(): found once
            a = []
            for row, bi in zip(W, b):
                wd = [w.data for w in row]
                a.append(_node(sum(map(mul, wd, hd)) + bi.data, "linear", (*row, *hs, bi), (*hd, *wd, 1.0), below))
            return a
        hd = [h if type(h) is float else check_number(h, f"h_prev[{j}]") for j, h in enumerate(h_prev)]
        local = (*hd, 1.0)  # the same local derivatives (h_{k-1}, 1) for every unit: one tuple shared by all
        return [
            _node(sum(map(mul, [w.data for w in row], hd)) + bi.data, "linear", (*row, bi), local, weights_oldest) for row, bi in zip(W, b)
        ]
    except (AttributeError, TypeError):  # an entry that is no Value (found only then: no check costs time on every call)
        raise _not_values(W, h_prev, b) from None


def _not_values(W: Sequence[Sequence[object]], h_prev: Sequence[object], b: Sequence[object]) -> TypeError:
    """The clear error for ``pre_activations`` inputs that are not all Values (W, b) or not all Values or all numbers (h_prev)."""
    for what, xs in [*((f"row {i + 1} of W", row) for i, row in enumerate(W)), ("b", b)]:
        for x in xs:
            if not isinstance(x, Value):
                return TypeError(f"pre_activations: {what} must hold Values, got {x!r} of type {type(x).__name__}")
    kinds = {isinstance(h, Value) for h in h_prev}
    if len(kinds) > 1:
        return TypeError("pre_activations: h_prev mixes Values and numbers: give all Values (tracked) or all numbers (constants)")
    return TypeError(f"pre_activations: h_prev must hold Values or real numbers, got {list(h_prev)!r}")


def _large(node: Value, g: float) -> bool:
    """True for a gradient ``g`` of ``node`` above 1e150 in magnitude; an ``OverflowError`` naming ``node`` if it is inf or NaN."""
    if g - g != 0.0:
        raise OverflowError(
            f"backward: ∂/∂{node.label or node.op} overflowed a float ({g!r}); the gradients are too large: lower the learning rate"
        )
    return True


def _check_leaf_grads(order: list[Value]) -> None:
    """After ``backward``: an ``OverflowError`` naming the first leaf whose gradient is now inf or NaN (none if all are finite).

    A leaf's gradient is a sum of ``local * upstream`` over its uses; with every upstream gradient below 1e150 and
    every local derivative below 1e150 no sum of fewer than 10^8 uses reaches 1.8e308, so ``backward`` calls this
    only when an upstream gradient is above 1e150."""
    for node in order:
        for parent, local in zip(node._parents, node._local_grads):
            g = parent.grad
            if not parent._parents and g - g != 0.0:
                name = parent.label or f"a leaf of data {parent.data:.6g}"
                raise OverflowError(
                    f"backward: ∂/∂{name} overflowed a float ({g!r}) through {node.label or node.op} "
                    f"(local derivative {local:.6g}, upstream {node.grad:.6g}); in training: lower the learning rate"
                )


def _compared(other: object, op: str) -> float:
    """The number a Value is compared with (``other.data`` for a Value), or a ``TypeError`` naming it."""
    if type(other) is Value or isinstance(other, Value):
        return other.data
    if type(other) is float or type(other) is int:
        return other
    try:
        return check_number(other, f"what a Value is compared with ({op})")
    except ValueError:  # NaN or inf: compare as floats do
        return float(other)  # type: ignore[arg-type]


def _overflow(op: str, parents: tuple[Value, ...], data: float) -> OverflowError:
    args = ", ".join(f"{p.data:.6g}" for p in parents[:4]) + (", ..." if len(parents) > 4 else "")
    return OverflowError(
        f"{op} overflowed a float: {op}({args}) = {data!r} (every value must stay below 1.8e308 in magnitude; "
        "in training this means the run diverged: lower the learning rate)"
    )


def _finite_grads(op: str, grads: tuple[float, ...], *args: float) -> tuple[float, ...]:
    """``grads`` if every local derivative is finite, else an ``OverflowError`` naming the op and its inputs.

    An infinite (or NaN) local derivative is never stored: ``backward`` would turn it into an infinite gradient
    far from where it arose (``Value(1e-310).log()``: 1/x = inf)."""
    for g in grads:
        if g - g != 0.0:
            shown = ", ".join(f"{a:.6g}" for a in args[:4]) + (", ..." if len(args) > 4 else "")
            raise OverflowError(
                f"the local derivative of {op} at ({shown}) overflows a float ({g!r}): "
                "every local derivative must stay below 1.8e308 in magnitude"
            )
    return grads


def _local_grad(g: object, what: str) -> float:
    """A local derivative given to ``from_op`` as a float; a NaN or ±inf stays one (``_finite_grads`` reports it)."""
    try:
        return check_number(g, what)
    except ValueError:
        if isinstance(g, int):  # an integer too large for a float: the ValueError says so
            raise
        return float(g)  # type: ignore[arg-type]  # a real NaN or ±inf (numpy.float64('inf'))


def _lift(x: Scalar) -> Value:
    """Return ``x`` if it is a Value, else a new constant leaf holding it (or a clear error)."""
    if isinstance(x, Value):
        return x
    return Value(check_number(x, "operand"))


lift = _lift
"""``x`` as a Value: itself if it is one, else a new constant leaf (``TypeError``/``ValueError`` for a non-number)."""


def _float_pow(x: float, y: float) -> float:
    try:
        return float(x**y)
    except OverflowError:
        raise OverflowError(f"{x!r} ** {y!r} overflows a float (every value must stay below 1.8e308 in magnitude)") from None


from . import _copy  # noqa: E402  (after Value: _copy builds Values)
