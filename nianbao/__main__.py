"""`python -m nianbao` is the `nianbao` command."""

import sys

from nianbao.cli import main

sys.exit(main())
