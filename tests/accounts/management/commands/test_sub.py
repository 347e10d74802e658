"""``sladesk sub add|renew|cancel|change|list``."""

from __future__ import annotations

import pytest

from sladesk.accounts.models import Subscription
from tests.accounts.factories import make_org

pytestmark = pytest.mark.django_db


@pytest.fixture
def initech():
    return make_org("Initech", domains=["initech.example"], plan=None)


def test_add_renew_change_and_cancel(sladesk, initech):
    assert (
        "Initech, enterprise 2026-01-01..2026-12-31"
        in sladesk(
            "sub", "add", "--org", "initech", "--plan", "enterprise", "--start", "2026-01-01"
        ).out
    )
    first = Subscription.objects.get()
    assert (
        "premier 2027-01-01..2027-06-30"
        in sladesk("sub", "renew", str(first.pk), "--until", "2027-06-30", "--plan", "premier").out
    )
    second = Subscription.objects.latest("id")
    assert (
        "enterprise 2027-03-01..2027-06-30"
        in sladesk(
            "sub", "change", str(second.pk), "--plan", "enterprise", "--effective", "2027-03-01"
        ).out
    )
    third = Subscription.objects.latest("id")
    assert (
        f"Cancelled #{third.pk} (enterprise) from 2027-04-01."
        in sladesk(
            "sub", "cancel", str(third.pk), "--reason", "bankrupt", "--effective", "2027-04-01"
        ).out
    )
    listing = sladesk("sub", "list", "--org", "initech").out
    assert f"renews #{first.pk}" in listing and "cancelled from 2027-04-01" in listing


def test_refusals_are_one_line_with_their_code(sladesk, refused, initech):
    assert refused(
        "sub", "add", "--org", "initech", "--plan", "gold", "--start", "2026-01-01"
    ).endswith("[unknown_plan]")
    sladesk("sub", "add", "--org", "initech", "--plan", "enterprise", "--start", "2026-01-01")
    assert refused(
        "sub", "add", "--org", "initech", "--plan", "premier", "--start", "2026-06-01"
    ).endswith("[subscription_overlap]")
    assert refused("sub", "renew", "999999") == "no subscription #999999 [subscription_not_found]"
