"""Enqueueing background work together with the change that asks for it."""

from __future__ import annotations

from typing import Any

from django.db import transaction


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

    if isinstance(task.get_backend(), DatabaseBackend):
        task.enqueue(*args, **kwargs)
    else:
        transaction.on_commit(lambda: task.enqueue(*args, **kwargs))
