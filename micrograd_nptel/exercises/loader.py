"""Exercises as data: the TOML format a teacher writes (:func:`load`), and the built-in catalogue in that format,
``micrograd_nptel/exercises/catalogue/*.toml``, one file per lecture module (:func:`catalogue`, :func:`get`).

One schema: an ``[[exercise]]`` entry takes its numbers from exactly one of ``sizes`` (a network, with
``activation``/``output``/``loss``: the arguments of :func:`~.authoring.from_network`), ``expression`` (with
``at``/``ranges``: :func:`~.authoring.from_expression`) or ``world`` (a built-in one's, :data:`~.worlds.WORLDS`), and
every other key (:data:`KEYS`: ``name``, ``target``, ``given``, ``question``, ``reference``, ``asks``, ``shape``,
``hint``, ``accepts``, ... and the slips) means the same with each, so a teacher copies a built-in entry to start and
a network exercise says what a built-in one says. The slips are ``[[exercise.mistakes]]`` tables (``key``,
``formula``, ``message``; one key may come twice), or the shorthand ``[exercise.slips.KEY]`` (``formula``,
``message``: one message a key).
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, NamedTuple

from ..files import read_input_file
from .authoring import ANSWERS, check_formulas, from_expression, from_network, slip_records
from .check import Exercise
from .feedback import Mistake
from .formula import AnswerError, Context, call_name, canonical, container, read
from .grading import student_seed
from .worlds import WORLDS, ExpressionWorld, NetworkWorld

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 takes the backport (a conditional dependency in pyproject.toml)
    import tomli as tomllib

__all__ = ["KEYS", "MAX_EXERCISES", "MAX_FILE_BYTES", "SOURCES", "Key", "catalogue", "catalogue_files", "get", "load"]

MAX_FILE_BYTES = 1 * 2**20
"""The largest exercises file read, in bytes (1 MiB: hundreds of exercises)."""

MAX_EXERCISES = 500
"""The most exercises one file may hold (each is built and checked on three networks when the file is loaded)."""


# ---------------------------------------------------------------------- the one table of keys
SOURCES = {"sizes": "a network (sizes)", "expression": "an expression (expression)", "world": "a built-in world (world)"}
"""Where an entry's numbers come from: exactly one of these keys, and the words an error message uses for it."""

_ALL = tuple(SOURCES)


class Key(NamedTuple):
    """One key of an ``[[exercise]]`` entry: its TOML type, the sources of numbers it goes with, what it means.

    Attributes:
        kind: ``"string"``, ``"whole number"``, ``"true or false"``, ``"list"``, ``"list of strings"``, ``"table"``
            (as an error message names it).
        sources: the keys of :data:`SOURCES` whose entries may have it (another is a ValueError naming the key).
        meaning: what it means, the same with each of them.
        required: the sources whose entries must have it.
    """

    kind: str
    sources: tuple[str, ...]
    meaning: str
    required: tuple[str, ...] = ()


