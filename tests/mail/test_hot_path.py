"""The statements of an e-mail new request, and the hand-written SQL that keeps it cheap.

Every new request from a customer runs this path (benchmarks/mail_ingest.py): the
statements the mail app adds around ``ticket_open`` are pinned here, so a change that
adds a round trip shows up; the hand-written statements are compared with their ORM
twins on both databases.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re

import pytest
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from sladesk.mail import addressing
from sladesk.mail.models import InboundMessage, OutboundMessage
from sladesk.mail.outbound import automatic_answers
from sladesk.mail.services import _inbound_locked, mail_ingest, mail_process
from tests.accounts.factories import NOW

DB_TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "mail", "sla"],
    }
}
TASKS_TABLE = "django_tasks_database_dbtaskresult"
REQUEST = (
    "From: Gus Grissom <gus@globex.example>\r\n"
    "To: support@sladesk.localhost\r\n"
    "Subject: Messages arrive late {n}\r\n"
    "Message-ID: <hot-path-{n}@globex.example>\r\n"
    "Date: Wed, 25 Nov 2026 18:00:00 +0000\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n\r\n"
    "Since this morning messages arrive about ten minutes late for everyone.\r\n"
)
CONTROL = ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT")


def request(n: int = 1) -> bytes:
    return REQUEST.format(n=n).encode()


def statement(sql: str) -> tuple[str, str]:
    """Return a statement's verb and its first table, e.g. ``("INSERT", "mail_...")``."""
    table = re.search(r'\b(?:INTO|UPDATE|FROM)\s+"?([a-z_]+)"?', sql)
    return sql.split(None, 1)[0].upper(), table.group(1) if table else ""


def statements(queries: list[dict], *, skip: list[range] = ()) -> list[tuple[str, str]]:
    """The data statements of ``queries`` (not transaction control), minus those in ``skip``."""
    return [
        statement(q["sql"])
        for i, q in enumerate(queries)
        if not q["sql"].upper().startswith(CONTROL) and not any(i in r for r in skip)
    ]


@pytest.fixture
def db_tasks(settings):
    settings.TASKS = DB_TASKS


def test_a_new_request_costs_six_statements_besides_ticket_open(world, db_tasks, monkeypatch):
    """Lock and read the message, the rate limit, the acknowledgement (outbox row, its
    delivery task, its Message-ID record), the message's outcome: nothing else."""
    from sladesk.tickets import services as tickets

    stored = mail_ingest(raw=request(), via="smtp", now=NOW, process=False).inbound
    opening: list[range] = []
    ticket_open = tickets.ticket_open

    def measured(**kwargs):
        start = len(queries.captured_queries)
        try:
            return ticket_open(**kwargs)
        finally:
            opening.append(range(start, len(queries.captured_queries)))

    monkeypatch.setattr(tickets, "ticket_open", measured)
    with CaptureQueriesContext(connection) as queries:
        inbound = mail_process(inbound_id=stored.pk, now=NOW)
    assert inbound.outcome == "ticket_opened", inbound.reason
    assert len(opening) == 1
    assert statements(queries.captured_queries, skip=opening) == [
        ("SELECT", "mail_inboundmessage"),  # locked: FOR UPDATE
        ("SELECT", "mail_outboundmessage"),  # automatic answers to the sender (rate limit)
        ("INSERT", "notifications_notification"),  # ... ON CONFLICT DO NOTHING RETURNING
        ("INSERT", TASKS_TABLE),  # the outbox's delivery task
        ("INSERT", "mail_outboundmessage"),
        ("UPDATE", "mail_inboundmessage"),
    ]


def test_storing_a_message_is_one_insert_and_its_task(db, db_tasks):
    with CaptureQueriesContext(connection) as queries:
        first = mail_ingest(raw=request(), via="smtp", now=NOW)
    assert first.created
    assert statements(queries.captured_queries) == [
        ("INSERT", "mail_inboundmessage"),
        ("INSERT", TASKS_TABLE),
    ]
    with CaptureQueriesContext(connection) as queries:
        again = mail_ingest(raw=request(), via="smtp", now=NOW)
    assert not again.created and again.inbound.pk == first.inbound.pk
    assert statements(queries.captured_queries) == [
        ("INSERT", "mail_inboundmessage"),  # nothing written: the same message
        ("SELECT", "mail_inboundmessage"),
    ]


def test_a_large_duplicate_is_looked_up_before_its_copy_is_written(db, settings):
    settings.SLADESK_MAIL_INLINE_MAX_BYTES = 100
    raw = request(n=2) + b"x" * 500 + f"{NOW.timestamp()}-large-duplicate".encode()
    first = mail_ingest(raw=raw, via="smtp", now=NOW, process=False).inbound
    folder, name = first.raw_file.name.rsplit("/", 1)
    again = mail_ingest(raw=raw, via="smtp", now=NOW, process=False)
    assert not again.created and again.inbound.pk == first.pk
    files = [f for f in default_storage.listdir(folder)[1] if f.startswith(first.sha256)]
    assert files == [name]


