"""Times are shown in the viewer's zone, chosen on the profile or reported by the browser."""

from __future__ import annotations

import pytest

from sladesk.core import time
from tests.web.conftest import open_ticket

pytestmark = pytest.mark.django_db


def test_the_profile_sets_the_zone_and_the_browser_does_not_override_it(world, maria):
    assert maria.post("/profile/", {"zone": "Asia/Tokyo"}).status_code == 302
    assert maria.post("/prefs/zone/", {"zone": "Europe/Paris"}).status_code == 204
    ticket = open_ticket(world.maria, now=time.now())
    body = maria.get(f"/portal/tickets/{ticket.pk}/").content.decode()
    assert "JST" in body
    assert "(support calendar: " in body and "Pacific)" in body and "America/Los_Angeles" in body


def test_the_browser_zone_is_used_until_a_choice_is_made(world, gus):
    gus.post("/prefs/zone/", {"zone": "Europe/Paris"})
    ticket = open_ticket(world.gus, now=time.now())
    body = gus.get(f"/portal/tickets/{ticket.pk}/").content.decode()
    assert "CET" in body or "CEST" in body


def test_unknown_zones_are_refused(world, maria):
    response = maria.post("/profile/", {"zone": "Mars/Olympus"})
    assert response.status_code == 422
    assert 'aria-describedby="zone-error"' in response.content.decode()
    assert maria.post("/prefs/zone/", {"zone": "Mars/Olympus"}).status_code == 204
    assert maria.get("/profile/").context["zone"] == "America/Los_Angeles"


def test_the_profile_shows_the_role_in_words(sam):
    body = sam.get("/profile/").content.decode()
    assert "(agent, senior support engineer)" in body
    assert "seniorsupportengineer" not in body
