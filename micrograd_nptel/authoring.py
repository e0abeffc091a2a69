"""A teacher's own exercises, kept importable here; they live in :mod:`micrograd_nptel.exercises.authoring`
(:func:`from_network`, :func:`from_expression`) and :mod:`micrograd_nptel.exercises.loader` (:func:`load`)."""

from .exercises.authoring import from_expression, from_network
from .exercises.loader import MAX_EXERCISES, MAX_FILE_BYTES, catalogue_files, load

__all__ = ["MAX_EXERCISES", "MAX_FILE_BYTES", "catalogue_files", "from_expression", "from_network", "load"]
