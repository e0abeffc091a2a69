"""explain(): Module 4.4's chain to a weight (as Jacobians) and Module 4.6's sum over paths, checked against backward(),
in memory and time linear in the graph."""

from __future__ import annotations

import math
import re
import subprocess
import sys
import tracemalloc

import pytest
from cli_run import one_line, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from micrograd_nptel import (
    MLP,
    Derivation,
    Value,
    chain_rule_paths,
    cross_entropy,
    explain,
    squared_error,
)
from micrograd_nptel.derivation import find
from micrograd_nptel.examples import figure_network, multipath
from micrograd_nptel.expression import parse_expression
from micrograd_nptel.training import gc_paused


def quantities(mlp: MLP, xs: list[Value]) -> list[Value]:
    """Every weight, bias, unit (a, h, ŷ) and input of the network's last forward pass."""
    units = [v for layer in mlp.layers for v in (*layer.a, *layer.h)]
    return list(dict.fromkeys([*mlp.parameters(), *units, *xs]))  # h is a for a linear g: once each


def test_w111_has_six_paths_and_the_slides_jacobian_chain() -> None:
    mlp, _, L = figure_network()
    w = mlp.layers[0].W[0][0]
    d = explain(L, w, model=mlp)
    assert d.count == len(d.paths) == 6  # 3 units of layer 2 x 2 units of layer 3, into ŷ_l
    assert math.fsum(p.product for p in d.paths) == pytest.approx(w.grad, rel=1e-12, abs=1e-15)
    assert d.total == pytest.approx(w.grad, rel=1e-12, abs=1e-15)
    assert abs(d.jacobian_product - w.grad) < 1e-12
    assert [j.symbol for j in d.jacobians] == ["∂L/∂ŷ", "∂ŷ/∂a_3", "∂a_3/∂h_2", "∂h_2/∂a_2", "∂a_2/∂h_1", "∂h_1/∂a_1", "∂a_1/∂W_{1,1,1}"]
    assert [j.value.shape for j in d.jacobians] == [(1, 2), (2, 2), (2, 3), (3, 3), (3, 3), (3, 3), (3, 1)]
    assert [g[0] for g in d.groups] == [
        "talk to the output layer",
        "talk to the previous hidden layer",
        "talk to the previous hidden layer",
        "and now talk to the weights",
    ]
    first = d.paths[0]
    assert [s for s, _ in first.factors] == [
        "∂L/∂ŷ_1",
        "∂ŷ_1/∂a_{3,1}",
        "∂a_{3,1}/∂h_{2,1}",
        "∂h_{2,1}/∂a_{2,1}",
        "∂a_{2,1}/∂h_{1,1}",
        "∂h_{1,1}/∂a_{1,1}",
        "∂a_{1,1}/∂W_{1,1,1}",
    ]
    assert first.nodes[0] is L and first.nodes[-1] is w and len(first.nodes) == 8
    assert first.factors[-1][1] == pytest.approx(1.0)  # ∂a_{1,1}/∂W_{1,1,1} = h_{0,1} = x_1 = 1
    # the factors are the slide's: W_{3,1,1} on ∂a_{3,1}/∂h_{2,1}, g'(a) = h(1-h) on ∂h/∂a
    assert first.factors[2][1] == mlp.layers[2].W[0][0].data
    h21 = mlp.layers[1].h[0].data
    assert first.factors[3][1] == pytest.approx(h21 * (1 - h21), rel=1e-15)


def test_every_weight_bias_unit_and_input_of_the_figure_network() -> None:
    mlp, xs, L = figure_network(label=1)
    for q in quantities(mlp, xs):
        d = explain(L, q, model=mlp)
        assert d.total == pytest.approx(q.grad, rel=1e-10, abs=1e-15), q.label
        assert abs(d.jacobian_product - q.grad) < 1e-12, q.label
        assert abs(math.fsum(p.product for p in d.paths) - q.grad) < 1e-12, q.label
        assert d.groups[0] == ("talk to the output layer", 0, min(2, len(d.jacobians)))
        assert d.groups[-1][2] == len(d.jacobians)  # the braces cover the whole chain


