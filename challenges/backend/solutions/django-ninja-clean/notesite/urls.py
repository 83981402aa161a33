from django.urls import path

from notes.api import api

urlpatterns = [
    path("", api.urls),
]
