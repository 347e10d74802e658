"""/api/releases: everyone reads the catalogue and today's support; administrators edit it."""

from __future__ import annotations

import pytest

from sladesk.accounts.models import Release
from tests.accounts.factories import make_contact, make_org
from tests.api.conftest import error

pytestmark = pytest.mark.django_db


def test_anyone_signed_in_reads_the_catalogue(api_as, catalogue):
    maria = make_contact(make_org("Acme", domains=["acme.example"]), "maria")
    body = api_as(maria.user).get("/releases").json()
    assert body["rule"] == "latest_or_previous_major"
    esr = next(r for r in body["items"] if r["version"] == "11.7")
    assert esr["extended_support"] is True and esr["support_ends"] == "2027-05-15"
    assert api_as(maria.user).get("/releases/v11.7").json()["version"] == "11.7"
    assert error(api_as(maria.user).get("/releases/1.0"), 404) == "release_not_found"


def test_administrators_add_and_remove_releases(as_role):
    admin = as_role("administrator")
    response = admin.put(
        "/releases/11.11", {"released_on": "2026-09-16", "support_ends": "2026-12-15"}
    )
    assert response.status_code == 200 and response.json()["supported_today"] is True
    assert (
        error(
            admin.put("/releases/11.12", {"released_on": "2026-10-16", "extended_support": True}),
            422,
        )
        == "invalid_release_file"
    )
    assert admin.delete("/releases/11.11").status_code == 204
    assert not Release.objects.exists()


def test_managers_cannot_edit_the_catalogue(as_role):
    assert (
        error(as_role("support_manager").put("/releases/11.11", {"released_on": "2026-09-16"}), 403)
        == "permission_denied"
    )
