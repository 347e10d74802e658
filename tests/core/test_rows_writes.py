"""``core.rows``: hand-written INSERT/UPDATE that write what the ORM writes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sladesk.core import rows
from sladesk.mail.models import InboundMessage, OutboundMessage
from sladesk.notifications.models import Notification
from sladesk.notifications.services import notification_enqueue
from tests.accounts.factories import NOW, make_agent

pytestmark = pytest.mark.django_db


def notification(**fields) -> Notification:
    values = {
        "address": "a@example.com",
        "channel": "email",
        "kind": "mail.test",
        "payload": {"subject": "Grüße", "n": [1, 2.5, None], "nested": {"ok": True}},
        "status": "pending",
        "next_attempt_at": NOW,
        "dedupe_key": "k1",
        "created_at": NOW,
    }
    return Notification(**{**values, **fields})


def as_saved(row: Notification) -> dict:
    data = Notification.objects.filter(pk=row.pk).values().get()
    data.pop("id")
    return data


def stored_inbound(row: InboundMessage) -> dict:
    """The stored columns of ``row`` but its key and dedupe key, its raw bytes as bytes."""
    data = InboundMessage.objects.filter(pk=row.pk).values().get()
    for key in ("id", "dedupe_key"):
        data.pop(key)
    data["raw"] = bytes(data["raw"])
    return data


def test_insert_writes_what_save_writes_and_sets_the_pk():
    user = make_agent(name="Ada Agent").user
    mine = notification(recipient=user, dedupe_key="mine")
    orm = notification(recipient=user, dedupe_key="orm")
    with CaptureQueriesContext(connection) as queries:
        pk = rows.insert(mine)
    orm.save()
    assert len(queries) == 1 and "RETURNING" in queries[0]["sql"]
    assert pk == mine.pk and isinstance(pk, int) and mine._state.adding is False
    assert as_saved(mine) == {**as_saved(orm), "dedupe_key": "mine"}
    assert Notification.objects.get(pk=pk).payload == mine.payload


def test_insert_ignoring_conflicts_returns_none_and_writes_nothing():
    first = notification()
    assert rows.insert(first, ignore_conflicts=True) == first.pk
    again = notification(kind="other")
    assert rows.insert(again, ignore_conflicts=True) is None
    assert again.pk is None and again._state.adding is True
    assert Notification.objects.get().kind == "mail.test"


def test_update_writes_only_the_given_fields_like_save_update_fields():
    row = InboundMessage.objects.create(
        received_at=NOW, via="smtp", size=3, sha256="0" * 64, dedupe_key="d", raw=b"abc"
    )
    twin = InboundMessage.objects.create(
        received_at=NOW, via="smtp", size=3, sha256="0" * 64, dedupe_key="e", raw=b"abc"
    )
    for inbound in (row, twin):
        inbound.status = "processed"
        inbound.notes = ["a note", {"k": "ü"}]
        inbound.processed_at = NOW + dt.timedelta(seconds=1)
        inbound.size = 999  # not in the fields: must stay
    fields = ["status", "notes", "processed_at", "ticket_message_id"]
    assert rows.update(row, fields) == 1
    twin.save(update_fields=fields)
    got, want = stored_inbound(row), stored_inbound(twin)
    assert got == want
    assert got["size"] == 3 and got["notes"] == ["a note", {"k": "ü"}]


def test_notification_enqueue_returns_the_new_id_or_none_for_a_duplicate(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks() as callbacks:
        first = notification_enqueue(
            channel="log", kind="x", dedupe_key="once", payload={}, now=NOW, address="a"
        )
    assert first == Notification.objects.get(dedupe_key="once").pk
    assert len(callbacks) == 1  # its delivery task
    with django_capture_on_commit_callbacks() as callbacks:
        again = notification_enqueue(
            channel="log", kind="y", dedupe_key="once", payload={}, now=NOW, address="a"
        )
    assert again is None and callbacks == []  # the existing row had its own task
    assert Notification.objects.get().kind == "x"


def inbound(key: str) -> InboundMessage:
    return InboundMessage(
        received_at=NOW, via="smtp", size=3, sha256="0" * 64, dedupe_key=key, raw=b"abc"
    )


def outbound(message_id: str, **links) -> OutboundMessage:
    return OutboundMessage(
        message_id=message_id,
        kind="acknowledgement",
        to_address="a@example.com",
        subject="Grüße",
        created_at=NOW,
        **links,
    )


def saved_outbound(row: OutboundMessage) -> dict:
    data = OutboundMessage.objects.filter(pk=row.pk).values().get()
    for key in ("id", "message_id", "inbound_id", "notification_id"):
        data.pop(key)
    return data


class TestInsertLinked:
    """Rows of several tables that point at each other, written as ``save()`` writes them."""

    def test_rows_point_at_the_rows_of_earlier_groups_and_get_their_keys(self):
        first, second = inbound("one"), inbound("two")
        note = notification()
        answers = [
            outbound("m1", inbound=first, notification=note),
            outbound("m2", inbound=second),
            outbound("m3", inbound=first),
        ]
        with CaptureQueriesContext(connection) as queries:
            rows.insert_linked([first, second], [note], answers)
        inserts = [q for q in queries.captured_queries if "INSERT" in q["sql"]]
        assert len(inserts) == (1 if connection.vendor == "postgresql" else 3)
        assert first.pk < second.pk and not first._state.adding
        assert [a.inbound_id for a in answers] == [first.pk, second.pk, first.pk]
        assert answers[0].notification_id == note.pk and answers[1].notification_id is None
        stored = {
            o.message_id: (o.inbound_id, o.notification_id)
            for o in OutboundMessage.objects.order_by("pk")
        }
        assert stored == {
            "m1": (first.pk, note.pk),
            "m2": (second.pk, None),
            "m3": (first.pk, None),
        }
        assert [a.pk for a in answers] == sorted(a.pk for a in answers)

    def test_what_it_writes_is_what_save_writes(self):
        linked, saved = inbound("linked"), inbound("saved")
        mine, theirs = outbound("mine", inbound=linked), outbound("theirs")
        rows.insert_linked([linked], [mine])
        saved.save()
        theirs.inbound = saved
        theirs.save()
        assert saved_outbound(mine) == saved_outbound(theirs)
        stored = OutboundMessage.objects.get(pk=mine.pk)
        assert stored.inbound_id == linked.pk == mine.inbound_id
        assert stored.notification_id is None and mine.inbound is linked
        assert stored_inbound(linked) == stored_inbound(saved)

    def test_a_saved_row_outside_the_groups_lends_its_key(self):
        earlier = InboundMessage.objects.create(
            received_at=NOW, via="smtp", size=3, sha256="0" * 64, dedupe_key="saved", raw=b"a"
        )
        answer = outbound("m", inbound=earlier)
        rows.insert_linked([answer])
        assert OutboundMessage.objects.get(pk=answer.pk).inbound_id == earlier.pk

    def test_an_unsaved_row_outside_the_earlier_groups_is_refused_and_nothing_written(self):
        stray = inbound("stray")
        with pytest.raises(ValueError, match="unsaved related object 'inbound'"):
            rows.insert_linked([inbound("kept")], [outbound("m", inbound=stray)])
        assert InboundMessage.objects.count() == 0 and OutboundMessage.objects.count() == 0


def passthrough_samples(types: tuple[type, ...]) -> list:
    """Values of each passthrough type: edge cases included."""
    from zoneinfo import ZoneInfo

    samples: list = []
    if str in types:
        samples += ["", "Grüße", "x" * 500, "0", "False"]
    if bool in types:
        samples += [True, False]
    if int in types:
        samples += [0, 1, 2**40]
    if dt.datetime in types:
        samples += [
            NOW,
            NOW.astimezone(ZoneInfo("America/New_York")),
            dt.datetime.max.replace(tzinfo=dt.UTC),
        ]
    if type(None) in types:
        samples.append(None)
    return samples


def postgresql() -> object:
    """PostgreSQL's backend: this run's connection, or one never opened (on SQLite runs).

    Value preparation reads only the backend's operations and features, not the server.
    """
    if connection.vendor == "postgresql":
        return connection
    from django.db.backends.postgresql.base import DatabaseWrapper

    settings_dict = {**connection.settings_dict, "ENGINE": "django.db.backends.postgresql"}
    return DatabaseWrapper(settings_dict, alias="postgresql-offline")


class TestPassthroughTypes:
    """``insert_linked`` skips value preparation only where it would change nothing."""

    def test_every_field_of_every_model_prepares_its_passthrough_values_to_themselves(self):
        from django.apps import apps

        pg = postgresql()

        checked = 0
        for model in apps.get_models():
            for field in rows._insert_fields(model)[0]:
                types, aware = rows.passthrough_types(field)
                for value in passthrough_samples(types):
                    obj = model()
                    setattr(obj, field.attname, value)
                    prepared = field.get_db_prep_save(field.pre_save(obj, add=True), pg)
                    assert prepared == value and type(prepared) is type(value), (field, value)
                    checked += 1
        assert checked > 500  # the desk's models have that many text, flag, key and time cells

    def test_fields_that_change_values_on_the_way_have_none(self):
        from django.db import models

        assert rows.passthrough_types(models.IntegerField()) == ((), False)  # psycopg's Int4
        assert rows.passthrough_types(models.JSONField()) == ((), False)
        assert rows.passthrough_types(models.DateTimeField(auto_now=True)) == ((), False)
        assert rows.passthrough_types(models.DateTimeField())[1] is True  # aware only

    @pytest.mark.skipif(
        connection.vendor != "postgresql", reason="insert_linked's one statement is PostgreSQL's"
    )
    def test_other_values_take_the_full_preparation(self):
        """A lazy string and a naive datetime are written as save() would write them."""
        from django.utils.functional import lazy

        lazy_subject = lazy(lambda: "Grüße aus Köln", str)()
        naive = dt.datetime(2026, 11, 25, 18, 0)  # noqa: DTZ001 - the point of the test
        mine = outbound("lazy")
        mine.subject, mine.created_at = lazy_subject, naive
        with pytest.warns(RuntimeWarning, match="naive datetime"):
            rows.insert_linked([mine])
        stored = OutboundMessage.objects.get(pk=mine.pk)
        assert stored.subject == "Grüße aus Köln"
        assert stored.created_at == naive.replace(tzinfo=dt.UTC)
