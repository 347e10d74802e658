"""``sladesk worker``: the sweep, the outbox and tasks in one process; several processes at once."""

from __future__ import annotations

import datetime as dt
import re
import signal
import time

import pytest
from django.core.management import call_command
from django.db import connection

from sladesk.core import time as desk_time
from sladesk.notifications.models import Notification
from sladesk.tickets.models import EventKind, TicketClock, TicketEvent
from tests.tickets.conftest import open_ticket
from tests.worker.conftest import database_url, start_worker

H = dt.timedelta(hours=1)
M = dt.timedelta(minutes=1)
SLA_KINDS = [EventKind.CLOCK_WARNING, EventKind.CLOCK_BREACHED]


def sla_events():
    return TicketEvent.objects.filter(kind__in=SLA_KINDS)


@pytest.mark.django_db
class TestOnce:
    def test_once_sweeps_and_delivers(self, world, capsys, caplog):
        caplog.set_level("INFO")
        now = desk_time.now()
        # Premier L1 (1 h): opened 2 h ago, both warnings and the breach have passed.
        ticket = open_ticket(
            world.maria, severity="L1", environment=world.acme_prod, now=now - 2 * H
        )
        call_command("worker", "--once")
        assert sla_events().filter(ticket=ticket).count() == 3
        # Only the last crossing (the breach) is notified: in-app to the assignee, a log line.
        rows = list(Notification.objects.exclude(channel="email"))
        assert {(n.channel, n.kind, n.status) for n in rows} == {
            ("in_app", "sla.breach", "sent"),
            ("log", "sla.breach", "sent"),
        }
        # The same pass turns the ledger into mail for the agents (the mail follower).
        mailed = {(n.kind, n.status) for n in Notification.objects.filter(channel="email")}
        assert mailed == {("mail.sla_warning", "sent"), ("mail.sla_breach", "sent")}
        out = capsys.readouterr().out
        assert "2 warning(s), 1 breach(es), 2 notification(s) enqueued" in out
        assert any("sweep:" in r.getMessage() for r in caplog.records)
        call_command("worker", "--once")
        assert sla_events().count() == 3
        assert "0 warning(s), 0 breach(es)" in capsys.readouterr().out

    def test_no_sweep(self, world, capsys):
        now = desk_time.now()
        open_ticket(world.maria, severity="L1", environment=world.acme_prod, now=now - 2 * H)
        call_command("worker", "--once", "--no-sweep")
        assert sla_events().count() == 0

    def test_bad_options(self, db):
        from django.core.management.base import CommandError

        with pytest.raises(CommandError, match="sweep-limit"):
            call_command("worker", "--once", "--sweep-limit", "0")
        with pytest.raises(CommandError, match="claim"):
            call_command("worker", "--once", "--claim", "0")


def _totals(output: str) -> tuple[int, int]:
    match = re.search(r"(\d+) warning\(s\), (\d+) breach\(es\)", output)
    assert match, output
    return int(match[1]), int(match[2])


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="several worker processes need a shared server database: run with "
    "DATABASE_URL=postgres://... (SQLite serialises writers; TestSqliteWorkers covers it there)",
)
class TestTwoWorkersOnPostgres:
    def test_two_workers_started_together_record_each_event_once(self, live_world):
        world = live_world
        now = desk_time.now()
        # 40 premier L1 tickets opened 2 h ago: 2 warnings + a breach each (120 events);
        # 40 premier L2 (2 h) opened 100 min ago: the 75 % warning only (40 events).
        for _ in range(40):
            open_ticket(world.maria, severity="L1", environment=world.acme_prod, now=now - 2 * H)
            open_ticket(world.maria, severity="L2", environment=world.acme_prod, now=now - 100 * M)
        workers = [
            start_worker(database_url(), "--once", "--sweep-limit", "3", "--worker-id", f"w{i}")
            for i in (1, 2)
        ]
        outputs = []
        for proc in workers:
            out, err = proc.communicate(timeout=240)
            assert proc.returncode == 0, err
            outputs.append(out)
        totals = [_totals(out) for out in outputs]
        print("per worker (warnings, breaches):", totals)  # both usually take a share

        keys = list(sla_events().values_list("key", flat=True))
        assert len(keys) == len(set(keys)) == 40 * 3 + 40
        assert sla_events().filter(kind=EventKind.CLOCK_BREACHED).count() == 40
        # What the two processes say they recorded adds up to what is there: nothing twice.
        assert sum(w for w, _ in totals) == 40 * 2 + 40
        assert sum(b for _, b in totals) == 40
        clocks = TicketClock.objects.filter(kind="first_response")
        assert clocks.filter(severity="L1", warned=2, breached=True).count() == 40
        assert clocks.filter(severity="L2", warned=1, breached=False).count() == 40
        # One notification per crossing notified (the last of each clock) and recipient.
        assert Notification.objects.filter(channel="log").count() == 80
        assert Notification.objects.exclude(status="sent").count() == 0


