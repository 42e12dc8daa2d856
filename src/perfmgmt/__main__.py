"""Run the ``perfmgmt`` command: ``python -m perfmgmt --help``."""

from __future__ import annotations

import sys

from perfmgmt.cli import main

if __name__ == "__main__":
    sys.exit(main())
