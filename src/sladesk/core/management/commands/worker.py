"""``sladesk worker``: run background tasks, the SLA sweep and the outbox, in one process.

One loop, one thread (so it behaves the same on SQLite and PostgreSQL):

- every ``--sweep-interval`` seconds (5 by default): the SLA sweep
  (``sladesk.tickets.sweep.sla_sweep``, in transactions of ``--sweep-limit`` clocks until
  nothing more is due), then the outbox's delivery pass (notifications whose next
  attempt has come, including retries);
- in between: tasks from the django-tasks database queue, one at a time, claimed
  with ``SELECT ... FOR UPDATE SKIP LOCKED`` by django-tasks-db; it sleeps
  ``--interval`` seconds when the queue is empty.

Start as many workers as you like against one PostgreSQL database: tasks, clocks
and notifications are each claimed by one worker (SKIP LOCKED). SIGTERM or SIGINT
stops the worker after the step it is in (a task, a sweep transaction); a second
signal stops it at once. ``--once`` sweeps, delivers and runs the queued tasks, then exits.
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
from django.db import close_old_connections
from django.db.utils import OperationalError

from sladesk.core import time

logger = logging.getLogger("sladesk.worker")


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
    ) -> None:
        self.worker_id = worker_id
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
            events = mail_ledger_follow(now=now)
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

    def run_one_task(self) -> bool:
        """Claim and run one queued task; return whether there was one."""
        if self.task_runner is None:
            return False
        from django_tasks_db.models import DBTaskResult
        from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

        tasks = DBTaskResult.objects.ready().filter(backend_name="default")
        if "*" not in self.queues:
            tasks = tasks.filter(queue_name__in=self.queues)
        with exclusive_transaction(tasks.db):
            try:
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)
            except OperationalError as exc:
                if not is_locked_database_exception(exc):
                    raise
                return False
        if task_result is None:
            return False
        started = _time.perf_counter()
        self.task_runner.run_task(task_result)
        task_result.refresh_from_db(fields=["status"])
        logger.info(
            "task %s %s: %s in %.0f ms",
            task_result.task_path,
            task_result.id,
            task_result.status,
            (_time.perf_counter() - started) * 1000,
        )
        self.totals["tasks"] += 1
        return True

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
        while not self.stopping.is_set():
            close_old_connections()
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
        )
        worker.install_signals()
        if options["once"] or options["batch"]:
            worker.once()
        else:
            worker.run()
        self.stdout.write(f"worker {worker_id}: {worker.summary()}")
