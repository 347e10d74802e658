"""Analyse one upload end to end: redact it into ``output``, read facts and logs, run rules.

``upload_analyse`` is the engine's single entry point. It reads the upload once (zip
members as streams, never extracted), writes only redacted bytes to ``output`` (a zip
with the packet's layout, or the single redacted file) and returns an ``Analysis`` whose
every value comes from redacted text. If it raises, ``output`` holds nothing usable and
the caller discards it.
"""

from __future__ import annotations

import gzip
import json
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from sladesk.packets import facts as facts_mod
from sladesk.packets.facts import Document, DocumentError
from sladesk.packets.findings import CheckContext, Ruleset, findings_run
from sladesk.packets.intake import (
    COMPRESSED_LOG,
    CONFIG,
    LOG_JSON,
    LOG_PLAIN,
    SUPPORT_PACKET,
    PacketLayout,
    config_check,
    looks_binary,
    packet_layout,
    uncompressed_name,
    upload_kind,
)
from sladesk.packets.logs import LogReader
from sladesk.packets.redact import StreamScrubber, config_redact, config_text_redact, scrub_text
from sladesk.packets.results import (
    Fact,
    FileRedaction,
    Finding,
    LogSummary,
    PacketRefused,
    Progress,
    ProgressCallback,
    Skipped,
    no_progress,
)
from sladesk.packets.safezip import (
    MIB,
    MemberUnreadable,
    ZipLimits,
    is_nested_archive,
    member_chunks,
    member_head,
    zip_members,
    zip_open,
)

CHUNK = 4 * MIB
MAX_DOCUMENT = 64 * MIB
REPORT_NAME = "sladesk-redaction.json"


@dataclass(slots=True)
class Analysis:
    """Everything learnt from one upload (all of it from redacted text)."""

    name: str
    kind: str
    packet_format: str = ""
    layout: str = ""
    nodes: list[str] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    redaction: list[FileRedaction] = field(default_factory=list)
    logs: list[LogSummary] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    stored: list[str] = field(default_factory=list)
    artefact_name: str = ""
    bytes_in: int = 0

    @property
    def redacted_count(self) -> int:
        return sum(r.count for r in self.redaction)

    def redaction_dict(self) -> dict[str, Any]:
        """The report the customer sees: per file, setting names and pattern counts."""
        return {
            "total": self.redacted_count,
            "files": [r.as_dict() for r in self.redaction if r.count or r.already_redacted],
            "skipped": [s.as_dict() for s in self.skipped],
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "packet_format": self.packet_format,
            "layout": self.layout,
            "nodes": self.nodes,
            "facts": [f.as_dict() for f in self.facts],
            "redaction": self.redaction_dict(),
            "logs": [log.as_dict() for log in self.logs],
            "notes": self.notes,
            "findings": [f.as_dict() for f in self.findings],
            "stored": self.stored,
            "artefact_name": self.artefact_name,
            "bytes_in": self.bytes_in,
        }


def _clean_value(value: Any) -> Any:
    """Scrub every string inside a fact value (facts read from unredacted YAML)."""
    if isinstance(value, str):
        return scrub_text(value, report=FileRedaction(""))
    if isinstance(value, list):
        return [_clean_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _clean_value(v) for k, v in value.items()}
    return value


def _clean_facts(facts: Iterable[Fact]) -> list[Fact]:
    return [Fact(f.key, _clean_value(f.value), f.source, f.node) for f in facts]


