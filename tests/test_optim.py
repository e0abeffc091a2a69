"""Lecture 5's update rules: first steps against the equations written out by hand, NAG against its look-ahead form,
both kinds of parameters, and the overflow contract: a step that fails changes nothing and says what to lower."""

from __future__ import annotations

import numpy as np
import pytest
from cli_run import one_line, run_cli

from micrograd_nptel import MLP, Network, Value
from micrograd_nptel.batched import Parameter
from micrograd_nptel.optim import NAG, OPTIMIZERS, SGD, AdaGrad, Adam, Momentum, NAdam, Optimizer, RMSProp, UpdateOverflow, make_optimizer
from micrograd_nptel.training import TrainingDiverged, fit

W0 = np.array([0.5, -1.5, 2.0])
GRADS = [np.array([0.1, -0.2, 0.3]), np.array([-0.4, 0.5, 0.05]), np.array([0.2, 0.2, -0.1])]


def run(opt_for: type[Optimizer] | None = None, make: object = None, **kw: float) -> list[np.ndarray]:
    """Three steps on a Parameter whose gradient at step t is GRADS[t-1]; the weights after each."""
    p = Parameter(W0.copy(), "w")
    opt = make(p) if make else opt_for([p], **kw)  # type: ignore[misc, operator]
    out = []
    for g in GRADS:
        p.grad = g.copy()
        opt.step()
        out.append(p.data.copy())
    return out


def by_hand(update: object) -> list[np.ndarray]:
    w, state, out = W0.copy(), {}, []
    for t, g in enumerate(GRADS, 1):
        w = update(w, g, t, state)  # type: ignore[operator]
        out.append(w.copy())
    return out


def same(a: list[np.ndarray], b: list[np.ndarray], tol: float = 1e-15) -> None:
    for x, y in zip(a, b):
        assert np.abs(x - y).max() <= tol, (x, y)


def test_sgd_and_weight_decay() -> None:
    same(run(SGD, lr=0.1), by_hand(lambda w, g, t, s: w - 0.1 * g))
    same(run(SGD, lr=0.1, weight_decay=0.01), by_hand(lambda w, g, t, s: w - 0.1 * (g + 0.01 * w)))


def test_momentum_equations() -> None:
    def update(w, g, t, s):  # type: ignore[no-untyped-def]
        s["u"] = 0.9 * s.get("u", 0.0) + 0.1 * g  # u_t = γ u_{t-1} + η ∇w_t
        return w - s["u"]  # w_{t+1} = w_t - u_t

    same(run(Momentum, lr=0.1, momentum=0.9), by_hand(update))


def test_nag_equals_the_look_ahead_form() -> None:
    """On f(w) = ½ wᵀAw, the slide's look-ahead NAG and ours (parameters = the look-ahead point) agree at every step."""
    A = np.array([[3.0, 0.5, 0.0], [0.5, 1.0, 0.2], [0.0, 0.2, 2.0]])
    eta, gamma = 0.05, 0.9
    w, u = W0.copy(), np.zeros(3)  # the slide's w_t and update_{t-1}
    p = Parameter(W0.copy(), "w")  # ours holds ŵ_t = w_t - γ u_{t-1}; ŵ_0 = w_0
    opt = NAG([p], lr=eta, momentum=gamma)
    for _ in range(150):
        w_look = w - gamma * u
        u = gamma * u + eta * (A @ w_look)
        w = w - u
        p.grad = A @ p.data
        opt.step()
        assert np.abs(p.data - (w - gamma * u)).max() < 1e-14  # ŵ_{t+1} = w_{t+1} - γ u_t
    assert np.abs(p.data).max() < 1e-3 and np.abs(w).max() < 1e-3  # both converge to the minimum 0


