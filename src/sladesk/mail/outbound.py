"""Outbound e-mail: compose threaded messages, enqueue them in the outbox, send them.

``mail_compose`` renders a text and an HTML template, gives the message a fresh
Message-ID, In-Reply-To and References (so every client threads the conversation), the
ticket's signed reply address as Reply-To, ``Auto-Submitted: auto-replied`` when the
desk wrote it by itself (RFC 3834), and records it as an ``OutboundMessage``; the
message travels as a ``Notification`` of channel ``email``, which the outbox delivers
with retries and exponential backoff (its row is the delivery log: attempts, last
error, sent at). The ``email`` channel below sends with Django's e-mail backend.

``mail_ledger_follow`` reads the tickets' ledger and mails what customers and agents
must hear: an agent's public reply, a status change, SLA warnings and breaches, and a
reminder when a ticket waits on the customer.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import smtplib
from email.policy import Compat32
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connections, router, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from sladesk.core import rows
from sladesk.mail import addressing
from sladesk.mail.models import InboundMessage, LedgerCursor, OutboundMessage
from sladesk.mail.parsing import one_line
from sladesk.notifications import channels
from sladesk.notifications.models import Notification
from sladesk.notifications.services import notification_enqueue

if TYPE_CHECKING:
    from sladesk.tickets.models import Ticket

logger = logging.getLogger("sladesk.mail")

DEFAULT_AUTOREPLY_LIMIT = 5  # automatic replies to one address
DEFAULT_AUTOREPLY_WINDOW = 3600  # seconds
LOOP_HEADER = "X-Sladesk-Loop"


def autoreply_allowed(*, address: str, now: dt.datetime) -> bool:
    """Return whether one more automatic reply to ``address`` stays within the rate limit.

    Only automatic answers to inbound mail count (the only ones that can loop; SLA mail to
    agents and status mail are not limited). At most ``SLADESK_MAIL_AUTOREPLY_LIMIT`` (5) automatic messages to one address in
    ``SLADESK_MAIL_AUTOREPLY_WINDOW`` seconds (3600): two desks, or a desk and a
    robot that slipped through, cannot ping-pong for long.
    """
    limit = int(getattr(settings, "SLADESK_MAIL_AUTOREPLY_LIMIT", DEFAULT_AUTOREPLY_LIMIT))
    window = int(getattr(settings, "SLADESK_MAIL_AUTOREPLY_WINDOW", DEFAULT_AUTOREPLY_WINDOW))
    since = now - dt.timedelta(seconds=window)
    return automatic_answers(address=address, since=since, limit=limit) < limit


def automatic_answers(*, address: str, since: dt.datetime, limit: int) -> int:
    """Count the automatic answers to inbound mail sent to ``address`` since ``since``.

    Counts no further than ``limit``, however many there are. Every new request asks
    this, so it is written out (its ORM twin, which the tests compare it with, is
    ``OutboundMessage.objects.filter(to_address=address.lower(), automatic=True,
    inbound__isnull=False, created_at__gte=since)[:limit].count()``, 4x the CPU).
    """
    connection = connections[router.db_for_read(OutboundMessage)]
    qn = connection.ops.quote_name
    sql = (
        f"SELECT COUNT(*) FROM (SELECT 1 FROM {qn(OutboundMessage._meta.db_table)} "
        f"WHERE {qn('to_address')} = %s AND {qn('automatic')} = %s "
        f"AND {qn('inbound_id')} IS NOT NULL AND {qn('created_at')} >= %s LIMIT %s) recent"
    )
    params: list[Any] = [
        address.lower(),
        True,
        connection.ops.adapt_datetimefield_value(since),
        limit,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        (count,) = cursor.fetchone()
    return int(count)


def thread_ids(ticket: Ticket | None, *, limit: int = 20) -> list[str]:
    """Return the Message-IDs of a ticket's conversation, oldest first (the last ``limit``)."""
    if ticket is None:
        return []
    rows: list[tuple[dt.datetime, str]] = list(
        InboundMessage.objects.filter(ticket=ticket)
        .exclude(message_id="")
        .values_list("received_at", "message_id")
    )
    rows += list(
        OutboundMessage.objects.filter(ticket=ticket).values_list("created_at", "message_id")
    )
    rows.sort()
    ids = list(dict.fromkeys(mid for _, mid in rows))
    return ids[:1] + ids[1:][-(limit - 1) :] if len(ids) > limit else ids


