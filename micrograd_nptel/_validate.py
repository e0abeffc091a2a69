"""Checks shared by the package's modules: a number is a finite real (the one rule every op applies)."""

from __future__ import annotations

import math
import numbers


def check_number(x: object, what: str) -> float:
    """Return ``x`` as a finite float, or raise a clear ``TypeError``/``ValueError`` naming it.

    Accepts ``int``, ``float`` and other real numbers (``numpy.float64``,
    ``fractions.Fraction``); rejects ``bool``, ``str``, ``None``, ``complex`` and
    containers with a ``TypeError`` naming the value, and NaN or ±inf with a
    ``ValueError``.

    Args:
        x: the value to check.
        what: how the message names it (e.g. ``"Value data"``).

    Raises:
        TypeError: ``x`` is not a real number (or is a bool).
        ValueError: ``x`` is NaN, infinite, or an integer too large for a float.
    """
    if type(x) is float:
        f = x
    elif (type(x) is int or isinstance(x, numbers.Real)) and not isinstance(x, bool) and type(x).__name__ != "bool_":
        try:
            f = float(x)
        except OverflowError:
            raise ValueError(
                f"{what} is too large for a float (|x| must be below 1.8e308), got an integer of {len(str(x))} digits"
            ) from None
    else:
        raise TypeError(f"{what} must be a real number (int or float), got {x!r} of type {type(x).__name__}")
    if not math.isfinite(f):
        raise ValueError(f"{what} must be finite, got {f!r}")
    return f
