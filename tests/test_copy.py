"""Copying and pickling (``_copy.py``): graphs of any depth, and networks whose copies share nothing with them."""

from __future__ import annotations

import copy
import pickle

from micrograd_nptel import MLP, Value


def test_pickle_and_deepcopy_a_100k_node_chain() -> None:
    x = Value(0.5, label="x")
    v = x
    for _ in range(100_000):
        v = (v * 1.0001).tanh()
    v.backward()
    for copied in (pickle.loads(pickle.dumps(v)), copy.deepcopy(v)):
        assert copied.data == v.data and copied is not v
        copied.backward()
    mlp = MLP(2, [3], 2, seed=0)
    again = copy.deepcopy(mlp)
    assert again.layers[0].W[0][0] is not mlp.layers[0].W[0][0] and again.state_dict() == mlp.state_dict()
    restored = pickle.loads(pickle.dumps(mlp))
    assert restored([1.0, 2.0])[0].data == mlp([1.0, 2.0])[0].data
