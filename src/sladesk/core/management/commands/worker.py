"""``sladesk worker``: run background tasks, the SLA sweep and the outbox, in one process.

One loop, one thread (so it behaves the same on SQLite and PostgreSQL):

- every ``--sweep-interval`` seconds (5 by default): the SLA sweep
  (``sladesk.tickets.sweep.sla_sweep``, in transactions of ``--sweep-limit`` clocks until
  nothing more is due), then the outbox's delivery pass (notifications whose next
  attempt has come, including retries);
- in between: tasks from the django-tasks database queue, claimed ``--claim`` at a time
  (one ``SELECT ... FOR UPDATE SKIP LOCKED`` and one UPDATE), then run one after the
  other; tasks that do "whatever is due now" and take no arguments (the outbox's
  delivery task) run once for all the identical copies claimed together. It sleeps
  ``--interval`` seconds when the queue is empty.

The database connection is kept across tasks and polls: it is closed after an error
that left it unusable, or when older than ``CONN_MAX_AGE`` (``DB_CONN_MAX_AGE``;
when that is 0, right for web requests, the worker uses 10 minutes instead).

Start as many workers as you like against one PostgreSQL database: tasks, clocks
and notifications are each claimed by one worker (SKIP LOCKED). SIGTERM or SIGINT
stops the worker after the step it is in (a task, a sweep transaction), handing back the
tasks it claimed but had not started; a second signal stops it at once. ``--once``
sweeps, delivers and runs the queued tasks, then exits.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time as _time
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections, connections
from django.db.utils import OperationalError

from sladesk.core import time
from sladesk.core.tasks import task_run

logger = logging.getLogger("sladesk.worker")

#: Seconds a worker keeps its database connection when ``CONN_MAX_AGE`` is 0 (the
#: setting's default, which closes a connection at the end of each web request).
WORKER_CONN_MAX_AGE = 600
#: Tasks that take no arguments and do whatever is due when they run: several copies
#: claimed together are run once, and every copy is recorded with that run's result.
COALESCED_TASKS = frozenset(
    {
        "sladesk.notifications.tasks.notifications_deliver",
        "sladesk.mail.tasks.mail_ledger_follow_task",
    }
)
DEFAULT_CLAIM = 8
LEDGER_LIMIT = 500  # ledger events per mail-follower transaction


def _positive(value: str) -> float:
    number = float(value)
    if not number > 0:
        raise ValueError(value)
    return number


class DeskWorker:
    """The worker's loop: sweep and deliver on a timer, run queued tasks in between."""

    def __init__(
        self,
        *,
        worker_id: str,
        queues: list[str],
        interval: float,
        sweep_interval: float,
        sweep_limit: int,
        sweep: bool,
        tasks: bool,
        claim: int = DEFAULT_CLAIM,
    ) -> None:
        self.worker_id = worker_id
        self.claim = claim
        self.interval = interval
        self.sweep_interval = sweep_interval
        self.sweep_limit = sweep_limit
        self.sweep_enabled = sweep
        self.stopping = threading.Event()
        self.task_runner: Any = None
        self.queues = queues
        if tasks:
            self.task_runner = self._task_runner()
        self.totals = {"warnings": 0, "breaches": 0, "notifications": 0, "sent": 0, "tasks": 0}

    # -- set-up -----------------------------------------------------------------------------

    def _task_runner(self) -> Any:
        """Return a django-tasks-db ``Worker`` to run tasks with, or None if tasks run elsewhere."""
        from django_tasks import task_backends
        from django_tasks_db import DatabaseBackend
        from django_tasks_db.management.commands.db_worker import Worker

        backend = task_backends["default"]
        if not isinstance(backend, DatabaseBackend):
            logger.info(
                "tasks: the %s backend runs them itself; this worker only sweeps",
                type(backend).__name__,
            )
            return None
        return Worker(
            queue_names=self.queues,
            interval=self.interval,
            batch=False,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=self.worker_id,
            excluded_queue_names=[],
        )

    def keep_connections(self) -> None:
        """Keep database connections across tasks and polls (a worker has no requests).

        ``close_old_connections`` then closes a connection only when an error left it
        unusable or it is older than ``CONN_MAX_AGE`` (``WORKER_CONN_MAX_AGE`` when that is
        0), instead of before every task.
        """
        for conn in connections.all():
            if conn.settings_dict.get("CONN_MAX_AGE") == 0:
                conn.settings_dict["CONN_MAX_AGE"] = WORKER_CONN_MAX_AGE

    def install_signals(self) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._on_signal)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        if self.stopping.is_set():
            logger.warning("%s again: stopping now", signal.strsignal(signum))
            raise SystemExit(1)
        logger.info(
            "%s: stopping after the current step (send it again to stop now)",
            signal.strsignal(signum),
        )
        self.stopping.set()

    # -- steps ------------------------------------------------------------------------------

    def sweep(self) -> None:
        """Sweep every clock due now, turn the ledger into mail, then deliver what is due."""
        from sladesk.mail.outbound import mail_ledger_follow, mail_reminders_send
        from sladesk.notifications.services import notifications_deliver_due
        from sladesk.tickets.sweep import sla_sweep

        now = time.now()
        if self.sweep_enabled:
            while not self.stopping.is_set():
                result = sla_sweep(now=now, limit=self.sweep_limit)
                self.totals["warnings"] += result.warnings
                self.totals["breaches"] += result.breaches
                self.totals["notifications"] += result.notifications
                if result.clocks:
                    logger.info("sweep: %s", result)
                if not result.more:
                    break
            # Agent replies, status changes and SLA alerts become outbox mail here, so
            # `sladesk worker` alone mails them (not only while `mail serve` runs).
            events = 0
            while not self.stopping.is_set():  # in passes of 500 events until caught up
                read = mail_ledger_follow(now=now, limit=LEDGER_LIMIT)
                events += read
                if read < LEDGER_LIMIT:
                    break
            reminders = mail_reminders_send(now=now)
            if events or reminders:
                logger.info("mail: %s ledger event(s) read, %s reminder(s)", events, reminders)
        while not self.stopping.is_set():
            delivered = notifications_deliver_due(now=time.now())
            self.totals["sent"] += delivered.sent
            if delivered.total:
                logger.info(
                    "outbox: %s sent, %s failed (will retry), %s dead",
                    delivered.sent,
                    delivered.failed,
                    delivered.dead,
                )
            if delivered.total < 500:
                break

    def claim_tasks(self) -> list[Any]:
        """Claim up to ``claim`` ready tasks (SKIP LOCKED) for this worker; return them."""
        if self.task_runner is None:
            return []
        from django.utils import timezone
        from django_tasks_db.compat import TaskResultStatus
        from django_tasks_db.models import DBTaskResult
        from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

        tasks = DBTaskResult.objects.ready().filter(backend_name="default")
        if "*" not in self.queues:
            tasks = tasks.filter(queue_name__in=self.queues)
        with exclusive_transaction(tasks.db):
            try:
                claimed = list(tasks.select_for_update(skip_locked=True)[: self.claim])
                # One UPDATE per distinct history of workers (one in practice: new tasks).
                by_history: dict[tuple[str, ...], list[Any]] = {}
                for row in claimed:
                    by_history.setdefault(tuple(row.worker_ids), []).append(row)
                started = timezone.now()
                for history, rows in by_history.items():
                    worker_ids = [*history, self.worker_id]
                    DBTaskResult.objects.filter(pk__in=[r.pk for r in rows]).update(
                        status=TaskResultStatus.RUNNING, started_at=started, worker_ids=worker_ids
                    )
                    for row in rows:
                        row.status = TaskResultStatus.RUNNING
                        row.started_at = started
                        row.worker_ids = worker_ids
            except OperationalError as exc:
                if not is_locked_database_exception(exc):
                    raise
                return []
        return claimed

    def release_tasks(self, rows: list[Any]) -> None:
        """Hand claimed tasks that were not started back to the queue (ready again)."""
        from django_tasks_db.compat import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        if rows:
            DBTaskResult.objects.filter(
                pk__in=[r.pk for r in rows], status=TaskResultStatus.RUNNING
            ).update(status=TaskResultStatus.READY, started_at=None)
            logger.info("%s claimed task(s) handed back to the queue", len(rows))

    def run_tasks(self) -> int:
        """Claim a batch of queued tasks and run them; return how many were done.

        Copies of a task in ``COALESCED_TASKS`` claimed together run once (each copy was
        enqueued with a committed change, so that one run sees all of them) and are all
        recorded as successful with its result. When the worker is told to stop, or a
        step fails, the claimed tasks not yet started go back to the queue.
        """
        claimed = self.claim_tasks()
        pending = list(claimed)
        done = 0
        try:
            while pending and not self.stopping.is_set():
                row = pending.pop(0)
                copies = []
                if row.task_path in COALESCED_TASKS:
                    copies = [
                        r
                        for r in pending
                        if r.task_path == row.task_path and r.args_kwargs == row.args_kwargs
                    ]
                    pending = [r for r in pending if r not in copies]
                self._run_claimed(row, copies)
                done += 1 + len(copies)
        finally:
            self.release_tasks(pending)
        return done

    def run_task(self, row: Any) -> None:
        """Run one claimed task; record SUCCESSFUL or FAILED on ``row`` (``core.tasks.task_run``)."""
        task_run(row)

    def _run_claimed(self, row: Any, copies: list[Any]) -> None:
        from django.utils import timezone
        from django_tasks_db.compat import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        started = _time.perf_counter()
        self.run_task(row)
        if copies:
            if row.status == TaskResultStatus.SUCCESSFUL:
                DBTaskResult.objects.filter(pk__in=[c.pk for c in copies]).update(
                    status=TaskResultStatus.SUCCESSFUL,
                    finished_at=timezone.now(),
                    return_value=row.return_value,
                )
            else:  # run each copy on its own: a failure is recorded per task
                for copy in copies:
                    self.run_task(copy)
        logger.info(
            "task %s %s: %s in %.0f ms%s",
            row.task_path,
            row.id,
            row.status,
            (_time.perf_counter() - started) * 1000,
            f" (and {len(copies)} identical cop{'y' if len(copies) == 1 else 'ies'})"
            if copies
            else "",
        )
        self.totals["tasks"] += 1 + len(copies)

    def run_one_task(self) -> bool:
        """Claim and run queued tasks (a batch); return whether there was one."""
        return self.run_tasks() > 0

    def _guarded(self, step: Any) -> Any:
        """Run a step; log (and survive) its errors so the loop carries on (the loop only).

        A lost database connection, a locked SQLite file or a bug in one step must not
        stop the other work: the step is tried again at its next turn.
        """
        try:
            return step()
        except Exception:
            logger.exception("%s failed; trying again later", getattr(step, "__name__", step))
            close_old_connections()
            return False

    # -- loops ------------------------------------------------------------------------------

    def run(self) -> None:
        logger.info(
            "worker %s started: sweep every %.1f s, tasks %s (pid %s)",
            self.worker_id,
            self.sweep_interval,
            "from queues " + ",".join(self.queues) if self.task_runner else "off",
            os.getpid(),
        )
        next_sweep = 0.0
        self.keep_connections()
        while not self.stopping.is_set():
            close_old_connections()  # only unusable or old connections (keep_connections)
            if _time.monotonic() >= next_sweep:
                self._guarded(self.sweep)
                next_sweep = _time.monotonic() + self.sweep_interval
            ran = False
            while (
                not self.stopping.is_set()
                and _time.monotonic() < next_sweep
                and self._guarded(self.run_one_task)
            ):
                ran = True
            if not ran and not self.stopping.is_set():
                wait = min(self.interval, max(next_sweep - _time.monotonic(), 0.0))
                self.stopping.wait(wait)
        close_old_connections()
        logger.info("worker %s stopped: %s", self.worker_id, self.summary())

    def once(self) -> None:
        """Sweep, deliver, run every queued task, deliver again; then return."""
        self.sweep()
        while not self.stopping.is_set() and self.run_one_task():
            pass
        if self.totals["tasks"]:
            self.sweep_enabled = False
            self.sweep()  # what the tasks enqueued
        logger.info("worker %s done: %s", self.worker_id, self.summary())

    def summary(self) -> str:
        t = self.totals
        return (
            f"{t['warnings']} warning(s), {t['breaches']} breach(es), "
            f"{t['notifications']} notification(s) enqueued, {t['sent']} sent, "
            f"{t['tasks']} task(s) run"
        )


