"""The write path of the packets app: ``packet_analyze`` (and its ticket hook).

Redaction happens before anything is stored: the engine writes the redacted artefact to a
private temporary file, and only that file goes to Django storage. The original upload is
kept only when ``SLADESK_KEEP_ORIGINAL_PACKETS`` is on, and then encrypted (Fernet, in
chunks) under ``packets-originals/``. A refusal stores nothing; a failure after the
artefact was saved deletes it again, so there is never a partial write.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction

from sladesk.core.exceptions import ValidationFailed
from sladesk.core.time import now as current_time
from sladesk.packets.analysis import Analysis, upload_analyse
from sladesk.packets.crypto import encrypt_chunks, fernet_key
from sladesk.packets.findings import CheckContext, ReleaseVerdict, Ruleset, ruleset_load
from sladesk.packets.models import EnvironmentFact, Finding, PacketAnalysis
from sladesk.packets.results import ProgressCallback, no_progress

if TYPE_CHECKING:
    from sladesk.accounts.actor import Actor
    from sladesk.accounts.models import Environment

CHUNK = 4 * 1024 * 1024


class TicketsUnavailable(ValidationFailed):
    code = "tickets_unavailable"


# Settings (read at call time) ----------------------------------------------------------------


def keep_original_packets() -> bool:
    """Return ``SLADESK_KEEP_ORIGINAL_PACKETS`` (default ``False``)."""
    return bool(getattr(settings, "SLADESK_KEEP_ORIGINAL_PACKETS", False))


def original_packet_key() -> bytes:
    """Return the Fernet key for kept originals (``SLADESK_PACKET_KEY``, else ``SECRET_KEY``)."""
    secret = getattr(settings, "SLADESK_PACKET_KEY", "") or settings.SECRET_KEY
    if not secret:
        raise ValidationFailed(
            "SLADESK_KEEP_ORIGINAL_PACKETS is on but neither SLADESK_PACKET_KEY nor SECRET_KEY is set",
            code="packet_key_missing",
        )
    return fernet_key(str(secret))


def packet_rules() -> Ruleset:
    """Return the rules file named by ``SLADESK_PACKET_RULES``, or the shipped one."""
    path = getattr(settings, "SLADESK_PACKET_RULES", None)
    return ruleset_load(Path(path) if path else None)


def release_check_on(day: dt.date) -> Any:
    """Return a release check backed by the release catalogue and the policy's rule."""
    from sladesk.accounts.selectors import release_support

    def check(version: str) -> ReleaseVerdict:
        status = release_support(version=version, on=day)
        return ReleaseVerdict(supported=status.supported, message=status.message)

    return check


# Input -----------------------------------------------------------------------------------------


@contextlib.contextmanager
def _seekable(file: str | os.PathLike[str] | IO[bytes]) -> Iterator[IO[bytes]]:
    """Yield a seekable binary stream for a path or file object (spooled if it cannot seek)."""
    if isinstance(file, str | os.PathLike):
        try:
            handle = open(file, "rb")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise ValidationFailed(
                f"{file}: {exc.strerror or exc}", code="packet_unreadable"
            ) from None
        with handle:
            yield handle
        return
    seekable = getattr(file, "seekable", None)
    if callable(seekable) and seekable():
        file.seek(0)
        yield file
        return
    with tempfile.TemporaryFile() as spool:
        shutil.copyfileobj(file, spool, CHUNK)
        spool.seek(0)
        yield spool


def _sha256(stream: IO[bytes]) -> str:
    digest = hashlib.sha256()
    stream.seek(0)
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()


def _chunks(stream: IO[bytes]) -> Iterator[bytes]:
    stream.seek(0)
    while chunk := stream.read(CHUNK):
        yield chunk


# Summaries -------------------------------------------------------------------------------------


def redaction_notice(redaction: dict[str, Any], *, upload: str = "", stored_as: str = "") -> str:
    """Return the text that tells the customer what was redacted (names and counts only).

    ``upload`` names the uploaded file and ``stored_as`` the redacted copy kept instead
    (both optional). Setting names, pattern names and counts only: never a value.
    """
    files = redaction.get("files", [])
    what = upload or "your upload"
    if not files and not redaction.get("skipped"):
        return f"Nothing needed redacting in {what}."
    lines = [f"Before anyone at support saw {what}, sladesk removed secrets from it:"]
    for entry in files:
        if not entry.get("count"):
            continue
        parts = []
        if entry.get("settings"):
            parts.append("settings " + ", ".join(entry["settings"]))
        if entry.get("patterns"):
            parts.append(
                ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in entry["patterns"].items())
            )
        lines.append(f"- {entry['path']}: {entry['count']} value(s) ({'; '.join(parts)})")
    skipped = redaction.get("skipped", [])
    if skipped:
        lines.append("Not kept (could not be checked for secrets or unsafe):")
        lines += [f"- {s['path']}: {s['reason']}" for s in skipped]
    if stored_as and stored_as != upload:
        lines.append(f"Only the redacted copy, {stored_as}, was stored.")
    lines.append("The values themselves were never stored.")
    return "\n".join(lines)


