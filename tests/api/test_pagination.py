"""Lists are paginated with an opaque cursor."""

from __future__ import annotations

import pytest

from tests.accounts.factories import make_org
from tests.api.conftest import error

pytestmark = pytest.mark.django_db


def test_walking_a_list_with_the_cursor(as_role):
    for n in range(5):
        make_org(f"Customer {n}", domains=[f"c{n}.example"], plan=None)
    engineer = as_role("support_engineer")
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = engineer.get("/organisations", **params).json()
        assert len(page["items"]) <= 2
        seen += [o["name"] for o in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"Customer {n}" for n in range(5)]


def test_bad_cursor_and_limit(as_role):
    engineer = as_role("support_engineer")
    assert error(engineer.get("/organisations", cursor="garbage"), 422) == "invalid_cursor"
    assert error(engineer.get("/organisations", limit=0), 422) == "invalid_input"
    assert error(engineer.get("/organisations", limit=201), 422) == "invalid_input"


def test_a_page_costs_a_fixed_number_of_queries(as_role, django_assert_max_num_queries):
    for n in range(8):
        make_org(f"Customer {n}", domains=[f"c{n}.example"], plan=None)
    engineer = as_role("support_engineer")
    with django_assert_max_num_queries(8):
        assert len(engineer.get("/organisations", limit=50).json()["items"]) == 8
