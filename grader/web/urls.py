"""The service's routes (docs/service.md lists them): the reviewer's and the candidate's
pages (grader/web/pages/urls.py: login/logout, openings, invites, cohort, reports, ...), the
admin, and the HTTP API under /api/ (grader/web/api/urls.py)."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from grader.web.pages.login import admin_login

urlpatterns = [
    path("", include("grader.web.pages.urls")),         # the pages (grader/web/pages/)
    path("admin/login/", admin_login),                  # the admin's, rate-limited
    path("admin/", admin.site.urls),
    path("api/", include("grader.web.api.urls")),      # the HTTP API (grader/web/api/)
]
