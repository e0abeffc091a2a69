"""The update rules of CS7015 Lecture 5 (gradient descent and its variants), for both engines.

Each optimizer states its rule once, on numpy arrays updated in place (``_rule``), and serves two kinds of
parameters with it:

* the scalar engine's :class:`~micrograd_nptel.engine.Value` leaves (``mlp.parameters()``):
  their ``data`` and ``grad`` are gathered into one vector, updated, and written back;
* the batched network's :class:`~micrograd_nptel.batched.Parameter` arrays
  (``net.parameters()``): each ``.data`` array is updated in place from its ``.grad``.

Usage is PyTorch's: ``opt.zero_grad(); loss.backward(); opt.step()``. ``weight_decay`` adds the
L2 penalty ``(λ/2)‖w‖²`` to the loss, i.e. ``λw`` to every gradient before the rule (as
``torch.optim`` does for SGD, momentum, RMSProp and Adam).

Notation (Lecture 5): ``∇w_t`` the gradient at step t, η the learning rate; every operation is
elementwise. ε sits *inside* the square root, as on the slides (``η/√(v_t + ε)``); PyTorch puts
it outside (``η/(√v_t + ε)``), so the two agree exactly when ε = 0 and to about ε/√v otherwise.
"""

from __future__ import annotations

import inspect
import math
import warnings
from collections.abc import Callable, Iterable
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from ._validate import check_number
from .engine import Value

Array = NDArray[np.float64]


class ArrayParameter(Protocol):
    """What an optimizer needs of a batched parameter: a float64 ``data`` array, a ``grad`` of its shape, a ``name``."""

    data: Array
    grad: Array
    name: str


