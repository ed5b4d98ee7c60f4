"""`python -m nianbao` and the `nianbao` console script."""

import sys


def run() -> int:
    """Import the CLI inside the Ctrl-C guard: an interrupt during start-up is one line too."""
    try:
        from nianbao.cli import main
    except KeyboardInterrupt:
        print("nianbao: interrupted", file=sys.stderr)
        return 130
    return main()


# Guarded: worker processes are spawned and re-import the main module under another name.
if __name__ == "__main__":
    sys.exit(run())
