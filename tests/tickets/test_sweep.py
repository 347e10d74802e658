"""The SLA sweep: each warning threshold and each breach recorded exactly once."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from sladesk.notifications.models import Notification
from sladesk.tickets.models import EventKind, Ticket, TicketClock, TicketEvent
from sladesk.tickets.services import ticket_reply, ticket_severity_set, ticket_status_set
from sladesk.tickets.sweep import SweepResult, breach_key, sla_sweep, sla_sweep_all, warning_key
from tests.accounts.factories import NOW, make_agent
from tests.tickets.conftest import open_ticket

H = dt.timedelta(hours=1)
M = dt.timedelta(minutes=1)
PACIFIC = ZoneInfo("America/Los_Angeles")


def first_response(ticket) -> TicketClock:
    return TicketClock.objects.get(ticket=ticket, kind="first_response")


def sla_events(ticket):
    return list(
        TicketEvent.objects.filter(
            ticket=ticket, kind__in=[EventKind.CLOCK_WARNING, EventKind.CLOCK_BREACHED]
        ).order_by("at", "id")
    )


def crossings(ticket):
    return [(e.kind, e.data.get("threshold"), e.at) for e in sla_events(ticket)]


@pytest.mark.django_db
class TestThresholdsOnce:
    """Premier L1: first response within 1 h on the "always" calendar (75 % = 45 min)."""

    def test_each_threshold_and_the_breach_once(self, world):
        ticket = open_ticket(world.maria, severity="L1", environment=world.acme_prod)
        assert sla_sweep(now=NOW + 44 * M).events == 0
        assert crossings(ticket) == []

        assert sla_sweep(now=NOW + 45 * M).warnings == 1
        assert sla_sweep(now=NOW + 45 * M).events == 0  # same now: nothing new
        assert sla_sweep(now=NOW + 53 * M).events == 0
        assert sla_sweep(now=NOW + 54 * M).warnings == 1
        result = sla_sweep(now=NOW + 60 * M)
        assert (result.warnings, result.breaches) == (0, 1)
        for minutes in (60, 61, 120, 60 * 24):
            assert sla_sweep(now=NOW + minutes * M).events == 0

        assert crossings(ticket) == [
            (EventKind.CLOCK_WARNING, 0, NOW + 45 * M),
            (EventKind.CLOCK_WARNING, 1, NOW + 54 * M),
            (EventKind.CLOCK_BREACHED, None, NOW + H),
        ]
        clock = first_response(ticket)
        assert (clock.warned, clock.breached, clock.next_check_at) == (2, True, None)
        assert [e.key for e in sla_events(ticket)] == [
            warning_key(clock, 0),
            warning_key(clock, 1),
            breach_key(clock),
        ]
        event = sla_events(ticket)[0]
        assert event.via == "system" and event.actor is None and event.clock_id == clock.pk
        assert event.data["fraction"] == 0.75 and event.data["clock"] == "first_response"
        assert event.data["recorded_at"] == (NOW + 45 * M).isoformat()

    def test_next_check_moves_to_the_next_threshold(self, world):
        ticket = open_ticket(world.maria, severity="L1", environment=world.acme_prod)
        assert first_response(ticket).next_check_at == NOW + 45 * M
        sla_sweep(now=NOW + 46 * M)
        assert first_response(ticket).next_check_at == NOW + 54 * M
        sla_sweep(now=NOW + 55 * M)
        assert first_response(ticket).next_check_at == NOW + H

    def test_a_late_sweep_records_every_crossing_and_notifies_the_last(self, world):
        ticket = open_ticket(world.maria, severity="L1", environment=world.acme_prod)
        result = sla_sweep(now=NOW + 3 * H)
        assert (result.clocks, result.warnings, result.breaches) == (1, 2, 1)
        assert [k for k, _, _ in crossings(ticket)] == [
            EventKind.CLOCK_WARNING,
            EventKind.CLOCK_WARNING,
            EventKind.CLOCK_BREACHED,
        ]
        # The events carry the instants crossed, not the sweep's.
        assert [at for _, _, at in crossings(ticket)] == [NOW + 45 * M, NOW + 54 * M, NOW + H]
        assert set(Notification.objects.values_list("kind", flat=True)) == {"sla.breach"}

    def test_a_met_clock_is_never_swept(self, world):
        ticket = open_ticket(world.maria, severity="L1", environment=world.acme_prod)
        ticket_reply(ticket=ticket, body="On it.", actor=world.actor(world.senior), now=NOW + M)
        assert first_response(ticket).next_check_at is None
        assert sla_sweep(now=NOW + 5 * H) == SweepResult()
        assert crossings(ticket) == []

    def test_met_between_warning_and_due_stops_the_sweep(self, world):
        ticket = open_ticket(world.maria, severity="L1", environment=world.acme_prod)
        sla_sweep(now=NOW + 50 * M)
        ticket_reply(
            ticket=ticket, body="On it.", actor=world.actor(world.senior), now=NOW + 52 * M
        )
        sla_sweep(now=NOW + 2 * H)
        assert [k for k, _, _ in crossings(ticket)] == [EventKind.CLOCK_WARNING]


@pytest.mark.django_db
class TestNotifications:
    def test_assignee_in_app_and_a_log_line(self, world):
        ticket = open_ticket(world.maria, severity="L1", environment=world.acme_prod)
        assert ticket.assignee is not None
        result = sla_sweep(now=NOW + 45 * M)
        assert result.notifications == 2
        rows = {n.channel: n for n in Notification.objects.all()}
        assert set(rows) == {"in_app", "log"}
        in_app = rows["in_app"]
        assert in_app.recipient_id == ticket.assignee.user_id
        assert in_app.status == "pending" and in_app.kind == "sla.warning"
        assert in_app.payload["ticket_id"] == ticket.pk and in_app.payload["fraction"] == 0.75
        assert "75%" in in_app.payload["text"]
        assert rows["log"].address == "sladesk.sla"
        key = warning_key(first_response(ticket), 0)
        assert in_app.dedupe_key == f"{key}:in_app:{ticket.assignee.user_id}"

    def test_unassigned_tickets_notify_the_team_on_shift(self, world):
        ticket = open_ticket(world.gus, severity="L1", environment=world.globex_prod)
        Ticket.objects.filter(pk=ticket.pk).update(assignee=None)  # nobody on shift
        ticket.refresh_from_db()
        assert ticket.team is not None
        on_shift = set(
            ticket.team.agents.filter(availability__on_shift=True).values_list("user_id", flat=True)
        )
        off_shift = make_agent(name="Otto Off", teams=[ticket.team.slug])
        assert on_shift and off_shift.user_id not in on_shift
        sla_sweep(now=NOW + 4 * H)
        notified = set(
            Notification.objects.filter(channel="in_app").values_list("recipient_id", flat=True)
        )
        assert notified == on_shift

    def test_notifications_are_enqueued_once(self, world):
        open_ticket(world.maria, severity="L1", environment=world.acme_prod)
        sla_sweep(now=NOW + H)
        count = Notification.objects.count()
        sla_sweep(now=NOW + H)
        sla_sweep(now=NOW + 2 * H)
        assert Notification.objects.count() == count


@pytest.mark.django_db
class TestBusinessTime:
    def test_weekday_24x5_target_opened_friday_night_warns_on_monday(self, world):
        # Enterprise L1: 4 h on weekday_24x5 (Mon 00:00 - Sat 00:00 Pacific).
        # Opened Fri 2026-11-27 22:00 PST: 2 h count on Friday, then Monday from 00:00.
        friday = dt.datetime(2026, 11, 27, 22, 0, tzinfo=PACIFIC)
        ticket = open_ticket(world.gus, severity="L1", environment=world.globex_prod, now=friday)
        clock = first_response(ticket)
        monday = dt.datetime(2026, 11, 30, tzinfo=PACIFIC)
        assert clock.due_at == monday + 2 * H
        # Wall-clock 75 % of 4 h would be Saturday 01:00; business time says Monday 01:00.
        for saturday_or_sunday in (friday + 3 * H, friday + 24 * H, monday - M):
            assert sla_sweep(now=saturday_or_sunday).events == 0
        assert sla_sweep(now=monday + H - M).events == 0
        assert sla_sweep(now=monday + H).warnings == 1
        assert sla_sweep(now=monday + 96 * M).warnings == 1  # 90 % = 3 h 36 min
        assert sla_sweep(now=monday + 2 * H).breaches == 1
        assert crossings(ticket) == [
            (EventKind.CLOCK_WARNING, 0, monday + H),
            (EventKind.CLOCK_WARNING, 1, monday + 96 * M),
            (EventKind.CLOCK_BREACHED, None, monday + 2 * H),
        ]


@pytest.mark.django_db
class TestPausedClocks:
    """Premier L2 next reply: 4 h on "always" (75 % = 3 h, 90 % = 3 h 36 min)."""

    def _next_reply_running(self, world):
        ticket = open_ticket(world.maria, severity="L2", environment=world.acme_prod)
        agent = world.actor(world.senior)
        ticket_reply(ticket=ticket, body="Looking.", actor=agent, now=NOW + 10 * M)
        ticket_reply(ticket=ticket, body="Any news?", actor=world.actor(world.maria), now=NOW + H)
        clock = TicketClock.objects.get(ticket=ticket, kind="next_reply")
        assert clock.started_at == NOW + H and clock.due_at == NOW + 5 * H
        return ticket, agent

    def test_a_paused_clock_records_nothing_and_its_thresholds_move(self, world):
        ticket, agent = self._next_reply_running(world)
        ticket_status_set(ticket=ticket, status="waiting_on_customer", actor=agent, now=NOW + 2 * H)
        clock = TicketClock.objects.get(ticket=ticket, kind="next_reply")
        assert clock.next_check_at is None
        # Without the pause it would warn at +4 h and breach at +5 h.
        assert sla_sweep(now=NOW + 6 * H).events == 0
        ticket_status_set(ticket=ticket, status="open", actor=agent, now=NOW + 5 * H)
        # 3 h paused: 75 % at +7 h, due at +8 h.
        assert sla_sweep(now=NOW + 7 * H - M).events == 0
        assert sla_sweep(now=NOW + 7 * H).warnings == 1
        assert sla_sweep(now=NOW + 8 * H).events == 2  # 90 % and the breach
        events = [e for e in sla_events(ticket) if e.data["clock"] == "next_reply"]
        assert [(e.kind, e.at) for e in events] == [
            (EventKind.CLOCK_WARNING, NOW + 7 * H),
            (EventKind.CLOCK_WARNING, NOW + 7 * H + 36 * M),
            (EventKind.CLOCK_BREACHED, NOW + 8 * H),
        ]

    def test_a_warning_before_the_pause_is_not_repeated_after_it(self, world):
        ticket, agent = self._next_reply_running(world)
        assert sla_sweep(now=NOW + 4 * H).warnings == 1  # 75 % at +4 h
        ticket_status_set(
            ticket=ticket, status="waiting_on_customer", actor=agent, now=NOW + 4 * H + M
        )
        ticket_status_set(ticket=ticket, status="open", actor=agent, now=NOW + 6 * H + M)
        result = sla_sweep_all(now=NOW + 6 * H + 50 * M)  # 90 % moved from +4:36 to +6:36
        assert (result.warnings, result.breaches) == (1, 0)
        assert len([e for e in sla_events(ticket) if e.data["clock"] == "next_reply"]) == 2


@pytest.mark.django_db
class TestRetarget:
    def test_a_lowered_clock_warns_again_at_its_new_75_percent(self, world):
        ticket = open_ticket(world.maria, severity="L1", environment=world.acme_prod)
        assert sla_sweep(now=NOW + 50 * M).warnings == 1  # 45 min of 1 h
        ticket_severity_set(
            ticket=ticket,
            severity="L2",
            reason="not that urgent after all",
            actor=world.actor(world.senior),
            now=NOW + 51 * M,
        )
        assert first_response(ticket).warned == 0  # 75 % of 2 h is at +90 min
        assert sla_sweep(now=NOW + 89 * M).events == 0
        assert sla_sweep(now=NOW + 90 * M).warnings == 1
        warnings = [e for e in sla_events(ticket) if e.kind == EventKind.CLOCK_WARNING]
        assert [(e.at, e.data["target"]) for e in warnings] == [
            (NOW + 45 * M, "1 h in always"),
            (NOW + 90 * M, "2 h in always"),
        ]


@pytest.mark.django_db
class TestCost:
    def _tickets(self, world, n, *, now=NOW):
        return [
            open_ticket(world.maria, severity="L1", environment=world.acme_prod, now=now)
            for _ in range(n)
        ]

    def _queries(self, django_assert_max_num_queries, now, *, expect):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            result = sla_sweep(now=now)
        assert result.clocks == expect
        return len(ctx.captured_queries)

    def test_queries_are_fixed_whatever_the_number_crossing(
        self, world, django_assert_max_num_queries
    ):
        self._tickets(world, 2)
        few = self._queries(django_assert_max_num_queries, NOW + 50 * M, expect=2)
        self._tickets(world, 15, now=NOW + H)
        many = self._queries(django_assert_max_num_queries, NOW + 2 * H, expect=17)
        assert few == many
        with django_assert_max_num_queries(few):
            sla_sweep(now=NOW + 3 * H)

    def test_open_tickets_that_do_not_cross_cost_nothing(
        self, world, django_assert_max_num_queries
    ):
        self._tickets(world, 20)
        # Savepoint, the indexed select, savepoint release: nothing else.
        with django_assert_max_num_queries(3):
            assert sla_sweep(now=NOW + 30 * M).clocks == 0

    def test_limit_splits_the_work(self, world):
        self._tickets(world, 5)
        first = sla_sweep(now=NOW + 46 * M, limit=2)
        assert (first.clocks, first.more) == (2, True)
        total = sla_sweep_all(now=NOW + 46 * M, limit=2)
        assert total.clocks == 3 and total.warnings == 3
        assert TicketEvent.objects.filter(kind=EventKind.CLOCK_WARNING).count() == 5


@pytest.mark.django_db
def test_now_must_be_aware(world):
    with pytest.raises(ValueError, match="aware"):
        sla_sweep(now=dt.datetime(2026, 11, 25, 18, 0))


@pytest.mark.django_db
def test_a_clock_that_cannot_be_checked_does_not_stall_the_others(world, caplog):
    broken = open_ticket(world.maria, severity="L1", environment=world.acme_prod)
    fine = open_ticket(world.maria, severity="L1", environment=world.acme_prod)
    TicketClock.objects.filter(ticket=broken).update(calendar="gone_from_the_policy")
    result = sla_sweep(now=NOW + 50 * M)
    assert (result.clocks, result.warnings) == (2, 1)
    assert [k for k, _, _ in crossings(fine)] == [EventKind.CLOCK_WARNING]
    assert crossings(broken) == []
    assert first_response(broken).next_check_at == NOW + 50 * M + H  # looked at again later
    assert "cannot be checked" in caplog.text
