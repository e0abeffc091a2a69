"""One TOML schema: every ``[[exercise]]`` entry, a teacher's or the catalogue's, is read by one table of keys
(``loader.KEYS``), whichever of sizes, expression or world its numbers come from."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from micrograd_nptel import exercises
from micrograd_nptel.exercises import Mistake, loader
from micrograd_nptel.exercises.authoring import FIELDS

BASES: dict[str, dict[str, Any]] = {
    "sizes": {"sizes": [2, 3, 2], "target": "dL/dW_{2,1,3}", "given": ["h_1", "grad_a_2"]},
    "expression": {"expression": "z = log(y1/y2); y1 = x**2; y2 = x**3", "target": "dz/dx", "at": {"x": 2.0}},
    "world": {"world": "toy", "asks": "dz/dx", "shape": "a number", "question": "q", "given": ["x"], "reference": "-1/x"},
}
"""A small entry of each source."""

SLIP = {"sizes": "dL/da_{2,1}", "expression": "1/x", "world": "1/x"}
RIGHT = {"sizes": "dL/da_{2,1} * h_{1,3}", "expression": "-1/x", "world": "-1/x"}

# key -> (value in the file, by source if it differs; the Exercise field it gives, by source if it differs)
SAMPLES: dict[str, tuple[Any, Any]] = {
    "question": ("Q?", "Q?"),
    "question_tex": ("$Q$?", "$Q$?"),
    "title": ("T", "T"),
    "module": ("M", "M"),
    "notebook": ("nb", "nb"),
    "seed": (3, 3),
    "answer": ("number", "number"),
    "hint": ("H", "H"),
    "asks": ("A", "A"),
    "asks_tex": ("A_t", "A_t"),
    "shape": ("S", "S"),
    "reference": (RIGHT, RIGHT),
    "reference_tex": ("R", "R"),
    "accepts": ({s: [RIGHT[s]] for s in RIGHT}, {s: (RIGHT[s],) for s in RIGHT}),
    "defined": (
        {"sizes": ["a_1"], "expression": ["dz/dy_1"], "world": ["dz/dy_1"]},
        {"sizes": ("a_1",), "expression": ("dz/dy_1",), "world": ("dz/dy_1",)},
    ),
    "forbidden": (["g'"], frozenset({"gprime"})),
    "paths": ({"sizes": "W_2,1,3", "expression": "x", "world": "x"}, {"sizes": "W_2,1,3", "expression": "x", "world": "x"}),
    "path_examples": ({"sizes": ["dL/da_{2,1}"], "expression": ["(1/y1) * (2*x)"], "world": ["(1/y1) * (2*x)"]}, None),
    "neighbours": (False, False),
    "asked": (
        {"sizes": "dL/dW_{2,1,3}", "expression": "dz/dx", "world": "dz/dx"},
        {"sizes": "dL/dW_2,1,3", "expression": "dz/dx", "world": "dz/dx"},
    ),
    "mistakes": (
        {
            s: [{"key": "mine", "formula": f, "message": "m1"}, {"key": "mine", "formula": f"2*({f})", "message": "m2"}]
            for s, f in SLIP.items()
        },
        {s: (Mistake("mine", (f,), "m1"), Mistake("mine", (f"2*({f})",), "m2")) for s, f in SLIP.items()},
    ),
    "slips": (
        {s: {"mine": {"formula": f, "message": "m"}} for s, f in SLIP.items()},
        {s: (Mistake("mine", (f,), "m"),) for s, f in SLIP.items()},
    ),
}
MEANINGLESS = [(k, s) for k, spec in loader.KEYS.items() for s in loader.SOURCES if s not in spec.sources and k not in loader.SOURCES]


def toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {toml_value(x)}" for k, x in v.items()) + " }"
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return json.dumps(v)


def write(tmp_path: Path, entry: dict[str, Any], name: str = "x") -> Path:
    path = tmp_path / "hw.toml"
    path.write_text("[[exercise]]\n" + "".join(f"{k} = {toml_value(v)}\n" for k, v in {"name": name, **entry}.items()), encoding="utf-8")
    return path


def by_source(v: Any, source: str) -> Any:
    return v[source] if isinstance(v, dict) and set(v) == set(loader.SOURCES) else v


def test_one_table_of_keys_reads_the_catalogue_and_a_teachers_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    used = {k for path in loader.catalogue_files() for e in loader.tomllib.loads(path.read_text("utf-8"))["exercise"] for k in e}
    assert used <= set(loader.KEYS) and "world" in used and "mistakes" in used
    assert set(FIELDS) <= set(loader.KEYS)  # every key from_network / from_expression share is a key of the file
    assert {k for k, spec in loader.KEYS.items() if set(spec.sources) == set(loader.SOURCES)} >= set(FIELDS) - {"neighbours"}
    monkeypatch.delitem(loader.KEYS, "hint")  # the one table: a key it lacks is unknown to every source
    for source in loader.SOURCES:
        with pytest.raises(ValueError, match=r"hw.toml: exercise 1 \('x'\): unknown key 'hint'"):
            exercises.load(write(tmp_path, {**BASES[source], "hint": "h"}))


@pytest.mark.parametrize(("key", "source"), [(k, s) for k in SAMPLES for s in loader.SOURCES if s in loader.KEYS[k].sources])
def test_every_key_means_the_same_with_each_source(tmp_path: Path, key: str, source: str) -> None:
    value, field = (by_source(v, source) for v in SAMPLES[key])
    ex = exercises.load(write(tmp_path, {**BASES[source], key: value}))[0]
    got = ex.mistakes if key == "slips" else getattr(ex, key)
    if key in ("mistakes", "slips"):
        assert got[: len(field)] == field and ex.check(field[-1].formulas[0]).mistake == "mine"
    else:
        assert got == (field if field is not None else tuple(value))


@pytest.mark.parametrize(("key", "source"), MEANINGLESS)
def test_a_key_that_means_nothing_for_the_source_is_named(tmp_path: Path, key: str, source: str) -> None:
    value = {"activation": "tanh", "output": "linear", "loss": "squared_error", "at": {"x": 1.0}, "ranges": {"x": [1, 2]}}.get(key, True)
    value = "W_1" if key == "update" else value
    with pytest.raises(
        ValueError,
        match=rf"hw.toml: exercise 1 \('x'\): key '{key}' is for .*, not for {re.escape(loader.SOURCES[source])}; remove it",
    ):
        exercises.load(write(tmp_path, {**BASES[source], key: value}))


def test_the_slips_table_is_the_shorthand_of_the_mistakes_array(tmp_path: Path) -> None:
    """[exercise.slips.KEY] and [[exercise.mistakes]] give the same slips, in the file's order, with any source."""
    text = (
        "[[exercise]]\nname = 'x'\nexpression = 'z = x**2'\ntarget = 'dz/dx'\nat = { x = 2.0 }\n"
        "[exercise.slips.half]\nformula = 'x'\nmessage = 'The 2 is missing.'\n"
        "[[exercise.mistakes]]\nkey = 'half'\nformula = 'x/2'\nmessage = 'Half of that again.'\n"
    )
    (tmp_path / "hw.toml").write_text(text, encoding="utf-8")
    ex = exercises.load(tmp_path / "hw.toml")[0]
    assert ex.mistakes == (Mistake("half", ("x",), "The 2 is missing."), Mistake("half", ("x/2",), "Half of that again."))
    assert ex.check("x").message.startswith("The 2 is missing") and ex.check("x/2").message.startswith("Half of that again")


