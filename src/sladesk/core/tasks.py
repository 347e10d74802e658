"""Enqueueing background work together with the change that asks for it, and running it.

The desk's tasks go through django-tasks with the ``django-tasks-db`` backend. Both
ends of a task are written here with ``sladesk.core.rows`` instead of the backend's
``objects.create`` and ``save()``: an e-mail's new request enqueues two tasks and
records two results, and the ORM's compile step was about a tenth of its CPU. They
write what the backend writes (its tests compare the rows), and send the same signals
with the same senders.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import SuspiciousOperation
from django.db import DatabaseError, transaction

from sladesk.core import rows

logger = logging.getLogger("sladesk.worker")


def enqueue_with_change(task: Any, *args: Any, **kwargs: Any) -> None:
    """Enqueue ``task`` as part of the current transaction.

    With the database backend (``django-tasks-db``, the desk's backend) the task's row is
    written in the same transaction as the data it is about: both commit, or neither
    does, so no crash between a commit and an enqueue can lose the work, and a worker
    cannot pick the task up before the data is visible. Backends that run the task
    elsewhere or at once (the immediate backend of the tests) get it after the commit
    instead, so the task never sees uncommitted data and a rollback runs nothing.
    """
    from django_tasks_db import DatabaseBackend

    backend = task.get_backend()
    if isinstance(backend, DatabaseBackend):
        task_row_insert(backend, task, args, kwargs)
    else:
        transaction.on_commit(lambda: task.enqueue(*args, **kwargs))


def task_row_insert(backend: Any, task: Any, args: Any, kwargs: Any) -> Any:
    """Write the queue row ``DatabaseBackend.enqueue`` writes for ``task``; return it.

    The same checks (``validate_task``), values (``run_after`` of a task without one is
    the backend's "any time", as its ``pre_save`` receiver sets it) and signal
    (``task_enqueued``); one hand-written INSERT.
    """
    from django_tasks_db.compat import normalize_json, task_enqueued
    from django_tasks_db.models import DBTaskResult, get_date_max

    backend.validate_task(task)
    row: Any = DBTaskResult(
        id=backend._get_id(),
        args_kwargs=normalize_json({"args": args, "kwargs": kwargs}),
        priority=task.priority,
        task_path=task.module_path,
        queue_name=task.queue_name,
        run_after=task.run_after if task.run_after is not None else get_date_max(),
        backend_name=backend.alias,
    )
    rows.insert(row)
    task_enqueued.send(type(backend), task_result=row.task_result)
    return row


#: The columns a finished task's result writes (``DBTaskResult.set_successful``).
RESULT_FIELDS = ("status", "return_value", "finished_at", "exception_class_path", "traceback")


def task_run(row: Any) -> None:
    """Run the claimed task ``row`` and record its result on it and in its row.

    What django-tasks-db's ``db_worker`` does for one task (signals, context, success or
    failure), with the success written by one hand-written UPDATE.
    """
    from django_tasks_db.compat import TaskContext, task_finished, task_started

    try:
        task = row.task
        result = row.task_result
        sender = task.get_backend()  # the backend itself, as db_worker sends it here
        task_started.send(sender=sender, task_result=result)
        if task.takes_context:
            value = task.call(TaskContext(task_result=result), *result.args, **result.kwargs)
        else:
            value = task.call(*result.args, **result.kwargs)
        # Inside the handler, as the library does: a result that cannot be stored (not
        # JSON) is recorded as the task's failure.
        _record_success(row, value)
        task_finished.send(sender=sender, task_result=row.task_result)
    except BaseException as exc:
        row.set_failed(exc)
        try:
            sender = type(row.task.get_backend())
            result = row.task_result
        except (ImportError, SuspiciousOperation):  # the task cannot be loaded any more
            logger.exception("task id=%s failed unexpectedly", row.id)
        else:
            task_finished.send(sender=sender, task_result=result)


def _record_success(row: Any, value: Any) -> None:
    from django.utils import timezone
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.utils import retry

    row.status = TaskResultStatus.SUCCESSFUL
    row.finished_at = timezone.now()
    row.return_value = value
    row.exception_class_path = ""
    row.traceback = ""
    retry()(_update_result)(row)


def _update_result(row: Any) -> None:
    """UPDATE the result's row; a row that is gone fails, as ``save(update_fields=...)`` does."""
    if not rows.update(row, RESULT_FIELDS):
        raise DatabaseError(f"the result of task {row.id} is gone: it was not recorded")
