"""The command line, end to end in subprocesses."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cli_run import one_line, run_cli

from micrograd_nptel import MLP
from micrograd_nptel.cli import main


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "micrograd_nptel", *args], capture_output=True, text=True, timeout=300)


def test_train_defaults_end_to_end(tmp_path: Path) -> None:
    """The main job with its defaults: Iris, MLP(4, [4, 4], 3), logistic, softmax + cross-entropy."""
    path = tmp_path / "iris.json"
    result = run("train", "--save", str(path))
    assert result.returncode == 0, result.stderr
    m = re.search(r"train accuracy ([0-9.]+); test accuracy ([0-9.]+); ([0-9.]+) s per epoch", result.stdout)
    assert m, result.stdout
    assert float(m.group(2)) >= 0.93
    assert "MLP(4, [4, 4], 3, activation='logistic', output='softmax', seed=0)" in result.stdout
    assert "epoch" in result.stderr  # the progress bar
    assert MLP.load(path).hidden == [4, 4]


def test_train_options_moons_tanh_linear_output() -> None:
    result = run(
        "train",
        "--dataset",
        "moons",
        "--hidden",
        "8",
        "--activation",
        "tanh",
        "--output",
        "linear",
        "--epochs",
        "3",
        "--lr",
        "0.05",
        "--batch-size",
        "16",
        "--seed",
        "1",
        "--quiet",
    )
    assert result.returncode == 0, result.stderr
    assert "MLP(2, [8], 2, activation='tanh', output='linear', seed=1)" in result.stdout and result.stderr == ""


@pytest.mark.parametrize(
    "args",
    [
        ["train", "--epochs", "-3"],
        ["train", "--lr", "abc"],
        ["train", "--activation", "softplus"],
        ["train", "--optimizer", "lbfgs"],
        ["train", "--loss", "squared_error", "--output", "softmax"],
        ["train", "--momentum", "1.5"],
        ["train", "--hidden", "4,x"],
        ["fly"],
        [],
    ],
)
def test_bad_options_are_one_line_and_exit_2(args: list[str]) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "error:" in result.stderr, result.stderr


def test_failure_is_one_line_and_nonzero(tmp_path: Path) -> None:
    result = run("train", "--epochs", "500", "--quiet", "--save", str(tmp_path / "no" / "such" / "dir.json"))
    assert result.returncode == 2 and "final loss" not in result.stdout and result.stdout == ""  # refused before training
    assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith("micrograd-nptel train: error:")
    assert "no/such" in result.stderr and ".mlp-" not in result.stderr  # names the path, not a temp file
    diverged = run("train", "--epochs", "5", "--quiet", "--lr", "1000", "--activation", "linear", "--output", "linear")
    assert diverged.returncode == 1 and "training diverged at epoch 1" in diverged.stderr and "--lr 100" in diverged.stderr


def test_verify_refuses_a_network_too_large_in_one_line() -> None:
    result = run("verify", "--hidden", "100000,100000")
    assert result.returncode == 2, result.stderr
    line = result.stderr.strip()
    assert "\n" not in line and "needs about" in line and "to build and check" in line and "--hidden" in line
    assert "Traceback" not in result.stderr and "MemoryError" not in result.stderr


def test_a_loss_far_above_its_start_is_divergence_and_losses_print_in_four_digits(tmp_path: Path) -> None:
    result = run("train", "--lr", "1e300", "--epochs", "5", "--quiet", "--save", str(tmp_path / "m.json"))
    assert result.returncode == 1 and "final loss" not in result.stdout, result.stdout
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("micrograd-nptel train: error: training diverged at epoch 1: the mean loss rose from ") and "--lr 1e+299" in line
    assert not re.search(r"\d{12}", line)  # every number in %.4g style, none 300 digits long
    assert not (tmp_path / "m.json").exists()  # a diverged network is not saved
    ok = run("train", "--epochs", "20", "--quiet")
    loss = re.search(r"final loss (\S+);", ok.stdout)
    assert ok.returncode == 0 and loss and f"{float(loss.group(1)):.4g}" == loss.group(1), ok.stdout


def test_the_scalar_time_estimate_is_for_the_network_trained(tmp_path: Path) -> None:
    from test_idx import write_set

    write_set(tmp_path / "tiny", n_train=2, n_test=2)
    tiny = run("train", "--dataset", "mnist", "--data-dir", str(tmp_path / "tiny"), "--backend", "scalar", "--epochs", "1", "--quiet")
    assert tiny.returncode == 0 and tiny.stderr == "", tiny.stderr  # 2 examples of 49 pixels: nothing to warn about
    write_set(tmp_path / "big", n_train=3000, n_test=2)
    argv = ["train", "--dataset", "mnist", "--data-dir", str(tmp_path / "big"), "--backend", "scalar", "--hidden", "300,300", "--quiet"]
    with subprocess.Popen([sys.executable, "-m", "micrograd_nptel", *argv], stderr=subprocess.PIPE, text=True) as big:
        try:
            note = big.stderr.readline() if big.stderr else ""  # printed before the first epoch; the run is not waited for
        finally:
            big.kill()
    assert re.fullmatch(
        r"note: the scalar engine takes [\d.]+ ms per example for MLP\(49, \[300, 300\], 10, .*\) \(timed on one example\), "
        r"about [\d.]+ (minutes|hours) per epoch of 3,000 examples; --backend numpy runs the same network batched\n",
        note,
    ), note


def test_the_progress_bar_in_a_log_updates_rarely_and_obeys_tqdm_variables() -> None:
    log = run("train", "--epochs", "200")  # stderr is a pipe here, not a terminal
    assert log.returncode == 0 and log.stderr.count("/200 [") <= 3 and "200/200" in log.stderr, log.stderr  # was every 0.1 s
    env = {**os.environ, "TQDM_MININTERVAL": "0"}
    every = subprocess.run([sys.executable, "-m", "micrograd_nptel", "train", "--epochs", "50"], capture_output=True, text=True, env=env)
    assert every.stderr.count("/50 [") >= 50
    quiet = subprocess.run(
        [sys.executable, "-m", "micrograd_nptel", "train", "--epochs", "5"],
        capture_output=True,
        text=True,
        env={**os.environ, "TQDM_DISABLE": "1"},
    )
    assert quiet.returncode == 0 and quiet.stderr == ""


def test_version_unknown_options_and_a_missing_command() -> None:
    from micrograd_nptel import __version__

    version = run("--version")
    assert version.returncode == 0 and version.stdout == f"micrograd-nptel {__version__}\n"
    bogus = run("--bogus")
    assert bogus.returncode == 2 and bogus.stderr == "micrograd-nptel: error: unknown option --bogus (see --help)\n"
    none = run()
    assert none.returncode == 2 and "name a COMMAND: train, verify, draw, explain" in none.stderr


def test_a_closed_pipe_ends_quietly() -> None:
    with subprocess.Popen(
        [sys.executable, "-m", "micrograd_nptel", "train", "--epochs", "100", "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()  # as `| head -1` does once it has its line
        err = proc.stderr.read()
        status = proc.wait(timeout=120)
    assert status == 141 and err == b""  # 128 + SIGPIPE, what a shell reports for a Unix tool ended by a closed pipe


@pytest.mark.parametrize("act", ["logistic", "tanh", "relu", "linear"])
@pytest.mark.parametrize("out", ["softmax", "linear"])
@pytest.mark.parametrize("lr", ["0.5", "10", "1000"])
def test_train_never_prints_a_traceback(act: str, out: str, lr: str, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["train", "--dataset", "moons", "--epochs", "3", "--quiet", "--activation", act, "--output", out, "--lr", lr])
    err = capsys.readouterr().err
    assert status in (0, 1)
    if status == 1:
        assert len(err.strip().splitlines()) == 1 and "training diverged at epoch" in err and "--lr" in err, err
    else:
        assert err == ""


@pytest.mark.parametrize(
    "argv, status, words",
    [
        (["train", "--test-size", "2"], 2, "--test-size"),
        (["verify", "--example", "150"], 2, "--example"),
        (["train", "--seed", "-1"], 2, "--seed"),
        (["train", "--save", "/nonexistent/dir/m.json", "--epochs", "1"], 2, "/nonexistent/dir"),
    ],
)
def test_cli_usage_errors_are_exit_2_and_name_the_option(
    argv: list[str], status: int, words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) if argv[1] in ("--test-size", "--seed") else _nothing() as info:
        code = main(argv)
    code = info.value.code if info is not None else code  # type: ignore[union-attr]
    err = capsys.readouterr().err
    assert code == status and words in err and len(err.strip().splitlines()) == 1, err


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *args: object) -> bool:
        return False


def test_bar_options_leave_tqdms_variables_in_charge(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from micrograd_nptel._progress import bar_options

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("TQDM_MININTERVAL", raising=False)
    monkeypatch.delenv("TQDM_DYNAMIC_NCOLS", raising=False)
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert bar_options() == {"mininterval": 30.0} and bar_options(quiet=True) == {"disable": True}
    monkeypatch.setenv("TQDM_MININTERVAL", "2")
    assert bar_options() == {}  # the variable decides
    monkeypatch.setattr(sys, "stderr", Terminal())
    assert bar_options() == {"dynamic_ncols": True}


@pytest.mark.skipif(sys.platform == "win32", reason="closes file descriptor 1 in the child (POSIX)")
def test_a_closed_stdout_drops_the_output_and_keeps_the_exit_status() -> None:
    """Issue 34, item 4: with stdout closed (`>&-`) every command exited 1 with an AttributeError traceback."""
    from micrograd_nptel.exercises import get

    def closed(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "micrograd_nptel", *args],
            stdout=None,
            stderr=subprocess.PIPE,
            text=True,
            timeout=300,
            preexec_fn=lambda: os.close(1),  # the child closes its stdout before exec
        )

    ex = get("4.7-weight", seed=3)
    for args, code in (
        (("exercise", "4.7-weight", "--seed", "3", "--answer", ex.reference), 0),
        (("exercise", "4.7-weight", "--seed", "3", "--answer", "-dL/da_{2,2} * h_{1,3}"), 1),
        (("explain", "W_111"), 0),
        (("train", "--help"), 0),
    ):
        result = closed(*args)
        assert result.returncode == code and "Traceback" not in result.stderr, (args, result.returncode, result.stderr)


@pytest.mark.parametrize(
    "args, hint",
    [
        (
            ("explain", "W_2", "W_2", "W_3"),
            "the shell split W_{2,2,3} at its commas (brace expansion): quote it, 'W_{2,2,3}', or write W_223",
        ),
        (("draw", "network", "--highlight", "W_1", "W_1", "W_1"), "quote it, 'W_{1,1,1}', or write W_111"),
        (("exercise", "4.7-weight", "--answer", "h_1", "h_3"), "quote it, 'h_{1,3}'"),
    ],
)
def test_a_name_bash_split_at_its_braces_gets_a_hint_to_quote_it(args: tuple[str, ...], hint: str) -> None:
    """``explain W_{2,2,3}`` unquoted reaches the program as ``explain W_2 W_2 W_3`` (bash's brace expansion)."""
    line = one_line(run_cli(*args), 2)
    assert line.startswith("micrograd-nptel: error: unrecognized arguments: ") and hint in line, line
    assert "brace" not in one_line(run_cli("explain", "W_2", "foo"), 2)


def matrix_rows(text: str) -> list[list[tuple[int, list[int]]]]:
    """Each matrix written by rows in ``text``: per row, the column of its ``[`` and of its commas.

    A matrix starts at ``[[`` (its first row's ``[`` is the second); a following line that starts with blanks and
    ``[`` is its next row. A row line with no matrix before it is returned alone (so it fails any alignment check)."""
    matrices: list[list[tuple[int, list[int]]]] = []
    current: list[tuple[int, list[int]]] | None = None
    for line in text.splitlines():
        start = line.find("[[")
        row = re.match(r" +\[", line)
        if start >= 0 and "]]" not in line[start:]:
            end = line.find("]", start)
            current = [(start + 1, [i for i in range(start + 1, end) if line[i] == ","])]
            matrices.append(current)
        elif row:
            at = row.end() - 1
            entry = (at, [i for i in range(at, line.find("]", at)) if line[i] == ","])
            if current is None:
                matrices.append([entry])
            else:
                current.append(entry)
        else:
            current = None
    return matrices


@pytest.mark.parametrize(
    "args",
    [
        ["4.2-update", "--solution"],
        ["4.7-weights", "--solution"],
        ["4.7-weights", "--answer", "[[-0.019,-0.0113,-0.0151],[-0.000839,-0.000497,-0.000667],[0.0869,0.0515,0.069]]"],
        ["4.7-weights", "--answer", "-grad_a_2 @ h_1^T"],
        ["4.2-update", "--answer", "[[1,2,3],[1,2,3],[1,2,3]]"],
    ],
)
def test_exercise_prints_every_row_of_a_matrix_under_its_first(args: list[str]) -> None:
    """--solution and the checker's messages (rounding, a wrong sign, a far-off answer): a matrix written by rows has
    every row's '[' under its first row's, and two matrices written one under the other have their columns aligned."""
    done = run("exercise", *args)
    assert done.returncode in (0, 1), done.stderr
    matrices = matrix_rows(done.stdout)
    for rows in matrices:
        assert len(rows) > 1 and {at for at, _ in rows} == {rows[0][0]}, done.stdout
        assert all(commas == rows[0][1] for _, commas in rows), done.stdout
    if "yours" in done.stdout and matrices:  # want and yours: their commas in the same columns
        assert len(matrices) == 2 and matrices[0][0][1] == matrices[1][0][1], done.stdout
