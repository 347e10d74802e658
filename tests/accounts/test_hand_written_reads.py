"""The hand-written reads of the request path (``sladesk.core.rows``) mean what their ORM twins do.

Each is compared with the ORM query it replaces, field by field and type by type, on
the database the suite runs on (SQLite and PostgreSQL), and its relations are read
without another query.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.db.models import Q

from sladesk.accounts.models import (
    Agent,
    ApiToken,
    Contact,
    Environment,
    Release,
    Subscription,
    Team,
)
from sladesk.accounts.selectors import (
    contact_active_by_email,
    contact_active_for_user,
    environment_by_id,
    release_catalogue,
    release_support,
    subscription_and_environment,
    subscription_valid_on,
    team_by_slug,
    token_live_by_hash,
)
from sladesk.accounts.services import (
    api_token_create,
    api_token_revoke,
    contact_remove,
    environment_retire,
    release_catalogue_load,
    release_file_parse,
)
from sladesk.accounts.services.releases import shipped_catalogue_path
from sladesk.accounts.services.tokens import token_hash
from sladesk.core import time
from tests.accounts.factories import CLI, NOW, make_agent, make_contact, make_env, make_org

pytestmark = pytest.mark.django_db


def assert_same_row(hand, orm) -> None:
    """Every concrete field has the same value and the same Python type in both instances."""
    assert type(hand) is type(orm)
    assert hand._state.adding is False and hand._state.db == orm._state.db
    for field in orm._meta.concrete_fields:
        mine, theirs = getattr(hand, field.attname), getattr(orm, field.attname)
        assert mine == theirs, field.name
        assert type(mine) is type(theirs), field.name


def test_the_valid_subscription_is_the_orm_s_on_every_day_around_each_boundary():
    org = make_org("Initech", plan=None)
    other = make_org("Globex", plan=None)
    day = dt.date(2026, 1, 1)
    rows = [
        # expired, current, a renewal starting later, cancelled in the middle, a future one
        {"starts_on": day, "ends_on": day + dt.timedelta(days=9)},
        {"starts_on": day + dt.timedelta(days=10), "ends_on": day + dt.timedelta(days=29)},
        {"starts_on": day + dt.timedelta(days=20), "ends_on": day + dt.timedelta(days=39)},
        {
            "starts_on": day + dt.timedelta(days=40),
            "ends_on": day + dt.timedelta(days=59),
            "cancelled_on": day + dt.timedelta(days=45),
            "status": Subscription.Status.CANCELLED,
        },
        {"starts_on": day + dt.timedelta(days=70), "ends_on": day + dt.timedelta(days=79)},
    ]
    for row in rows:
        Subscription.objects.create(organisation=org, plan_id="enterprise", **row)
    Subscription.objects.create(
        organisation=other, plan_id="premier", starts_on=day, ends_on=day + dt.timedelta(days=99)
    )
    found = 0
    for offset in range(-2, 85):
        on = day + dt.timedelta(days=offset)
        orm = (
            Subscription.objects.valid_on(on)
            .filter(organisation=org)
            .order_by("-starts_on", "-id")
            .first()
        )
        hand = subscription_valid_on(organisation=org, day=on)
        if orm is None:
            assert hand is None, on
            continue
        found += 1
        assert_same_row(hand, orm)
        assert subscription_valid_on(organisation=org.pk, day=on) == orm
    assert found == 10 + 30 + 5 + 10  # days covered, the overlap counted once


def test_a_subscription_read_with_the_organisation_costs_no_query_for_it(
    django_assert_num_queries,
):
    org = make_org("Initech")
    with django_assert_num_queries(1):
        sub = subscription_valid_on(organisation=org, day=NOW.date())
        assert sub is not None and sub.organisation is org


def test_an_active_contact_is_the_orm_s_with_its_organisation_and_user(
    django_assert_num_queries,
):
    org = make_org("Acme", domains=["acme.example"])
    jane = make_contact(org, "jane")
    gone = make_contact(org, "gone")
    contact_remove(contact=gone, actor=CLI)
    orm = Contact.objects.active().select_related("organisation", "user").get(pk=jane.pk)
    with django_assert_num_queries(1):
        by_mail = contact_active_by_email("  Jane@ACME.example ")
        assert by_mail is not None
        assert by_mail.organisation.name == "Acme" and by_mail.user.email == jane.email
    assert_same_row(by_mail, orm)
    assert_same_row(by_mail.organisation, orm.organisation)
    assert_same_row(by_mail.user, orm.user)
    by_user = contact_active_for_user(jane.user_id)
    assert by_user is not None
    assert_same_row(by_user, orm)
    assert contact_active_by_email(gone.email) is None
    assert contact_active_for_user(gone.user_id) is None
    assert contact_active_by_email("nobody@acme.example") is None


def test_an_environment_is_the_orm_s_with_its_organisation(django_assert_num_queries):
    org = make_org("Acme")
    env = make_env(org, "staging", production=False, version="10.11.8")
    orm = Environment.objects.select_related("organisation").get(pk=env.pk)
    with django_assert_num_queries(1):
        hand = environment_by_id(env.pk)
        assert hand is not None and hand.organisation.name == "Acme"
    assert_same_row(hand, orm)
    assert hand.is_production is False
    environment_retire(environment=env, actor=CLI)
    retired = environment_by_id(env.pk)
    assert retired is not None and retired.retired_at is not None  # the door says why
    assert environment_by_id(env.pk + 1000) is None


def test_teams_and_the_release_catalogue_are_the_orm_s():
    assert_same_row(team_by_slug("senior"), Team.objects.get(slug="senior"))
    assert team_by_slug("nobody") is None
    release_catalogue_load(specs=release_file_parse(shipped_catalogue_path()), actor=CLI)
    hand = sorted(
        (
            (e.version.major, e.version.minor, e.version.patch),
            e.released_on,
            e.extended_support,
            e.support_ends,
        )
        for e in release_catalogue()
    )
    orm = sorted(
        ((r.major, r.minor, r.patch), r.released_on, r.extended_support, r.support_ends)
        for r in Release.objects.all()
    )
    assert len(hand) == len(orm) > 10
    assert hand == orm
    for entry in release_catalogue():  # True == 1 and equal dates would hide a wrong type
        assert type(entry.extended_support) is bool and type(entry.released_on) is dt.date
        assert entry.support_ends is None or type(entry.support_ends) is dt.date


class TestTheToken:
    """One query reads the token, its user, the agent profile and the contact registration."""

    def test_a_contact_s_token_comes_with_the_contact_and_its_organisation(
        self, django_assert_num_queries
    ):
        org = make_org("Acme")
        jane = make_contact(org, "jane")
        token, secret = api_token_create(user=jane.user, scopes=("read",), actor=CLI)
        with django_assert_num_queries(1):
            found = token_live_by_hash(token_hash(secret), now=NOW)
            assert found is not None
            assert found.user.email == jane.email
            assert found.active_contact is not None
            assert found.active_contact.organisation.name == "Acme"
            assert found.active_contact.user is found.user
            with pytest.raises(Agent.DoesNotExist):
                found.user.agent  # noqa: B018 - a cached "no agent", not a query
        assert_same_row(found, ApiToken.objects.get(pk=token.pk))
        assert_same_row(found.active_contact, Contact.objects.get(pk=jane.pk))

    def test_an_agent_s_token_comes_with_the_agent_and_no_contact(self, django_assert_num_queries):
        agent = make_agent()
        _, secret = api_token_create(user=agent.user, scopes=("read",), actor=CLI)
        with django_assert_num_queries(1):
            found = token_live_by_hash(token_hash(secret), now=NOW)
            assert found is not None and found.user.agent.pk == agent.pk
            assert found.user.agent.user is found.user
            assert found.active_contact is None

    def test_revoked_expired_and_inactive_users_tokens_are_not_live(self):
        org = make_org("Acme")
        people = [make_contact(org) for _ in range(3)]
        soon = time.now() + dt.timedelta(hours=1)
        made = [
            api_token_create(user=p.user, scopes=("read",), actor=CLI, expires_at=soon)
            for p in people
        ]
        for (_, secret), later in itertools.product(made, (False, True)):
            at = soon + dt.timedelta(seconds=1) if later else soon - dt.timedelta(seconds=1)
            orm = (
                ApiToken.objects.filter(token_hash=token_hash(secret), revoked_at__isnull=True)
                .filter(user__is_active=True)
                .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=at))
                .first()
            )
            hand = token_live_by_hash(token_hash(secret), now=at)
            assert (hand is None) == (orm is None) == later
        now = time.now()
        api_token_revoke(token=made[0][0], actor=CLI)
        assert token_live_by_hash(token_hash(made[0][1]), now=now) is None
        people[1].user.is_active = False
        people[1].user.save()
        assert token_live_by_hash(token_hash(made[1][1]), now=now) is None
        assert token_live_by_hash(token_hash(made[2][1]), now=now) is not None
        assert token_live_by_hash(token_hash("sld_unknown"), now=now) is None


class TestTheIntakeRead:
    """The subscription, the named environment and the catalogue's fingerprint, read at once."""

    def test_it_is_the_two_reads_it_replaces_on_every_day_around_the_boundaries(self):
        org = make_org("Initech", plan=None)
        other = make_org("Globex")
        day = dt.date(2026, 1, 1)
        Subscription.objects.create(
            organisation=org,
            plan_id="enterprise",
            starts_on=day,
            ends_on=day + dt.timedelta(days=9),
        )
        Subscription.objects.create(
            organisation=org,
            plan_id="premier",
            starts_on=day + dt.timedelta(days=5),
            ends_on=day + dt.timedelta(days=20),
            cancelled_on=day + dt.timedelta(days=15),
            status=Subscription.Status.CANCELLED,
        )
        mine, theirs = make_env(org, "prod"), make_env(other, "theirs")
        for offset in range(-2, 24):
            on = day + dt.timedelta(days=offset)
            for env_id in (mine.pk, theirs.pk, 10**9):
                sub, env, fingerprint = subscription_and_environment(
                    organisation=org, day=on, environment_id=env_id
                )
                want_sub = subscription_valid_on(organisation=org, day=on)
                want_env = environment_by_id(env_id)
                if want_sub is None:
                    assert sub is None, on
                else:
                    assert_same_row(sub, want_sub)
                if want_env is None:
                    assert env is None
                else:
                    assert_same_row(env, want_env)
                    assert_same_row(env.organisation, want_env.organisation)
                if connection.vendor == "postgresql":
                    assert isinstance(fingerprint, str) and len(fingerprint) == 64
                else:
                    assert fingerprint is None

    @pytest.mark.skipif(
        connection.vendor != "postgresql", reason="one statement for the three is PostgreSQL's"
    )
    def test_on_postgresql_it_is_one_statement_and_relations_cost_nothing(
        self, django_assert_num_queries
    ):
        org = make_org("Initech")
        env = make_env(org, "prod")
        with django_assert_num_queries(1):
            sub, found, _ = subscription_and_environment(
                organisation=org, day=time.now().date(), environment_id=env.pk
            )
            assert sub.organisation is org and found.organisation.name == "Initech"

    @pytest.mark.skipif(connection.vendor != "postgresql", reason="the fingerprint is PostgreSQL's")
    def test_an_edited_catalogue_has_a_new_fingerprint_and_is_read_again(self):
        release_catalogue_load(specs=release_file_parse(shipped_catalogue_path()), actor=CLI)
        org = make_org("Initech")
        env = make_env(org, "prod", version="11.7.1")
        day = time.now().date()

        def support():
            fingerprint = subscription_and_environment(
                organisation=org, day=day, environment_id=env.pk
            )[2]
            return fingerprint, release_support(version="11.7.1", on=day, fingerprint=fingerprint)

        before, status = support()
        assert support() == (before, status)  # unchanged: same fingerprint, same answer
        release = Release.objects.get(major=11, minor=7)
        release.support_ends = day - dt.timedelta(days=1)
        release.save(update_fields=["support_ends"])
        after, edited = support()
        assert after != before
        assert edited == release_support(version="11.7.1", on=day)  # read without a cache
        assert edited.supported is False and status.supported is not False

    @pytest.mark.skipif(connection.vendor != "postgresql", reason="the fingerprint is PostgreSQL's")
    def test_an_edit_between_the_fingerprint_and_the_read_is_never_filed_under_the_old_one(
        self,
    ):
        from sladesk.accounts import selectors

        release_catalogue_load(specs=release_file_parse(shipped_catalogue_path()), actor=CLI)
        org = make_org("Initech")
        env = make_env(org, "prod", version="11.7.1")
        day = time.now().date()
        selectors._CATALOGUES.clear()

        def fingerprint():
            return subscription_and_environment(organisation=org, day=day, environment_id=env.pk)[2]

        before = fingerprint()
        release = Release.objects.get(major=11, minor=7)
        ends = release.support_ends
        release.support_ends = day - dt.timedelta(days=1)
        release.save(update_fields=["support_ends"])
        # Read under the fingerprint taken before the edit: the edited catalogue comes
        # back, and is filed under its own fingerprint.
        edited = release_support(version="11.7.1", on=day, fingerprint=before)
        assert edited.supported is False
        release.support_ends = ends
        release.save(update_fields=["support_ends"])
        assert fingerprint() == before  # the catalogue is as it was
        again = release_support(version="11.7.1", on=day, fingerprint=before)
        assert again == release_support(version="11.7.1", on=day)
        assert again.supported is not False
