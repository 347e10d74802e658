"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """Return ``../shared`` (the workplace's corpus and facts), or skip with the reason.

    A user's clone has no ``../shared``; tests that read it skip there, and the project's
    own fixtures cover each behaviour. ``SLADESK_REQUIRE_SHARED=1`` turns the skip into a failure.
    """
    if not SHARED.is_dir():
        if os.environ.get("SLADESK_REQUIRE_SHARED") == "1":
            pytest.fail(f"{SHARED} is missing and SLADESK_REQUIRE_SHARED=1")
        pytest.skip(f"{SHARED} is not here (only the developers' workplace has it)")
    return SHARED


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:
    """Point Django's file storage at a fresh folder and return it."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


#: Rows the data migrations write (accounts 0002, tickets 0002). A transactional test
#: ends with a flush that empties them too; the next test must find them again.
MIGRATION_TEAMS = (
    ("senior", "Senior support team"),
    ("support", "Support team"),
)


@pytest.fixture(autouse=True)
def _migration_rows(request: pytest.FixtureRequest) -> None:
    """Write the data migrations' rows back before any database test, if a flush removed them."""
    if request.node.get_closest_marker("django_db") is None and not (
        {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    ):
        return
    request.getfixturevalue("django_db_setup")
    blocker = request.getfixturevalue("django_db_blocker")
    from sladesk.accounts.models import Team

    with blocker.unblock():
        for slug, name in MIGRATION_TEAMS:
            Team.objects.get_or_create(slug=slug, defaults={"name": name})