@pytest.mark.parametrize(
    ("entry", "words"),
    [
        ({**BASES["world"], "accepts": ["1/x"]}, r"accepts '1/x' disagrees with the engine's"),
        (
            {**BASES["world"], "mistakes": [{"key": "s", "formula": "-1/x", "message": "m"}]},
            "slip 's': its formula '-1/x' gives the correct answer",
        ),
        ({**BASES["world"], "forbidden": ["arcsin"]}, r"key 'forbidden': 'arcsin' is not a function of the grammar"),
        ({**BASES["sizes"], "accepts": ["h_1"]}, r"accepts 'h_1' disagrees with the engine's"),
        (
            {**BASES["sizes"], "neighbours": True, "target": "grad_W_1", "given": ["x", "grad_a_1"]},
            r"neighbours: ∇_\{W_1\}L has no indices",
        ),
        ({**BASES["sizes"], "mistakes": [{"key": "s", "formula": "x"}]}, "mistake 1 must be a table with key, formula and message"),
        ({**BASES["expression"], "slips": {"s": {"formula": "x"}}}, "slip 's': message must be the text"),
        ({**BASES["sizes"], "accepts": "h_1"}, "key 'accepts' must be a list of strings"),
        ({**BASES["sizes"], "world": "toy"}, "give either sizes .*; this entry gives sizes and world"),
    ],
)
def test_a_key_that_does_not_fit_is_one_clear_error(tmp_path: Path, entry: dict[str, Any], words: str) -> None:
    with pytest.raises(ValueError, match=rf"hw.toml: exercise 1 \('x'\): .*{words}"):
        exercises.load(write(tmp_path, entry))


def test_the_built_in_exercises_load_as_before() -> None:
    """The catalogue read by the one table: 20 exercises, each answered by its own reference (check=True)."""
    built = [e for f in loader.catalogue_files() for e in exercises.load(f)]
    assert built == list(exercises.catalogue()) and len(built) == 20


def test_the_readme_and_the_teachers_page_describe_the_one_table() -> None:
    root = Path(__file__).resolve().parent.parent
    readme = (root / "README.md").read_text("utf-8")
    section = readme[readme.index("### Write your own exercise") : readme.index("### Grading a class")]
    for key in loader.KEYS:
        assert f"`{key}`" in section or f"exercise.{key}" in section, key
    assert "[exercise.slips.KEY]" in section and "[[exercise.mistakes]]" in section
    assert "loader.KEYS" in (root / "docs" / "teachers.md").read_text("utf-8")  # the page prints the table itself


def test_a_world_entry_reads_names_as_from_network_does(tmp_path: Path) -> None:
    """grad_a_2 and W_{2,2,3} mean dL/da_2 and W_2,2,3 in a world entry as in a network's (the catalogue writes the
    canonical spelling; a teacher's copy need not)."""
    text = (Path(loader.__file__).parent / "catalogue" / "module_4_7.toml").read_text("utf-8")
    first = text.index("[[exercise]]")
    entry = text[first : text.index("[[exercise]]", first + 1)]
    assert "target = 'dL/dW_2,2,3'" in entry and "'dL/da_2'" in entry
    mine = entry.replace("name = '4.7-weight'", "name = 'x'").replace("'dL/dW_2,2,3'", "'dL/dW_{2,2,3}'").replace("'dL/da_2'", "'grad_a_2'")
    (tmp_path / "hw.toml").write_text(mine, encoding="utf-8")
    loaded = exercises.load(tmp_path / "hw.toml")[0]
    original = exercises.get("4.7-weight")
    assert (loaded.target, loaded.given) == (original.target, original.given) == ("dL/dW_2,2,3", ("dL/da_2", "h_1", "h_2"))
    assert loaded.check("dL/da_{2,2} * h_{1,3}").correct
