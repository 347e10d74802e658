"""``sladesk org add|show|list|update``: customer organisations."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from sladesk.accounts.management.base import DeskCommand, date_arg
from sladesk.accounts.policy import current_policy, desk_date
from sladesk.accounts.rules import split_list
from sladesk.accounts.selectors import (
    contact_list,
    environment_list,
    organisation_find,
    organisation_list,
    release_support,
    subscription_history,
    subscription_valid_on,
)
from sladesk.accounts.services import organisation_create, organisation_update, subscription_add
from sladesk.core import time


def _domains(values: list[str]) -> list[str]:
    return [d for value in values for d in split_list(value)]


class Command(DeskCommand):
    help = (
        "Manage customer organisations. `org add NAME --domain acme.com [--plan premier --start DATE]` "
        "creates one (optionally with its subscription); `org show REF` shows its contract, contacts "
        "and environments; `org list` lists them. REF is an id, reference (slug) or exact name."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = self.add_actions(parser)
        add = actions.add_parser(
            "add", help="create an organisation", description="Create an organisation."
        )
        add.add_argument("name", help="the organisation's name")
        add.add_argument(
            "--domain",
            dest="domains",
            action="append",
            required=True,
            help="a company e-mail domain (repeat, or separate with commas)",
        )
        add.add_argument("--time-zone", default="UTC", help="IANA zone for display (default UTC)")
        add.add_argument("--notes", default="", help="internal notes")
        add.add_argument("--slug", default="", help="short reference (default: from the name)")
        add.add_argument("--plan", help="also sell a subscription to this plan")
        add.add_argument("--start", type=date_arg, help="subscription start (with --plan)")
        add.add_argument(
            "--end", type=date_arg, help="subscription end, inclusive (default: one year)"
        )

        show = actions.add_parser(
            "show", help="show an organisation", description="Show an organisation."
        )
        show.add_argument("ref", help="id, reference or exact name")

        lst = actions.add_parser(
            "list", help="list organisations", description="List organisations."
        )
        lst.add_argument("--search", default="", help="filter by name, reference or domain")

        upd = actions.add_parser(
            "update", help="change an organisation", description="Change an organisation."
        )
        upd.add_argument("ref", help="id, reference or exact name")
        upd.add_argument("--name")
        upd.add_argument(
            "--domain", dest="domains", action="append", help="replace the domains (repeat)"
        )
        upd.add_argument("--time-zone")
        upd.add_argument("--notes")

    def do_add(self, **options: Any) -> None:
        if bool(options["plan"]) != bool(options["start"]):
            raise CommandError("--plan and --start go together")
        organisation = organisation_create(
            name=options["name"],
            domains=_domains(options["domains"]),
            time_zone=options["time_zone"],
            notes=options["notes"],
            slug=options["slug"],
            actor=self.actor,
        )
        if options["plan"]:
            subscription_add(
                organisation=organisation,
                plan_id=options["plan"],
                starts_on=options["start"],
                ends_on=options["end"],
                actor=self.actor,
            )
        self.say(
            f"Created organisation {organisation.name} (id {organisation.pk}, ref {organisation.slug})."
        )
        if options["plan"]:
            sub = subscription_history(organisation=organisation).last()
            if sub is not None:
                self.say(f"Subscription #{sub.pk}: {sub.plan_id} {sub.starts_on}..{sub.ends_on}.")

    def do_show(self, **options: Any) -> None:
        organisation = organisation_find(options["ref"])
        policy = current_policy()
        today = desk_date(at=time.now(), policy=policy)
        domains = ", ".join(sorted(d.domain for d in organisation.domains.all()))
        current = subscription_valid_on(organisation=organisation, day=today)
        self.stdout.write(f"{organisation.name} (id {organisation.pk}, ref {organisation.slug})")
        self.stdout.write(f"  domains:    {domains}")
        self.stdout.write(f"  time zone:  {organisation.time_zone}")
        if organisation.notes:
            self.stdout.write(f"  notes:      {organisation.notes}")
        plan = (
            f"{current.plan_id} until {current.last_covered_day}" if current else "none valid today"
        )
        self.stdout.write(f"  plan:       {plan}")
        self.stdout.write("  subscriptions:")
        history = list(subscription_history(organisation=organisation))
        for sub in history:
            state = "valid today" if sub.is_valid_on(today) else sub.status
            if sub.cancelled_on:
                state += f" from {sub.cancelled_on}"
            self.stdout.write(
                f"    #{sub.pk} {sub.plan_id} {sub.starts_on}..{sub.ends_on} ({state})"
            )
        if not history:
            self.stdout.write("    (none)")
        self.stdout.write("  contacts:")
        contacts = list(contact_list(organisation=organisation))
        for contact in contacts:
            mark = " [named]" if contact.named else ""
            self.stdout.write(f"    {contact.name} <{contact.email}>{mark}")
        if not contacts:
            self.stdout.write("    (none)")
        self.stdout.write("  environments:")
        environments = list(environment_list(organisation=organisation))
        for env in environments:
            kind = "production" if env.is_production else "non-production"
            status = release_support(version=env.version, on=today, policy=policy)
            note = "" if status.supported else f" -- {status.message}"
            self.stdout.write(
                f"    #{env.pk} {env.name} ({kind}, {env.version}, {env.get_deployment_type_display()}){note}"
            )
        if not environments:
            self.stdout.write("    (none)")

    def do_list(self, **options: Any) -> None:
        today = desk_date(at=time.now(), policy=current_policy())
        rows = list(organisation_list(search=options["search"]))
        for organisation in rows:
            current = subscription_valid_on(organisation=organisation, day=today)
            plan = (
                f"{current.plan_id} until {current.last_covered_day}"
                if current
                else "no valid subscription"
            )
            domains = ", ".join(sorted(d.domain for d in organisation.domains.all()))
            self.stdout.write(
                f"{organisation.pk:>5}  {organisation.slug:<24} {organisation.name} ({domains}): {plan}"
            )
        self.say(f"{len(rows)} organisation(s).")

    def do_update(self, **options: Any) -> None:
        organisation = organisation_update(
            organisation=organisation_find(options["ref"]),
            actor=self.actor,
            name=options["name"],
            domains=_domains(options["domains"]) if options["domains"] else None,
            time_zone=options["time_zone"],
            notes=options["notes"],
        )
        self.say(f"Updated organisation {organisation.name} (id {organisation.pk}).")
