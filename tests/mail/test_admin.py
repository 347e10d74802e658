"""The admin shows the review queue and the quarantine, and processes messages again."""

from __future__ import annotations

import pytest

from sladesk.mail.models import InboundMessage, InboundStatus
from sladesk.mail.services import mail_ingest, mail_process
from tests.accounts.factories import NOW, make_agent
from tests.mail.conftest import eml


@pytest.fixture
def administrator(client, world):
    agent = make_agent("administrator", email="ada@sladesk.example")
    client.force_login(agent.user)
    return agent


def test_quarantined_message_is_listed_with_its_error_and_processed_again(
    client, administrator, monkeypatch
):
    from sladesk.mail import services

    stored = mail_ingest(
        raw=eml("outlook-new-request-cp1252.eml"), via="smtp", now=NOW, process=False
    )
    monkeypatch.setattr(services, "parse_mail", lambda raw: 1 / 0)
    mail_process(inbound_id=stored.inbound.pk, now=NOW)
    monkeypatch.undo()

    page = client.get("/admin/mail/inboundmessage/?status__exact=quarantined")
    assert page.status_code == 200
    assert str(stored.inbound.pk) in page.content.decode()
    detail = client.get(f"/admin/mail/inboundmessage/{stored.inbound.pk}/change/")
    assert "ZeroDivisionError" in detail.content.decode()

    response = client.post(
        "/admin/mail/inboundmessage/",
        {"action": "reprocess", "_selected_action": [stored.inbound.pk]},
        follow=True,
    )
    assert response.status_code == 200
    row = InboundMessage.objects.get(pk=stored.inbound.pk)
    assert (row.status, row.outcome) == (InboundStatus.PROCESSED, "ticket_opened")


def test_outbound_list_shows_the_delivery_log(client, administrator):
    mail_process(
        inbound_id=mail_ingest(
            raw=eml("outlook-new-request-cp1252.eml"), via="smtp", now=NOW, process=False
        ).inbound.pk,
        now=NOW,
    )
    page = client.get("/admin/mail/outboundmessage/")
    assert page.status_code == 200
    assert "pending, 0 attempt(s)" in page.content.decode()
