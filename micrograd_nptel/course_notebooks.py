"""The course's notebooks, one per module of CS7015 Lecture 4, as shipped in the package.

A student who installed with pip has no repository: ``micrograd-nptel notebooks DIR`` (or
:func:`copy_notebooks`) copies the notebooks into a folder of theirs, where they run as they are
(they read nothing from the repository; a file a notebook writes lands beside it).
"""

from __future__ import annotations

import os
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

from .files import check_output_dir, write_atomic

__all__ = ["copy_notebooks", "notebook_names"]


def _folder() -> Traversable | Path:
    """Where the notebooks are: ``micrograd_nptel/notebooks`` in an installed wheel, ``notebooks/`` in a checkout."""
    shipped = resources.files("micrograd_nptel").joinpath("notebooks")
    if shipped.is_dir():
        return shipped
    checkout = Path(__file__).resolve().parent.parent / "notebooks"  # an editable install or the repository itself
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(2, "the notebooks are not installed with this copy of micrograd_nptel; reinstall it with pip")


def notebook_names() -> list[str]:
    """The notebooks' file names, in the lecture's order (``01_chain_rule.ipynb``, ...).

    Raises:
        FileNotFoundError: this installation holds no notebooks.
    """
    return sorted(f.name for f in _folder().iterdir() if f.name.endswith(".ipynb"))


def copy_notebooks(folder: str | os.PathLike[str], overwrite: bool = False) -> list[Path]:
    """Copy every notebook into ``folder`` (made if missing); return the paths written, in the lecture's order.

    Args:
        folder: the target folder (its parent must exist).
        overwrite: replace notebooks of the same name already there (your edits to them are lost).

    Returns:
        The paths of the copies.

    Raises:
        TypeError: ``folder`` is not a str or path.
        ValueError: ``folder`` is not (and cannot be made) a writable folder, or, without ``overwrite``,
            it already holds a notebook of the same name (none is written then).
        FileNotFoundError: this installation holds no notebooks.
    """
    target = Path(check_output_dir(folder, "notebooks folder"))
    source = _folder()
    names = notebook_names()
    taken = [name for name in names if (target / name).exists()]
    if taken and not overwrite:
        raise ValueError(
            f"{str(target)!r} already holds {', '.join(taken) if len(taken) <= 2 else f'{taken[0]} and {len(taken) - 1} more'} of "
            "these notebooks; choose another folder, or overwrite them (--force, overwrite=True)"
        )
    target.mkdir(exist_ok=True)
    written = []
    for name in names:
        write_atomic(target / name, source.joinpath(name).read_bytes(), "notebook")
        written.append(target / name)
    return written