@settings(max_examples=40, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 4), min_size=2, max_size=4),
    g=st.sampled_from(["logistic", "tanh", "relu", "linear"]),
    output=st.sampled_from(["softmax", "linear"]),
    seed=st.integers(0, 10_000),
    data=st.data(),
)
def test_jacobian_chain_and_paths_equal_backward_any_network(sizes: list[int], g: str, output: str, seed: int, data: st.DataObject) -> None:
    nin, *hidden, nout = sizes
    nout = max(nout, 2) if output == "softmax" else nout  # a softmax over one output is refused
    mlp = MLP(nin, hidden, nout, activation=g, output=output, seed=seed)
    xs = [Value(v, label=f"x_{j + 1}") for j, v in enumerate(data.draw(st.lists(st.floats(-2, 2), min_size=nin, max_size=nin)))]
    y_hat = mlp(xs)
    if output == "softmax":
        L = cross_entropy(y_hat, data.draw(st.integers(0, nout - 1)))
    else:
        L = squared_error(y_hat, data.draw(st.lists(st.floats(-1, 1), min_size=nout, max_size=nout)))
    L.backward()
    for q in quantities(mlp, xs):
        d = explain(L, q, model=mlp)
        scale = max(1.0, abs(q.grad))
        assert abs(d.jacobian_product - q.grad) <= 1e-12 * scale, (q.label, d.jacobian_product, q.grad)
        assert abs(d.total - q.grad) <= 1e-12 * scale
        assert abs(math.fsum(p.product for p in d.paths) - q.grad) <= 1e-12 * scale


def test_toy_example_two_paths_of_two_factors_as_on_the_slide() -> None:
    """Module 4.6: dz/dx = (1/y_1)(2x) + (-1/y_2)(3x²) with z = log(y_1/y_2)."""
    for x0 in (0.5, 2.0, 3.0):
        z, v = multipath(x0)
        d = explain(z, v["x"])
        assert d.count == 2 and all(len(p.factors) == 2 for p in d.paths)
        (s11, f11), (s12, f12) = d.paths[0].factors
        (s21, f21), (s22, f22) = d.paths[1].factors
        assert (s11, s12, s21, s22) == ("∂z/∂y_1", "∂y_1/∂x", "∂z/∂y_2", "∂y_2/∂x")
        assert f11 == pytest.approx(1 / x0**2) and f12 == pytest.approx(2 * x0)  # 1/y_1 and 2x
        assert f21 == pytest.approx(-1 / x0**3) and f22 == pytest.approx(3 * x0**2)  # -1/y_2 and 3x²
        assert d.total == pytest.approx(v["x"].grad) == pytest.approx(-1 / x0)
    z, v = multipath(2.0)
    d = explain(z, v["x"])
    assert [p.product for p in d.paths] == pytest.approx([1.0, -1.5])


def test_through_all_keeps_every_node_like_chain_rule_paths() -> None:
    root, used = parse_expression("log(x**2 / x**3) * x", {"x": 2.0})
    root.backward()
    d = explain(root, used["x"], through="all")
    reference = chain_rule_paths(root, used["x"])
    assert d.count == len(reference) == 3
    assert sorted(p.product for p in d.paths) == pytest.approx(sorted(p.product for p in reference))
    assert d.total == pytest.approx(used["x"].grad)
    assert any("∂(x²/x³)/∂x²" in s for p in d.paths for s, _ in p.factors)  # an unnamed node is named by its expression
    # labelled: x is the only name, so the whole graph folds into one factor per use
    folded = explain(root, used["x"])
    assert folded.count == 1 and folded.paths[0].factors[0][1] == pytest.approx(used["x"].grad)


def test_named_steps_of_an_expression_and_x_times_x() -> None:
    root, used = parse_expression("y1 = x**2; y2 = x**3; z = log(y1/y2)", {"x": 2.0})
    root.backward()
    assert root.label == "z" and set(used) == {"x"}
    d = explain(root, used["x"])
    assert [[s for s, _ in p.factors] for p in d.paths] == [["∂z/∂y1", "∂y1/∂x"], ["∂z/∂y2", "∂y2/∂x"]]
    x = Value(3.0, label="x")
    y = x * x
    y.label = "y"
    y.backward()
    assert explain(y, x).count == 1 and explain(y, x).paths[0].factors == (("∂y/∂x", 6.0),)  # the two uses fold: 2x
    assert explain(y, x, through="all").count == 2


def test_many_paths_are_counted_not_enumerated() -> None:
    x = Value(1.0, label="x")
    y = x
    for k in range(40):  # 2^40 paths, each with product 1: ∂y/∂x = 2^40 x^(2^40 - 1) = 2^40
        y = y * y
        y.label = f"y_{k + 1}"
    y.backward()
    d = explain(y, x, through="all", limit=50)
    assert d.count == 2**40 and len(d.paths) == 50
    assert d.total == x.grad == 2.0**40
    text = str(d)
    assert f"and {2**40 - 12} more paths" in text
    assert explain(y, x).count == 1  # labelled: each y_k = y_{k-1}² folds into one factor