KEYS: dict[str, Key] = {
    "name": Key("string", _ALL, "the exercise's name (letters, digits, `.`, `-`, `_`), unique in the file", _ALL),
    "sizes": Key("list", ("sizes",), "the numbers come from a network of these sizes n_0, ..., k (`[2, 3, 2]`)", ("sizes",)),
    "activation": Key("string", ("sizes",), "g: `logistic` (the default), `tanh`, `relu` or `linear`"),
    "output": Key("string", ("sizes",), "O: `softmax` (the default) or `linear`"),
    "loss": Key("string", ("sizes",), "L: `cross_entropy` (with softmax) or `squared_error` (with linear)"),
    "expression": Key("string", ("expression",), "the numbers come from these named steps (`z = log(y1/y2); y1 = x**2; y2 = x**3`)"),
    "at": Key("table", ("expression",), "each input's value in the question (`{ x = 2.0 }`)", ("expression",)),
    "ranges": Key(
        "table", ("expression",), "where other seeds draw an input from (`{ x = [0.5, 3.0] }`; default: at's value times 0.5 to 1.5)"
    ),
    "world": Key("string", ("world",), "the numbers come from a built-in world: " + ", ".join(f"`{w}`" for w in WORLDS), ("world",)),
    "target": Key(
        "string", _ALL, "the quantity asked for (`grad_W_1`, `dL/dW_{2,1,3}`, `dz/dx`); a world's has one", ("sizes", "expression")
    ),
    "given": Key("list of strings", _ALL, "the names of the numbers the question shows, which an answer may use"),
    "question": Key("string", _ALL, "the question in text (default for sizes/expression: one naming them and the target)", ("world",)),
    "question_tex": Key("string", _ALL, "the question in Markdown with LaTeX (default: question)"),
    "title": Key("string", _ALL, "one line shown with the exercise"),
    "module": Key("string", _ALL, "its source in the lecture (`CS7015 Lecture 4, Module 4.7`)"),
    "notebook": Key("string", _ALL, "the notebook whose 'Your turn' it belongs to"),
    "seed": Key("whole number", _ALL, "the numbers (0, the default: the question's own; each student gets theirs)"),
    "answer": Key("string", _ALL, "`any` (a number or a formula, the default) or `number` (numbers only)"),
    "reference": Key("string", _ALL, "the lecture's formula for the answer, checked against the engine", ("world",)),
    "reference_tex": Key("string", _ALL, "the reference in LaTeX (default: from reference)"),
    "asks": Key("string", _ALL, "the quantity asked for, as the question writes it (default: the target's name)", ("world",)),
    "asks_tex": Key("string", _ALL, "asks in LaTeX"),
    "shape": Key("string", _ALL, "the answer's shape in words (`a 3 x 2 matrix (n_1 x n_0)`)", ("world",)),
    "hint": Key("string", _ALL, "the last line of a far-off answer's message"),
    "accepts": Key("list of strings", _ALL, "other correct ways to write the answer (display, LaTeX); each agrees with the engine"),
    "defined": Key("list of strings", _ALL, "names the question defines on the way, usable beside given"),
    "forbidden": Key("list of strings", _ALL, "functions an answer may not use (`g'` when g' is what is asked)"),
    "paths": Key("string", _ALL, "the scalar whose paths to the output are summed (`missing_paths`)"),
    "path_examples": Key("list of strings", _ALL, "formulas that sum some of the paths only"),
    "neighbours": Key(
        "true or false", ("sizes", "world"), "name `index_shift`: a neighbouring weight's or unit's gradient (a target with indices)"
    ),
    "asked": Key("string", _ALL, "the name refused in an answer as the quantity asked for (default: the target)"),
    "update": Key("string", ("world",), "the value before a gradient-descent step (`W_1` of world `update`)"),
    "mistakes": Key("list", _ALL, "the slips, tried in order: `[[exercise.mistakes]]` tables of key, formula (or a list), message"),
    "slips": Key("table", _ALL, "the shorthand for mistakes: `[exercise.slips.KEY]` tables of formula and message, one per key"),
}
"""Every key of an ``[[exercise]]`` entry, whichever of :data:`SOURCES` its numbers come from: a key means the same in
each source it goes with (``mistakes`` and ``slips`` are read into one list of slips, in the file's order). Each
meaning is one line of Markdown (the teachers' page prints the table)."""

_CHECK: dict[str, Callable[[object], bool]] = {
    "string": lambda v: isinstance(v, str),
    "whole number": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "true or false": lambda v: isinstance(v, bool),
    "list": lambda v: isinstance(v, list),
    "list of strings": lambda v: isinstance(v, list) and all(isinstance(s, str) for s in v),
    "table": lambda v: isinstance(v, dict),
}


def _source(entry: dict[str, Any], label: str) -> str:
    """The one key of :data:`SOURCES` the entry has; then every key is known, of its type and goes with that source."""
    for key, value in entry.items():
        if key not in KEYS:
            raise ValueError(f"{label}: unknown key {key!r}; the keys are {', '.join(KEYS)}")
        if not _CHECK[KEYS[key].kind](value):
            raise ValueError(f"{label}: key {key!r} must be a {KEYS[key].kind}, got {value!r}")
    given = [s for s in SOURCES if s in entry]
    if len(given) != 1:
        also = f"; this entry gives {' and '.join(given)}" if given else ""
        raise ValueError(f"{label}: give either sizes (a network), expression (an expression) or world (a built-in one's){also}")
    source = given[0]
    for key in entry:
        if source not in KEYS[key].sources:
            where = " or ".join(SOURCES[s] for s in KEYS[key].sources)
            raise ValueError(f"{label}: key {key!r} is for {where}, not for {SOURCES[source]}; remove it")
    for key, spec in KEYS.items():
        if source in spec.required and key not in entry:
            raise ValueError(f"{label}: the key {key!r} is missing")
    return source


