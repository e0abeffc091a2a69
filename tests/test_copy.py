"""Copying and pickling (``_copy.py``): graphs of any depth, and networks whose copies share nothing with them."""

from __future__ import annotations

import copy
import pickle

from micrograd_nptel import MLP, Value
from micrograd_nptel.training import gc_paused


def test_pickle_and_deepcopy_a_100k_node_chain() -> None:
    # A big graph, alive at once: built with the collector paused (training.gc_paused, as for a student's own loop
    # over a big graph); the engine's graphs hold no cycles. The subject is copying a graph deeper than the recursion limit.
    with gc_paused():
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


def test_a_pickle_dump_that_fails_part_way_leaves_nothing_behind() -> None:
    """Issue 34, item 6: after a dump that failed on a full disk, pickling a node of that graph in the same thread
    raised RecursionError (the thread's pickling state still held the failed dump's depth and flat prefix)."""
    import io

    class FullDisk(io.RawIOBase):
        def __init__(self, room: int) -> None:
            self.room = room

        def writable(self) -> bool:
            return True

        def write(self, b: object) -> int:
            n = len(b)  # type: ignore[arg-type]
            self.room -= n
            if self.room < 0:
                raise OSError(28, "No space left on device")
            return n

    v = Value(1.0)
    nodes = []
    for _ in range(3000):
        v = v * 1.0001 + 0.5
        nodes.append(v)
    for kept in (False, True):  # the Pickler dropped at once, or kept (with its exception) by the caller
        pickler = pickle.Pickler(FullDisk(20_000), protocol=5)
        try:
            pickler.dump(v)
        except OSError as e:
            assert e.errno == 28
        else:
            raise AssertionError("the dump should have failed")
        if not kept:
            del pickler
        inner = nodes[2500]
        back = pickle.loads(pickle.dumps(inner))  # was RecursionError
        assert back.data == inner.data and back.parents[0].data == inner.parents[0].data
