"""/api/.../environments: the non-production licence limit and release status through the API."""

from __future__ import annotations

import pytest

from tests.accounts.factories import make_contact, make_env, make_org
from tests.api.conftest import error

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme():
    return make_org("Acme", domains=["acme.example"], plan="premier")


def test_an_engineer_registers_an_environment_and_sees_its_release_status(as_role, acme, catalogue):
    response = as_role("support_engineer").post(
        f"/organisations/{acme.pk}/environments",
        {
            "name": "legacy",
            "is_production": True,
            "version": "9.5.2",
            "deployment_type": "docker",
            "cluster_size": 2,
            "user_count": 900,
        },
    )
    assert response.status_code == 201, response.content
    status = response.json()["release_status"]
    assert status["supported"] is False and status["code"] == "unsupported_release"
    assert status["message"].startswith("environment runs 9.5.2, not a supported release")


def test_the_fifth_non_production_environment_is_refused(as_role, acme):
    for n in range(4):
        make_env(acme, f"staging {n}", production=False)
    response = as_role("support_engineer").post(
        f"/organisations/{acme.pk}/environments",
        {"name": "staging 5", "is_production": False, "version": "11.10.1"},
    )
    assert error(response, 409) == "non_production_limit"


def test_an_upgrade_and_a_retirement(as_role, acme, catalogue):
    prod = make_env(acme, "prod", version="11.7.9")
    engineer = as_role("support_engineer")
    response = engineer.patch(f"/environments/{prod.pk}", {"version": "11.10.2"})
    assert response.json()["version"] == "11.10.2"
    assert response.json()["release_status"]["code"] == "supported_latest"
    assert engineer.delete(f"/environments/{prod.pk}").json()["retired_at"] is not None
    assert engineer.get(f"/organisations/{acme.pk}/environments").json()["items"] == []
    assert (
        len(
            engineer.get(f"/organisations/{acme.pk}/environments", include_retired="true").json()[
                "items"
            ]
        )
        == 1
    )


def test_a_contact_reads_but_does_not_write_environments(api_as, acme):
    maria = make_contact(acme, "maria")
    prod = make_env(acme, "prod")
    assert api_as(maria.user).get(f"/environments/{prod.pk}").json()["name"] == "prod"
    assert (
        error(api_as(maria.user).patch(f"/environments/{prod.pk}", {"version": "1.0.0"}), 403)
        == "permission_denied"
    )


def test_a_page_of_environments_costs_a_fixed_number_of_queries(
    as_role, acme, catalogue, django_assert_max_num_queries
):
    for n in range(6):
        make_env(acme, f"env {n}", version="11.10.1" if n % 2 else "9.5.2")
    engineer = as_role("support_engineer")
    with django_assert_max_num_queries(8):
        items = engineer.get(f"/organisations/{acme.pk}/environments").json()["items"]
    assert len(items) == 6
