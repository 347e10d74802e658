"""Reads of the knowledge base: lists, one article, and ranked full-text search.

On PostgreSQL the search is the database's full-text search (``to_tsvector`` of the title,
summary and body weighted A/B/C, ``ts_rank``), with the query's words OR-ed so that a
ticket subject finds articles sharing some of its words. Elsewhere (SQLite) it falls back
to a portable ranking: each query word (crudely stemmed) found in the title counts 3, in the summary 2, in
the body 1; articles with no word are left out.
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import Case, ExpressionWrapper, IntegerField, Q, QuerySet, Value, When

from sladesk.kb.models import Article, Category

STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "can",
        "cannot",
        "do",
        "does",
        "for",
        "from",
        "how",
        "i",
        "in",
        "is",
        "it",
        "its",
        "my",
        "no",
        "not",
        "of",
        "on",
        "or",
        "our",
        "so",
        "that",
        "the",
        "their",
        "there",
        "this",
        "to",
        "was",
        "we",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "you",
        "your",
        "after",
        "before",
        "since",
        "into",
        "out",
        "up",
        "down",
        "all",
        "any",
        "get",
        "got",
        "has",
        "have",
    ]
)
MAX_TERMS = 8


def search_terms(query: str) -> list[str]:
    """Return the query's content words (lower case, letters and digits, at most eight)."""
    words = re.findall(r"[a-z0-9]+", query.lower())
    seen: list[str] = []
    for word in words:
        if len(word) < 3 or word in STOPWORDS or word in seen:
            continue
        seen.append(word)
    return seen[:MAX_TERMS]


def crude_stem(word: str) -> str:
    """Return ``word`` without a common English ending ("upgrading", "upgrade" -> "upgrad")."""
    for suffix in ("ing", "ed", "es", "s", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def category_list() -> QuerySet[Category]:
    return Category.objects.all()


def article_list(*, include_internal: bool, category: Category | None = None) -> QuerySet[Article]:
    qs = Article.objects.select_related("category")
    if not include_internal:
        qs = qs.filter(visibility=Article.Visibility.PUBLIC)
    if category is not None:
        qs = qs.filter(category=category)
    return qs.order_by("category__position", "title")


def article_get(slug: str, *, include_internal: bool) -> Article | None:
    return article_list(include_internal=include_internal).filter(slug=slug).first()


def article_search(query: str, *, include_internal: bool, limit: int = 10) -> list[Article]:
    """Return the articles matching ``query``, best first (``rank`` set on each)."""
    terms = search_terms(query)
    if not terms:
        return []
    base = article_list(include_internal=include_internal)
    if connection.vendor == "postgresql":
        return list(_search_postgres(base, terms)[:limit])
    return list(_search_portable(base, terms)[:limit])


def _search_postgres(base: QuerySet[Article], terms: list[str]) -> QuerySet[Article]:
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

    vector = (
        SearchVector("title", weight="A", config="english")
        + SearchVector("summary", weight="B", config="english")
        + SearchVector("body", weight="C", config="english")
    )
    # Terms are letters and digits only, so the raw tsquery syntax is safe to build.
    query = SearchQuery(" | ".join(terms), search_type="raw", config="english")
    return (
        base.annotate(search=vector, rank=SearchRank(vector, query))
        .filter(search=query)
        .order_by("-rank", "title")
    )


def _search_portable(base: QuerySet[Article], terms: list[str]) -> QuerySet[Article]:
    parts: list[Case] = []
    matches = Q()
    for term in terms:
        stem = crude_stem(term)
        for field, weight in (("title", 3), ("summary", 2), ("body", 1)):
            lookup = Q(**{f"{field}__icontains": stem})
            parts.append(Case(When(lookup, then=Value(weight)), default=Value(0)))
            matches |= lookup
    score = parts[0]
    for part in parts[1:]:
        score = score + part  # type: ignore[assignment]
    return (
        base.filter(matches)
        .annotate(rank=ExpressionWrapper(score, output_field=IntegerField()))
        .order_by("-rank", "title")
    )
