from django.urls import include, path
from rest_framework.routers import SimpleRouter

from notebook import views

router = SimpleRouter(trailing_slash=False)
router.register("notes", views.NoteViewSet, basename="note")

urlpatterns = [
    path("health", views.health, name="health"),
    path("auth/register", views.RegisterView.as_view(), name="register"),
    path("auth/token", views.TokenView.as_view(), name="token"),
    path("", include(router.urls)),
]
