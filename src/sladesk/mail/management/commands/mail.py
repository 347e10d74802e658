"""``sladesk mail serve|poll|process|follow``: the desk's e-mail interfaces."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "E-mail: serve SMTP/LMTP, poll IMAP, process stored messages, send ledger mail."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        serve = sub.add_parser("serve", help="run the SMTP (or LMTP) server")
        serve.add_argument("--host", default="127.0.0.1")
        serve.add_argument("--port", type=int, default=2525)
        serve.add_argument("--lmtp", action="store_true", help="speak LMTP (behind Postfix)")
        poll = sub.add_parser("poll", help="fetch and store the messages of an IMAP mailbox")
        poll.add_argument("--host", required=True)
        poll.add_argument("--port", type=int, default=None)
        poll.add_argument("--user", required=True)
        poll.add_argument(
            "--password-env", default="SLADESK_IMAP_PASSWORD", help="variable holding the password"
        )
        poll.add_argument(
            "--oauth2-token-env", default="", help="variable holding an OAuth2 access token"
        )
        poll.add_argument("--no-tls", action="store_true", help="plain IMAP (tests, localhost)")
        poll.add_argument("--folder", default="INBOX")
        poll.add_argument(
            "--move-to", default="", help="move stored messages here instead of deleting"
        )
        sub.add_parser("process", help="process every stored message still waiting")
        sub.add_parser("follow", help="mail what the tickets' ledger says (one pass) and reminders")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "serve":
            self._serve(options)
        elif action == "poll":
            self._poll(options)
        elif action == "process":
            from sladesk.mail.models import InboundMessage, InboundStatus
            from sladesk.mail.services import mail_process

            ids = InboundMessage.objects.filter(status=InboundStatus.RECEIVED).values_list(
                "pk", flat=True
            )
            for pk in list(ids):
                row = mail_process(inbound_id=pk)
                if row is not None:
                    self.stdout.write(f"{pk}: {row.status} {row.outcome}")
        elif action == "follow":
            from sladesk.core import time
            from sladesk.mail.outbound import mail_ledger_follow, mail_reminders_send

            read = mail_ledger_follow(now=time.now())
            reminded = mail_reminders_send(now=time.now())
            self.stdout.write(f"{read} ledger event(s) read, {reminded} reminder(s)")

    def _serve(self, options: dict[str, Any]) -> None:
        from sladesk.mail.server import serve

        def ready(port: int) -> None:
            kind = "LMTP" if options["lmtp"] else "SMTP"
            self.stdout.write(f"sladesk mail: {kind} listening on {options['host']}:{port}")
            self.stdout.flush()
            sys.stdout.flush()

        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(
                serve(host=options["host"], port=options["port"], lmtp=options["lmtp"], ready=ready)
            )

    def _poll(self, options: dict[str, Any]) -> None:
        from sladesk.mail.imap import mail_poll

        token = (
            os.environ.get(options["oauth2_token_env"], "") if options["oauth2_token_env"] else ""
        )
        password = os.environ.get(options["password_env"], "")
        if not token and not password:
            raise CommandError(f"set {options['password_env']} (or give --oauth2-token-env)")
        result = mail_poll(
            host=options["host"],
            port=options["port"],
            user=options["user"],
            password=password,
            oauth2_token=token,
            tls=not options["no_tls"],
            folder=options["folder"],
            move_to=options["move_to"],
        )
        self.stdout.write(
            f"{result.fetched} fetched, {result.stored} stored, {result.duplicates} duplicate(s), "
            f"{result.failed} left for the next poll"
        )
