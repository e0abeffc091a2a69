"""Every file the project writes goes through here: checked before any work, written atomically.

``check_output_file(path)`` says, before a run that could take minutes, whether a file can be
written at ``path``: a refused target (an existing device, FIFO, socket or folder, an empty or
too-long name, a missing or read-only folder) is a ``ValueError`` naming it. ``write_atomic``
then writes through a temporary file in the same folder, fsyncs it and renames it over the
target, so an interrupted write (SIGINT, a full disk) leaves the previous file whole and never a
half-written one. Used by ``MLP.save``, ``train --save/--plot`` and ``draw -o``.
"""

from __future__ import annotations

import os
import secrets
import stat

__all__ = ["check_input_file", "check_output_dir", "check_output_file", "read_input_file", "write_atomic"]


def check_input_file(path: str | os.PathLike[str], what: str = "input file") -> str:
    """Check, before any byte is read, that ``path`` is an existing regular file; return its name.

    A device (``/dev/zero`` would be read until memory runs out), a FIFO (would block forever),
    a socket or a folder is refused. A symlink is followed.

    Args:
        path: the file name (str or path-like).
        what: how the message names it (e.g. ``"model file"``).

    Returns:
        ``os.fspath(path)``.

    Raises:
        TypeError: ``path`` is not a str or path-like.
        FileNotFoundError: nothing exists at ``path``.
        ValueError: the name is empty, or names something that is not a regular file.
    """
    name = _name(path, what)
    try:
        mode = os.stat(name).st_mode
    except FileNotFoundError:
        raise FileNotFoundError(2, f"{what} {name!r} does not exist", name) from None
    except OSError as e:
        raise ValueError(f"{what} {name!r} cannot be read: {e.strerror}") from None
    if stat.S_ISDIR(mode):
        raise ValueError(f"{what} {name!r} is a folder, not a file")
    if not stat.S_ISREG(mode):
        raise ValueError(f"{what} {name!r} is not a regular file (a device, FIFO or socket); it is not read")
    return name


def read_input_file(path: str | os.PathLike[str], what: str, max_bytes: int, error: type[ValueError] = ValueError) -> tuple[str, bytes]:
    """The bytes of a file a user gives (exercises, answers), checked before it costs memory or time.

    Args:
        path: the file name. what: how the message names it (``"answers file"``).
        max_bytes: the largest file read, in bytes; at most ``max_bytes + 1`` bytes are ever read.
        error: the ValueError subclass raised for a file that is too large.

    Returns:
        ``(name, data)``: ``os.fspath(path)`` and the file's bytes.

    Raises:
        FileNotFoundError, ValueError: as :func:`check_input_file`. ``error``: the file is larger than ``max_bytes``.
    """
    name = check_input_file(path, what)
    size = os.path.getsize(name)
    if size > max_bytes:
        raise error(f"{what} {name!r} is {size:,} bytes; at most {max_bytes:,} are read")
    with open(name, "rb") as f:
        return name, f.read(max_bytes + 1)


def check_output_file(path: str | os.PathLike[str], what: str = "output file") -> str:
    """Check that a regular file can be written at ``path``; return the real path it will be written to.

    A symlink is followed (the file it points to is the target). The folder must exist and be
    writable; an existing target must be a regular file (never ``/dev/null``, a FIFO or a folder);
    a new name must be accepted by the file system, which is tested by creating and removing it.

    Args:
        path: the file name (str or path-like).
        what: how the message names it (e.g. ``"--save"``).

    Raises:
        TypeError: ``path`` is not a str or path-like.
        ValueError: the name is empty, the target exists and is not a regular file, the folder
            is missing or read-only, or the name is refused (too long, invalid characters).
    """
    name = _name(path, what)
    target = os.path.realpath(name)
    folder = os.path.dirname(target)
    if not os.path.isdir(folder):
        raise ValueError(f"{what} {name!r}: the folder {folder!r} does not exist")
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as e:  # e.g. a name too long to stat
        raise ValueError(f"{what} {name!r} cannot be written: {e.strerror}") from None
    if mode is not None:
        if stat.S_ISDIR(mode):
            raise ValueError(f"{what} {name!r} is a folder; give a file name such as {os.path.join(name, 'model.json')!r}")
        if not stat.S_ISREG(mode):
            raise ValueError(f"{what} {name!r} exists and is not a regular file (a device, FIFO or socket); it is never replaced")
        if not os.access(target, os.W_OK) or not os.access(folder, os.W_OK):
            raise ValueError(f"{what} {name!r} is not writable")
        return target
    try:  # the only sure test that the file system takes this name: make it, then remove it
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as e:
        raise ValueError(f"{what} {name!r} cannot be written: {e.strerror}") from None
    os.close(fd)
    os.unlink(target)
    return target


