from django.urls import include, path

urlpatterns = [
    path("", include("notes.urls")),
]

handler404 = "notes.views.not_found"
handler500 = "notes.views.server_error"
