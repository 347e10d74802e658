"""What every accounts command shares: one-line errors, date arguments, actions."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sladesk.accounts.actor import Actor
from sladesk.core.exceptions import DeskError


def date_arg(value: str) -> dt.date:
    """Parse ``YYYY-MM-DD`` for argparse."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None


def one_line(text: str) -> str:
    """Return ``text`` on a single line."""
    return " ".join(text.split())


class DeskCommand(BaseCommand):
    """A command with sub-actions (``sladesk org add ...``) whose refusals are one line.

    A ``DeskError`` from a service becomes ``CommandError: <reason> [<code>]`` on stderr
    and exit status 1. Each action ``x-y`` is handled by the method ``do_x_y(**options)``.
    """

    actor = Actor.cli()
    verbosity = 1

    def add_actions(self, parser: CommandParser) -> Any:
        """Return the sub-parser factory for this command's actions."""
        return parser.add_subparsers(dest="action", required=True, metavar="ACTION")

    def execute(self, *args: Any, **options: Any) -> str | None:
        self.verbosity = int(options.get("verbosity", 1))
        try:
            return super().execute(*args, **options)
        except DeskError as exc:
            raise CommandError(one_line(f"{exc.message} [{exc.code}]")) from exc

    def handle(self, *args: Any, **options: Any) -> str | None:
        action = str(options["action"]).replace("-", "_")
        getattr(self, f"do_{action}")(**options)
        return None

    def say(self, text: str = "") -> None:
        """Write a line to stdout unless ``--verbosity 0``."""
        if self.verbosity > 0:
            self.stdout.write(text)
