"""The outbox: enqueue once, deliver through a channel, retry with backoff, give up (dead)."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.test import override_settings

from sladesk.notifications import channels
from sladesk.notifications.models import Notification
from sladesk.notifications.selectors import inbox, outbox_counts, unread_count
from sladesk.notifications.services import (
    Draft,
    notification_enqueue,
    notification_retry,
    notifications_deliver_due,
    notifications_enqueue,
    notifications_mark_read,
    retry_delay,
)
from tests.accounts.factories import NOW, make_agent
from tests.worker import live

S = dt.timedelta(seconds=1)

live_db = live.live_db  # the fixture, in this module's scope


@pytest.fixture
def agent(db):
    return make_agent(name="Ada Agent")


@pytest.fixture
def flaky():
    """A ``chat`` channel that fails until told otherwise."""
    state = {"fail": True, "calls": 0}

    @channels.register("chat")
    def deliver_chat(notification):
        state["calls"] += 1
        if state["fail"]:
            raise channels.DeliveryFailed("chat server said 503")

    yield state
    channels.unregister("chat")


def enqueue(user=None, *, key="k1", channel="in_app", address="", kind="sla.warning"):
    notification_enqueue(
        channel=channel,
        kind=kind,
        dedupe_key=key,
        payload={"text": f"about {key}"},
        now=NOW,
        recipient=user,
        address=address,
    )
    return Notification.objects.get(dedupe_key=key)


class TestRetryDelay:
    def test_exponential_from_30_seconds_capped_at_an_hour(self):
        assert [retry_delay(n).total_seconds() for n in range(1, 10)] == [
            30, 60, 120, 240, 480, 960, 1920, 3600, 3600,
        ]  # fmt: skip

    @override_settings(SLADESK_OUTBOX_RETRY_BASE=2, SLADESK_OUTBOX_RETRY_CAP=10)
    def test_settings(self):
        assert [retry_delay(n).total_seconds() for n in range(1, 6)] == [2, 4, 8, 10, 10]


@pytest.mark.django_db
class TestEnqueue:
    def test_a_dedupe_key_is_enqueued_once(self, agent):
        enqueue(agent.user, key="clock:1:breach:in_app")
        enqueue(agent.user, key="clock:1:breach:in_app")
        notifications_enqueue(
            drafts=[
                Draft(
                    channel="log",
                    kind="x",
                    dedupe_key="clock:1:breach:in_app",
                    payload={},
                    address="a",
                ),
                Draft(channel="log", kind="x", dedupe_key="other", payload={}, address="a"),
            ],
            now=NOW,
        )
        assert Notification.objects.count() == 2
        row = Notification.objects.get(dedupe_key="clock:1:breach:in_app")
        assert (row.status, row.attempts, row.next_attempt_at) == ("pending", 0, NOW)

    def test_refuses_unknown_channels_and_missing_recipients(self, db):
        with pytest.raises(ValueError, match="unknown channel"):
            enqueue(None, channel="pigeon", address="x")
        with pytest.raises(ValueError, match="recipient"):
            enqueue(None, channel="in_app")

    def test_delivery_task_runs_after_commit(self, agent, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            enqueue(agent.user)
        assert len(callbacks) == 1
        # Test settings run tasks immediately: the task delivered it (the real clock is later).
        assert Notification.objects.get().status == "sent"


@pytest.mark.django_db
class TestDelivery:
    def test_in_app_becomes_visible_and_can_be_read(self, agent):
        n = enqueue(agent.user)
        assert list(inbox(agent.user)) == []  # pending is not shown yet
        result = notifications_deliver_due(now=NOW)
        assert (result.sent, result.failed, result.dead) == (1, 0, 0)
        n.refresh_from_db()
        assert (n.status, n.attempts, n.sent_at, n.last_error) == ("sent", 1, NOW, "")
        assert list(inbox(agent.user)) == [n] and unread_count(agent.user) == 1
        assert notifications_mark_read(user=agent.user, now=NOW + S) == 1
        assert unread_count(agent.user) == 0 and list(inbox(agent.user, unread_only=True)) == []
        assert notifications_mark_read(user=agent.user, now=NOW + 2 * S) == 0

    def test_log_channel_writes_a_line(self, db, caplog):
        caplog.set_level(logging.INFO, logger="sladesk.notifications")
        enqueue(None, channel="log", address="sladesk.sla", key="log-1")
        assert notifications_deliver_due(now=NOW).sent == 1
        assert "notify sla.warning to sladesk.sla: about log-1" in caplog.text

    def test_not_due_yet_is_left_alone(self, agent):
        enqueue(agent.user)
        assert notifications_deliver_due(now=NOW - S).total == 0

    def test_sent_is_never_sent_again(self, agent):
        enqueue(agent.user)
        notifications_deliver_due(now=NOW)
        assert notifications_deliver_due(now=NOW + dt.timedelta(days=1)).total == 0


@pytest.mark.django_db
class TestRetries:
    def test_backoff_then_success(self, agent, flaky):
        n = enqueue(agent.user, channel="chat")
        assert notifications_deliver_due(now=NOW).failed == 1
        n.refresh_from_db()
        assert (n.status, n.attempts, n.next_attempt_at) == ("failed", 1, NOW + 30 * S)
        assert "DeliveryFailed: chat server said 503" in n.last_error
        assert notifications_deliver_due(now=NOW + 29 * S).total == 0  # not yet
        assert notifications_deliver_due(now=NOW + 30 * S).failed == 1
        n.refresh_from_db()
        assert (n.attempts, n.next_attempt_at) == (2, NOW + 90 * S)  # then 60 s later
        flaky["fail"] = False
        assert notifications_deliver_due(now=NOW + 90 * S).sent == 1
        n.refresh_from_db()
        assert (n.status, n.attempts, n.last_error) == ("sent", 3, "")
        assert flaky["calls"] == 3

    @override_settings(SLADESK_OUTBOX_MAX_ATTEMPTS=3)
    def test_dead_after_the_last_attempt(self, agent, flaky, caplog):
        n = enqueue(agent.user, channel="chat")
        when = NOW
        for _ in range(3):
            notifications_deliver_due(now=when)
            n.refresh_from_db()
            when = n.next_attempt_at
        assert (n.status, n.attempts) == ("dead", 3)
        assert "is dead after 3 attempt(s)" in caplog.text
        assert notifications_deliver_due(now=NOW + dt.timedelta(days=7)).total == 0
        assert outbox_counts()["dead"] == 1
        # An operator can give it another round.
        flaky["fail"] = False
        notification_retry(notification=n, now=NOW + dt.timedelta(days=7))
        assert notifications_deliver_due(now=NOW + dt.timedelta(days=7)).sent == 1

    def test_a_channel_nobody_registered_is_dead_at_once(self, db, monkeypatch):
        monkeypatch.delitem(channels._REGISTRY, "paging", raising=False)
        n = enqueue(None, channel="paging", address="oncall")
        assert notifications_deliver_due(now=NOW).dead == 1
        n.refresh_from_db()
        assert (n.status, n.attempts) == ("dead", 1)
        assert "no channel 'paging' is registered" in n.last_error

    def test_permanent_failure_is_dead_at_once(self, db, flaky):
        channels.register("chat")(
            lambda n: (_ for _ in ()).throw(channels.PermanentFailure("gone"))
        )
        n = enqueue(None, channel="chat", address="#support")
        assert notifications_deliver_due(now=NOW).dead == 1
        n.refresh_from_db()
        assert (n.status, n.attempts, n.last_error) == ("dead", 1, "PermanentFailure: gone")

    def test_in_app_without_user_is_dead(self, db):
        Notification.objects.create(
            channel="in_app", kind="x", dedupe_key="orphan", next_attempt_at=NOW, created_at=NOW
        )
        assert notifications_deliver_due(now=NOW).dead == 1

    def test_a_batch_mixes_outcomes(self, agent, flaky, monkeypatch):
        monkeypatch.delitem(channels._REGISTRY, "paging", raising=False)
        enqueue(agent.user, key="a")
        enqueue(agent.user, key="b", channel="chat")
        enqueue(None, key="c", channel="paging", address="oncall")
        result = notifications_deliver_due(now=NOW)
        assert (result.sent, result.failed, result.dead) == (1, 1, 1)
        assert outbox_counts() == {"pending": 0, "sent": 1, "failed": 1, "dead": 1}


def test_rows_locked_by_another_worker_are_skipped(live_db, transactional_db):
    """On PostgreSQL a row being delivered elsewhere (locked) is skipped, not waited for."""
    import threading

    from django.db import connection, connections, transaction

    if connection.vendor != "postgresql":
        pytest.skip("SKIP LOCKED is PostgreSQL's; SQLite serialises the writers instead")
    agent = make_agent(name="Ada Agent")
    # Written directly: enqueueing would deliver at once (autocommit, immediate tasks).
    held, free = (
        Notification.objects.create(
            recipient=agent.user,
            channel="in_app",
            kind="x",
            dedupe_key=key,
            next_attempt_at=NOW,
            created_at=NOW,
        )
        for key in ("held", "free")
    )
    locked, release = threading.Event(), threading.Event()

    def other_worker():
        try:
            with transaction.atomic():
                Notification.objects.select_for_update().get(pk=held.pk)
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert locked.wait(10)
        result = notifications_deliver_due(now=NOW)
        assert result.sent == 1
        assert Notification.objects.get(pk=held.pk).status == "pending"
        assert Notification.objects.get(pk=free.pk).status == "sent"
    finally:
        release.set()
        thread.join()
