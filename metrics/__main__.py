"""``python -m metrics``: the documented way to run the command line. An entry script only: it is
run, never imported, so the core still imports nothing above it (the architecture test knows this
one file)."""

import sys

from cli.main import main

sys.exit(main())
