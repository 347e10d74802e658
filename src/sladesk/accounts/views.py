"""Passwordless sign-in for contacts (included by the lead at ``/accounts/``).

1. ``GET/POST sign-in/link/``: ask for a link (same answer whatever the address).
2. The e-mail's link opens ``sign-in/link/<token>/``: a page with one button. Following
   the link only shows the page (mail scanners that prefetch links do not use it up);
   pressing the button (POST) signs in and uses the link.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from sladesk.accounts.services import sign_in_link_redeem, sign_in_link_send
from sladesk.accounts.services.signin import SignInLinkRefused, link_lifetime


class LinkRequestForm(forms.Form):
    email = forms.EmailField(label="E-mail", max_length=254)


@require_http_methods(["GET", "POST"])
def sign_in_link_request(request: HttpRequest) -> HttpResponse:
    """Ask for a sign-in link by e-mail."""
    form = LinkRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():

        def build_url(token: str) -> str:
            return request.build_absolute_uri(reverse("accounts:sign-in-link-redeem", args=[token]))

        sign_in_link_send(email=form.cleaned_data["email"], build_url=build_url)
        return redirect("accounts:sign-in-link-sent")
    return render(request, "accounts/sign_in_link_request.html", {"form": form})


def sign_in_link_sent(request: HttpRequest) -> HttpResponse:
    """Say that a link is on its way (whether or not the address is a contact's)."""
    minutes = int(link_lifetime().total_seconds() // 60)
    return render(request, "accounts/sign_in_link_sent.html", {"minutes": minutes})


@require_http_methods(["GET", "POST"])
def sign_in_link_redeem_view(request: HttpRequest, token: str) -> HttpResponse:
    """Show the sign-in button (GET); sign in with the link (POST)."""
    if request.method == "GET":
        return render(request, "accounts/sign_in_link_redeem.html", {"token": token})
    try:
        user = sign_in_link_redeem(token=token)
    except SignInLinkRefused as exc:
        return render(
            request,
            "accounts/sign_in_link_redeem.html",
            {"token": token, "error": exc.message, "code": exc.code},
            status=400,
        )
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect(settings.LOGIN_REDIRECT_URL)
