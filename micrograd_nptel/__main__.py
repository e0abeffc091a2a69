"""``python -m micrograd_nptel``: the same as the ``micrograd-nptel`` command."""

import sys

from .cli import main

sys.exit(main())
