"""The dashboard: figures from real tickets, drawn as server-side SVG."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from sladesk.core import time
from sladesk.policy import get_policy
from sladesk.tickets.services import ticket_reply
from sladesk.web import dashboard
from sladesk.web.charts import bar_chart
from tests.web.conftest import open_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(world):
    now = time.now()
    on_time = open_ticket(world.gus, severity="L1", now=now - dt.timedelta(days=2, hours=1))
    ticket_reply(
        ticket=on_time,
        body="on it",
        actor=world.actor(world.engineer),
        now=now - dt.timedelta(days=2, minutes=50),
    )
    late = open_ticket(world.gus, severity="L1", now=now - dt.timedelta(days=5))
    ticket_reply(ticket=late, body="sorry", actor=world.actor(world.engineer), now=now)
    open_ticket(world.gus, severity="L3", now=now)  # running, not decided
    return now


def test_first_response_met_by_plan_and_level(history):
    cells = dashboard.first_response_met(now=history, policy=get_policy())
    cell = next(c for c in cells if c.plan == "enterprise" and c.level == "L1")
    assert (cell.met, cell.total) == (1, 2)
    assert cell.percent == 50.0
    l3 = next(c for c in cells if c.plan == "enterprise" and c.level == "L3")
    assert l3.total == 0 and l3.percent is None


def test_response_time_distribution(history):
    buckets = dict(dashboard.response_times(now=history))
    assert buckets["< 15 min"] == 1  # answered ten minutes after opening
    assert buckets["15 min-1 h"] == 0
    assert buckets["8-24 h"] == 0
    assert sum(buckets.values()) == 2
    assert buckets["> 3 d"] == 1


def test_backlog_by_due_and_breaches_by_week(history):
    backlog = dict(dashboard.backlog_by_due(now=history))
    assert sum(backlog.values()) == 3  # every open ticket is counted once
    breaches = dashboard.breaches_by_week(now=history)
    assert len(breaches) == dashboard.WEEKS
    assert sum(n for _, n in breaches) >= 1
    assert all(week.weekday() == 0 for week, _ in breaches)


def test_dashboard_page_draws_four_charts(history, sam, django_assert_max_num_queries):
    with django_assert_max_num_queries(14):
        body = sam.get("/console/dashboard/").content.decode()
    assert body.count('<svg class="chart"') == 4
    assert 'role="img"' in body and "<desc>" in body
    assert "50% <small>(1/2)</small>" in body


def test_bar_chart_escapes_labels():
    svg = bar_chart(title="<t>", bars=[("<b>", 1.0), ("ok", 0.0)])
    assert "<b>" not in svg and "&lt;b&gt;" in svg
    assert "&lt;t&gt;" in svg and svg.count("<rect") == 2


def _tick_labels(svg: str) -> list[str]:
    return re.findall(r'<text [^>]*class="tick"[^>]*>([^<]*)</text>', svg)


def test_bar_chart_turns_long_labels_so_they_never_overlap():
    labels = [label for label, _ in dashboard.BACKLOG_BUCKETS] + ["no clock running"]
    svg = bar_chart(title="t", bars=[(label, 1.0) for label in labels])
    assert svg.count('transform="rotate(-') == len(labels)
    assert "no clock running" in _tick_labels(svg)  # not cut off: the box grew to hold it
    weeks = bar_chart(title="w", bars=[(f"{i:02d} Sep", 1.0) for i in range(12)])
    assert weeks.count("rotate(-") == 12


def test_bar_chart_keeps_short_labels_level():
    svg = bar_chart(title="t", bars=[("L1", 1.0), ("L2", 2.0)])
    assert "rotate(" not in svg


def test_dashboard_table_uses_plan_names(history, sam):
    body = sam.get("/console/dashboard/").content.decode()
    plan = get_policy().plans["enterprise"]
    assert f'<th scope="row">{plan.name}</th>' in body
    assert '<th scope="row">enterprise</th>' not in body
