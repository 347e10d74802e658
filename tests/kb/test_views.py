"""Knowledge base pages: reading for everyone, editing for agents, articles from answers."""

from __future__ import annotations

import pytest

from sladesk.core import time
from sladesk.kb.demo import seed_kb_demo
from sladesk.kb.models import Article
from sladesk.tickets.services import ticket_reply
from tests.web.conftest import client_for, open_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles(db):
    seed_kb_demo()


def test_visitors_read_public_articles(client, articles):
    body = client.get("/kb/").content.decode()
    assert "Messages are delayed or arrive late" in body
    assert "Internal: reading" not in body
    page = client.get("/kb/messages-are-delayed-or-arrive-late/").content.decode()
    assert "<code>proxy_set_header" not in page  # inside a fenced block, escaped
    assert "proxy_set_header Upgrade" in page
    assert client.get("/kb/internal-reading-the-job-servers-queue-depth/").status_code == 404


def test_search_page_ranks_results(client, articles):
    body = client.get("/kb/?q=saml+login").content.decode()
    assert "Users cannot log in after enabling SAML" in body
    assert "best first" in body


def test_agents_see_internal_articles_and_can_edit(world, articles):
    agent = client_for(world.senior)
    assert agent.get("/kb/internal-reading-the-job-servers-queue-depth/").status_code == 200
    response = agent.post(
        "/kb/new/",
        {
            "title": "Push notifications",
            "body": "Check the **push proxy**.",
            "visibility": "public",
        },
    )
    assert response.status_code == 302
    article = Article.objects.get(title="Push notifications")
    assert "<strong>push proxy</strong>" in article.body_html
    response = agent.post(
        f"/kb/{article.slug}/edit/",
        {"title": "Push notifications", "body": "", "visibility": "public"},
    )
    assert response.status_code == 422
    assert 'id="id_body-error"' in response.content.decode()


def test_contacts_cannot_edit(world, articles):
    contact = client_for(world.maria)
    assert contact.get("/kb/new/").status_code == 404
    assert contact.post("/kb/new/", {"title": "x", "body": "y"}).status_code == 404


def test_an_article_from_an_answer(world, articles):
    ticket = open_ticket(world.maria, subject="Emoji picker crashes", now=time.now())
    answer = ticket_reply(
        ticket=ticket, body="Clear the cache, then reload.", actor=world.actor(world.senior)
    )
    agent = client_for(world.senior)
    page = agent.get(f"/console/tickets/{ticket.pk}/").content.decode()
    assert f"/kb/new/?from_message={answer.pk}" in page
    form = agent.get(f"/kb/new/?from_message={answer.pk}").content.decode()
    assert 'value="Emoji picker crashes"' in form
    assert "Clear the cache, then reload." in form
    response = agent.post(
        "/kb/new/",
        {
            "title": "Emoji picker crashes",
            "body": "Clear the cache, then reload.",
            "visibility": "internal",
            "source_ticket": ticket.pk,
        },
    )
    assert response.status_code == 302
    assert Article.objects.get(title="Emoji picker crashes").source_ticket_id == ticket.pk


def test_portal_suggestions_list_matching_articles(world, articles):
    contact = client_for(world.maria)
    body = contact.get("/portal/tickets/new/suggest/?subject=messages+delayed").content.decode()
    assert "These articles may answer it" in body
    assert "Messages are delayed or arrive late" in body
    assert "Internal" not in body
