"""The desk end to end in Debian's chromium: portal, console, dashboard, knowledge base.

Screenshots of each main page are written to ``$SLADESK_ARTIFACTS_DIR/screenshots``
(default ``var/test-artifacts/screenshots``, git-ignored).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from django.db import connection
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from sladesk.accounts.models import Team
from sladesk.core import time
from sladesk.kb.demo import seed_kb_demo
from sladesk.tickets.models import Ticket
from tests.tickets.conftest import World, catalogue, open_ticket  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "browser-pass-2026"


@pytest.fixture(scope="session")
def shots() -> Path:
    base = Path(os.environ.get("SLADESK_ARTIFACTS_DIR") or REPO / "var" / "test-artifacts")
    path = base / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def desk(db, catalogue):  # noqa: F811
    # Transactional tests flush the tables, the teams the migrations made included.
    Team.objects.get_or_create(slug="senior", defaults={"name": "Senior support team"})
    Team.objects.get_or_create(slug="support", defaults={"name": "Support team"})
    world = World()
    for person in (world.maria, world.senior):
        person.user.set_password(PASSWORD)
        person.user.save()
    seed_kb_demo()
    return world


def lock_waits() -> list[tuple[str, str, str]]:
    """Return the sessions waiting on a lock, with the query they wait in (PostgreSQL)."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT state, wait_event, left(query, 200) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND (wait_event_type = 'Lock' OR state LIKE 'idle in transaction%%')"
        )
        return list(cursor.fetchall())


def sign_in(page, live_server, email: str) -> None:
    page.goto(live_server.url + "/login/")
    page.get_by_label("E-mail or username").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")


def test_l1_ticket_with_a_log_is_answered_and_both_see_the_clock_met(
    browser, live_server, desk, shots, tmp_path
):
    # An older, less urgent ticket is in the queue already.
    open_ticket(desk.maria, subject="Question about exports", severity="L4", now=time.now())

    contact = browser.new_context(timezone_id="Europe/Paris", locale="en-GB")
    page = contact.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server, desk.maria.email)
    page.goto(live_server.url + "/portal/tickets/new/")
    page.get_by_label("Subject").fill("Messages are delayed for everyone")
    # Self-help first: a matching article is suggested while typing.
    page.get_by_text("These articles may answer it").wait_for()
    page.get_by_label("Environment").select_option(str(desk.acme_prod.pk))
    l1 = page.get_by_role("radio", name=re.compile("L1 Urgent business impact"))
    l1.check()
    due_text = page.locator('[data-level-due="L1"]').inner_text()
    assert "calendar:" in due_text
    page.get_by_label("Category").select_option("troubleshooting")
    page.get_by_label("Description").fill("Since 09:00 messages arrive minutes late.")
    log = tmp_path / "mattermost.log"
    log.write_bytes(b"2026-11-28T09:00:00Z error websocket closed code=1006\n" * 40_000)
    page.get_by_label(re.compile("Attachments")).set_input_files(str(log))
    page.screenshot(path=str(shots / "portal-new-ticket.png"), full_page=True)
    page.get_by_role("button", name="Open ticket").click()
    # The upload is redacted and analysed before the ticket page loads: ~1 s alone, but
    # several times that on a loaded 2-core CI machine, so this one wait gets longer.
    try:
        page.wait_for_url(re.compile(r".*/portal/tickets/\d+/$"), timeout=60_000)
    except PlaywrightTimeoutError:  # say why, for a failure seen only on loaded CI machines
        page.screenshot(path=str(shots / "portal-new-ticket-timeout.png"), full_page=True)
        alerts = page.locator("[role=alert]").all_inner_texts()
        raise AssertionError(
            f"no ticket page 60 s after 'Open ticket': still at {page.url}; "
            f"alerts: {alerts}; database lock waits: {lock_waits()}"
        ) from None
    ticket = Ticket.objects.get(subject="Messages are delayed for everyone")
    assert ticket.severity == "L1" and ticket.attachments.get().filename == "mattermost.log"
    clock = page.locator('[data-clock="first_response"]')
    assert "due in" in clock.inner_text()
    assert "mattermost.log" in page.content()
    page.screenshot(path=str(shots / "portal-ticket.png"), full_page=True)
    page.goto(live_server.url + "/portal/")
    page.screenshot(path=str(shots / "portal-list.png"), full_page=True)

    agent = browser.new_context(timezone_id="America/New_York", locale="en-US")
    console = agent.new_page()
    console.set_default_timeout(15_000)
    sign_in(console, live_server, desk.senior.user.email)
    console.goto(live_server.url + "/console/?queue=senior")
    first_row = console.locator("table.queue tbody tr").first
    assert "Messages are delayed for everyone" in first_row.inner_text()
    assert "on time" in first_row.inner_text()
    console.screenshot(path=str(shots / "console-queue.png"), full_page=True)
    # Keyboard: j selects the first row, Enter opens it, r focuses the reply.
    console.keyboard.press("j")
    console.keyboard.press("Enter")
    console.wait_for_url(re.compile(rf".*/console/tickets/{ticket.pk}/$"))
    console.keyboard.press("r")
    console.keyboard.type("We see it too: the proxy drops WebSockets. Fix under way.")
    console.get_by_role("button", name="Send reply").click()
    console.locator('[data-clock="first_response"][data-state="met"]').wait_for()
    console.screenshot(path=str(shots / "console-ticket.png"), full_page=True)

    page.goto(live_server.url + f"/portal/tickets/{ticket.pk}/")
    met = page.locator('[data-clock="first_response"]')
    assert "met" in met.inner_text()
    assert "We see it too" in page.content()
    page.screenshot(path=str(shots / "portal-ticket-met.png"), full_page=True)
    # The answer fixed it: the customer marks the ticket solved (after confirming).
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Mark as solved").click()
    page.locator(".meta", has_text="Solved").wait_for()
    assert page.locator("#solve-form").count() == 0
    ticket.refresh_from_db()
    assert ticket.status == "solved"
    contact.close()
    agent.close()


