"""Class-based views over JSON. Bearer tokens authenticate every /notes request."""

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from api import forms
from api.models import AccessToken, Note

User = get_user_model()


def error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def health(request):
    return JsonResponse({"status": "ok"})


@method_decorator(csrf_exempt, name="dispatch")
class JsonView(View):
    """Turns forms.BadRequest into a 4xx JSON answer."""

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except forms.BadRequest as exc:
            return error(exc.message, exc.status)


class RegisterView(JsonView):
    def post(self, request):
        username, password = forms.registration(forms.parse_json(request.body))
        try:
            with transaction.atomic():
                user = User.objects.create_user(username=username, password=password)
        except IntegrityError:
            return error("username already taken", 409)
        return JsonResponse({"id": user.id, "username": user.username}, status=201)


class TokenView(JsonView):
    def post(self, request):
        data = forms.parse_json(request.body)
        username, password = data.get("username"), data.get("password")
        if not isinstance(username, str) or not isinstance(password, str):
            return error("username and password are required", 422)
        seconds = data.get("expires_in", settings.TOKEN_DEFAULT_SECONDS)
        if type(seconds) is not int or not 1 <= seconds <= settings.TOKEN_MAX_SECONDS:
            return error(f"expires_in must be 1 to {settings.TOKEN_MAX_SECONDS}", 422)
        user = authenticate(request, username=username, password=password)
        if user is None:
            return error("invalid credentials", 401)
        return JsonResponse({"access_token": AccessToken.issue(user, seconds),
                             "token_type": "bearer", "expires_in": seconds})


class AuthenticatedView(JsonView):
    def dispatch(self, request, *args, **kwargs):
        scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
        user = AccessToken.user_for(raw.strip()) if scheme.lower() == "bearer" and raw.strip() \
            else None
        if user is None:
            return error("authentication required", 401)
        request.api_user = user
        return super().dispatch(request, *args, **kwargs)


class NoteListView(AuthenticatedView):
    def get(self, request):
        limit = forms.bounded_int(request.GET.get("limit"), 20, 1, 100, "limit")
        offset = forms.bounded_int(request.GET.get("offset"), 0, 0, 10**15, "offset")
        notes = Note.objects.filter(owner=request.api_user)
        return JsonResponse({"items": [n.as_json() for n in notes[offset:offset + limit]],
                             "total": notes.count(), "limit": limit, "offset": offset})

    def post(self, request):
        fields = forms.note_fields(forms.parse_json(request.body))
        note = Note.objects.create(owner=request.api_user, **fields)
        return JsonResponse(note.as_json(), status=201)


class NoteDetailView(AuthenticatedView):
    def _note(self, request, note_id: str) -> Note | None:
        nid = forms.note_id(note_id)
        return Note.objects.filter(pk=nid, owner=request.api_user).first() if nid else None

    def get(self, request, note_id):
        note = self._note(request, note_id)
        return JsonResponse(note.as_json()) if note else error("note not found", 404)

    def put(self, request, note_id):
        note = self._note(request, note_id)
        if note is None:
            return error("note not found", 404)
        for field, value in forms.note_fields(forms.parse_json(request.body)).items():
            setattr(note, field, value)
        note.save()
        return JsonResponse(note.as_json())

    def delete(self, request, note_id):
        note = self._note(request, note_id)
        if note is None:
            return error("note not found", 404)
        note.delete()
        return HttpResponse(status=204)