class _Run:
    """State of one analysis (the helpers below share it)."""

    def __init__(
        self,
        *,
        name: str,
        context: CheckContext,
        ruleset: Ruleset | None,
        on_progress: ProgressCallback,
    ) -> None:
        self.analysis = Analysis(name=name, kind="")
        self.context = context
        self.ruleset = ruleset
        self.on_progress = on_progress
        self.done = 0
        self.total: int | None = None

    def progress(self, path: str, n: int, stage: str = "redacting") -> None:
        self.done += n
        self.on_progress(Progress(stage, path, self.done, self.total))

    # Streams ------------------------------------------------------------------------------

    def stream_text(self, path: str, chunks: Iterator[bytes], write: Any, *, is_log: bool) -> None:
        """Scrub a stream line by line into ``write``; summarise it too when it is a log."""
        report = FileRedaction(path)
        scrubber = StreamScrubber(report)
        reader = LogReader(path) if is_log else None
        first = True
        for chunk in chunks:
            if first:
                first = False
                if looks_binary(chunk[:8192]):
                    raise MemberUnreadable(f"{path}: binary data where text was expected")
            block = scrubber.feed(chunk)
            if block:
                if reader is not None:
                    reader.feed(block)
                write(block)
            self.progress(path, len(chunk))
        block = scrubber.close()
        if block:
            if reader is not None:
                reader.feed(block)
            write(block)
        self.analysis.redaction.append(report)
        if reader is not None:
            self.analysis.logs.append(reader.close())

    # Documents ----------------------------------------------------------------------------

    def config_document(self, path: str, raw: bytes, *, node: str, strict: bool) -> bytes:
        """Redact a config (settings, then residual scan); return the stored bytes."""
        report = FileRedaction(path)
        text = raw.decode("utf-8", "replace")
        try:
            parsed = json.loads(text)
            if strict:
                config_check(parsed, name=path)
        except ValueError as exc:
            if isinstance(exc, PacketRefused):
                raise
            if strict:
                raise PacketRefused(
                    f"{path}: not valid JSON ({exc})", code="packet_invalid_json"
                ) from None
            self.analysis.notes.append(
                f"{path}: not valid JSON ({exc}); redacted by setting name only"
            )
            stored = _scrub_after_settings(config_text_redact(text, report=report), report)
            self.analysis.redaction.append(report)
            return stored.encode()
        redacted = config_redact(parsed, report=report) if isinstance(parsed, dict) else parsed
        stored = _scrub_after_settings(
            json.dumps(redacted, indent=4, ensure_ascii=False) + "\n", report
        )
        self.analysis.redaction.append(report)
        doc = facts_mod.json_document(stored, path=path)
        self.analysis.facts += facts_mod.config_facts(doc, node=node)
        return stored.encode()

    def yaml_or_text_document(self, path: str, base: str, raw: bytes, *, node: str) -> bytes:
        """Scrub a YAML, JSON or text document; read facts from the known ones."""
        report = FileRedaction(path)
        text = raw.decode("utf-8", "replace")
        stored = scrub_text(text, report=report)
        self.analysis.redaction.append(report)
        try:
            if base.endswith((".yaml", ".yml")):
                # Parsed before scrubbing (a placeholder of asterisks is a YAML alias);
                # every fact value is scrubbed below.
                doc = facts_mod.yaml_document(text, path=path)
                self.analysis.facts += _clean_facts(self._yaml_facts(base, doc, node=node))
            elif base == "plugins.json":
                doc = facts_mod.json_document(stored, path=path)
                self.analysis.facts += facts_mod.plugins_facts(doc)
            elif base == "warning.txt":
                self.analysis.facts += facts_mod.warnings_facts(stored, path=path)
        except DocumentError as exc:
            self.analysis.notes.append(f"{path}: {exc}; stored redacted, no facts read from it")
        return stored.encode()

    def _yaml_facts(self, base: str, doc: Document, *, node: str) -> list[Fact]:
        if base == "metadata.yaml" and node == "":
            return facts_mod.metadata_facts(doc)
        if base == "diagnostics.yaml":
            if isinstance(doc.data, dict) and "server" in doc.data:
                return facts_mod.diagnostics_facts(doc, node=node)
            return []
        if base == "stats.yaml":
            return facts_mod.stats_facts(doc)
        if base == "jobs.yaml":
            return facts_mod.jobs_facts(doc)
        if base == "support_packet.yaml":
            return facts_mod.support_packet_v1_facts(doc)
        return []


def _scrub_after_settings(text: str, report: FileRedaction) -> str:
    """Scan a config whose secret settings were just redacted for anything left.

    The scan finds the placeholders the setting pass wrote as well as the server's own;
    the setting pass already counted the server's, so the scan's "already redacted"
    count is not added (it told customers 26 values were redacted before for one).
    """
    already = report.already_redacted
    stored = scrub_text(text, report=report)
    report.already_redacted = already
    return stored


def _node_of(rel: str, layout: PacketLayout) -> tuple[str, str, bool]:
    """Return ``(folder, file name, is a node file)`` for a member path inside the packet."""
    if "/" not in rel:
        return "", rel, "" in layout.nodes
    folder, rest = rel.split("/", 1)
    return folder, rest, folder in layout.nodes and "/" not in rest


