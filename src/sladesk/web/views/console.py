"""The agent console: queues sorted by the nearest due clock, and the agent's ticket page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages as flash
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from sladesk.accounts.access import Principal
from sladesk.accounts.models import Agent, Team
from sladesk.core import time
from sladesk.core.exceptions import DeskError
from sladesk.packets.selectors import facts_at_a_glance, ticket_diagnostics
from sladesk.policy import get_policy
from sladesk.tickets import sla as ticket_sla
from sladesk.tickets.models import Category, Status, Ticket
from sladesk.tickets.selectors import flags_for, latest_clocks, ticket_messages
from sladesk.tickets.services import (
    TRANSITIONS,
    ticket_assign,
    ticket_note,
    ticket_reply,
    ticket_severity_set,
    ticket_status_set,
)
from sladesk.web import selectors
from sladesk.web.auth import HtmxHttpRequest, agent_view, web_actor
from sladesk.web.auth import partial_request as _partial
from sladesk.web.forms import (
    AssignForm,
    ReplyForm,
    SeverityForm,
    StatusForm,
    attach_error,
    oversized_uploads_refused,
)
from sladesk.web.views.portal import _uploads, ticket_or_404


def _queue_args(request: HtmxHttpRequest) -> tuple[str, selectors.QueueFilters, str]:
    queue = request.GET.get("queue", "mine")
    if queue not in selectors.QUEUES:
        queue = "mine"
    filters = selectors.QueueFilters(
        plan=request.GET.get("plan", "")[:40],
        severity=request.GET.get("severity", "")[:16],
        organisation=request.GET.get("organisation", "")[:80].strip(),
        status=request.GET.get("status", "") if request.GET.get("status") in Status.values else "",
        category=request.GET.get("category", "")
        if request.GET.get("category") in Category.values
        else "",
    )
    return queue, filters, request.GET.get("after", "")[:80]


@agent_view
def queue(request: HtmxHttpRequest, principal: Principal) -> HttpResponse:
    """A queue, nearest due first; htmx polls ``#queue-rows`` so new tickets appear."""
    name, filters, cursor = _queue_args(request)
    policy = get_policy()
    page = selectors.queue_page(
        agent=selectors.agent_of(int(principal.user.pk)),
        queue=name,
        filters=filters,
        now=time.now(),
        policy=policy,
        cursor=cursor,
    )
    context = {
        "principal": principal,
        "queue": name,
        "queues": selectors.QUEUES,
        "filters": filters,
        "page": page,
        "policy": policy,
        "statuses": Status.choices,
        "categories": Category.choices,
        "organisations": [] if _partial(request) else selectors.organisation_choices(),
        "query": request.GET.urlencode(),
    }
    template = "web/console/_queue_rows.html" if _partial(request) else "web/console/queue.html"
    return render(request, template, context)


def _forms(**bound: Form) -> dict[str, Form]:
    forms: dict[str, Form] = {
        "reply_form": ReplyForm(),
        "note_form": ReplyForm(prefix="note"),
        "severity_form": SeverityForm(),
        "status_form": StatusForm(),
        "assign_form": AssignForm(),
    }
    forms.update(bound)
    return forms


def _page(
    request: HtmxHttpRequest,
    principal: Principal,
    ticket: Ticket,
    *,
    status: int = 200,
    **bound: Form,
) -> HttpResponse:
    policy = get_policy()
    now = time.now()
    explains = [
        ticket_sla.clock_explain(c, now=now, policy=policy)
        if c.calendar in policy.calendars
        else None
        for c in latest_clocks(ticket)
    ]
    context: dict[str, Any] = {
        "principal": principal,
        "ticket": ticket,
        "messages": list(ticket_messages(ticket, include_internal=True)),
        "clocks": selectors.ticket_clock_views(ticket, now=now, policy=policy),
        "explains": [e for e in explains if e is not None],
        "flags": flags_for(ticket, agent=True),
        "panel": selectors.customer_panel(ticket, now=now, policy=policy),
        "diagnostics": [
            (analysis, facts_at_a_glance(analysis.facts))
            for analysis in ticket_diagnostics(ticket, include_internal=True)
        ],
        "levels": list(policy.severities.values()),
        "transitions": sorted(TRANSITIONS.get(ticket.status, ())),
        "agents": list(Agent.objects.filter(user__is_active=True).order_by("name")),
        "teams": list(Team.objects.order_by("name")),
        "policy": policy,
        "reply_url": reverse("console-reply", args=[ticket.pk]),
        "notices": list(flash.get_messages(request)),
        **_forms(**bound),
    }
    return render(request, "web/console/ticket_detail.html", context, status=status)


#: The side forms whose failed plain POST is redirected back to the ticket page (PRG).
SIDE_FORMS: dict[str, tuple[type[Form], str]] = {
    "severity_form": (SeverityForm, "The level was not changed"),
    "status_form": (StatusForm, "The status was not changed"),
    "assign_form": (AssignForm, "The ticket was not assigned"),
}


def _stash_key(ticket: Ticket) -> str:
    return f"console-failed-form-{ticket.pk}"


def _failed(
    request: HtmxHttpRequest, principal: Principal, ticket: Ticket, key: str, form: Form
) -> HttpResponse:
    """Answer a side form that did not go through.

    htmx swaps the page with the form's errors (422). A plain POST is redirected back to
    the ticket's own URL (post/redirect/get), so a reload never re-posts to the action URL;
    the typed values and errors come back from the session, and a message says what failed.
    """
    if request.htmx:
        return _page(request, principal, ticket, status=422, **{key: form})
    data = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
    errors = {field: [str(e) for e in errs] for field, errs in form.errors.items()}
    request.session[_stash_key(ticket)] = {"key": key, "data": data, "errors": errors}
    headline = SIDE_FORMS[key][1]
    detail = "; ".join(e for errs in errors.values() for e in errs)
    flash.error(request, f"{headline}: {detail}" if detail else f"{headline}.")
    return redirect(reverse("console-ticket", args=[ticket.pk]) + "#actions-title")


