"""The agent console: queues by nearest due, filters, the ticket page and its actions."""

from __future__ import annotations

import datetime as dt

import pytest

from sladesk.core import time
from sladesk.tickets.models import Ticket
from sladesk.tickets.services import ticket_note
from tests.web.conftest import client_for, open_ticket

pytestmark = pytest.mark.django_db


def now() -> dt.datetime:
    return time.now()


def _order(body: str, *subjects: str) -> list[int]:
    return [body.index(s) for s in subjects]


def test_contacts_have_no_console(world, maria):
    assert maria.get("/console/").status_code == 404
    assert maria.get("/console/dashboard/").status_code == 404


def test_queue_is_sorted_by_nearest_due(world, sam):
    later = open_ticket(world.gus, subject="Enterprise L3 question", severity="L3", now=now())
    sooner = open_ticket(world.gus, subject="Enterprise L1 outage", severity="L1", now=now())
    body = sam.get("/console/?queue=all").content.decode()
    first, second = _order(body, "Enterprise L1 outage", "Enterprise L3 question")
    assert first < second
    assert sooner.due_at < later.due_at
    assert 'data-due="' in body


def test_queues_mine_unassigned_senior_and_breached(world, sam, erin):
    premier = open_ticket(world.maria, subject="Premier goes to seniors", now=now())
    assert premier.team.slug == "senior"
    body = sam.get("/console/?queue=senior").content.decode()
    assert "Premier goes to seniors" in body
    body = erin.get("/console/?queue=senior").content.decode()
    assert "Premier goes to seniors" in body  # every agent may look at the senior queue
    mine = sam.get("/console/?queue=mine").content.decode()
    assert ("Premier goes to seniors" in mine) == (premier.assignee_id == world.senior.pk)
    old = open_ticket(
        world.gus, subject="Long overdue", severity="L1", now=now() - dt.timedelta(days=3)
    )
    assert old.due_at < now()
    breached = sam.get("/console/?queue=breached").content.decode()
    assert "Long overdue" in breached and "Premier goes to seniors" not in breached
    assert "breached" in breached


def test_filters_by_plan_level_organisation_status_and_category(world, sam):
    open_ticket(world.maria, subject="Acme perf", category="performance", now=now())
    open_ticket(world.gus, subject="Globex bug", category="bug", severity="L3", now=now())
    get = lambda q: sam.get(f"/console/?queue=all&{q}").content.decode()  # noqa: E731
    assert "Globex bug" in get("plan=enterprise") and "Acme perf" not in get("plan=enterprise")
    assert "Globex bug" in get("severity=L3") and "Acme perf" not in get("severity=L3")
    slug = world.premier.slug
    assert "Acme perf" in get(f"organisation={slug}") and "Globex bug" not in get(
        f"organisation={slug}"
    )
    assert "Acme perf" in get("category=performance") and "Globex bug" not in get(
        "category=performance"
    )
    assert "Nothing in this queue" in get("status=solved")
    by_name = get("organisation=acme+corporation")
    assert "Acme perf" in by_name and "Globex bug" not in by_name
    page = get("")
    assert '<option value="Acme Corporation"' in page  # the filter offers the organisations
    assert '<td title="enterprise">Enterprise (E20)</td>' in page  # plan names, as the filter


def test_queue_query_count_does_not_grow_with_the_tickets(
    world, sam, django_assert_max_num_queries
):
    for i in range(3):
        open_ticket(world.gus, subject=f"T{i}", now=now())
    with django_assert_max_num_queries(20) as small:
        sam.get("/console/?queue=all")
    for i in range(40):
        open_ticket(world.gus, subject=f"U{i}", now=now())
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = sam.get("/console/?queue=all")
    assert response.status_code == 200


def test_queue_pages_by_cursor(world, sam, monkeypatch):
    from sladesk.web import selectors

    monkeypatch.setattr(selectors, "PAGE", 2)
    for i in range(5):
        open_ticket(world.gus, subject=f"Paged {i}", severity="L2", now=now())
    seen = []
    url = "/console/?queue=all"
    for _ in range(5):
        response = sam.get(url)
        rows = response.context["page"].rows
        seen += [r.ticket.pk for r in rows]
        cursor = response.context["page"].next_cursor
        if cursor is None:
            break
        url = f"/console/?queue=all&after={cursor}"
    assert sorted(seen) == sorted(Ticket.objects.values_list("pk", flat=True))
    assert len(seen) == len(set(seen))


def test_htmx_poll_answers_only_the_rows(world, sam):
    open_ticket(world.gus, subject="Polled", now=now())
    body = sam.get("/console/?queue=all", headers={"HX-Request": "true"}).content.decode()
    assert "Polled" in body and "<html" not in body


