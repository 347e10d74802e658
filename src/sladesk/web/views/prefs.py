"""The viewer's preferences: the time zone times are shown in (kept in the session)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from sladesk.accounts.access import Principal
from sladesk.web.auth import principal_view
from sladesk.web.zones import known_zones, viewer_zone, zone_set


@principal_view
def profile(request: HttpRequest, principal: Principal) -> HttpResponse:
    """Show who is signed in and let them choose the zone times are shown in."""
    error = ""
    if request.method == "POST":
        if zone_set(request, zone=request.POST.get("zone", ""), source="profile"):
            return redirect("profile")
        error = "choose a time zone from the list"
    return render(
        request,
        "web/profile.html",
        {
            "principal": principal,
            "zones": known_zones(),
            "zone": viewer_zone(request),
            "error": error,
        },
        status=422 if error else 200,
    )


@require_POST
def zone_detected(request: HttpRequest) -> HttpResponse:
    """Store the zone the browser reports, unless the viewer chose one on their profile."""
    zone_set(request, zone=request.POST.get("zone", ""), source="browser")
    return HttpResponse(status=204)
