from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from sladesk.web.views import console, dashboard, files, home, kb, portal, prefs

urlpatterns = [
    path("", home.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("profile/", prefs.profile, name="profile"),
    path("prefs/zone/", prefs.zone_detected, name="zone-detected"),
    # The customer portal.
    path("portal/", portal.ticket_list, name="portal"),
    path("portal/tickets/new/", portal.ticket_new, name="portal-new"),
    path("portal/tickets/new/levels/", portal.ticket_new_levels, name="portal-new-levels"),
    path("portal/tickets/new/suggest/", portal.ticket_suggest, name="portal-suggest"),
    path("portal/tickets/<int:ticket_id>/", portal.ticket_detail, name="portal-ticket"),
    path("portal/tickets/<int:ticket_id>/reply/", portal.ticket_reply_view, name="portal-reply"),
    path("portal/tickets/<int:ticket_id>/clocks/", portal.ticket_clocks, name="portal-clocks"),
    path("portal/tickets/<int:ticket_id>/solve/", portal.ticket_solve, name="portal-solve"),
    path(
        "tickets/<int:ticket_id>/attachments/<int:attachment_id>/",
        files.attachment_download,
        name="attachment",
    ),
    # The agent console.
    path("console/", console.queue, name="console"),
    path("console/dashboard/", dashboard.dashboard_view, name="dashboard"),
    path("console/tickets/<int:ticket_id>/", console.ticket_detail, name="console-ticket"),
    path("console/tickets/<int:ticket_id>/reply/", console.ticket_reply_view, name="console-reply"),
    path(
        "console/tickets/<int:ticket_id>/severity/",
        console.ticket_severity,
        name="console-severity",
    ),
    path("console/tickets/<int:ticket_id>/status/", console.ticket_status, name="console-status"),
    path(
        "console/tickets/<int:ticket_id>/assignee/", console.ticket_assignee, name="console-assign"
    ),
    path("console/tickets/<int:ticket_id>/clocks/", console.ticket_clocks, name="console-clocks"),
    # The knowledge base.
    path("kb/", kb.kb_index, name="kb"),
    path("kb/new/", kb.kb_new, name="kb-new"),
    path("kb/<slug:slug>/", kb.kb_article, name="kb-article"),
    path("kb/<slug:slug>/edit/", kb.kb_edit, name="kb-edit"),
]
