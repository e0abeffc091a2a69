"""Writing files (``micrograd_nptel.files``): portable, atomic, never over a device or FIFO, checked before any
training, with the usual modes, and leaving the process's umask alone."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from cli_run import one_line, run_cli

from micrograd_nptel import MLP, Network, files
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


def test_save_never_replaces_a_device_or_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    mlp = MLP(2, [2], 2)
    for target in ("/dev/null", "/dev/full", str(fifo)):
        with pytest.raises(ValueError, match="not a regular file"):
            mlp.save(target)
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode) and stat.S_ISFIFO(os.stat(fifo).st_mode)
    line = one_line(run_cli("train", "--epochs", "3", "--quiet", "--save", "/dev/null"), 2)
    assert "/dev/null" in line and "not a regular file" in line
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)  # still the device, not a file holding the model


def test_plot_targets_are_checked_before_training(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "training.png")
    line = one_line(run_cli("train", "--epochs", "3", "--quiet", "--plot", str(tmp_path)), 2)
    assert "training.png" in line and "not a regular file" in line
    with pytest.raises(ValueError, match="not a regular file"):
        files.write_atomic(tmp_path / "training.png", b"png")


@pytest.mark.parametrize("option", ["--save", "--plot"])
def test_bad_output_names_are_refused_before_training(tmp_path: Path, option: str) -> None:
    long = str(tmp_path / ("m" * 300 + ".json"))
    line = one_line(run_cli("train", "--epochs", "500", "--quiet", option, long), 2)
    assert "File name too long" in line and option in line
    assert "empty" in one_line(run_cli("train", "--epochs", "500", "--quiet", option, ""), 2)
    assert not any(tmp_path.iterdir())  # the probe file was removed again


def test_the_api_checks_the_path_before_writing(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="empty"):
        MLP(2, [2], 2).save("")
    with pytest.raises(ValueError, match="File name too long"):
        MLP(2, [2], 2).save(tmp_path / ("m" * 300))
    with pytest.raises(TypeError, match="file name"):
        MLP(2, [2], 2).save(3)  # type: ignore[arg-type]


def test_an_interrupted_write_leaves_the_old_file_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "training.png"
    target.write_bytes(b"the good picture")

    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(files.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        files.write_atomic(target, b"half of a new pic")
    assert target.read_bytes() == b"the good picture" and [p.name for p in tmp_path.iterdir()] == ["training.png"]


def test_plots_are_written_atomically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("matplotlib")
    from micrograd_nptel.plots import plot_confusion_matrix

    written: list[str] = []
    real = files.write_atomic
    monkeypatch.setattr("micrograd_nptel.plots.write_atomic", lambda p, d, w="": (written.append(str(p)), real(p, d, w)))
    path = plot_confusion_matrix([[1, 0], [0, 1]], ["a", "b"], str(tmp_path))
    assert written == [path] and Path(path).read_bytes()[:4] == b"\x89PNG"


def test_saved_files_get_normal_modes_and_follow_symlinks(tmp_path: Path) -> None:
    mlp = MLP(2, [2], 2)
    old = os.umask(0o022)
    try:
        new = tmp_path / "new.json"
        mlp.save(new)
        assert stat.S_IMODE(new.stat().st_mode) == 0o644  # mkstemp alone gives 0600
        new.chmod(0o640)
        mlp.save(new)
        assert stat.S_IMODE(new.stat().st_mode) == 0o640  # an overwrite keeps the mode
    finally:
        os.umask(old)
    target = tmp_path / "target.json"
    target.write_text("{}")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    mlp.save(link)
    assert link.is_symlink() and MLP.load(target).state_dict() == mlp.state_dict()
