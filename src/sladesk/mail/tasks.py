"""Background tasks of the mail app: thin calls that load by id and run a service.

A failed processing is not retried by the task: ``mail_process`` quarantines the
message with its error, and an administrator re-processes it after a fix.
"""

from __future__ import annotations

from django_tasks import task


@task(queue_name="mail")
def mail_process_task(inbound_id: int) -> str:
    """Process the stored inbound message ``inbound_id``; return its status."""
    from sladesk.mail.services import mail_process

    inbound = mail_process(inbound_id=inbound_id)
    return inbound.status if inbound is not None else "missing"


@task(queue_name="mail")
def mail_ledger_follow_task() -> int:
    """Mail what the tickets' ledger says since the last pass (agent replies, SLA...)."""
    from sladesk.core import time
    from sladesk.mail.outbound import mail_ledger_follow

    return mail_ledger_follow(now=time.now())
