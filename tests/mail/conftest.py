"""Fixtures for the mail tests: the tickets' world of customers, and .eml fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tickets.conftest import World, catalogue  # noqa: F401  (fixtures)

FIXTURES = Path(__file__).parent / "fixtures"


def eml(name: str, **fields: str) -> bytes:
    """Return a fixture's bytes with ``{{FIELD}}`` placeholders filled in."""
    raw = (FIXTURES / name).read_bytes()
    for key, value in fields.items():
        raw = raw.replace(b"{{" + key.encode() + b"}}", value.encode())
    return raw


@pytest.fixture
def world(db, catalogue):  # noqa: F811
    return World()
