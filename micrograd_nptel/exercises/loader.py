"""Exercises as data: the TOML format a teacher writes (:func:`load`), and the built-in catalogue in that format,
``micrograd_nptel/exercises/catalogue/*.toml``, one file per lecture module (:func:`catalogue`, :func:`get`).

An ``[[exercise]]`` entry has the arguments of :func:`~.authoring.from_network` (it has ``sizes``) or
:func:`~.authoring.from_expression` (it has ``expression``), or, as the built-in entries do, names the numbers of a
built-in world (``world = "figure"``, :data:`~.worlds.WORLDS`) and gives the :class:`~.check.Exercise` fields, so a
teacher copies one entry to start.
"""

from __future__ import annotations

import functools
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..files import read_input_file
from .authoring import ANSWERS, from_expression, from_network
from .check import Exercise
from .feedback import Mistake
from .formula import AnswerError, container, read
from .grading import student_seed
from .worlds import WORLDS, ExpressionWorld, NetworkWorld

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 takes the backport (a conditional dependency in pyproject.toml)
    import tomli as tomllib

__all__ = ["MAX_EXERCISES", "MAX_FILE_BYTES", "catalogue", "catalogue_files", "get", "load"]

MAX_FILE_BYTES = 1 * 2**20
"""The largest exercises file read, in bytes (1 MiB: hundreds of exercises)."""

MAX_EXERCISES = 500
"""The most exercises one file may hold (each is built and checked on three networks when the file is loaded)."""


# ---------------------------------------------------------------------- a teacher's file
_COMMON = {
    "name": str,
    "target": str,
    "given": list,
    "question": str,
    "question_tex": str,
    "slips": dict,
    "reference": str,
    "reference_tex": str,
    "title": str,
    "module": str,
    "notebook": str,
    "seed": int,
    "answer": str,
}
_NETWORK = {**_COMMON, "sizes": list, "activation": str, "output": str, "loss": str}
_EXPRESSION = {**_COMMON, "expression": str, "at": dict, "ranges": dict}


def load(path: str | os.PathLike[str], *, check: bool = True) -> list[Exercise]:
    """The exercises of a TOML file, each an ``[[exercise]]`` table with the arguments of :func:`from_network` (it has
    ``sizes``) or :func:`from_expression` (it has ``expression``)::

        [[exercise]]
        name = "hw3-tanh-W1"
        sizes = [2, 3, 2]
        activation = "tanh"
        loss = "cross_entropy"
        target = "grad_W_1"
        given = ["x", "a_1", "h_1", "W_2", "grad_a_2"]
        question = "Find the gradient of the loss with respect to W_1."

        [exercise.slips.no_g_prime]
        formula = "(W_2^T @ grad_a_2) @ x^T"
        message = "The g'(a_1) factor is missing."

    An entry may also be in the built-in catalogue's form (``micrograd_nptel/exercises/catalogue/*.toml``): ``world``
    names the numbers of a built-in exercise (``"figure"``: the figure's 3-3-3-2 network) and the other keys are the
    :class:`~micrograd_nptel.exercises.Exercise` fields, so a copied built-in entry is a start.

    Args:
        path: the file (checked before it is read: a regular file of at most :data:`MAX_FILE_BYTES`).
        check: check each entry in the built-in form by answering it with its own reference (False: the packaged
            catalogue, which the tests check).

    Returns:
        The exercises in the file's order.

    Raises:
        FileNotFoundError: no file at ``path``.
        ValueError: not a regular file, too large, not UTF-8, not TOML (with the line) or nested too deeply, no
            ``[[exercise]]`` or more than :data:`MAX_EXERCISES`, an unknown or mistyped key, two exercises of one name, or anything
            :func:`from_network` / :func:`from_expression` refuse; the message names the file, the exercise and the key.
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
    label = f"{where} ({entry['name']!r})" if isinstance(entry.get("name"), str) else where
    if "world" in entry:
        return _world_entry(entry, label, check)
    if ("sizes" in entry) == ("expression" in entry):
        raise ValueError(f"{label}: give either sizes (a network), expression (an expression) or world (a built-in one's)")
    keys = _NETWORK if "sizes" in entry else _EXPRESSION
    for key, value in entry.items():
        if key not in keys:
            raise ValueError(f"{label}: unknown key {key!r}; the keys are {', '.join(keys)}")
        kind = keys[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise ValueError(f"{label}: key {key!r} must be a {_KIND[kind]}, got {value!r}")
    for key in ("name", "target") + (("at",) if "expression" in entry else ()):
        if key not in entry:
            raise ValueError(f"{label}: the key {key!r} is missing")
    args = {k: v for k, v in entry.items() if k != "name"}
    try:
        if "sizes" in entry:
            return from_network(entry["name"], **args)
        return from_expression(entry["name"], args.pop("expression"), **args)
    except (ValueError, TypeError) as e:
        raise ValueError(f"{label}: {e}") from None


_KIND = {str: "string", list: "list", dict: "table", int: "whole number", bool: "true or false"}

_WORLD: dict[str, type] = {
    **{k: str for k in ("name", "world", "module", "notebook", "title", "question", "question_tex", "asks", "asks_tex")},
    **{k: str for k in ("shape", "reference", "reference_tex", "target", "paths", "asked", "update", "hint")},
    **{k: list for k in ("given", "forbidden", "path_examples", "defined", "accepts", "mistakes")},
    "neighbours": bool,
    "seed": int,
    "answer": str,
}
"""The keys of a catalogue entry on the numbers of a built-in world (``world = "figure"``): an Exercise's fields."""


