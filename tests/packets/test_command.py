"""``sladesk packet analyze``: readable report, JSON, progress, one-line errors, tickets."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from sladesk.packets.models import PacketAnalysis
from tests.packets import factory

REPO = Path(__file__).resolve().parents[2]


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("packet", "analyze", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_report_shows_facts_redaction_and_findings(media, cluster_packet):
    out, err = run(cluster_packet)
    assert (
        "Analysed mm_support_packet_Acme-Corp_2026-05-20T14-03.zip: support packet (v2, per-node)"
        in out
    )
    assert "server.version" in out and "(ip-10-0-1-13/diagnostics.yaml:13)" in out
    assert "Redaction (" in out and "settings: LdapSettings.BindPassword" in out
    assert "skipped ip-10-0-1-12/cpu.prof" in out
    assert "[HIGH] Cluster nodes run different server versions (cluster-version-mismatch)" in out
    assert "at ip-10-0-1-12/mattermost.log:" in out
    assert "redacting" in err  # progress lines (not a terminal: one per 10%)


@pytest.mark.django_db
def test_json_output(media, tmp_path):
    log = factory.write(tmp_path / "mattermost.log", factory.log_text(errors=60))
    out, _ = run(log, "--json", "--no-progress")
    data = json.loads(out)
    assert data["kind"] == "log_json"
    assert data["artefact"]["name"] == "mattermost.redacted.log"
    assert data["logs"][0]["bursts"][0]["count"] == 60
    assert "log-error-burst" in [f["rule_id"] for f in data["findings"]]
    assert data["redaction"]["files"][0]["patterns"]["bearer_token"] == 1


@pytest.mark.django_db
def test_errors_are_one_line(media, tmp_path):
    empty = factory.write(tmp_path / "empty.log", b"")
    with pytest.raises(CommandError, match=r"^empty.log: the file is empty \[packet_empty\]$"):
        run(empty)
    with pytest.raises(CommandError, match=r"no environment 999999 \[environment_not_found\]"):
        run(empty, "--environment", 999999)
    with pytest.raises(CommandError, match=r"No such file or directory \[packet_unreadable\]"):
        run(tmp_path / "missing.zip")
    assert PacketAnalysis.objects.count() == 0


def test_exit_status_and_stderr_in_a_real_process(tmp_path):
    empty = factory.write(tmp_path / "empty.log", b"")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "sladesk.config.settings.test"}
    result = subprocess.run(
        [sys.executable, "-m", "sladesk", "packet", "analyze", str(empty)],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "CommandError: empty.log: the file is empty [packet_empty]"
    ]


def test_help_explains():
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("packet", "analyze", "--help", stdout=out)


@pytest.mark.django_db
def test_ticket_that_does_not_exist(media, cluster_packet):
    with pytest.raises(CommandError, match=r"no ticket 424242 \[ticket_not_found\]"):
        run(cluster_packet, "--ticket", 424242)


@pytest.mark.django_db
def test_ticket_gets_the_redacted_file_and_an_internal_note(media, cluster_packet):
    tickets = pytest.importorskip("sladesk.tickets.services")
    from sladesk.accounts.actor import Actor
    from tests.accounts.factories import NOW, make_agent, make_contact, make_org

    org = make_org("Acme Corporation", domains=["acme.example"], plan="premier")
    contact = make_contact(org, "maria.garcia", named=True)
    agent = make_agent("support_engineer", name="Erin Engineer")
    ticket = tickets.ticket_open(
        channel="api",
        subject="Server down",
        description="since the upgrade",
        severity="L2",
        category="troubleshooting",
        actor=Actor.for_user(contact.user, via="api"),
        now=NOW,
    )
    out, _ = run(
        cluster_packet, "--ticket", ticket.pk, "--agent", agent.user.get_username(), "--no-progress"
    )
    assert f"Attached to ticket #{ticket.pk}" in out
    note = ticket.messages.filter(visibility="internal").latest("id")
    assert "Cluster nodes run different server versions" in note.body
    assert "Customer notice:" in note.body
    attachment = note.attachments.get()
    assert attachment.filename.endswith(".redacted.zip")
    assert attachment.internal is True
    assert PacketAnalysis.objects.get().ticket_id == ticket.pk
    with pytest.raises(CommandError, match=r"author_required|not_an_agent|agents"):
        run(cluster_packet, "--ticket", ticket.pk, "--no-progress")
