"""The audit log: every write of this app leaves an entry, and entries never change."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction

from sladesk.accounts.actor import Actor
from sladesk.accounts.models import AppendOnlyError, AuditLog
from sladesk.accounts.services import (
    EnvironmentInput,
    agent_add,
    agent_update,
    api_token_create,
    api_token_revoke,
    contact_add,
    contact_remove,
    contact_replace,
    contact_update,
    environment_add,
    environment_retire,
    environment_update,
    organisation_create,
    organisation_update,
    release_remove,
    release_save,
    subscription_add,
    subscription_cancel,
    subscription_change_plan,
    subscription_renew,
    team_create,
    user_password_set,
)
from sladesk.accounts.services.releases import ReleaseSpec
from tests.accounts.factories import NOW

pytestmark = pytest.mark.django_db
D = dt.date


def test_every_write_is_audited_with_who_what_and_how(django_user_model):
    admin = django_user_model.objects.create_user(username="boss@sladesk.example")
    actor = Actor.for_user(admin, via="api")
    org = organisation_create(name="Acme", domains=["acme.example"], actor=actor)
    organisation_update(organisation=org, notes="vip", actor=actor)
    sub = subscription_add(
        organisation=org, plan_id="premier", starts_on=D(2026, 1, 1), actor=actor
    )
    renewed = subscription_renew(subscription=sub, actor=actor)
    subscription_change_plan(
        subscription=renewed, plan_id="enterprise", effective=D(2027, 6, 1), actor=actor, now=NOW
    )
    maria = contact_add(
        organisation=org, email="maria@acme.example", name="Maria", actor=actor, now=NOW
    )
    contact_update(contact=maria, phone="555", actor=actor, now=NOW)
    james = contact_replace(
        contact=maria, email="james@acme.example", name="James", actor=actor, now=NOW
    )
    contact_remove(contact=james, actor=actor, now=NOW)
    env = environment_add(
        organisation=org,
        data=EnvironmentInput("prod", is_production=True, version="11.7.9"),
        actor=actor,
        now=NOW,
    )
    environment_update(environment=env, changes={"version": "11.10.1"}, actor=actor, now=NOW)
    environment_retire(environment=env, actor=actor, now=NOW)
    release_save(spec=ReleaseSpec("11.10", D(2026, 8, 14)), actor=actor)
    release_remove(version="11.10", actor=actor)
    agent = agent_add(email="sam@sladesk.example", name="Sam", role="support_engineer", actor=actor)
    agent_update(agent=agent, role="support_manager", actor=actor)
    team_create(name="Escalations", actor=actor)
    user_password_set(user=agent.user, password="a long passphrase 42", actor=actor)
    token, _ = api_token_create(user=agent.user, actor=actor)
    api_token_revoke(token=token, actor=actor)
    subscription_cancel(subscription=sub, reason="test", actor=actor, now=NOW)

    actions = set(AuditLog.objects.values_list("action", flat=True))
    assert actions == {
        "organisation.create",
        "organisation.update",
        "subscription.add",
        "subscription.renew",
        "subscription.cancel",
        "contact.add",
        "contact.update",
        "contact.replace",
        "contact.remove",
        "environment.add",
        "environment.update",
        "environment.retire",
        "release.add",
        "release.remove",
        "agent.add",
        "agent.update",
        "team.create",
        "user.password_set",
        "token.create",
        "token.revoke",
    }
    entry = AuditLog.objects.filter(action="contact.add").first()
    assert (entry.actor, entry.actor_label, entry.via, entry.organisation) == (
        admin,
        "boss@sladesk.example",
        "api",
        org,
    )
    assert entry.summary == "added named contact Maria <maria@acme.example> to Acme"


def test_the_audit_log_cannot_be_changed_or_deleted_through_the_orm():
    org = organisation_create(name="Acme", domains=["acme.example"], actor=Actor.cli())
    entry = AuditLog.objects.get(organisation=org)
    with pytest.raises(AppendOnlyError):
        AuditLog.objects.filter(pk=entry.pk).update(summary="nothing happened")
    with pytest.raises(AppendOnlyError):
        AuditLog.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        entry.delete()


def test_the_database_refuses_updates_to_the_audit_log():
    org = organisation_create(name="Acme", domains=["acme.example"], actor=Actor.cli())
    entry = AuditLog.objects.get(organisation=org)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE accounts_auditlog SET summary = 'rewritten' WHERE id = %s", [entry.pk]
        )
    entry.refresh_from_db()
    assert entry.summary == "created organisation Acme (acme.example)"
