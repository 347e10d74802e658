"""Attach each area's router to the API (one line per area)."""

from __future__ import annotations

from ninja import NinjaAPI


def register_routers(api: NinjaAPI) -> None:
    """Add the area routers; called once when the URLconf loads."""
    if getattr(api, "_sladesk_routers_added", False):
        return
    api._sladesk_routers_added = True  # type: ignore[attr-defined]

    from sladesk.api.apis import (
        agents,
        audit,
        contacts,
        door,
        environments,
        me,
        organisations,
        releases,
        subscriptions,
        tokens,
    )
    from sladesk.notifications import api as notifications
    from sladesk.packets import api as diagnostics
    from sladesk.tickets import api as tickets

    for module in (
        me,
        organisations,
        contacts,
        environments,
        subscriptions,
        releases,
        door,
        tokens,
        agents,
        audit,
        tickets,
        diagnostics,
        notifications,
    ):
        api.add_router("", module.router)