def _summary(analysis: Analysis) -> dict[str, Any]:
    counts: dict[str, int] = {}
    for finding in analysis.findings:
        counts[finding.severity] = counts.get(finding.severity, 0) + 1
    return {
        "findings": counts,
        "redacted": analysis.redacted_count,
        "skipped": len(analysis.skipped),
        "nodes": analysis.nodes,
        "stored": analysis.stored,
        "customer_notice": redaction_notice(
            analysis.redaction_dict(), upload=analysis.name, stored_as=analysis.artefact_name
        ),
    }


# The service -----------------------------------------------------------------------------------


def packet_analyze(
    *,
    file: str | os.PathLike[str] | IO[bytes],
    name: str | None = None,
    environment: Environment | None = None,
    actor: Actor | None = None,
    ticket: Any = None,
    now: dt.datetime | None = None,
    on_progress: ProgressCallback = no_progress,
    ruleset: Ruleset | None = None,
) -> PacketAnalysis:
    """Redact, read and check an upload; store the redacted artefact, facts and findings.

    ``file`` is a path or a binary file object; ``name`` defaults to the path's name.
    With ``environment``, every fact is also written onto it as ``EnvironmentFact`` rows
    (with the file and line it came from), and "production" rules use its
    ``is_production``. With ``ticket`` the analysis is attached through
    ``attach_analysis_to_ticket`` (see there). Refusals raise ``PacketRefused``
    (``packet_zip_bomb``, ``packet_binary``, ``packet_empty``...) and store nothing.
    """
    now = now or current_time()
    if name is None:
        name = (
            Path(str(file)).name
            if isinstance(file, str | os.PathLike)
            else getattr(file, "name", "upload")
        )
    name = Path(str(name)).name or "upload"
    with _seekable(file) as source, tempfile.TemporaryDirectory(prefix="sladesk-packet-") as work:
        prepared = packet_prepare(
            source=source,
            name=name,
            workdir=Path(work),
            production=environment.is_production if environment is not None else None,
            now=now,
            on_progress=on_progress,
            ruleset=ruleset,
        )
        return packet_store(
            prepared=prepared, environment=environment, actor=actor, ticket=ticket, now=now
        )


@dataclass(frozen=True, slots=True)
class Prepared:
    """An analysed upload not yet stored: the engine's result and its temporary files."""

    analysis: Analysis
    sha256: str
    artefact: Path
    original: Path | None


def packet_prepare(
    *,
    source: IO[bytes],
    name: str,
    workdir: Path,
    production: bool | None,
    now: dt.datetime,
    on_progress: ProgressCallback = no_progress,
    ruleset: Ruleset | None = None,
) -> Prepared:
    """Run the engine on ``source`` (seekable) and write the artefacts into ``workdir``.

    Writes ``workdir/packet-artefact`` (redacted bytes only) and, when
    ``SLADESK_KEEP_ORIGINAL_PACKETS`` is on, ``workdir/packet-original`` (encrypted).
    Nothing is stored; a refusal raises ``PacketRefused``.
    """
    context = CheckContext(
        release_check=release_check_on(now.date()), production=production, now=now
    )
    sha256 = _sha256(source)
    artefact_tmp = workdir / "packet-artefact"
    with open(artefact_tmp, "wb") as output:
        analysis = upload_analyse(
            source=source,
            name=name,
            output=output,
            context=context,
            ruleset=ruleset or packet_rules(),
            on_progress=on_progress,
        )
    original_tmp: Path | None = None
    if keep_original_packets():
        key = original_packet_key()
        original_tmp = workdir / "packet-original"
        with open(original_tmp, "wb") as encrypted:
            for record in encrypt_chunks(_chunks(source), key=key):
                encrypted.write(record)
    return Prepared(analysis=analysis, sha256=sha256, artefact=artefact_tmp, original=original_tmp)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def packet_store(
    *,
    prepared: Prepared,
    environment: Environment | None,
    actor: Actor | None,
    ticket: Any,
    now: dt.datetime,
    artefact_stored: str | None = None,
    summary: dict[str, Any] | None = None,
) -> PacketAnalysis:
    """Save the artefacts and rows in one transaction; delete saved files if it fails.

    ``packet_analyze`` and the attachment filter (``packets.filters``) both end here.

    ``artefact_stored`` is the storage name of an artefact someone else already saved
    (an attachment filter stores the artefact as the ticket's attachment): the analysis
    points at it instead of saving a second copy.
    """
    analysis = prepared.analysis
    artefact_tmp = prepared.artefact
    saved: list[str] = []
    try:
        with transaction.atomic():
            row = PacketAnalysis(
                name=analysis.name[:255],
                kind=analysis.kind,
                packet_format=analysis.packet_format,
                layout=analysis.layout,
                sha256=prepared.sha256,
                size=analysis.bytes_in,
                environment=environment,
                artefact_name=analysis.artefact_name[:255],
                artefact_sha256=file_sha256(artefact_tmp),
                artefact_size=artefact_tmp.stat().st_size,
                redaction=analysis.redaction_dict(),
                facts=[f.as_dict() for f in analysis.facts],
                logs=[log.as_dict() for log in analysis.logs],
                notes=analysis.notes,
                summary={**_summary(analysis), **(summary or {})},
                created_at=now,
                created_by=getattr(actor, "user", None),
                created_label=(actor.label if actor is not None else "system")[:200],
            )
            if artefact_stored is not None:
                row.artefact.name = artefact_stored
            else:
                with open(artefact_tmp, "rb") as handle:
                    row.artefact.save(analysis.artefact_name, File(handle), save=False)
                saved.append(str(row.artefact.name))
            if prepared.original is not None:
                with open(prepared.original, "rb") as handle:
                    row.original.save(analysis.name, File(handle), save=False)
                saved.append(str(row.original.name))
            row.save()
            Finding.objects.bulk_create(
                Finding(
                    analysis=row,
                    rule_id=f.rule_id,
                    severity=f.severity,
                    title=f.title[:200],
                    detail=f.detail,
                    suggestion=f.suggestion,
                    evidence=[e.as_dict() for e in f.evidence],
                    position=n,
                )
                for n, f in enumerate(analysis.findings)
            )
            if environment is not None:
                EnvironmentFact.objects.bulk_create(
                    EnvironmentFact(
                        environment=environment,
                        analysis=row,
                        key=f.key[:80],
                        value=f.value,
                        source=f.source[:300],
                        node=f.node[:200],
                        observed_at=now,
                    )
                    for f in analysis.facts
                )
            if ticket is not None:
                attach_analysis_to_ticket(analysis=row, ticket=ticket, actor=actor, now=now)
    except BaseException:
        for stored in saved:
            with contextlib.suppress(OSError):
                default_storage.delete(stored)
        raise
    return row


