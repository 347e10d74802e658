"""``sladesk sla due``: when is the first response due for a ticket opened at an instant?

The same library call the desk uses (``sladesk.sla.first_response_due``), exposed so a
support manager can check a contract's arithmetic by hand, with ``--explain`` showing
the level used, the target and every open window counted.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sladesk.clock import ClockError
from sladesk.policy import Policy, PolicyError, get_policy, load_policy
from sladesk.policy.schema import format_duration
from sladesk.sla import FirstResponseExplanation, PolicyLookupError, explain_first_response

EXAMPLE = "2026-03-06T16:30:00-08:00"


class Command(BaseCommand):
    help = (
        "Compute SLA due instants with the policy in force (or --policy FILE).\n"
        "\n"
        "  sladesk sla due --plan PLAN --severity LEVEL --opened INSTANT\n"
        "                  [--non-production] [--policy FILE] [--explain] [--json]\n"
        "      print when the first response is due, in UTC and in the calendar's zone\n"
        "\n"
        "Run 'sladesk sla due --help' for details."
    )
    # Computing with --policy FILE must work even if the policy in force is broken.
    requires_system_checks: list[str] = []

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        """Keep the help's line breaks."""
        from argparse import RawDescriptionHelpFormatter

        return super().create_parser(
            prog_name, subcommand, formatter_class=RawDescriptionHelpFormatter, **kwargs
        )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(
            dest="action", required=True, metavar="{due}", title="subcommands"
        )
        due = actions.add_parser(
            "due",
            help="when the first response is due",
            description=(
                "Print the instant the first response is due for a ticket of PLAN at LEVEL "
                "opened at INSTANT: in ISO-8601 UTC and in the target calendar's zone. A "
                "non-production ticket takes the policy's non-production level (L4) first."
            ),
        )
        due.add_argument("--plan", required=True, help="plan id, e.g. premier")
        due.add_argument("--severity", required=True, help="severity level id, e.g. L2")
        due.add_argument(
            "--opened",
            required=True,
            metavar="INSTANT",
            help=f"when the ticket was opened, ISO-8601 with a UTC offset, e.g. {EXAMPLE}",
        )
        due.add_argument(
            "--non-production",
            action="store_true",
            help="the ticket concerns a non-production environment",
        )
        due.add_argument(
            "--policy", metavar="FILE", help="a policy file (default: the one in force)"
        )
        due.add_argument(
            "--explain",
            action="store_true",
            help="also show the level used and why, the target, the calendar and the windows counted",
        )
        due.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        policy = self.policy(options.get("policy"))
        opened = parse_instant(options["opened"])
        try:
            explanation = explain_first_response(
                options["plan"],
                options["severity"],
                opened,
                production=not options["non_production"],
                policy=policy,
            )
        except (PolicyLookupError, ClockError) as exc:
            raise CommandError(str(exc)) from None
        if options["json"]:
            self.stdout.write(json.dumps(explanation_to_dict(explanation, policy), indent=2))
        elif options["explain"]:
            self.stdout.write("\n".join(render_explanation(explanation)))
        else:
            self.stdout.write("\n".join(render_due(explanation)))

    def policy(self, path: str | None) -> Policy:
        try:
            return load_policy(path) if path else get_policy()
        except PolicyError as exc:
            for line in exc.lines()[:-1]:
                self.stderr.write(line)
            raise CommandError(exc.lines()[-1]) from None


def parse_instant(text: str) -> datetime:
    """Parse ``--opened``; refuse text without a UTC offset rather than guess a zone."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(
            f"--opened {text!r} is not an ISO-8601 date and time (e.g. {EXAMPLE})"
        ) from None
    if value.utcoffset() is None:
        raise CommandError(
            f"--opened {text!r} has no UTC offset; add one, e.g. {EXAMPLE} or "
            f"{text.strip()}Z for UTC"
        )
    return value


def _local(explanation: FirstResponseExplanation, instant: datetime) -> str:
    local = explanation.local(instant)
    return f"{local.isoformat()} ({local.strftime('%a')})"


def render_due(explanation: FirstResponseExplanation) -> list[str]:
    """Return the two lines every answer has: the due instant in UTC and locally."""
    return [
        f"due (UTC):   {explanation.due.isoformat()}",
        f"due (local): {_local(explanation, explanation.due)} {explanation.zone}",
    ]


def render_explanation(explanation: FirstResponseExplanation) -> list[str]:
    """Return the due instant with the reasoning behind it (``--explain``)."""
    e = explanation
    lines = [
        f"plan:      {e.plan} ({e.plan_name})",
        f"severity:  {e.severity} ({e.reason})",
        f"target:    {e.target_description}",
        f"calendar:  {e.calendar}: {e.calendar_description}",
        f"opened:    {_local(e, e.opened_at)} = {e.opened_at.isoformat()} UTC",
    ]
    if e.target.kind == "duration":
        lines.append(
            f"counted:   {format_duration(e.open_time)} of open time in these windows ({e.zone}):"
        )
    else:
        lines.append(f"open windows until due ({e.zone}):")
    for start, end in e.counted:
        a, b = e.local(start), e.local(end)
        span = format_duration(end - start)
        lines.append(
            f"  {a.strftime('%a %Y-%m-%d %H:%M')} -> {b.strftime('%a %Y-%m-%d %H:%M %Z')}  ({span})"
        )
    if not e.counted:
        lines.append("  (none)")
    lines += render_due(e)
    return lines


def explanation_to_dict(explanation: FirstResponseExplanation, policy: Policy) -> dict[str, Any]:
    """Return the answer as JSON-ready data (``--json``)."""
    e = explanation
    return {
        "policy": policy.id,
        "policy_version": policy.version,
        "plan": e.plan,
        "requested_severity": e.requested_severity,
        "severity": e.severity,
        "reason": e.reason,
        "target": e.target_description,
        "calendar": e.calendar,
        "zone": e.zone,
        "opened_at": e.opened_at.isoformat(),
        "due": e.due.isoformat(),
        "due_local": e.local(e.due).isoformat(),
        "open_seconds_counted": int(e.open_time.total_seconds()),
        "windows": [
            {"start": e.local(start).isoformat(), "end": e.local(end).isoformat()}
            for start, end in e.counted
        ],
    }
