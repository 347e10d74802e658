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


def test_front_page_speaks_to_customers_not_in_calendar_ids(client):
    body = client.get("/").content.decode()
    assert ">1 h, around the clock</td>" in body
    assert "of weekday cover (Mon 00:00–Sat 00:00 Pacific)" in body
    assert "<strong>weekday_24x5</strong>" not in body  # calendars by name
    assert 'title="policy: 1 h in always"' in body  # the contract wording, on hover
    assert "<strong>Weekdays 24x5</strong>" in body
