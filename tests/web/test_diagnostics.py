"""Diagnostics on the ticket pages: the engineer's panel in the console, a notice in the portal.

Packets, configs and logs are attached the way customers attach them (through the
attachment filter), with the planted secrets of ``tests/packets/factory.py``.
"""

from __future__ import annotations

import html

import pytest

from sladesk.core import time
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
from tests.web.conftest import client_for, open_ticket

pytestmark = pytest.mark.django_db

CLEAN_LOG = b"2026-05-20 13:58:05.118 Z info server started\n"


@pytest.fixture
def packet_ticket(world, media):
    """An Acme ticket with Maria's cluster packet and JSON log attached."""
    ticket = open_ticket(world.maria, environment=world.acme_prod, now=time.now())
    attach(ticket, world.maria, cluster_packet(), PACKET_NAME)
    attach(ticket, world.maria, log_bytes(), "mattermost.log")
    return ticket


def console(client, ticket) -> str:
    response = client.get(f"/console/tickets/{ticket.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def portal(client, ticket) -> str:
    response = client.get(f"/portal/tickets/{ticket.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def section(body: str, element_id: str) -> str:
    """The HTML of the ``<section id=element_id>`` (the panel under test, not the thread)."""
    start = body.index(f'id="{element_id}"')
    return body[start : body.index("</section>", start)]


class TestConsole:
    def test_the_agent_sees_each_file_with_its_facts_findings_and_redaction(
        self, world, sam, packet_ticket
    ):
        panel = section(console(sam, packet_ticket), "diagnostics")
        # which file, what kind, when and by whom
        assert PACKET_NAME in panel and "support packet" in panel
        assert "mattermost.log" in panel and "server log (JSON lines)" in panel
        assert "by maria.garcia" in panel.lower() or "by Maria Garcia" in panel
        assert "via api" in panel
        # the facts at a glance, with the nodes that disagree shown apart and each source
        assert "Server version" in panel
        assert "11.7.9" in panel and "11.6.1" in panel
        assert "on ip-10-0-1-13" in panel
        assert "ip-10-0-1-12/diagnostics.yaml:13" in panel
        for label in ("Edition", "Licence", "Database", "Cluster nodes"):
            assert f">{label}</th>" in panel
        # findings grouped by severity with a coloured badge, evidence and suggestion
        assert "Cluster nodes run different server versions" in panel
        assert 'class="badge finding finding-critical"' in panel
        assert "Database connection errors in the server log" in panel
        assert "<code>mattermost.log:11</code>" in panel
        assert "Check the database&#x27;s reachability" in panel
        # most severe first
        assert panel.index("finding-item-critical") < panel.index("finding-item-medium")
        # the redaction: per file, setting names and counts
        assert "LdapSettings.BindPassword" in panel and "SqlSettings.DataSource" in panel
        assert "3 secret pair" in panel
        # the log's bursts: counts, first and last time
        assert "Failed to ping DB" in panel
        assert 'datetime="2026-05-20T14:01:00.902000+00:00"' in panel
        assert 'datetime="2026-05-20T14:01:02.902000+00:00"' in panel

    def test_times_are_in_the_viewers_zone(self, world, sam, packet_ticket):
        assert sam.post("/profile/", {"zone": "Asia/Tokyo"}).status_code == 302
        panel = section(console(sam, packet_ticket), "diagnostics")
        assert "Wed 20 May 2026 23:01 JST" in panel  # the burst at 14:01 UTC

    def test_evidence_is_escaped(self, world, sam):
        ticket = open_ticket(world.maria, now=time.now())
        analysis_row(
            ticket,
            findings=[
                ("high", "Bad <b>title</b>", [("config.json:7", '<script>alert("x")</script>')])
            ],
        )
        panel = section(console(sam, ticket), "diagnostics")
        assert "<script>alert" not in panel and "<b>title" not in panel
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in panel
        assert "<code>config.json:7</code>" in panel

    def test_no_panel_without_diagnostics(self, world, sam):
        ticket = open_ticket(world.maria, now=time.now())
        assert 'id="diagnostics"' not in console(sam, ticket)

    def test_contacts_have_no_console_page(self, world, maria, packet_ticket):
        assert maria.get(f"/console/tickets/{packet_ticket.pk}/").status_code == 404

    def test_the_page_costs_the_same_queries_for_one_or_three_files(
        self, world, sam, media, django_assert_max_num_queries
    ):
        ticket = open_ticket(world.maria, now=time.now())
        analysis_row(ticket, findings=[("high", "one", [("a:1", "x")])])
        with django_assert_max_num_queries(60) as one:
            console(sam, ticket)
        for n in range(2):
            analysis_row(
                ticket, name=f"c{n}.json", findings=[("low", "two", []), ("info", "3", [])]
            )
        with django_assert_max_num_queries(len(one.captured_queries)):
            console(sam, ticket)


class TestPortal:
    def test_the_customer_sees_what_was_redacted_and_that_the_engineer_has_the_analysis(
        self, world, maria, packet_ticket
    ):
        panel = section(portal(maria, packet_ticket), "diagnostic-files")
        assert PACKET_NAME in panel and "mattermost.log" in panel
        assert "sladesk removed" in panel
        assert "LdapSettings.BindPassword" in panel and "SqlSettings.DataSource" in panel
        assert "3 secret pair" in panel
        assert "Only the redacted copy" in panel and "never stored" in panel
        assert "Our support engineers have the analysis of this file" in panel

    def test_the_customer_never_sees_facts_findings_or_logs(self, world, maria, packet_ticket):
        body = portal(maria, packet_ticket)
        for internal in (
            'id="diagnostics"',
            "Cluster nodes run different server versions",
            "Database connection errors",
            "finding-critical",
            "11.6.1",  # a node's version, a fact
            "diagnostics.yaml:13",  # where a fact was read
            "Failed to ping DB",  # a log burst
            "Check the database",  # a suggestion
        ):
            assert internal not in body, internal

    def test_a_colleague_sees_it_too_and_another_organisation_does_not(
        self, world, gus, packet_ticket
    ):
        assert gus.get(f"/portal/tickets/{packet_ticket.pk}/").status_code == 404

    def test_an_internal_upload_is_not_mentioned(self, world, maria, media):
        ticket = open_ticket(world.maria, now=time.now())
        attach(ticket, world.engineer, cluster_packet(), PACKET_NAME, internal=True)
        body = portal(maria, ticket)
        assert 'id="diagnostic-files"' not in body and PACKET_NAME not in body
        # the engineer has it
        assert PACKET_NAME in section(console(client_for(world.senior), ticket), "diagnostics")

    def test_a_clean_log_says_nothing_needed_redacting(self, world, maria, media):
        ticket = open_ticket(world.maria, now=time.now())
        attach(ticket, world.maria, CLEAN_LOG, "console.txt")
        panel = section(portal(maria, ticket), "diagnostic-files")
        assert "console.txt" in panel and "Nothing needed redacting" in panel


def test_no_planted_secret_is_shown_on_either_page(world, maria, sam, media):
    ticket = open_ticket(world.maria, environment=world.acme_prod, now=time.now())
    uploads = [
        (cluster_packet(), PACKET_NAME),
        (config_bytes(), "config.json"),
        (log_bytes(), "mattermost.log"),
    ]
    for data, name in uploads:
        attach(ticket, world.maria, data, name)
    attach(
        ticket, world.engineer, cluster_packet(), "mm_support_packet_internal.zip", internal=True
    )
    pages = [console(sam, ticket), portal(maria, ticket)]
    assert "Cluster nodes run different server versions" in pages[0]  # really shown
    assert leaks(*pages, *(html.unescape(p) for p in pages)) == []
    assert leaks(*(unzipped(data) for data, _ in uploads)) != []  # the secrets were there to find
