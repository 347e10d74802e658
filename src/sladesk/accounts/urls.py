"""URLs of the accounts app; the project includes them at ``/accounts/``."""

from __future__ import annotations

from django.urls import path

from sladesk.accounts import views

app_name = "accounts"

urlpatterns = [
    path("sign-in/link/", views.sign_in_link_request, name="sign-in-link"),
    path("sign-in/link/sent/", views.sign_in_link_sent, name="sign-in-link-sent"),
    path("sign-in/link/<str:token>/", views.sign_in_link_redeem_view, name="sign-in-link-redeem"),
]
