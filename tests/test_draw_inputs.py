"""Drawing odd inputs: wrong types are TypeErrors, a step of another network a ValueError, labels that UTF-8
cannot encode or that hold Unicode digits."""

from __future__ import annotations

import pytest

from micrograd_nptel import (
    MLP,
    Value,
    backward_steps,
    cross_entropy,
    draw_dot,
    draw_network,
    render,
)


def test_wrong_types_are_type_errors_and_mismatched_steps_value_errors() -> None:
    mlp = MLP(3, [3, 3], 2, seed=0)
    L = cross_entropy(mlp([1.0, 0.5, -1.5]), 0)
    L.backward()
    with pytest.raises(TypeError, match="highlight must be a name"):
        draw_network(mlp, highlight=5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="step must be a BackwardStep"):
        draw_network(mlp, step="x")  # type: ignore[arg-type]
    other = MLP(3, [3, 3], 2, seed=1)
    step = backward_steps(other, [1.0, 0.5, -1.5], 0)[0]
    with pytest.raises(ValueError, match="not of this network's last forward pass"):
        draw_network(mlp, step=step)
    x = Value(1.0, label="\ud800")
    with pytest.raises(ValueError, match=r"'\\ud800', which is not a character UTF-8 can encode"):
        from micrograd_nptel import draw_dot

        render(draw_dot(x * 2.0), "svg")
    with pytest.raises(OverflowError, match=r"2.0 \*\* 1100.0 overflows a float"):
        Value(2.0) ** 1100


def test_natural_sort_survives_unicode_digits() -> None:
    h = Value(1.0, label="h_{1,1}") * Value(2.0, label="h1²")
    h.label = "W_{1,1,1}"
    assert "digraph" in draw_dot(h).source  # int('²') crashed the layer sort


def test_leaves_named_like_the_lectures_parameters_are_drawn_as_parameters() -> None:
    """Without ``parameters``, w1, w2 and b of the slide example are all parameters (orange); x1, y inputs (blue)."""
    from micrograd_nptel.draw.style import FILL
    from micrograd_nptel.expression import parse_expression

    root, variables = parse_expression("(sigmoid(w1*x1 + w2*x2 + b) - y)**2", {"w1": 0.5, "x1": 1, "w2": -0.3, "x2": 2, "b": 0.1, "y": 1})
    source = draw_dot(root).source
    fills = {name: (FILL["parameter"] in line) for name in variables for line in source.splitlines() if f"<B>{name}</B>" in line}
    assert fills == {"w1": True, "w2": True, "b": True, "x1": False, "x2": False, "y": False}, fills
