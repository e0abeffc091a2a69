"""Checks shared by the package's modules: a number is a finite real (the one rule every op applies), a size is a
positive int, a seed is an int or a ``random.Random``."""

from __future__ import annotations

import math
import numbers
import random


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
                f"{what} is too large for a float (|x| must be below 1.8e308), got an integer of {_digits(x)} digits"
            ) from None
    else:
        raise TypeError(f"{what} must be a real number (int or float), got {x!r} of type {type(x).__name__}")
    if not math.isfinite(f):
        raise ValueError(f"{what} must be finite, got {f!r}")
    return f


def positive_int(n: object, what: str) -> int:
    """Return ``n`` as an int >= 1 (a layer size, ``epochs``, ``batch_size``), or raise an error naming ``what``.

    Accepts ``int`` and other integers (``numpy.int64``); rejects ``bool`` and ``numpy.bool_``.

    Raises:
        TypeError: ``n`` is not an integer (or is a bool), e.g. ``2.0``.
        ValueError: ``n`` < 1.
    """
    if isinstance(n, bool) or type(n).__name__ == "bool_" or not isinstance(n, numbers.Integral):
        raise TypeError(f"{what} must be a positive int, got {n!r} of type {type(n).__name__}")
    if n < 1:
        raise ValueError(f"{what} must be a positive int, got {n!r}")
    return int(n)


def as_rng(seed: int | random.Random) -> random.Random:
    """The generator for a seed: ``seed`` itself if it is a ``random.Random`` (so layers built in turn continue one
    stream of draws, CS7015 Lecture 4's initialisation layer by layer), else a new ``random.Random(seed)``.

    Raises:
        TypeError: ``seed`` is neither an integer (bools refused) nor a ``random.Random``.
    """
    if isinstance(seed, random.Random):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be an int or a random.Random, got {seed!r}")
    return random.Random(int(seed))


def _digits(n: object) -> str:
    """How many decimal digits the integer ``n`` has, without ``str(n)`` (which refuses more than 4,300 digits)."""
    bits = int(n).bit_length()  # type: ignore[call-overload]
    return f"about {round(bits * math.log10(2)):,}" if bits > 3000 else str(len(str(abs(int(n)))))  # type: ignore[call-overload]
