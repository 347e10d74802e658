from __future__ import annotations

from django.contrib import admin

from sladesk.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = [
        "id",
        "kind",
        "channel",
        "recipient",
        "address",
        "status",
        "attempts",
        "next_attempt_at",
    ]
    list_filter = ["status", "channel", "kind"]
    search_fields = ["dedupe_key", "address", "last_error"]
    readonly_fields = ["dedupe_key", "created_at", "sent_at", "read_at"]
