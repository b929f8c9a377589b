"""`python -m opencommons.cli`."""

from . import run

run()
