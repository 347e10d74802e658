"""Passwordless sign-in through the web: ask, receive, press the button, signed in."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from tests.accounts.factories import make_contact, make_org

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.accounts.urls")]


@pytest.fixture
def maria():
    return make_contact(make_org("Acme", domains=["acme.example"], plan="premier"), "maria")


def ask(client, email, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post("/accounts/sign-in/link/", {"email": email})


def test_a_contact_signs_in_with_the_emailed_link(
    client, maria, django_capture_on_commit_callbacks
):
    assert client.get("/accounts/sign-in/link/").status_code == 200
    response = ask(client, "maria@acme.example", django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == "/accounts/sign-in/link/sent/"
    assert "a sign-in link is on its way" in client.get(response["Location"]).content.decode()
    link = re.search(r"https?://\S+", mail.outbox[0].body).group(0)
    path = link.split("testserver", 1)[1]
    # Opening the link (or a mail scanner prefetching it) does not sign in or use it up.
    page = client.get(path)
    assert page.status_code == 200 and "Sign in to the support desk" in page.content.decode()
    assert "_auth_user_id" not in client.session
    # Pressing the button does, once.
    assert client.post(path).status_code == 302
    assert int(client.session["_auth_user_id"]) == maria.user.pk
    client.logout()
    again = client.post(path)
    assert again.status_code == 400
    assert "this sign-in link was already used; ask for a new one" in again.content.decode()


def test_the_answer_is_the_same_for_strangers(client, maria, django_capture_on_commit_callbacks):
    response = ask(client, "nobody@acme.example", django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == "/accounts/sign-in/link/sent/"
    assert mail.outbox == []


def test_a_forged_link_is_refused(client, maria):
    response = client.post("/accounts/sign-in/link/forged:token/")
    assert response.status_code == 400
    assert "this sign-in link is not valid" in response.content.decode()


def test_a_malformed_address_is_a_form_error(client):
    response = client.post("/accounts/sign-in/link/", {"email": "maria"})
    assert (
        response.status_code == 200 and "Enter a valid email address." in response.content.decode()
    )
