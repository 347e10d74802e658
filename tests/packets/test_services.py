"""``packet_analyze``: only redacted artefacts stored, facts onto the environment, no leaks."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command

from sladesk.packets.crypto import decrypt_stream
from sladesk.packets.models import EnvironmentFact, Finding, PacketAnalysis
from sladesk.packets.results import PacketRefused
from sladesk.packets.selectors import environment_facts_latest, packet_analysis_get
from sladesk.packets.services import (
    TicketsUnavailable,
    attach_analysis_to_ticket,
    original_packet_key,
    packet_analyze,
    redaction_notice,
)
from tests.accounts.factories import NOW, make_env, make_org
from tests.packets import factory
from tests.packets.factory import SECRETS


@pytest.fixture
def environment(db):
    return make_env(make_org("Acme Corp", domains=["acme.example"]), "acme prod", version="11.7.9")


def every_stored_byte(media: Path) -> bytes:
    """Every file under the media root, with zip members decompressed."""
    out = b""
    for path in media.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        out += data
        if data.startswith(b"PK"):
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                out += b"".join(zf.read(n) for n in zf.namelist())
    return out


def every_row() -> str:
    rows = []
    for model in (PacketAnalysis, Finding, EnvironmentFact):
        rows += [json.dumps(list(model.objects.values()), default=str)]
    return "\n".join(rows)


def leaks(*blobs: bytes | str) -> list[str]:
    found = []
    for name, secret in SECRETS.items():
        for blob in blobs:
            data = blob.encode() if isinstance(blob, str) else blob
            if secret.encode() in data:
                found.append(name)
    return sorted(set(found))


@pytest.mark.django_db
def test_no_planted_secret_survives_anywhere(media, cluster_packet, environment, tmp_path):
    flat = factory.write(
        tmp_path / "mm_support_packet_flat.zip", factory.packet_bytes(layout="flat")
    )
    old = factory.write(
        tmp_path / "mattermost_support_packet_2024-01-01-10-00.zip",
        factory.packet_bytes(version="v1", layout="flat"),
    )
    config = factory.write(tmp_path / "config.json", json.dumps(factory.config(), indent=2))
    log = factory.write(tmp_path / "mattermost.log", factory.log_text())
    plain = factory.write(tmp_path / "console.log", factory.plain_log_text())
    shown = []
    for path in (cluster_packet, flat, old, config, log, plain):
        text, data = io.StringIO(), io.StringIO()
        call_command(
            "packet",
            "analyze",
            str(path),
            "--environment",
            str(environment.pk),
            "--no-progress",
            stdout=text,
        )
        call_command("packet", "analyze", str(path), "--json", "--no-progress", stdout=data)
        shown += [text.getvalue(), data.getvalue()]
        json.loads(data.getvalue())
    assert PacketAnalysis.objects.count() == 12
    assert leaks(every_stored_byte(media), every_row(), *shown) == []
    # and the planted values were really there to find
    assert leaks(cluster_packet.read_bytes(), config.read_bytes(), log.read_bytes()) != []


@pytest.mark.django_db
def test_analysis_rows_facts_and_findings(media, cluster_packet, environment):
    analysis = packet_analyze(file=cluster_packet, environment=environment, now=NOW)
    analysis = packet_analysis_get(analysis.pk)
    assert analysis.kind == "support_packet"
    assert (analysis.packet_format, analysis.layout) == ("v2", "per_node")
    assert analysis.artefact_name == "mm_support_packet_Acme-Corp_2026-05-20T14-03.redacted.zip"
    assert analysis.size == cluster_packet.stat().st_size
    names = zipfile.ZipFile(analysis.artefact.open("rb")).namelist()
    assert "ip-10-0-1-12/mattermost.log" in names and "sladesk-redaction.json" in names
    assert "ip-10-0-1-12/cpu.prof" not in names
    assert not analysis.original
    rule_ids = set(analysis.findings.values_list("rule_id", flat=True))
    assert {
        "cluster-version-mismatch",
        "ldap-failing",
        "jobs-failed",
        "debug-file-logging",
        "database-connection-errors",
        "license-users-exceeded",
    } <= rule_ids
    latest = environment_facts_latest(environment)
    assert latest["server.version"].value == "11.7.9"
    assert latest["server.version"].source == "metadata.yaml:4"
    assert latest["database.version"].value == "16.4"
    assert latest["cluster.size"].value == 2
    assert (
        EnvironmentFact.objects.filter(
            environment=environment, key="server.version", node="ip-10-0-1-13"
        )
        .get()
        .value
        == "11.6.1"
    )
    notice = analysis.summary["customer_notice"]
    assert "LdapSettings.BindPassword" in notice and "ip-10-0-1-12/mattermost.log" in notice


@pytest.mark.django_db
def test_release_rule_uses_the_catalogue(media, tmp_path, environment):
    from sladesk.accounts.actor import Actor
    from sladesk.accounts.services import release_catalogue_load, release_file_parse
    from sladesk.accounts.services.releases import shipped_catalogue_path

    release_catalogue_load(specs=release_file_parse(shipped_catalogue_path()), actor=Actor.system())
    old = factory.write(tmp_path / "p.zip", factory.packet_bytes(version="v1", layout="flat"))
    analysis = packet_analyze(file=old, environment=environment, now=NOW)
    finding = analysis.findings.get(rule_id="release-unsupported")
    assert "9.11.2" in finding.detail
    assert finding.evidence[0]["source"].endswith(".yaml:4") or finding.evidence[0][
        "source"
    ].endswith(".yaml:3")


@pytest.mark.django_db
def test_file_objects_are_accepted(media):
    stream = io.BytesIO(factory.log_text().encode())
    analysis = packet_analyze(file=stream, name="mattermost.log", now=NOW)
    assert analysis.kind == "log_json"
    assert analysis.artefact_name == "mattermost.redacted.log"


@pytest.mark.django_db
def test_a_refusal_stores_nothing(media, tmp_path):
    bomb = factory.write(
        tmp_path / "bomb.zip",
        factory.zip_with(
            [("metadata.yaml", b"version: 1\n"), ("mattermost.log", b"\0" * (8 * 1024 * 1024))]
        ),
    )
    with pytest.raises(PacketRefused, match="zip bomb"):
        packet_analyze(file=bomb, now=NOW)
    assert PacketAnalysis.objects.count() == 0
    assert [p for p in media.rglob("*") if p.is_file()] == []


@pytest.mark.django_db
def test_a_failure_after_saving_removes_the_files(media, cluster_packet, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(Finding.objects, "bulk_create", boom)
    with pytest.raises(RuntimeError):
        packet_analyze(file=cluster_packet, now=NOW)
    assert PacketAnalysis.objects.count() == 0
    assert [p for p in media.rglob("*") if p.is_file()] == []


@pytest.mark.django_db
def test_original_kept_only_when_asked_and_encrypted(media, cluster_packet, settings):
    settings.SLADESK_KEEP_ORIGINAL_PACKETS = True
    settings.SLADESK_PACKET_KEY = "test-packet-key"
    analysis = packet_analyze(file=cluster_packet, now=NOW)
    assert analysis.original.name.startswith("packets-originals/")
    raw = analysis.original.open("rb").read()
    assert leaks(raw) == []
    with analysis.original.open("rb") as handle:
        plain = b"".join(decrypt_stream(handle, key=original_packet_key()))
    assert plain == cluster_packet.read_bytes()


def test_redaction_notice_lists_names_and_counts_only():
    text = redaction_notice(
        {
            "files": [
                {
                    "path": "config.json",
                    "count": 2,
                    "settings": ["A.B"],
                    "patterns": {"secret_pair": 1},
                }
            ],
            "skipped": [{"path": "cpu.prof", "reason": "binary file"}],
        }
    )
    assert "config.json: 2 value(s) (settings A.B; 1 secret pair)" in text
    assert "cpu.prof: binary file" in text


@pytest.mark.django_db
def test_ticket_hook_refuses_clearly_without_tickets(media, cluster_packet, monkeypatch):
    analysis = packet_analyze(file=cluster_packet, now=NOW)
    monkeypatch.setattr("sladesk.packets.services.tickets_available", lambda: False)
    with pytest.raises(TicketsUnavailable, match="tickets are not available yet"):
        attach_analysis_to_ticket(analysis=analysis, ticket=object(), actor=None)
