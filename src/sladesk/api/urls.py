from __future__ import annotations

from django.urls import path

from sladesk.api.api import api
from sladesk.api.routers import register_routers

register_routers(api)

urlpatterns = [path("", api.urls)]
