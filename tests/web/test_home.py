"""The front page answers, with the policy's target table."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_front_page_answers_200_with_the_target_table(client):
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "First-response targets" in body
    assert "next business day" in body


def test_health_endpoint_reports_the_policy_version(client):
    from sladesk.policy import get_policy

    response = client.get("/api/health")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "version": "0.1.0",
        "policy_version": get_policy().version,
    }
