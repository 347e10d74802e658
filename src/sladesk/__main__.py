"""The ``sladesk`` command: Django's management commands with sladesk's settings.

``sladesk serve``, ``sladesk worker``, ``sladesk policy check FILE``, ``sladesk demo`` ...
``sladesk help`` lists every command.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run a management command with ``sladesk.config.settings.dev`` unless told otherwise."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sladesk.config.settings.dev")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["sladesk", *argv])
    args[0] = "sladesk"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
