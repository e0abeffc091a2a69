"""Grading a class: every student's answer to one exercise, on that student's own numbers.

A teacher collects the answers in a CSV file with the columns ``student`` and ``answer`` (and,
optionally, ``seed``); :func:`grade_file` checks each answer with
:meth:`~micrograd_nptel.exercises.Exercise.check` on the student's numbers and returns one
:class:`Grade` per row; :func:`write_grades` writes them as ``student,seed,correct,mistake,message``
and :func:`summary` counts the mistakes. On the command line::

    micrograd-nptel grade answers.csv --exercise 4.7-weight -o grades.csv

Without a ``seed`` column each student's seed is :func:`student_seed` of their id: the same id
always gives the same numbers, so the question a student saw in their notebook
(``exercises.get("4.7-weight", student="cs21b042")``) is the one graded. An answer that cannot be
read is a row with the mistake ``unreadable`` (and the reader's message), never an error; a CSV
file that is not a table of answers is one :class:`AnswersFileError` naming the file and line.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
from collections import Counter
from collections.abc import Sequence
from typing import NamedTuple

from ..files import read_input_file, write_atomic
from .check import Exercise
from .formula import AnswerError

__all__ = [
    "MAX_ANSWERS_BYTES",
    "MAX_STUDENTS",
    "STUDENT_SEEDS",
    "Answer",
    "AnswersFileError",
    "Grade",
    "grade",
    "grade_file",
    "read_answers",
    "student_seed",
    "summary",
    "write_grades",
]

MAX_ANSWERS_BYTES = 16 * 2**20
"""The largest answers file read, in bytes (16 MiB: 5,000 students with answers of 3,000 characters)."""

MAX_STUDENTS = 20_000
"""The most rows an answers file may have."""

STUDENT_SEEDS = 1_000_000
"""A student's seed is in ``1 .. STUDENT_SEEDS - 1`` (seed 0 is the notebooks' worked example)."""

MAX_FIELD = 10_000
"""The longest cell read, in characters (a formula is at most 2,000; longer is a malformed file)."""

COLUMNS = ("student", "seed", "correct", "mistake", "message")
"""The columns :func:`write_grades` writes, in order."""


class AnswersFileError(ValueError):
    """An answers file that is not a table of answers: the message names the file, the line and what was expected."""


class Answer(NamedTuple):
    """One row of an answers file: the ``student`` id, the ``answer`` text, the ``seed`` (None: derived from the id) and its ``line``."""

    student: str
    answer: str
    seed: int | None
    line: int


class Grade(NamedTuple):
    """One student's result: ``correct`` (True also for correct to rounding), ``mistake`` (a key of
    :data:`~micrograd_nptel.exercises.feedback.MISTAKES`, a teacher's slip name, ``"unreadable"``, or None), and the ``message``."""

    student: str
    seed: int
    correct: bool
    mistake: str | None
    message: str


def student_seed(student: str) -> int:
    """The seed of a student's numbers, from their id: the same id always gives the same seed, on every machine.

    The id is stripped of surrounding blanks; its SHA-256 is reduced to ``1 .. STUDENT_SEEDS - 1`` (never 0,
    the notebooks' example, which every student has already seen worked).

    Args:
        student: the student's id as in the answers file, e.g. ``"cs21b042"``.

    Returns:
        An int seed for :meth:`~micrograd_nptel.exercises.Exercise.new`.

    Raises:
        TypeError: ``student`` is not a str. ValueError: it is empty or blank.
    """
    if not isinstance(student, str):
        raise TypeError(f"a student id must be a str, got {student!r} of type {type(student).__name__}")
    key = student.strip()
    if not key:
        raise ValueError("a student id must not be empty")
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return 1 + int.from_bytes(digest[:8], "big") % (STUDENT_SEEDS - 1)


# ---------------------------------------------------------------------- reading
def read_answers(path: str | os.PathLike[str]) -> list[Answer]:
    """Read an answers CSV file: a header with ``student`` and ``answer`` (and optionally ``seed``), one row per student.

    The file is checked before it is read (a regular file of at most :data:`MAX_ANSWERS_BYTES`); it is UTF-8 (a
    byte-order mark, as Excel writes it, is allowed). The cells are separated by commas, or by semicolons or tabs
    when the header line has no comma. Other columns (a name, an e-mail) are ignored. Blank lines are skipped.

    Args:
        path: the CSV file.

    Returns:
        The rows in the file's order.

    Raises:
        FileNotFoundError: no file at ``path``.
        AnswersFileError (a ValueError): not a regular file, too large, not UTF-8, not CSV, no ``student`` or
            ``answer`` column, a row with a missing or extra cell, an empty or repeated student id, a ``seed``
            that is not an integer in ``0 .. 2**31 - 1``, more than :data:`MAX_STUDENTS` rows, or no row at all.
    """
    name, raw = read_input_file(path, "answers file", MAX_ANSWERS_BYTES, AnswersFileError)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise AnswersFileError(f"answers file {name!r} is not UTF-8 text (line {line}); save it as CSV UTF-8") from None
    return _parse(text, name)