def _subject(kind: str, context: dict[str, Any]) -> str:
    text = render_to_string(f"mail/{kind}_subject.txt", context)
    return one_line(text)[0][:900]


def base_url() -> str:
    """Return the desk's public base URL (``SLADESK_BASE_URL``), ending in ``/``; "" if unknown.

    Read from the setting, or from the environment when the settings do not define it.
    """
    url = getattr(settings, "SLADESK_BASE_URL", None)
    if url is None:
        url = os.environ.get("SLADESK_BASE_URL", "")
    url = (url or "").strip()
    return url if not url or url.endswith("/") else url + "/"


def ticket_links(ticket: Ticket | None) -> dict[str, str]:
    """Return the ticket's portal and console URLs (empty when no base URL is known)."""
    from django.urls import reverse

    base = base_url()
    if ticket is None or not base:
        return {"ticket_url": "", "console_url": ""}
    return {
        "ticket_url": base + reverse("portal-ticket", args=[ticket.pk]).lstrip("/"),
        "console_url": base + reverse("console-ticket", args=[ticket.pk]).lstrip("/"),
    }


#: Mail written for agents (their times are in the policy's zone, the desk's SLA zone).
AGENT_KINDS = frozenset({"sla_warning", "sla_breach"})


def reader_zone(kind: str, ticket: Ticket | None) -> ZoneInfo:
    """Return the zone a mail's times are written in.

    Customers read their organisation's zone (a due time in UTC is one more thing to get
    wrong at 2 a.m.); agents, and mail with no ticket, the policy's zone.
    """
    from sladesk.policy import get_policy

    zone = ""
    if kind not in AGENT_KINDS and ticket is not None:
        zone = ticket.organisation.time_zone
    try:
        return ZoneInfo(zone or get_policy().zone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def mail_compose(
    *,
    kind: str,
    to: str,
    context: dict[str, Any],
    now: dt.datetime,
    ticket: Ticket | None = None,
    inbound: InboundMessage | None = None,
    automatic: bool = True,
    dedupe_key: str = "",
    thread: list[str] | None = None,
    autoreply_ok: bool | None = None,
) -> OutboundMessage | None:
    """Render ``mail/<kind>.txt|.html|_subject.txt`` and enqueue the message to ``to``.

    Returns the ``OutboundMessage`` (None when ``to`` is a support address, when an
    automatic answer to ``inbound`` would pass the rate limit for ``to``, or when
    ``dedupe_key`` was enqueued before). Call inside the
    transaction of the change it tells about. ``thread`` gives the conversation's
    Message-IDs when the caller knows them (``[]`` for a ticket opened in this
    transaction); by default they are read (``thread_ids``). ``autoreply_ok`` is the
    rate limit's answer when the caller asked ``autoreply_allowed`` already.
    """
    to = to.strip().lower()
    if not to or addressing.is_support_address(to):
        return None  # never mail ourselves
    if autoreply_ok is None:
        autoreply_ok = not (automatic and inbound is not None) or autoreply_allowed(
            address=to, now=now
        )
    if not autoreply_ok:
        logger.warning("automatic %s to %s suppressed: rate limit reached", kind, to)
        return None
    dedupe_key = (dedupe_key or f"mail:{kind}:{to}:{addressing.new_message_id()}")[:200]
    message_id = addressing.new_message_id(ticket_id=ticket.pk if ticket else None)
    references = list(thread) if thread is not None else thread_ids(ticket)
    if inbound is not None and inbound.message_id and inbound.message_id not in references:
        references.append(inbound.message_id)
    in_reply_to = inbound.message_id if inbound is not None and inbound.message_id else ""
    if not in_reply_to and references:
        in_reply_to = references[-1]
    context = {
        **context,
        "ticket": ticket,
        "tag": addressing.ticket_tag(ticket.pk) if ticket else "",
        "portal_url": getattr(settings, "SLADESK_PORTAL_URL", "") or "",
        "support_address": addressing.primary_address(),
        **ticket_links(ticket),
    }
    subject = _subject(kind, context)
    headers = {
        "Message-ID": f"<{message_id}>",
        "Reply-To": addressing.reply_address(ticket.pk) if ticket else addressing.primary_address(),
        LOOP_HEADER: addressing.mail_domain(),
    }
    if in_reply_to:
        headers["In-Reply-To"] = f"<{in_reply_to}>"
    if references:
        headers["References"] = " ".join(f"<{r}>" for r in references)
    if automatic:
        headers["Auto-Submitted"] = "auto-replied"
        headers["X-Auto-Response-Suppress"] = "All"
        headers["Precedence"] = "auto_reply"
    if ticket is not None:
        headers["X-Sladesk-Ticket"] = str(ticket.pk)
    with timezone.override(reader_zone(kind, ticket)):  # times in the reader's zone
        payload = {
            "subject": subject,
            "text": render_to_string(f"mail/{kind}.txt", context),
            "html": render_to_string(f"mail/{kind}.html", context),
            "headers": headers,
            "message_id": message_id,
        }
    notification_id = notification_enqueue(  # ON CONFLICT (dedupe_key) DO NOTHING
        channel="email",
        kind=f"mail.{kind}",
        dedupe_key=dedupe_key,
        payload=payload,
        address=to,
        now=now,
    )
    if notification_id is None:
        return None  # enqueued before (this dedupe key): the message exists already
    out = OutboundMessage(
        message_id=message_id,
        kind=kind,
        to_address=to,
        subject=subject,
        automatic=automatic,
        created_at=now,
        ticket=ticket,
        inbound=inbound,
        notification_id=notification_id,
    )
    rows.insert(out)  # one INSERT, its SQL built once (``OutboundMessage.objects.create``)
    return out


class QuickFoldPolicy(Compat32):
    """Django's e-mail policy (``compat32``), writing plain short headers as they are.

    ``compat32`` passes every header through ``email.header.Header`` to fold and encode
    it, about 10 µs each, some 25 headers a message (its parts' included). A value of
    one line of ASCII that fits within ``max_line_length`` comes out of that unchanged,
    so it is written directly; anything else (non-ASCII, long, multi-line, bytes with
    surrogates) still goes through ``compat32``. The tests compare whole messages.
    """

    def _plain(self, name: str, value: Any) -> bool:
        limit = self.max_line_length
        return (
            isinstance(value, str)
            and bool(limit)
            and len(name) + 2 + len(value) <= limit  # type: ignore[operator]
            and value.isascii()
            and "\n" not in value
            and "\r" not in value
        )

    def fold(self, name: str, value: Any) -> str:
        if self._plain(name, value):
            return f"{name}: {value}{self.linesep}"
        return super().fold(name, value)

    def fold_binary(self, name: str, value: Any) -> bytes:
        if self._plain(name, value):
            return f"{name}: {value}{self.linesep}".encode("ascii")
        return super().fold_binary(name, value)


QUICK_FOLD = QuickFoldPolicy()


class DeskEmail(EmailMultiAlternatives):
    """An ``EmailMultiAlternatives`` whose MIME message is written with ``QUICK_FOLD``."""

    def message(self, *args: Any, **kwargs: Any) -> Any:
        msg = super().message(*args, **kwargs)
        msg.policy = QUICK_FOLD  # the generator folds every part with the top's policy
        return msg


@channels.register("email")
def deliver_email(notification: Notification) -> None:
    """Send one e-mail notification with Django's e-mail backend (the outbox retries).

    A recipient refused by the relay (5xx) is a permanent failure; anything else
    (connection refused, 4xx, time-out) is retried with backoff. Within a delivery pass
    one connection to the relay is opened and used for every message of the pass
    (closed at its end, or at once after an error).
    """
    payload = notification.payload
    to = notification.address or (
        notification.recipient.email if notification.recipient is not None else ""
    )
    if not to:
        raise channels.PermanentFailure("an e-mail notification needs an address")
    headers = dict(payload.get("headers") or {})
    text = payload.get("text") or str(payload.get("text") or payload)
    try:
        connection, kept = _relay_connection()
        message = DeskEmail(
            subject=payload.get("subject") or notification.kind,
            body=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[to],
            headers=headers,
            connection=connection,
        )
        if payload.get("html"):
            message.attach_alternative(payload["html"], "text/html")
        message.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        if codes and all(500 <= c < 600 for c in codes):
            raise channels.PermanentFailure(f"recipient refused: {exc.recipients}") from exc
        raise channels.DeliveryFailed(f"recipient refused for now: {exc.recipients}") from exc
    except (smtplib.SMTPException, OSError) as exc:
        channels.release(RELAY)  # the next message gets a fresh connection
        raise channels.DeliveryFailed(f"{type(exc).__name__}: {exc}") from exc
    except BaseException:
        channels.release(RELAY)
        raise
    if not kept:
        connection.close()


RELAY = "email"


def _relay_connection() -> tuple[Any, bool]:
    """Return a connection to the relay and whether the delivery pass keeps it open.

    In a delivery pass (``channels.delivery_session``) the first message opens it and
    the others reuse it; outside one, each message has its own.
    """
    connection = channels.held(RELAY)
    if connection is not None:
        return connection, True
    connection = get_connection(fail_silently=False)
    connection.open()
    return connection, channels.hold(RELAY, connection, close=lambda c: c.close())


# -- following the tickets' ledger --------------------------------------------------------

CURSOR = "outbound"


def _agent_addresses(ticket: Ticket) -> list[str]:
    from sladesk.accounts.models import Agent

    if ticket.assignee_id is not None and ticket.assignee is not None:
        return [ticket.assignee.user.email]
    if ticket.team_id is None:
        return []
    agents = Agent.objects.filter(teams=ticket.team_id, user__is_active=True).select_related("user")
    return sorted({a.user.email for a in agents if a.user.email})


def mail_event_notify(*, event_id: int, now: dt.datetime) -> int:
    """Mail what one ledger event means to its audience; return how many were enqueued.

    Idempotent: each (event, recipient) is enqueued once (the outbox's dedupe key).
    """
    from sladesk.tickets.models import EventKind, Status, TicketEvent, TicketMessage

    event = (
        TicketEvent.objects.select_related(
            "ticket__requester", "ticket__assignee__user", "ticket__organisation", "clock"
        )
        .filter(pk=event_id)
        .first()
    )
    if event is None:
        return 0
    ticket = event.ticket
    requester = ticket.requester.email if ticket.requester_id else ""
    sent = 0
    base = {"event": event, "data": event.data, "clock": event.clock}
    if event.kind == EventKind.REPLIED and event.data.get("author") == "agent":
        message = TicketMessage.objects.filter(pk=event.data.get("message")).first()
        if message is not None and requester:
            sent += bool(
                mail_compose(
                    kind="agent_reply",
                    to=requester,
                    ticket=ticket,
                    context={**base, "message": message},
                    now=now,
                    automatic=False,
                    dedupe_key=f"mail:event:{event.pk}:{requester}",
                )
            )
    elif event.kind == EventKind.STATUS_SET and event.data.get("reason") != "reply" and requester:
        status_label = dict(Status.choices).get(event.data.get("to", ""), event.data.get("to"))
        sent += bool(
            mail_compose(
                kind="status_change",
                to=requester,
                ticket=ticket,
                context={**base, "status_label": status_label},
                now=now,
                dedupe_key=f"mail:event:{event.pk}:{requester}",
            )
        )
    elif event.kind in (EventKind.CLOCK_WARNING, EventKind.CLOCK_BREACHED):
        kind = "sla_breach" if event.kind == EventKind.CLOCK_BREACHED else "sla_warning"
        for address in _agent_addresses(ticket):
            sent += bool(
                mail_compose(
                    kind=kind,
                    to=address,
                    ticket=ticket,
                    context=base,
                    now=now,
                    dedupe_key=f"mail:event:{event.pk}:{address}",
                )
            )
    return sent


def _mails_something(kind: str, author: object, reason: object) -> bool:
    """Return whether an event of ``kind`` (with ``data.author``/``data.reason``) is mailed."""
    from sladesk.tickets.models import EventKind

    if kind == EventKind.REPLIED:
        return author == "agent"
    if kind == EventKind.STATUS_SET:
        return reason != "reply"
    return kind in (EventKind.CLOCK_WARNING, EventKind.CLOCK_BREACHED)


def mail_ledger_follow(*, now: dt.datetime, limit: int = 500) -> int:
    """Mail the ledger events written since the last pass; return how many events were read.

    The cursor row is locked for the pass, so two followers never read the same events;
    a follower that finds it locked (another worker is following) reads nothing and
    returns 0. Only the events that mail someone are loaded in full (an agent's public
    reply, a status change other than by a reply, SLA warnings and breaches).
    """
    from sladesk.tickets.models import TicketEvent

    with transaction.atomic():
        created, _ = LedgerCursor.objects.get_or_create(name=CURSOR)
        cursor = (
            LedgerCursor.objects.select_for_update(skip_locked=True).filter(pk=created.pk).first()
        )
        if cursor is None:
            return 0  # another worker is following the ledger right now
        rows = list(
            TicketEvent.objects.filter(pk__gt=cursor.last_event_id)
            .order_by("id")
            .values_list("id", "kind", "data__author", "data__reason")[:limit]
        )
        for event_id, kind, author, reason in rows:
            if _mails_something(kind, author, reason):
                mail_event_notify(event_id=event_id, now=now)
        if rows:
            cursor.last_event_id = rows[-1][0]
            cursor.save(update_fields=["last_event_id"])
    return len(rows)


def mail_reminders_send(*, now: dt.datetime, after: dt.timedelta | None = None) -> int:
    """Remind requesters of tickets waiting on them for longer than ``after`` (once per wait).

    ``after`` defaults to ``SLADESK_MAIL_REMINDER_HOURS`` (72 h).
    """
    from sladesk.tickets.models import EventKind, Status, Ticket, TicketEvent

    after = after or dt.timedelta(hours=int(getattr(settings, "SLADESK_MAIL_REMINDER_HOURS", 72)))
    sent = 0
    waiting = Ticket.objects.filter(status=Status.WAITING_ON_CUSTOMER).select_related("requester")
    for ticket in waiting.iterator():
        since = (
            TicketEvent.objects.filter(ticket=ticket, kind=EventKind.STATUS_SET)
            .order_by("-at", "-id")
            .first()
        )
        if since is None or now - since.at < after or not ticket.requester_id:
            continue
        with transaction.atomic():
            sent += bool(
                mail_compose(
                    kind="waiting_reminder",
                    to=ticket.requester.email,
                    ticket=ticket,
                    context={"since": since.at},
                    now=now,
                    dedupe_key=f"mail:reminder:{since.pk}",
                )
            )
    return sent
