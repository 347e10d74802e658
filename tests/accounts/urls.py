"""The project's URLs plus the accounts app at /accounts/ (as the lead includes it)."""

from __future__ import annotations

from django.urls import include, path

from sladesk.config.urls import urlpatterns as project_urlpatterns

urlpatterns = [path("accounts/", include("sladesk.accounts.urls")), *project_urlpatterns]
