"""The door (``request_check``): who may ask, for which organisation and environment,
through which channel, on which day. Every refusal of the policy has its code here."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from sladesk.accounts.door import RequestRefused, request_check
from sladesk.accounts.services import (
    contact_remove,
    environment_retire,
    subscription_add,
    subscription_cancel,
)
from tests.accounts.factories import CLI, NOW, make_agent, make_contact, make_env, make_org

pytestmark = pytest.mark.django_db


def check(email, channel="portal", **kwargs):
    return request_check(requester_email=email, channel=channel, at=kwargs.pop("at", NOW), **kwargs)


def refusal(decision, code):
    """Return the message of refusal ``code`` (failing if the decision lacks it)."""
    found = {r.code: r.message for r in decision.reasons}
    assert code in found, f"expected refusal {code}, got {decision.codes}"
    assert decision.allowed is False
    return found[code]


def flag(decision, code):
    found = {f.code: f.message for f in decision.flags}
    assert code in found, f"expected flag {code}, got {decision.flag_codes}"
    return found[code]


@pytest.fixture
def acme():
    """A Premier customer with a named contact and production on a supported release."""
    return make_org("Acme Corporation", domains=["acme.example"], plan="premier")


# Allowed ------------------------------------------------------------------------------


def test_a_named_contact_of_a_premier_customer_may_ask_by_email(acme, catalogue):
    maria = make_contact(acme, "maria.garcia")
    prod = make_env(acme, "Acme production", version="11.7.9")
    decision = check("maria.garcia@acme.example", "email", environment=prod)
    assert decision.allowed is True
    assert decision.reasons == ()
    assert decision.plan_id == "premier"
    assert decision.contact == maria
    assert decision.organisation == acme
    assert decision.environment == prod
    assert decision.subscription is not None
    assert flag(decision, "senior_routing") == "premier: route to the senior support team"


def test_the_organisation_is_derived_from_the_requester(acme):
    make_contact(acme, "maria.garcia")
    assert check("Maria.Garcia@ACME.example").organisation == acme


def test_a_signed_in_contact_is_checked_by_user(acme):
    maria = make_contact(acme, "maria.garcia")
    decision = request_check(user=maria.user, channel="portal", at=NOW)
    assert decision.allowed is True
    assert decision.requester_email == "maria.garcia@acme.example"


def test_enterprise_contacts_need_not_be_named():
    org = make_org("Globex", plan="enterprise")
    hans = make_contact(org, "hans")
    assert hans.named is False
    assert check(hans.email, "email").allowed is True


# Refusals -----------------------------------------------------------------------------


def test_an_organisation_without_any_subscription_is_refused():
    org = make_org("Initech", plan=None)
    peter = make_contact(org, "peter")
    assert refusal(check(peter.email), "no_subscription") == (
        "Initech has no subscription; support needs a valid subscription"
    )


def test_an_expired_subscription_is_refused():
    org = make_org(
        "Initech", plan="enterprise", starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 12, 31)
    )
    peter = make_contact(org, "peter")
    assert refusal(check(peter.email), "subscription_expired") == (
        "Initech's enterprise subscription expired on 2025-12-31"
    )


def test_an_expired_subscription_mentions_the_next_one():
    org = make_org(
        "Initech", plan="enterprise", starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 12, 31)
    )
    subscription_add(
        organisation=org, plan_id="enterprise", starts_on=dt.date(2027, 1, 1), actor=CLI
    )
    peter = make_contact(org, "peter")
    assert refusal(check(peter.email), "subscription_expired").endswith(
        "; the next one starts on 2027-01-01"
    )


def test_a_subscription_not_started_yet_is_refused():
    org = make_org(
        "Initech", plan="enterprise", starts_on=dt.date(2026, 12, 1), ends_on=dt.date(2027, 11, 30)
    )
    peter = make_contact(org, "peter")
    assert refusal(check(peter.email), "subscription_not_started") == (
        "Initech's enterprise subscription starts on 2026-12-01"
    )


def test_a_cancelled_subscription_is_refused_from_its_cancellation_date():
    org = make_org("Initech", plan="enterprise")
    peter = make_contact(org, "peter")
    sub = org.subscriptions.get()
    subscription_cancel(
        subscription=sub, reason="non-payment", effective=dt.date(2026, 11, 20), actor=CLI, now=NOW
    )
    assert refusal(check(peter.email), "subscription_cancelled") == (
        "Initech's enterprise subscription was cancelled from 2026-11-20"
    )
    # The day before the cancellation took effect, the same request was fine.
    assert check(peter.email, at=dt.datetime(2026, 11, 19, 18, tzinfo=dt.UTC)).allowed is True


def test_a_cancellation_in_the_future_leaves_the_subscription_valid_until_then():
    org = make_org("Initech", plan="enterprise")
    peter = make_contact(org, "peter")
    subscription_cancel(
        subscription=org.subscriptions.get(),
        reason="moving on",
        effective=dt.date(2026, 12, 15),
        actor=CLI,
        now=NOW,
    )
    assert check(peter.email).allowed is True
    assert check(peter.email, at=dt.datetime(2026, 12, 15, 20, tzinfo=dt.UTC)).codes == (
        "subscription_cancelled",
    )


def test_the_day_is_the_policy_zone_date_not_the_utc_date():
    """The contract's "day" is the Pacific date: 2027-01-01 05:00 UTC is still 31 December."""
    org = make_org(
        "Initech", plan="enterprise", starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31)
    )
    peter = make_contact(org, "peter")
    assert check(peter.email, at=dt.datetime(2027, 1, 1, 5, tzinfo=dt.UTC)).allowed is True
    assert check(peter.email, at=dt.datetime(2027, 1, 1, 9, tzinfo=dt.UTC)).codes == (
        "subscription_expired",
    )


