"""``sladesk packet analyze FILE``: redact, read and check a support packet, config or log."""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from django.core.management.base import CommandParser

from sladesk.accounts.actor import Actor
from sladesk.accounts.management.base import DeskCommand
from sladesk.core.exceptions import NotFound
from sladesk.packets.models import PacketAnalysis
from sladesk.packets.results import Progress
from sladesk.packets.services import TicketsUnavailable, packet_analyze, tickets_available

HELP = """Analyse a Mattermost support packet (zip, flat or one folder per node, packet v1
or v2), a config.json, or a server log (JSON lines or plain text).

Every secret is redacted before anything is stored (the vendor's secret settings, plugin
settings, then passwords in URLs, tokens, keys, password= pairs and session cookies in any
text). Prints the facts read (each with its file and line), what was redacted (names and
counts, never values) and the health findings. Only the redacted artefact is stored.
"""


class _ProgressPrinter:
    """Write progress to stderr: one updating line on a terminal, else a line per 10%."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self.last = 0.0
        self.last_decile = -1
        self.shown = False

    def __call__(self, progress: Progress) -> None:
        now = time.monotonic()
        mb = progress.done / 1e6
        if progress.total:
            pct = min(100, int(progress.done * 100 / progress.total))
            text = f"{progress.stage} {progress.path}: {mb:,.1f} of {progress.total / 1e6:,.1f} MB ({pct}%)"
        else:
            pct = -1
            text = f"{progress.stage} {progress.path}: {mb:,.1f} MB"
        if self.tty:
            if now - self.last >= 0.2 or progress.stage == "checking":
                self.stream.write("\r\x1b[K" + text[:150])
                self.stream.flush()
                self.last = now
                self.shown = True
            return
        decile = pct // 10 if pct >= 0 else int(now // 10)
        if decile != self.last_decile and progress.done:
            self.last_decile = decile
            self.stream.write(text + "\n")
            self.stream.flush()

    def finish(self) -> None:
        if self.tty and self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


class Command(DeskCommand):
    help = HELP

    def add_arguments(self, parser: CommandParser) -> None:
        actions = self.add_actions(parser)
        analyze = actions.add_parser(
            "analyze",
            help="redact and analyse one file",
            description=HELP,
        )
        analyze.add_argument(
            "file", metavar="FILE", help="mm_support_packet_*.zip, config.json or a log"
        )
        analyze.add_argument(
            "--environment", type=int, metavar="ID", help="write the facts onto this environment"
        )
        analyze.add_argument(
            "--ticket",
            type=int,
            metavar="N",
            help="attach the redacted file and an internal note to ticket N",
        )
        analyze.add_argument(
            "--agent", metavar="USERNAME", help="the agent who writes the note (with --ticket)"
        )
        analyze.add_argument("--json", action="store_true", help="print the analysis as JSON")
        analyze.add_argument(
            "--no-progress", action="store_true", help="do not report progress on stderr"
        )

    def do_analyze(self, **options: Any) -> None:
        environment = None
        if options.get("environment") is not None:
            from sladesk.accounts.models import Environment

            environment = Environment.objects.filter(pk=options["environment"]).first()
            if environment is None:
                raise NotFound(
                    f"no environment {options['environment']}", code="environment_not_found"
                )
        ticket = None
        actor = self.actor
        if options.get("ticket") is not None:
            if not tickets_available():
                raise TicketsUnavailable(
                    "tickets are not available yet", code="tickets_unavailable"
                )
            from sladesk.tickets.selectors import ticket_get

            ticket = ticket_get(options["ticket"])
            if ticket is None:
                raise NotFound(f"no ticket {options['ticket']}", code="ticket_not_found")
            if options.get("agent"):
                from django.contrib.auth import get_user_model

                user = get_user_model().objects.filter(username=options["agent"]).first()
                if user is None:
                    raise NotFound(f"no user {options['agent']!r}", code="user_not_found")
                actor = Actor.for_user(user, via="cli")
        printer = _ProgressPrinter(sys.stderr if self.stderr._out is sys.stderr else self.stderr)
        progress = (lambda _: None) if options.get("no_progress") else printer
        try:
            analysis = packet_analyze(
                file=options["file"],
                environment=environment,
                actor=actor,
                ticket=ticket,
                on_progress=progress,
            )
        finally:
            printer.finish()
        if options.get("json"):
            self.stdout.write(json.dumps(analysis_json(analysis), indent=2, ensure_ascii=False))
            return
        self.stdout.write(analysis_text(analysis))


def analysis_json(analysis: PacketAnalysis) -> dict[str, Any]:
    """Return what the CLI prints with ``--json``."""
    return {
        "id": analysis.pk,
        "name": analysis.name,
        "kind": analysis.kind,
        "packet_format": analysis.packet_format,
        "layout": analysis.layout,
        "sha256": analysis.sha256,
        "size": analysis.size,
        "environment": analysis.environment_id,
        "ticket": analysis.ticket_id,
        "artefact": {
            "name": analysis.artefact_name,
            "size": analysis.artefact_size,
            "sha256": analysis.artefact_sha256,
        },
        "facts": analysis.facts,
        "redaction": analysis.redaction,
        "logs": analysis.logs,
        "notes": analysis.notes,
        "findings": [
            {
                "rule_id": f.rule_id,
                "severity": f.severity,
                "title": f.title,
                "detail": f.detail,
                "suggestion": f.suggestion,
                "evidence": f.evidence,
            }
            for f in analysis.findings.all()
        ],
    }


def _short(value: Any, limit: int = 70) -> str:
    text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    if isinstance(value, dict):
        text = " ".join(f"{k}={v}" for k, v in value.items() if v not in (None, ""))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def analysis_text(analysis: PacketAnalysis) -> str:
    """Return the readable report the CLI prints."""
    out: list[str] = []
    kind = analysis.get_kind_display()
    extra = ", ".join(x for x in (analysis.packet_format, analysis.layout.replace("_", "-")) if x)
    out.append(
        f"Analysed {analysis.name}: {kind}{f' ({extra})' if extra else ''} — analysis #{analysis.pk}"
    )
    out.append(f"Stored (redacted): {analysis.artefact_name}, {analysis.artefact_size:,} bytes")
    if analysis.environment_id:
        out.append(f"Facts written onto environment #{analysis.environment_id}")
    if analysis.ticket_id:
        out.append(f"Attached to ticket #{analysis.ticket_id} with an internal note")
    out.append("")
    out.append(f"Facts ({len(analysis.facts)})")
    width = max((len(f["key"]) for f in analysis.facts), default=10)
    for fact in analysis.facts:
        node = f" [{fact['node']}]" if fact.get("node") else ""
        out.append(f"  {fact['key']:<{width}}  {_short(fact['value'])}{node}  ({fact['source']})")
    redaction = analysis.redaction
    out.append("")
    out.append(f"Redaction ({redaction.get('total', 0)} value(s) replaced; values are never kept)")
    for entry in redaction.get("files", []):
        parts = []
        if entry.get("settings"):
            parts.append("settings: " + ", ".join(entry["settings"]))
        if entry.get("patterns"):
            parts.append(
                ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in entry["patterns"].items())
            )
        if entry.get("already_redacted"):
            parts.append(f"{entry['already_redacted']} already redacted by the server")
        out.append(f"  {entry['path']}: {entry['count']} — {'; '.join(parts) or 'nothing'}")
    for skipped in redaction.get("skipped", []):
        out.append(f"  skipped {skipped['path']}: {skipped['reason']}")
    for note in analysis.notes:
        out.append(f"  note: {note}")
    if analysis.logs:
        out.append("")
        out.append("Logs")
        for log in analysis.logs:
            levels = ", ".join(f"{k} {v:,}" for k, v in log["levels"].items())
            out.append(
                f"  {log['path']}: {log['lines']:,} lines ({log['format']}), {levels or 'no levels'}; "
                f"{log['first_time'] or '?'} to {log['last_time'] or '?'}"
            )
            for burst in log["bursts"][:5]:
                if burst["level"] in ("error", "fatal", "panic", "critical"):
                    out.append(
                        f"    {burst['count']:>6}x {burst['level']}: {_short(burst['example'], 90)} "
                        f"(line {burst['first_line']}, {burst['first_time']} to {burst['last_time']})"
                    )
    findings = list(analysis.findings.all())
    out.append("")
    out.append(f"Findings ({len(findings)})" if findings else "Findings: none")
    for finding in findings:
        out.append(f"  [{finding.severity.upper()}] {finding.title} ({finding.rule_id})")
        if finding.detail:
            out.append(f"      {finding.detail}")
        for evidence in finding.evidence[:3]:
            out.append(f"      at {evidence['source']}")
        out.append(f"      → {finding.suggestion}")
    return "\n".join(out)