def _parse(text: str, name: str) -> list[Answer]:
    first = text.split("\n", 1)[0]
    delimiter = next((d for d in (",", ";", "\t") if d in first), ",")  # Excel writes ';' where ',' is the decimal mark
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise AnswersFileError(f"answers file {name!r} is empty: it needs a header line 'student,answer'")
        columns = [c.strip().lower() for c in header]
        for needed in ("student", "answer"):
            if columns.count(needed) != 1:
                raise AnswersFileError(
                    f"answers file {name!r}: the header (line 1) needs one column {needed!r}, got {', '.join(map(repr, header))}"
                )
        if columns.count("seed") > 1:
            raise AnswersFileError(f"answers file {name!r}: the header (line 1) has the column 'seed' twice")
        at = {c: columns.index(c) for c in ("student", "answer", "seed") if c in columns}
        rows: list[Answer] = []
        seen: dict[str, int] = {}
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                raise AnswersFileError(
                    f"answers file {name!r}, line {line}: {len(cells)} cells where the header has {len(header)} "
                    '(quote an answer that holds a comma: "[0.1, -0.2]")'
                )
            if any(len(c) > MAX_FIELD for c in cells):
                raise AnswersFileError(f"answers file {name!r}, line {line}: a cell longer than {MAX_FIELD:,} characters")
            student = cells[at["student"]].strip()
            if not student:
                raise AnswersFileError(f"answers file {name!r}, line {line}: the student id is empty")
            if student in seen:
                raise AnswersFileError(f"answers file {name!r}, line {line}: student {student!r} already answered on line {seen[student]}")
            seen[student] = line
            seed = _seed(cells[at["seed"]], name, line) if "seed" in at else None
            rows.append(Answer(student, cells[at["answer"]], seed, line))
            if len(rows) > MAX_STUDENTS:
                raise AnswersFileError(f"answers file {name!r} has more than {MAX_STUDENTS:,} rows")
    except csv.Error as e:
        raise AnswersFileError(f"answers file {name!r}, line {reader.line_num}: not CSV ({e})") from None
    if not rows:
        raise AnswersFileError(f"answers file {name!r} has a header but no answer")
    return rows


def _seed(text: str, name: str, line: int) -> int | None:
    text = text.strip()
    if not text:
        return None  # this row's seed is derived from the student id
    try:
        seed = int(text)
    except ValueError:
        raise AnswersFileError(f"answers file {name!r}, line {line}: seed {text!r} is not a whole number") from None
    if not 0 <= seed < 2**31:
        raise AnswersFileError(f"answers file {name!r}, line {line}: seed {seed} is not in 0 .. 2**31 - 1")
    return seed


# ---------------------------------------------------------------------- grading
def grade(exercise: Exercise, answers: Sequence[Answer]) -> list[Grade]:
    """Check every answer on its student's numbers (``exercise.new(seed)``).

    Args:
        exercise: the exercise (any seed: each student gets their own).
        answers: the rows, as :func:`read_answers` gives them.

    Returns:
        One :class:`Grade` per answer, in order; an answer that cannot be read (an
        :class:`~micrograd_nptel.exercises.formula.AnswerError`) is a Grade with the mistake ``"unreadable"``.
    """
    out = []
    for row in answers:
        seed = row.seed if row.seed is not None else student_seed(row.student)
        ex = exercise.new(seed)
        try:
            feedback = ex.check(row.answer)
        except AnswerError as e:
            out.append(Grade(row.student, seed, False, "unreadable", str(e)))
            continue
        out.append(Grade(row.student, seed, feedback.correct, feedback.mistake, feedback.message))
    return out


def grade_file(exercise: Exercise, path: str | os.PathLike[str]) -> list[Grade]:
    """:func:`read_answers` then :func:`grade`. Raises as :func:`read_answers` does."""
    return grade(exercise, read_answers(path))


def grades_csv(grades: Sequence[Grade]) -> str:
    """The grades as CSV text: ``student,seed,correct,mistake,message`` (``correct`` is 1 or 0; no mistake is an empty cell)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for g in grades:
        writer.writerow([g.student, g.seed, int(g.correct), g.mistake or "", g.message])
    return buffer.getvalue()


def write_grades(path: str | os.PathLike[str], grades: Sequence[Grade]) -> None:
    """Write :func:`grades_csv` to ``path`` (UTF-8, atomically: an interrupted write leaves the old file whole).

    Raises:
        ValueError: ``path`` cannot be written (see :func:`~micrograd_nptel.files.check_output_file`).
    """
    write_atomic(path, grades_csv(grades), "grades file")


def summary(grades: Sequence[Grade]) -> str:
    """Counts for the teacher: the share correct, then each mistake with how many answers it explains, most common first.

    ``rounding`` answers count as correct (and are listed); answers wrong with no slip named are "not diagnosed".
    """
    n = len(grades)
    if n == 0:
        return "no answers"
    correct = sum(g.correct for g in grades)
    lines = [f"{n} answers: {correct} correct ({100 * correct / n:.1f}%), {n - correct} not yet"]
    counts = Counter(g.mistake or ("" if g.correct else "not diagnosed") for g in grades)
    counts.pop("", None)
    width = max((len(k) for k in counts), default=0)
    for key, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        note = " (counted correct)" if key == "rounding" else ""
        lines.append(f"  {key:<{width}}  {count:>5}  {100 * count / n:5.1f}%{note}")
    return "\n".join(lines)
