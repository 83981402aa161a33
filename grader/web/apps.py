"""The Django app of the web pages (templates, admin registrations); the schema is
grader.db's."""

from __future__ import annotations

from django.apps import AppConfig


class GraderWebConfig(AppConfig):
    name = "grader.web"
    label = "grader_web"
    verbose_name = "grader web"
