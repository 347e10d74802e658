"""Reads for the packets app."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from sladesk.core.exceptions import NotFound
from sladesk.packets.models import EnvironmentFact, PacketAnalysis

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
