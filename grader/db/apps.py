"""The Django app holding grader's schema (label `grader`: tables `grader_<model>`)."""

from __future__ import annotations

from django.apps import AppConfig


class GraderDbConfig(AppConfig):
    name = "grader.db"
    label = "grader"
    verbose_name = "grader"
    default_auto_field = "django.db.models.BigAutoField"
