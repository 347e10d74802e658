"""``sladesk demo``: seed the demo organisations, contacts and agents (idempotent)."""

from __future__ import annotations

import logging
import os
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Create the demo data through the desk's own services: one organisation per plan with "
        "its contacts and environments, and an agent of each role. Running it again changes "
        "nothing. Prints the demo logins."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet", action="store_true", help="print only the logins")
        parser.add_argument(
            "--url",
            default=f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/",
            help="the desk's URL to print with the logins",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # The seed's own summary says what it made; the event log lines of each demo
        # ticket would bury the logins a new user is looking for.
        ledger_log = logging.getLogger("sladesk.tickets")
        level = ledger_log.level
        ledger_log.setLevel(logging.WARNING)
        try:
            self._seed(options)
        finally:
            ledger_log.setLevel(level)

    def _seed(self, options: dict[str, Any]) -> None:
        from sladesk.accounts.demo import seed_demo
        from sladesk.kb.demo import seed_kb_demo
        from sladesk.tickets.demo import seed_tickets_demo

        result = seed_demo(stdout=None if options["quiet"] else cast(TextIO, self.stdout))
        articles = seed_kb_demo()
        if not options["quiet"]:
            self.stdout.write(
                f"Knowledge base: {articles} demo article(s) created."
                if articles
                else "Knowledge base: demo articles already present."
            )
        tickets = seed_tickets_demo()
        if not options["quiet"]:
            self.stdout.write(
                f"Tickets: {tickets} demo ticket(s) opened."
                if tickets
                else "Tickets: demo tickets already present."
            )
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"sladesk demo desk: {options['url']}"))
        self.stdout.write(f"Demo logins (password for all: {result.password}):")
        width = max((len(login.email) for login in result.logins), default=10)
        for login in result.logins:
            where = f"  ({login.organisation})" if login.organisation else ""
            self.stdout.write(f"  {login.email:<{width}}  {login.role}{where}")
        self.stdout.write(f"Admin: {options['url']}admin/   API docs: {options['url']}api/docs")