def test_adagrad_rmsprop_adam_nadam_equations() -> None:
    eps = 1e-8

    def adagrad(w, g, t, s):  # type: ignore[no-untyped-def]
        s["v"] = s.get("v", 0.0) + g**2
        return w - 0.1 / np.sqrt(s["v"] + eps) * g

    def rmsprop(w, g, t, s):  # type: ignore[no-untyped-def]
        s["v"] = 0.9 * s.get("v", 0.0) + 0.1 * g**2
        return w - 0.01 / np.sqrt(s["v"] + eps) * g

    def adam(w, g, t, s, nadam=False):  # type: ignore[no-untyped-def]
        s["m"] = 0.9 * s.get("m", 0.0) + 0.1 * g
        s["v"] = 0.999 * s.get("v", 0.0) + 0.001 * g**2
        m_hat, v_hat = s["m"] / (1 - 0.9**t), s["v"] / (1 - 0.999**t)
        step = 0.9 * m_hat + 0.1 * g / (1 - 0.9**t) if nadam else m_hat
        return w - 0.01 / np.sqrt(v_hat + eps) * step

    same(run(AdaGrad, lr=0.1), by_hand(adagrad))
    same(run(RMSProp, lr=0.01, beta=0.9), by_hand(rmsprop))
    same(run(Adam, lr=0.01), by_hand(adam))
    same(run(NAdam, lr=0.01), by_hand(lambda w, g, t, s: adam(w, g, t, s, nadam=True)))
    # Adam's first step moves every weight by about η, whatever the gradient's size (bias correction at work)
    assert np.abs(run(Adam, lr=0.01)[0] - W0) == pytest.approx([0.01] * 3, rel=1e-5)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_values_and_arrays_get_the_same_updates(name: str) -> None:
    values = [Value(float(v), label=f"w_{i}") for i, v in enumerate(W0)]
    param = Parameter(W0.copy(), "w")
    opt_v = make_optimizer(name, values, 0.05, weight_decay=0.001)
    opt_a = make_optimizer(name, [param], 0.05, weight_decay=0.001)
    for g in GRADS:
        for v, gi in zip(values, g):
            v.grad = float(gi)
        param.grad = g.copy()
        opt_v.step()
        opt_a.step()
        assert [v.data for v in values] == pytest.approx(param.data.tolist(), rel=0, abs=1e-15)
    opt_v.zero_grad()
    opt_a.zero_grad()
    assert all(v.grad == 0.0 for v in values) and not param.grad.any()


def test_bad_arguments_are_named() -> None:
    with pytest.raises(ValueError, match="lr must be positive"):
        SGD([Value(1.0)], lr=0.0)
    with pytest.raises(ValueError, match=r"momentum must be in \[0, 1\)"):
        Momentum([Value(1.0)], lr=0.1, momentum=1.0)
    with pytest.raises(ValueError, match="needs at least one parameter"):
        Adam([], lr=0.1)
    with pytest.raises(TypeError, match="Values or array parameters"):
        SGD([Value(1.0), Parameter(np.zeros(2), "w")], lr=0.1)  # type: ignore[list-item]
    with pytest.raises(ValueError, match="optimizer must be one of"):
        make_optimizer("lbfgs", [Value(1.0)], 0.1)
    p = Parameter(np.zeros(2), "W_1")
    p.grad = np.array([1.0, np.nan])
    with pytest.raises(ValueError, match="gradient of W_1 is nan; not updating"):
        SGD([p], lr=0.1).step()
    assert not p.data.any()


def test_mlp_parameters_work_with_every_optimizer() -> None:
    mlp = MLP(2, [3], 2, seed=0)
    for name in OPTIMIZERS:
        opt = make_optimizer(name, mlp.parameters(), 0.01)
        before = [p.data for p in mlp.parameters()]
        for p in mlp.parameters():
            p.grad = 0.5
        opt.step()
        assert all(p.data < b for p, b in zip(mlp.parameters(), before)), name


def test_a_repeated_parameter_is_a_warning_and_is_stepped_once() -> None:
    w = Value(1.0)  # unnamed: the warning says where it is repeated
    w.grad = 1.0
    with pytest.warns(UserWarning, match=r"SGD: parameters\[1\] \(Value\(data=1.*is parameters\[0\] again; it is kept once") as caught:
        opt = SGD([w] * 2, lr=0.1)
    assert caught[0].filename == __file__  # the warning points at the caller, as PyTorch's does
    opt.step()
    assert opt.parameters == [w] and w.data == pytest.approx(0.9)  # one step, not two
    net = Network([2, 2])
    with pytest.warns(UserWarning, match=r"Adam: parameters\[1\] \(W_1\) is parameters\[0\] again"):
        adam = Adam([net.parameters()[0], net.parameters()[0], net.parameters()[1]], lr=0.1)
    assert [p.name for p in adam.parameters] == ["W_1", "b_1"] and len(adam.state) == 2


