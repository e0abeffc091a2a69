"""Writing files (``micrograd_nptel.files``): portable, atomic, and leaving the process's umask alone."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from micrograd_nptel import MLP, Network
from micrograd_nptel.files import write_atomic

POSIX_ONLY = ("fchmod", "fchown", "lchmod", "lchown", "chown", "mkfifo", "fork", "getuid")


@pytest.fixture
def windows_like_os(monkeypatch: pytest.MonkeyPatch) -> None:
    """``os`` as Windows (before Python 3.13) has it: no fchmod and friends; and a umask call is an error."""
    for name in POSIX_ONLY:
        monkeypatch.delattr(os, name, raising=False)

    def umask(_mask: int) -> int:
        raise AssertionError("write_atomic must not set the umask process-wide")

    monkeypatch.setattr(os, "umask", umask)


def _umask() -> int:
    old = os.umask(0o022)
    os.umask(old)
    return old


def test_write_atomic_runs_without_posix_only_calls(tmp_path: Path, windows_like_os: None) -> None:
    new = tmp_path / "a.txt"
    write_atomic(new, "héllo")
    assert new.read_text(encoding="utf-8") == "héllo"
    write_atomic(new, b"again")
    assert new.read_bytes() == b"again"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]  # no temp file left behind


def test_every_writer_runs_without_posix_only_calls(tmp_path: Path, windows_like_os: None) -> None:
    mlp = MLP(2, [2], 2, seed=0)
    mlp.save(tmp_path / "mlp.json")
    assert MLP.load(tmp_path / "mlp.json").state_dict() == mlp.state_dict()
    net = Network([2, 3, 2], seed=0)
    net.save(tmp_path / "net.json")
    assert MLP.load(tmp_path / "net.json").nin == 2


def test_plots_write_without_posix_only_calls(tmp_path: Path, windows_like_os: None) -> None:
    pytest.importorskip("matplotlib")
    from micrograd_nptel import plots

    path = plots.plot_confusion_matrix([[3, 1], [0, 4]], ["a", "b"], str(tmp_path))
    assert Path(path).read_bytes()[:4] == b"\x89PNG"


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_new_file_mode_is_0666_less_the_umask_which_is_left_unchanged(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        write_atomic(tmp_path / "n.txt", "x")
        assert stat.S_IMODE((tmp_path / "n.txt").stat().st_mode) == 0o640
        assert _umask() == 0o027
    finally:
        os.umask(old)


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_existing_file_keeps_its_mode(tmp_path: Path, windows_like_os: None) -> None:
    f = tmp_path / "e.txt"
    f.write_text("old")
    f.chmod(0o604)
    write_atomic(f, "new")
    assert f.read_text() == "new" and stat.S_IMODE(f.stat().st_mode) == 0o604
