from __future__ import annotations

from django.contrib import admin

from sladesk.kb.models import Article, Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    list_display = ("name", "slug", "position")


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin[Article]):
    list_display = ("title", "category", "visibility", "updated_at")
    list_filter = ("visibility", "category")
    search_fields = ("title", "body")
    readonly_fields = ("body_html",)
