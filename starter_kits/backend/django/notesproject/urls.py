"""Routes. Start here: see ../README.md and ../openapi.yaml for the contract."""

from django.http import HttpRequest, JsonResponse
from django.urls import path


def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("health", health),
    # TODO: auth/register, auth/token, notes, notes/<int:note_id>
]
