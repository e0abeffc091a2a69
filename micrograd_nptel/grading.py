"""Grading a class, kept importable here; it lives in :mod:`micrograd_nptel.exercises.grading`."""

from .exercises.grading import (
    MAX_ANSWERS_BYTES,
    MAX_STUDENTS,
    STUDENT_SEEDS,
    Answer,
    AnswersFileError,
    Grade,
    grade,
    grade_file,
    read_answers,
    student_seed,
    summary,
    write_grades,
)

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
