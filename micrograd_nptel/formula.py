# The answer grammar of the exercises, kept importable here (``from micrograd_nptel.formula import read``, and
# ``help(micrograd_nptel.formula)`` shows the grammar, as an exercise's question says); it lives in
# micrograd_nptel/exercises/formula.py.
from .exercises import formula as _grammar
from .exercises.formula import (
    FUNCTION_NAMES,
    MAX_ENTRIES,
    MAX_LENGTH,
    MAX_SIDE,
    AnswerError,
    Array,
    Context,
    Formula,
    ShapeMismatch,
    as_array,
    canonical,
    container,
    display,
    evaluate,
    pretty,
    pretty_tex,
    read,
    shape_text,
)

__doc__ = _grammar.__doc__

__all__ = [
    "FUNCTION_NAMES",
    "MAX_ENTRIES",
    "MAX_LENGTH",
    "MAX_SIDE",
    "AnswerError",
    "Array",
    "Context",
    "Formula",
    "ShapeMismatch",
    "as_array",
    "canonical",
    "container",
    "display",
    "evaluate",
    "pretty",
    "pretty_tex",
    "read",
    "shape_text",
]
