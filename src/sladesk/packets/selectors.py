"""Reads for the packets app."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import (
    Case,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from sladesk.core.exceptions import NotFound
from sladesk.packets.models import EnvironmentFact, Finding, PacketAnalysis
from sladesk.tickets.models import Attachment, Ticket

if TYPE_CHECKING:
    from sladesk.accounts.models import Environment


def packet_analysis_get(analysis_id: int) -> PacketAnalysis:
    """Return one analysis with its findings, or refuse with ``packet_analysis_not_found``."""
    found = (
        PacketAnalysis.objects.select_related("environment", "ticket")
        .prefetch_related("findings")
        .filter(pk=analysis_id)
        .first()
    )
    if found is None:
        raise NotFound(f"no packet analysis {analysis_id}", code="packet_analysis_not_found")
    return found


def packet_analysis_list(
    *, environment: Environment | None = None, ticket_id: int | None = None
) -> QuerySet[PacketAnalysis]:
    """Return analyses, newest first, optionally of one environment or ticket."""
    qs = PacketAnalysis.objects.select_related("environment").prefetch_related("findings")
    if environment is not None:
        qs = qs.filter(environment=environment)
    if ticket_id is not None:
        qs = qs.filter(ticket_id=ticket_id)
    return qs.order_by("-created_at", "-id")


def environment_facts_latest(environment: Environment) -> dict[str, EnvironmentFact]:
    """Return the newest fact of each key for ``environment`` (packet-wide before per-node)."""
    latest: dict[str, EnvironmentFact] = {}
    facts = EnvironmentFact.objects.filter(environment=environment).order_by(
        "key", "-observed_at", "node", "-id"
    )
    for fact in facts:
        latest.setdefault(fact.key, fact)
    return latest


# A ticket's diagnostics -------------------------------------------------------------------------

#: Most urgent first, as the health check orders its findings.
SEVERITY_ORDER: tuple[str, ...] = tuple(Finding.Severity.values)


def _findings_by_severity() -> QuerySet[Finding]:
    """Return findings most severe first, then in the order the health check gave them."""
    rank = Case(
        *(When(severity=s, then=Value(n)) for n, s in enumerate(SEVERITY_ORDER)),
        default=Value(len(SEVERITY_ORDER)),
        output_field=IntegerField(),
    )
    return Finding.objects.annotate(rank=rank).order_by("rank", "position", "id")


def ticket_diagnostics(ticket: Ticket, *, include_internal: bool) -> QuerySet[PacketAnalysis]:
    """Return the analyses of ``ticket``, newest first.

    Agents (``include_internal``): every analysis linked to the ticket, with its findings
    most severe first, then in the order the health check gave them; two queries whatever
    the number of analyses or findings (the analyses, one prefetch of the findings).

    Contacts: only analyses of a public attachment of this ticket (the one the attachment
    filter recorded in ``summary["attachment"]``), in one query, without the findings and
    with the facts, logs and notes left unloaded: contacts are shown what was redacted,
    nothing else. An analysis of an internal attachment, or one attached by ``sladesk
    packet analyze --ticket`` (an internal note), would reveal that the internal file exists.
    """
    qs = PacketAnalysis.objects.filter(ticket_id=ticket.pk).order_by("-created_at", "-id")
    if include_internal:
        return qs.prefetch_related(Prefetch("findings", queryset=_findings_by_severity()))
    public = Attachment.objects.filter(
        ticket_id=ticket.pk, internal=False, pk=OuterRef("summary_attachment")
    )
    return (
        qs.annotate(
            summary_attachment=Cast(KeyTextTransform("attachment", "summary"), IntegerField())
        )
        .filter(Exists(public))
        .defer("facts", "logs", "notes")
    )


#: The facts an engineer reads first, in this order, with their labels.
GLANCE: tuple[tuple[str, str], ...] = (
    ("server.version", "Server version"),
    ("server.edition", "Edition"),
    ("license.sku", "Licence"),
    ("license.users", "Licensed users"),
    ("license.company", "Licensed to"),
    ("server.installation_type", "Installation"),
    ("server.os", "OS"),
    ("server.architecture", "Architecture"),
    ("server.cpu_cores", "CPU cores"),
    ("server.total_memory_mb", "Memory (MB)"),
    ("database.type", "Database"),
    ("database.version", "Database version"),
    ("database.schema_version", "Schema version"),
    ("config.sql_driver", "SQL driver"),
    ("cluster.size", "Cluster nodes"),
    ("config.cluster_enabled", "Cluster enabled"),
    ("file_store.driver", "File store"),
    ("elastic.backend", "Search backend"),
    ("elastic.server_version", "Search server version"),
    ("ldap.status", "LDAP"),
    ("config.site_url", "Site URL"),
    ("websocket.connections", "WebSocket connections"),
    ("stats.registered_users", "Registered users"),
    ("stats.active_users", "Active users"),
    ("plugins.enabled", "Plugins enabled"),
)


@dataclass(frozen=True, slots=True)
class FactValue:
    """One value of a fact, the nodes that reported it and where the first one read it."""

    value: Any
    nodes: tuple[str, ...]
    source: str


@dataclass(frozen=True, slots=True)
class FactRow:
    """A fact at a glance: one value when every node agrees, else one per distinct value."""

    key: str
    label: str
    values: tuple[FactValue, ...]

    @property
    def differs(self) -> bool:
        return len(self.values) > 1


def facts_at_a_glance(facts: list[dict[str, Any]]) -> list[FactRow]:
    """Return the ``GLANCE`` facts of an analysis, nodes that disagree shown apart.

    ``facts`` is ``PacketAnalysis.facts`` (``key``, ``value``, ``source``, ``node``). A
    packet-wide fact (no node) and the per-node ones of the same value are one row; nodes
    on different values (a cluster mid-upgrade) get one value each, in the order read.
    """
    by_key: dict[str, dict[str, tuple[Any, list[str], str]]] = {}
    for fact in facts:
        key = str(fact.get("key", ""))
        value = fact.get("value")
        marker = json.dumps(value, sort_keys=True, default=str)
        seen = by_key.setdefault(key, {})
        if marker not in seen:
            seen[marker] = (value, [], str(fact.get("source", "")))
        node = str(fact.get("node") or "")
        if node and node not in seen[marker][1]:
            seen[marker][1].append(node)
    return [
        FactRow(
            key=key,
            label=label,
            values=tuple(
                FactValue(value=value, nodes=tuple(nodes), source=source)
                for value, nodes, source in by_key[key].values()
            ),
        )
        for key, label in GLANCE
        if key in by_key
    ]
