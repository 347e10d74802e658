"""``sladesk agent add|list``: the desk's agents (support staff) and their roles."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import CommandParser

from sladesk.accounts.management.base import DeskCommand
from sladesk.accounts.models import Agent
from sladesk.accounts.services import agent_add


class Command(DeskCommand):
    help = (
        "Manage agents. Roles: support_engineer, senior_support_engineer (joins the senior team), "
        "support_manager, administrator. Give a password on stdin with --password-stdin, or set "
        "one later with `sladesk changepassword EMAIL`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = self.add_actions(parser)
        add = actions.add_parser("add", help="add an agent", description="Add an agent.")
        add.add_argument("--email", required=True)
        add.add_argument("--name", required=True)
        add.add_argument("--role", required=True, choices=Agent.Role.values)
        add.add_argument("--team", dest="teams", action="append", help="team slug (repeatable)")
        add.add_argument(
            "--password-stdin", action="store_true", help="read the password from stdin"
        )

        actions.add_parser("list", help="list agents", description="List agents.")

    def do_add(self, **options: Any) -> None:
        password = sys.stdin.readline().rstrip("\n") if options["password_stdin"] else None
        agent = agent_add(
            email=options["email"],
            name=options["name"],
            role=options["role"],
            teams=options["teams"],
            password=password,
            actor=self.actor,
        )
        teams = ", ".join(sorted(t.slug for t in agent.teams.all())) or "no team"
        self.say(
            f"Added agent {agent.name} <{agent.user.email}> as {agent.get_role_display()} ({teams})."
        )
        if not password:
            self.say(f"Set a password with: sladesk changepassword {agent.user.get_username()}")

    def do_list(self, **options: Any) -> None:
        rows = list(Agent.objects.select_related("user").prefetch_related("teams").order_by("name"))
        for agent in rows:
            teams = ", ".join(sorted(t.slug for t in agent.teams.all()))
            state = "" if agent.user.is_active else " [inactive]"
            self.stdout.write(
                f"{agent.pk:>5}  {agent.name} <{agent.user.email}> {agent.get_role_display()}{state} {teams}"
            )
        self.say(f"{len(rows)} agent(s).")
