"""``GET /api/tickets/{id}/diagnostics``: the whole analysis for agents, the redaction for contacts."""

from __future__ import annotations

import json

import pytest

from tests.api.conftest import Api, error
from tests.packets.diagnostics import (
    PACKET_NAME,
    analysis_row,
    attach,
    cluster_packet,
    config_bytes,
    leaks,
    log_bytes,
    unzipped,
)
from tests.tickets.conftest import World, open_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db, catalogue):
    return World()


@pytest.fixture
def ticket(world, media):
    """An Acme ticket with Maria's cluster packet and an engineer's internal packet."""
    ticket = open_ticket(world.maria, environment=world.acme_prod)
    attach(ticket, world.maria, cluster_packet(), PACKET_NAME)
    attach(
        ticket, world.engineer, cluster_packet(), "mm_support_packet_internal.zip", internal=True
    )
    return ticket


def diagnostics(api: Api, ticket_id: int):
    response = api.get(f"/tickets/{ticket_id}/diagnostics")
    assert response.status_code == 200, response.content
    return response.json()


class TestAgents:
    def test_every_analysis_with_facts_findings_logs_and_redaction(self, api_as, world, ticket):
        items = diagnostics(api_as(world.senior.user, "read"), ticket.pk)
        assert [i["name"] for i in items] == ["mm_support_packet_internal.zip", PACKET_NAME]
        item = items[1]
        assert item["kind"] == "support_packet" and item["kind_label"] == "support packet"
        assert item["stored_as"] == "mm_support_packet_Acme-Corp_2026-05-20T14-03.redacted.zip"
        assert item["attachment_id"] == ticket.attachments.get(internal=False).pk
        analysis = item["analysis"]
        assert analysis["created_by"] and analysis["channel"] == "api"
        assert analysis["nodes"] == ["ip-10-0-1-12", "ip-10-0-1-13"]
        assert len(analysis["sha256"]) == 64
        # facts: every one with its source, and the glance with the nodes that disagree
        assert {
            "key": "server.version",
            "value": "11.6.1",
            "source": "ip-10-0-1-13/diagnostics.yaml:13",
            "node": "ip-10-0-1-13",
        } in analysis["facts"]
        glance = {g["key"]: g for g in analysis["glance"]}
        assert [v["value"] for v in glance["server.version"]["values"]] == ["11.7.9", "11.6.1"]
        # findings most severe first, with evidence and suggestion
        severities = [f["severity"] for f in analysis["findings"]]
        order = ["critical", "high", "medium", "low", "info"]
        assert severities == sorted(severities, key=order.index)
        mismatch = next(
            f for f in analysis["findings"] if f["rule_id"] == "cluster-version-mismatch"
        )
        assert mismatch["evidence"] and ":" in mismatch["evidence"][0]["source"]
        assert mismatch["suggestion"]
        assert analysis["findings_count"] == {
            s: severities.count(s) for s in order if s in severities
        }
        # the logs' summaries with their bursts
        [log] = [x for x in analysis["logs"] if x["path"] == "ip-10-0-1-12/mattermost.log"]
        burst = next(b for b in log["bursts"] if b["message"] == "Failed to ping DB")
        assert burst["count"] == 3 and burst["first_time"] < burst["last_time"]
        # the redaction: names and counts
        files = {f["path"]: f for f in item["redaction"]["files"]}
        config = files["ip-10-0-1-12/sanitized_config.json"]
        assert "LdapSettings.BindPassword" in config["settings"] and config["count"] == 28
        assert item["redaction"]["total"] == sum(f["count"] for f in files.values())
        assert item["redaction"]["notice"].startswith("Before anyone at support saw")

    def test_findings_are_ordered_by_severity_then_position(self, api_as, world):
        ticket = open_ticket(world.maria)
        analysis_row(
            ticket,
            findings=[("low", "a", []), ("critical", "b", []), ("low", "c", []), ("high", "d", [])],
        )
        [item] = diagnostics(api_as(world.engineer.user, "read"), ticket.pk)
        assert [f["title"] for f in item["analysis"]["findings"]] == ["b", "d", "a", "c"]

    def test_a_ticket_without_diagnostics_answers_an_empty_list(self, api_as, world):
        ticket = open_ticket(world.gus)
        assert diagnostics(api_as(world.engineer.user, "read"), ticket.pk) == []

    def test_the_query_count_does_not_grow_with_the_analyses(
        self, api_as, world, django_assert_max_num_queries
    ):
        ticket = open_ticket(world.maria)
        api = api_as(world.engineer.user, "read")
        analysis_row(ticket, findings=[("high", "a", [("x:1", "y")])])
        with django_assert_max_num_queries(20) as one:
            diagnostics(api, ticket.pk)
        for n in range(4):
            analysis_row(ticket, name=f"c{n}.json", findings=[("low", "b", []), ("info", "c", [])])
        with django_assert_max_num_queries(len(one.captured_queries)):
            assert len(diagnostics(api, ticket.pk)) == 5