def _slips_of(entry: dict[str, Any], label: str) -> list[Mistake]:
    """The entry's slips in the file's order: ``[[exercise.mistakes]]`` tables and the ``[exercise.slips.KEY]`` shorthand."""
    out: list[Mistake] = []
    for key, value in entry.items():
        if key == "slips":
            out += slip_records(value)
        elif key == "mistakes":
            for i, m in enumerate(value, 1):
                if not isinstance(m, dict) or set(m) != {"key", "formula", "message"}:
                    raise ValueError(f"{label}: mistake {i} must be a table with key, formula and message, got {m!r}")
                out += slip_records([m])
    return out


# ---------------------------------------------------------------------- a teacher's file
def load(path: str | os.PathLike[str], *, check: bool = True) -> list[Exercise]:
    """The exercises of a TOML file, each an ``[[exercise]]`` table read by the one table of keys :data:`KEYS`; its
    numbers come from ``sizes`` (a network), ``expression`` or ``world`` (a built-in exercise's)::

        [[exercise]]
        name = "hw3-tanh-W1"
        sizes = [2, 3, 2]
        activation = "tanh"
        loss = "cross_entropy"
        target = "grad_W_1"
        given = ["x", "a_1", "h_1", "W_2", "grad_a_2"]
        question = "Find the gradient of the loss with respect to W_1."
        hint = "g'(a_1) = 1 - h_1^2 for tanh."

        [[exercise.mistakes]]
        key = "no_g_prime"
        formula = "(W_2^T @ grad_a_2) @ x^T"
        message = "The g'(a_1) factor is missing."

    A built-in entry (``micrograd_nptel/exercises/catalogue/*.toml``, ``world = "figure"``: the figure's 3-3-3-2
    network) has the same keys, so a copied built-in entry is a start. ``[exercise.slips.no_g_prime]`` with
    ``formula`` and ``message`` is the shorthand of one ``[[exercise.mistakes]]`` table.

    Args:
        path: the file (checked before it is read: a regular file of at most :data:`MAX_FILE_BYTES`).
        check: check each entry on a built-in world by answering it with its own reference and checking its names and
            formulas (False: the packaged catalogue, which the tests check).

    Returns:
        The exercises in the file's order.

    Raises:
        FileNotFoundError: no file at ``path``.
        ValueError: not a regular file, too large, not UTF-8, not TOML (with the line) or nested too deeply, no
            ``[[exercise]]`` or more than :data:`MAX_EXERCISES`, an unknown or mistyped key, a key that means nothing for
            the entry's numbers (``activation`` with ``expression``), none or two of sizes / expression / world, two
            exercises of one name, or anything :func:`from_network` / :func:`from_expression` refuse; the message names
            the file, the exercise and the key.
    """
    name, raw = read_input_file(path, "exercises file", MAX_FILE_BYTES)
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ValueError(f"{name}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as e:
        raise ValueError(f"{name}: not TOML: {e}") from None
    except RecursionError:  # tomllib parses nested arrays and inline tables by recursion: 1,000 `[` exhaust it
        raise ValueError(f"{name}: arrays or inline tables nested too deeply to read (an exercises file nests a few levels)") from None
    unknown = set(data) - {"exercise"}
    if unknown:
        raise ValueError(f"{name}: unknown top-level key {sorted(unknown)[0]!r}; exercises are [[exercise]] tables")
    entries = data.get("exercise")
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"{name}: no [[exercise]] table")
    if len(entries) > MAX_EXERCISES:
        raise ValueError(f"{name} holds {len(entries)} exercises; at most {MAX_EXERCISES} are loaded from one file")
    out: list[Exercise] = []
    for i, entry in enumerate(entries, 1):
        ex = _entry(entry, f"{name}: exercise {i}", check)
        if any(e.name.lower() == ex.name.lower() for e in out):
            raise ValueError(f"{name}: exercise {i}: the name {ex.name!r} is used twice")
        out.append(ex)
    return out