class Optimizer:
    """Base class: parameters, learning rate η, weight decay λ, the step count t, and per-parameter state.

    Args:
        parameters: Value leaves (``mlp.parameters()``) or batched parameters (``net.parameters()``), not mixed.
        lr: η > 0.
        weight_decay: λ >= 0, the L2 penalty's coefficient.

    Raises:
        TypeError: a parameter is neither a Value nor an array parameter, or the two are mixed.
        ValueError: no parameters, a Value that is not a leaf (as PyTorch refuses a non-leaf tensor: an
            optimizer steps leaves, and a non-leaf's ``data`` is its op's result, computed once when it was
            made: in a layer's place it is a constant of the forward pass, not recomputed when its leaves
            change), or a bad ``lr`` / ``weight_decay`` / hyperparameter. Tie weights by sharing one Value.
    """

    def __init__(self, parameters: Iterable[Value] | Iterable[ArrayParameter], lr: float, weight_decay: float = 0.0) -> None:
        params: list[Any] = list(parameters)
        if not params:
            raise ValueError(f"{type(self).__name__} needs at least one parameter, got none")
        if all(isinstance(p, Value) for p in params):
            self._scalar = True
            inner = next((i for i, p in enumerate(params) if not p.is_leaf), None)
            if inner is not None:  # as PyTorch's "can't optimize a non-leaf Tensor"
                p = params[inner]
                raise ValueError(
                    f"{type(self).__name__}: parameters[{inner}] ({p.label or repr(p)}) is not a leaf (it is the result of "
                    f"{p.op!r}, e.g. of `W[i][j] += 0.1` or `w * 2`): an optimizer steps leaves. In a parameter's place such a "
                    "node is a constant of the forward pass (its data is the value it was made with: stepping its leaves does "
                    "not change it) that passes its gradient on to them. Change a weight through its .data "
                    "(`W[i][j].data += 0.1`); tie two weights by putting the same Value in both places "
                    "(`layers[1].W[1][2] = layers[0].W[2][1]`, as PyTorch shares a Parameter)"
                )
        elif all(isinstance(getattr(p, "data", None), np.ndarray) and not isinstance(p, Value) for p in params):
            self._scalar = False
        else:
            bad = next(p for p in params if not isinstance(p, Value))
            raise TypeError(f"{type(self).__name__} parameters must be Values or array parameters (not mixed), got {bad!r}")
        self.parameters = _once(params, self._scalar, type(self).__name__)
        params = self.parameters
        self.lr = _positive("lr", lr)
        self.weight_decay = _in_range("weight_decay", weight_decay, 0.0, math.inf)
        self.t = 0
        self.state: list[dict[str, Array]] = [{} for _ in (params[:1] if self._scalar else params)]
        self._backups: dict[int, dict[str, Array]] = {}  # what step() puts back if it fails: arrays,
        self._had: dict[int, tuple[str, ...]] = {}  # and which state keys there were

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0 (Values accumulate across ``backward()`` calls, as in PyTorch)."""
        for p in self.parameters:
            if self._scalar:
                p.grad = 0.0
            else:
                p.grad[...] = 0.0

    def step(self) -> None:
        """Apply the rule once to every parameter (t increases by 1), or to none.

        A step that raises leaves the parameters, the optimizer's state (u, v, m) and t exactly as
        they were, in both engines: each array and its state are copied aside before the rule
        updates them in place, and put back if any new value is not finite.

        Raises:
            ValueError: a gradient is NaN or infinite (the parameter is named; nothing is updated).
            UpdateOverflow: an updated value, or the weight-decay term λw, overflows (an
                OverflowError naming the parameter, with ``advice``: what to lower).
        """
        if self._scalar:
            w = np.fromiter((p.data for p in self.parameters), float, len(self.parameters))
            g = np.fromiter((p.grad for p in self.parameters), float, len(self.parameters))
            pairs = [(w, g)]  # w is a copy: the Values change only after every new value is known finite
            _check_finite(g, lambda i: _name(self.parameters[i]), "gradient of {} is {!r}; not updating", ValueError)
        else:
            pairs = [(p.data, p.grad) for p in self.parameters]
            for p in self.parameters:
                _check_finite(p.grad, _always(_name(p)), "gradient of {} is {!r}; not updating", ValueError)
        self.t += 1
        done = 0  # how many parameters the rule has updated: what to put back if a later one overflows
        try:
            for i, (w, g) in enumerate(pairs):
                self._keep(i, w)
                done = i + 1
                self._apply(i, w, g)
                name_of = (lambda j: _name(self.parameters[j])) if self._scalar else _always(_name(self.parameters[i]))
                _check_finite(w, name_of, "the update of {} overflowed ({!r}); lower the learning rate", UpdateOverflow)
                for key, value in self.state[i].items():  # v_t = ... (∇w)^2 can overflow while w stays finite
                    message = f"the optimizer's {key} for {{}} overflowed ({{!r}}); the gradients are too large"
                    _check_finite(value, name_of, message, UpdateOverflow)
        except UpdateOverflow:
            for i in range(done):  # put everything back as it was
                self._restore(i, pairs[i][0])
            self.t -= 1
            raise
        if self._scalar:
            for p, v in zip(self.parameters, w.tolist()):
                p.data = v

    def _keep(self, i: int, w: Array) -> None:
        """Copy parameter i (arrays; a Value vector is a copy already) and its state into buffers kept between steps
        (copying into the same memory every step costs no allocation)."""
        backup = self._backups.setdefault(i, {})
        for key, value in ([("", w)] if not self._scalar else []) + list(self.state[i].items()):
            if key not in backup or backup[key].shape != value.shape:
                backup[key] = np.empty_like(value)
            np.copyto(backup[key], value)
        self._had[i] = tuple(self.state[i])

    def _restore(self, i: int, w: Array) -> None:
        """Undo a step of parameter i from the buffers of :meth:`_keep` (the state it had, no more keys)."""
        backup = self._backups[i]
        if not self._scalar:
            np.copyto(w, backup[""])
        for key in list(self.state[i]):
            if key in self._had[i]:
                np.copyto(self.state[i][key], backup[key])
            else:
                del self.state[i][key]

    def _apply(self, i: int, w: Array, g: Array) -> None:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # an overflow is checked, and named, by step()
            if self.weight_decay:
                g = g + self.weight_decay * w  # ∇(L + (λ/2)‖w‖²) = ∇L + λw
                if not np.isfinite(g).all():
                    j = int(np.argmin(np.isfinite(g)))
                    name = _name(self.parameters[j] if self._scalar else self.parameters[i])
                    raise UpdateOverflow(
                        f"the weight-decay term λw of {name} overflowed (λ = {self.weight_decay:g}); lower the weight decay",
                        advice=f"try a smaller weight decay, e.g. --weight-decay {self.weight_decay / 10:g}",
                    )
            self._rule(self.state[i], w, g)

    def _rule(self, state: dict[str, Array], w: Array, g: Array) -> None:
        """Update w in place from its gradient g (the state holds u, v, m, ... between steps, also updated in place)."""
        raise NotImplementedError

    def __repr__(self) -> str:
        hyper = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_") and k not in ("parameters", "state", "t"))
        return f"{type(self).__name__}({hyper})"


class SGD(Optimizer):
    """Gradient descent: ``w_{t+1} = w_t - η ∇w_t`` (CS7015 Lecture 4, Module 4.2; Lecture 5).

    Args:
        parameters, lr, weight_decay: see :class:`Optimizer`.
    """

    def _rule(self, state: dict[str, Array], w: Array, g: Array) -> None:
        w -= self.lr * g


class Momentum(Optimizer):
    """Momentum-based gradient descent (CS7015 Lecture 5)::

        u_t = γ u_{t-1} + η ∇w_t,    u_0 = 0
        w_{t+1} = w_t - u_t

    With u_t = η v_t this is ``torch.optim.SGD(momentum=γ)`` (``v_t = γ v_{t-1} + ∇w_t``, ``w -= η v_t``).

    Args:
        momentum: γ in [0, 1) (default 0.9).
    """

    def __init__(self, parameters: Iterable[Any], lr: float, momentum: float = 0.9, weight_decay: float = 0.0) -> None:
        super().__init__(parameters, lr, weight_decay)
        self.momentum = _in_range("momentum", momentum, 0.0, 1.0)

    def _rule(self, state: dict[str, Array], w: Array, g: Array) -> None:
        u = state.setdefault("u", np.zeros_like(w))
        u *= self.momentum  # u_t = γ u_{t-1} + η ∇w_t
        u += self.lr * g
        w -= u  # w_{t+1} = w_t - u_t


class NAG(Momentum):
    """Nesterov accelerated gradient (CS7015 Lecture 5), in the look-ahead form's equivalent that needs one gradient per step.

    The slide's rule evaluates the gradient at the look-ahead point::

        w_look = w_t - γ u_{t-1}
        u_t = γ u_{t-1} + η ∇w_look
        w_{t+1} = w_t - u_t

    An optimizer only sees the gradient at the parameters it holds, so it holds the look-ahead
    point itself, ŵ_t = w_t - γ u_{t-1} (then ``∇w_look`` is the gradient the model computes). From
    ``w_{t+1} = w_t - u_t``::

        ŵ_{t+1} = w_{t+1} - γ u_t = ŵ_t + γ u_{t-1} - u_t - γ u_t = ŵ_t - (η ∇ŵ_t + γ u_t)

    since ``u_t - γ u_{t-1} = η ∇ŵ_t``. So each step is ``u_t = γ u_{t-1} + η g;  ŵ ← ŵ - (γ u_t + η g)``,
    which is ``torch.optim.SGD(momentum=γ, nesterov=True)``. The tests run both forms side by side.
    The parameters are the look-ahead point ŵ; at convergence (u → 0) ŵ and w coincide.

    Args:
        momentum: γ in [0, 1) (default 0.9), as :class:`Momentum`.
    """

    def _rule(self, state: dict[str, Array], w: Array, g: Array) -> None:
        u = state.setdefault("u", np.zeros_like(w))
        u *= self.momentum  # u_t = γ u_{t-1} + η ∇ŵ_t
        u += self.lr * g
        w -= self.momentum * u + self.lr * g  # ŵ_{t+1} = ŵ_t - (γ u_t + η ∇ŵ_t)


class AdaGrad(Optimizer):
    """AdaGrad (CS7015 Lecture 5)::

        v_t = v_{t-1} + (∇w_t)^2
        w_{t+1} = w_t - η / √(v_t + ε) · ∇w_t

    Args:
        eps: ε >= 0 (default 1e-8), inside the square root as on the slide.
    """

    def __init__(self, parameters: Iterable[Any], lr: float, eps: float = 1e-8, weight_decay: float = 0.0) -> None:
        super().__init__(parameters, lr, weight_decay)
        self.eps = _in_range("eps", eps, 0.0, math.inf)

    def _rule(self, state: dict[str, Array], w: Array, g: Array) -> None:
        v = state.setdefault("v", np.zeros_like(w))
        v += g * g  # v_t = v_{t-1} + (∇w_t)^2
        w -= self.lr * _over_root(g, v, self.eps)


class RMSProp(Optimizer):
    """RMSProp (CS7015 Lecture 5)::

        v_t = β v_{t-1} + (1 - β)(∇w_t)^2
        w_{t+1} = w_t - η / √(v_t + ε) · ∇w_t

    ``torch.optim.RMSprop(alpha=β, eps=ε)`` has ε outside the root, ``η ∇w_t / (√v_t + ε)``:
    the same rule when ε = 0.

    Args:
        beta: β in [0, 1) (default 0.9).
        eps: ε >= 0 (default 1e-8).
    """

    def __init__(self, parameters: Iterable[Any], lr: float, beta: float = 0.9, eps: float = 1e-8, weight_decay: float = 0.0) -> None:
        super().__init__(parameters, lr, weight_decay)
        self.beta = _in_range("beta", beta, 0.0, 1.0)
        self.eps = _in_range("eps", eps, 0.0, math.inf)

    def _rule(self, state: dict[str, Array], w: Array, g: Array) -> None:
        v = state.setdefault("v", np.zeros_like(w))
        v *= self.beta  # v_t = β v_{t-1} + (1 - β)(∇w_t)^2
        v += (1.0 - self.beta) * g * g
        w -= self.lr * _over_root(g, v, self.eps)


class Adam(Optimizer):
    """Adam with bias correction (CS7015 Lecture 5)::

        m_t = β1 m_{t-1} + (1 - β1) ∇w_t          v_t = β2 v_{t-1} + (1 - β2)(∇w_t)^2
        m̂_t = m_t / (1 - β1^t)                     v̂_t = v_t / (1 - β2^t)
        w_{t+1} = w_t - η / √(v̂_t + ε) · m̂_t

    ``torch.optim.Adam`` puts ε outside the root: the same rule when ε = 0.

    Args:
        beta1: β1 in [0, 1) (default 0.9); beta2: β2 in [0, 1) (default 0.999); eps: ε >= 0 (default 1e-8).
    """

    def __init__(
        self,
        parameters: Iterable[Any],
        lr: float = 1e-3,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(parameters, lr, weight_decay)
        self.beta1 = _in_range("beta1", beta1, 0.0, 1.0)
        self.beta2 = _in_range("beta2", beta2, 0.0, 1.0)
        self.eps = _in_range("eps", eps, 0.0, math.inf)

    def _moments(self, state: dict[str, Array], g: Array) -> tuple[Array, Array]:
        """Update m_t and v_t in place; return the bias-corrected m̂_t and v̂_t."""
        m = state.setdefault("m", np.zeros_like(g))
        v = state.setdefault("v", np.zeros_like(g))
        m *= self.beta1  # m_t = β1 m_{t-1} + (1 - β1) ∇w_t
        m += (1.0 - self.beta1) * g
        v *= self.beta2  # v_t = β2 v_{t-1} + (1 - β2)(∇w_t)^2
        v += (1.0 - self.beta2) * g * g
        return m / (1.0 - self.beta1**self.t), v / (1.0 - self.beta2**self.t)

    def _rule(self, state: dict[str, Array], w: Array, g: Array) -> None:
        m_hat, v_hat = self._moments(state, g)
        w -= self.lr * _over_root(m_hat, v_hat, self.eps)


class NAdam(Adam):
    """Nesterov-accelerated Adam (Dozat, 2016), as the course's assignment asks for it::

        m_t, v_t, m̂_t, v̂_t as in Adam
        w_{t+1} = w_t - η / √(v̂_t + ε) · (β1 m̂_t + (1 - β1) ∇w_t / (1 - β1^t))

    The look-ahead of NAG applied to Adam's first moment. (``torch.optim.NAdam`` adds a momentum
    decay schedule, so it is not compared with this one.)

    Args:
        beta1, beta2, eps: as in :class:`Adam`.
    """

    def _rule(self, state: dict[str, Array], w: Array, g: Array) -> None:
        m_hat, v_hat = self._moments(state, g)
        look_ahead = self.beta1 * m_hat + (1.0 - self.beta1) * g / (1.0 - self.beta1**self.t)
        w -= self.lr * _over_root(look_ahead, v_hat, self.eps)


OPTIMIZERS: dict[str, type[Optimizer]] = {
    "sgd": SGD,
    "momentum": Momentum,
    "nag": NAG,
    "adagrad": AdaGrad,
    "rmsprop": RMSProp,
    "adam": Adam,
    "nadam": NAdam,
}
"""The optimizers by the assignment's names (``--optimizer``)."""


