from django.urls import path

from api import views

urlpatterns = [
    path("health", views.health),
    path("auth/register", views.RegisterView.as_view()),
    path("auth/token", views.TokenView.as_view()),
    path("notes", views.NoteListView.as_view()),
    path("notes/<str:note_id>", views.NoteDetailView.as_view()),
]
