from django.urls import path

from notes import views

urlpatterns = [
    path("health", views.health),
    path("auth/register", views.register),
    path("auth/token", views.token),
    path("notes", views.notes_collection),
    path("notes/<int:note_id>", views.note_detail),
]