def test_an_end_user_who_is_not_a_registered_contact_is_refused(acme):
    decision = check("random.user@acme.example")
    assert decision.organisation == acme  # known through the company domain
    assert refusal(decision, "not_a_contact") == (
        "random.user@acme.example is not a registered contact of Acme Corporation; only registered "
        "contacts may open or reply to tickets (end users are not supported)"
    )


def test_a_removed_contact_is_an_end_user_again(acme):
    maria = make_contact(acme, "maria.garcia")
    contact_remove(contact=maria, actor=CLI, now=NOW - dt.timedelta(days=3))
    assert (
        "is no longer a registered contact of Acme Corporation (removed on 2026-11-22)"
        in refusal(check("maria.garcia@acme.example"), "not_a_contact")
    )


def test_a_premier_request_from_a_contact_who_is_not_named_is_refused(acme):
    bob = make_contact(acme, "bob", named=False)
    assert refusal(check(bob.email), "not_named_contact") == (
        "bob@acme.example is not a named contact of Acme Corporation; premier requests must come "
        "from one of its named contacts (at most 3)"
    )


def test_an_environment_of_another_organisation_is_refused(acme):
    make_contact(acme, "maria.garcia")
    globex = make_org("Globex", plan="enterprise")
    their_env = make_env(globex, "Globex production")
    decision = check("maria.garcia@acme.example", environment=their_env.pk)
    assert refusal(decision, "environment_other_organisation") == (
        f"environment #{their_env.pk} does not belong to Acme Corporation"
    )
    assert "Globex" not in refusal(decision, "environment_other_organisation")
    assert decision.environment is None


def test_an_unknown_environment_is_refused(acme):
    make_contact(acme, "maria.garcia")
    assert refusal(
        check("maria.garcia@acme.example", environment=999999), "unknown_environment"
    ) == ("no environment '999999' is known to the desk")


def test_a_retired_environment_is_refused(acme):
    make_contact(acme, "maria.garcia")
    old = make_env(acme, "old chat")
    environment_retire(environment=old, actor=CLI, now=NOW)
    assert refusal(check("maria.garcia@acme.example", environment=old), "environment_retired") == (
        "environment old chat was retired on 2026-11-25"
    )


def test_email_on_professional_is_refused_with_a_pointer_to_the_portal():
    org = make_org("Northwind", plan="professional")
    priya = make_contact(org, "priya")
    assert refusal(check(priya.email, "email"), "channel_not_in_plan") == (
        "E-mail support is not part of E10 Support (Professional Edition): "
        "please open tickets in the portal"
    )
    assert check(priya.email, "portal").allowed is True


def test_the_portal_pointer_includes_its_address_when_configured(settings):
    settings.SLADESK_PORTAL_URL = "https://support.example.com/"
    org = make_org("Northwind", plan="professional")
    priya = make_contact(org, "priya")
    assert refusal(check(priya.email, "email"), "channel_not_in_plan") == (
        "E-mail support is not part of E10 Support (Professional Edition): "
        "please open tickets in the portal at https://support.example.com/"
    )


def test_an_unknown_organisation_is_refused_by_reference(acme):
    make_contact(acme, "maria.garcia")
    assert refusal(
        check("maria.garcia@acme.example", organisation="umbrella"), "unknown_organisation"
    ) == ("no organisation 'umbrella' is known to the desk")


def test_a_stranger_from_an_unknown_domain_is_refused_as_unknown_organisation_and_not_a_contact():
    decision = check("joe@example.net")
    assert decision.codes == ("unknown_organisation", "not_a_contact")
    assert refusal(decision, "unknown_organisation") == (
        "no organisation is registered for example.net; support is for customers with a subscription"
    )


def test_a_contact_asking_for_another_organisation_is_refused(acme):
    make_contact(acme, "maria.garcia")
    globex = make_org("Globex Corporation", plan="enterprise")
    assert refusal(
        check("maria.garcia@acme.example", organisation=globex), "wrong_organisation"
    ) == ("maria.garcia@acme.example is a contact of Acme Corporation, not of Globex Corporation")


def test_an_agent_is_told_to_file_on_behalf_of_a_contact():
    agent = make_agent("support_engineer", email="sam@sladesk.example")
    decision = request_check(user=agent.user, channel="portal", at=NOW)
    assert refusal(decision, "requester_is_agent") == (
        "sam@sladesk.example is an agent of the desk; open the request on behalf of a contact (give their e-mail)"
    )


