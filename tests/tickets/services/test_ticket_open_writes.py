"""How an opening writes: its ledger in order, the notification enqueued with the change,
the ticket row written once, and the round robin moved outside the opening's transaction."""

from __future__ import annotations

import io
import logging

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from sladesk.accounts.door import request_check
from sladesk.tickets.models import EventKind, TeamRotation
from sladesk.tickets.services import Upload, agent_availability_set
from sladesk.tickets.services.intake import team_and_next_agent
from tests.accounts.factories import NOW, make_agent
from tests.tickets.conftest import CLI, open_ticket

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "mail", "sla"]}
}


def kinds(ticket) -> list[str]:
    return list(ticket.events.order_by("at", "id").values_list("kind", flat=True))


class TestLedger:
    def test_opening_records_its_events_in_order(self, world):
        ticket = open_ticket(world.gus)
        assert kinds(ticket) == [
            EventKind.OPENED,
            EventKind.TRIAGED,
            EventKind.CLOCK_STARTED,
            EventKind.ASSIGNED,
        ]
        started = ticket.events.get(kind=EventKind.CLOCK_STARTED)
        assert started.clock is not None and started.clock.kind == "first_response"
        assert started.data["clock"] == "first_response"
        assert started.data["reason"] == "opened"

    def test_files_come_between_the_opening_and_the_clocks(self, world):
        ticket = open_ticket(
            world.gus, attachments=[Upload(io.BytesIO(b"log line\n"), "server.log")]
        )
        order = kinds(ticket)
        assert order[:2] == [EventKind.OPENED, EventKind.TRIAGED]
        assert EventKind.ATTACHED in order[2:-2]
        assert order[-2:] == [EventKind.CLOCK_STARTED, EventKind.ASSIGNED]

    def test_the_ticket_row_is_written_once_with_its_due_and_assignee(self, world):
        with CaptureQueriesContext(connection) as queries:
            ticket = open_ticket(world.gus)
        sql = " ".join(q["sql"] for q in queries.captured_queries)
        assert sql.count('INSERT INTO "tickets_ticket" (') == 1
        assert 'UPDATE "tickets_ticket"' not in sql
        ticket.refresh_from_db()
        assert ticket.assignee == world.engineer
        assert ticket.due_at == ticket.clocks.get(kind="first_response").due_at

    @pytest.mark.skipif(
        connection.vendor != "postgresql", reason="one statement for several tables is PostgreSQL's"
    )
    def test_on_postgresql_the_rows_of_an_opening_are_one_statement(self, world):
        open_ticket(world.gus)  # the team's first opening starts its rotation (a row)
        with CaptureQueriesContext(connection) as queries:
            ticket = open_ticket(world.gus)
        inserts = [q["sql"] for q in queries.captured_queries if "INSERT INTO" in q["sql"]]
        assert len(inserts) == 1
        assert ticket.events.count() == 4 and ticket.messages.count() == 1
        assert ticket.opened_message.ticket_id == ticket.pk
        clock = ticket.opened_clocks[0]
        assert clock.pk is not None and clock.ticket_id == ticket.pk
        assert ticket.events.get(kind=EventKind.CLOCK_STARTED).clock_id == clock.pk


