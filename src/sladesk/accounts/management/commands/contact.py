"""``sladesk contact add|remove|replace|list``: an organisation's registered contacts."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from sladesk.accounts.management.base import DeskCommand
from sladesk.accounts.rules import normalise_email
from sladesk.accounts.selectors import contact_active_by_email, contact_list, organisation_find
from sladesk.accounts.services import contact_add, contact_remove, contact_replace
from sladesk.core.exceptions import NotFound


def _contact(email: str) -> Any:
    address = normalise_email(email)
    contact = contact_active_by_email(address)
    if contact is None:
        raise NotFound(f"{address} is not a registered contact", code="contact_not_found")
    return contact


class Command(DeskCommand):
    help = (
        "Manage an organisation's contacts. On plans with named contacts (Premier: at most 3, at a "
        "company domain, no shared addresses such as support@) new contacts are named; replace one "
        "with `contact replace`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = self.add_actions(parser)
        add = actions.add_parser(
            "add", help="register a contact", description="Register a contact."
        )
        add.add_argument("--org", required=True, help="organisation id, reference or exact name")
        add.add_argument("--email", required=True)
        add.add_argument("--name", required=True)
        add.add_argument("--phone", default="")
        add.add_argument("--role", default="", help="their role at the organisation")
        named = add.add_mutually_exclusive_group()
        named.add_argument(
            "--named", dest="named", action="store_const", const=True, help="a named contact"
        )
        named.add_argument(
            "--not-named",
            dest="named",
            action="store_const",
            const=False,
            help="an ordinary contact",
        )

        remove = actions.add_parser(
            "remove", help="remove a contact", description="Remove a contact."
        )
        remove.add_argument("--email", required=True)
        remove.add_argument("--reason", default="")

        replace = actions.add_parser(
            "replace",
            help="replace a contact by a new person",
            description="Replace a (named) contact by a new person in one audited step.",
        )
        replace.add_argument("--email", required=True, help="the contact being replaced")
        replace.add_argument("--new-email", required=True)
        replace.add_argument("--name", required=True, help="the new contact's name")
        replace.add_argument("--phone", default="")
        replace.add_argument("--role", default="")
        replace.add_argument("--reason", default="")

        lst = actions.add_parser(
            "list", help="list an organisation's contacts", description="List contacts."
        )
        lst.add_argument("--org", required=True)
        lst.add_argument("--all", action="store_true", help="include removed contacts")

    def do_add(self, **options: Any) -> None:
        contact = contact_add(
            organisation=organisation_find(options["org"]),
            email=options["email"],
            name=options["name"],
            phone=options["phone"],
            role=options["role"],
            named=options["named"],
            actor=self.actor,
        )
        kind = "named contact" if contact.named else "contact"
        self.say(
            f"Added {kind} {contact.name} <{contact.email}> to {contact.organisation.name} (id {contact.pk})."
        )

    def do_remove(self, **options: Any) -> None:
        contact = contact_remove(
            contact=_contact(options["email"]), actor=self.actor, reason=options["reason"]
        )
        self.say(f"Removed contact {contact.email} from {contact.organisation.name}.")

    def do_replace(self, **options: Any) -> None:
        old = _contact(options["email"])
        new = contact_replace(
            contact=old,
            email=options["new_email"],
            name=options["name"],
            phone=options["phone"],
            role=options["role"],
            reason=options["reason"],
            actor=self.actor,
        )
        kind = "named contact" if new.named else "contact"
        self.say(
            f"Replaced {kind} {old.email} by {new.name} <{new.email}> at {new.organisation.name}."
        )

    def do_list(self, **options: Any) -> None:
        organisation = organisation_find(options["org"])
        rows = list(contact_list(organisation=organisation, include_removed=options["all"]))
        for contact in rows:
            marks = (" [named]" if contact.named else "") + (
                f" [removed {contact.removed_at:%Y-%m-%d}]" if contact.removed_at else ""
            )
            self.stdout.write(f"{contact.pk:>5}  {contact.name} <{contact.email}>{marks}")
        self.say(f"{len(rows)} contact(s) of {organisation.name}.")
