"""Committed-data tests that leave the database as the migrations left it.

A transactional test ends with a flush, which also empties the rows the data
migrations wrote (the senior and support teams), and tests that run after it expect
them. ``live_db`` flushes like ``transactional_db`` and then writes those rows back;
``serialized_rollback`` is not used: mixed with plain transactional tests it collides
on content types re-created by the flush.
"""

from __future__ import annotations

import pytest

#: The rows of the data migrations (accounts 0002, tickets 0002).
TEAMS = (
    ("senior", "Senior support team"),
    ("support", "Support team"),
)


def initial_rows() -> None:
    """Write the data migrations' rows back if they are missing."""
    from sladesk.accounts.models import Team

    for slug, name in TEAMS:
        Team.objects.get_or_create(slug=slug, defaults={"name": name})


@pytest.fixture
def live_db(request, django_db_blocker):
    """Give the test a committed database (like ``transactional_db``), restored afterwards.

    List it first, with ``transactional_db`` after it (so pytest-django runs the test
    among the transactional ones). The restore is a finalizer of the test item
    registered before the database fixture's, so it runs after the flush.
    """

    def restore() -> None:
        with django_db_blocker.unblock():
            initial_rows()

    request.node.addfinalizer(restore)
    request.getfixturevalue("transactional_db")
    initial_rows()
