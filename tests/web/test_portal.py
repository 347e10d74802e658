"""The customer portal: lists, the new-ticket form with its due times, the ticket page."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sladesk.core import time
from sladesk.tickets.models import Ticket
from sladesk.tickets.services import Upload, ticket_note, ticket_reply
from tests.accounts.factories import make_contact, make_org
from tests.web.conftest import client_for, open_ticket

pytestmark = pytest.mark.django_db


def now() -> dt.datetime:
    return time.now()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/portal/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/portal/")


def test_agents_do_not_have_a_portal(erin):
    assert erin.get("/portal/").status_code == 404


def test_the_list_shows_the_organisations_tickets_only(world, maria):
    mine = open_ticket(world.maria, subject="Acme chat is slow", now=now())
    open_ticket(world.gus, subject="Globex secret trouble", now=now())
    body = maria.get("/portal/").content.decode()
    assert "Acme chat is slow" in body
    assert "Globex secret trouble" not in body
    assert f"/portal/tickets/{mine.pk}/" in body


def test_the_list_filters_by_state_level_and_words(world, maria):
    open_ticket(world.maria, subject="Login loop after SAML", severity="L2", now=now())
    open_ticket(world.maria, subject="Question about exports", severity="L3", now=now())
    body = maria.get("/portal/?severity=L3").content.decode()
    assert "Question about exports" in body and "Login loop" not in body
    body = maria.get("/portal/?q=saml").content.decode()
    assert "Login loop" in body and "Question about exports" not in body
    body = maria.get("/portal/?state=closed").content.decode()
    assert "No tickets match." in body


def test_the_list_costs_the_same_queries_for_3_or_30_tickets(
    world, maria, django_assert_max_num_queries
):
    for i in range(3):
        open_ticket(world.maria, subject=f"Problem {i}", now=now())
    with django_assert_max_num_queries(12) as small:
        maria.get("/portal/")
    for i in range(27):
        open_ticket(world.maria, subject=f"More {i}", now=now())
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert maria.get("/portal/").status_code == 200


def test_the_form_shows_each_levels_due_time_for_production(world, maria):
    body = maria.get("/portal/tickets/new/").content.decode()
    # Premier: L1 is 1 h in the "always" calendar, from now.
    assert "Urgent business impact" in body
    assert "production system hangs or crashes" in body
    match = re.search(r'data-level-due="L1"><time datetime="([^"]+)"', body)
    assert match is not None
    due = dt.datetime.fromisoformat(match[1])
    assert abs((due - now()) - dt.timedelta(hours=1)) < dt.timedelta(minutes=1)
    assert "calendar:" in body and "America/Los_Angeles" in body
    assert "acme staging — not production" in body
    assert "acme prod — production" in body


def test_choosing_a_non_production_environment_shows_l4_due_for_every_level(world, maria):
    response = maria.get(
        f"/portal/tickets/new/levels/?environment={world.acme_staging.pk}&severity=L1",
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count("handled as L4") == 3  # L1-L3 become L4; L4 is itself
    assert "This field is required" not in body  # nothing was submitted yet
    assert 'value="L1" checked' in body


def test_opening_a_ticket_with_a_log_redirects_to_its_page(world, maria):
    log = SimpleUploadedFile("server.log", b"2026-11-25 ERROR websocket closed\n" * 100)
    response = maria.post(
        "/portal/tickets/new/",
        {
            "subject": "Chat is down for everyone",
            "environment": world.acme_prod.pk,
            "severity": "L1",
            "category": "troubleshooting",
            "description": "Nobody can log in since 09:00.",
            "attachments": [log],
        },
    )
    ticket = Ticket.objects.get(subject="Chat is down for everyone")
    assert response.status_code == 302
    assert response["Location"] == f"/portal/tickets/{ticket.pk}/"
    assert ticket.channel == "portal" and ticket.severity == "L1"
    assert ticket.attachments.get().filename == "server.log"
    page = maria.get(response["Location"]).content.decode()
    assert "server.log" in page
    assert "First response" in page and "due in" in page


def test_htmx_submission_answers_with_a_client_redirect(world, maria):
    response = maria.post(
        "/portal/tickets/new/",
        {
            "subject": "Search is slow",
            "severity": "L3",
            "category": "performance",
            "description": "Takes 10 s.",
        },
        headers={"HX-Request": "true"},
    )
    ticket = Ticket.objects.get(subject="Search is slow")
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"/portal/tickets/{ticket.pk}/"


def test_errors_are_tied_to_their_fields_and_keep_what_was_typed(world, maria):
    response = maria.post(
        "/portal/tickets/new/",
        {
            "subject": "Exports fail",
            "environment": world.acme_prod.pk,
            "severity": "L2",
            "category": "bug",
            "description": "",
        },
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert 'value="Exports fail"' in body
    assert 'id="id_description-error"' in body
    assert re.search(r'aria-describedby="description-hint id_description-error"', body)
    assert 'value="L2" checked' in body
    assert f'value="{world.acme_prod.pk}" selected' in body
    assert not Ticket.objects.exists()


def test_a_refusal_of_the_door_is_shown_with_its_reason_and_the_text_is_kept(world):
    lapsed = make_org("Lapsed Ltd", domains=["lapsed.example"], plan=None)
    carl = make_contact(lapsed, "carl")
    client = client_for(carl)
    body = client.get("/portal/tickets/new/").content.decode()
    assert 'role="alert"' in body and "no_subscription" in body
    response = client.post(
        "/portal/tickets/new/",
        {"subject": "Help", "severity": "L3", "category": "question", "description": "Please."},
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert "The ticket was not opened" in body
    assert "subscription" in body
    assert 'value="Help"' in body and ">Please.</textarea>" in body


def test_the_ticket_page_hides_internal_notes_and_shows_replies(world, maria):
    ticket = open_ticket(world.maria, now=now())
    ticket_note(ticket=ticket, body="Customer DB is huge", actor=world.actor(world.senior))
    ticket_reply(ticket=ticket, body="We are looking into it.", actor=world.actor(world.senior))
    body = maria.get(f"/portal/tickets/{ticket.pk}/").content.decode()
    assert "We are looking into it." in body
    assert "Customer DB is huge" not in body
    assert "internal note" not in body
    assert 'data-clock="first_response" data-state="met"' in body


def test_other_organisations_tickets_are_not_found(world, maria):
    theirs = open_ticket(world.gus, now=now())
    assert maria.get(f"/portal/tickets/{theirs.pk}/").status_code == 404
    assert maria.get(f"/portal/tickets/{theirs.pk}/clocks/").status_code == 404


def test_a_contact_replies_with_a_file(world, maria):
    ticket = open_ticket(world.maria, now=now())
    response = maria.post(
        f"/portal/tickets/{ticket.pk}/reply/",
        {"body": "Here is the log", "attachments": [SimpleUploadedFile("a.log", b"x" * 10)]},
    )
    assert response.status_code == 302
    message = ticket.messages.order_by("-id").first()
    assert message.body == "Here is the log"
    assert message.attachments.get().filename == "a.log"


def test_an_empty_reply_is_refused_on_its_field(world, maria):
    ticket = open_ticket(world.maria, now=now())
    response = maria.post(f"/portal/tickets/{ticket.pk}/reply/", {"body": ""})
    assert response.status_code == 422
    assert 'id="id_reply-error"' in response.content.decode()


def test_contacts_cannot_download_internal_attachments(world, maria):
    ticket = open_ticket(world.maria, now=now())
    note = ticket_note(
        ticket=ticket,
        body="see file",
        actor=world.actor(world.senior),
        attachments=[Upload(stream=io.BytesIO(b"secret"), filename="internal.txt")],
    )
    attachment = note.attachments.get()
    assert maria.get(f"/tickets/{ticket.pk}/attachments/{attachment.pk}/").status_code == 404
    senior = client_for(world.senior)
    response = senior.get(f"/tickets/{ticket.pk}/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"secret"


def test_suggestions_point_at_a_likely_duplicate(world, maria):
    open_ticket(world.maria, subject="Messages delayed for all users", now=now())
    response = maria.get("/portal/tickets/new/suggest/?subject=messages+are+delayed+for+users")
    body = response.content.decode()
    assert "You may already have a ticket about this" in body
    assert "Messages delayed for all users" in body


def test_unrelated_subjects_suggest_nothing(world, maria):
    open_ticket(world.maria, subject="Messages delayed for all users", now=now())
    body = maria.get("/portal/tickets/new/suggest/?subject=license+renewal+question").content
    assert b"already have a ticket" not in body


def test_actor_is_the_web(world, maria):
    maria.post(
        "/portal/tickets/new/",
        {"subject": "Via web", "severity": "L3", "category": "question", "description": "Hi"},
    )
    event = Ticket.objects.get(subject="Via web").events.order_by("id").first()
    assert event.via == "web"


def test_htmx_filtering_answers_rows_but_a_history_restore_gets_the_page(world, maria):
    open_ticket(world.maria, subject="Restored", now=now())
    rows = maria.get("/portal/?state=all", headers={"HX-Request": "true"}).content.decode()
    assert "Restored" in rows and "<html" not in rows
    page = maria.get(
        "/portal/?state=all",
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    ).content.decode()
    assert "<html" in page


def test_page_links_keep_the_filters(world, maria, monkeypatch):
    from sladesk.web import selectors

    monkeypatch.setattr(selectors, "PAGE", 1)
    for i in range(2):
        open_ticket(world.maria, subject=f"Paged {i}", severity="L3", now=now())
    body = maria.get("/portal/?severity=L3&state=all").content.decode()
    assert "?severity=L3&amp;state=all&amp;page=2" in body


def test_the_ticket_page_speaks_plainly_about_clocks_and_levels(world, maria, sam):
    ticket = open_ticket(world.maria, severity="L2", now=time.now())
    body = maria.get(f"/portal/tickets/{ticket.pk}/").content.decode()
    assert "1 h in always" not in body.replace('title="2 h in always"', "")
    assert "2 h, around the clock at L2" in body
    assert '<span class="clock-name">First response</span>' in body
    sam.post(f"/console/tickets/{ticket.pk}/reply/", {"kind": "reply", "body": "on it"})
    body = maria.get(f"/portal/tickets/{ticket.pk}/").content.decode()
    assert "<dt>met</dt><dd>at " in body and "(after " in body
    assert "remaining" not in body
    sam.post(f"/console/tickets/{ticket.pk}/severity/", {"severity": "L1", "reason": "outage"})
    body = maria.get(f"/portal/tickets/{ticket.pk}/").content.decode()
    assert "Level changed by the support team: outage" in body
    assert "set by an agent" not in body


def test_a_staging_ticket_shows_one_line_about_its_level(world, maria):
    ticket = open_ticket(world.maria, severity="L2", environment=world.acme_staging, now=time.now())
    body = maria.get(f"/portal/tickets/{ticket.pk}/").content.decode()
    assert "acme staging is not a production environment" in body
    assert body.count("not production") <= 1  # the meta line only, no second note
    assert "non production" not in body


def test_the_category_starts_empty_and_is_required(world, maria):
    body = maria.get("/portal/tickets/new/").content.decode()
    assert '<option value="">Choose a category…</option>' in body
    assert '<option value="installation" selected>' not in body
    response = maria.post("/portal/tickets/new/", {"subject": "x", "description": "y"})
    assert response.status_code == 422
    assert 'id="id_category-error"' in response.content.decode()


def test_field_errors_clear_while_typing_in_desk_js():
    from pathlib import Path

    import sladesk.web

    js = (Path(sladesk.web.__file__).parent / "static/web/desk.js").read_text()
    assert 'addEventListener("input", clearFieldError)' in js


def test_suggestions_list_only_articles_sharing_a_significant_word(world, maria):
    from sladesk.kb.demo import seed_kb_demo

    seed_kb_demo()
    body = maria.get(
        "/portal/tickets/new/suggest/?subject=Users+cannot+log+in+with+SAML"
    ).content.decode()
    titles = re.findall(r'target="_blank" rel="noopener">([^<]+)</a>', body)
    assert titles == ["Users cannot log in after enabling SAML"]


def test_the_customer_marks_their_ticket_solved(world, maria):
    ticket = open_ticket(world.maria, now=now())
    page = maria.get(f"/portal/tickets/{ticket.pk}/").content.decode()
    assert 'id="solve-form"' in page and "Mark as solved" in page
    assert "A reply within 48 hours reopens it" in page
    response = maria.post(f"/portal/tickets/{ticket.pk}/solve/")
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "solved"
    page = maria.get(f"/portal/tickets/{ticket.pk}/").content.decode()
    assert 'id="solve-form"' not in page  # nothing more to mark


def test_solving_twice_says_why_and_changes_nothing(world, maria):
    ticket = open_ticket(world.maria, now=now())
    maria.post(f"/portal/tickets/{ticket.pk}/solve/")
    response = maria.post(f"/portal/tickets/{ticket.pk}/solve/")
    assert response.status_code == 409
    assert 'id="solve-error"' in response.content.decode()
    assert "already solved" in response.content.decode()


def test_another_organisations_ticket_cannot_be_solved(world, maria):
    theirs = open_ticket(world.gus, now=now())
    assert maria.post(f"/portal/tickets/{theirs.pk}/solve/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "new"


def test_an_oversized_file_is_refused_by_name_and_the_typed_text_is_kept(world, maria, settings):
    settings.SLADESK_MAX_ATTACHMENT_BYTES = 100_000
    response = maria.post(
        "/portal/tickets/new/",
        {
            "subject": "Server crashed overnight",
            "description": "Attached the heap dump from 03:00.",
            "severity": "L2",
            "category": "troubleshooting",
            "attachments": [SimpleUploadedFile("heap.dump", b"\0" * 3_000_000)],
        },
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "heap.dump is over the 100,000-byte limit" in body
    assert "Server crashed overnight" in body and "Attached the heap dump" in body
    assert not Ticket.objects.filter(subject="Server crashed overnight").exists()
