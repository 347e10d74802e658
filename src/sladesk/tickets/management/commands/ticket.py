"""``sladesk ticket open|show|reply|list|shift``: tickets from the command line.

The operator runs these with shell access (agent's view: internal notes included).
Every command calls the same services and selectors as the API; a refusal prints one
line on stderr (the reason and its code) and exits with status 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any, NoReturn

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sladesk.accounts.actor import Actor
from sladesk.accounts.models import Agent, Organisation
from sladesk.core import time
from sladesk.core.exceptions import DeskError
from sladesk.policy import get_policy
from sladesk.tickets import selectors, sla
from sladesk.tickets.models import Category, Status, Ticket
from sladesk.tickets.services import (
    Upload,
    agent_availability_set,
    ticket_note,
    ticket_open,
    ticket_reply,
)

HELP = """\
Open, show, answer and list tickets (the agent's view: internal notes included).

  sladesk ticket open --requester EMAIL --subject TEXT --description TEXT
                      --severity L2 --category troubleshooting [--environment ID]
                      [--attach FILE ...] [--json]
  sladesk ticket show ID [--explain] [--json]
  sladesk ticket reply ID --as EMAIL --body TEXT [--internal] [--attach FILE ...]
  sladesk ticket list [--status S] [--severity L] [--plan P] [--team SLUG|none]
                      [--assignee ID|none] [--organisation ID|SLUG] [--breached|--not-breached]
                      [--open] [--sort due|-due|severity|opened|-opened|...] [--limit N] [--json]
  sladesk ticket shift EMAIL on|off      put an agent on or off shift (round-robin routing)

Run 'sladesk ticket COMMAND --help' for each command's options.
"""


class OneLineParser(CommandParser):
    """Report usage errors on one line (and exit 2), pointing at ``--help``."""

    def error(self, message: str) -> NoReturn:
        if self.called_from_command_line:
            self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")
        raise CommandError(f"Error: {message}")


def _read(value: str | None, path: str | None, *, what: str) -> str:
    if path is not None:
        if path == "-":
            return sys.stdin.read()
        try:
            return Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"cannot read the {what} file {path}: {exc.strerror}") from None
    return value or ""


def _uploads(paths: Sequence[str]) -> list[tuple[IO[bytes], str]]:
    opened: list[tuple[IO[bytes], str]] = []
    for path in paths:
        try:
            opened.append((Path(path).open("rb"), Path(path).name))  # noqa: SIM115 (closed by the caller)
        except OSError as exc:
            raise CommandError(f"cannot read the attachment {path}: {exc.strerror}") from None
    return opened


def _when(instant: Any) -> str:
    return "-" if instant is None else f"{instant:%Y-%m-%d %H:%M} UTC"


class Command(BaseCommand):
    help = HELP

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(
            prog_name, subcommand, formatter_class=argparse.RawDescriptionHelpFormatter, **kwargs
        )
        parser.__class__ = OneLineParser
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(
            dest="action",
            required=True,
            metavar="{open,show,reply,list,shift}",
            parser_class=OneLineParser,
        )
        o = actions.add_parser(
            "open",
            help="open a ticket for a contact",
            description="Open a ticket on behalf of a contact (channel 'cli'), through the door: "
            "the requester must be a registered contact with a valid subscription.",
        )
        o.add_argument(
            "--requester", required=True, metavar="EMAIL", help="the contact's e-mail address"
        )
        o.add_argument("--subject", required=True)
        text = o.add_mutually_exclusive_group(required=True)
        text.add_argument("--description")
        text.add_argument(
            "--description-file", metavar="FILE", help="read the description from FILE ('-': stdin)"
        )
        o.add_argument("--severity", required=True, help="a level of the policy, e.g. L2")
        o.add_argument("--category", required=True, choices=Category.values)
        o.add_argument("--environment", metavar="ID", help="the environment's id")
        o.add_argument(
            "--attach",
            action="append",
            default=[],
            metavar="FILE",
            help="attach a file (repeatable)",
        )
        o.add_argument("--json", action="store_true", help="print the ticket as JSON")

        s = actions.add_parser(
            "show",
            help="show a ticket, its clocks and conversation",
            description="Show a ticket with its flags, clocks and messages (internal notes marked).",
        )
        s.add_argument("id", type=int)
        s.add_argument(
            "--explain",
            action="store_true",
            help="explain each clock: target, calendar, pauses, thresholds and the windows counted",
        )
        s.add_argument("--json", action="store_true")

        r = actions.add_parser(
            "reply",
            help="add a public reply or an internal note",
            description="Write on a ticket as an agent or a contact of its organisation (--as).",
        )
        r.add_argument("id", type=int)
        r.add_argument(
            "--as",
            dest="author",
            required=True,
            metavar="EMAIL",
            help="the agent or contact writing",
        )
        body = r.add_mutually_exclusive_group(required=True)
        body.add_argument("--body")
        body.add_argument(
            "--body-file", metavar="FILE", help="read the body from FILE ('-': stdin)"
        )
        r.add_argument("--internal", action="store_true", help="an internal note (agents only)")
        r.add_argument("--attach", action="append", default=[], metavar="FILE")

        ls = actions.add_parser(
            "list",
            help="list tickets",
            description="List tickets, most urgent due first by default.",
        )
        ls.add_argument("--status", action="append", default=[], choices=Status.values)
        ls.add_argument("--severity", action="append", default=[])
        ls.add_argument("--plan", action="append", default=[])
        ls.add_argument("--team", metavar="SLUG", help="a team slug, or 'none'")
        ls.add_argument("--assignee", metavar="ID", help="an agent id, or 'none'")
        ls.add_argument("--organisation", metavar="ID|SLUG")
        breached = ls.add_mutually_exclusive_group()
        breached.add_argument("--breached", dest="breached", action="store_const", const=True)
        breached.add_argument("--not-breached", dest="breached", action="store_const", const=False)
        ls.add_argument("--open", action="store_true", help="only tickets not solved or closed")
        ls.add_argument(
            "--sort", default="due", help=f"one of {', '.join(selectors.SORTS)}; '-' for descending"
        )
        ls.add_argument("--limit", type=int, default=50)
        ls.add_argument("--json", action="store_true")

        sh = actions.add_parser(
            "shift",
            help="put an agent on or off shift",
            description="Only agents on shift receive new tickets (round robin within their team).",
        )
        sh.add_argument("email")
        sh.add_argument("state", choices=["on", "off"])

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"do_{options['action']}")(options)
        except DeskError as exc:
            raise CommandError(f"{exc.message} [{exc.code}]") from None

    # -- commands ---------------------------------------------------------------------------

    def do_open(self, options: dict[str, Any]) -> None:
        description = _read(options["description"], options["description_file"], what="description")
        files = _uploads(options["attach"])
        try:
            ticket = ticket_open(
                channel="cli",
                subject=options["subject"],
                description=description,
                severity=options["severity"],
                category=options["category"],
                requester_email=options["requester"],
                environment=options["environment"],
                attachments=[Upload(stream, name) for stream, name in files],
                actor=Actor.cli(),
            )
        finally:
            for stream, _ in files:
                stream.close()
        if options["json"]:
            self.stdout.write(json.dumps(self._data(ticket), indent=2))
            return
        self.stdout.write(
            f"opened ticket #{ticket.pk}: {ticket.severity} {ticket.plan_id}, team "
            f"{ticket.team.slug if ticket.team else '-'}, assignee {ticket.assignee.name if ticket.assignee else '-'}, "
            f"due {_when(ticket.due_at)}"
        )
        for flag in ticket.flags:
            self.stdout.write(f"  flag {flag['code']}: {flag['message']}")

    def _ticket(self, ticket_id: int) -> Ticket:
        ticket = selectors.ticket_get(ticket_id)
        if ticket is None:
            raise CommandError(f"no ticket {ticket_id} [not_found]")
        return ticket

    def _data(self, ticket: Ticket) -> dict[str, Any]:
        now, policy = time.now(), get_policy()
        clocks = [
            sla.clock_state(c, now=now, policy=policy) for c in selectors.latest_clocks(ticket)
        ]
        return {
            "id": ticket.pk,
            "subject": ticket.subject,
            "status": ticket.status,
            "severity": ticket.severity,
            "requested_severity": ticket.requested_severity,
            "severity_reason": ticket.severity_reason,
            "suggested_severity": ticket.suggested_severity or None,
            "category": ticket.category,
            "organisation": ticket.organisation.name,
            "requester": ticket.requester.email,
            "plan": ticket.plan_id,
            "policy_version": ticket.policy_version,
            "is_production": ticket.is_production,
            "team": ticket.team.slug if ticket.team else None,
            "assignee": ticket.assignee.name if ticket.assignee else None,
            "due_at": ticket.due_at.isoformat() if ticket.due_at else None,
            "flags": ticket.flags,
            "clocks": [
                {
                    "kind": c.kind,
                    "state": c.state,
                    "target": c.target_label,
                    "due_at": c.due_at.isoformat() if c.due_at else None,
                    "met_at": c.met_at.isoformat() if c.met_at else None,
                    "breached": c.breached,
                    "breached_by_seconds": int(c.breached_by.total_seconds())
                    if c.breached_by
                    else None,
                }
                for c in clocks
            ],
        }

    def do_show(self, options: dict[str, Any]) -> None:
        ticket = self._ticket(options["id"])
        if options["json"]:
            data = self._data(ticket)
            data["messages"] = [
                {
                    "visibility": m.visibility,
                    "author": m.author_label,
                    "at": m.created_at.isoformat(),
                    "body": m.body,
                }
                for m in selectors.ticket_messages(ticket, include_internal=True)
            ]
            self.stdout.write(json.dumps(data, indent=2))
            return
        now, policy = time.now(), get_policy()
        w = self.stdout.write
        w(f"#{ticket.pk} {ticket.subject}")
        w(
            f"  status {Status(ticket.status).label}; severity {ticket.severity} ({ticket.severity_reason})"
        )
        if ticket.suggested_severity:
            w(f"  suggested {ticket.suggested_severity}: {ticket.suggestion_reason}")
        env = f"{ticket.environment.name} " if ticket.environment else ""
        w(
            f"  {ticket.organisation.name}, {ticket.requester.name} <{ticket.requester.email}>; plan "
            f"{ticket.plan_id}, policy {ticket.policy_version}, {env}"
            f"{'production' if ticket.is_production else 'non-production'} {ticket.server_version}".rstrip()
        )
        w(
            f"  team {ticket.team.slug if ticket.team else '-'}, assignee "
            f"{ticket.assignee.name if ticket.assignee else '-'}; opened {_when(ticket.opened_at)} via {ticket.channel}"
        )
        for flag in ticket.flags:
            pointer = f" -> {flag['pointer']}" if flag.get("pointer") else ""
            w(f"  flag {flag['code']} ({flag['audience']}): {flag['message']}{pointer}")
        w("clocks:")
        for clock in selectors.latest_clocks(ticket):
            if options["explain"]:
                for line in sla.clock_explain(clock, now=now, policy=policy).lines():
                    w(f"  {line}")
                continue
            s = sla.clock_state(clock, now=now, policy=policy)
            late = (
                f", BREACHED by {s.breached_by}" if s.breached and s.breached_by is not None else ""
            )
            w(
                f"  {s.kind.replace('_', ' ')} #{s.seq}: {s.state}, target {s.target_label}, due {_when(s.due_at)}{late}"
            )
        w("messages:")
        for m in selectors.ticket_messages(ticket, include_internal=True):
            marker = "[internal] " if m.is_internal else ""
            w(f"  {_when(m.created_at)} {marker}{m.author_label}:")
            for line in m.body.splitlines() or [""]:
                w(f"    {line}")
            for a in m.attachments.all():
                w(
                    f"    attachment {a.filename} ({a.size} bytes, {a.content_type}, sha256 {a.sha256[:12]}...)"
                )

    def do_reply(self, options: dict[str, Any]) -> None:
        ticket = self._ticket(options["id"])
        email = options["author"].strip().lower()
        user = get_user_model().objects.filter(username__iexact=email).first()
        if user is None:
            raise CommandError(f"no agent or contact {email} [not_found]")
        actor = Actor(user=user, via="cli", label=f"{email} (CLI)")
        body = _read(options["body"], options["body_file"], what="body")
        files = _uploads(options["attach"])
        try:
            uploads = [Upload(stream, name) for stream, name in files]
            if options["internal"]:
                message = ticket_note(ticket=ticket, body=body, actor=actor, attachments=uploads)
            else:
                message = ticket_reply(ticket=ticket, body=body, actor=actor, attachments=uploads)
        finally:
            for stream, _ in files:
                stream.close()
        kind = "internal note" if message.is_internal else "public reply"
        self.stdout.write(f"added {kind} {message.pk} to ticket #{ticket.pk}")

    def do_list(self, options: dict[str, Any]) -> None:
        from sladesk.tickets.api import paginate_sorted

        organisation: int | None = None
        if options["organisation"]:
            ref = options["organisation"]
            org = Organisation.objects.filter(pk=int(ref)).first() if ref.isdigit() else None
            org = org or Organisation.objects.filter(slug=ref).first()
            if org is None:
                raise CommandError(f"no organisation {ref} [not_found]")
            organisation = org.pk
        assignee = options["assignee"]
        if assignee not in (None, "none") and not str(assignee).isdigit():
            raise CommandError("--assignee is an agent id or 'none' [invalid_input]")
        now = time.now()
        filters = selectors.TicketFilters(
            status=tuple(options["status"]),
            severity=tuple(options["severity"]),
            plan=tuple(options["plan"]),
            team=options["team"],
            assignee=int(assignee) if assignee not in (None, "none") else None,
            unassigned=assignee == "none",
            organisation=organisation,
            breached=options["breached"],
            open_only=options["open"],
        )
        rows, _ = paginate_sorted(
            selectors.ticket_list(filters=filters, now=now),
            sort=options["sort"],
            cursor=None,
            limit=options["limit"],
        )
        if options["json"]:
            self.stdout.write(json.dumps([self._data(t) for t in rows], indent=2))
            return
        policy = get_policy()
        self.stdout.write(
            f"{'id':>6}  {'sev':<4}{'status':<24}{'plan':<13}{'team':<9}{'due':<22}{'':<9}subject"
        )
        for t in rows:
            breached = any(
                sla.clock_state(c, now=now, policy=policy).breached
                for c in selectors.latest_clocks(t)
            )
            self.stdout.write(
                f"{t.pk:>6}  {t.severity:<4}{t.status:<24}{t.plan_id:<13}{(t.team.slug if t.team else '-'):<9}"
                f"{_when(t.due_at):<22}{'BREACHED' if breached else '':<9}{t.subject[:60]}"
            )
        if not rows:
            self.stdout.write("(no tickets)")

    def do_shift(self, options: dict[str, Any]) -> None:
        email = options["email"].strip().lower()
        agent = Agent.objects.filter(user__username__iexact=email).first()
        if agent is None:
            raise CommandError(f"no agent {email} [not_found]")
        agent_availability_set(agent=agent, on_shift=options["state"] == "on", actor=Actor.cli())
        self.stdout.write(f"{agent.name} is {options['state']} shift")
