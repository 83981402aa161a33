"""The service's routes (docs/service.md lists them): the admin, login/logout (Django's
views), the reviewer's home, and the candidate's invite page by token."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from grader.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("invite/<str:token>/", views.invite_page, name="invite"),
    path("admin/", admin.site.urls),
]
