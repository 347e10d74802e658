"""The viewer's time zone: chosen on the profile page or detected by the browser, kept in the session."""

from __future__ import annotations

from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from django.http import HttpRequest

from sladesk.policy import get_policy

SESSION_KEY = "sladesk_tz"
SESSION_SOURCE_KEY = "sladesk_tz_source"  # "browser" or "profile"


@cache
def known_zones() -> tuple[str, ...]:
    return tuple(sorted(z for z in available_timezones() if "/" in z or z == "UTC"))


def zone_valid(name: str) -> bool:
    return name in known_zones()


def viewer_zone(request: HttpRequest | None) -> str:
    """Return the zone to show times in: the session's choice, else the policy's zone."""
    if request is not None and hasattr(request, "session"):
        chosen = request.session.get(SESSION_KEY)
        if isinstance(chosen, str) and zone_valid(chosen):
            return chosen
    return get_policy().zone


def zone_set(request: HttpRequest, *, zone: str, source: str) -> bool:
    """Store ``zone`` for the session; a browser guess never overrides a profile choice."""
    if not zone_valid(zone):
        return False
    if source == "browser" and request.session.get(SESSION_SOURCE_KEY) == "profile":
        return False
    request.session[SESSION_KEY] = zone
    request.session[SESSION_SOURCE_KEY] = source
    return True


def tz(name: str) -> ZoneInfo:
    return ZoneInfo(name)