def make_optimizer(name: str, parameters: Iterable[Any], lr: float, **hyper: float) -> Optimizer:
    """The optimizer called ``name`` (a key of :data:`OPTIMIZERS`), given only the hyperparameters its rule uses.

    Args:
        name: ``sgd``, ``momentum``, ``nag``, ``adagrad``, ``rmsprop``, ``adam`` or ``nadam``.
        parameters, lr: as :class:`Optimizer`.
        hyper: any of ``weight_decay``, ``momentum``, ``beta``, ``beta1``, ``beta2``, ``eps``; the ones
            this rule does not use are ignored.

    Raises:
        ValueError: an unknown name, or a bad value.
    """
    if name not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {sorted(OPTIMIZERS)}, got {name!r}")
    cls = OPTIMIZERS[name]
    accepted = inspect.signature(cls.__init__).parameters
    return cls(parameters, lr, **{k: v for k, v in hyper.items() if k in accepted})


class UpdateOverflow(OverflowError):
    """An optimizer step whose new value overflowed; ``advice`` says what to change (used by training's diagnosis)."""

    def __init__(self, message: str, advice: str = "") -> None:
        super().__init__(message)
        self.advice = advice


def check_optimizer(optimizer: object, parameters: list[Any], who: str) -> Optimizer:
    """``optimizer`` if it is an :class:`Optimizer` over exactly ``parameters`` (the model's), else a clear error.

    Raises:
        TypeError: not an Optimizer (e.g. the string ``"adam"``: build one with ``make_optimizer``).
        ValueError: it steps a parameter that is not the model's (it would train nothing, silently). A subset of the
            model's parameters is fine (the others stay frozen).
    """
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            f"{who}: optimizer must be an Optimizer such as Adam(model.parameters(), lr=0.01), got {optimizer!r} of type "
            f"{type(optimizer).__name__} (make_optimizer(name, model.parameters(), lr) builds one from a name)"
        )
    key = (lambda p: id(p.data)) if not isinstance(parameters[0], Value) else id
    mine = {key(p) for p in parameters}
    foreign = [p for p in optimizer.parameters if key(p) not in mine]  # a subset is fine: the rest stay frozen
    if foreign:
        raise ValueError(
            f"{who}: {len(foreign)} of the optimizer's {len(optimizer.parameters)} parameters (e.g. {_name(foreign[0])}) are not "
            "this model's, so training would not change them; build it on model.parameters()"
        )
    return optimizer


