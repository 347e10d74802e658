"""Top-level URL map: the web desk, the admin and the REST API."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("sladesk.api.urls")),
    path("accounts/", include("sladesk.accounts.urls")),
    path("", include("sladesk.web.urls")),
]
