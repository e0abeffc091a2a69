"""``python -m micrograd_nptel``: the same as the ``micrograd-nptel`` command."""

from .cli import main_exit

main_exit()
