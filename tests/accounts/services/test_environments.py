"""Environments (environment_add, environment_update, environment_retire).

Policy: Premier includes "licensing for up to 4 standalone non-production environments".
"""

from __future__ import annotations

import pytest

from sladesk.accounts.services import (
    EnvironmentInput,
    environment_add,
    environment_retire,
    environment_update,
)
from sladesk.core.exceptions import DeskError
from tests.accounts.factories import CLI, NOW, make_env, make_org

pytestmark = pytest.mark.django_db


def refused(code, fn, **kwargs):
    with pytest.raises(DeskError) as caught:
        fn(actor=CLI, now=NOW, **kwargs)
    assert caught.value.code == code
    return caught.value.message


@pytest.fixture
def acme():
    return make_org("Acme Corporation", domains=["acme.example"], plan="premier")


def env(name, *, production=True, version="11.10.2", **fields):
    return EnvironmentInput(name=name, is_production=production, version=version, **fields)


def test_an_environment_describes_a_deployment(acme):
    prod = environment_add(
        organisation=acme,
        data=env(
            "Acme production",
            version="v11.7.9",
            edition="enterprise_advanced",
            database_type="postgresql",
            database_version="16.4",
            os="Ubuntu 24.04",
            deployment_type="kubernetes",
            cluster_size=3,
            user_count=4800,
        ),
        actor=CLI,
        now=NOW,
    )
    assert (prod.version, prod.deployment_type, prod.cluster_size, prod.user_count) == (
        "11.7.9",
        "kubernetes",
        3,
        4800,
    )
    assert prod.is_production is True


def test_premier_licenses_four_non_production_environments_and_refuses_the_fifth(acme):
    for n in range(4):
        make_env(acme, f"staging {n}", production=False)
    make_env(acme, "production 2")  # production ones do not count
    assert refused(
        "non_production_limit",
        environment_add,
        organisation=acme,
        data=env("staging 5", production=False),
    ) == (
        "Acme Corporation already has 4 non-production environments, the most the premier plan licenses (4); retire one first"
    )


def test_retiring_a_non_production_environment_frees_a_licence(acme):
    staging = [make_env(acme, f"staging {n}", production=False) for n in range(4)]
    environment_retire(environment=staging[0], actor=CLI, now=NOW)
    assert make_env(acme, "staging 5", production=False).is_production is False


def test_turning_production_into_non_production_counts_against_the_licences(acme):
    for n in range(4):
        make_env(acme, f"staging {n}", production=False)
    prod = make_env(acme, "old production")
    refused(
        "non_production_limit",
        environment_update,
        environment=prod,
        changes={"is_production": False},
    )


def test_plans_that_license_no_non_production_environments_do_not_limit_them():
    """Enterprise licenses 0: its test servers are licensed separately, and still get L4."""
    globex = make_org("Globex", domains=["globex.example"], plan="enterprise")
    assert [make_env(globex, f"test {n}", production=False).is_production for n in range(6)] == [
        False
    ] * 6


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"version": "latest"}, "invalid_version"),
        ({"name": " "}, "name_required"),
        ({"cluster_size": 0}, "invalid_cluster_size"),
        ({"deployment_type": "bare metal"}, "invalid_deployment_type"),
        ({"database_type": "oracle"}, "invalid_database_type"),
        ({"edition": "gold"}, "invalid_edition"),
    ],
)
def test_bad_fields_are_refused_with_a_code(acme, fields, code):
    data = {"name": "x", "is_production": True, "version": "11.10.2", **fields}
    refused(code, environment_add, organisation=acme, data=EnvironmentInput(**data))


def test_names_are_unique_per_organisation_among_active_environments(acme):
    old = make_env(acme, "Chat")
    refused("environment_name_taken", environment_add, organisation=acme, data=env("chat"))
    environment_retire(environment=old, actor=CLI, now=NOW)
    assert make_env(acme, "Chat").name == "Chat"


def test_update_records_an_upgrade(acme):
    prod = make_env(acme, "prod", version="11.7.9")
    environment_update(environment=prod, changes={"version": "11.10.2"}, actor=CLI, now=NOW)
    prod.refresh_from_db()
    assert prod.version == "11.10.2"
    refused("invalid_input", environment_update, environment=prod, changes={"colour": "blue"})


def test_a_retired_environment_cannot_change(acme):
    prod = make_env(acme, "prod")
    environment_retire(environment=prod, actor=CLI, now=NOW)
    refused(
        "environment_retired", environment_update, environment=prod, changes={"version": "11.10.3"}
    )
    refused("environment_retired", environment_retire, environment=prod)
