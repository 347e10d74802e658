"""Who performs a write, as recorded in the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@dataclass(frozen=True, slots=True)
class Actor:
    """The user (if any) behind a write and the interface it came through.

    ``via`` is one of ``cli``, ``api``, ``admin``, ``web``, ``demo``, ``system``.
    """

    user: User | None
    via: str
    label: str

    @classmethod
    def cli(cls, *, label: str = "") -> Actor:
        """Return the operator running a management command (shell access, no user)."""
        return cls(user=None, via="cli", label=label or "operator (CLI)")

    @classmethod
    def system(cls, *, label: str = "system") -> Actor:
        """Return the desk itself (migrations, scheduled jobs)."""
        return cls(user=None, via="system", label=label)

    @classmethod
    def demo(cls) -> Actor:
        """Return the demo seeder."""
        return cls(user=None, via="demo", label="demo seed")

    @classmethod
    def for_user(cls, user: User, *, via: str) -> Actor:
        """Return a signed-in user acting through ``via``."""
        return cls(user=user, via=via, label=user.get_username())
