"""Admin: the inbound review queue and quarantine (re-processable), and outbound messages."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from sladesk.core import time
from sladesk.core.exceptions import DeskError
from sladesk.mail.models import InboundMessage, InboundStatus, OutboundMessage
from sladesk.mail.services import mail_reprocess


@admin.action(description="Process again (quarantined or held messages)")
def reprocess(modeladmin: Any, request: HttpRequest, queryset: QuerySet[InboundMessage]) -> None:
    done = 0
    for inbound in queryset.filter(status__in=[InboundStatus.QUARANTINED, InboundStatus.HELD]):
        try:
            mail_reprocess(inbound=inbound, now=time.now())
            done += 1
        except DeskError as exc:
            modeladmin.message_user(request, str(exc), level=messages.WARNING)
    modeladmin.message_user(request, f"{done} message(s) processed again")


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = [
        "id",
        "received_at",
        "via",
        "from_address",
        "subject",
        "status",
        "outcome",
        "ticket_id",
    ]
    list_filter = ["status", "outcome", "via"]
    search_fields = ["message_id", "from_address", "subject", "reason", "error"]
    readonly_fields = [f.name for f in InboundMessage._meta.fields if f.name != "raw"]
    exclude = ["raw"]
    actions = [reprocess]


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["id", "created_at", "kind", "to_address", "ticket_id", "delivery", "bounced_at"]
    list_filter = ["kind", "automatic"]
    search_fields = ["message_id", "to_address", "subject"]
    readonly_fields = [f.name for f in OutboundMessage._meta.fields]

    @admin.display(description="delivery (outbox)")
    def delivery(self, obj: OutboundMessage) -> str:
        n = obj.notification
        if n is None:
            return "-"
        return f"{n.status}, {n.attempts} attempt(s)" + (
            f": {n.last_error[:80]}" if n.last_error else ""
        )
