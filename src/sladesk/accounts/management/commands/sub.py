"""``sladesk sub add|renew|cancel|change|list``: subscriptions (the contract), with history."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from sladesk.accounts.management.base import DeskCommand, date_arg
from sladesk.accounts.models import Subscription
from sladesk.accounts.policy import current_policy, desk_date
from sladesk.accounts.selectors import organisation_find, subscription_history
from sladesk.accounts.services import (
    subscription_add,
    subscription_cancel,
    subscription_change_plan,
    subscription_renew,
)
from sladesk.core import time
from sladesk.core.exceptions import NotFound


def _subscription(pk: int) -> Subscription:
    found = Subscription.objects.select_related("organisation").filter(pk=pk).first()
    if found is None:
        raise NotFound(f"no subscription #{pk}", code="subscription_not_found")
    return found


class Command(DeskCommand):
    help = (
        "Manage subscriptions. A subscription covers starts_on..ends_on inclusive and is valid on a "
        "day when started, not expired and not cancelled; terms of one organisation never overlap. "
        "Renewing or changing plan adds a new subscription and keeps the old one as history."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = self.add_actions(parser)
        add = actions.add_parser(
            "add", help="sell a subscription", description="Sell a subscription."
        )
        add.add_argument("--org", required=True, help="organisation id, reference or exact name")
        add.add_argument("--plan", required=True, help="a plan id of the policy (e.g. premier)")
        add.add_argument("--start", type=date_arg, required=True, help="first covered day")
        add.add_argument("--end", type=date_arg, help="last covered day (default: one year)")
        add.add_argument("--notes", default="")

        renew = actions.add_parser(
            "renew",
            help="renew a subscription",
            description="Renew from the day after the term ends.",
        )
        renew.add_argument("id", type=int)
        renew.add_argument(
            "--until", type=date_arg, help="last covered day (default: one more year)"
        )
        renew.add_argument("--plan", help="renew on another plan")

        cancel = actions.add_parser(
            "cancel", help="cancel a subscription", description="Cancel a subscription."
        )
        cancel.add_argument("id", type=int)
        cancel.add_argument("--reason", required=True)
        cancel.add_argument(
            "--effective", type=date_arg, help="first day no longer covered (default: today)"
        )

        change = actions.add_parser(
            "change",
            help="change plan mid-term",
            description="Change plan from a date to the end of the term.",
        )
        change.add_argument("id", type=int)
        change.add_argument("--plan", required=True)
        change.add_argument("--effective", type=date_arg, required=True)

        lst = actions.add_parser(
            "list", help="an organisation's subscriptions", description="List subscriptions."
        )
        lst.add_argument("--org", required=True)

    def do_add(self, **options: Any) -> None:
        sub = subscription_add(
            organisation=organisation_find(options["org"]),
            plan_id=options["plan"],
            starts_on=options["start"],
            ends_on=options["end"],
            notes=options["notes"],
            actor=self.actor,
        )
        self.say(
            f"Subscription #{sub.pk}: {sub.organisation.name}, {sub.plan_id} {sub.starts_on}..{sub.ends_on}."
        )

    def do_renew(self, **options: Any) -> None:
        sub = subscription_renew(
            subscription=_subscription(options["id"]),
            ends_on=options["until"],
            plan_id=options["plan"],
            actor=self.actor,
        )
        self.say(f"Renewed as #{sub.pk}: {sub.plan_id} {sub.starts_on}..{sub.ends_on}.")

    def do_cancel(self, **options: Any) -> None:
        sub = subscription_cancel(
            subscription=_subscription(options["id"]),
            reason=options["reason"],
            effective=options["effective"],
            actor=self.actor,
        )
        self.say(f"Cancelled #{sub.pk} ({sub.plan_id}) from {sub.cancelled_on}.")

    def do_change(self, **options: Any) -> None:
        sub = subscription_change_plan(
            subscription=_subscription(options["id"]),
            plan_id=options["plan"],
            effective=options["effective"],
            actor=self.actor,
        )
        self.say(f"Changed plan: #{sub.pk} {sub.plan_id} {sub.starts_on}..{sub.ends_on}.")

    def do_list(self, **options: Any) -> None:
        organisation = organisation_find(options["org"])
        today = desk_date(at=time.now(), policy=current_policy())
        rows = list(subscription_history(organisation=organisation))
        for sub in rows:
            state = "valid today" if sub.is_valid_on(today) else sub.status
            if sub.cancelled_on:
                state += f" from {sub.cancelled_on}"
            renews = f", renews #{sub.renewal_of_id}" if sub.renewal_of_id else ""
            self.stdout.write(
                f"#{sub.pk:<5} {sub.plan_id:<14} {sub.starts_on}..{sub.ends_on}  {state}{renews}"
            )
        self.say(f"{len(rows)} subscription(s) of {organisation.name}.")
