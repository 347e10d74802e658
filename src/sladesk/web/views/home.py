"""The front page: what the desk is, the plans it serves and their response targets."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sladesk.policy import get_policy
from sladesk.web.wording import calendar_words, target_words


def home(request: HttpRequest) -> HttpResponse:
    """Render the landing page with the policy's first-response table."""
    policy = get_policy()
    levels = list(policy.severities.values())
    rows = [
        {
            "plan": plan,
            "targets": [
                {
                    "words": target_words(plan.first_response[level.id], policy),
                    "title": plan.first_response[level.id].describe(),
                }
                for level in levels
            ],
        }
        for plan in policy.plans.values()
    ]
    calendars = [
        {"spec": spec, "words": calendar_words(spec, policy)} for spec in policy.calendars.values()
    ]
    return render(
        request,
        "web/home.html",
        {"policy": policy, "levels": levels, "rows": rows, "calendars": calendars},
    )
