"""The service's routes (the minimal pages for now; docs/service.md lists them)."""

from __future__ import annotations

from django.contrib import admin
from django.urls import path

urlpatterns = [
    path("admin/", admin.site.urls),
]
