"""Put diagnostics on a ticket the way the desk does, for the tests of what is shown.

``attach`` goes through ``tickets.services.attachment_add`` (and so through the packets
attachment filter), with the synthetic files of ``tests/packets/factory.py`` and their
planted secrets. ``analysis_row`` writes an analysis directly, for the tests that need
exact findings (ordering, escaping) rather than a real packet.
"""

from __future__ import annotations

import io
import json
import zipfile

from sladesk.accounts.actor import Actor
from sladesk.packets.models import Finding, PacketAnalysis
from sladesk.tickets.services import Upload, attachment_add
from tests.accounts.factories import NOW
from tests.packets import factory
from tests.packets.factory import SECRETS

PACKET_NAME = "mm_support_packet_Acme-Corp_2026-05-20T14-03.zip"


def cluster_packet() -> bytes:
    """A per-node v2 packet, nodes on two versions, secrets planted everywhere."""
    return factory.packet_bytes(layout="per_node", node_versions=("11.7.9", "11.6.1"))


def config_bytes() -> bytes:
    return json.dumps(factory.config(), indent=2).encode()


def log_bytes() -> bytes:
    return factory.log_text().encode()


def plain_log_bytes() -> bytes:
    return factory.plain_log_text().encode()


def attach(ticket, who, data: bytes, name: str, *, internal: bool = False, now=NOW):
    """Attach ``data`` as ``who`` (a contact or an agent) through the API channel."""
    return attachment_add(
        ticket=ticket,
        upload=Upload(io.BytesIO(data), name),
        actor=Actor.for_user(who.user, via="api"),
        internal=internal,
        now=now,
    )


def analysis_row(ticket, *, name="config.json", findings=(), attachment=None, now=NOW):
    """Write an analysis of ``ticket`` with ``findings`` as ``(severity, title, evidence)``.

    ``evidence`` is a list of ``(source, text)``; findings keep the given order as their
    ``position``. ``attachment`` (an ``Attachment``) is recorded as the analysed file.
    """
    row = PacketAnalysis.objects.create(
        name=name,
        kind=PacketAnalysis.Kind.CONFIG,
        sha256="0" * 64,
        size=10,
        ticket=ticket,
        artefact_name=name,
        artefact_sha256="1" * 64,
        artefact_size=10,
        redaction={
            "total": 1,
            "files": [
                {
                    "path": name,
                    "count": 1,
                    "settings": ["SqlSettings.DataSource"],
                    "patterns": {},
                    "already_redacted": 0,
                }
            ],
            "skipped": [],
        },
        facts=[{"key": "server.version", "value": "11.7.9", "source": f"{name}:3", "node": ""}],
        summary={"attachment": attachment.pk} if attachment is not None else {},
        created_at=now,
        created_label="test",
    )
    Finding.objects.bulk_create(
        Finding(
            analysis=row,
            rule_id=f"rule-{n}",
            severity=severity,
            title=title,
            detail=f"detail of {title}",
            suggestion=f"fix {title}",
            evidence=[{"source": s, "text": t} for s, t in evidence],
            position=n,
        )
        for n, (severity, title, evidence) in enumerate(findings)
    )
    return row


def unzipped(data: bytes) -> bytes:
    """``data``, followed by its members' bytes when it is a zip."""
    if not data.startswith(b"PK"):
        return data
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return data + b"".join(zf.read(n) for n in zf.namelist())


def leaks(*blobs: bytes | str) -> list[str]:
    """Return the names of the planted secrets found in any of ``blobs``."""
    found = set()
    for name, secret in SECRETS.items():
        for blob in blobs:
            data = blob.encode() if isinstance(blob, str) else blob
            if secret.encode() in data:
                found.add(name)
    return sorted(found)
