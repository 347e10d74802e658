"""``sladesk door check``: the door through the CLI."""

from __future__ import annotations

import pytest

from tests.accounts.factories import make_contact, make_env, make_org

pytestmark = pytest.mark.django_db


def test_an_allowed_request_prints_the_decision_and_flags(sladesk, catalogue):
    acme = make_org("Acme", domains=["acme.example"], plan="premier")
    make_contact(acme, "maria")
    legacy = make_env(acme, "legacy", version="9.5.2")
    out = sladesk(
        "door",
        "check",
        "--email",
        "maria@acme.example",
        "--channel",
        "email",
        "--env",
        str(legacy.pk),
        "--at",
        "2026-11-25T10:00:00-08:00",
    ).out
    assert (
        out.splitlines()[0]
        == "ALLOWED: maria@acme.example (Acme), plan premier, via email on 2026-11-25"
    )
    assert "flag     unsupported_release: environment runs 9.5.2, not a supported release" in out


def test_a_refused_request_exits_non_zero_with_the_first_reason(refused):
    professional = make_org("Northwind", domains=["northwind.example"], plan="professional")
    make_contact(professional, "priya")
    assert refused("door", "check", "--email", "priya@northwind.example", "--channel", "email") == (
        "refused: E-mail support is not part of E10 Support (Professional Edition): "
        "please open tickets in the portal [channel_not_in_plan]"
    )
