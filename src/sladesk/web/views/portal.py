"""The customer portal: the organisation's tickets, a new ticket, a ticket's page."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from sladesk.accounts.access import Principal
from sladesk.core import time
from sladesk.core.exceptions import DeskError, NotFound
from sladesk.packets.selectors import ticket_diagnostics
from sladesk.policy import get_policy
from sladesk.tickets import access
from sladesk.tickets.models import Ticket
from sladesk.tickets.selectors import flags_for, ticket_messages
from sladesk.tickets.services import Upload, ticket_open, ticket_reply, ticket_status_set
from sladesk.web import selectors
from sladesk.web.auth import HtmxHttpRequest, contact_view, web_actor
from sladesk.web.auth import partial_request as _partial
from sladesk.web.forms import (
    NewTicketForm,
    ReplyForm,
    attach_error,
    oversized_uploads_refused,
)
from sladesk.web.wording import customer_level_note


def _uploads(files: list[UploadedFile[bytes]]) -> list[Upload]:
    return [Upload(stream=f, filename=f.name or "upload") for f in files]


def _without_page(request: HtmxHttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def ticket_or_404(principal: Principal, ticket_id: int) -> Ticket:
    try:
        return access.ticket_for(principal, ticket_id)
    except NotFound as error:
        raise Http404(error.message) from error


@contact_view
def ticket_list(request: HtmxHttpRequest, principal: Principal) -> HttpResponse:
    """The organisation's tickets, filtered by state, level, requester and words."""
    assert principal.organisation_id is not None
    filters = selectors.PortalFilters(
        state=request.GET.get("state", "open")
        if request.GET.get("state") in ("open", "closed", "all")
        else "open",
        severity=request.GET.get("severity", "")[:16],
        mine_only=request.GET.get("mine") == "1",
        q=request.GET.get("q", "")[:100].strip(),
    )
    qs = selectors.portal_tickets(
        organisation_id=principal.organisation_id, filters=filters, contact=principal.contact
    )
    page = Paginator(qs, selectors.PAGE).get_page(request.GET.get("page"))
    policy = get_policy()
    rows = selectors.rows_for(list(page.object_list), now=time.now(), policy=policy)
    template = (
        "web/portal/_ticket_rows.html" if _partial(request) else "web/portal/ticket_list.html"
    )
    return render(
        request,
        template,
        {
            "principal": principal,
            "rows": rows,
            "page": page,
            "filters": filters,
            "policy": policy,
            "query": _without_page(request),
        },
    )


def _new_ticket_context(
    principal: Principal, form: NewTicketForm, *, env_id: int | None = None
) -> dict[str, object]:
    policy = get_policy()
    assert principal.organisation_id is not None
    if form.is_bound:
        env_id = form.environment_id()
    decision, environments, levels = selectors.intake_context(
        user=principal.user,
        organisation_id=principal.organisation_id,
        now=time.now(),
        environment_id=env_id,
        policy=policy,
    )
    plan = policy.plans.get(decision.plan_id or "")
    return {
        "principal": principal,
        "form": form,
        "decision": decision,
        "environments": environments,
        "levels": levels,
        "plan_name": plan.marketing_name if plan else "",
        "environment_id": env_id,
        "policy": policy,
    }


@contact_view
def ticket_new(request: HtmxHttpRequest, principal: Principal) -> HttpResponse:
    """Open a ticket: the door's refusals and every field error keep what was typed."""
    if request.method != "POST":
        form = NewTicketForm()
        return render(request, "web/portal/ticket_new.html", _new_ticket_context(principal, form))
    form = NewTicketForm(request.POST, request.FILES)
    if form.is_valid() and not oversized_uploads_refused(form, request):
        try:
            ticket = ticket_open(
                channel="portal",
                subject=form.cleaned_data["subject"],
                description=form.cleaned_data["description"],
                severity=form.cleaned_data["severity"],
                category=form.cleaned_data["category"],
                environment=form.environment_id(),
                attachments=_uploads(form.cleaned_data["attachments"]),
                actor=web_actor(request),
            )
        except DeskError as error:
            attach_error(form, error)
            form.refusal = error  # type: ignore[attr-defined]
        else:
            url = reverse("portal-ticket", args=[ticket.pk])
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    context = _new_ticket_context(principal, form)
    template = "web/portal/_new_form.html" if request.htmx else "web/portal/ticket_new.html"
    return render(request, template, context, status=422)


