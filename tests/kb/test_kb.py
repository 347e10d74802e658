"""The knowledge base: rendering is sanitised, search ranks, internal articles stay internal."""

from __future__ import annotations

import pytest
from django.db import connection

from sladesk.accounts.actor import Actor
from sladesk.core.exceptions import ValidationFailed
from sladesk.kb.demo import seed_kb_demo
from sladesk.kb.markdown import render_markdown
from sladesk.kb.models import Article
from sladesk.kb.selectors import article_search, search_terms
from sladesk.kb.services import ArticleInput, article_create, article_update

pytestmark = pytest.mark.django_db
ACTOR = Actor.cli()


def make(title: str, body: str, *, summary: str = "", internal: bool = False) -> Article:
    return article_create(
        data=ArticleInput(
            title=title,
            body=body,
            summary=summary,
            visibility=Article.Visibility.INTERNAL if internal else Article.Visibility.PUBLIC,
        ),
        actor=ACTOR,
    )


def test_markdown_is_rendered_and_sanitised():
    html = render_markdown(
        "# Title\n\n**bold** <script>alert(1)</script>\n\n[x](javascript:alert(1)) "
        "[ok](https://example.com)\n\n| a | b |\n| - | - |\n| 1 | 2 |\n"
    )
    assert "<h1>Title</h1>" in html and "<strong>bold</strong>" in html
    assert "<script>" not in html  # raw HTML is shown as text
    assert 'href="javascript:' not in html  # the link is refused, left as text
    assert 'href="https://example.com"' in html and 'rel="noopener noreferrer nofollow"' in html
    assert "<table>" in html


def test_search_terms_drop_short_and_common_words():
    assert search_terms("How do I fix the delayed messages?") == ["fix", "delayed", "messages"]


def test_search_ranks_title_matches_first_and_finds_stems():
    body_only = make("Proxy settings", "When messages are delayed, check the proxy.")
    title = make("Messages are delayed", "Check the WebSocket connection.")
    make("Unrelated", "Licences and renewals.")
    found = article_search("delayed messages", include_internal=False)
    assert [a.pk for a in found] == [title.pk, body_only.pk]
    assert found[0].rank >= found[1].rank


def test_search_leaves_internal_articles_to_agents():
    make("Job server queue depth", "SQL for stuck jobs", internal=True)
    assert article_search("stuck jobs", include_internal=False) == []
    assert len(article_search("stuck jobs", include_internal=True)) == 1


def test_search_on_this_database_uses_its_engine():
    make("Upgrading servers", "Back up the database before upgrading.")
    found = article_search("upgrade", include_internal=False)
    # PostgreSQL stems "upgrade" and "upgrading" alike; the portable fallback matches the prefix.
    assert [a.title for a in found] == ["Upgrading servers"]
    assert connection.vendor in ("postgresql", "sqlite")


def test_articles_need_a_title_and_a_body():
    with pytest.raises(ValidationFailed) as refused:
        article_create(data=ArticleInput(title=" ", body=""), actor=ACTOR)
    assert refused.value.details["fields"] == {
        "title": "give the article a title",
        "body": "write the article's text",
    }


def test_update_keeps_the_slug_and_re_renders():
    article = make("First title", "old")
    article_update(article=article, data=ArticleInput(title="New title", body="*new*"), actor=ACTOR)
    article.refresh_from_db()
    assert article.slug == "first-title"
    assert "<em>new</em>" in article.body_html


def test_slugs_are_unique():
    assert make("Same", "a").slug == "same"
    assert make("Same", "b").slug == "same-2"


def test_demo_seed_is_idempotent():
    assert seed_kb_demo() == 6
    assert seed_kb_demo() == 0
    assert Article.objects.filter(visibility="internal").count() == 1