def _entry(entry: dict[str, Any], where: str, check: bool = True) -> Exercise:
    """One ``[[exercise]]`` entry read by :data:`KEYS`: a network's or an expression's made by :func:`from_network` /
    :func:`from_expression`, a built-in world's by :func:`_world_entry`; each error names the file, the exercise, the key."""
    label = f"{where} ({entry['name']!r})" if isinstance(entry.get("name"), str) else where
    source = _source(entry, label)
    try:
        slips = _slips_of(entry, label)
        if source == "world":
            return _world_entry(entry, slips, label, check)
        args = {k: v for k, v in entry.items() if k not in ("name", "mistakes", "slips")}
        if slips:
            args["slips"] = slips
        if source == "sizes":
            return from_network(entry["name"], **args)
        return from_expression(entry["name"], args.pop("expression"), **args)
    except (ValueError, TypeError) as e:
        message = str(e)
        raise ValueError(message if message.startswith(label) else f"{label}: {message}") from None


def _world_entry(entry: dict[str, Any], mistakes: list[Mistake], label: str, check: bool) -> Exercise:
    """An entry on the numbers of a built-in world (``world = "figure"``, :data:`~micrograd_nptel.exercises.worlds.WORLDS`):
    the other keys are the :class:`~micrograd_nptel.exercises.Exercise` fields; ``check`` answers it with its reference
    and checks its names and formulas (:func:`~micrograd_nptel.exercises.authoring.check_formulas`)."""
    if entry["world"] not in WORLDS:
        raise ValueError(f"{label}: world {entry['world']!r} is not one of {', '.join(WORLDS)}")
    if entry.get("seed", 0) < 0:
        raise ValueError(f"{label}: key 'seed' must be a whole number >= 0 (0: the question's own numbers), got {entry['seed']}")
    if entry.get("answer", "any") not in ANSWERS:
        raise ValueError(f'{label}: key \'answer\' must be "any" (a number or a formula) or "number", got {entry["answer"]!r}')
    if check:  # a teacher's file: names as from_network reads them (grad_a_2 for dL/da_2)
        entry = {**entry, **_spelled(entry, WORLDS[entry["world"]])}
    skip = ("world", "mistakes", "slips")
    fields: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in entry.items() if k not in skip}
    try:
        fields["forbidden"] = frozenset(call_name(f) for f in fields.get("forbidden", ()))
    except AnswerError as e:
        raise ValueError(f"{label}: key 'forbidden': {e}") from None
    for key in ("module", "notebook", "title", "reference_tex"):
        fields.setdefault(key, "")
    fields.setdefault("question_tex", fields["question"])
    fields.setdefault("asks_tex", fields["asks"])  # ∂L/∂W_{2,2,3} reads in MathJax as it is
    world = WORLDS[entry["world"]]
    if isinstance(world, ExpressionWorld):
        fields.setdefault("target", world.target)  # dz/dx: what the expression asks
    if isinstance(world, NetworkWorld) and "target" in fields:  # the world lists the lecture's slips of what is asked
        world = replace(world, target=fields["target"])
    ex = Exercise(mistakes=tuple(mistakes), world=world, **fields)
    if check:
        _check_names(ex, entry, label)
        try:
            feedback = replace(ex, answer="any").check(ex.reference)  # a formula, also where students give numbers
        except (AnswerError, ValueError, KeyError) as e:
            raise ValueError(f"{label}: reference {ex.reference!r} cannot be checked: {e}") from None
        if not feedback.correct:
            raise ValueError(f"{label}: reference {ex.reference!r} is not the engine's {ex.asks}: {feedback.message.splitlines()[0]}")
        check_formulas(ex, [ex.context(w) for w in range(3)])
    return ex


def _spelled(entry: dict[str, Any], world: Callable[[int, int], Context]) -> dict[str, Any]:
    """The names of a world entry (``target``, ``update``, ``asked``, ``given``, ``defined``) in their canonical
    spelling, as :func:`from_network` reads a name: ``grad_a_2`` -> ``dL/da_2``, ``W_{3,1,2}`` -> ``W_3,1,2``; a name
    the world does not have is kept, for :func:`_check_names` to name."""
    ctx = world(entry.get("seed", 0), 0)

    def spell(name: str) -> str:
        try:
            key = canonical(name.strip(), ctx)
        except AnswerError:
            return name
        return key if key in ctx.values else name

    out: dict[str, Any] = {k: spell(entry[k]) for k in ("target", "update", "asked") if k in entry}
    out.update({k: [spell(n) for n in entry[k]] for k in ("given", "defined") if k in entry})
    return out


