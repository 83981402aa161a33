"""JSON views for the Notes API (plain Django: no REST framework needed for five routes)."""

import functools
import hashlib
import json
import re
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.contrib.auth import authenticate, get_user_model
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from notes.models import ApiToken, Note

USERNAME = re.compile(r"^[A-Za-z0-9_]{3,32}$")
MAX_ID = 2**63 - 1
View = Callable[..., HttpResponse]


class BadRequest(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail


def json_errors(view: View) -> View:
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except BadRequest as exc:
            return JsonResponse({"detail": exc.detail}, status=exc.status)
    return wrapper


def body_object(request: HttpRequest) -> dict[str, Any]:
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest(400, "the body is not valid JSON") from None
    if not isinstance(data, dict):
        raise BadRequest(400, "the body must be a JSON object")
    return data


def text(data: dict[str, Any], name: str, low: int, high: int, default: str | None = None) -> str:
    value = data.get(name, default)
    if not isinstance(value, str) or not low <= len(value) <= high:
        raise BadRequest(422, f"'{name}' must be a string of {low} to {high} characters")
    return value


def int_param(request: HttpRequest, name: str, default: int, low: int, high: int) -> int:
    raw = request.GET.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(422, f"'{name}' must be an integer") from None
    if not low <= value <= high:
        raise BadRequest(422, f"'{name}' must be between {low} and {high}")
    return value


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_required(view: View) -> View:
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        scheme, _, key = request.headers.get("Authorization", "").partition(" ")
        token = None
        if scheme.lower() == "bearer" and key.strip():
            token = (ApiToken.objects.select_related("user")
                     .filter(key_hash=_hash(key.strip()), expires_at__gt=timezone.now())
                     .first())
        if token is None:
            return JsonResponse({"detail": "missing, invalid or expired token"}, status=401,
                                headers={"WWW-Authenticate": "Bearer"})
        request.user = token.user
        return view(request, *args, **kwargs)
    return wrapper


def note_json(note: Note) -> dict[str, Any]:
    fmt = "%Y-%m-%dT%H:%M:%S.%fZ"
    return {"id": note.id, "title": note.title, "body": note.body,
            "created_at": note.created_at.strftime(fmt),
            "updated_at": note.updated_at.strftime(fmt)}


@require_GET
def health(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})


@require_POST
@json_errors
def register(request: HttpRequest) -> HttpResponse:
    data = body_object(request)
    username = data.get("username")
    if not isinstance(username, str) or not USERNAME.match(username):
        raise BadRequest(422, "'username' must be 3-32 letters, digits or underscores")
    password = text(data, "password", 8, 128)
    try:
        user = get_user_model().objects.create_user(username=username, password=password)
    except IntegrityError:
        raise BadRequest(409, "username already taken") from None
    return JsonResponse({"id": user.id, "username": user.username}, status=201)


@require_POST
@json_errors
def token(request: HttpRequest) -> HttpResponse:
    data = body_object(request)
    username, password = data.get("username"), data.get("password")
    expires_in = data.get("expires_in", 3600)
    if not isinstance(username, str) or not isinstance(password, str):
        raise BadRequest(422, "'username' and 'password' are required strings")
    if not isinstance(expires_in, int) or isinstance(expires_in, bool) or \
            not 1 <= expires_in <= 86400:
        raise BadRequest(422, "'expires_in' must be an integer from 1 to 86400")
    user = authenticate(request, username=username, password=password)
    if user is None:
        raise BadRequest(401, "wrong username or password")
    key = secrets.token_urlsafe(32)
    ApiToken.objects.create(key_hash=_hash(key), user=user,
                            expires_at=timezone.now() + timedelta(seconds=expires_in))
    return JsonResponse({"access_token": key, "token_type": "bearer",
                         "expires_in": expires_in})


@require_http_methods(["GET", "POST"])
@json_errors
@token_required
def notes_collection(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        data = body_object(request)
        note = Note.objects.create(owner=request.user, title=text(data, "title", 1, 200),
                                   body=text(data, "body", 0, 10_000, default=""))
        return JsonResponse(note_json(note), status=201)
    limit = int_param(request, "limit", 20, 1, 100)
    offset = int_param(request, "offset", 0, 0, MAX_ID)
    mine = Note.objects.filter(owner=request.user)
    items = [note_json(n) for n in mine.order_by("id")[offset:offset + limit]]
    return JsonResponse({"items": items, "total": mine.count(), "limit": limit,
                         "offset": offset})


@require_http_methods(["GET", "PUT", "DELETE"])
@json_errors
@token_required
def note_detail(request: HttpRequest, note_id: int) -> HttpResponse:
    note = Note.objects.filter(id=note_id, owner=request.user).first() \
        if note_id <= MAX_ID else None
    if note is None:
        return JsonResponse({"detail": "note not found"}, status=404)
    if request.method == "DELETE":
        note.delete()
        return HttpResponse(status=204)
    if request.method == "PUT":
        data = body_object(request)
        note.title = text(data, "title", 1, 200)
        note.body = text(data, "body", 0, 10_000, default="")
        note.save()
    return JsonResponse(note_json(note))