def test_errors_name_what_is_wrong() -> None:
    mlp, _, L = figure_network()
    with pytest.raises(TypeError, match="wrt must be a Value"):
        explain(L, 2.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not in the graph"):
        explain(L, Value(1.0, label="q"))
    with pytest.raises(ValueError, match="through must be one of"):
        explain(L, mlp.layers[0].b[0], through="some")
    other = MLP(3, [3, 3], 2, seed=5)
    with pytest.raises(ValueError, match="root must be the loss computed from the model's outputs"):
        explain(L, mlp.layers[0].b[0], model=other)
    with pytest.raises(TypeError, match="model must be an MLP"):
        explain(L, mlp.layers[0].b[0], model="mlp")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"'W_9' is not a name in this graph; names look like L, W_\{k,i,j\}"):
        find(L, "W_9")
    assert find(L, "W_111") is find(L, "W_{1,1,1}") is mlp.layers[0].W[0][0]
    assert find(L, "h22") is mlp.layers[1].h[1]


def test_plain_text_and_latex_show_the_slide() -> None:
    mlp, _, L = figure_network()
    d = explain(L, mlp.layers[0].W[0][0], model=mlp)
    text = str(d)
    assert "∂L/∂W_{1,1,1} = [∂L/∂ŷ · ∂ŷ/∂a_3] [∂a_3/∂h_2 · ∂h_2/∂a_2] [∂a_2/∂h_1 · ∂h_1/∂a_1] [∂a_1/∂W_{1,1,1}]" in text
    assert "sum over the 6 paths" in text and "Module 4.4" in text and "Module 4.6" in text
    latex = d._repr_latex_()
    assert latex.startswith("$$") and latex.endswith("$$") and latex.count("$") == 4
    captions = ("talk to the weight directly", "talk to the output layer", "talk to the previous hidden layer", "now talk to the weights")
    joined = re.sub(r"\}\s*\\\\\s*\\text\{", " ", latex)  # a caption's two lines, \text{a} \\ \text{b}, as one
    for caption in captions:
        assert caption + "}" in joined, caption
    assert r"\frac{\partial \mathcal{L}}{\partial W_{1,1,1}}" in latex and r"\hat{y}" in latex and r"\begin{bmatrix}" in latex
    assert latex.count(r"\begin{") == latex.count(r"\end{") and latex.count("{") == latex.count("}")
    z, v = multipath(2.0)
    toy = explain(z, v["x"]).latex()
    assert r"\frac{\partial z}{\partial y_{1}} \frac{\partial y_{1}}{\partial x}" in toy and "(0.25) (4) = 1" in toy


def explain_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "micrograd_nptel", "explain", *args], capture_output=True, text=True, timeout=60)


def test_explain_cli() -> None:
    mlp, _, _ = figure_network()
    result = explain_cli("W_{1,1,1}")
    assert result.returncode == 0, result.stderr
    assert "sum over the 6 paths" in result.stdout and "talk to the output layer" in result.stdout
    m = re.search(r"∂L/∂W_\{1,1,1\} = (\S+)", result.stdout)
    assert m and float(m.group(1)) == pytest.approx(mlp.layers[0].W[0][0].grad, rel=1e-9)
    toy = explain_cli("x", "--expr", "y1 = x**2; y2 = x**3; z = log(y1/y2)", "--at", "x=2")
    assert toy.returncode == 0 and "(0.25) × (4) = 1" in toy.stdout and "(-0.125) × (12) = -1.5" in toy.stdout
    mopuri = explain_cli("x", "--expr", "exp(sin(x**2))", "--at", "x=1")  # no named steps: named as the slide does
    assert mopuri.returncode == 0 and mopuri.stdout.startswith("where u = x², v = sin(u), f = exp(v)")
    assert "path 1: ∂f/∂v · ∂v/∂u · ∂u/∂x" in mopuri.stdout and "the sum over the 1 path " in mopuri.stdout
    latex = explain_cli("b_21", "--latex")
    assert latex.returncode == 0 and latex.stdout.startswith(r"\begin{aligned}")
    for args in (["W_{9,1,1}"], ["q", "--expr", "x**2", "--at", "x=1"], ["x", "--expr", "log(x", "--at", "x=1"], ["W_111", "--label", "3"]):
        bad = explain_cli(*args)
        assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1, (args, bad.stderr)
    assert "names look like" in explain_cli("W_{9,1,1}").stderr


def peak_bytes(f: object) -> int:
    tracemalloc.start()
    try:
        f()  # type: ignore[operator]
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_long_chain_is_one_path_in_linear_memory() -> None:
    x = Value(0.5, label="x")
    v = x
    for _ in range(64_000):
        v = v.tanh()
    v.label = "L"
    d = explain(v, x)
    assert d.count == 1 and len(d.paths[0].factors) == 1  # unnamed steps folded into one factor
    assert peak_bytes(lambda: explain(v, x, through="all")) < 150_000_000  # 64k factors once, not 64k^2 / 2 copies


