"""``sladesk door check``: ask the door whether a request may become a ticket."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import CommandError, CommandParser

from sladesk.accounts.door import CHANNELS, request_check
from sladesk.accounts.management.base import DeskCommand
from sladesk.core import time


def _instant(value: str) -> dt.datetime:
    import argparse

    try:
        at = dt.datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not an ISO 8601 instant") from None
    if at.tzinfo is None:
        raise argparse.ArgumentTypeError(
            f"{value!r} has no UTC offset (e.g. 2026-03-06T16:30:00-08:00)"
        )
    return at


class Command(DeskCommand):
    help = (
        "Ask the door (the check every channel makes) whether REQUESTER may open a request: prints "
        "the decision, its reasons and the agent flags. Exit status 0 when allowed, 1 when refused."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = self.add_actions(parser)
        check = actions.add_parser("check", help="check a request", description="Check a request.")
        check.add_argument("--email", required=True, help="the requester's e-mail")
        check.add_argument("--channel", required=True, choices=CHANNELS)
        check.add_argument(
            "--org", help="organisation id, reference or name (default: the requester's)"
        )
        check.add_argument("--env", help="environment id")
        check.add_argument("--at", type=_instant, help="when (ISO 8601 with offset; default: now)")

    def do_check(self, **options: Any) -> None:
        decision = request_check(
            channel=options["channel"],
            at=options["at"] or time.now(),
            requester_email=options["email"],
            organisation=options["org"],
            environment=options["env"],
        )
        verdict = "ALLOWED" if decision.allowed else "REFUSED"
        org = decision.organisation.name if decision.organisation else "unknown organisation"
        self.stdout.write(
            f"{verdict}: {decision.requester_email or options['email']} ({org}), plan {decision.plan_id or '-'}, via {decision.channel} on {decision.day}"
        )
        for reason in decision.reasons:
            self.stdout.write(f"  refused  {reason.code}: {reason.message}")
        for flag in decision.flags:
            self.stdout.write(f"  flag     {flag.code}: {flag.message}")
        if not decision.allowed:
            first = decision.reasons[0]
            raise CommandError(f"refused: {first.message} [{first.code}]")
