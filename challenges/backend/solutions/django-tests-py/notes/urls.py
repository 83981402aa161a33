from django.urls import path

from notes import views

urlpatterns = [
    path("health", views.HealthView.as_view(), name="health"),
    path("auth/register", views.RegisterView.as_view(), name="register"),
    path("auth/token", views.TokenView.as_view(), name="token"),
    path("notes", views.NoteListView.as_view(), name="note-list"),
    path("notes/<int:note_id>", views.NoteDetailView.as_view(), name="note-detail"),
]