@contact_view
def ticket_new_levels(request: HtmxHttpRequest, principal: Principal) -> HttpResponse:
    """The severity picker for the chosen environment: each level's due time (htmx)."""
    # Unbound, so that no "required" error shows before the contact has submitted.
    form = NewTicketForm(initial={"severity": request.GET.get("severity", "")[:16]})
    raw = request.GET.get("environment", "")
    context = _new_ticket_context(principal, form, env_id=int(raw) if raw.isdigit() else None)
    return render(request, "web/portal/_levels.html", context)


@contact_view
def ticket_suggest(request: HtmxHttpRequest, principal: Principal) -> HttpResponse:
    """Articles matching the subject being typed, and a likely duplicate open ticket (htmx)."""
    assert principal.organisation_id is not None
    subject = request.GET.get("subject", "")[:300]
    articles = selectors.suggest_articles(subject) if subject.strip() else []
    duplicates = selectors.likely_duplicates(
        organisation_id=principal.organisation_id, subject=subject
    )
    return render(
        request,
        "web/portal/_suggestions.html",
        {"articles": articles, "duplicates": duplicates, "subject": subject},
    )


def _ticket_context(
    principal: Principal, ticket: Ticket, reply_form: ReplyForm
) -> dict[str, object]:
    policy = get_policy()
    now = time.now()
    level_note, flags = customer_level_note(ticket, flags_for(ticket, agent=False))
    return {
        "principal": principal,
        "ticket": ticket,
        "level_note": level_note,
        "messages": list(ticket_messages(ticket, include_internal=False)),
        "clocks": selectors.ticket_clock_views(ticket, now=now, policy=policy),
        "flags": flags,
        "diagnostics": list(ticket_diagnostics(ticket, include_internal=False)),
        "reply_form": reply_form,
        "policy": policy,
    }


@contact_view
def ticket_detail(request: HtmxHttpRequest, principal: Principal, ticket_id: int) -> HttpResponse:
    ticket = ticket_or_404(principal, ticket_id)
    return render(
        request, "web/portal/ticket_detail.html", _ticket_context(principal, ticket, ReplyForm())
    )


@contact_view
def ticket_clocks(request: HtmxHttpRequest, principal: Principal, ticket_id: int) -> HttpResponse:
    """The clocks box, polled by the ticket page so due, met and breached stay live."""
    ticket = ticket_or_404(principal, ticket_id)
    policy = get_policy()
    clocks = selectors.ticket_clock_views(ticket, now=time.now(), policy=policy)
    return render(
        request, "web/_clocks.html", {"clocks": clocks, "ticket": ticket, "explain": False}
    )


@contact_view
def ticket_reply_view(
    request: HtmxHttpRequest, principal: Principal, ticket_id: int
) -> HttpResponse:
    ticket = ticket_or_404(principal, ticket_id)
    if request.method != "POST":
        return redirect("portal-ticket", ticket_id=ticket.pk)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid() and not oversized_uploads_refused(form, request):
        try:
            ticket_reply(
                ticket=ticket,
                body=form.cleaned_data["body"],
                attachments=_uploads(form.cleaned_data["attachments"]),
                actor=web_actor(request),
            )
        except DeskError as error:
            attach_error(form, error)
        else:
            url = reverse("portal-ticket", args=[ticket.pk])
            # htmx navigates with location.href: a change of the fragment alone would not reload.
            return (
                HttpResponseClientRedirect(url) if request.htmx else redirect(url + "#thread-end")
            )
    context = _ticket_context(principal, ticket, form)
    template = "web/_reply_form.html" if request.htmx else "web/portal/ticket_detail.html"
    context["reply_url"] = reverse("portal-reply", args=[ticket.pk])
    return render(request, template, context, status=422)


@contact_view
def ticket_solve(request: HtmxHttpRequest, principal: Principal, ticket_id: int) -> HttpResponse:
    """The customer marks their ticket solved (a reply within the reopen window reopens it)."""
    ticket = ticket_or_404(principal, ticket_id)
    if request.method != "POST":
        return redirect("portal-ticket", ticket_id=ticket.pk)
    try:
        ticket_status_set(ticket=ticket, status="solved", actor=web_actor(request))
    except DeskError as error:
        context = _ticket_context(principal, ticket, ReplyForm())
        context["solve_error"] = error.message
        return render(request, "web/portal/ticket_detail.html", context, status=error.status)
    url = reverse("portal-ticket", args=[ticket.pk])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
