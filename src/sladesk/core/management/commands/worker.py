"""``sladesk worker``: run background tasks from the database queue."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Run background tasks (django-tasks database backend). Start as many workers as you "
        "like against one PostgreSQL database: each task is claimed by exactly one worker."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--queue", default="*", help="queue names, comma-separated, or * for all (default)")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls (default 1)")
        parser.add_argument("--batch", action="store_true", help="process what is queued, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command(
            "db_worker",
            queue_name=options["queue"],
            interval=options["interval"],
            batch=options["batch"],
            stdout=self.stdout,
            stderr=self.stderr,
        )