def _over_root(num: Array, v: Array, eps: float) -> Array:
    """``num / √(v + ε)``, elementwise; where ``v + ε`` is 0 (ε = 0 and every gradient so far exactly 0, so ``num``
    is 0 too) the quotient is defined as 0: no update, instead of 0/0 = NaN."""
    root = np.sqrt(v + eps)
    if eps > 0.0:
        return num / root
    return np.divide(num, root, out=np.zeros_like(num), where=root > 0.0)


def _positive(name: str, x: float) -> float:
    v = check_number(x, name)
    if v <= 0.0:
        raise ValueError(f"{name} must be positive, got {x!r}")
    return v


def _in_range(name: str, x: float, low: float, high: float) -> float:
    v = x if x == math.inf else check_number(x, name)
    if not low <= v < high:
        raise ValueError(f"{name} must be in [{low:g}, {high:g}), got {x!r}")
    return v


def _once(params: list[Any], scalar: bool, who: str) -> list[Any]:
    """``params`` with each parameter kept once, in order; a repeat is a ``UserWarning`` naming it.

    PyTorch's optimizers warn ("duplicate parameters") rather than refuse, and would then step the
    repeated parameter twice per step; here it is kept once, so every parameter is stepped once.
    """
    first: dict[int, int] = {}
    kept: list[Any] = []
    for i, p in enumerate(params):
        key = id(p) if scalar else id(p.data)  # two array parameters over one array are one parameter
        if key in first:
            described = _name(p) if _name(p) != "a parameter" else repr(p)
            warnings.warn(
                f"{who}: parameters[{i}] ({described}) is parameters[{first[key]}] again; it is kept once and "
                "stepped once per step (list each parameter once)",
                UserWarning,
                stacklevel=_outside_this_module(),
            )
            continue
        first[key] = i
        kept.append(p)
    return kept


def _outside_this_module() -> int:
    """The ``stacklevel`` of the first frame outside this file, seen from its caller: where a warning should point."""
    level, frame = 2, inspect.currentframe()
    frame = frame.f_back if frame is not None else None  # the caller's frame, level 1
    while frame is not None and frame.f_back is not None and frame.f_back.f_code.co_filename == __file__:
        frame, level = frame.f_back, level + 1
    return level


def _name(p: Any) -> str:
    return str(getattr(p, "label", None) or getattr(p, "name", None) or "a parameter")


def _always(name: str) -> Callable[[int], str]:
    """The name of an array parameter, whichever entry of it is at fault."""
    return lambda _: name


def _check_finite(values: Array, name_of: Callable[[int], str], message: str, error: type[Exception]) -> None:
    """Raise ``error`` naming the first non-finite entry's parameter (``name_of(flat index)``), if there is one."""
    if np.isfinite(values).all():
        return
    first = int(np.flatnonzero(~np.isfinite(values))[0])
    raise error(message.format(name_of(first), float(values.flat[first])))
