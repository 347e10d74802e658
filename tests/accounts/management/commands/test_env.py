"""``sladesk env add|list|retire``."""

from __future__ import annotations

import pytest

from tests.accounts.factories import make_env, make_org

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme():
    return make_org("Acme", domains=["acme.example"], plan="premier")


def test_env_add_says_when_the_release_is_not_supported(sladesk, acme, catalogue):
    out = sladesk(
        "env",
        "add",
        "--org",
        "acme",
        "--name",
        "legacy",
        "--production",
        "--version",
        "9.5.2",
        "--deployment",
        "docker",
        "--database",
        "postgresql",
        "--database-version",
        "13",
        "--os",
        "RHEL 8",
        "--cluster-size",
        "2",
        "--users",
        "900",
    ).out
    assert "Added environment legacy (production, 9.5.2) to Acme" in out
    assert "Note: environment runs 9.5.2, not a supported release" in out


def test_the_fifth_non_production_environment_is_refused(refused, acme):
    for n in range(4):
        make_env(acme, f"staging {n}", production=False)
    assert refused(
        "env",
        "add",
        "--org",
        "acme",
        "--name",
        "staging 5",
        "--non-production",
        "--version",
        "11.10.1",
    ) == (
        "Acme already has 4 non-production environments, the most the premier plan licenses (4); "
        "retire one first [non_production_limit]"
    )


def test_env_list_and_retire(sladesk, acme, catalogue):
    prod = make_env(acme, "prod", version="11.10.1")
    assert "prod (production, 11.10.1: supported)" in sladesk("env", "list", "--org", "acme").out
    sladesk("env", "retire", str(prod.pk))
    assert "0 environment(s)" in sladesk("env", "list", "--org", "acme").out