def _check_names(ex: Exercise, entry: dict[str, Any], label: str) -> None:
    """Every name of a catalogue-form entry is one of its world's, and every slip's formula reads there (so a typo is
    found when the file is loaded, not when a student's answer is checked)."""
    ctx = ex.context()
    names = sorted(n for n in ctx.values if not n.startswith("__") and container(n) == n)
    nodes: dict[str, object] = ctx.extra.get("nodes", {})  # type: ignore[assignment]
    for key in ("target", "update", "paths"):
        name = entry.get(key)
        if name is not None and name not in ctx.values and not (key == "paths" and name in nodes):
            raise ValueError(
                f"{label}: key {key!r} names {name!r}, which world {entry['world']!r} does not have; write one of {', '.join(names)}"
            )
    for key in ("given", "defined"):
        for name in entry.get(key, []):
            if name not in ctx.values:
                raise ValueError(
                    f"{label}: key {key!r} names {name!r}, which world {entry['world']!r} does not have; write one of {', '.join(names)}"
                )
    for i, m in enumerate(ex.mistakes, 1):
        for f in m.formulas:
            try:
                read(f, ctx)
            except AnswerError as e:
                raise ValueError(f"{label}: mistake {i} ({m.key!r}): key 'formula' {f!r} cannot be read: {e}; fix the formula") from None


def catalogue_files() -> list[Path]:
    """The built-in catalogue: ``micrograd_nptel/exercises/catalogue/*.toml``, one file per lecture module, in order."""
    folder = Path(__file__).resolve().parent / "catalogue"
    return sorted(folder.glob("*.toml"))


# ---------------------------------------------------------------------- the built-in catalogue
@functools.cache
def _builtin() -> tuple[Exercise, ...]:
    """The built-in exercises, in the lecture's order, read once (the tests check each against its reference)."""
    return tuple(e for path in catalogue_files() for e in load(path, check=False))


def catalogue(notebook: str | None = None) -> list[Exercise]:
    """Every exercise in the lecture's order (seed 0), or only those of one ``notebook`` (e.g. ``"05_hidden_units"``).

    Raises:
        ValueError: a ``notebook`` that has no exercise (the message lists those that have).
    """
    if notebook is None:
        return list(_builtin())
    found = [e for e in _builtin() if e.notebook == notebook or e.notebook.startswith(f"{notebook}_")]
    if not found:
        raise ValueError(f"no exercise for notebook {notebook!r}; notebooks: {', '.join(sorted({e.notebook for e in _builtin()}))}")
    return found


def get(name: str, seed: int = 0, *, student: str | None = None, file: str | os.PathLike[str] | None = None) -> Exercise:
    """The exercise called ``name`` (``"4.7-weight"``; case and a leading "BP1"/"bp1" do not matter), on the numbers of ``seed``.

    Args:
        name: the exercise's name (``micrograd-nptel exercise`` lists them).
        seed: its numbers (0: the notebooks' worked example).
        student: a student id instead of a seed: the numbers ``micrograd-nptel grade`` checks that
            student's answer on (:func:`~micrograd_nptel.exercises.grading.student_seed`).
        file: a teacher's TOML file of exercises (:func:`load`) to take it from, instead of the built-in ones.

    Raises:
        ValueError: an unknown name (the message lists the names), an empty ``student``, or both ``seed`` and
            ``student``; a ``file`` that :func:`load` refuses. TypeError/ValueError: a bad seed (see :meth:`Exercise.new`).
        FileNotFoundError: no ``file``.
    """
    if student is not None:
        if seed != 0:
            raise ValueError(f"give a seed or a student, not both (seed={seed!r}, student={student!r})")
        seed = student_seed(student)
    pool = _builtin() if file is None else load(file)
    for e in pool:
        if e.name.lower() == str(name).strip().lower():
            return e if seed == 0 else e.new(seed)
    where = "" if file is None else f" in {os.fspath(file)}"
    raise ValueError(f"no exercise called {name!r}{where}; the exercises are {', '.join(e.name for e in pool)}")