# Tickets ---------------------------------------------------------------------------------------


def tickets_available() -> bool:
    """Return whether the tickets app offers what the hook needs (notes with attachments)."""
    try:
        from sladesk.tickets.services import Upload, ticket_note  # noqa: F401
    except ImportError:
        return False
    return True


def findings_note(analysis: PacketAnalysis) -> str:
    """Return the internal note: facts at a glance, findings, and the redaction notice."""
    facts = {f["key"]: f["value"] for f in reversed(analysis.facts) if not f.get("node")}
    for f in analysis.facts:
        facts.setdefault(f["key"], f["value"])
    glance = [
        f"{label}: {facts[key]}"
        for key, label in (
            ("server.version", "Server"),
            ("server.edition", "Edition"),
            ("license.sku", "Licence"),
            ("license.users", "Licensed users"),
            ("database.type", "Database"),
            ("database.version", "Database version"),
            ("cluster.size", "Nodes"),
            ("server.installation_type", "Install type"),
        )
        if key in facts
    ]
    lines = [f"Analysis of {analysis.name} ({analysis.get_kind_display()})"]
    if glance:
        lines.append("; ".join(glance))
    findings = list(analysis.findings.all())
    lines.append(f"{len(findings)} finding(s):" if findings else "No findings.")
    for finding in findings:
        lines.append(f"- [{finding.severity}] {finding.title}: {finding.detail}")
        for evidence in finding.evidence[:3]:
            lines.append(f"    {evidence['source']}")
    lines.append("")
    lines.append("Customer notice:")
    lines.append(str(analysis.summary.get("customer_notice", "")))
    return "\n".join(lines)


def attach_analysis_to_ticket(
    *, analysis: PacketAnalysis, ticket: Any, actor: Actor | None, now: dt.datetime | None = None
) -> Any:
    """Attach the redacted artefact to ``ticket`` with an internal note of the findings.

    The note (``tickets.services.ticket_note``) carries the redacted artefact as an
    internal attachment, the facts at a glance, every finding with its evidence and the
    customer notice (what was redacted: file, setting names and counts, never values).
    ``actor`` must be an agent (the tickets app refuses notes from anyone else). The
    artefact is attached internally, so the notice stays in the note (and in
    ``analysis.summary["customer_notice"]``): a public message naming an internal file
    would tell contacts it exists. Uploads through the ticket itself (portal, API, CLI,
    e-mail) go through ``sladesk.packets.filters.redact_diagnostics`` instead, which
    posts the notice publicly.
    """
    if not tickets_available():
        raise TicketsUnavailable("tickets are not available yet", code="tickets_unavailable")
    from sladesk.tickets.services import Upload, attachment_add, ticket_note

    if actor is None:
        raise ValidationFailed(
            "attaching to a ticket needs the agent who does it", code="author_required"
        )
    message = ticket_note(ticket=ticket, body=findings_note(analysis), actor=actor, now=now)
    with analysis.artefact.open("rb") as handle:
        # The artefact is already redacted: the attachment filters must not analyse it again.
        attachment_add(
            ticket=ticket,
            upload=Upload(stream=handle, filename=analysis.artefact_name),
            actor=actor,
            message=message,
            internal=True,
            now=now,
            filters=(),
        )
    analysis.ticket = ticket
    analysis.save(update_fields=["ticket"])
    return message
