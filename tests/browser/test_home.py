"""A visitor sees the contract's response targets and can sign in."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_front_page_shows_the_first_response_table(page, live_server):
    page.goto(live_server.url + "/")
    table = page.get_by_role("table", name="First-response targets")
    assert "Premier Support" in table.inner_text()
    premier_row = page.get_by_role("row", name="Premier Support")
    assert "1 h, around the clock" in premier_row.inner_text()
    assert "2 h, around the clock" in premier_row.inner_text()


def test_wrong_password_is_refused_with_a_reason(page, live_server, django_user_model):
    django_user_model.objects.create_user(
        username="agent@vendor.example", password="right-pass-123"
    )
    page.goto(live_server.url + "/login/")
    page.get_by_label("E-mail or username").fill("agent@vendor.example")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").is_visible()
    assert "correct username and password" in page.get_by_role("alert").inner_text()
    # What the user typed is kept.
    assert page.get_by_label("E-mail or username").input_value() == "agent@vendor.example"


def test_right_password_signs_in(page, live_server, django_user_model):
    django_user_model.objects.create_user(
        username="agent@vendor.example", password="right-pass-123"
    )
    page.goto(live_server.url + "/login/")
    page.get_by_label("E-mail or username").fill("agent@vendor.example")
    page.get_by_label("Password").fill("right-pass-123")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")
    assert "Signed in as agent@vendor.example" in page.content()
