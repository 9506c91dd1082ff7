"""Entry point for `python -m flagstone`."""

import sys

from flagstone.cli import main

sys.exit(main())
