"""`python -m nianbao` is the `nianbao` command."""

import sys

from nianbao.cli import main

# Guarded: worker processes are spawned and re-import the main module under another name.
if __name__ == "__main__":
    sys.exit(main())