class Command(BaseCommand):
    help = (
        "Run background tasks (django-tasks database backend), the SLA sweep and the "
        "notification outbox. Start as many workers as you like against one PostgreSQL "
        "database: each task, clock crossing and notification is handled by exactly one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--queue", default="*", help="task queues, comma-separated, or * for all (default)"
        )
        parser.add_argument(
            "--interval",
            type=_positive,
            default=1.0,
            help="seconds between polls of an empty task queue (default 1)",
        )
        parser.add_argument(
            "--sweep-interval",
            type=_positive,
            default=5.0,
            help="seconds between SLA sweeps and outbox passes (default 5)",
        )
        parser.add_argument(
            "--sweep-limit",
            type=int,
            default=1000,
            help="clocks per sweep transaction (default 1000)",
        )
        parser.add_argument(
            "--claim",
            type=int,
            default=DEFAULT_CLAIM,
            help=f"tasks claimed at a time, then run one after the other (default {DEFAULT_CLAIM})",
        )
        parser.add_argument(
            "--once",
            action="store_true",
            help="sweep, deliver and run the queued tasks, then exit",
        )
        parser.add_argument(
            "--batch", action="store_true", help="run the queued tasks only, then exit"
        )
        parser.add_argument("--no-sweep", action="store_true", help="run tasks only")
        parser.add_argument("--no-tasks", action="store_true", help="sweep and deliver only")
        parser.add_argument(
            "--worker-id",
            default="",
            help="a name for this worker in logs and task claims (default host:pid)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["sweep_limit"] < 1:
            raise CommandError("--sweep-limit must be at least 1")
        if options["claim"] < 1:
            raise CommandError("--claim must be at least 1")
        worker_id = options["worker_id"] or f"{socket.gethostname()}:{os.getpid()}"
        if len(worker_id) > 64:
            raise CommandError("--worker-id must be at most 64 characters")
        worker = DeskWorker(
            worker_id=worker_id,
            queues=[q.strip() for q in options["queue"].split(",") if q.strip()] or ["*"],
            interval=options["interval"],
            sweep_interval=options["sweep_interval"],
            sweep_limit=options["sweep_limit"],
            sweep=not (options["no_sweep"] or options["batch"]),
            tasks=not options["no_tasks"],
            claim=options["claim"],
        )
        worker.install_signals()
        if options["once"] or options["batch"]:
            worker.once()
        else:
            worker.run()
        self.stdout.write(f"worker {worker_id}: {worker.summary()}")