def check_output_dir(path: str | os.PathLike[str], what: str = "output folder") -> str:
    """Check that ``path`` is a writable folder, or can be made as one (its parent exists); return it.

    Raises:
        TypeError: ``path`` is not a str or path-like.
        ValueError: the name is empty, names something that is not a folder, or the folder
            cannot be made or written.
    """
    name = _name(path, what)
    if os.path.exists(name) and not os.path.isdir(name):
        raise ValueError(f"{what} {name!r} exists and is not a folder")
    if os.path.isdir(name):
        if not os.access(name, os.W_OK):
            raise ValueError(f"{what} {name!r} is not writable")
        return name
    parent = os.path.dirname(os.path.abspath(name))
    if not os.path.isdir(parent) or not os.access(parent, os.W_OK):
        raise ValueError(f"{what} {name!r}: cannot create that folder (its parent {parent!r} is missing or not writable)")
    try:  # as for a file: the only sure test of the name
        os.mkdir(name)
    except OSError as e:
        raise ValueError(f"{what} {name!r} cannot be created: {e.strerror}") from None
    os.rmdir(name)
    return name


def write_atomic(path: str | os.PathLike[str], data: bytes | str, what: str = "output file") -> None:
    """Write ``data`` to ``path`` through a temp file in the same folder, fsync, then ``os.replace``.

    The target is checked as :func:`check_output_file` does, so a device or FIFO is never
    replaced. Follows a symlink (the target is replaced, not the link), keeps an existing file's
    mode, and gives a new file 0666 less the umask (applied by the OS: the umask is never set). Portable:
    no ``os.fchmod`` (POSIX-only before Python 3.13). ``str`` data are written as UTF-8.

    Raises:
        ValueError: as :func:`check_output_file`, or ``data`` holds text UTF-8 cannot encode.
        OSError: the write failed (a full disk); the previous file, if any, is unchanged.
    """
    target = check_output_file(path, what)
    if isinstance(data, str):
        try:
            data = data.encode("utf-8")
        except UnicodeEncodeError as e:
            raise ValueError(
                f"{what} {os.fspath(path)!r}: the text holds {e.object[e.start : e.end]!r}, which UTF-8 cannot encode"
            ) from None
    try:
        mode: int | None = os.stat(target).st_mode & 0o7777
    except FileNotFoundError:
        mode = None  # a new file: created 0666, and the OS takes the umask off (never read or set here)
    fd, tmp = _create_temp(target, 0o600 if mode is not None else 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if mode is not None:
            os.chmod(tmp, mode)  # by path: os.fchmod is POSIX-only before Python 3.13
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _create_temp(target: str, mode: int) -> tuple[int, str]:
    """Create a new, hidden temp file beside ``target`` with permission bits ``mode`` (less the umask).

    Portable (Windows too): ``os.open`` with ``O_EXCL`` and a random name, as :func:`tempfile.mkstemp` does,
    but with the caller's mode, so no ``fchmod`` and no process-wide ``umask`` call is needed.

    Returns:
        the open descriptor and the temp file's name.
    """
    folder, base = os.path.split(target)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOINHERIT", 0)
    for _ in range(100):
        tmp = os.path.join(folder, f".{base[:64]}.{secrets.token_hex(6)}.tmp")
        try:
            return os.open(tmp, flags, mode), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"cannot create a temporary file beside {target!r}")  # pragma: no cover


def _name(path: object, what: str) -> str:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{what} must be a file name (str or path), got {path!r} of type {type(path).__name__}")
    name = os.fspath(path)
    if not isinstance(name, str):
        raise TypeError(f"{what} must be a str path, got bytes {name!r}")
    if not name:
        raise ValueError(f"{what} is empty: give a file name")
    if "\0" in name:
        raise ValueError(f"{what} {name!r} holds a NUL character")
    return name
