"""Write your own exercise: a quantity of any network the library builds, or of an expression.

The answer is always computed by the engine; the teacher writes the question, the numbers it gives, and the
slips to name (each a formula in the answer grammar of :mod:`~micrograd_nptel.exercises.formula`)::

    from micrograd_nptel import exercises

    ex = exercises.from_network(
        "hw3-tanh-W1", sizes=[2, 3, 2], activation="tanh", loss="cross_entropy", target="grad_W_1",
        given=["x", "a_1", "h_1", "W_2", "grad_a_2"],
        question="Find the gradient of the loss with respect to W_1.",
        slips={"no_g_prime": ("(W_2^T @ grad_a_2) @ x^T", "The g'(a_1) factor is missing.")},
    )
    ex.check("((W_2^T @ grad_a_2) * g'(a_1)) @ x^T")      # correct
    ex.check("((W_2^T @ grad_a_2) * g(a_1)) @ x^T")       # g_for_g_prime: named though the teacher did not list it

    toy = exercises.from_expression("hw3-toy", "z = log(y1/y2); y1 = x**2; y2 = x**3", target="dz/dx", at={"x": 2.0})

The lecture's own diagnoses apply to every exercise made here (see :mod:`~micrograd_nptel.exercises.worlds`): for a
network, the sign, no g', g for g', g' at h, W_k for W_k^T, h_k for h_{k-1}, the softmax's diagonal, another
layer's gradient, a neighbouring weight's; for an expression, the sign, a missing path, one path's sign, the
paths multiplied, a factor left out.

Both functions take the keys every exercise has as keyword arguments (:class:`Fields`: ``given``, ``question``,
``slips``, ``reference``, ... and the fields a built-in exercise gives, ``asks``, ``shape``, ``hint``, ``accepts``,
``neighbours``, ...), the same keys, with the same meanings, as an entry of a TOML file read by
:func:`~micrograd_nptel.exercises.loader.load` (:data:`~micrograd_nptel.exercises.loader.KEYS`; the README's section
"Write your own exercise" has the table).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypedDict

import numpy as np

from .._validate import check_number
from ..expression import ExpressionError
from ..notation import UNARY_OPS
from .check import Exercise
from .feedback import Mistake, typed
from .formula import (
    AnswerError,
    Array,
    Context,
    ShapeMismatch,
    call_name,
    canonical,
    container,
    display,
    evaluate,
    pretty,
    pretty_tex,
    read,
    shape_text,
)
from .steps import derivative_formula, order_steps
from .worlds import LOSSES, ExpressionWorld, NetworkWorld

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["FIELDS", "SEEDS_TRIED", "Fields", "Slips", "check_formulas", "from_expression", "from_network", "slip_records"]

SEEDS_TRIED = 500
""":func:`from_expression` builds the numbers of seeds 0 .. 499 (each student's seed is one of a million; 500 tries find
a range where one draw in 200 or more cannot be built) and refuses an expression some of them cannot build."""

ANSWERS = ("any", "number")
"""What an exercise accepts: ``"any"`` (a number, an array or a formula) or ``"number"`` (numbers only)."""

Slips = Mapping[str, Any] | Sequence[Any]
"""A teacher's slips, tried first, in the order given: a list of ``(key, formula, message)`` (or of tables
``{"key": ..., "formula": ..., "message": ...}``, or of :class:`~micrograd_nptel.exercises.Mistake`), where one key may
come twice with different messages; or the shorthand ``{key: (formula, message)}`` (``{key: {"formula": ...,
"message": ...}}``), one message a key. A formula may be a list of formulas."""


class Fields(TypedDict, total=False):
    """The keys every exercise has, wherever its numbers come from: the keyword arguments :func:`from_network` and
    :func:`from_expression` take beside their own (``sizes``, ... / ``expression``, ...), and the keys of a TOML entry
    beside ``sizes``, ``expression`` or ``world`` (:data:`~micrograd_nptel.exercises.loader.KEYS` says the same, key
    by key). Each is a field of :class:`~micrograd_nptel.exercises.Exercise`, optional here, its default made from the
    network or the expression.

    Attributes:
        given: the names of the numbers the question shows (and an answer may use), e.g. ``["x", "W_2", "grad_a_2"]``
            (default: none for a network; the inputs and the named steps but the output for an expression).
        question, question_tex: the question in text, and in Markdown with LaTeX (defaults: one naming the network or
            the expression and the target; ``question_tex``: ``question``).
        title, module, notebook: shown with the exercise (defaults: the target and its network or expression).
        seed: the numbers, a whole number >= 0 (0: the question's; ``ex.new(seed)`` for others).
        answer: ``"any"`` (a number, an array or a formula) or ``"number"``: numbers only, so that a formula copied
            from a classmate is not accepted (it gets "this exercise asks for the number").
        reference: the lecture's formula for the answer, checked against the engine on three networks or inputs
            (default: Module 4.8's for a network, the chain rule's for an expression, in the given names);
            ``reference_tex`` in LaTeX (default: from ``reference``).
        slips: the teacher's slips (:data:`Slips`), tried before the lecture's; each must be readable and not the
            correct answer. A slip's key names it in the feedback and in ``micrograd-nptel grade``'s counts; its
            message may use ``{formula}``.
        asks, asks_tex: the quantity asked for in text and LaTeX (default: the target, ``∇_{W_1}L``).
        shape: the answer's shape in words (default: "a 3 x 2 matrix (n_1 x n_0)", "a number").
        hint: the last line of a far-off answer's message (default: "Check each factor of the chain.").
        accepts: other correct ways to write the answer (display or LaTeX forms); each must agree with the engine.
        defined: names the question defines on the way, usable beside ``given`` but not listed among its numbers.
        forbidden: functions a formula may not use (``["g'"]`` when g' is what is asked).
        paths: the scalar whose paths to the output are summed, for ``missing_paths`` (default: the weight or unit
            asked, or the expression's input).
        path_examples: formulas that sum some of the paths only (:func:`diagnosis_rates` measures them).
        neighbours: diagnose ``index_shift``, a neighbouring weight's or unit's gradient (default: True for one weight
            or unit; networks only: an expression's names have no indices).
        asked: the name refused in a formula as "the quantity asked for" (default: the target).
    """

    given: Sequence[str]
    question: str
    question_tex: str
    title: str
    module: str
    notebook: str
    seed: int
    answer: str
    reference: str
    reference_tex: str
    slips: Slips
    asks: str
    asks_tex: str
    shape: str
    hint: str
    accepts: Sequence[str]
    defined: Sequence[str]
    forbidden: Iterable[str]
    paths: str
    path_examples: Sequence[str]
    neighbours: bool
    asked: str


FIELDS = tuple(Fields.__annotations__)
"""The keys of :class:`Fields`, in its order."""


# ---------------------------------------------------------------------- networks
def from_network(
    name: str,
    *,
    sizes: Sequence[int],
    target: str,
    activation: str = "logistic",
    output: str | None = None,
    loss: str | None = None,
    **fields: Unpack[Fields],
) -> Exercise:
    """An exercise on one quantity of a feedforward network (CS7015 Lecture 4, Modules 4.1-4.8), answered by the engine.

    Args:
        name: the exercise's name, e.g. ``"hw3-tanh-W1"`` (letters, digits, ``.``, ``-``, ``_``).
        sizes: n_0, n_1, ..., k: the input size, each hidden layer's, the output's (e.g. ``[2, 3, 2]``).
        target: what is asked, in the answer grammar: ``"grad_W_1"`` (∇_{W_1}L, n_1 x n_0), ``"dL/dW_{2,1,3}"``,
            ``"grad_a_2"``, ``"grad_h_1"``, ``"grad_b_1"``, ``"grad_x"``, ``"grad_yhat"``, or a forward quantity ``"a_2"``.
        activation: g: ``"logistic"``, ``"tanh"``, ``"relu"`` or ``"linear"``.
        output, loss: O and L: ``"softmax"`` with ``"cross_entropy"`` (the default) or ``"linear"`` with
            ``"squared_error"``; give either or both (Module 4.3's pairs).
        fields: the keys every exercise has (:class:`Fields`), each optional: ``given``, ``question``, ``slips``
            (``{"no_bias": ("W_2 @ h_1", "The bias b_2 is missing.")}``), ``reference`` (default: Module 4.8's, in
            the given names: ``grad_a_1 @ x^T`` becomes ``((W_2^T @ grad_a_2) * g'(a_1)) @ x^T`` when the question
            gives W_2, grad_a_2 and a_1 and not grad_a_1), ``seed``, ``answer``, and what a built-in exercise says
            (``asks``, ``shape``, ``hint``, ``accepts``, ``neighbours``, ...).

    Returns:
        An :class:`~micrograd_nptel.exercises.Exercise`.

    Raises:
        ValueError: a bad size, activation, output or loss (or an output and a loss that do not go together), a target or
            a given name the network does not have, the target among the given names, a slip that cannot be read or that
            gives the correct answer, a reference or an ``accepts`` formula that disagrees with the engine (the message
            names which), a default reference that needs a name the question does not give (the message names it), a
            negative seed, an ``answer`` that is neither "any" nor "number", ``neighbours`` for a target without indices.
        TypeError: an argument of the wrong type, or a keyword that is not one of :class:`Fields`.
    """
    out = _output(output, loss)
    if not isinstance(sizes, (list, tuple)):
        raise TypeError(f"sizes must be a list of ints, got {sizes!r}")
    sizes_t = tuple(sizes)
    probe = NetworkWorld(sizes_t, activation, out)(0, 0)
    key = _name_in(target, probe, "target")
    parts = _given_parts(fields, "from_network")
    if not parts.get("reference"):
        parts["reference"] = _network_default(key, target, sizes_t, out, parts.get("given"), probe)
    world = NetworkWorld(sizes_t, activation, out, key)
    return _make(world, key, name, {**_network_defaults(key, sizes_t, activation, out, probe, parts), **parts})


def _network_default(key: str, target: str, sizes: tuple[int, ...], out: str, given: Iterable[str] | None, probe: Context) -> str:
    """Module 4.8's formula for ``key`` written in the given names (:func:`_in_given_names`); ValueError without one."""
    reference = _network_reference(key, sizes, out)
    if reference is None:
        raise ValueError(f"give reference=... (a formula for {pretty(key)}): there is no default for target {target!r}")
    return _in_given_names(reference, given, probe, lambda n: _network_reference(n, sizes, out), key)


def _network_defaults(
    key: str, sizes: tuple[int, ...], activation: str, out: str, probe: Context, parts: Mapping[str, Any]
) -> dict[str, Any]:
    """What a network exercise says unless the teacher says otherwise: the question and title naming the network and
    the target, the module, the shape in words; for one weight or unit, its paths and its neighbours."""
    net = "-".join(map(str, sizes))
    losses = "softmax and cross-entropy" if out == "softmax" else "linear output and squared error"
    defaults: dict[str, Any] = {
        "title": f"{pretty(key)} in a {net} network ({activation}, {losses})",
        "module": "CS7015 Lecture 4, Modules 4.1-4.8",
        "shape": _network_shape(key, probe.values[key], sizes),
        "neighbours": bool(re.fullmatch(r"dL/d(W_\d+,\d+,\d+|[abh]_\d+,\d+)", key)),
    }
    if "question" not in parts:
        defaults["question"] = f"In a {net} network ({activation} g, {losses}), find {pretty(key)}."
        defaults["question_tex"] = f"In a {net} network ({activation} $g$, {losses}), find ${pretty_tex(key)}$."
    if re.fullmatch(r"dL/d(W_\d+,\d+,\d+|[abh]_\d+,\d+|x_\d+)", key):
        defaults["paths"] = key[4:]
    return defaults


def _output(output: str | None, loss: str | None) -> str:
    if loss is not None and loss not in LOSSES:
        raise ValueError(f"loss must be one of {', '.join(LOSSES)}, got {loss!r}")
    if output is not None and loss is not None and LOSSES[loss] != output:
        raise ValueError(f"loss {loss!r} goes with output {LOSSES[loss]!r} (Module 4.3), not {output!r}")
    return output or (LOSSES[loss] if loss else "softmax")


def _network_reference(t: str, sizes: tuple[int, ...], output: str) -> str | None:
    """Module 4.8's formula for a target (its gradient by the pseudo code), or Module 4.1's for a forward quantity."""
    L = len(sizes) - 1

    def h(k: int) -> str:
        return "x" if k == 0 else f"h_{k}"

    def h_entry(k: int, j: int) -> str:
        return f"x_{j}" if k == 0 else f"h_{{{k},{j}}}"

    last = "yhat - e(l)" if output == "softmax" else "2*(yhat - y)"
    fixed = {
        "dL/dx": "W_1^T @ grad_a_1",
        "dL/dyhat": "-(1/yhat_l) * e(l)" if output == "softmax" else "2*(yhat - y)",
        "yhat": f"exp(a_{L}) / sum(exp(a_{L}))" if output == "softmax" else f"a_{L}",
    }
    patterns: list[tuple[str, Callable[..., str]]] = [
        (r"dL/dW_(\d+)", lambda k: f"grad_a_{k} @ {h(k - 1)}^T"),
        (r"dL/db_(\d+)", lambda k: f"grad_a_{k}"),
        (r"dL/dh_(\d+)", lambda k: f"W_{k + 1}^T @ grad_a_{k + 1}"),
        (r"dL/da_(\d+)", lambda k: last if k == L else f"grad_h_{k} * g'(a_{k})"),
        (r"dL/dW_(\d+),(\d+),(\d+)", lambda k, i, j: f"dL/da_{{{k},{i}}} * {h_entry(k - 1, j)}"),
        (r"dL/db_(\d+),(\d+)", lambda k, i: f"dL/da_{{{k},{i}}}"),
        (r"dL/da_(\d+),(\d+)", lambda k, i: f"sum(e({i}, {sizes[-1]}) * ({last}))" if k == L else f"dL/dh_{{{k},{i}}} * g'(a_{{{k},{i}}})"),
        (
            r"dL/dh_(\d+),(\d+)",
            lambda k, j: " + ".join(f"dL/da_{{{k + 1},{m}}} * W_{{{k + 1},{m},{j}}}" for m in range(1, sizes[k + 1] + 1)),
        ),
        (r"dL/dx_(\d+)", lambda j: " + ".join(f"dL/da_{{1,{m}}} * W_{{1,{m},{j}}}" for m in range(1, sizes[1] + 1))),
        (r"a_(\d+)", lambda k: f"b_{k} + W_{k} @ {h(k - 1)}"),
        (r"h_(\d+)", lambda k: f"g(a_{k})"),
    ]
    if t in fixed:
        return fixed[t]
    for pattern, make in patterns:
        m = re.fullmatch(pattern, t)
        if m:
            return make(*(int(g) for g in m.groups()))
    return None


def _network_shape(t: str, value: Array, sizes: tuple[int, ...]) -> str:
    """``"a 3 x 2 matrix (n_1 x n_0)"``, ``"a vector of 3 numbers (n_1)"``, ``"a number"``: the answer's shape in words."""
    if value.ndim == 0:
        return "a number"
    m = re.search(r"([Wabh])_(\d+)$", t)
    L = len(sizes) - 1

    def size(k: int) -> str:
        return "k" if k == L else f"n_{k}"

    if value.shape[1] > 1:
        sym = f" ({size(int(m.group(2)))} x {size(int(m.group(2)) - 1)})" if m else ""
        return f"a {shape_text(value.shape)} matrix{sym}"
    sym = f" ({size(int(m.group(2)))})" if m else " (n_0)" if t.endswith("x") else " (k)" if t.endswith("yhat") else ""
    return f"a vector of {value.shape[0]} number{'s' * (value.shape[0] != 1)}{sym}"


# ---------------------------------------------------------------------- expressions
def from_expression(
    name: str,
    expression: str,
    *,
    target: str,
    at: Mapping[str, float],
    ranges: Mapping[str, Sequence[float]] | None = None,
    **fields: Unpack[Fields],
) -> Exercise:
    """An exercise on the derivative of an expression written in named steps (CS7015 Lecture 4, Module 4.6), answered by the engine.

    Args:
        name: the exercise's name, e.g. ``"hw3-toy"``.
        expression: the steps, in any order, separated by ``;`` or new lines: ``"z = log(y1/y2); y1 = x**2; y2 = x**3"``
            (the grammar of :func:`~micrograd_nptel.expression.parse_expression`: ``+ - * / **``, exp, log, sqrt, sin, cos,
            tanh, sigmoid, relu, abs).
        target: ``"dz/dx"``: the output (the step no other step uses) differentiated by an input.
        at: each input's value in the question, e.g. ``{"x": 2.0}``.
        ranges: ``{input: (low, high)}``: where other seeds draw that input from (default: ``at``'s value times 0.5 to 1.5).
            A draw where some step is not defined (a log of a negative number) is drawn again, up to 20 times; the
            first :data:`SEEDS_TRIED` seeds are tried here, and an expression that some of them cannot build is refused
            (the message names the step and the range to narrow).
        fields: the keys every exercise has (:class:`Fields`), as for :func:`from_network` (but ``neighbours``); with
            no ``given``, the question gives the inputs and the named steps but the output; with no ``reference``, the
            solution is the chain rule's formula in the given names (a step the question does not give is written out).

    Returns:
        An :class:`~micrograd_nptel.exercises.Exercise`.

    Raises:
        ValueError: an expression that cannot be read (``^`` for a power: write ``**``), an input in ``at`` it does not
            use (or one it uses missing), a target that is not ``d<output>/d<input>``, numbers that are not finite, a bad
            range, seeds among the first :data:`SEEDS_TRIED` whose numbers cannot be built, ``neighbours``, or as
            :func:`from_network`.
        TypeError: an argument of the wrong type, or a keyword that is not one of :class:`Fields`.
    """
    values, bounds, root, wrt = _expression_inputs(expression, target, at, ranges)
    world = ExpressionWorld(expression, values, root, wrt, bounds)
    named = _expression_steps(world, expression, target, at)
    _check_seeds(world, bounds)
    ctx = world(0, 0)
    key = _name_in(f"d{root}/d{wrt}", ctx, "target")
    parts = _given_parts(fields, "from_expression")
    if "neighbours" in parts:
        raise ValueError(f"neighbours: {target} has no indices (an expression's names are scalars), so no neighbour to name")
    if parts.get("given") is None:
        steps = [s.split("=")[0].strip() for s in order_steps(expression)[0].split(";")]
        parts["given"] = [*at, *(n for n in steps if n in named and n != root)]
    _warn_printed_values(name, parts.get("question"), values)
    if not parts.get("reference"):
        parts["reference"] = _expression_default(expression, target, wrt, parts["given"], ctx, key)
    point = ", ".join(at)  # "at the given x": another seed (a student's) gives other numbers, listed under the question
    defaults: dict[str, Any] = {"title": f"{target} for {expression}", "module": "CS7015 Lecture 4, Module 4.6", "shape": "a number"}
    if "question" not in parts:
        defaults["question"] = f"{expression}. Find {target} at the given {point}."
        defaults["question_tex"] = f"`{expression}`. Find ${pretty_tex(key)}$ at the given ${point}$."
    defaults["paths"] = _name_in(wrt, ctx, "input")
    return _make(world, key, name, {**defaults, **parts})


def _expression_inputs(
    expression: object, target: object, at: object, ranges: object
) -> tuple[tuple[tuple[str, float], ...], tuple[tuple[str, tuple[float, float]], ...], str, str]:
    """The checked arguments of :func:`from_expression`: ``at``'s values, ``ranges``' bounds, the output and the input
    the target differentiates by."""
    if not isinstance(expression, str):
        raise TypeError(f"expression must be a str, got {expression!r}")
    if "^" in expression:
        raise ValueError(f"expression {expression!r}: ^ is not a power here; write ** ({expression.replace('^', '**')!r})")
    if not isinstance(at, Mapping) or not at:
        raise ValueError(f"at must give each input's value, e.g. {{'x': 2.0}}; got {at!r}")
    values = tuple((str(k), _finite(v, f"at[{k!r}]")) for k, v in at.items())
    if ranges is not None and not isinstance(ranges, Mapping):
        raise TypeError(f"ranges must map an input to (low, high), got {ranges!r}")
    bounds = tuple((str(k), _range(k, r)) for k, r in (ranges or {}).items())
    for k, _ in bounds:
        if k not in at:
            raise ValueError(f"ranges names {k!r}, which at does not give (the inputs: {', '.join(at)}); remove it from ranges")
    m = re.fullmatch(r"\s*(?:d|∂)([A-Za-z]\w*)\s*/\s*(?:d|∂)([A-Za-z]\w*)\s*", target) if isinstance(target, str) else None
    if not m:
        raise ValueError(f"target must be d<output>/d<input>, e.g. 'dz/dx', got {target!r}")
    return values, bounds, m.group(1), m.group(2)


def _expression_steps(world: ExpressionWorld, expression: str, target: str, at: Mapping[str, float]) -> dict[str, Any]:
    """The named steps of the question's expression; ValueError for an input ``at`` misses, one it has that the
    expression does not use, or a target by an input it does not use."""
    values = world.at
    try:
        _, used, named = world.graph(dict(values))
    except ExpressionError as e:
        missing = re.search(r"unknown variable '(\w+)'", str(e))
        if missing:
            raise ValueError(
                f"at: the expression uses {missing.group(1)!r}, which at does not give; add its value in the question, "
                f"at = {{{', '.join([*(f'{k}: {v:g}' for k, v in values), f'{missing.group(1)}: NUMBER'])}}}"
            ) from None
        raise
    if world.wrt not in used:
        raise ValueError(
            f"target {target!r} differentiates by {world.wrt!r}, which the expression does not use (its inputs: {', '.join(used)})"
        )
    unused = [k for k in at if k not in used]
    if unused:
        raise ValueError(f"at: {expression!r} does not use the input {', '.join(map(repr, unused))}; remove it from at")
    return dict(named)


def _warn_printed_values(name: str, question: object, values: tuple[tuple[str, float], ...]) -> None:
    """Warn when the question prints an input's value: other seeds (each student's) give it other values."""
    for k, v in values:
        if isinstance(question, str) and re.search(rf"\b{re.escape(k)}\s*=\s*{re.escape(f'{v:g}')}(?!\.?\d)", question):
            warnings.warn(
                f"{name}: the question says {k} = {v:g}, but other seeds (each student's) give {k} other values; "
                f"write 'at the given {k}' (the question lists each student's numbers)",
                UserWarning,
                stacklevel=3,
            )


def _expression_default(expression: str, target: str, wrt: str, given: Iterable[str], ctx: Context, key: str) -> str:
    """The chain rule's formula for d<output>/d<wrt>, written in the given names: a step the question does not give is
    replaced by its definition."""
    reference = derivative_formula(expression, wrt)
    if reference is None:
        raise ValueError(f"give reference=... (a formula for {target}): relu has no derivative in the answer grammar")
    pairs = [step.split("=", 1) for step in order_steps(expression)[0].split(";") if "=" in step]
    spelled = {canonical(k.strip(), ctx): k.strip() for k, _ in pairs}
    definitions = {canonical(k.strip(), ctx): v.strip() for k, v in pairs}
    return _in_given_names(reference, given, ctx, definitions.get, key, lambda n: spelled.get(n, typed(n)))


def _check_seeds(world: ExpressionWorld, bounds: tuple[tuple[str, tuple[float, float]], ...]) -> None:
    """Build the question's numbers (world 0) of seeds 0 .. SEEDS_TRIED - 1; refuse, naming the step that is not
    defined and the ranges the inputs are drawn from, when some cannot be built in the world's 20 draws."""
    failed: list[int] = []
    for s in range(SEEDS_TRIED):
        if _why(world, world.inputs(s, 0)) is None:  # the first draw is defined: the world takes it
            continue
        try:
            world(s, 0)
        except ValueError:
            failed.append(s)
    if not failed:
        return
    reason = _why(world, world.inputs(failed[0], 0))
    ranges = dict(bounds)
    drawn = []
    for k, v in world.at:
        low, high = ranges.get(k) or ((-1.0, 1.0) if v == 0 else tuple(sorted((0.5 * v, 1.5 * v))))
        drawn.append(f"{k} from [{low:g}, {high:g}]" + ("" if k in ranges else " (at's value times 0.5 to 1.5)"))
    seeds = ", ".join(map(str, failed[:5])) + (", ..." if len(failed) > 5 else "")
    raise ValueError(
        f"ranges: {len(failed)} of the first {SEEDS_TRIED} seeds (seed {seeds}) give no numbers where every step is defined "
        f"in 20 draws ({reason}); the inputs are drawn {', '.join(drawn)}: narrow ranges to where every step is defined"
    )


def _why(world: ExpressionWorld, at: Mapping[str, float]) -> str | None:
    """None when every step is finite on the inputs ``at``; else what is not defined there."""
    try:
        _, _, named = world.graph(at)
    except (ValueError, ZeroDivisionError, OverflowError) as e:
        return f"{e} at {', '.join(f'{k} = {v:g}' for k, v in at.items())}"
    bad = [n for n, v in named.items() if not (np.isfinite(v.data) and np.isfinite(v.grad))]
    if bad:
        return f"{bad[0]} is not finite at {', '.join(f'{k} = {v:g}' for k, v in at.items())}"
    return None


def _in_given_names(
    reference: str,
    given: Iterable[str] | None,
    ctx: Context,
    define: Callable[[str], str | None],
    target: str,
    spell: Callable[[str], str] = typed,
) -> str:
    """A default reference written with the given names only: each name the question does not give is replaced by its
    ``define``-d formula until none is left (``grad_a_1 @ x^T`` -> ``((W_2^T @ grad_a_2) * g'(a_1)) @ x^T``); ``define``
    takes a canonical name, ``spell`` gives the name as the reference writes it.

    With no given names the reference is kept (the question then gives only the picture). Raises ValueError naming the
    names and the fix when a name that is not given has no formula."""
    names = [given] if isinstance(given, str) else list(given or ())
    if not names:
        return reference
    try:
        allowed = {_name_in(g, ctx, "given name") for g in names}
    except ValueError:
        return reference  # _make names the bad given name
    if target in allowed:
        return reference  # _make refuses it: the question would give its answer away
    if "l" in allowed:
        allowed.add("y")

    def missing(text: str) -> list[str]:
        return [n for n in read(text, ctx).names if n not in allowed and container(n) not in allowed]

    first = missing(reference)
    text = reference
    for _ in range(60):
        left = missing(text)
        if not left:
            return text
        body = define(left[0])
        before = text
        if body is not None:
            wrapped = f"({body})" if re.search(r"[\s+\-*/@]", body) else body
            text = re.sub(rf"(?<![\w/{{]){re.escape(spell(left[0]))}(?![\w{{])", wrapped.replace("\\", "\\\\"), text)
        if body is None or text == before:
            needs = ", ".join(spell(n) for n in first)
            raise ValueError(
                f"given: the default reference {reference!r} uses {needs}, which the question does not give, and written out "
                f"it still needs {spell(left[0])}; add {needs} to given, or write reference = a formula in the given names"
            )
    raise ValueError(f"given: the default reference {reference!r} cannot be written in the given names; write reference = ...")


def _finite(v: object, what: str) -> float:
    return check_number(v, what)


def _range(name: object, r: object) -> tuple[float, float]:
    if not isinstance(r, (list, tuple)) or len(r) != 2:
        raise ValueError(f"ranges[{name!r}] must be (low, high), got {r!r}")
    low, high = _finite(r[0], f"ranges[{name!r}] low"), _finite(r[1], f"ranges[{name!r}] high")
    if not low < high:
        raise ValueError(f"ranges[{name!r}] must have low < high, got {r!r}")
    return low, high


# ---------------------------------------------------------------------- shared
def _name_in(text: object, ctx: Context, what: str) -> str:
    """A name as typed (``grad_W_1``, ``dL/dW_{1,2,3}``, ``y1``) -> its canonical spelling, which ``ctx`` must have."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"{what} must be a name such as grad_W_1, got {text!r}")
    try:
        key = canonical(text.strip(), ctx)
    except AnswerError as e:
        raise ValueError(f"{what} {text!r}: {e}") from None
    if key not in ctx.values or key.startswith("__"):
        whole = [n for n in sorted(ctx.values) if not n.startswith("__") and (container(n) == n or container(n) not in ctx.values)]
        names = ", ".join(typed(n) for n in whole)
        raise ValueError(f"{what} {text!r} is not a quantity of this exercise; it has {names}")
    return key


def _given_parts(fields: Mapping[str, Any], what: str) -> dict[str, Any]:
    """The :class:`Fields` a teacher gave, None (and an empty title or module) meaning "the default"; TypeError for a
    keyword that is not one."""
    for key in fields:
        if key not in FIELDS:
            raise TypeError(f"{what}() got an unexpected keyword argument {key!r}; the fields every exercise has are {', '.join(FIELDS)}")
    return {k: v for k, v in fields.items() if v is not None and not (k in ("title", "module") and v == "")}


def _make(world: NetworkWorld | ExpressionWorld, key: str, name: str, parts: dict[str, Any]) -> Exercise:
    """Check the teacher's parts against the engine on three worlds and build the Exercise."""
    parts = {"given": (), "notebook": "", "seed": 0, "answer": "any", **parts}
    _check_texts(name, parts)
    seed = parts["seed"]
    ctx = world(seed, 0)
    given = tuple(dict.fromkeys(_name_in(g, ctx, "given name") for g in parts["given"]))
    if key in given:
        raise ValueError(f"given includes the target {pretty(key)} itself: the question would give its answer away")
    mistakes = _slips(parts.pop("slips", None), ctx)
    worlds = [world(seed, w) for w in range(3)]
    _check_reference(parts["reference"], key, worlds)
    fields = _checked_fields(parts, key, ctx)
    parts.setdefault("question_tex", parts["question"])
    parts.setdefault("reference_tex", _tex(display(parts["reference"], ctx)))
    parts.update(given=given, asks=parts.get("asks", pretty(key)), asks_tex=parts.get("asks_tex", pretty_tex(key)), **fields)
    ex = Exercise(name=name, mistakes=mistakes, target=key, world=world, **parts)
    check_formulas(ex, worlds)
    return ex


def check_formulas(ex: Exercise, worlds: Sequence[Context]) -> None:
    """Check the formulas an exercise holds besides its reference, on ``worlds`` (the question's numbers and two more
    sets, e.g. ``[ex.context(w) for w in range(3)]``): each of the exercise's ``accepts``
    equals the engine's answer, each of ``path_examples`` reads, and no slip gives the correct answer. Used for every
    exercise a teacher makes (:func:`from_network`, :func:`from_expression`, a loaded entry on a built-in world).

    Raises:
        ValueError: the first formula that does not (named, with the key it is under).
    """
    for formula in ex.accepts:
        _check_reference(formula, ex.target, list(worlds), "accepts")
    for formula in ex.path_examples:
        _readable(formula, worlds[0], "path_examples")
    for m in ex.mistakes:
        _check_slip(m, ex, list(worlds))


def _check_texts(name: object, parts: Mapping[str, Any]) -> None:
    """The name, the texts, ``given``, ``seed`` and ``answer`` are of their types and values."""
    seed = parts["seed"]
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be a whole number >= 0, got {seed!r}")
    if seed < 0:
        raise ValueError(f"seed must be a whole number >= 0 (0: the question's own numbers), got {seed}")
    if parts["answer"] not in ANSWERS:
        raise ValueError(f'answer must be "any" (a number or a formula) or "number" (numbers only), got {parts["answer"]!r}')
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9][\w.\-]{0,63}", name):
        raise ValueError(f"name must be 1 to 64 letters, digits, '.', '-' or '_', got {name!r}")
    for what in (
        "question",
        "title",
        "module",
        "notebook",
        "question_tex",
        "reference",
        "reference_tex",
        "asks",
        "asks_tex",
        "shape",
        "hint",
    ):
        if what in parts and not isinstance(parts[what], str):
            raise TypeError(f"{what} must be a str, got {parts[what]!r}")
    for what in ("given", "accepts", "defined", "forbidden", "path_examples"):
        value = parts.get(what, ())
        if isinstance(value, str) or not isinstance(value, Iterable) or not all(isinstance(v, str) for v in value):
            raise TypeError(f"{what} must be a list of {'names' if what != 'accepts' else 'formulas'}, got {value!r}")


def _checked_fields(parts: Mapping[str, Any], key: str, ctx: Context) -> dict[str, Any]:
    """The optional :class:`Fields` of an Exercise, in its types and checked on its numbers: ``defined``/``asked`` are
    names of the exercise, ``paths`` a node, ``forbidden`` functions of the grammar, ``neighbours`` only for a target
    with indices (its formulas are checked by :func:`check_formulas`)."""
    out: dict[str, Any] = {"accepts": tuple(parts.get("accepts", ())), "path_examples": tuple(parts.get("path_examples", ()))}
    out["defined"] = tuple(_name_in(n, ctx, "defined name") for n in parts.get("defined", ()))
    out["forbidden"] = frozenset(_function(f) for f in parts.get("forbidden", ()))
    if "asked" in parts:
        out["asked"] = _name_in(parts["asked"], ctx, "asked")
    nodes: Mapping[str, object] = ctx.extra.get("nodes", {})  # type: ignore[assignment]
    if "paths" in parts and parts["paths"] not in nodes:
        raise ValueError(f"paths {parts['paths']!r} is not a node of this exercise; it has {', '.join(nodes)}")
    neighbours = parts.get("neighbours", False)
    if not isinstance(neighbours, bool):
        raise TypeError(f"neighbours must be True or False, got {neighbours!r}")
    if neighbours and not re.fullmatch(r"dL/d(W_\d+,\d+,\d+|[abh]_\d+,\d+|x_\d+)", key):
        raise ValueError(f"neighbours: {pretty(key)} has no indices, so no neighbouring weight or unit (ask for one, dL/dW_{{2,1,3}})")
    return out


def _function(text: object) -> str:
    """A function a formula may call, as :data:`forbidden` holds it (``"g'"`` -> ``"gprime"``); ValueError for others."""
    try:
        return call_name(str(text))
    except AnswerError as e:
        raise ValueError(f"forbidden: {e}") from None


def _readable(formula: str, ctx: Context, what: str) -> None:
    try:
        read(formula, ctx)
    except AnswerError as e:
        raise ValueError(f"{what}: the formula {formula!r} cannot be read: {e}") from None


def slip_records(slips: Slips | None) -> tuple[Mistake, ...]:
    """A teacher's slips (:data:`Slips`, either form) as :class:`~micrograd_nptel.exercises.Mistake` records, in order;
    their formulas are read on an exercise's numbers later (:func:`from_network`, :func:`from_expression`, a loaded
    catalogue entry).

    Raises:
        TypeError: ``slips`` neither a list nor a table.
        ValueError: a slip without a key, a formula (or a list of them) and a message, or with another field (named).
    """
    if slips is None:
        return ()
    if isinstance(slips, Mapping):
        items: list[tuple[object, object]] = list(slips.items())
    elif isinstance(slips, (list, tuple)):
        items = [_keyed(i, spec) for i, spec in enumerate(slips, 1)]
    else:
        raise TypeError(f"slips must be a list of (key, formula, message) or map a key to (formula, message), got {slips!r}")
    out = []
    for key, spec in items:
        if not isinstance(key, str) or not re.fullmatch(r"[A-Za-z_][\w\-]{0,63}", key):
            raise ValueError(f"slip key must be a name such as 'no_bias', got {key!r}")
        if isinstance(spec, Mapping):
            unknown = set(spec) - {"formula", "message"}
            if unknown:
                raise ValueError(f"slip {key!r}: unknown field {sorted(unknown)[0]!r} (a slip has a key, a formula and a message)")
            formula, message = spec.get("formula"), spec.get("message")
        elif isinstance(spec, (list, tuple)) and len(spec) == 2:
            formula, message = spec
        else:
            raise ValueError(f"slip {key!r} must be (formula, message), got {spec!r}")
        formulas = (formula,) if isinstance(formula, str) else tuple(formula) if isinstance(formula, (list, tuple)) else ()
        if not formulas or not all(isinstance(f, str) and f.strip() for f in formulas):
            raise ValueError(f"slip {key!r}: formula must be a formula or a list of formulas, got {formula!r}")
        if not isinstance(message, str) or not message.strip():
            raise ValueError(f"slip {key!r}: message must be the text shown to the student, got {message!r}")
        out.append(Mistake(key, formulas, message))
    return tuple(out)


def _keyed(i: int, spec: object) -> tuple[object, object]:
    """One slip of the list form -> ``(key, (formula, message))`` (a Mistake, a triple or a table with a key)."""
    if isinstance(spec, Mistake):
        return spec.key, (list(spec.formulas), spec.message)
    if isinstance(spec, (list, tuple)) and len(spec) == 3:
        return spec[0], tuple(spec[1:])
    if isinstance(spec, Mapping) and "key" in spec:
        return spec["key"], {k: v for k, v in spec.items() if k != "key"}
    raise ValueError(f"slip {i} must be (key, formula, message) or a table with key, formula and message, got {spec!r}")


def _slips(slips: Slips | None, ctx: Context) -> tuple[Mistake, ...]:
    """The teacher's slips as Mistakes; each formula must be readable on the exercise's names."""
    out = slip_records(slips)
    for m in out:
        for f in m.formulas:
            try:
                read(f, ctx)
            except AnswerError as e:
                raise ValueError(f"slip {m.key!r}: its formula {f!r} cannot be read: {e}") from None
    return out


def _value(text: str, ctx: Context) -> Array | None:
    try:
        return evaluate(read(text, ctx), ctx)
    except (ShapeMismatch, FloatingPointError):
        return None


def _same(v: Array | None, want: Array) -> bool:
    if v is None:
        return False
    if want.ndim == 2 and want.shape[1] == 1 and v.ndim == 2 and v.size == want.size:
        v = v.reshape(want.shape)
    if v.shape != want.shape and not (want.ndim == 0 and v.size == 1):
        return False
    return bool(np.allclose(v.reshape(want.shape), want, rtol=1e-9, atol=1e-12 * max(1.0, float(np.abs(want).max()))))


def _check_reference(reference: str, key: str, worlds: list[Context], what: str = "reference") -> None:
    """``reference`` (or an ``accepts`` formula) equals the engine's ``key`` on each of ``worlds``; ValueError if not."""
    for w, ctx in enumerate(worlds):
        try:
            v = evaluate(read(reference, ctx), ctx)
        except (AnswerError, ShapeMismatch, FloatingPointError) as e:
            raise ValueError(f"{what} {reference!r} cannot be evaluated: {e}") from None
        if not _same(v, ctx.values[key]):
            where = "on the question's numbers" if w == 0 else f"on check network {w}"
            raise ValueError(f"{what} {reference!r} disagrees with the engine's {pretty(key)} {where}")


def _check_slip(m: Mistake, ex: Exercise, worlds: list[Context]) -> None:
    for f in m.formulas:
        if all(_same(_value(f, ctx), ctx.values[ex.target]) for ctx in worlds):
            raise ValueError(f"slip {m.key!r}: its formula {f!r} gives the correct answer {ex.asks}, so it cannot name a slip")


def _tex(text: str) -> str:
    """A formula as :func:`~micrograd_nptel.exercises.formula.display` writes it -> LaTeX
    (∇_{a_2}L h_1ᵀ -> \\nabla_{a_2}\\mathcal{L}\\, h_1^T)."""
    text = re.sub(r"∇_\{([^{}]*)\}L", r"\\nabla_{\1}\\mathcal{L}", text)
    text = re.sub(r"∂(\w+)/∂(\w+(?:_\{[^{}]*\}|_\w+)?)", lambda m: rf"\frac{{\partial {_sym(m.group(1))}}}{{\partial {m.group(2)}}}", text)
    for a, b in (("ᵀ", "^T"), ("·", r" \cdot "), ("ŷ", r"\hat{y}"), ("η", r"\eta"), ("*", r" \cdot ")):
        text = text.replace(a, b)
    for name, op in UNARY_OPS.items():  # \exp, \tanh, \operatorname{sqrt}: as derivations write them (notation.py)
        if op.latex is not None:
            text = re.sub(rf"\b{name}\b", op.latex.replace("\\", "\\\\"), text)
    return text


def _sym(s: str) -> str:
    return r"\mathcal{L}" if s == "L" else s
