"""Passwordless sign-in for contacts: a signed, expiring, single-use link sent by e-mail."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail

from sladesk.accounts.models import AuditLog
from sladesk.accounts.services import contact_remove, sign_in_link_redeem, sign_in_link_send
from sladesk.core.exceptions import DeskError
from tests.accounts.factories import CLI, NOW, make_agent, make_contact, make_org

pytestmark = pytest.mark.django_db


def url(token):
    return f"https://desk.example/accounts/sign-in/link/{token}/"


@pytest.fixture
def maria():
    return make_contact(make_org("Acme", domains=["acme.example"], plan="premier"), "maria")


def send(email, now=NOW, django_capture_on_commit_callbacks=None):
    return sign_in_link_send(email=email, build_url=url, now=now)


def token_from_outbox():
    (message,) = mail.outbox
    return re.search(r"/sign-in/link/([^/\s]+)/", message.body).group(1)


def test_a_contact_gets_a_link_by_email(maria, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert send("Maria@acme.example") is True
    (message,) = mail.outbox
    assert message.to == ["maria@acme.example"]
    assert "works once, within 15 minutes" in message.body
    assert AuditLog.objects.filter(action="contact.sign_in_link_sent").count() == 1


def test_the_link_signs_in_once(maria, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send(maria.email)
    token = token_from_outbox()
    assert sign_in_link_redeem(token=token, now=NOW + dt.timedelta(minutes=1)) == maria.user
    with pytest.raises(DeskError) as refused:
        sign_in_link_redeem(token=token, now=NOW + dt.timedelta(minutes=2))
    assert (refused.value.code, refused.value.message) == (
        "sign_in_link_used",
        "this sign-in link was already used; ask for a new one",
    )


def test_the_link_expires(maria, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send(maria.email)
    with pytest.raises(DeskError) as refused:
        sign_in_link_redeem(token=token_from_outbox(), now=NOW + dt.timedelta(minutes=15))
    assert refused.value.code == "sign_in_link_expired"


def test_a_tampered_link_is_refused(maria, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send(maria.email)
    token = token_from_outbox()
    with pytest.raises(DeskError) as refused:
        sign_in_link_redeem(
            token=token[:-2] + ("AA" if not token.endswith("AA") else "BB"), now=NOW
        )
    assert refused.value.code == "sign_in_link_invalid"


def test_strangers_and_agents_get_no_link_and_cannot_tell(
    maria, django_capture_on_commit_callbacks
):
    make_agent(email="sam@sladesk.example")
    with django_capture_on_commit_callbacks(execute=True):
        assert send("nobody@acme.example") is False
        assert send("sam@sladesk.example") is False
        assert send("not an address") is False
    assert mail.outbox == []


def test_a_removed_contact_cannot_use_an_earlier_link(maria, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send(maria.email)
    contact_remove(contact=maria, actor=CLI, now=NOW)
    with pytest.raises(DeskError):
        sign_in_link_redeem(token=token_from_outbox(), now=NOW + dt.timedelta(minutes=1))


def test_links_are_throttled_to_five_an_hour(maria, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sent = [send(maria.email, now=NOW + dt.timedelta(minutes=n)) for n in range(7)]
    assert sent == [True] * 5 + [False] * 2
