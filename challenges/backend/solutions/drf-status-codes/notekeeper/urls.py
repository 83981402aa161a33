"""Top-level URL configuration."""

from django.urls import include, path

urlpatterns = [
    path("", include("notebook.urls")),
]
