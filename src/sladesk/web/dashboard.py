"""The dashboard's figures, each one aggregate query over real tickets and clocks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import TruncWeek

from sladesk.policy import Policy
from sladesk.tickets.models import Ticket, TicketClock

WINDOW = dt.timedelta(days=30)
WEEKS = 12
#: Upper bounds of the response-time buckets (the last is open-ended).
RESPONSE_BUCKETS: tuple[tuple[str, dt.timedelta | None], ...] = (
    ("< 15 min", dt.timedelta(minutes=15)),
    ("15 min-1 h", dt.timedelta(hours=1)),
    ("1-4 h", dt.timedelta(hours=4)),
    ("4-8 h", dt.timedelta(hours=8)),
    ("8-24 h", dt.timedelta(hours=24)),
    ("1-3 d", dt.timedelta(days=3)),
    ("> 3 d", None),
)
BACKLOG_BUCKETS: tuple[tuple[str, dt.timedelta | None], ...] = (
    ("overdue", dt.timedelta(0)),
    ("< 1 h", dt.timedelta(hours=1)),
    ("1-4 h", dt.timedelta(hours=4)),
    ("4-24 h", dt.timedelta(hours=24)),
    ("1-3 d", dt.timedelta(days=3)),
    ("> 3 d", None),
)


@dataclass(frozen=True, slots=True)
class MetCell:
    plan: str
    level: str
    met: int
    total: int
    plan_name: str = ""  # the plan's display name (``Plan.name``)

    @property
    def percent(self) -> float | None:
        return 100.0 * self.met / self.total if self.total else None


def first_response_met(*, now: dt.datetime, policy: Policy) -> list[MetCell]:
    """First-response clocks started in the last 30 days that are decided (met or breached)."""
    rows = (
        TicketClock.objects.filter(kind="first_response", seq=1, started_at__gte=now - WINDOW)
        .filter(Q(met_at__isnull=False) | Q(breached=True) | Q(due_at__lte=now))
        .values("plan_id", "severity")
        .annotate(
            total=Count("id"),
            met=Count("id", filter=Q(met_at__isnull=False, breached=False)),
        )
    )
    found = {(r["plan_id"], r["severity"]): (r["met"], r["total"]) for r in rows}
    cells = []
    for plan in policy.plans:
        for level in policy.severities:
            met, total = found.get((plan, level), (0, 0))
            cells.append(
                MetCell(
                    plan=plan,
                    level=level,
                    met=met,
                    total=total,
                    plan_name=policy.plans[plan].name,
                )
            )
    return cells


def response_times(*, now: dt.datetime) -> list[tuple[str, int]]:
    """Tickets opened in the last 30 days and answered, by time to first response."""
    waited = ExpressionWrapper(
        F("first_responded_at") - F("opened_at"), output_field=DurationField()
    )
    aggregates = {}
    lower: dt.timedelta | None = None
    for i, (_, upper) in enumerate(RESPONSE_BUCKETS):
        cond = Q()
        if lower is not None:
            cond &= Q(waited__gte=lower)
        if upper is not None:
            cond &= Q(waited__lt=upper)
        aggregates[f"b{i}"] = Count("id", filter=cond)
        lower = upper
    counts = (
        Ticket.objects.filter(opened_at__gte=now - WINDOW, first_responded_at__isnull=False)
        .annotate(waited=waited)
        .aggregate(**aggregates)
    )
    return [(label, counts[f"b{i}"]) for i, (label, _) in enumerate(RESPONSE_BUCKETS)]


def backlog_by_due(*, now: dt.datetime) -> list[tuple[str, int]]:
    """Open tickets by when their nearest running clock is due (and those with none)."""
    aggregates = {}
    lower: dt.datetime | None = None
    for i, (_, upper) in enumerate(BACKLOG_BUCKETS):
        cond = Q(due_at__isnull=False)
        if lower is not None:
            cond &= Q(due_at__gte=lower)
        if upper is not None:
            cond &= Q(due_at__lt=now + upper)
        aggregates[f"b{i}"] = Count("id", filter=cond)
        lower = now + upper if upper is not None else None
    aggregates["none"] = Count("id", filter=Q(due_at__isnull=True))
    counts = Ticket.objects.exclude(status__in=("solved", "closed")).aggregate(**aggregates)
    out = [(label, counts[f"b{i}"]) for i, (label, _) in enumerate(BACKLOG_BUCKETS)]
    out.append(("no clock running", counts["none"]))
    return out


def breaches_by_week(*, now: dt.datetime) -> list[tuple[dt.date, int]]:
    """Clocks breached, by the week (Monday) their due fell in, the last twelve weeks."""
    start_day = (now - dt.timedelta(weeks=WEEKS - 1)).date()
    start_day -= dt.timedelta(days=start_day.weekday())
    start = dt.datetime.combine(start_day, dt.time(), tzinfo=dt.UTC)
    rows = (
        TicketClock.objects.filter(breached=True, due_at__gte=start, due_at__lte=now)
        .annotate(week=TruncWeek("due_at", tzinfo=dt.UTC))
        .values("week")
        .annotate(n=Count("id"))
    )
    found: dict[dt.date, int] = {}
    for r in rows:
        week = r["week"]
        day = week.date() if isinstance(week, dt.datetime) else week
        found[day] = found.get(day, 0) + r["n"]
    return [
        (start_day + dt.timedelta(weeks=i), found.get(start_day + dt.timedelta(weeks=i), 0))
        for i in range(WEEKS)
    ]
