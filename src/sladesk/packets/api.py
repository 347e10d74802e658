"""The diagnostics REST API (django-ninja router ``diagnostics``): a ticket's analysed uploads.

``GET /api/tickets/{id}/diagnostics`` answers the ticket's support packets, logs and
configs as the attachment filter analysed them. Access is the tickets API's: the ticket
through ``tickets.access.ticket_for`` (another organisation's ticket is ``not_found``),
and what is shown through ``sees_internal``: agents get the whole analysis (facts,
findings with evidence, logs, notes), contacts only what was redacted from the files they
can see, as the public notice in the thread tells them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router

from sladesk.accounts.access import require_scope
from sladesk.api.auth import principal, token_auth
from sladesk.api.schemas import ERRORS, OutputSchema
from sladesk.packets.models import Finding, PacketAnalysis
from sladesk.packets.selectors import facts_at_a_glance, ticket_diagnostics
from sladesk.tickets import access

router = Router(tags=["diagnostics"], auth=token_auth)


# -- schemas -------------------------------------------------------------------------------


class RedactedFileOut(OutputSchema):
    path: str
    count: int
    settings: list[str]
    patterns: dict[str, int]
    already_redacted: int


class SkippedOut(OutputSchema):
    path: str
    reason: str
    code: str


class RedactionOut(OutputSchema):
    """What was removed before storage: names and counts, never a value."""

    total: int
    files: list[RedactedFileOut]
    skipped: list[SkippedOut]
    notice: str


class FactOut(OutputSchema):
    key: str
    value: Any
    source: str
    node: str


class GlanceValueOut(OutputSchema):
    value: Any
    nodes: list[str]
    source: str


class GlanceOut(OutputSchema):
    """A fact an engineer reads first; one value per distinct value across the nodes."""

    key: str
    label: str
    values: list[GlanceValueOut]


class EvidenceOut(OutputSchema):
    source: str
    text: str


class FindingOut(OutputSchema):
    rule_id: str
    severity: str
    title: str
    detail: str
    suggestion: str
    evidence: list[EvidenceOut]


class BurstOut(OutputSchema):
    level: str
    message: str
    count: int
    first_time: str
    last_time: str
    first_line: int
    last_line: int
    example: str


class LogOut(OutputSchema):
    path: str
    format: str
    bytes: int
    lines: int
    levels: dict[str, int]
    first_time: str
    last_time: str
    unparsed_lines: int
    bursts: list[BurstOut]
    groups_dropped: int


class AnalysisOut(OutputSchema):
    """The engineer's part of an analysis (agents only)."""

    created_by: str
    channel: str
    sha256: str
    size: int
    stored_sha256: str
    stored_size: int
    packet_format: str
    layout: str
    nodes: list[str]
    findings_count: dict[str, int]
    glance: list[GlanceOut]
    facts: list[FactOut]
    findings: list[FindingOut]
    logs: list[LogOut]
    notes: list[str]


class DiagnosticOut(OutputSchema):
    """One analysed upload; ``analysis`` is null for contacts."""

    id: int
    name: str
    kind: str
    kind_label: str
    created_at: dt.datetime
    attachment_id: int | None
    stored_as: str
    redaction: RedactionOut
    analysis: AnalysisOut | None


# -- rendering -------------------------------------------------------------------------------


def _redaction_out(row: PacketAnalysis) -> RedactionOut:
    redaction = row.redaction or {}
    return RedactionOut(
        total=int(redaction.get("total", 0)),
        files=[
            RedactedFileOut(
                path=f["path"],
                count=f.get("count", 0),
                settings=list(f.get("settings", [])),
                patterns=dict(f.get("patterns", {})),
                already_redacted=f.get("already_redacted", 0),
            )
            for f in redaction.get("files", [])
        ],
        skipped=[
            SkippedOut(path=s["path"], reason=s.get("reason", ""), code=s.get("code", ""))
            for s in redaction.get("skipped", [])
        ],
        notice=str(row.summary.get("customer_notice", "")),
    )


def _finding_out(finding: Finding) -> FindingOut:
    return FindingOut(
        rule_id=finding.rule_id,
        severity=finding.severity,
        title=finding.title,
        detail=finding.detail,
        suggestion=finding.suggestion,
        evidence=[
            EvidenceOut(source=e.get("source", ""), text=e.get("text", ""))
            for e in finding.evidence
        ],
    )


def _analysis_out(row: PacketAnalysis) -> AnalysisOut:
    findings = list(row.findings.all())
    counts: dict[str, int] = {}
    for finding in findings:
        counts[finding.severity] = counts.get(finding.severity, 0) + 1
    return AnalysisOut(
        created_by=row.created_label,
        channel=str(row.summary.get("channel", "")),
        sha256=row.sha256,
        size=row.size,
        stored_sha256=row.artefact_sha256,
        stored_size=row.artefact_size,
        packet_format=row.packet_format,
        layout=row.layout,
        nodes=list(row.summary.get("nodes", [])),
        findings_count=counts,
        glance=[
            GlanceOut(
                key=g.key,
                label=g.label,
                values=[
                    GlanceValueOut(value=v.value, nodes=list(v.nodes), source=v.source)
                    for v in g.values
                ],
            )
            for g in facts_at_a_glance(row.facts)
        ],
        facts=[
            FactOut(
                key=f["key"],
                value=f.get("value"),
                source=f.get("source", ""),
                node=f.get("node", ""),
            )
            for f in row.facts
        ],
        findings=[_finding_out(f) for f in findings],
        logs=[
            LogOut(**{**log, "bursts": [BurstOut(**b) for b in log.get("bursts", [])]})
            for log in row.logs
        ],
        notes=[str(n) for n in row.notes],
    )


def _diagnostic_out(row: PacketAnalysis, *, agent: bool) -> DiagnosticOut:
    attachment = row.summary.get("attachment")
    return DiagnosticOut(
        id=row.pk,
        name=row.name,
        kind=row.kind,
        kind_label=row.get_kind_display(),
        created_at=row.created_at,
        attachment_id=attachment if isinstance(attachment, int) else None,
        stored_as=row.artefact_name,
        redaction=_redaction_out(row),
        analysis=_analysis_out(row) if agent else None,
    )


# -- endpoints -------------------------------------------------------------------------------


@router.get(
    "/tickets/{ticket_id}/diagnostics",
    response={200: list[DiagnosticOut], **ERRORS},
    summary="Diagnostics",
)
def diagnostic_index(request: HttpRequest, ticket_id: int) -> list[DiagnosticOut]:
    """Return the ticket's analysed uploads, newest first.

    Agents: facts, findings (most severe first), logs, notes and the redaction summary.
    Contacts: the redaction summary of the files they can see (``analysis`` is null).
    """
    who = principal(request)
    require_scope(who, "read")
    ticket = access.ticket_for(who, ticket_id)
    agent = access.sees_internal(who)
    rows = ticket_diagnostics(ticket, include_internal=agent)
    return [_diagnostic_out(row, agent=agent) for row in rows]
