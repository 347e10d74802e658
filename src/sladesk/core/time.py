"""The one place the desk asks for the current time (tests pass ``now=`` instead)."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """Return the current instant, aware, in UTC."""
    return datetime.now(UTC)
