from __future__ import annotations

from tests.web.conftest import catalogue, world  # noqa: F401