def test_ticket_page_has_the_customer_panel_notes_and_the_explain_timeline(world, sam):
    ticket = open_ticket(world.maria, environment=world.acme_prod, now=now())
    other = open_ticket(world.maria, subject="Another Acme issue", now=now())
    ticket_note(ticket=ticket, body="Looks like the proxy", actor=world.actor(world.senior))
    body = sam.get(f"/console/tickets/{ticket.pk}/").content.decode()
    assert "Premier Support" in body
    assert "valid" in body
    assert "Maria Garcia" in body  # a named contact
    assert "acme prod" in body and "production" in body
    assert "Release support" in body
    assert f"#{other.pk} Another Acme issue" in body
    assert "internal-note" in body and "Looks like the proxy" in body
    assert "Windows counted" in body and "calendar <strong>always</strong>" in body
    assert "Intake" in body and "senior routing" in body


def test_agent_reply_meets_the_first_response_clock(world, sam):
    ticket = open_ticket(world.maria, now=now())
    response = sam.post(f"/console/tickets/{ticket.pk}/reply/", {"body": "On it."})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.first_responded_at is not None
    body = sam.get(f"/console/tickets/{ticket.pk}/").content.decode()
    assert 'data-clock="first_response" data-state="met"' in body


def test_an_internal_note_does_not_meet_the_clock(world, sam):
    ticket = open_ticket(world.maria, now=now())
    sam.post(f"/console/tickets/{ticket.pk}/reply/", {"kind": "note", "note-body": "hmm"})
    ticket.refresh_from_db()
    assert ticket.first_responded_at is None
    assert ticket.messages.filter(visibility="internal", body="hmm").exists()


def test_changing_the_level_needs_a_reason(world, sam):
    ticket = open_ticket(world.gus, severity="L3", now=now())
    url = f"/console/tickets/{ticket.pk}/severity/"
    response = sam.post(url, {"severity": "L1"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 422  # htmx: the form comes back with its error
    assert 'id="id_severity_reason-error"' in body
    assert 'aria-describedby="id_severity_reason-error"' in body
    # a plain POST goes back to the ticket's own URL (a reload never re-posts)
    response = sam.post(url, {"severity": "L1"})
    assert response.status_code == 302
    assert response["Location"] == f"/console/tickets/{ticket.pk}/#actions-title"
    page = sam.get(f"/console/tickets/{ticket.pk}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "The level was not changed: give a reason" in body
    assert 'id="id_severity_reason-error"' in body
    assert '<option value="L1" selected>' in body  # what was chosen is kept
    again = sam.get(f"/console/tickets/{ticket.pk}/").content.decode()
    assert "The level was not changed" not in again  # shown once
    response = sam.post(
        f"/console/tickets/{ticket.pk}/severity/", {"severity": "L1", "reason": "outage"}
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.severity == "L1"


def test_status_machine_refusals_are_shown(world, sam):
    ticket = open_ticket(world.gus, now=now())
    response = sam.post(f"/console/tickets/{ticket.pk}/status/", {"status": "closed"})
    assert response.status_code == 302
    body = sam.get(response["Location"]).content.decode()
    assert "The status was not changed" in body
    assert "invalid" in body.lower() or "may go" in body
    response = sam.post(f"/console/tickets/{ticket.pk}/status/", {"status": "solved"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "solved"


def test_assigning_to_an_agent(world, sam):
    ticket = open_ticket(world.gus, now=now())
    assert ticket.assignee_id == world.engineer.pk  # round robin: the one on shift
    response = sam.post(f"/console/tickets/{ticket.pk}/assignee/", {"agent": "", "reason": "x"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.assignee_id is None
    response = sam.post(
        f"/console/tickets/{ticket.pk}/assignee/", {"agent": world.engineer.pk, "reason": "yours"}
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.assignee_id == world.engineer.pk
    response = sam.post(f"/console/tickets/{ticket.pk}/assignee/", {"agent": world.engineer.pk})
    assert response.status_code == 302
    assert 'id="id_agent-error"' in sam.get(response["Location"]).content.decode()
    response = sam.post(
        f"/console/tickets/{ticket.pk}/assignee/", {"agent": "99999"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422


def test_assigning_to_an_unknown_agent_is_refused_and_changes_nothing(world, sam):
    ticket = open_ticket(world.gus, now=now())
    before = ticket.assignee_id
    response = sam.post(
        f"/console/tickets/{ticket.pk}/assignee/",
        {"agent": "99999", "reason": "hand over"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    assert "choose an agent from the list" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.assignee_id == before


def test_console_clocks_partial(world, sam):
    ticket = open_ticket(world.gus, now=now())
    response = sam.get(f"/console/tickets/{ticket.pk}/clocks/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert b'data-clock="first_response"' in response.content


def test_a_contact_cannot_post_console_actions(world, maria):
    ticket = open_ticket(world.maria, now=now())
    response = maria.post(f"/console/tickets/{ticket.pk}/reply/", {"body": "x"})
    assert response.status_code == 404
    assert client_for(world.maria).get(f"/console/tickets/{ticket.pk}/").status_code == 404
