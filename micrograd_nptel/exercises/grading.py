"""Grading a class: every student's answers, each on that student's own numbers, as one gradebook.

A gradebook (:func:`gradebook`, ``micrograd-nptel grade CLASS.csv -o GRADEBOOK.csv``) reads a class file with a
``student`` column and one column per exercise, headed by the exercise's name; every other column (a name, an
e-mail, a section) is kept as it was; one that looks like an exercise's name but names none (``4.7-weigth``, or a
teacher's ``hw3-toy`` graded without their file) is kept too, and :func:`unmatched_columns` names it with the closest
names (the command line warns of it on stderr). It gives one row per student: those columns, then for each exercise
its score (1 or 0) and a one-line feedback, then ``total``. :func:`write_gradebook` writes it as a file a spreadsheet opens
safely (UTF-8 with a byte-order mark; a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
and is not a number gets a leading ``'``, so it is shown, never run).

One exercise at a time, the answers are a CSV file with the columns ``student`` and ``answer`` (and,
optionally, ``seed``); :func:`grade_file` checks each answer with
:meth:`~micrograd_nptel.exercises.Exercise.check` on the student's numbers and returns one
:class:`Grade` per row; :func:`write_grades` writes them as ``student,seed,correct,mistake,message``
and :func:`summary` counts the mistakes. On the command line::

    micrograd-nptel grade answers.csv --exercise 4.7-weight -o grades.csv

Without a ``seed`` column each student's seed is :func:`student_seed` of their id: the same id
always gives the same numbers, so the question a student saw in their notebook
(``exercises.get("4.7-weight", student="cs21b042")``) is the one graded. An answer that cannot be
read is a row with the mistake ``unreadable`` (and the reader's message), and a student whose numbers cannot be
built is a row with the mistake ``no_numbers`` (and the reason): never the end of the class. A CSV file that is not
a table of answers is one :class:`AnswersFileError` naming the file and line.

``feedback="brief"`` (``grade --feedback brief``) writes the verdict and the slip's name and what it means, and no
number of the solution, so the grades can be handed back without handing out the answers.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import math
import os
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Literal, NamedTuple

from ..files import read_input_file, write_atomic
from .check import Exercise
from .feedback import MISTAKES
from .formula import AnswerError

__all__ = [
    "MAX_ANSWERS_BYTES",
    "MAX_STUDENTS",
    "STUDENT_SEEDS",
    "Answer",
    "AnswersFileError",
    "ClassFile",
    "ClassRow",
    "Grade",
    "Gradebook",
    "brief",
    "grade",
    "grade_file",
    "grade_one",
    "gradebook",
    "gradebook_csv",
    "one_line",
    "read_answers",
    "read_class",
    "safe_cell",
    "student_seed",
    "summary",
    "unmatched_columns",
    "write_gradebook",
    "write_grades",
]

FeedbackMode = Literal["full", "brief"]
"""``"full"``: the checker's message (with the numbers); ``"brief"``: the verdict and the slip's name only."""

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
    table = read_class(path, needed=("student", "answer"))
    at = table.columns.index("answer")
    return [Answer(row.student, row.cells[at], row.seed, row.line) for row in table.rows]


class ClassRow(NamedTuple):
    """One row of a class file: the ``student`` id (stripped), every ``cell`` as read, the ``seed`` (None: from the
    id) and its ``line`` in the file."""

    student: str
    cells: tuple[str, ...]
    seed: int | None
    line: int


class ClassFile(NamedTuple):
    """A class file as :func:`read_class` reads it: its ``name``, its ``header`` as written, the ``columns`` (stripped,
    lower case, for matching) and the ``rows``."""

    name: str
    header: tuple[str, ...]
    columns: tuple[str, ...]
    rows: tuple[ClassRow, ...]


def read_class(path: str | os.PathLike[str], needed: Sequence[str] = ("student",)) -> ClassFile:
    """Read a class file: a CSV header with a ``student`` column (and optionally ``seed``), one row per student.

    Read as :func:`read_answers` reads an answers file (the same checks, the same limits); every column is kept.

    Args:
        path: the CSV file.
        needed: the columns it must have (once each; matched without case or surrounding blanks).

    Returns:
        A :class:`ClassFile`.

    Raises:
        FileNotFoundError: no file at ``path``. AnswersFileError: as :func:`read_answers`.
    """
    name, raw = read_input_file(path, "answers file", MAX_ANSWERS_BYTES, AnswersFileError)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise AnswersFileError(f"answers file {name!r} is not UTF-8 text (line {line}); save it as CSV UTF-8") from None
    return _parse(text, name, needed)


def _parse(text: str, name: str, needed: Sequence[str]) -> ClassFile:
    first = text.split("\n", 1)[0]
    delimiter = next((d for d in (",", ";", "\t") if d in first), ",")  # Excel writes ';' where ',' is the decimal mark
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise AnswersFileError(f"answers file {name!r} is empty: it needs a header line 'student,answer'")
        columns = [c.strip().lower() for c in header]
        for column in needed:
            if columns.count(column) != 1:
                raise AnswersFileError(
                    f"answers file {name!r}: the header (line 1) needs one column {column!r}, got {', '.join(map(repr, header))}"
                )
        repeated = next((c for c in columns if c and columns.count(c) > 1), None)
        if repeated is not None:
            raise AnswersFileError(f"answers file {name!r}: the header (line 1) has the column {repeated!r} twice")
        at_student = columns.index("student")
        at_seed = columns.index("seed") if "seed" in columns else None
        rows: list[ClassRow] = []
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
            student = cells[at_student].strip()
            if not student:
                raise AnswersFileError(f"answers file {name!r}, line {line}: the student id is empty")
            if student in seen:
                raise AnswersFileError(f"answers file {name!r}, line {line}: student {student!r} already answered on line {seen[student]}")
            seen[student] = line
            seed = _seed(cells[at_seed], name, line) if at_seed is not None else None
            rows.append(ClassRow(student, tuple(cells), seed, line))
            if len(rows) > MAX_STUDENTS:
                raise AnswersFileError(f"answers file {name!r} has more than {MAX_STUDENTS:,} rows")
    except csv.Error as e:
        raise AnswersFileError(f"answers file {name!r}, line {reader.line_num}: not CSV ({e})") from None
    if not rows:
        raise AnswersFileError(f"answers file {name!r} has a header but no answer")
    return ClassFile(name, tuple(header), tuple(columns), tuple(rows))


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
def _feedback_mode(feedback: object) -> FeedbackMode:
    if feedback not in ("full", "brief"):
        raise ValueError(f"feedback must be 'full' or 'brief', got {feedback!r}")
    return feedback


def grade_one(exercise: Exercise, student: str, answer: str, seed: int | None = None, feedback: FeedbackMode = "full") -> Grade:
    """One student's answer, checked on their numbers (``exercise.new(seed)``, the seed from the id when None).

    Returns:
        A :class:`Grade`; an answer that cannot be read has the mistake ``"unreadable"`` (the reader's message), a
        student whose numbers cannot be built ``"no_numbers"`` (the reason): neither raises. With ``feedback="brief"``
        the message is :func:`brief`'s (no number of the solution).

    Raises:
        ValueError: ``feedback`` is neither ``"full"`` nor ``"brief"``.
    """
    mode = _feedback_mode(feedback)
    seed = seed if seed is not None else student_seed(student)
    try:
        result = exercise.new(seed).check(answer)
    except AnswerError as e:
        g = Grade(student, seed, False, "unreadable", str(e))
    except (ValueError, ArithmeticError) as e:  # the student's numbers: a world that cannot be built on this seed
        g = Grade(student, seed, False, "no_numbers", f"no numbers for seed {seed}: {one_line(str(e))}")
    else:
        g = Grade(student, seed, result.correct, result.mistake, result.message)
    return g._replace(message=brief(g)) if mode == "brief" else g


def grade(exercise: Exercise, answers: Sequence[Answer], feedback: FeedbackMode = "full") -> list[Grade]:
    """Check every answer on its student's numbers (``exercise.new(seed)``).

    Args:
        exercise: the exercise (any seed: each student gets their own).
        answers: the rows, as :func:`read_answers` gives them.
        feedback: ``"full"`` (the checker's message, with the numbers) or ``"brief"`` (:func:`brief`: the verdict
            and the slip's name, no number of the solution).

    Returns:
        One :class:`Grade` per answer, in order; an answer that cannot be read (an
        :class:`~micrograd_nptel.exercises.formula.AnswerError`) is a Grade with the mistake ``"unreadable"``, a
        student whose numbers cannot be built one with ``"no_numbers"`` and the reason.

    Raises:
        ValueError: ``feedback`` is neither ``"full"`` nor ``"brief"``.
    """
    mode = _feedback_mode(feedback)
    return [grade_one(exercise, row.student, row.answer, row.seed, mode) for row in answers]


def grade_file(exercise: Exercise, path: str | os.PathLike[str], feedback: FeedbackMode = "full") -> list[Grade]:
    """:func:`read_answers` then :func:`grade`. Raises as :func:`read_answers` does."""
    return grade(exercise, read_answers(path), feedback)


def _count(n: int, word: str) -> str:
    """``"1 student"``, ``"2 students"``: a count with its noun in the singular or the plural."""
    return f"{n} {word}" + ("" if n == 1 else "s")


def one_line(message: str) -> str:
    """A feedback message on one line: its lines joined with `` | `` and runs of blanks made one."""
    return " | ".join(re.sub(r"\s+", " ", line).strip() for line in message.splitlines() if line.strip())


_VERDICTS = {
    "unreadable": "unreadable",
    "no_numbers": "no numbers",
    "rounding": "correct to rounding",
    "placeholder": "no answer",
    "no_answer": "no answer",
}


def brief(g: Grade) -> str:
    """The verdict and the slip without any number of the solution: ``"not yet [sign]: a wrong sign: of the whole
    answer, ..."`` (the slip's meaning from :data:`~micrograd_nptel.exercises.feedback.MISTAKES`; a teacher's slip
    by its name alone), ``"correct"``, ``"unreadable: <what the reader says of the student's own text>"``."""
    if g.mistake in ("unreadable", "no_numbers"):
        return f"{_VERDICTS[g.mistake]}: {one_line(g.message)}"
    verdict = _VERDICTS.get(g.mistake or "", "correct" if g.correct else "not yet")
    if g.mistake is None or g.mistake in ("rounding", "placeholder", "no_answer"):
        return verdict
    meaning = MISTAKES.get(g.mistake)
    return f"{verdict} [{g.mistake}]" + (f": {meaning}" if meaning else "")


def grades_csv(grades: Sequence[Grade]) -> str:
    """The grades as CSV text: ``student,seed,correct,mistake,message`` (``correct`` is 1 or 0; no mistake is an
    empty cell; every cell made safe by :func:`safe_cell`)."""
    return _csv([list(COLUMNS), *([g.student, g.seed, int(g.correct), g.mistake or "", g.message] for g in grades)])


def write_grades(path: str | os.PathLike[str], grades: Sequence[Grade]) -> None:
    """Write :func:`grades_csv` to ``path`` (UTF-8 with a byte-order mark, so Excel reads it as UTF-8; atomically: an
    interrupted write leaves the old file whole).

    Raises:
        ValueError: ``path`` cannot be written (see :func:`~micrograd_nptel.files.check_output_file`).
    """
    write_atomic(path, "\ufeff" + grades_csv(grades), "grades file")


def summary(grades: Sequence[Grade]) -> str:
    """Counts for the teacher: the share correct, then each mistake with how many answers it explains, most common first.

    ``rounding`` answers count as correct (and are listed); answers wrong with no slip named are "not diagnosed".
    """
    n = len(grades)
    if n == 0:
        return "no answers"
    correct = sum(g.correct for g in grades)
    lines = [f"{_count(n, 'answer')}: {correct} correct ({100 * correct / n:.1f}%), {n - correct} not yet"]
    counts = Counter(g.mistake or ("" if g.correct else "not diagnosed") for g in grades)
    counts.pop("", None)
    width = max((len(k) for k in counts), default=0)
    for key, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        note = " (counted correct)" if key == "rounding" else ""
        lines.append(f"  {key:<{width}}  {count:>5}  {100 * count / n:5.1f}%{note}")
    return "\n".join(lines)


# ---------------------------------------------------------------------- safe cells
_NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")


def safe_cell(value: object) -> str:
    """A cell as a spreadsheet shows it and never runs it: text that starts with ``=``, ``+``, ``-``, ``@``, a tab or
    a carriage return gets a leading ``'`` (OWASP's advice on CSV injection; Excel and LibreOffice hide it), a
    number (``-0.5``, ``1e-3``) is left as it is.

    Args:
        value: a str, int or float (a bool is written 1 or 0).

    Returns:
        The cell's text.
    """
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, float) and not math.isfinite(value) else str(value)
    text = str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def _csv(rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")  # RFC 4180's line end, as Excel writes it
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return buffer.getvalue()


# ---------------------------------------------------------------------- the gradebook
class Gradebook(list[dict[str, object]]):
    """One dict per student (a list, so ``pandas.DataFrame(book)`` is the table): the class file's other columns as
    read (str), then for each exercise ``NAME`` (the score, 1 or 0) and ``"NAME feedback"`` (one line), then ``total``.

    Attributes:
        exercises: the exercises graded, in the columns' order.
        grades: ``{exercise name: [Grade per student]}``, for :meth:`summary`.
        columns: the columns, in order.
        unmatched: the class file's columns that look like an exercise's name but name none, each with the closest
            names (:func:`unmatched_columns`): kept as other columns, not graded.
    """

    def __init__(
        self,
        rows: Iterable[dict[str, object]],
        exercises: Sequence[Exercise],
        grades: Mapping[str, list[Grade]],
        columns: Sequence[str],
        unmatched: Sequence[tuple[str, tuple[str, ...]]] = (),
    ):
        super().__init__(rows)
        self.exercises = tuple(exercises)
        self.grades = dict(grades)
        self.columns = tuple(columns)
        self.unmatched = tuple(unmatched)

    def summary(self, top: int = 3) -> str:
        """For each exercise: the share correct and the ``top`` slips that explain the most answers (one line each)."""
        lines = [f"{_count(len(self), 'student')}, {_count(len(self.exercises), 'exercise')}"]
        for ex in self.exercises:
            rows = self.grades[ex.name]
            n = len(rows)
            correct = sum(g.correct for g in rows)
            counts = Counter(g.mistake or "not diagnosed" for g in rows if not g.correct)
            slips = ", ".join(f"{k} {c}" for k, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top])
            lines.append(f"  {ex.name}: {correct}/{n} correct ({100 * correct / n:.1f}%)" + (f"; {slips}" if slips else ""))
        return "\n".join(lines)


_EXERCISE_SHAPED = re.compile(r"[a-z]*\d+(\.\d+)*[-_][a-z]")
"""The start of a name shaped like the catalogue's (``4.7-weight``, ``bp1-chain``) or a teacher's (``hw3-toy``)."""

LOOKS_CLOSE = 0.7
"""How close (difflib's ratio, 0 to 1) a column's header must be to an exercise's name to be taken for a misspelling
of it: ``4.7-weigth`` is 0.90 from ``4.7-weight``, ``output`` 0.75 from ``4.5-output``; ``section`` is 0.50 from the
nearest name, ``name`` and ``email`` 0.29."""


def unmatched_columns(header: Sequence[str], names: Iterable[str]) -> list[tuple[str, tuple[str, ...]]]:
    """The columns of a class file that look like an exercise's name but name none of ``names``: a misspelt name
    (``4.7-weigth``) or a teacher's exercise whose file was not given (``hw3-toy``), which would be kept ungraded.

    A column looks like an exercise's name when its header (stripped, lower case) starts like the catalogue's names,
    digits then ``-`` or ``_`` and a letter (``4.7-...``, ``bp1-...``, ``hw3_...``), or is at least :data:`LOOKS_CLOSE`
    similar to a name (``4.7 weight``, ``softmax``). ``student``, ``seed``, an empty header, a name itself and a
    gradebook's own ``NAME feedback`` and ``total`` columns never are; neither are a class list's other columns
    (``name``, ``email``, ``section``, ``roll no``, ``timestamp``).

    Args:
        header: the columns as written (e.g. :attr:`ClassFile.header`).
        names: the exercises' names.

    Returns:
        ``(column as written, up to 3 closest names)`` per such column, in the file's order; no close name (an empty
        tuple) when none is at least 0.6 similar (difflib's default).
    """
    by_lower: dict[str, str] = {}
    for name in names:
        by_lower.setdefault(name.strip().lower(), name)
    own = {"student", "seed", "total", "", *by_lower, *(f"{n} feedback" for n in by_lower)}
    found = []
    for written in header:
        column = written.strip().lower()
        if column in own:
            continue
        shaped = _EXERCISE_SHAPED.match(column) is not None
        if shaped or difflib.get_close_matches(column, by_lower, 1, LOOKS_CLOSE):
            close = tuple(by_lower[n] for n in difflib.get_close_matches(column, by_lower, 3))
            found.append((written.strip(), close))
    return found


def _unmatched_text(unmatched: Sequence[tuple[str, tuple[str, ...]]]) -> str:
    teachers = "looks like an exercise's name (a teacher's exercises: --file)"
    return "; ".join(f"{column!r} is close to {', '.join(close)}" if close else f"{column!r} {teachers}" for column, close in unmatched)


def gradebook(
    answers: str | os.PathLike[str] | ClassFile,
    exercises: Iterable[Exercise] | None = None,
    *,
    feedback: FeedbackMode = "full",
) -> Gradebook:
    """Grade a class file: one row per student, one score and one feedback per exercise, the total.

    Every column headed by an exercise's name (case and blanks around it do not matter) holds that exercise's
    answers; ``student`` and every other column are kept as they were. An empty answer scores 0 with "no answer" (the
    mistake ``no_answer`` in :attr:`Gradebook.grades`).

    Args:
        answers: the class file (a path, or a :class:`ClassFile` from :func:`read_class`).
        exercises: the exercises the columns may name (default: the built-in catalogue); a teacher's first when
            both have a name.
        feedback: ``"full"`` or ``"brief"`` (see :func:`brief`).

    A column that looks like an exercise's name but names none (:func:`unmatched_columns`: ``4.7-weigth``, or a
    teacher's ``hw3-toy`` without their file) is kept as it was and listed in :attr:`Gradebook.unmatched`, with the
    closest names; ``micrograd-nptel grade`` warns of each on stderr.

    Returns:
        A :class:`Gradebook` (a list of dicts).

    Raises:
        FileNotFoundError, AnswersFileError: as :func:`read_class`. ValueError: no column names an exercise (the
            message lists the columns, the exercises and the columns that look like a misspelt name, with the
            closest), or a bad ``feedback``.
    """
    mode = _feedback_mode(feedback)
    table = answers if isinstance(answers, ClassFile) else read_class(answers)
    if exercises is None:
        from .loader import catalogue

        exercises = catalogue()
    pool: dict[str, Exercise] = {}
    for ex in exercises:
        pool.setdefault(ex.name.lower(), ex)
    graded = [(i, pool[c]) for i, c in enumerate(table.columns) if c in pool]
    unmatched = unmatched_columns(table.header, [e.name for e in pool.values()])
    if not graded:
        kept = ", ".join(repr(h) for h in table.header)
        close = f"; {_unmatched_text(unmatched)}" if unmatched else ""
        raise AnswersFileError(
            f"answers file {table.name!r}: no column is headed by an exercise's name (the columns: {kept}; "
            f"the exercises: {', '.join(e.name for e in pool.values())}){close}"
        )
    skip = {i for i, _ in graded}
    kept_columns = [(i, h.strip()) for i, h in enumerate(table.header) if i not in skip]
    columns = [h for _, h in kept_columns]
    for _, ex in graded:
        columns += [ex.name, f"{ex.name} feedback"]
    columns.append("total")
    grades: dict[str, list[Grade]] = {ex.name: [] for _, ex in graded}
    rows = []
    for row in table.rows:
        out: dict[str, object] = {h: row.cells[i] for i, h in kept_columns}
        total = 0
        for i, ex in graded:
            text = row.cells[i]
            if text.strip():
                g = grade_one(ex, row.student, text, row.seed)
            else:
                seed = row.seed if row.seed is not None else student_seed(row.student)
                g = Grade(row.student, seed, False, "no_answer", "no answer")
            grades[ex.name].append(g)
            out[ex.name] = int(g.correct)
            out[f"{ex.name} feedback"] = brief(g) if mode == "brief" or g.mistake == "no_answer" else _full(g)
            total += int(g.correct)
        out["total"] = total
        rows.append(out)
    return Gradebook(rows, [ex for _, ex in graded], grades, columns, unmatched)


def _full(g: Grade) -> str:
    """The full feedback on one line, after the verdict and the slip's key."""
    head = brief(g).split(":", 1)[0] if g.mistake not in ("unreadable", "no_numbers") else _VERDICTS[g.mistake]
    return f"{head}: {one_line(g.message)}"


def gradebook_csv(book: Gradebook) -> str:
    """The gradebook as CSV text (its :attr:`Gradebook.columns`; every cell made safe by :func:`safe_cell`)."""
    return _csv([list(book.columns), *([row.get(c, "") for c in book.columns] for row in book)])


def write_gradebook(path: str | os.PathLike[str], book: Gradebook) -> None:
    """Write :func:`gradebook_csv` to ``path``: UTF-8 with a byte-order mark (Excel then reads it as UTF-8; LibreOffice
    and Python's ``encoding="utf-8-sig"`` too), CRLF line ends, atomically.

    Raises:
        ValueError: ``path`` cannot be written (see :func:`~micrograd_nptel.files.check_output_file`).
    """
    write_atomic(path, "\ufeff" + gradebook_csv(book), "gradebook")
