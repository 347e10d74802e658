"""The demo desk's support packet: built in code, attached by the customer, redacted, analysed.

``sladesk demo`` has the Globex contact answer the agent's "could you send a support
packet?" with one (``sladesk.packets.demo``), through the portal's reply path, so the
attachment filter redacts and analyses it as it would a real upload.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from io import StringIO

import pytest
import yaml
from django.core.management import call_command
from django.test import Client

from sladesk.packets.demo import DEMO_SECRETS, SERVER_VERSION, demo_packet, demo_packet_name
from sladesk.packets.models import EnvironmentFact, PacketAnalysis
from sladesk.packets.selectors import ticket_diagnostics
from sladesk.tickets.models import Attachment, Ticket, TicketMessage

LDAP_TICKET = "LDAP group sync skips nested groups"
REQUESTER = "hans.mueller@globex.example"
AT = dt.datetime(2026, 11, 28, 8, 40, 12, tzinfo=dt.UTC)


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def leaked(*blobs: bytes | str) -> list[str]:
    """The demo secrets found in any of ``blobs``."""
    data = [b.encode() if isinstance(b, str) else b for b in blobs]
    return [secret for secret in DEMO_SECRETS if any(secret.encode() in d for d in data)]


class TestBuilder:
    def test_a_flat_v2_packet_named_like_the_vendors(self):
        assert demo_packet_name(AT) == "mm_support_packet_Globex-Corporation_2026-11-28T08-40.zip"
        files = members(demo_packet(generated_at=AT))
        assert {
            "metadata.yaml",
            "diagnostics.yaml",
            "stats.yaml",
            "jobs.yaml",
            "plugins.json",
            "sanitized_config.json",
            "mattermost.log",
        } <= set(files)
        metadata = yaml.safe_load(files["metadata.yaml"])
        assert metadata["type"] == "support-packet"
        assert metadata["server_version"] == SERVER_VERSION
        assert metadata["generated_at"] == int(AT.timestamp() * 1000)  # epoch ms, as the code
        assert yaml.safe_load(files["diagnostics.yaml"])["version"] == 2

    def test_every_secret_is_planted_so_the_redaction_has_work(self):
        assert sorted(leaked(*members(demo_packet(generated_at=AT)).values())) == sorted(
            DEMO_SECRETS
        )

    def test_times_are_counted_back_from_the_generation_and_never_after_it(self):
        log = members(demo_packet(generated_at=AT))["mattermost.log"].decode()
        stamps = [line.split('"timestamp": "', 1)[1][:23] for line in log.splitlines()]
        assert max(stamps) < AT.strftime("%Y-%m-%d %H:%M:%S")
        assert demo_packet(generated_at=AT) == demo_packet(generated_at=AT)

    def test_a_naive_time_is_refused(self):
        with pytest.raises(ValueError):
            demo_packet(generated_at=AT.replace(tzinfo=None))


def run_demo() -> None:
    call_command("demo", stdout=StringIO())


@pytest.mark.django_db
class TestSeeded:
    def test_the_customer_attached_the_packet_and_it_was_analysed(self, media):
        run_demo()
        ticket = Ticket.objects.get(subject=LDAP_TICKET)
        (analysis,) = ticket_diagnostics(ticket, include_internal=True)
        assert analysis.kind == "support_packet" and analysis.packet_format == "v2"
        # through the portal's path, by the requester, as a public attachment
        attachment = Attachment.objects.get(pk=analysis.summary["attachment"])
        assert attachment.ticket_id == ticket.pk and not attachment.internal
        assert attachment.uploaded_by.username == REQUESTER
        assert analysis.summary["channel"] == "web" and analysis.summary["replaced"] is True
        assert attachment.filename.endswith(".redacted.zip")
        # findings: the release, the database outage, the LDAP sync, the site URL...
        rules = [f.rule_id for f in analysis.findings.all()]
        assert rules[0] == "database-connection-errors"  # critical first
        assert {
            "release-unsupported",
            "ldap-log-errors",
            "jobs-failed",
            "log-error-burst",
            "site-url-no-tls",
            "debug-file-logging",
        } <= set(rules)
        # facts, also onto the ticket's environment
        facts = {f["key"]: f["value"] for f in analysis.facts}
        assert facts["server.version"] == SERVER_VERSION
        assert facts["database.version"] == "13.14"
        assert facts["config.site_url"] == "http://chat.globex.example"
        assert EnvironmentFact.objects.filter(
            environment=ticket.environment, key="server.version", value=SERVER_VERSION
        ).exists()
        # the redaction: the config's slips, the proxy password in the log, the profile
        by_file = {f["path"]: f for f in analysis.redaction["files"]}
        assert analysis.redaction["total"] == 5
        assert set(by_file["sanitized_config.json"]["settings"]) == {
            "EmailSettings.SMTPPassword",
            "SqlSettings.DataSource",
        }
        assert by_file["mattermost.log"]["count"] == 3
        assert [s["path"] for s in analysis.redaction["skipped"]] == ["cpu.prof"]
        # the customer sees it too (what was redacted); the desk wrote its two messages
        assert list(ticket_diagnostics(ticket, include_internal=False)) == [analysis]
        notes = TicketMessage.objects.filter(ticket=ticket, author_kind="system")
        assert sorted(notes.values_list("visibility", flat=True)) == ["internal", "public"]

    def test_no_secret_is_stored_or_shown(self, media):
        run_demo()
        ticket = Ticket.objects.get(subject=LDAP_TICKET)
        analysis = PacketAnalysis.objects.get(ticket=ticket)
        with analysis.artefact.open("rb") as handle:
            artefact = handle.read()
        stored = [artefact, *members(artefact).values()]
        assert analysis.artefact.name == Attachment.objects.get(ticket=ticket).file.name
        rows = [
            repr((analysis.facts, analysis.logs, analysis.redaction, analysis.summary)),
            repr(list(analysis.findings.values_list("detail", "evidence"))),
            repr(list(EnvironmentFact.objects.values_list("value", flat=True))),
            repr(list(TicketMessage.objects.filter(ticket=ticket).values_list("body", flat=True))),
        ]
        agent = Client()
        agent.force_login(ticket.assignee.user)
        console = agent.get(f"/console/tickets/{ticket.pk}/")
        customer = Client()
        customer.force_login(ticket.requester.user)
        portal = customer.get(f"/portal/tickets/{ticket.pk}/")
        assert console.status_code == portal.status_code == 200
        assert 'id="diagnostics"' in console.content.decode()
        assert "Your diagnostic files" in portal.content.decode()
        assert "SqlSettings.DataSource" in portal.content.decode()
        assert leaked(*stored, *rows, console.content, portal.content) == []

    def test_running_the_demo_twice_attaches_one_packet(self, media):
        run_demo()
        ticket = Ticket.objects.get(subject=LDAP_TICKET)
        messages = TicketMessage.objects.filter(ticket=ticket).count()
        run_demo()
        assert PacketAnalysis.objects.count() == 1
        assert Attachment.objects.filter(ticket=ticket).count() == 1
        assert TicketMessage.objects.filter(ticket=ticket).count() == messages