def test_an_anonymous_or_deactivated_user_is_refused(acme):
    from django.contrib.auth.models import AnonymousUser

    decision = request_check(user=AnonymousUser(), channel="portal", at=NOW)
    assert (
        refusal(decision, "not_signed_in")
        == "sign in first: only registered contacts may open or reply to tickets"
    )
    maria = make_contact(acme, "maria")
    maria.user.is_active = False
    assert request_check(user=maria.user, channel="portal", at=NOW).codes == ("not_signed_in",)


def test_something_that_is_not_an_address_is_refused():
    assert (
        refusal(check("not an address"), "invalid_requester")
        == "'not an address' is not an e-mail address"
    )


def test_every_reason_is_reported_not_just_the_first():
    org = make_org(
        "Northwind",
        plan="professional",
        starts_on=dt.date(2025, 1, 1),
        ends_on=dt.date(2025, 12, 31),
    )
    decision = check(f"nobody@{org.domains.get().domain}", "email")
    assert decision.codes == ("not_a_contact", "subscription_expired")


# Flags for the agent (never refusals) -------------------------------------------------


def test_an_unsupported_release_is_flagged_not_refused(acme, catalogue):
    make_contact(acme, "maria.garcia")
    legacy = make_env(acme, "legacy", version="9.5.2")
    decision = check("maria.garcia@acme.example", environment=legacy)
    assert decision.allowed is True
    assert flag(decision, "unsupported_release").startswith(
        "environment runs 9.5.2, not a supported release"
    )
    assert decision.release is not None and decision.release.supported is False


def test_a_non_production_environment_is_flagged_for_severity_l4(acme, catalogue):
    make_contact(acme, "maria.garcia")
    staging = make_env(acme, "staging", production=False)
    assert flag(check("maria.garcia@acme.example", environment=staging), "non_production") == (
        "staging is not production: severity L4 applies"
    )


def test_a_release_missing_from_the_catalogue_is_flagged(acme, catalogue):
    make_contact(acme, "maria.garcia")
    future = make_env(acme, "canary", version="12.3.0")
    assert "not in the release catalogue" in flag(
        check("maria.garcia@acme.example", environment=future), "release_not_in_catalogue"
    )


def test_an_esr_near_its_end_of_support_is_flagged(acme, catalogue):
    make_contact(acme, "maria.garcia")
    esr = make_env(acme, "esr", version="11.7.9")
    at = dt.datetime(2027, 3, 1, 18, tzinfo=dt.UTC)
    subscription_add(
        organisation=acme,
        plan_id="premier",
        starts_on=acme.subscriptions.get().ends_on + dt.timedelta(days=1),
        actor=CLI,
    )
    assert flag(
        check("maria.garcia@acme.example", environment=esr, at=at), "release_support_ending"
    ) == ("esr runs 11.7.9, whose extended support ends on 2027-05-15; plan the upgrade")


def test_a_subscription_about_to_end_is_flagged():
    org = make_org(
        "Initech", plan="enterprise", starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 10)
    )
    peter = make_contact(org, "peter")
    assert flag(check(peter.email), "subscription_ending") == (
        "the enterprise subscription ends on 2026-12-10 (in 15 days)"
    )


def test_a_request_typed_by_an_agent_on_the_cli_skips_the_channel_entitlement():
    org = make_org("Northwind", plan="professional")
    priya = make_contact(org, "priya")
    decision = check(priya.email, "cli")
    assert decision.allowed is True
    assert flag(decision, "agent_entered") == "entered by an agent through the command line"


# The decision value -------------------------------------------------------------------


def test_the_decision_is_frozen(acme):
    decision = check("nobody@acme.example")
    with pytest.raises(dataclasses.FrozenInstanceError):
        decision.allowed = True  # type: ignore[misc]


def test_raise_if_refused_carries_the_first_code_and_every_reason():
    decision = check("joe@example.net")
    with pytest.raises(RequestRefused) as refused:
        decision.raise_if_refused()
    assert refused.value.code == "unknown_organisation"
    assert refused.value.status == 403
    assert [r["code"] for r in refused.value.details["reasons"]] == [
        "unknown_organisation",
        "not_a_contact",
    ]


def test_as_dict_is_json_ready(acme):
    make_contact(acme, "maria.garcia")
    data = check("maria.garcia@acme.example").as_dict()
    assert data["allowed"] is True
    assert data["organisation_id"] == acme.pk
    assert data["day"] == "2026-11-25"


def test_naive_instants_and_unknown_channels_are_programming_errors():
    with pytest.raises(ValueError, match="aware"):
        request_check(requester_email="a@b.example", channel="portal", at=dt.datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="unknown channel 'fax'"):
        request_check(requester_email="a@b.example", channel="fax", at=NOW)
    with pytest.raises(ValueError, match="requester_email or user"):
        request_check(channel="portal", at=NOW)
