"""Background work is enqueued in the same transaction as the change that asks for it.

With the database task backend (the desk's), the task row commits with the change or
not at all: a rolled-back change leaves no task, a committed one exactly one.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from sladesk.mail.models import InboundMessage
from sladesk.mail.services import mail_ingest
from sladesk.notifications.models import Notification
from sladesk.notifications.services import notification_enqueue
from tests.accounts.factories import NOW
from tests.mail.conftest import eml

DB_TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "mail", "sla"],
    }
}


class Rollback(Exception):
    pass


def notify(key: str) -> None:
    notification_enqueue(
        channel="log",
        kind="test",
        dedupe_key=key,
        payload={"text": key},
        now=NOW,
        address="sladesk.test",
    )


def tasks(path: str) -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=path))


@pytest.fixture(autouse=True)
def database_backend(settings):
    settings.TASKS = DB_TASKS


@pytest.mark.django_db(transaction=True)
class TestWithTheDatabaseBackend:
    def test_outbox_rolled_back_change_leaves_no_task(self):
        with pytest.raises(Rollback), transaction.atomic():
            notify("gone")
            assert len(tasks("sladesk.notifications.tasks.notifications_deliver")) == 1
            raise Rollback
        assert not Notification.objects.exists()
        assert tasks("sladesk.notifications.tasks.notifications_deliver") == []

    def test_outbox_committed_change_leaves_exactly_one_task(self):
        with transaction.atomic():
            notify("kept")
        assert Notification.objects.filter(dedupe_key="kept").count() == 1
        [task] = tasks("sladesk.notifications.tasks.notifications_deliver")
        assert task.status == "READY"

    def test_stored_mail_and_its_processing_task_commit_together(self):
        stored = mail_ingest(raw=eml("mailinglist-bulk.eml"), via="smtp", now=NOW)
        [task] = tasks("sladesk.mail.tasks.mail_process_task")
        assert task.args_kwargs["args"] == [stored.inbound.pk]
        assert task.queue_name == "mail"
        again = mail_ingest(raw=eml("mailinglist-bulk.eml"), via="smtp", now=NOW)
        assert again.created is False
        assert len(tasks("sladesk.mail.tasks.mail_process_task")) == 1  # a duplicate: none

    def test_mail_not_stored_queues_nothing(self, monkeypatch):
        from sladesk.mail import services

        enqueue = services._enqueue_process

        def enqueue_then_fail(inbound_id):
            enqueue(inbound_id)
            assert len(tasks("sladesk.mail.tasks.mail_process_task")) == 1
            raise Rollback  # e.g. the connection dropped before COMMIT

        monkeypatch.setattr(services, "_enqueue_process", enqueue_then_fail)
        with pytest.raises(Rollback):
            mail_ingest(raw=eml("mailinglist-bulk.eml"), via="smtp", now=NOW)
        assert not InboundMessage.objects.exists()
        assert tasks("sladesk.mail.tasks.mail_process_task") == []
