"""The knowledge base: reading and searching for everyone, editing for agents."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from sladesk.accounts.access import Principal
from sladesk.core.exceptions import DeskError
from sladesk.kb import selectors
from sladesk.kb.models import Article
from sladesk.kb.services import (
    ArticleInput,
    article_create,
    article_draft_from_answer,
    article_update,
)
from sladesk.tickets.models import TicketMessage
from sladesk.web.auth import HtmxHttpRequest, agent_view, request_principal, web_actor
from sladesk.web.auth import partial_request as _partial
from sladesk.web.forms import ArticleForm, attach_error


def _is_agent(request: HtmxHttpRequest) -> bool:
    principal = request_principal(request) if request.user.is_authenticated else None
    return principal is not None and principal.is_agent


def kb_index(request: HtmxHttpRequest) -> HttpResponse:
    """Articles by category, or the search results for ``q`` best first."""
    agent = _is_agent(request)
    q = request.GET.get("q", "")[:200].strip()
    results = selectors.article_search(q, include_internal=agent, limit=20) if q else None
    articles = None if q else list(selectors.article_list(include_internal=agent))
    template = "web/kb/_results.html" if _partial(request) else "web/kb/index.html"
    return render(
        request,
        template,
        {
            "q": q,
            "results": results,
            "articles": articles,
            "is_agent": agent,
            "principal": request_principal(request) if request.user.is_authenticated else None,
        },
    )


def kb_article(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    agent = _is_agent(request)
    article = selectors.article_get(slug, include_internal=agent)
    if article is None:
        raise Http404("no such article")
    return render(
        request,
        "web/kb/article.html",
        {
            "article": article,
            "is_agent": agent,
            "principal": request_principal(request) if request.user.is_authenticated else None,
        },
    )


def _input(form: ArticleForm) -> ArticleInput:
    data = form.cleaned_data
    return ArticleInput(
        title=data["title"],
        body=data["body"],
        summary=data["summary"],
        category=data["category"],
        visibility=data["visibility"],
    )


@agent_view
def kb_new(request: HtmxHttpRequest, principal: Principal) -> HttpResponse:
    """A new article; ``?from_message=ID`` drafts it from an agent's answer on a ticket."""
    source_ticket: int | None = None
    if request.method == "POST":
        form = ArticleForm(request.POST)
        raw = request.POST.get("source_ticket", "")
        source_ticket = int(raw) if raw.isdigit() else None
        if form.is_valid():
            try:
                article = article_create(
                    data=_input(form), actor=web_actor(request), source_ticket_id=source_ticket
                )
            except DeskError as error:
                attach_error(form, error)
            else:
                return redirect("kb-article", slug=article.slug)
        status = 422
    else:
        initial: dict[str, object] = {"visibility": Article.Visibility.PUBLIC}
        raw = request.GET.get("from_message", "")
        message = (
            TicketMessage.objects.select_related("ticket")
            .filter(pk=int(raw), visibility=TicketMessage.Visibility.PUBLIC)
            .first()
            if raw.isdigit()
            else None
        )
        if message is not None:
            draft = article_draft_from_answer(
                subject=message.ticket.subject, question="", answer=message.body
            )
            initial = {"title": draft.title, "body": draft.body, "visibility": draft.visibility}
            source_ticket = message.ticket_id
        form = ArticleForm(initial=initial)
        status = 200
    return render(
        request,
        "web/kb/edit.html",
        {"form": form, "principal": principal, "article": None, "source_ticket": source_ticket},
        status=status,
    )


@agent_view
def kb_edit(request: HtmxHttpRequest, principal: Principal, slug: str) -> HttpResponse:
    article = selectors.article_get(slug, include_internal=True)
    if article is None:
        raise Http404("no such article")
    if request.method == "POST":
        form = ArticleForm(request.POST)
        if form.is_valid():
            try:
                article_update(article=article, data=_input(form), actor=web_actor(request))
            except DeskError as error:
                attach_error(form, error)
            else:
                return redirect("kb-article", slug=article.slug)
        status = 422
    else:
        form = ArticleForm(
            initial={
                "title": article.title,
                "summary": article.summary,
                "category": article.category_id,
                "visibility": article.visibility,
                "body": article.body,
            }
        )
        status = 200
    return render(
        request,
        "web/kb/edit.html",
        {"form": form, "principal": principal, "article": article, "source_ticket": None},
        status=status,
    )