def _world_entry(entry: dict[str, Any], label: str, check: bool) -> Exercise:
    """An entry in the built-in catalogue's form: ``world`` names the numbers (:data:`~micrograd_nptel.exercises.worlds.WORLDS`),
    every other key is a field of :class:`~micrograd_nptel.exercises.Exercise`, the slips an array ``[[exercise.mistakes]]``."""
    for key, value in entry.items():
        if key not in _WORLD:
            raise ValueError(f"{label}: unknown key {key!r}; the keys are {', '.join(_WORLD)}")
        kind = _WORLD[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise ValueError(f"{label}: key {key!r} must be a {_KIND[kind]}, got {value!r}")
        if isinstance(value, list) and key != "mistakes" and not all(isinstance(v, str) for v in value):
            raise ValueError(f"{label}: key {key!r} must be a list of strings, got {value!r}")
    missing = [k for k in ("name", "asks", "shape", "reference", "question") if k not in entry]
    if missing:
        raise ValueError(f"{label}: the key {missing[0]!r} is missing")
    if entry["world"] not in WORLDS:
        raise ValueError(f"{label}: world {entry['world']!r} is not one of {', '.join(WORLDS)}")
    if entry.get("seed", 0) < 0:
        raise ValueError(f"{label}: key 'seed' must be a whole number >= 0 (0: the question's own numbers), got {entry['seed']}")
    if entry.get("answer", "any") not in ANSWERS:
        raise ValueError(f'{label}: key \'answer\' must be "any" (a number or a formula) or "number", got {entry["answer"]!r}')
    fields: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in entry.items() if k not in ("world", "mistakes")}
    fields["forbidden"] = frozenset(fields.get("forbidden", ()))
    for key in ("module", "notebook", "title", "reference_tex"):
        fields.setdefault(key, "")
    fields.setdefault("question_tex", fields["question"])
    fields.setdefault("asks_tex", fields["asks"])  # ∂L/∂W_{2,2,3} reads in MathJax as it is
    mistakes = []
    for i, m in enumerate(entry.get("mistakes", []), 1):
        if not isinstance(m, dict) or set(m) != {"key", "formula", "message"}:
            raise ValueError(f"{label}: mistake {i} must be a table with key, formula and message, got {m!r}")
        formula = m["formula"]
        formulas = (formula,) if isinstance(formula, str) else tuple(formula) if isinstance(formula, list) else ()
        if not (formulas and all(isinstance(f, str) for f in formulas) and isinstance(m["key"], str) and isinstance(m["message"], str)):
            raise ValueError(f"{label}: mistake {i} needs a key, a formula (or a list of them) and a message, got {m!r}")
        mistakes.append(Mistake(m["key"], formulas, m["message"]))
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
    return ex


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
                f"{label}: key {key!r} names {name!r}, which world {entry['world']!r} does not have; "
                f"write one of {', '.join(names)} (their canonical spelling, e.g. 'dL/da_2' for grad_a_2)"
            )
    for key in ("given", "defined"):
        for name in entry.get(key, []):
            if name not in ctx.values:
                raise ValueError(
                    f"{label}: key {key!r} names {name!r}, which world {entry['world']!r} does not have; "
                    f"write one of {', '.join(names)} (their canonical spelling, e.g. 'dL/da_2' for grad_a_2)"
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
