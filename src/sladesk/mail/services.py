"""Writes of the mail app: store what arrives (``mail_ingest``), then process it.

``mail_ingest`` is the only thing the SMTP server and the IMAP poller do before they
answer: it stores the raw message with its SHA-256 and commits; processing happens in
the background task ``mail_process_task``, which calls ``mail_process``:

1. nothing to read (0 bytes, whitespace) -> ``ignored`` (``empty``);
2. the desk's own mail coming back (our Message-ID, our loop header, a support
   address as sender) -> ``ignored`` (``loop``);
3. a bounce (RFC 3464 DSN or a common non-standard notice) -> recorded against the
   outbound message that bounced -> ``processed`` (``bounce``);
4. other automatic mail (RFC 3834 ``Auto-Submitted``, ``Precedence: bulk/junk/list``,
   ``X-Autoreply``, lists, vacation notices) -> ``ignored`` (``automatic``), never answered;
5. no usable From, or more recipients than ``SLADESK_MAIL_MAX_RECIPIENTS`` -> ``held``;
6. threaded to a ticket (our Message-IDs in In-Reply-To/References, else a signed
   reply address, else a signed subject tag): appended as a reply if the sender may
   write on the ticket, else ``held`` with the reason and the sender told;
7. else new mail through the door (channel e-mail): a ticket and an acknowledgement;
   Professional contacts a pointer to the portal (``refused``); anyone else a polite
   refusal, the message ``held`` for review.

Any exception puts the message in quarantine with the error (``quarantined``);
``mail_reprocess`` runs it again after a fix.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import logging
import os
import tempfile
import traceback
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connection, transaction

from sladesk.accounts.actor import Actor
from sladesk.accounts.models import Agent, Contact
from sladesk.accounts.selectors import contact_active_by_email
from sladesk.core import rows, time
from sladesk.core.exceptions import DeskError
from sladesk.core.rows import Part, Row, table
from sladesk.core.tasks import enqueue_with_change
from sladesk.mail import addressing
from sladesk.mail.models import InboundMessage, InboundStatus, OutboundMessage
from sladesk.mail.outbound import LOOP_HEADER, autoreply_allowed, mail_compose
from sladesk.mail.parsing import ParsedMail, msgid, parse_mail, requested_level
from sladesk.policy import get_policy

if TYPE_CHECKING:
    from sladesk.tickets.models import Ticket

logger = logging.getLogger("sladesk.mail")

CHUNK = 1024 * 1024
DEFAULT_LEVEL_REASON = "default for e-mail (no level given)"
DEFAULT_INLINE_MAX = 1024 * 1024  # raw messages up to 1 MB live in the row
DEFAULT_MAX_RECIPIENTS = 100
HEADER_LIMIT = 1024 * 1024  # bytes searched for the end of the header block


def inline_max() -> int:
    return int(getattr(settings, "SLADESK_MAIL_INLINE_MAX_BYTES", DEFAULT_INLINE_MAX))


def max_recipients() -> int:
    return int(getattr(settings, "SLADESK_MAIL_MAX_RECIPIENTS", DEFAULT_MAX_RECIPIENTS))


@dataclass(frozen=True, slots=True)
class Ingested:
    """What ``mail_ingest`` stored: the row, and whether it is new (False: a duplicate)."""

    inbound: InboundMessage
    created: bool


class _Hasher:
    """Hash a message while it streams: the whole (SHA-256) and the body after the headers."""

    def __init__(self) -> None:
        self.whole = hashlib.sha256()
        self.body = hashlib.sha256()
        self.head = bytearray()
        self.in_body = False
        self.size = 0
        self._message_id: str | None = None

    def update(self, chunk: bytes) -> None:
        self.size += len(chunk)
        self.whole.update(chunk)
        if self.in_body:
            self.body.update(chunk)
            return
        self.head += chunk
        for sep in (b"\r\n\r\n", b"\n\n"):
            at = self.head.find(sep)
            if at >= 0:
                self.in_body = True
                self.body.update(bytes(self.head[at + len(sep) :]))
                del self.head[at:]
                return
        if len(self.head) > HEADER_LIMIT:  # no header end: treat it all as the body
            self.in_body = True
            self.body.update(bytes(self.head))
            self.head = self.head[:HEADER_LIMIT]

    def message_id(self) -> str:
        """Return the Message-ID of the header block (parsed once, when first asked)."""
        from email.parser import BytesHeaderParser

        if self._message_id is None:
            try:
                headers = BytesHeaderParser().parsebytes(bytes(self.head) + b"\n\n")
                self._message_id = msgid(str(headers.get("message-id", "")))[:250]
            except Exception:
                self._message_id = ""
        return self._message_id

    def dedupe_key(self) -> str:
        """Return the Message-ID and the body's hash, or the whole hash without a Message-ID."""
        mid = self.message_id()
        if mid:
            return f"{mid[:250]}:{self.body.hexdigest()}"
        return f"sha256:{self.whole.hexdigest()}"


