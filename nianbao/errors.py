"""Errors a user can act on: printed as one line, never as a traceback."""


class UserError(Exception):
    """Bad input or configuration; the CLI prints `nianbao: <message>` and exits 2."""

    exit_code = 2
