"""Signing in with an e-mail address in any letter case."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.test import override_settings

from sladesk.accounts.services import user_password_set
from tests.accounts.factories import CLI, make_contact, make_org

pytestmark = pytest.mark.django_db


@override_settings(AUTHENTICATION_BACKENDS=["sladesk.accounts.backends.EmailBackend"])
def test_a_contact_signs_in_with_their_address_in_any_case(django_user_model):
    maria = make_contact(make_org("Acme", domains=["acme.example"]), "maria")
    user_password_set(user=maria.user, password="a long passphrase 42", actor=CLI)
    assert (
        authenticate(username=" Maria@ACME.example ", password="a long passphrase 42") == maria.user
    )
    assert authenticate(username="maria@acme.example", password="wrong") is None
    root = django_user_model.objects.create_superuser(username="Root", password="x")
    assert authenticate(username="Root", password="x") == root
