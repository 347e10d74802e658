"""The ``sladesk`` command: Django's management commands with sladesk's settings.

``sladesk serve``, ``sladesk worker``, ``sladesk policy check FILE``, ``sladesk demo`` ...
``sladesk help`` lists every command.
"""

from __future__ import annotations

import os
import sys

#: Exit status when the reader of stdout goes away (``sladesk ticket list | head -1``):
#: 128 + SIGPIPE (13), what the shell reports for ``cat``, ``yes`` and other Unix tools
#: killed by SIGPIPE, so ``set -o pipefail`` scripts see the same thing as with them.
EXIT_BROKEN_PIPE = 141


def main(argv: list[str] | None = None) -> None:
    """Run a management command with ``sladesk.config.settings.dev`` unless told otherwise.

    When the process reading stdout closes it early (``sladesk ticket list | head -1``),
    the command stops quietly -- no ``BrokenPipeError`` traceback -- and exits with
    ``EXIT_BROKEN_PIPE`` (141) like other Unix tools. stdout is pointed at ``os.devnull``
    first so Python's own flush at interpreter exit does not fail again (the recipe in
    the Python documentation's ``signal`` module notes on SIGPIPE).
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sladesk.config.settings.dev")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["sladesk", *argv])
    args[0] = "sladesk"
    try:
        execute_from_command_line(args)
        sys.stdout.flush()  # a write failing at exit would escape the handler below
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(EXIT_BROKEN_PIPE)


if __name__ == "__main__":
    main()