def test_only_a_message_id_the_desk_could_have_made_is_looked_up_for_loops():
    for ticket_id in (None, 7):
        assert addressing.may_be_ours(addressing.new_message_id(ticket_id=ticket_id))
    for other in ("", "CAF=abc@mail.gmail.com", "sladesk@example.com", "xsladesk.1@a"):
        assert not addressing.may_be_ours(other)


def test_automatic_answers_counts_what_its_orm_twin_counts(db):
    stored = mail_ingest(raw=request(n=3), via="smtp", now=NOW, process=False).inbound
    since = NOW - dt.timedelta(hours=1)
    n = itertools.count()
    for to, automatic, inbound, age in itertools.product(
        ("gus@globex.example", "other@globex.example"),
        (True, False),
        (stored, None),
        (dt.timedelta(0), dt.timedelta(minutes=59), dt.timedelta(hours=1), dt.timedelta(hours=2)),
    ):
        OutboundMessage.objects.create(
            message_id=f"m{next(n)}@x",
            kind="acknowledgement",
            to_address=to,
            subject="s",
            automatic=automatic,
            created_at=NOW - age,
            inbound=inbound,
        )
    for address in ("gus@globex.example", "GUS@globex.example", "nobody@globex.example"):
        for limit in (1, 2, 3, 100):
            twin = OutboundMessage.objects.filter(
                to_address=address.lower(),
                automatic=True,
                inbound__isnull=False,
                created_at__gte=since,
            )[:limit].count()
            got = automatic_answers(address=address, since=since, limit=limit)
            assert got == twin, (address, limit)
    assert automatic_answers(address="gus@globex.example", since=since, limit=100) == 3


def test_the_locked_read_returns_what_the_orm_returns(db):
    stored = mail_ingest(
        raw=request(n=4), via="smtp", envelope_to=["support@sladesk.localhost"], now=NOW
    ).inbound
    InboundMessage.objects.filter(pk=stored.pk).update(notes=["ü", {"a": 1}])
    with transaction.atomic():
        mine = _inbound_locked(stored.pk)
        twin = InboundMessage.objects.select_for_update().filter(pk=stored.pk).first()
    assert mine is not None and twin is not None
    for field in InboundMessage._meta.concrete_fields:
        a, b = getattr(mine, field.attname), getattr(twin, field.attname)
        if field.name == "raw":
            a, b = bytes(a), bytes(b)
        assert a == b and type(a) is type(b), field.name
    assert mine._state.adding is False and mine._state.db == "default"
    assert _inbound_locked(stored.pk + 1000) is None


def savepoints(queries: list[dict]) -> int:
    """Savepoints beyond the processing's own transaction (itself one inside a test's)."""
    return sum(q["sql"].upper().startswith("SAVEPOINT") for q in queries) - 1


def test_a_request_without_files_opens_its_ticket_without_a_savepoint(world):
    first = mail_ingest(raw=request(1), via="smtp", now=NOW, process=False).inbound
    mail_process(inbound_id=first.pk, now=NOW)  # the team's rotation row now exists
    stored = mail_ingest(raw=request(2), via="smtp", now=NOW, process=False).inbound
    with CaptureQueriesContext(connection) as queries:
        inbound = mail_process(inbound_id=stored.pk, now=NOW)
    assert inbound.outcome == "ticket_opened", inbound.reason
    assert savepoints(queries.captured_queries) == 0


def test_a_file_refused_after_the_ticket_was_written_leaves_no_ticket(world, monkeypatch):
    """With files, a savepoint undoes the opening when one of them is refused."""
    from sladesk.core.exceptions import ValidationFailed
    from sladesk.tickets.models import Ticket
    from sladesk.tickets.services import intake

    def refuse(**kwargs):
        raise ValidationFailed("a hostile archive", code="packet_zip_bomb")

    monkeypatch.setattr(intake, "attachment_add", refuse)
    raw = request(2).replace(
        b"Content-Type: text/plain; charset=utf-8\r\n\r\n",
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n'
        b"Content-Type: text/plain\r\n\r\nLog attached.\r\n--b\r\n"
        b'Content-Type: text/plain; name="a.log"\r\nContent-Disposition: attachment; '
        b'filename="a.log"\r\n\r\nerror\r\n--b--\r\n\r\n',
    )
    stored = mail_ingest(raw=raw, via="smtp", now=NOW, process=False).inbound
    before = Ticket.objects.count()
    with CaptureQueriesContext(connection) as queries:
        inbound = mail_process(inbound_id=stored.pk, now=NOW)
    assert savepoints(queries.captured_queries) >= 1
    assert Ticket.objects.count() == before
    assert inbound.outcome != "ticket_opened"