def _wait_for(proc, pattern: str, *, timeout: float = 60.0) -> list[str]:
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        lines.append(line)
        if pattern in line:
            return lines
    raise AssertionError(f"{pattern!r} not seen; got {''.join(lines)}")


def _loop_stops_cleanly(url: str, signum: int) -> None:
    proc = start_worker(url, "--sweep-interval", "0.2", "--interval", "0.1")
    try:
        _wait_for(proc, "started")
        time.sleep(0.5)  # a few sweeps
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "stopping after the current step" in err and "stopped" in err
    assert "0 warning(s)" in out


class TestShutdown:
    @pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
    def test_signal_stops_the_loop_cleanly(self, request, signum):
        if connection.vendor == "postgresql":
            request.getfixturevalue("live_db")
            url = database_url()
        else:
            url = request.getfixturevalue("sqlite_file_url")
        _loop_stops_cleanly(url, signum)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite variant of the two workers")
class TestSqliteWorkers:
    def test_two_workers_on_one_sqlite_file_record_each_event_once(self, sqlite_file_url):
        """Seed through a worker-side shell, then race two workers on the file."""
        import subprocess
        import sys

        from tests.worker.conftest import REPO, worker_env

        seed = (
            "import datetime as dt\n"
            "from sladesk.core import time\n"
            "from tests.worker.conftest import _catalogue\n"
            "from tests.tickets.conftest import World, open_ticket\n"
            "_catalogue(); w = World(); now = time.now()\n"
            "for _ in range(15):\n"
            "    open_ticket(w.maria, severity='L1', environment=w.acme_prod,"
            " now=now - dt.timedelta(hours=2))\n"
        )
        subprocess.run(
            [sys.executable, "-m", "sladesk", "shell", "-c", seed],
            env=worker_env(sqlite_file_url),
            cwd=REPO,
            check=True,
            timeout=300,
        )
        workers = [
            start_worker(sqlite_file_url, "--once", "--sweep-limit", "2", "--worker-id", f"w{i}")
            for i in (1, 2)
        ]
        totals = []
        for proc in workers:
            out, err = proc.communicate(timeout=240)
            assert proc.returncode == 0, err
            totals.append(_totals(out))
        assert sum(w for w, _ in totals) == 30 and sum(b for _, b in totals) == 15
        check = (
            "from sladesk.tickets.models import TicketEvent as E\n"
            "keys = list(E.objects.exclude(key=None).values_list('key', flat=True))\n"
            "print(len(keys), len(set(keys)))\n"
        )
        done = subprocess.run(
            [sys.executable, "-m", "sladesk", "shell", "-c", check],
            env=worker_env(sqlite_file_url),
            cwd=REPO,
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.stdout.strip().splitlines()[-1].split() == ["45", "45"]


DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def _task_worker(*, claim: int = 8):
    """A worker that only runs tasks (call inside ``override_settings(TASKS=DB_TASKS)``)."""
    from sladesk.core.management.commands.worker import DeskWorker

    return DeskWorker(
        worker_id="w1",
        queues=["*"],
        interval=1,
        sweep_interval=5,
        sweep_limit=10,
        sweep=False,
        tasks=True,
        claim=claim,
    )


@pytest.mark.django_db
class TestTasks:
    def test_once_runs_the_queued_tasks_and_delivers_what_they_enqueued(self, world, capsys):
        from django.test import override_settings
        from django_tasks_db.models import DBTaskResult

        from sladesk.notifications.services import notification_enqueue

        with override_settings(TASKS=DB_TASKS):
            # Enqueueing writes the delivery task in the same transaction.
            notification_enqueue(
                channel="in_app",
                kind="test",
                dedupe_key="queued",
                payload={"text": "hello"},
                now=desk_time.now() - H,
                recipient=world.senior.user,
            )
            assert DBTaskResult.objects.filter(status="READY").count() == 1
            call_command("worker", "--once", "--no-sweep")
            assert DBTaskResult.objects.get().status == "SUCCESSFUL"
        assert Notification.objects.get(dedupe_key="queued").status == "sent"
        assert "1 task(s) run" in capsys.readouterr().out

    def test_identical_delivery_tasks_claimed_together_run_once(self, world, caplog):
        from django.test import override_settings
        from django_tasks_db.models import DBTaskResult

        from sladesk.notifications.services import notification_enqueue

        caplog.set_level("INFO")
        with override_settings(TASKS=DB_TASKS):
            for n in range(3):
                notification_enqueue(
                    channel="in_app",
                    kind="test",
                    dedupe_key=f"queued-{n}",
                    payload={"text": "hello"},
                    now=desk_time.now() - H,
                    recipient=world.senior.user,
                )
            assert DBTaskResult.objects.filter(status="READY").count() == 3
            assert _task_worker().run_tasks() == 3
            rows = list(DBTaskResult.objects.values_list("status", "return_value"))
        # One delivery run sent all three; each task is recorded with its result.
        assert rows == [("SUCCESSFUL", {"sent": 3, "failed": 0, "dead": 0})] * 3
        assert Notification.objects.filter(status="sent").count() == 3
        assert any("2 identical copies" in r.getMessage() for r in caplog.records)

    def test_tasks_are_claimed_in_batches_and_each_runs(self, world, capsys):
        from django.test import override_settings
        from django_tasks_db.models import DBTaskResult

        from sladesk.tickets.tasks import ticket_events_notify

        with override_settings(TASKS=DB_TASKS):
            for n in range(5):
                ticket_events_notify.enqueue([n])  # not coalesced: arguments differ
            call_command("worker", "--once", "--no-sweep", "--claim", "2")
            statuses = list(DBTaskResult.objects.values_list("status", flat=True))
        assert statuses == ["SUCCESSFUL"] * 5
        assert "5 task(s) run" in capsys.readouterr().out

    def test_a_stopping_worker_hands_back_the_tasks_it_has_not_started(self, world):
        from django.test import override_settings
        from django_tasks_db.models import DBTaskResult

        from sladesk.tickets.tasks import ticket_events_notify

        with override_settings(TASKS=DB_TASKS):
            for n in range(3):
                ticket_events_notify.enqueue([n])
            worker = _task_worker(claim=3)
            run_task = worker.run_task

            def run_then_stop(row):
                run_task(row)
                worker.stopping.set()  # SIGTERM during the first task

            worker.run_task = run_then_stop
            assert worker.run_tasks() == 1
            statuses = sorted(DBTaskResult.objects.values_list("status", flat=True))
        assert statuses == ["READY", "READY", "SUCCESSFUL"]


class TestConnections:
    def test_the_loop_keeps_its_connection_when_conn_max_age_is_zero(self, monkeypatch):
        from django.db import connections

        from sladesk.core.management.commands.worker import WORKER_CONN_MAX_AGE

        conn = connections["default"]
        monkeypatch.setitem(conn.settings_dict, "CONN_MAX_AGE", 0)
        _task_worker().keep_connections()
        assert conn.settings_dict["CONN_MAX_AGE"] == WORKER_CONN_MAX_AGE

    def test_a_configured_age_is_kept(self, monkeypatch):
        from django.db import connections

        conn = connections["default"]
        monkeypatch.setitem(conn.settings_dict, "CONN_MAX_AGE", 30)
        _task_worker().keep_connections()
        assert conn.settings_dict["CONN_MAX_AGE"] == 30