def _analyse_zip(run: _Run, source: IO[bytes], output: IO[bytes], limits: ZipLimits) -> None:
    analysis = run.analysis
    zin = zip_open(source)
    members, skipped = zip_members(zin, limits=limits)
    analysis.skipped += skipped
    layout = packet_layout(m.name for m in members)
    analysis.packet_format = layout.format
    analysis.layout = layout.layout
    run.total = sum(m.size for m in members)
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zout:
        for member in sorted(members, key=lambda m: m.name):
            rel = (
                member.name[len(layout.prefix) :]
                if member.name.startswith(layout.prefix)
                else member.name
            )
            folder, base, is_node_file = _node_of(rel, layout)
            node = folder if is_node_file else ""
            try:
                head = member_head(zin, member)
                if is_nested_archive(base, head):
                    analysis.skipped.append(
                        Skipped(rel, "nested archive (not opened, not stored)", "nested_archive")
                    )
                    continue
                if looks_binary(head):
                    analysis.skipped.append(
                        Skipped(
                            rel,
                            "binary file (profiles and dumps cannot be scanned for secrets, so "
                            "they are not stored; ask for them separately if needed)",
                            "binary",
                        )
                    )
                    continue
                chunks = member_chunks(zin, member, chunk_size=CHUNK)
                if base.endswith(".log") or base == "goroutines" or member.size > MAX_DOCUMENT:
                    with zout.open(rel, "w", force_zip64=True) as out:
                        run.stream_text(rel, chunks, out.write, is_log=base.endswith(".log"))
                    analysis.stored.append(rel)
                    continue
                raw = b"".join(chunks)
                run.progress(rel, len(raw))
                if base in ("sanitized_config.json", "config.json"):
                    stored = run.config_document(rel, raw, node=node, strict=False)
                else:
                    stored = run.yaml_or_text_document(rel, base, raw, node=node)
                zout.writestr(rel, stored)
                analysis.stored.append(rel)
            except MemberUnreadable as exc:
                analysis.skipped.append(Skipped(rel, str(exc).split(": ", 1)[-1], "unreadable"))
                analysis.stored = [s for s in analysis.stored if s != rel]
        analysis.nodes = sorted(n for n in layout.nodes if n)
        zout.writestr(REPORT_NAME, json.dumps(analysis.redaction_dict(), indent=2) + "\n")
    analysis.stored.append(REPORT_NAME)
    analysis.artefact_name = _redacted_name(analysis.name, ".zip")
    _layout_facts(analysis, layout)


def _layout_facts(analysis: Analysis, layout: PacketLayout) -> None:
    source = "(packet layout)"
    analysis.facts.append(Fact("packet.format", layout.format, source))
    analysis.facts.append(Fact("packet.layout", layout.layout, source))
    hostnames = {
        f.node: str(f.value) for f in analysis.facts if f.key == "server.hostname" and f.node
    }
    nodes = [hostnames.get(n, n) for n in analysis.nodes]
    if nodes:
        analysis.facts.append(Fact("cluster.nodes", nodes, source))
    if not any(f.key == "cluster.size" for f in analysis.facts):
        analysis.facts.append(Fact("cluster.size", max(1, len(nodes)), source))


