"""The ``DeskError`` tree: domain refusals with a stable code and a human reason.

Services raise these; every interface turns them into its own shape (a JSON error with
``code`` in the API, a form error in the UI, one line on stderr and exit 1 in the CLI).
"""

from __future__ import annotations


class DeskError(Exception):
    """A refusal the user can act on: ``code`` is stable, ``message`` says why."""

    code: str = "desk_error"
    status: int = 400

    def __init__(
        self, message: str, *, code: str | None = None, details: dict[str, object] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details or {}

    def __str__(self) -> str:
        return self.message


class NotFound(DeskError):
    """The object does not exist, or the caller may not know that it does."""

    code = "not_found"
    status = 404


class PermissionDenied(DeskError):
    """The caller is known but may not do this."""

    code = "permission_denied"
    status = 403


class ValidationFailed(DeskError):
    """Input is well-formed but breaks a domain rule."""

    code = "invalid"
    status = 422


class Conflict(DeskError):
    """The change conflicts with the current state (duplicate, limit reached...)."""

    code = "conflict"
    status = 409
