"""Who is at the desk: the signed-in user as a ``Principal``, for the portal and the console.

Views are wrapped with ``contact_view`` (the customer portal), ``agent_view`` (the
console) or ``principal_view`` (either); the wrapped view receives the principal as its
second argument. Anonymous visitors go to the sign-in page; a signed-in user of the wrong
kind gets a 404 (the page does not exist for them), as the access chokepoints do for ids.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponseBase
from django_htmx.middleware import HtmxDetails

from sladesk.accounts.access import Principal, principal_for
from sladesk.accounts.actor import Actor

_ATTR = "_sladesk_principal"

DeskView = Callable[..., HttpResponseBase]


class HtmxHttpRequest(HttpRequest):
    """A request as ``django_htmx.middleware.HtmxMiddleware`` leaves it (for type checkers)."""

    htmx: HtmxDetails


def partial_request(request: HtmxHttpRequest) -> bool:
    """Return whether to answer with a fragment: an htmx request, not a history restore."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def request_principal(request: HttpRequest) -> Principal | None:
    """Return the request's principal (resolved once per request, then cached on it)."""
    if not hasattr(request, _ATTR):
        setattr(request, _ATTR, principal_for(request.user))
    found: Principal | None = getattr(request, _ATTR)
    return found


def web_actor(request: HttpRequest) -> Actor:
    """Return the signed-in user as the actor of a write made through the web desk."""
    return Actor.for_user(request.user, via="web")  # type: ignore[arg-type]


def _guard(kind: str) -> Callable[[DeskView], DeskView]:
    def decorate(view: DeskView) -> DeskView:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            principal = request_principal(request)
            if principal is None:
                raise Http404("the desk does not know this user")
            if kind == "agent" and not principal.is_agent:
                raise Http404("agents only")
            if kind == "contact" and principal.contact is None:
                raise Http404("contacts only")
            return view(request, principal, *args, **kwargs)

        return wrapper

    return decorate


contact_view = _guard("contact")
agent_view = _guard("agent")
principal_view = _guard("any")