def test_a_huge_path_count_is_printed_as_a_power_of_ten() -> None:
    x = Value(0.5, label="x")
    v = x
    for _ in range(15_000):
        v = (v + v) * 0.5
    v.label = "L"
    v.backward()
    made: list[Derivation | str] = []

    def derive_and_print() -> None:  # the derivation and its text, made once, under the memory measurement
        d = explain(v, x, through="all")
        made.extend([d, str(d)])

    with gc_paused():  # 2^15000 paths listed at once: the peak counts only what reference counting has not freed
        peak = peak_bytes(derive_and_print)
    d, text = made
    assert isinstance(d, Derivation) and isinstance(text, str)
    assert d.count == 2**15_000 and 0 < len(d.paths) <= 1000
    assert sum(len(p.factors) for p in d.paths) <= 200_000 + 45_000  # MAX_FACTORS: the listing is bounded
    assert "about 10^4515 paths" in text and abs(d.total - x.grad) < 1e-9
    assert peak < 400_000_000  # was 4 GB


def test_labelled_nodes_sharing_an_unnamed_chain_cost_its_length_once() -> None:
    x = Value(0.5, label="x")
    u, named = x, []
    for k in range(2_000):
        u = u.sin()
        w = u * 1.0
        w.label = f"l_{k}"
        named.append(w)
    root = Value.sum(named)
    root.label = "L"
    root.backward()
    d = explain(root, x)
    assert d.count == 2_000 and d.total == pytest.approx(x.grad, rel=1e-12)
    assert peak_bytes(lambda: explain(root, x)) < 50_000_000


def test_explain_outputs_and_the_loss_on_the_command_line() -> None:
    ok = run_cli("explain", "ŷ_2")
    assert ok.returncode == 0 and ok.stdout.startswith("∂L/∂ŷ_2 = 0"), ok.stderr
    assert run_cli("explain", "yhat_1").stdout.startswith("∂L/∂ŷ_1 =")
    assert "is the output itself" in one_line(run_cli("explain", "L"), 2)
    assert "indices count from 1" in one_line(run_cli("explain", "W_{0,0,0}"), 2)


def diamonds(nodes: int) -> tuple[Value, Value]:
    """A chain of diamonds of about ``nodes`` nodes: z = ((x·1.0001 + x·0.9999)·0.5 ...), 2^(nodes/4) paths from z to x."""
    x = Value(0.5, label="x")
    v = x
    for _ in range(nodes // 4):
        v = (v * 1.0001 + v * 0.9999) * 0.5
    v.label = "z"
    v.backward()
    return v, x


def test_explain_on_a_20000_node_diamond_prints_the_count_and_the_first_paths() -> None:
    """Issue 34, item 11: str() of this derivation was 13 MB (every listed path with its 15,000 factors)."""
    z, x = diamonds(20_000)
    d = explain(z, x, through="all")
    assert d.count == 2**5000 and d.total == pytest.approx(x.grad)
    text, latex = str(d), d.latex()
    assert len(text) < 20_000 and len(latex) < 40_000  # 13,079,021 and 26,757,609 characters before
    assert "the sum over the about 10^1505 paths" in text and "  path 12: " in text and "  path 13: " not in text
    assert "…(14,984 more factors)…" in text and r"\cdots_{\text{14,984 more}}" in latex
    assert "... and about 10^1505 more paths, not shown" in text
    every = d.text(paths=None, factors=None)  # asked for all: every listed path, every factor
    assert f"  path {len(d.paths)}: " in every and "more factors" not in every
    assert every.count(" × ") == sum(len(p.factors) - 1 for p in d.paths)
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="paths must be None"):
            d.text(paths=bad)  # type: ignore[arg-type]


def test_explain_all_paths_on_the_command_line() -> None:
    expr = "; ".join(f"a{i} = {f'a{i - 1}' if i > 1 else 'x'}*2 + {f'a{i - 1}' if i > 1 else 'x'}" for i in range(1, 31))
    cmd = [sys.executable, "-m", "micrograd_nptel", "explain", "x", "--expr", expr, "--at", "x=1", "--through", "all"]
    short = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    every = subprocess.run([*cmd, "--all-paths"], capture_output=True, text=True, timeout=300)
    assert short.returncode == every.returncode == 0
    assert "the sum over the 1073741824 paths" in short.stdout and "…(44 more factors)…" in short.stdout
    assert len(short.stdout) < 8_000  # 18,981 characters before: 12 paths of 60 factors
    assert "  path 1000: " in every.stdout and "more factors" not in every.stdout
    assert "... and 1073740824 more paths, not shown" in every.stdout
