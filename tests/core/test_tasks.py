"""``core.tasks``: the queue rows and results the desk writes itself are the backend's own."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import override_settings
from django_tasks import task
from django_tasks_db.models import DBTaskResult, get_date_max

from sladesk.core.tasks import enqueue_with_change, task_run

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "mail"]}
}


@task(queue_name="mail", priority=5)
def add(a: int, b: int = 0) -> int:
    return a + b


@task()
def broken() -> None:
    raise RuntimeError("the task failed")


@task()
def not_json() -> object:
    return object()


@pytest.fixture(autouse=True)
def _database_tasks():
    with override_settings(TASKS=DATABASE_TASKS):
        yield


def stored(row_id) -> dict:
    data = DBTaskResult.objects.filter(pk=row_id).values().get()
    for key in ("id", "enqueued_at"):
        data.pop(key)
    return data


class TestEnqueue:
    def test_the_row_is_the_one_the_backend_writes(self):
        with transaction.atomic():
            enqueue_with_change(add, 1, b=2)
            theirs = add.enqueue(1, b=2)
        mine = DBTaskResult.objects.exclude(pk=theirs.id).get()
        assert stored(mine.pk) == stored(theirs.id)
        assert mine.run_after == get_date_max() and mine.queue_name == "mail"
        assert mine.priority == 5 and mine.args_kwargs == {"args": [1], "kwargs": {"b": 2}}

    def test_it_is_written_with_the_change_and_rolled_back_with_it(self):
        with pytest.raises(RuntimeError), transaction.atomic():
            enqueue_with_change(add, 1)
            raise RuntimeError("the change fails")
        assert DBTaskResult.objects.count() == 0

    def test_a_task_for_a_queue_the_backend_does_not_serve_is_refused(self):
        from django_tasks.exceptions import InvalidTaskError

        with pytest.raises(InvalidTaskError):
            enqueue_with_change(add.using(queue_name="nowhere"), 1)
        assert DBTaskResult.objects.count() == 0


class TestRun:
    def claimed(self, the_task, *args):
        enqueue_with_change(the_task, *args)
        return DBTaskResult.objects.get(task_path=the_task.module_path)

    def test_a_success_is_recorded_as_the_library_records_it(self):
        from django_tasks_db.management.commands.db_worker import Worker

        mine, theirs = self.claimed(add, 2), None
        task_run(mine)
        enqueue_with_change(add, 2)
        theirs = DBTaskResult.objects.exclude(pk=mine.pk).get()
        Worker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="t",
            excluded_queue_names=[],
        ).run_task(theirs)
        got, want = stored(mine.pk), stored(theirs.pk)
        assert got.pop("finished_at") and want.pop("finished_at")
        assert got == want and got["status"] == "SUCCESSFUL" and got["return_value"] == 2
        assert mine.status == "SUCCESSFUL" and mine.return_value == 2

    def test_a_failure_is_recorded_with_its_exception(self):
        row = self.claimed(broken)
        task_run(row)
        saved = DBTaskResult.objects.get(pk=row.pk)
        assert saved.status == "FAILED"
        assert saved.exception_class_path == "builtins.RuntimeError"
        assert "the task failed" in saved.traceback

    def test_a_result_that_cannot_be_stored_is_the_task_s_failure(self):
        row = self.claimed(not_json)
        task_run(row)
        assert DBTaskResult.objects.get(pk=row.pk).status == "FAILED"

    def test_a_result_whose_row_is_gone_is_not_reported_as_recorded(self):
        from django.db import DatabaseError

        row = self.claimed(add, 1)
        DBTaskResult.objects.filter(pk=row.pk).delete()
        with pytest.raises(DatabaseError):  # as the library's save(update_fields=...) does
            task_run(row)

    def test_the_signals_go_out_with_the_library_s_senders(self):
        from django_tasks_db.compat import task_finished, task_started

        seen = []

        def heard(sender, task_result, **kwargs):
            seen.append((sender, task_result.status))

        task_started.connect(heard)
        task_finished.connect(heard)
        try:
            task_run(self.claimed(add, 1))
        finally:
            task_started.disconnect(heard)
            task_finished.disconnect(heard)
        backend = add.get_backend()
        assert [s for s, _ in seen] == [backend, backend]
        assert seen[-1][1] == "SUCCESSFUL"
