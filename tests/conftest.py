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