@pytest.mark.parametrize("engine", ["scalar", "numpy"])
@pytest.mark.parametrize("make", [lambda p: Adam(p, lr=0.1, eps=0.0), lambda p: AdaGrad(p, lr=0.1, eps=0.0)])
def test_eps_zero_with_a_zero_gradient_is_no_update_not_nan(engine: str, make: object) -> None:
    if engine == "scalar":
        w = [Value(1.0), Value(2.0)]
        w[0].grad, w[1].grad = 0.0, 0.5  # a blank pixel's weight: exactly 0
        make(w).step()  # type: ignore[operator]
        assert w[0].data == 1.0 and w[1].data < 2.0
    else:
        net = Network([2, 2], output="linear")
        net.parameters()[0].grad[...] = [[0.0, 0.5], [0.0, 0.0]]
        before = net.W[1].copy()
        make(net.parameters()).step()  # type: ignore[operator]
        assert np.isfinite(net.W[1]).all() and net.W[1][0, 0] == before[0, 0] and net.W[1][0, 1] < before[0, 1]


def test_an_optimizer_of_another_model_is_an_error() -> None:
    net, other = Network([2, 3, 2]), Network([2, 3, 2])
    X, y = np.zeros((4, 2)), np.array([0, 1, 0, 1])
    with pytest.raises(ValueError, match="are not this model's"):
        net.fit(X, y, optimizer=SGD(other.parameters(), lr=0.1))
    with pytest.raises(TypeError, match=r"must be an Optimizer .* got 'adam'"):
        net.fit(X, y, optimizer="adam")  # type: ignore[arg-type]
    mlp, mlp2 = MLP(2, [3], 2), MLP(2, [3], 2)
    with pytest.raises(ValueError, match="are not this model's"):
        fit(mlp, [[0.0, 1.0]], [1], optimizer=SGD(mlp2.parameters(), lr=0.1))
    frozen = [p.data for p in mlp.layers[0].parameters()]
    fit(mlp, [[0.0, 1.0]], [1], epochs=2, optimizer=SGD(mlp.layers[1].parameters(), lr=0.1))  # a subset: layer 1 frozen
    assert [p.data for p in mlp.layers[0].parameters()] == frozen


def test_sgd_refuses_an_overflowing_update_and_changes_nothing() -> None:
    w, u = Value(1e308, label="w"), Value(1.0, label="u")
    w.grad, u.grad = -1e308, 1.0
    with pytest.raises(OverflowError, match=r"update of w overflowed"):
        SGD([u, w], lr=10.0).step()
    assert (u.data, w.data) == (1.0, 1e308)


def test_a_failed_step_changes_nothing_in_either_engine() -> None:
    w = Value(1.0, label="w")
    w.grad = 1.0
    opt = SGD([w], lr=1e300)
    w.grad = 1e10
    with pytest.raises(UpdateOverflow, match="update of w overflowed"):
        opt.step()
    assert (w.data, opt.t) == (1.0, 0)
    adam = Adam([w], lr=1e300)
    w.grad = 1e300
    with pytest.raises(OverflowError):
        adam.step()  # v = (1 - β2) g² overflows
    assert (w.data, adam.t, adam.state) == (1.0, 0, [{}])
    net = Network([2, 2], output="linear")
    for p in net.parameters():
        p.grad[...] = 1.0
    before = [p.data.copy() for p in net.parameters()]
    big = Adam(net.parameters(), lr=1e300)
    net.parameters()[1].grad[...] = 1e300  # b_1: its v overflows, after W_1 was updated
    with pytest.raises(OverflowError, match="b_1"):
        big.step()
    assert all(np.array_equal(p.data, b) for p, b in zip(net.parameters(), before)) and big.t == 0 and big.state == [{}, {}]
    net.parameters()[1].grad[...] = 1.0
    big.lr = 0.1
    big.step()  # and the next step works from the state as it was
    assert big.t == 1 and np.isfinite(big.state[1]["v"]).all()


def test_a_weight_decay_overflow_names_lambda() -> None:
    mlp = MLP(2, [2], 2, seed=0)
    opt = SGD(mlp.parameters(), lr=0.1, weight_decay=1e308)
    for p in mlp.parameters():
        p.data = 10.0
    with pytest.raises(TrainingDiverged, match=r"weight-decay term λw .* overflowed \(λ = 1e\+308\).*--weight-decay 1e\+307"):
        fit(mlp, [[0.5, 1.0], [1.0, 0.0]], [0, 1], epochs=1, optimizer=opt)
    line = one_line(run_cli("train", "--epochs", "2", "--quiet", "--weight-decay", "1e308"), 1)
    assert "weight decay" in line and "smaller learning rate" not in line
