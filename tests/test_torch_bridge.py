"""micrograd_nptel.torch: the lecture's network as a torch.nn.Sequential and back, with identical outputs and gradients."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="torch is not installed: pip install -e '.[torch]' (CI installs it)")

from micrograd_nptel import MLP, Value, cross_entropy, squared_error  # noqa: E402
from micrograd_nptel.torch import from_torch, to_torch  # noqa: E402


@pytest.mark.parametrize("g", ["logistic", "tanh", "relu", "linear"])
@pytest.mark.parametrize("output", ["softmax", "linear"])
def test_identical_outputs_and_gradients(g: str, output: str) -> None:
    mlp = MLP(4, [5, 3], 3, activation=g, output=output, seed=2)
    model = to_torch(mlp)
    x = [0.3, -1.2, 0.8, 2.0]
    y_hat = mlp([Value(v) for v in x])
    out = model(torch.tensor([x], dtype=torch.float64))
    assert np.abs(out.detach().numpy()[0] - [v.data for v in y_hat]).max() < 1e-12
    if output == "softmax":  # L = -log ŷ_l in both
        L, tL = cross_entropy(y_hat, 1), -torch.log(out[0, 1])
    else:
        target = [0.5, -0.5, 1.0]
        L, tL = squared_error(y_hat, target), ((out[0] - torch.tensor(target, dtype=torch.float64)) ** 2).sum()
    mlp.zero_grad()
    L.backward()
    tL.backward()
    assert abs(L.data - tL.item()) < 1e-12
    linears = [m for m in model if isinstance(m, torch.nn.Linear)]
    for layer, linear in zip(mlp.layers, linears):
        dW = np.array([[w.grad for w in row] for row in layer.W])
        db = np.array([b.grad for b in layer.b])
        assert np.abs(dW - linear.weight.grad.numpy()).max() < 1e-12 and np.abs(db - linear.bias.grad.numpy()).max() < 1e-12


def test_round_trip_and_logits() -> None:
    mlp = MLP(3, [4], 2, activation="tanh", seed=5)
    back = from_torch(to_torch(mlp))
    assert back.state_dict() == mlp.state_dict() and (back.activation, back.output) == ("tanh", "softmax")
    logits = to_torch(mlp, softmax=False)
    assert not isinstance(list(logits)[-1], torch.nn.Softmax)
    assert from_torch(logits).output == "linear"
    net = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2), torch.nn.Softmax(dim=-1))
    mlp2 = from_torch(net)
    assert (mlp2.nin, mlp2.hidden, mlp2.nout, mlp2.activation) == (2, [3], 2, "relu")
    assert np.allclose([v.data for v in mlp2([0.1, 0.2])], net(torch.tensor([[0.1, 0.2]])).detach().numpy()[0], atol=1e-6)


def test_layers_that_cannot_be_mapped_are_named() -> None:
    with pytest.raises(ValueError, match="layer 1 is Dropout, which cannot be mapped"):
        from_torch(torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Dropout(), torch.nn.Linear(3, 2)))
    with pytest.raises(ValueError, match="layer 0 is Conv2d"):
        from_torch(torch.nn.Sequential(torch.nn.Conv2d(1, 1, 3)))
    with pytest.raises(ValueError, match="mix activations"):
        from_torch(
            torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU(), torch.nn.Linear(2, 2), torch.nn.Tanh(), torch.nn.Linear(2, 2))
        )
    with pytest.raises(ValueError, match="Linear 1 has 3 outputs but Linear 2 has 4 inputs"):
        from_torch(torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(4, 2)))
    with pytest.raises(ValueError, match="needs a bias"):
        from_torch(torch.nn.Sequential(torch.nn.Linear(2, 3, bias=False)))
    with pytest.raises(TypeError, match=r"needs a torch\.nn\.Sequential"):
        from_torch(torch.nn.Linear(2, 3))
    with pytest.raises(TypeError, match="to_torch needs an MLP"):
        to_torch("mlp")  # type: ignore[arg-type]


def test_subclasses_meta_nan_complex_and_lazy_layers() -> None:
    """Odd modules: an activation subclass is read as its base; a layer on the meta device, with NaN/inf or complex
    numbers, or an uninitialised LazyLinear is a ValueError naming the layer."""

    class MySigmoid(torch.nn.Sigmoid):
        pass

    assert from_torch(torch.nn.Sequential(torch.nn.Linear(2, 3), MySigmoid(), torch.nn.Linear(3, 2))).activation == "logistic"
    meta = torch.nn.Sequential(torch.nn.Linear(2, 3, device="meta"), torch.nn.Tanh(), torch.nn.Linear(3, 2, device="meta"))
    with pytest.raises(ValueError, match=r"layer 0 .* on the meta device"):
        from_torch(meta)
    nan = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 2))
    with torch.no_grad():
        nan[2].bias[1] = float("inf")
    with pytest.raises(ValueError, match=r"layer 2 .* NaN or infinite numbers in its bias"):
        from_torch(nan)
    complex_net = torch.nn.Sequential(torch.nn.Linear(2, 3, dtype=torch.complex64))
    with pytest.raises(ValueError, match=r"layer 0 .* torch\.complex64 weight"):
        from_torch(complex_net)
    with pytest.raises(ValueError, match="layer 0 is an uninitialised LazyLinear"):
        from_torch(torch.nn.Sequential(torch.nn.LazyLinear(3), torch.nn.Tanh(), torch.nn.Linear(3, 2)))
