"""Lecture 5's rules against torch.optim where the definitions coincide (skipped, with the reason, without torch)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from micrograd_nptel.batched import Network
from micrograd_nptel.optim import NAG, SGD, Adam, Momentum, RMSProp

torch = pytest.importorskip("torch", reason="torch is not installed: pip install -e '.[torch]' (CI installs it)")

from test_optim import GRADS, W0, run, same  # noqa: E402


def torch_run(factory: object, **kw: float) -> list[np.ndarray]:
    w = torch.tensor(W0.copy(), dtype=torch.float64, requires_grad=True)
    opt = factory([w], **kw)  # type: ignore[operator]
    out = []
    for g in GRADS:
        w.grad = torch.from_numpy(g.copy())
        opt.step()
        out.append(w.detach().numpy().copy())
    return out


def test_momentum_sgd_and_weight_decay_agree_with_torch() -> None:
    same(run(SGD, lr=0.1, weight_decay=0.01), torch_run(torch.optim.SGD, lr=0.1, weight_decay=0.01))
    same(run(Momentum, lr=0.1, momentum=0.9), torch_run(torch.optim.SGD, lr=0.1, momentum=0.9), 1e-15)
    same(run(NAG, lr=0.1, momentum=0.9), torch_run(torch.optim.SGD, lr=0.1, momentum=0.9, nesterov=True), 1e-15)
    same(run(Momentum, lr=0.1, momentum=0.9, weight_decay=0.01), torch_run(torch.optim.SGD, lr=0.1, momentum=0.9, weight_decay=0.01), 1e-15)


def test_rmsprop_and_adam_agree_with_torch_when_eps_is_zero() -> None:
    """Lecture 5 writes η/√(v + ε); torch writes η/(√v + ε). With ε = 0 they are one rule."""
    same(run(RMSProp, lr=0.01, beta=0.9, eps=0.0), torch_run(torch.optim.RMSprop, lr=0.01, alpha=0.9, eps=0.0), 1e-15)
    same(run(Adam, lr=0.01, eps=0.0), torch_run(torch.optim.Adam, lr=0.01, eps=0.0), 1e-15)
    same(run(Adam, lr=0.01, eps=0.0, weight_decay=0.1), torch_run(torch.optim.Adam, lr=0.01, eps=0.0, weight_decay=0.1), 1e-15)
    # with the default ε = 1e-8 the two placements differ by about ηε/√v per step: tiny, but not zero
    ours, theirs = run(Adam, lr=0.01), torch_run(torch.optim.Adam, lr=0.01)
    assert 0 < np.abs(ours[-1] - theirs[-1]).max() < 1e-8


def test_a_network_trained_with_adam_matches_torch() -> None:
    net = Network([4, 6, 3], activation="tanh", seed=3)
    model = torch.nn.Sequential(torch.nn.Linear(4, 6, dtype=torch.float64), torch.nn.Tanh(), torch.nn.Linear(6, 3, dtype=torch.float64))
    with torch.no_grad():
        for i, k in ((0, 1), (2, 2)):
            model[i].weight.copy_(torch.from_numpy(net.W[k]))
            model[i].bias.copy_(torch.from_numpy(net.b[k]))
    opt = Adam(net.parameters(), lr=0.01, eps=0.0)
    topt = torch.optim.Adam(model.parameters(), lr=0.01, eps=0.0)
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(16, 4)), rng.integers(0, 3, 16)
    for _ in range(20):
        loss = net.backward(X, y).loss
        opt.step()
        topt.zero_grad()
        tloss = torch.nn.functional.cross_entropy(model(torch.from_numpy(X)), torch.from_numpy(y))
        tloss.backward()
        topt.step()
        assert math.isclose(loss, tloss.item(), rel_tol=1e-12)
    assert np.abs(model[0].weight.detach().numpy() - net.W[1]).max() < 1e-12
