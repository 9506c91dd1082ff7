"""Entry point for `python -m flagstone`."""

import sys

from flagstone.cli import run

sys.exit(run())