class TestNotableEventsAreLoggedOnCommit:
    """The notable events of a change get a log line when it commits: no task, no worker."""

    @pytest.fixture(autouse=True)
    def _database_tasks(self):
        with override_settings(TASKS=DATABASE_TASKS):
            yield

    def task_rows(self):
        from django_tasks_db.models import DBTaskResult

        return list(DBTaskResult.objects.values_list("task_path", flat=True))

    def test_an_opening_is_logged_and_enqueues_no_task(self, world, caplog):
        caplog.set_level(logging.INFO, logger="sladesk.tickets")
        with self.captured_on_commit():
            ticket = open_ticket(world.gus)
        lines = [r.getMessage() for r in caplog.records if r.name == "sladesk.tickets"]
        assert [line.split(":")[0] for line in lines] == [
            f"ticket #{ticket.pk} opened by {world.gus.user.email}",
            f"ticket #{ticket.pk} assigned by {world.gus.user.email}",
        ]
        assert self.task_rows() == []

    def test_a_rolled_back_opening_logs_nothing(self, world, caplog):
        caplog.set_level(logging.INFO, logger="sladesk.tickets")
        with self.captured_on_commit(), pytest.raises(RuntimeError), transaction.atomic():
            open_ticket(world.gus)
            raise RuntimeError("the caller's transaction fails after the opening")
        assert [r for r in caplog.records if r.name == "sladesk.tickets"] == []
        assert world.enterprise.tickets.count() == 0

    @staticmethod
    def captured_on_commit():
        """Run on-commit callbacks as the test transaction cannot commit."""
        from django.test import TestCase

        return TestCase.captureOnCommitCallbacks(execute=True)


class TestRoundRobin:
    def test_the_rotation_moves_in_turn(self, world):
        second = make_agent("support_engineer", name="Second", teams=["support"])
        agent_availability_set(agent=second, on_shift=True, actor=CLI, now=NOW)
        assignees = [open_ticket(world.gus).assignee for _ in range(4)]
        assert assignees == [world.engineer, second, world.engineer, second]
        rotation = TeamRotation.objects.get(team__slug="support")
        assert rotation.last_agent == second

    def test_an_agent_going_off_shift_is_skipped(self, world):
        second = make_agent("support_engineer", name="Second", teams=["support"])
        agent_availability_set(agent=second, on_shift=True, actor=CLI, now=NOW)
        assert open_ticket(world.gus).assignee == world.engineer
        agent_availability_set(agent=second, on_shift=False, actor=CLI, now=NOW)
        assert open_ticket(world.gus).assignee == world.engineer

    def test_the_team_and_its_next_agent_come_together(self, world):
        second = make_agent("support_engineer", name="Second", teams=["support"])
        agent_availability_set(agent=second, on_shift=True, actor=CLI, now=NOW)
        with CaptureQueriesContext(connection) as first:
            team, agent = team_and_next_agent("support")  # starts the rotation too
        assert team.slug == "support" and agent == world.engineer
        with CaptureQueriesContext(connection) as queries:
            team, agent = team_and_next_agent("support")
        assert agent == second and agent.name == "Second"
        assert len(queries) == (1 if connection.vendor == "postgresql" else 3)
        assert len(first) > len(queries)

    def test_no_such_team_has_no_agent(self, world):
        assert team_and_next_agent("nobody") == (None, None)

    def test_an_agent_whose_user_is_deactivated_is_not_chosen(self, world):
        user = world.engineer.user
        user.is_active = False
        user.save(update_fields=["is_active"])
        team, agent = team_and_next_agent("support")
        assert team.slug == "support" and agent is None


class TestDoorReusesTheSignedInContact:
    def test_a_contact_of_another_user_is_not_taken(self, world):
        decision = request_check(
            channel="api", at=NOW, user=world.gus.user, user_contact=world.maria
        )
        assert decision.contact == world.gus


class TestSeverityReason:
    def test_a_level_the_requester_did_not_choose_says_why_in_ticket_and_ledger(self, world):
        reason = "no level was given; the desk's default for e-mail applies"
        ticket = open_ticket(world.gus, severity="L3", severity_reason=reason)
        assert ticket.severity_reason == reason
        assert ticket.events.get(kind=EventKind.TRIAGED).data["reason"] == reason

    def test_the_non_production_rule_keeps_its_own_reason(self, world):
        ticket = open_ticket(
            world.maria,
            severity="L1",
            environment=world.acme_staging,
            severity_reason="no level was given",
        )
        assert ticket.severity == "L4"
        assert "not production" in ticket.severity_reason
