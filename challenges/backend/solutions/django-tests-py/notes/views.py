"""Notes API views: plain Django class-based views that speak JSON.

Auth is a bearer token (`ApiToken`) checked in `TokenRequiredView.dispatch`; every notes
query is filtered on `owner=request.user`, so another user's note is simply a 404.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views import View

from notes import payloads
from notes.models import ApiToken, Note
from notes.payloads import InvalidRequest

SQLITE_MAX_INT = 2**63 - 1


def error(message: str, status: int, **headers: str) -> JsonResponse:
    response = JsonResponse({"error": message}, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return error("Not found.", 404)


def server_error(request: HttpRequest) -> JsonResponse:
    return error("Internal server error.", 500)


class ApiView(View):
    """Base view: JSON errors for bad input and for unsupported methods."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return super().dispatch(request, *args, **kwargs)
        except InvalidRequest as exc:
            return error(exc.message, exc.status)

    def http_method_not_allowed(self, request: HttpRequest, *args: Any,
                                **kwargs: Any) -> HttpResponse:
        return error(f"Method {request.method} not allowed.", 405)


class TokenRequiredView(ApiView):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = self._user_from_token(request)
        if user is None:
            return error("Authentication required.", 401, WWW_Authenticate="Bearer")
        request.user = user
        return super().dispatch(request, *args, **kwargs)

    @staticmethod
    def _user_from_token(request: HttpRequest) -> User | None:
        scheme, _, key = request.headers.get("Authorization", "").partition(" ")
        key = key.strip()
        if scheme.lower() != "bearer" or not key:
            return None
        token = (
            ApiToken.objects.select_related("user")
            .filter(key=key, expires_at__gt=timezone.now())
            .first()
        )
        if token is None or not token.user.is_active:
            return None
        return token.user


class HealthView(View):
    def get(self, request: HttpRequest) -> JsonResponse:
        return JsonResponse({"status": "ok"})


class RegisterView(ApiView):
    def post(self, request: HttpRequest) -> JsonResponse:
        username, password = payloads.registration(payloads.json_body(request))
        if User.objects.filter(username=username).exists():
            return error("Username already taken.", 409)
        try:
            with transaction.atomic():
                user = User.objects.create_user(username=username, password=password)
        except IntegrityError:
            return error("Username already taken.", 409)
        return JsonResponse({"id": user.id, "username": user.username}, status=201)


class TokenView(ApiView):
    def post(self, request: HttpRequest) -> JsonResponse:
        username, password, ttl = payloads.token_request(payloads.json_body(request))
        user = authenticate(request, username=username, password=password)
        if user is None:
            return error("Invalid username or password.", 401)
        token = ApiToken.create_for(user, ttl)
        return JsonResponse({"access_token": token.key, "token_type": "bearer",
                             "expires_in": ttl})


class NoteListView(TokenRequiredView):
    def get(self, request: HttpRequest) -> JsonResponse:
        limit = payloads.query_int(request, "limit", settings.NOTES_PAGE_SIZE, 1,
                                   settings.NOTES_PAGE_SIZE_MAX)
        offset = payloads.query_int(request, "offset", 0, 0, SQLITE_MAX_INT)
        notes = Note.objects.filter(owner=request.user)
        total = notes.count()
        page = notes[offset:offset + limit] if offset < total else []
        return JsonResponse({"items": [n.to_dict() for n in page], "total": total,
                             "limit": limit, "offset": offset})

    def post(self, request: HttpRequest) -> JsonResponse:
        title, body = payloads.note(payloads.json_body(request))
        note = Note.objects.create(owner=request.user, title=title, body=body)
        return JsonResponse(note.to_dict(), status=201)


class NoteDetailView(TokenRequiredView):
    def _get_note(self, request: HttpRequest, note_id: int) -> Note:
        if note_id > SQLITE_MAX_INT:
            raise InvalidRequest("Note not found.", status=404)
        note = Note.objects.filter(owner=request.user, id=note_id).first()
        if note is None:
            raise InvalidRequest("Note not found.", status=404)
        return note

    def get(self, request: HttpRequest, note_id: int) -> JsonResponse:
        return JsonResponse(self._get_note(request, note_id).to_dict())

    def put(self, request: HttpRequest, note_id: int) -> JsonResponse:
        note = self._get_note(request, note_id)
        note.title, note.body = payloads.note(payloads.json_body(request))
        note.save(update_fields=["title", "body", "updated_at"])
        return JsonResponse(note.to_dict())

    def delete(self, request: HttpRequest, note_id: int) -> HttpResponse:
        self._get_note(request, note_id).delete()
        return HttpResponse(status=204)
