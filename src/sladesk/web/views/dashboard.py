"""The dashboard: service levels drawn from the real tickets, as server-side SVG."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sladesk.accounts.access import Principal
from sladesk.core import time
from sladesk.policy import get_policy
from sladesk.web import charts, dashboard
from sladesk.web.auth import agent_view


@agent_view
def dashboard_view(request: HttpRequest, principal: Principal) -> HttpResponse:
    now = time.now()
    policy = get_policy()
    met = dashboard.first_response_met(now=now, policy=policy)
    responses = dashboard.response_times(now=now)
    backlog = dashboard.backlog_by_due(now=now)
    breaches = dashboard.breaches_by_week(now=now)
    met_bars = [(f"{c.plan_name} {c.level}", c.percent or 0.0) for c in met if c.total]
    context = {
        "principal": principal,
        "met": met,
        "levels": list(policy.severities),
        "plans": policy.plans,
        "responses": responses,
        "backlog": backlog,
        "breaches": breaches,
        "met_chart": charts.bar_chart(
            title="First response met, % by plan and level (last 30 days)",
            bars=met_bars,
            unit="%",
            max_value=100,
        ),
        "response_chart": charts.bar_chart(
            title="Time to first response (tickets opened in the last 30 days)",
            bars=[(label, float(n)) for label, n in responses],
        ),
        "backlog_chart": charts.bar_chart(
            title="Open tickets by due time",
            bars=[(label, float(n)) for label, n in backlog],
            css="bar bar-backlog",
        ),
        "breach_chart": charts.bar_chart(
            title="Breaches by week (last 12 weeks)",
            bars=[(f"{week:%d %b}", float(n)) for week, n in breaches],
            css="bar bar-bad",
        ),
    }
    return render(request, "web/console/dashboard.html", context)