def _fsync_stored(name: str) -> None:
    """Flush a file saved to local storage to disk (object stores are durable on return)."""
    if isinstance(default_storage, FileSystemStorage):
        fd = os.open(default_storage.path(name), os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def mail_ingest(
    *,
    raw: bytes | IO[bytes],
    via: str,
    envelope_from: str = "",
    envelope_to: Iterable[str] = (),
    now: dt.datetime | None = None,
    process: bool = True,
) -> Ingested:
    """Store one raw message durably and queue its processing, in one transaction.

    ``raw`` is the bytes or a binary stream (read once, in 1 MB chunks, never held
    whole in memory: over ``SLADESK_MAIL_INLINE_MAX_BYTES`` it is spooled to a
    temporary file and saved to the default storage, fsynced). When this returns, the
    message is committed. The same message delivered again (same Message-ID and body)
    returns the stored row with ``created=False`` and queues nothing.
    """
    now = now or time.now()
    stream: IO[bytes] = io.BytesIO(raw) if isinstance(raw, bytes | bytearray) else raw
    hasher = _Hasher()
    with tempfile.SpooledTemporaryFile(max_size=inline_max() + 1) as spool:
        while chunk := stream.read(CHUNK):
            hasher.update(chunk)
            spool.write(chunk)
        key = hasher.dedupe_key()
        large = hasher.size > inline_max()
        if large:  # look first: a duplicate must not cost a copy written to storage
            existing = InboundMessage.objects.filter(dedupe_key=key).first()
            if existing is not None:
                return Ingested(inbound=existing, created=False)
        row = InboundMessage(
            received_at=now,
            via=via,
            envelope_from=envelope_from[:254],
            envelope_to=list(envelope_to)[:100],
            size=hasher.size,
            sha256=hasher.whole.hexdigest(),
            dedupe_key=key,
            message_id=hasher.message_id(),
        )
        spool.seek(0)
        if not large:
            row.raw = spool.read()
        else:
            row.raw_file.save("message.eml", File(spool, name="message.eml"), save=False)
            _fsync_stored(str(row.raw_file.name))
        with transaction.atomic():
            # One INSERT ... ON CONFLICT DO NOTHING: no row back means the same message
            # (``dedupe_key``) is stored already, or was just now by another connection.
            created = rows.insert(row, ignore_conflicts=True) is not None
            if created and process:
                _enqueue_process(row.pk)
        if not created:
            if row.raw_file:
                row.raw_file.delete(save=False)
            return Ingested(inbound=InboundMessage.objects.get(dedupe_key=key), created=False)
    return Ingested(inbound=row, created=True)


def _enqueue_process(inbound_id: int) -> None:
    """Enqueue the processing of ``inbound_id`` in the transaction that stores it."""
    from sladesk.mail.tasks import mail_process_task

    enqueue_with_change(mail_process_task, inbound_id)


def inbound_raw(inbound: InboundMessage) -> bytes:
    """Return the stored raw bytes of ``inbound``."""
    if inbound.raw is not None:
        return bytes(inbound.raw)
    with inbound.raw_file.open("rb") as handle:
        return bytes(handle.read())


# -- processing ---------------------------------------------------------------------------


#: The columns processing writes (``raw`` is left alone: it can be 1 MB).
PROCESSED_FIELDS = [
    "attempts",
    "status",
    "outcome",
    "reason",
    "error",
    "ticket",
    "ticket_message_id",
    "bounced",
    "processed_at",
    "from_address",
    "subject",
    "auto",
    "message_id",
    "notes",
]


@dataclass(slots=True)
class _Outcome:
    status: str
    outcome: str
    reason: str = ""
    ticket: Ticket | None = None
    ticket_message_id: int | None = None
    bounced: OutboundMessage | None = None


def _note(inbound: InboundMessage, text: str) -> None:
    inbound.notes = [*inbound.notes, text]


def mail_process(*, inbound_id: int, now: dt.datetime | None = None) -> InboundMessage | None:
    """Process one stored message (see the module docstring); return its row (None if gone).

    Only ``received`` messages are processed (a replayed task does nothing). An
    unexpected error rolls the processing back and quarantines the message with it.
    """
    now = now or time.now()
    try:
        with transaction.atomic():
            inbound = _inbound_locked(inbound_id)
            if inbound is None or inbound.status != InboundStatus.RECEIVED:
                return inbound
            inbound.attempts += 1
            result = _process(inbound, now=now)
            inbound.status = result.status
            inbound.outcome = result.outcome
            inbound.reason = result.reason[:5000]
            inbound.error = ""
            inbound.ticket = result.ticket
            inbound.ticket_message_id = result.ticket_message_id
            inbound.bounced = result.bounced
            inbound.processed_at = now
            rows.update(inbound, PROCESSED_FIELDS)  # never rewrites the raw bytes
            return inbound
    except Exception as exc:
        logger.exception("inbound message %s quarantined", inbound_id)
        error = f"{type(exc).__name__}: {exc}\n\n{traceback.format_exc()}"[:20000]
        InboundMessage.objects.filter(pk=inbound_id).update(
            status=InboundStatus.QUARANTINED,
            outcome="error",
            error=error,
            processed_at=now,
        )
        return InboundMessage.objects.get(pk=inbound_id)


INBOUND = Row(Part(InboundMessage, "i"))


def _inbound_locked(inbound_id: int) -> InboundMessage | None:
    """Return the stored message ``inbound_id``, locked until commit (None if it is gone).

    Written out, once per processed message (the ORM's
    ``InboundMessage.objects.select_for_update().filter(pk=inbound_id).first()``, which
    the tests compare it with, costs 4x the CPU).
    """
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    found = INBOUND.one(
        f"SELECT {INBOUND.columns} FROM {table(InboundMessage)} i WHERE i.id = %s{lock}",
        [inbound_id],
    )
    return None if found is None else found[0]


def mail_reprocess(
    *, inbound: InboundMessage, now: dt.datetime | None = None
) -> InboundMessage | None:
    """Run a quarantined (or held) message through processing again, now."""
    if inbound.status not in (InboundStatus.QUARANTINED, InboundStatus.HELD):
        raise DeskError(
            f"inbound message {inbound.pk} is {inbound.status}; only quarantined or held "
            "messages are processed again",
            code="not_reprocessable",
        )
    InboundMessage.objects.filter(pk=inbound.pk).update(
        status=InboundStatus.RECEIVED, error="", outcome=""
    )
    return mail_process(inbound_id=inbound.pk, now=now)


def _process(inbound: InboundMessage, *, now: dt.datetime) -> _Outcome:
    raw = inbound_raw(inbound)
    if not raw.strip():
        return _Outcome(InboundStatus.IGNORED, "empty", "the message is empty (0 bytes of content)")
    mail = parse_mail(raw)
    inbound.from_address = mail.from_address
    inbound.subject = mail.subject[:1000]
    inbound.auto = mail.auto[:120]
    if not inbound.message_id:
        inbound.message_id = mail.message_id
    if mail.header_injection:
        _note(inbound, "header injection: a decoded header carried CR/LF; it was put on one line")
    if mail.tnef == "unpacked":
        _note(
            inbound,
            "TNEF (winmail.dat, Outlook rich text): its files and text were taken out of it",
        )
    elif mail.tnef == "kept":
        _note(inbound, "TNEF (winmail.dat): not readable or empty, saved as a file as it came")
    if mail.defects:
        _note(inbound, "MIME defects: " + ", ".join(mail.defects[:20]))

    if _is_loop(mail):
        return _Outcome(InboundStatus.IGNORED, "loop", "the desk's own message came back")
    if mail.bounce is not None:
        return _bounce(mail, now=now)
    if mail.auto:
        ticket = _thread(mail, inbound=inbound)[0]
        return _Outcome(
            InboundStatus.IGNORED,
            "automatic",
            f"automatic message ({mail.auto}); not answered (RFC 3834)",
            ticket=ticket,
        )
    if not mail.from_address:
        return _Outcome(InboundStatus.HELD, "no_sender", "the message has no usable From address")
    if mail.recipient_count > max_recipients():
        return _Outcome(
            InboundStatus.HELD,
            "too_many_recipients",
            f"addressed to {mail.recipient_count} recipients (more than {max_recipients()}); "
            "held as probable spam, nobody answered",
        )
    ticket, how = _thread(mail, inbound=inbound)
    if ticket is not None:
        return _follow_up(inbound, mail, ticket=ticket, how=how, now=now)
    if how:
        _note(inbound, how)
    return _new_request(inbound, mail, now=now)


def _is_loop(mail: ParsedMail) -> bool:
    if mail.headers.get(LOOP_HEADER.lower()) == addressing.mail_domain():
        return True
    if addressing.is_support_address(mail.from_address):
        return True
    return (  # our own message back (a Message-ID the desk never makes needs no query)
        addressing.may_be_ours(mail.message_id)
        and OutboundMessage.objects.filter(message_id=mail.message_id).exists()
    )


def _bounce(mail: ParsedMail, *, now: dt.datetime) -> _Outcome:
    assert mail.bounce is not None
    bounce = mail.bounce
    ids = [bounce.original_message_id] if bounce.original_message_id else []
    ids += list(mail.thread_ids)
    original = OutboundMessage.objects.filter(message_id__in=ids).select_related("ticket").first()
    detail = "; ".join(
        f"{r.address}: {r.action} {r.status} {r.diagnostic}".strip() for r in bounce.recipients
    )
    if original is None:
        return _Outcome(
            InboundStatus.PROCESSED,
            "bounce_unmatched",
            f"{'failure' if bounce.permanent else 'delay'} report ({bounce.kind}) about "
            f"{bounce.original_message_id or 'an unknown message'}, not one the desk sent. {detail}",
        )
    if bounce.permanent or not original.bounced_at:
        original.bounced_at = now
        original.bounce_status = ("failed" if bounce.permanent else "delayed") + (
            f" {bounce.recipients[0].status}" if bounce.recipients else ""
        )
        original.bounce_detail = detail[:5000]
        original.save(update_fields=["bounced_at", "bounce_status", "bounce_detail"])
    return _Outcome(
        InboundStatus.PROCESSED,
        "bounce",
        f"{original.kind} to {original.to_address} {original.bounce_status} ({bounce.kind}). {detail}",
        ticket=original.ticket,
        bounced=original,
    )


def _thread(mail: ParsedMail, *, inbound: InboundMessage) -> tuple[Ticket | None, str]:
    """Find the ticket a message belongs to, and how (or why a tag was not trusted)."""
    from sladesk.tickets.models import Ticket

    ids = mail.thread_ids
    if ids:
        out = OutboundMessage.objects.filter(message_id__in=ids, ticket__isnull=False)
        for row in out.select_related("ticket"):
            return row.ticket, "our Message-ID in In-Reply-To/References"
        previous = (
            InboundMessage.objects.filter(message_id__in=ids, ticket__isnull=False)
            .exclude(pk=inbound.pk)
            .select_related("ticket")
            .first()
        )
        if previous is not None:
            return previous.ticket, "an earlier message of the ticket in References"
    recipients = [*mail.to, *mail.cc, *inbound.envelope_to]
    for header in ("delivered-to", "x-original-to"):
        if mail.headers.get(header):
            recipients.append(mail.headers[header])
    ticket_id = addressing.ticket_from_addresses(recipients)
    if ticket_id is not None:
        ticket = Ticket.objects.filter(pk=ticket_id).first()
        if ticket is not None:
            return ticket, "signed reply address"
    ticket_id = addressing.ticket_from_subject(mail.subject)
    if ticket_id is not None:
        ticket = Ticket.objects.filter(pk=ticket_id).first()
        if ticket is not None:
            return ticket, "signed subject tag"
    if addressing.has_unsigned_tag(mail.subject):
        return None, "the subject's ticket tag is not signed (or its signature is wrong): ignored"
    return None, ""


def _authenticated(mail: ParsedMail) -> bool:
    """Return whether our own MTA vouches for the From domain (DMARC or aligned DKIM pass).

    Only ``Authentication-Results`` headers of an ``authserv-id`` listed in
    ``SLADESK_MAIL_TRUSTED_AUTHSERV_IDS`` count (RFC 8601 s. 5); none by default.
    """
    trusted = [t.lower() for t in getattr(settings, "SLADESK_MAIL_TRUSTED_AUTHSERV_IDS", [])]
    results = mail.headers.get("authentication-results", "").lower()
    if not trusted or not results:
        return False
    authserv = results.split(";", 1)[0].strip().split()[0] if results.strip() else ""
    if authserv not in trusted:
        return False
    domain = mail.from_address.rsplit("@", 1)[-1]
    return "dmarc=pass" in results or f"dkim=pass header.d={domain}" in results


def _uploads(mail: ParsedMail, inbound: InboundMessage) -> list[Any]:
    from sladesk.tickets.services import Upload, max_attachment_bytes

    limit = max_attachment_bytes()
    uploads = []
    for part in mail.attachments:
        if part.size > limit:
            _note(
                inbound,
                f"attachment {part.filename} ({part.size} bytes) is over the limit; not saved",
            )
            continue
        uploads.append(Upload(stream=io.BytesIO(part.payload), filename=part.filename))
    return uploads


def _body(mail: ParsedMail) -> str:
    text = mail.display_text or mail.text
    if not text.strip():
        text = "(no text)" + (" - see the attachments" if mail.attachments else "")
    return text


def _follow_up(
    inbound: InboundMessage, mail: ParsedMail, *, ticket: Ticket, how: str, now: dt.datetime
) -> _Outcome:
    from sladesk.tickets.services import ticket_reply

    sender = mail.from_address
    contact = (
        Contact.objects.active()
        .filter(email__iexact=sender, organisation_id=ticket.organisation_id)
        .select_related("user")
        .first()
    )
    agent = None
    if contact is None:  # an agent writing by e-mail (only then: one lookup per message)
        agent = (
            Agent.objects.filter(user__email__iexact=sender, user__is_active=True)
            .select_related("user")
            .first()
        )
    actor: Actor | None = None
    if contact is not None:
        actor = Actor(user=contact.user, via="email", label=f"{contact.name} <{sender}> by e-mail")
    elif agent is not None and _authenticated(mail):
        actor = Actor(user=agent.user, via="email", label=f"{agent.name} <{sender}> by e-mail")
    if actor is None:
        if agent is not None:
            reason = (
                f"the message claims to come from the agent {sender}, but it is not authenticated "
                "by the desk's mail server (no DMARC or DKIM pass): a forged From is not trusted"
            )
        else:
            reason = (
                f"{sender} is not a registered contact of the ticket's organisation nor an agent; "
                "only they may add to a ticket"
            )
        mail_compose(
            kind="held",
            to=sender,
            context={"reason": reason, "original_subject": mail.subject},
            now=now,
            inbound=inbound,
        )
        return _Outcome(
            InboundStatus.HELD,
            "unauthorised_sender",
            f"{how}: #{ticket.pk}; {reason}",
            ticket=ticket,
        )
    try:
        with transaction.atomic():
            message = ticket_reply(
                ticket=ticket,
                body=_body(mail),
                actor=actor,
                attachments=_uploads(mail, inbound),
                now=now,
            )
    except DeskError as exc:
        mail_compose(
            kind="reply_refused",
            to=sender,
            ticket=ticket,
            context={"reason": exc.message},
            now=now,
            inbound=inbound,
        )
        return _Outcome(
            InboundStatus.REFUSED, exc.code, f"#{ticket.pk}: {exc.message}", ticket=ticket
        )
    return _Outcome(
        InboundStatus.PROCESSED,
        "reply_added",
        f"added to #{ticket.pk} ({how})",
        ticket=ticket,
        ticket_message_id=message.pk,
    )


def _opened_facts(ticket: Ticket) -> tuple[dt.datetime | None, int | None]:
    """Return the first-response due and the first message's id of a new ticket.

    From what ``ticket_open`` wrote when this is the instance it returned, else one query.
    """
    if ticket.opened_message is not None:
        dues = [c.due_at for c in ticket.opened_clocks if c.kind == "first_response"]
        return (dues[0] if dues else None), ticket.opened_message.pk
    from django.db.models import OuterRef, Subquery

    from sladesk.tickets.models import ClockKind, Ticket, TicketClock, TicketMessage

    clocks = TicketClock.objects.filter(ticket=OuterRef("pk"), kind=ClockKind.FIRST_RESPONSE)
    messages = TicketMessage.objects.filter(ticket=OuterRef("pk"))
    return (
        Ticket.objects.filter(pk=ticket.pk)
        .annotate(
            first_due=Subquery(clocks.order_by("-seq").values("due_at")[:1]),
            first_message=Subquery(messages.order_by("id").values("id")[:1]),
        )
        .values_list("first_due", "first_message")
        .get()
    )


def _new_request(inbound: InboundMessage, mail: ParsedMail, *, now: dt.datetime) -> _Outcome:
    from sladesk.tickets.services import ticket_open

    sender = mail.from_address
    subject = mail.subject or (mail.display_text.splitlines() or ["(no subject)"])[0][:120]
    description = _body(mail)
    levels = get_policy().severities
    asked, subject = requested_level(subject, description, levels)
    severity: str = asked or getattr(settings, "SLADESK_MAIL_DEFAULT_SEVERITY", "L3") or "L3"
    # Read before the ticket opens: what follows ``ticket_open`` runs while the team's
    # rotation row is locked (until commit), so it is kept short.
    ack_allowed = autoreply_allowed(address=sender, now=now)
    uploads = _uploads(mail, inbound)
    try:
        # ``ticket_open`` asks the door (channel e-mail) and raises its refusal before it
        # writes anything; only a file refused after the ticket row was written (a
        # hostile archive, say) can fail it later, so only then does a savepoint (two
        # statements) undo what it wrote.
        with transaction.atomic() if uploads else contextlib.nullcontext():
            ticket = ticket_open(
                channel="email",
                subject=subject or "(no subject)",
                description=description,
                severity=severity,
                category=getattr(settings, "SLADESK_MAIL_DEFAULT_CATEGORY", "question"),
                actor=Actor(user=None, via="email", label=f"e-mail from {sender}"),
                requester_email=sender,
                attachments=uploads,
                now=now,
                # Nobody asked for a level: say so (the non-production rule keeps its own).
                severity_reason="as requested" if asked is not None else DEFAULT_LEVEL_REASON,
            )
    except DeskError as exc:
        contact = contact_active_by_email(sender) if exc.code == "channel_not_in_plan" else None
        return _refused(inbound, mail, reason=exc.message, code=exc.code, now=now, contact=contact)
    first_due, message_id = _opened_facts(ticket)
    inbound.ticket = ticket  # so the acknowledgement's References include the request
    mail_compose(
        kind="acknowledgement",
        to=sender,
        ticket=ticket,
        context={
            "requester_name": ticket.requester.name,
            "first_due": first_due,
            "customer_flags": [f for f in ticket.flags if f.get("audience") == "all"],
            "level_asked": asked is not None,
            "levels": list(levels),
        },
        now=now,
        inbound=inbound,
        dedupe_key=f"mail:ack:{inbound.pk}",
        thread=[],  # a ticket opened just now has no conversation yet but this message
        autoreply_ok=ack_allowed,
    )
    return _Outcome(
        InboundStatus.PROCESSED,
        "ticket_opened",
        f"opened #{ticket.pk} ({ticket.plan_id}, {ticket.severity})",
        ticket=ticket,
        ticket_message_id=message_id,
    )


def _refused(
    inbound: InboundMessage,
    mail: ParsedMail,
    *,
    reason: str,
    code: str,
    now: dt.datetime,
    contact: Contact | None = None,
) -> _Outcome:
    if code == "channel_not_in_plan" and contact is not None:
        mail_compose(
            kind="portal_pointer",
            to=mail.from_address,
            context={
                "reason": reason,
                "requester_name": contact.name,
                "original_subject": mail.subject,
            },
            now=now,
            inbound=inbound,
            dedupe_key=f"mail:refusal:{inbound.pk}",
        )
        return _Outcome(InboundStatus.REFUSED, code, reason)
    mail_compose(
        kind="refusal",
        to=mail.from_address,
        context={"reason": reason, "original_subject": mail.subject},
        now=now,
        inbound=inbound,
        dedupe_key=f"mail:refusal:{inbound.pk}",
    )
    return _Outcome(InboundStatus.HELD, code, reason)