def _restored(request: HtmxHttpRequest, ticket: Ticket) -> dict[str, Form]:
    """Return the side form a failed plain POST left in the session, with its errors."""
    stash = request.session.pop(_stash_key(ticket), None)
    if not isinstance(stash, dict) or stash.get("key") not in SIDE_FORMS:
        return {}
    form_class = SIDE_FORMS[stash["key"]][0]
    form = form_class(stash.get("data") or {})
    form.is_valid()
    for field, errs in (stash.get("errors") or {}).items():
        known = [str(e) for e in form.errors.get(field) or ()]
        for error in errs:
            if error not in known:
                form.add_error(None if field == "__all__" else field, error)
    return {stash["key"]: form}


@agent_view
def ticket_detail(request: HtmxHttpRequest, principal: Principal, ticket_id: int) -> HttpResponse:
    ticket = ticket_or_404(principal, ticket_id)
    restored: dict[str, Any] = dict(_restored(request, ticket))
    return _page(request, principal, ticket, **restored)


def _done(request: HtmxHttpRequest, ticket: Ticket, anchor: str = "") -> HttpResponse:
    url = reverse("console-ticket", args=[ticket.pk])
    # htmx navigates with location.href: a change of the fragment alone would not reload.
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url + anchor)


@agent_view
def ticket_reply_view(
    request: HtmxHttpRequest, principal: Principal, ticket_id: int
) -> HttpResponse:
    """A public reply (meets the first-response clock) or, with ``kind=note``, an internal note."""
    ticket = ticket_or_404(principal, ticket_id)
    if request.method != "POST":
        return _done(request, ticket)
    is_note = request.POST.get("kind") == "note"
    form = ReplyForm(request.POST, request.FILES, prefix="note" if is_note else None)
    if form.is_valid() and not oversized_uploads_refused(form, request):
        write = ticket_note if is_note else ticket_reply
        try:
            write(
                ticket=ticket,
                body=form.cleaned_data["body"],
                attachments=_uploads(form.cleaned_data["attachments"]),
                actor=web_actor(request),
            )
        except DeskError as error:
            attach_error(form, error)
        else:
            return _done(request, ticket, "#thread-end")
    key = "note_form" if is_note else "reply_form"
    return _page(request, principal, ticket, status=422, **{key: form})


def _side_change(
    request: HtmxHttpRequest,
    principal: Principal,
    ticket_id: int,
    *,
    form: Form,
    key: str,
    apply: Callable[[Ticket, dict[str, Any]], None],
) -> HttpResponse:
    """Validate a side form, apply it through its service, and answer as every change does.

    ``apply`` calls the one service for the change; it may add form errors instead (then
    nothing is applied). A ``DeskError`` becomes a form error with its reason.
    """
    ticket = ticket_or_404(principal, ticket_id)
    if request.method == "POST" and form.is_valid():
        try:
            apply(ticket, form.cleaned_data)
        except DeskError as error:
            attach_error(form, error)
        else:
            if not form.errors:
                return _done(request, ticket)
    return _failed(request, principal, ticket, key, form)


@agent_view
def ticket_severity(request: HtmxHttpRequest, principal: Principal, ticket_id: int) -> HttpResponse:
    def apply(ticket: Ticket, data: dict[str, Any]) -> None:
        ticket_severity_set(
            ticket=ticket,
            severity=data["severity"],
            reason=data["reason"],
            actor=web_actor(request),
        )

    form = SeverityForm(request.POST or None)
    return _side_change(request, principal, ticket_id, form=form, key="severity_form", apply=apply)


@agent_view
def ticket_status(request: HtmxHttpRequest, principal: Principal, ticket_id: int) -> HttpResponse:
    def apply(ticket: Ticket, data: dict[str, Any]) -> None:
        ticket_status_set(
            ticket=ticket, status=data["status"], reason=data["reason"], actor=web_actor(request)
        )

    form = StatusForm(request.POST or None)
    return _side_change(request, principal, ticket_id, form=form, key="status_form", apply=apply)


@agent_view
def ticket_assignee(request: HtmxHttpRequest, principal: Principal, ticket_id: int) -> HttpResponse:
    form = AssignForm(request.POST or None)

    def apply(ticket: Ticket, data: dict[str, Any]) -> None:
        raw_agent = data["agent"]
        agent = Agent.objects.filter(pk=int(raw_agent)).first() if raw_agent.isdigit() else None
        if raw_agent and agent is None:
            form.add_error("agent", "choose an agent from the list")
            return
        team = Team.objects.filter(slug=data["team"]).first() if data["team"] else None
        ticket_assign(
            ticket=ticket, agent=agent, team=team, reason=data["reason"], actor=web_actor(request)
        )

    return _side_change(request, principal, ticket_id, form=form, key="assign_form", apply=apply)


@agent_view
def ticket_clocks(request: HtmxHttpRequest, principal: Principal, ticket_id: int) -> HttpResponse:
    ticket = ticket_or_404(principal, ticket_id)
    clocks = selectors.ticket_clock_views(ticket, now=time.now(), policy=get_policy())
    return render(request, "web/_clocks.html", {"clocks": clocks, "ticket": ticket})
