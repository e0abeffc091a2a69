"""Test-session settings: numerical libraries run one thread per process.

The tests multiply small matrices (a batch of 64 by 784 inputs at most). OpenBLAS's threads cost more than they save
there, and on a busy machine far more: one step of ``Network.fit`` on 64 x 784 took 65 ms with OpenBLAS's default
threads on this 2-core machine under load, 1.5 ms with one thread, and a test that took 28 s took 6.5 s. Set before
numpy is imported (pytest imports this file before the test modules), and inherited by the command-line and notebook
subprocesses the tests start; a value already set in the environment is kept.
"""

from __future__ import annotations

import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
