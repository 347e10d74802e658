"""Writes of the knowledge base: create and edit articles (agents), draft one from an answer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils.text import slugify

from sladesk.accounts.actor import Actor
from sladesk.core import time
from sladesk.core.exceptions import ValidationFailed
from sladesk.kb.markdown import render_markdown
from sladesk.kb.models import Article, Category

TITLE_LIMIT = 200


@dataclass(frozen=True, slots=True)
class ArticleInput:
    """What an editor types."""

    title: str
    body: str
    summary: str = ""
    category: Category | None = None
    visibility: str = Article.Visibility.PUBLIC


def _clean(data: ArticleInput) -> ArticleInput:
    title = " ".join(data.title.split())
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = "give the article a title"
    elif len(title) > TITLE_LIMIT:
        errors["title"] = f"the title is longer than {TITLE_LIMIT} characters"
    if not data.body.strip():
        errors["body"] = "write the article's text"
    if data.visibility not in Article.Visibility.values:
        errors["visibility"] = f"visibility is one of {', '.join(Article.Visibility.values)}"
    if errors:
        first = next(iter(errors.values()))
        raise ValidationFailed(first, code="article_invalid", details={"fields": errors})
    return ArticleInput(
        title=title,
        body=data.body.strip() + "\n",
        summary=" ".join(data.summary.split())[:300],
        category=data.category,
        visibility=data.visibility,
    )


def _unique_slug(title: str, *, exclude: int | None = None) -> str:
    base = slugify(title)[:100] or "article"
    slug, n = base, 1
    others = Article.objects.filter(slug=slug)
    while (others.exclude(pk=exclude) if exclude else others).exists():
        n += 1
        slug = f"{base}-{n}"
        others = Article.objects.filter(slug=slug)
    return slug


@transaction.atomic
def article_create(
    *,
    data: ArticleInput,
    actor: Actor,
    source_ticket_id: int | None = None,
    now: dt.datetime | None = None,
) -> Article:
    """Create an article; its body is rendered and sanitised once, here."""
    now = now or time.now()
    data = _clean(data)
    return Article.objects.create(
        slug=_unique_slug(data.title),
        title=data.title,
        summary=data.summary,
        body=data.body,
        body_html=render_markdown(data.body),
        category=data.category,
        visibility=data.visibility,
        source_ticket_id=source_ticket_id,
        created_by=actor.user,
        updated_by=actor.user,
        created_at=now,
        updated_at=now,
    )


@transaction.atomic
def article_update(
    *, article: Article, data: ArticleInput, actor: Actor, now: dt.datetime | None = None
) -> Article:
    """Replace an article's text, category and visibility (the slug stays: links keep working)."""
    data = _clean(data)
    article.title = data.title
    article.summary = data.summary
    article.body = data.body
    article.body_html = render_markdown(data.body)
    article.category = data.category
    article.visibility = data.visibility
    article.updated_by = actor.user
    article.updated_at = now or time.now()
    article.save()
    return article


def category_ensure(*, slug: str, name: str, description: str = "", position: int = 0) -> Category:
    """Return the category ``slug``, creating it when missing (idempotent)."""
    category, _ = Category.objects.get_or_create(
        slug=slug, defaults={"name": name, "description": description, "position": position}
    )
    return category


def article_draft_from_answer(*, subject: str, question: str, answer: str) -> ArticleInput:
    """Return a draft article (internal until an editor publishes it) from a ticket's answer.

    The customer's words are not copied beyond the subject: the draft has the question's
    subject as title and the agent's answer as body, for an editor to generalise.
    """
    body = f"## Question\n\n{subject}\n\n## Answer\n\n{answer.strip()}\n"
    del question  # the customer's own text stays in the ticket
    return ArticleInput(title=subject, body=body, visibility=Article.Visibility.INTERNAL)