def test_dashboard_and_knowledge_base_render(browser, live_server, desk, shots):
    now = time.now()
    late = open_ticket(desk.gus, severity="L1", now=now - dt.timedelta(days=3))
    open_ticket(desk.gus, severity="L2", now=now)
    from sladesk.tickets.services import ticket_reply

    ticket_reply(ticket=late, body="Sorry for the wait", actor=desk.actor(desk.engineer))
    context = browser.new_context(timezone_id="Europe/Paris", locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server, desk.senior.user.email)
    page.goto(live_server.url + "/console/dashboard/")
    charts = page.locator("svg.chart")
    assert charts.count() == 4
    for i in range(4):
        assert charts.nth(i).is_visible()
        assert charts.nth(i).bounding_box()["height"] > 100
    assert page.locator("svg.chart rect").count() > 0
    page.screenshot(path=str(shots / "dashboard.png"), full_page=True)
    page.goto(live_server.url + "/kb/")
    page.get_by_label("Search articles").fill("saml login")
    page.get_by_role("link", name="Users cannot log in after enabling SAML").wait_for()
    page.screenshot(path=str(shots / "kb-search.png"), full_page=True)
    page.get_by_role("link", name="Users cannot log in after enabling SAML").click()
    page.get_by_role("heading", name="Users cannot log in after enabling SAML").wait_for()
    page.screenshot(path=str(shots / "kb-article.png"), full_page=True)
    context.close()


def test_the_portal_on_a_phone(browser, live_server, desk, shots):
    open_ticket(desk.maria, subject="Phone-sized check", now=time.now())
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, timezone_id="Europe/Paris", is_mobile=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server, desk.maria.email)
    page.goto(live_server.url + "/portal/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    page.screenshot(path=str(shots / "portal-list-phone.png"), full_page=True)
    page.goto(live_server.url + "/portal/tickets/new/")
    page.screenshot(path=str(shots / "portal-new-ticket-phone.png"), full_page=True)
    context.close()