def _analyse_gzip_log(
    run: _Run, source: IO[bytes], output: IO[bytes], limits: ZipLimits, *, name: str
) -> None:
    """Read a gzip-compressed log through gzip into ``output`` as a redacted plain log.

    The decompressed size is held to the zip limits (``max_member_bytes``, and
    ``max_ratio`` above ``ratio_floor_bytes``): a gzip bomb is refused as
    ``packet_zip_bomb`` while it is read, before it fills the disk. Progress counts
    decompressed bytes against the size the gzip trailer announces.
    """
    analysis = run.analysis
    start = source.tell()
    source.seek(-4, 2)
    announced = int.from_bytes(source.read(4), "little")  # ISIZE: the size modulo 2**32
    source.seek(start)
    run.total = announced or analysis.bytes_in
    inner = uncompressed_name(name)
    compressed = max(analysis.bytes_in, 1)

    def chunks(unzipped: gzip.GzipFile) -> Iterator[bytes]:
        size = 0
        while chunk := unzipped.read(CHUNK):
            size += len(chunk)
            bomb = size > limits.max_member_bytes or (
                size > limits.ratio_floor_bytes and size / compressed > limits.max_ratio
            )
            if bomb:
                raise PacketRefused(
                    f"{name}: decompresses to over {size:,} bytes from {compressed:,} "
                    f"(more than {limits.max_ratio:g} times, or over "
                    f"{limits.max_member_bytes:,} bytes): refused as a gzip bomb",
                    code="packet_zip_bomb",
                )
            yield chunk

    try:
        with gzip.GzipFile(fileobj=source, mode="rb") as unzipped:
            run.stream_text(inner, chunks(unzipped), output.write, is_log=True)
    except MemberUnreadable as exc:
        raise PacketRefused(str(exc), code="packet_binary") from None
    except (OSError, EOFError, zlib.error) as exc:
        raise PacketRefused(
            f"{name}: the gzip file is damaged or cut short ({exc}); compress it again, "
            "or upload the log itself",
            code="packet_unsupported_archive",
        ) from None
    analysis.stored.append(name)
    analysis.artefact_name = _redacted_name(inner, ".log" if inner.lower().endswith(".log") else "")
    analysis.kind = LOG_JSON if analysis.logs and analysis.logs[0].format == "json" else LOG_PLAIN


def _redacted_name(name: str, suffix: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1] or "upload"
    stem = base[: -len(suffix)] if suffix and base.lower().endswith(suffix) else base
    return f"{stem}.redacted{suffix}"


def _read_limited(source: IO[bytes], *, limit: int, name: str) -> bytes:
    data = source.read(limit + 1)
    if len(data) > limit:
        raise PacketRefused(
            f"{name}: a config larger than {limit:,} bytes", code="packet_too_large"
        )
    return data


def upload_analyse(
    *,
    source: IO[bytes],
    name: str,
    output: IO[bytes],
    context: CheckContext | None = None,
    ruleset: Ruleset | None = None,
    limits: ZipLimits | None = None,
    on_progress: ProgressCallback = no_progress,
) -> Analysis:
    """Redact ``source`` into ``output`` and return what was learnt (see the module doc).

    ``source`` must be a seekable binary file (a zip is read through its directory).
    Raises ``PacketRefused`` for uploads that cannot be analysed safely.
    """
    context = context or CheckContext()
    limits = limits or ZipLimits()
    run = _Run(name=name, context=context, ruleset=ruleset, on_progress=on_progress)
    analysis = run.analysis
    start = source.tell()
    head = source.read(65536)
    source.seek(0, 2)
    analysis.bytes_in = source.tell() - start
    source.seek(start)
    analysis.kind = upload_kind(head, name=name)
    if analysis.kind == SUPPORT_PACKET:
        _analyse_zip(run, source, output, limits)
    elif analysis.kind == COMPRESSED_LOG:
        _analyse_gzip_log(run, source, output, limits, name=name)
    elif analysis.kind == CONFIG:
        run.total = analysis.bytes_in
        raw = _read_limited(source, limit=MAX_DOCUMENT, name=name)
        run.progress(name, len(raw))
        output.write(run.config_document(name, raw, node="", strict=True))
        analysis.stored.append(name)
        analysis.artefact_name = _redacted_name(name, ".json")
    else:
        run.total = analysis.bytes_in

        def chunks() -> Iterator[bytes]:
            while True:
                chunk = source.read(CHUNK)
                if not chunk:
                    return
                yield chunk

        try:
            run.stream_text(name, chunks(), output.write, is_log=True)
        except MemberUnreadable as exc:
            raise PacketRefused(str(exc), code="packet_binary") from None
        analysis.stored.append(name)
        analysis.artefact_name = _redacted_name(
            name, ".log" if name.lower().endswith(".log") else ""
        )
        if analysis.logs and analysis.logs[0].format == "json":
            analysis.kind = LOG_JSON
        elif analysis.kind != LOG_JSON:
            analysis.kind = LOG_PLAIN
    run.on_progress(Progress("checking", name, run.done, run.total))
    analysis.findings = findings_run(
        facts=analysis.facts, logs=analysis.logs, context=context, ruleset=ruleset
    )
    return analysis