class TestContacts:
    def test_the_redaction_summary_of_public_files_only(self, api_as, world, ticket):
        items = diagnostics(api_as(world.maria.user, "read"), ticket.pk)
        [item] = items  # the internal packet is not mentioned
        assert item["name"] == PACKET_NAME
        assert item["analysis"] is None
        assert item["redaction"]["total"] > 0
        assert any("SqlSettings.DataSource" in f["settings"] for f in item["redaction"]["files"])
        text = json.dumps(items)
        for internal in ("11.6.1", "cluster-version-mismatch", "Failed to ping DB", "internal"):
            assert internal not in text, internal

    def test_a_colleague_of_the_same_organisation_sees_it(self, api_as, world, ticket):
        from tests.accounts.factories import make_contact

        colleague = make_contact(world.premier, "lee")
        assert len(diagnostics(api_as(colleague.user, "read"), ticket.pk)) == 1


class TestAccess:
    def test_another_organisations_ticket_is_not_found(self, api_as, world, ticket):
        response = api_as(world.gus.user, "read").get(f"/tickets/{ticket.pk}/diagnostics")
        assert error(response, 404) == "not_found"

    def test_an_unknown_ticket_is_not_found(self, api_as, world):
        response = api_as(world.senior.user, "read").get("/tickets/999999/diagnostics")
        assert error(response, 404) == "not_found"

    def test_not_found_is_the_same_for_unknown_and_foreign_ids(self, api_as, world, ticket):
        gus = api_as(world.gus.user, "read")
        foreign = gus.get(f"/tickets/{ticket.pk}/diagnostics").json()["error"]
        unknown = gus.get("/tickets/999999/diagnostics").json()["error"]
        assert foreign["code"] == unknown["code"] == "not_found"
        assert foreign["message"].replace(str(ticket.pk), "N") == unknown["message"].replace(
            "999999", "N"
        )

    def test_anonymous_callers_are_refused(self, anonymous, ticket):
        assert error(anonymous.get(f"/tickets/{ticket.pk}/diagnostics"), 401) == "unauthenticated"


def test_the_endpoint_is_documented(client):
    schema = client.get("/api/openapi.json").json()
    operation = schema["paths"]["/api/tickets/{ticket_id}/diagnostics"]["get"]
    assert operation["security"] and "ErrorOut" in str(operation["responses"])
    assert "DiagnosticOut" in json.dumps(operation["responses"]["200"])


def test_no_planted_secret_is_answered_to_anyone(api_as, world, media):
    ticket = open_ticket(world.maria, environment=world.acme_prod)
    uploads = [
        (cluster_packet(), PACKET_NAME),
        (config_bytes(), "config.json"),
        (log_bytes(), "mattermost.log"),
    ]
    for data, name in uploads:
        attach(ticket, world.maria, data, name)
    attach(ticket, world.engineer, cluster_packet(), "internal.zip", internal=True)
    agent = api_as(world.senior.user, "read").get(f"/tickets/{ticket.pk}/diagnostics")
    contact = api_as(world.maria.user, "read").get(f"/tickets/{ticket.pk}/diagnostics")
    assert len(agent.json()) == 4 and len(contact.json()) == 3
    assert leaks(agent.content, contact.content) == []
    assert leaks(*(unzipped(data) for data, _ in uploads)) != []  # they were there to find
