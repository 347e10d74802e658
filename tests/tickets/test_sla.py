"""The tickets <-> clock bridge: thresholds, next checks, crossings, states, explanations."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sladesk.clock import Calendar, Window, elapsed, is_open
from sladesk.policy import get_policy
from sladesk.tickets import sla
from sladesk.tickets.services import ticket_reply, ticket_status_set
from tests.accounts.factories import NOW
from tests.tickets.conftest import at, open_ticket

H = dt.timedelta(hours=1)


def clock(ticket, kind):
    return ticket.clocks.filter(kind=kind).order_by("-seq").first()


class TestInstantAfter:
    cal = Calendar(
        zone="UTC",
        windows=tuple(
            Window.at(start_day=d, start=dt.time(9), end_day=d, end=dt.time(17)) for d in (0, 1)
        ),
    )

    def test_without_pauses_is_add(self):
        start = at("2026-11-23T10:00:00+00:00")  # Monday
        assert sla.instant_after(self.cal, start=start, amount=2 * H) == at(
            "2026-11-23T12:00:00+00:00"
        )

    def test_pause_inside_open_time_moves_due(self):
        start = at("2026-11-23T10:00:00+00:00")
        pauses = [(at("2026-11-23T11:00:00+00:00"), at("2026-11-23T13:00:00+00:00"))]
        assert sla.instant_after(self.cal, start=start, amount=2 * H, pauses=pauses) == at(
            "2026-11-23T14:00:00+00:00"
        )

    def test_pause_across_closed_time(self):
        start = at("2026-11-23T16:00:00+00:00")
        pauses = [(at("2026-11-23T16:30:00+00:00"), at("2026-11-24T10:00:00+00:00"))]
        # 30 min before the pause, 90 min after 10:00 Tuesday.
        assert sla.instant_after(self.cal, start=start, amount=2 * H, pauses=pauses) == at(
            "2026-11-24T11:30:00+00:00"
        )

    def test_due_exactly_at_pause_start(self):
        start = at("2026-11-23T10:00:00+00:00")
        pauses = [(at("2026-11-23T12:00:00+00:00"), at("2026-11-23T13:00:00+00:00"))]
        assert sla.instant_after(self.cal, start=start, amount=2 * H, pauses=pauses) == at(
            "2026-11-23T12:00:00+00:00"
        )

    def test_subtract(self):
        spans = [(at("2026-11-23T09:00:00+00:00"), at("2026-11-23T17:00:00+00:00"))]
        holes = [(at("2026-11-23T10:00:00+00:00"), at("2026-11-23T11:00:00+00:00"))]
        assert sla.subtract(spans, holes) == [
            (at("2026-11-23T09:00:00+00:00"), at("2026-11-23T10:00:00+00:00")),
            (at("2026-11-23T11:00:00+00:00"), at("2026-11-23T17:00:00+00:00")),
        ]


@pytest.mark.django_db
class TestClockRows:
    def test_thresholds_in_business_time(self, world):
        # Enterprise L4 opened Wed 10:00 PT: next business day = Fri 17:00 PT (Thanksgiving
        # Thursday closed). Open time: Wed 10-17 (7 h) + Fri 9-17 (8 h) = 15 h.
        ticket = open_ticket(world.gus, severity="L4", environment=world.globex_prod)
        first = clock(ticket, "first_response")
        assert first.target_seconds == 15 * 3600
        policy = get_policy()
        instants = sla.threshold_instants(first, policy=policy)
        # 75 % = 11 h 15 min: 7 h Wednesday + 4 h 15 min Friday -> Fri 13:15 PT (21:15 UTC).
        assert instants[0] == (0.75, at("2026-11-27T21:15:00+00:00"))
        # 90 % = 13 h 30 min -> Fri 15:30 PT.
        assert instants[1] == (0.9, at("2026-11-27T23:30:00+00:00"))
        assert first.next_check_at == at("2026-11-27T21:15:00+00:00")

    def test_crossings_and_next_check_as_the_sweep_uses_them(self, world):
        ticket = open_ticket(world.maria, severity="L1", environment=world.acme_prod)
        first = clock(ticket, "first_response")
        policy = get_policy()
        assert first.next_check_at == NOW + 0.75 * H
        assert sla.clock_crossings(first, now=NOW + 0.5 * H, policy=policy) == []
        crossed = sla.clock_crossings(first, now=NOW + 2 * H, policy=policy)
        assert [(c.kind, c.index) for c in crossed] == [
            ("warning", 0),
            ("warning", 1),
            ("breach", None),
        ]
        first.warned = 2
        assert sla.clock_next_check(first, policy=policy) == NOW + H
        first.breached = True
        assert sla.clock_next_check(first, policy=policy) is None

    def test_state_of_running_breached_clock(self, world):
        ticket = open_ticket(world.maria, severity="L1", environment=world.acme_prod)
        state = sla.clock_state(
            clock(ticket, "first_response"), now=NOW + 1.5 * H, policy=get_policy()
        )
        assert state.state == "running" and state.breached is True
        assert state.breached_by == 0.5 * H
        assert state.elapsed == 1.5 * H and state.remaining == dt.timedelta(0)

    def test_state_paused_and_explanation(self, world):
        ticket = open_ticket(world.maria, severity="L2", environment=world.acme_prod)
        agent = world.actor(world.senior)
        ticket_reply(ticket=ticket, body="hi", actor=agent, now=NOW + 0.5 * H)
        ticket_reply(ticket=ticket, body="more", actor=world.actor(world.maria), now=NOW + H)
        ticket_status_set(ticket=ticket, status="waiting_on_customer", actor=agent, now=NOW + 2 * H)
        ticket_status_set(ticket=ticket, status="open", actor=agent, now=NOW + 3 * H)
        nxt = clock(ticket, "next_reply")
        policy = get_policy()
        state = sla.clock_state(nxt, now=NOW + 4 * H, policy=policy)
        assert state.paused == H and state.elapsed == 2 * H and state.due_at == NOW + 6 * H
        explanation = sla.clock_explain(nxt, now=NOW + 4 * H, policy=policy)
        assert explanation.counted == (
            (NOW + H, NOW + 2 * H),
            (NOW + 3 * H, NOW + 6 * H),
        )
        text = "\n".join(explanation.lines())
        assert "windows counted" in text and "paused" in text and "4 h in always" in text

    def test_explain_business_day_windows(self, world):
        ticket = open_ticket(world.gus, severity="L4", environment=world.globex_prod)
        explanation = sla.clock_explain(
            clock(ticket, "first_response"), now=NOW, policy=get_policy()
        )
        assert [(s.isoformat(), e.isoformat()) for s, e in explanation.counted] == [
            ("2026-11-25T18:00:00+00:00", "2026-11-26T01:00:00+00:00"),
            ("2026-11-27T17:00:00+00:00", "2026-11-28T01:00:00+00:00"),
        ]


class TestLaws:
    """``instant_after`` is the inverse of ``elapsed`` with pauses (Hypothesis)."""

    @settings(max_examples=150, deadline=None)
    @given(
        start_min=st.integers(0, 60 * 24 * 21),
        amount_min=st.integers(1, 60 * 40),
        pauses=st.lists(
            st.tuples(st.integers(0, 60 * 24 * 28), st.integers(1, 60 * 30)), max_size=4
        ),
        calendar=st.sampled_from(["business_day", "weekday_24x5", "always"]),
    )
    def test_elapsed_of_instant_after_is_the_amount(self, start_min, amount_min, pauses, calendar):
        cal = get_policy().calendars[calendar].calendar
        base = at("2026-11-02T00:00:00+00:00")
        start = base + dt.timedelta(minutes=start_min)
        spans = [
            (base + dt.timedelta(minutes=s), base + dt.timedelta(minutes=s + d)) for s, d in pauses
        ]
        amount = dt.timedelta(minutes=amount_min)
        due = sla.instant_after(cal, start=start, amount=amount, pauses=spans)
        assert elapsed(cal, start, due, pauses=spans) == amount
        # Nothing earlier would do: the instant just before the due has less counted.
        assert elapsed(
            cal, start, due - dt.timedelta(seconds=1), pauses=spans
        ) < amount or not is_open(cal, due - dt.timedelta(seconds=1))
