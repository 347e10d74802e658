"""Presentation of the desk: times in the viewer's zone, badges, countdowns, durations.

Everything that turns a domain value into a CSS class or words lives here, never on models.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

from django import template
from django.utils.html import format_html

from sladesk.accounts.models import Agent
from sladesk.core import time
from sladesk.web.wording import zone_words
from sladesk.web.zones import viewer_zone

register = template.Library()

SEVERITY_CLASSES = {"L1": "sev sev-1", "L2": "sev sev-2", "L3": "sev sev-3", "L4": "sev sev-4"}
STATUS_CLASSES = {
    "new": "status status-new",
    "open": "status status-open",
    "waiting_on_customer": "status status-wait",
    "waiting_on_engineering": "status status-wait",
    "solved": "status status-done",
    "closed": "status status-done",
}
#: Countdown states -> (CSS class, words).
COUNTDOWN = {
    "on_time": ("badge badge-ok", "on time"),
    "warning": ("badge badge-warn", "warning"),
    "breached": ("badge badge-bad", "breached"),
    "met": ("badge badge-met", "met"),
    "met_late": ("badge badge-bad", "met late"),
    "paused": ("badge badge-muted", "paused"),
    "stopped": ("badge badge-muted", "stopped"),
}


@register.filter
def severity_class(severity: str) -> str:
    return SEVERITY_CLASSES.get(severity, "sev")


@register.filter
def status_class(status: str) -> str:
    return STATUS_CLASSES.get(status, "status")


@register.filter
def humanise(code: str) -> str:
    return str(code).replace("_", " ")


@register.filter
def role_label(role: str | None) -> str:
    """Return an agent role's human label (``senior support engineer``)."""
    if not role:
        return ""
    try:
        return str(Agent.Role(role).label)
    except ValueError:
        return humanise(role)


def duration_words(seconds: float) -> str:
    """Return ``2 h 05 min``, ``12 min`` or ``3 d 4 h`` for a number of seconds (absolute)."""
    total = int(abs(seconds)) // 60
    days, rest = divmod(total, 1440)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min"


@register.filter
def window_words(value: dt.timedelta) -> str:
    """Return a policy window as a customer reads it: ``48 hours``, ``30 minutes``."""
    minutes = int(value.total_seconds()) // 60
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{minutes} minutes"


@register.filter
def duration(value: dt.timedelta | float | int | None) -> str:
    if value is None:
        return "-"
    seconds = value.total_seconds() if isinstance(value, dt.timedelta) else float(value)
    return duration_words(seconds)


def _request(context: template.Context) -> Any:
    return context.get("request")


def _fmt(instant: dt.datetime, zone: str) -> str:
    local = instant.astimezone(ZoneInfo(zone))
    return f"{local:%a %d %b %Y %H:%M} {local.tzname()}"


@register.simple_tag(takes_context=True)
def when(context: template.Context, instant: dt.datetime | None) -> str:
    """Render ``instant`` in the viewer's zone as a ``<time>`` element."""
    if instant is None:
        return "-"
    zone = viewer_zone(_request(context))
    return format_html(
        '<time datetime="{}" title="{} UTC">{}</time>',
        instant.isoformat(),
        f"{instant.astimezone(dt.UTC):%Y-%m-%d %H:%M}",
        _fmt(instant, zone),
    )


@register.simple_tag(takes_context=True)
def sla_when(context: template.Context, instant: dt.datetime | None, calendar_zone: str) -> str:
    """Render an SLA instant in the viewer's zone with the calendar's zone beside it."""
    if instant is None:
        return "-"
    zone = viewer_zone(_request(context))
    local = instant.astimezone(ZoneInfo(calendar_zone))
    return format_html(
        '<time datetime="{}">{}</time> <span class="calzone" title="calendar zone {}">'
        "(support calendar: {} {})</span>",
        instant.isoformat(),
        _fmt(instant, zone),
        calendar_zone,
        f"{local:%a %H:%M}",
        zone_words(calendar_zone),
    )


def countdown_state(
    *, due: dt.datetime | None, warn: dt.datetime | None, now: dt.datetime, state: str = "running"
) -> str:
    """Return the badge state of a clock: on_time, warning, breached, paused, met, stopped."""
    if state in ("met", "stopped", "paused"):
        return state
    if due is None:
        return "paused"
    if now >= due:
        return "breached"
    if warn is not None and now >= warn:
        return "warning"
    return "on_time"


@register.simple_tag
def countdown(
    due: dt.datetime | None,
    warn: dt.datetime | None = None,
    state: str = "running",
    breached: bool = False,  # noqa: FBT001, FBT002
) -> str:
    """Render a countdown badge; ``desk.js`` keeps it ticking from ``data-due``/``data-warn``."""
    now = time.now()
    key = countdown_state(due=due, warn=warn, now=now, state=state)
    if key == "met" and breached:
        key = "met_late"
    css, word = COUNTDOWN[key]
    if key in ("on_time", "warning") and due is not None:
        words = f"due in {duration_words((due - now).total_seconds())}"
    elif key == "breached" and due is not None:
        words = f"{duration_words((now - due).total_seconds())} late"
    else:
        words = word
    if key in ("on_time", "warning", "breached") and due is not None:
        return format_html(
            '<span class="{}" data-due="{}" data-warn="{}" role="timer" aria-live="off">'
            '<span class="badge-word">{}</span> · <span class="badge-left">{}</span></span>',
            css,
            due.isoformat(),
            warn.isoformat() if warn else "",
            word,
            words,
        )
    return format_html('<span class="{}">{}</span>', css, words)


@register.simple_tag(takes_context=True)
def desk_principal(context: template.Context) -> Any:
    """Return the signed-in principal (cached on the request), or None."""
    from sladesk.web.auth import request_principal

    request = _request(context)
    if request is None or not request.user.is_authenticated:
        return None
    return request_principal(request)


@register.simple_tag(takes_context=True)
def viewer_zone_name(context: template.Context) -> str:
    return viewer_zone(_request(context))


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key, "")


# Diagnostics (support packets, logs, configs) ---------------------------------------------

#: Finding severities -> badge class (most urgent first, as the health check orders them).
FINDING_CLASSES = {
    "critical": "badge finding finding-critical",
    "high": "badge finding finding-high",
    "medium": "badge finding finding-medium",
    "low": "badge finding finding-low",
    "info": "badge finding finding-info",
}


@register.filter
def finding_class(severity: str) -> str:
    return FINDING_CLASSES.get(severity, "badge finding finding-info")


@register.filter
def fact_value(value: Any) -> str:
    """Return a fact's value as text: strings as they are, ``yes``/``no``, JSON for the rest."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "-"
    if isinstance(value, str | int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


@register.simple_tag(takes_context=True)
def when_text(context: template.Context, text: str | None) -> str:
    """Render an ISO 8601 instant kept as text (log times) like ``when``; else the text itself."""
    if not text:
        return "-"
    try:
        instant = dt.datetime.fromisoformat(str(text))
    except ValueError:
        return str(text)
    if instant.tzinfo is None:
        return str(text)
    return when(context, instant)
