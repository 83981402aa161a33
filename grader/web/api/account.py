"""The routes around the others: who a token belongs to (`/me`, for either kind: a candidate
learns their invite's id from the token alone), a reviewer's own API tokens (list, revoke:
another reviewer's token is not found), the challenges an opening can name (with their kits
and role profiles), and the OpenAPI document itself (public: it holds no data)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse

from grader.db.models import ApiToken
from grader.web.api import serialize
from grader.web.api.auth import Caller
from grader.web.api.errors import ApiError, not_found
from grader.web.api.routing import anyone_with_a_token, endpoint, public, reviewer


def me(request: HttpRequest, caller: Caller) -> JsonResponse:
    if caller.kind == "candidate":
        invite = caller.candidate_invite
        return JsonResponse({"kind": "candidate", "invite": invite.pk, "name": invite.name,
                             "assignment": f"/api/v1/candidate/invites/{invite.pk}"})
    user = caller.reviewer
    token = caller.token
    return JsonResponse({"kind": "reviewer", "user": user.get_username(),
                         "admin": bool(user.is_superuser),
                         "token": serialize.api_token(token) if token else None})


def list_tokens(request: HttpRequest, caller: Caller) -> JsonResponse:
    rows = ApiToken.objects.filter(user=caller.reviewer).order_by("created_at", "id")
    return JsonResponse({"tokens": [serialize.api_token(row) for row in rows]})


def revoke_token(request: HttpRequest, caller: Caller, token_id: int) -> JsonResponse:
    row = ApiToken.objects.filter(pk=token_id, user=caller.reviewer).first()
    if row is None:                 # another reviewer's token: not found, like a missing one
        raise not_found("API token")
    if row.revoked:
        raise ApiError(409, "conflict", f"API token {row.pk} was revoked already")
    row.revoked = True
    row.save(update_fields=["revoked"])
    return JsonResponse(serialize.api_token(row))


def _challenges() -> list[dict[str, Any]]:
    from grader.web.pages import catalog

    return [{"id": e.id, "title": e.title, "frameworks": list(e.kits),
             "framework_required": len(e.kits) > 1, "profiles": sorted(e.profiles),
             "max_upload_bytes": e.max_upload_bytes} for e in catalog.available()]


def list_challenges(request: HttpRequest, caller: Caller) -> JsonResponse:
    return JsonResponse({"challenges": _challenges()})


@cache
def openapi_text() -> str:
    return resources.files("grader.web.api").joinpath("openapi.yaml").read_text("utf-8")


def openapi(request: HttpRequest, caller: Caller | None) -> HttpResponse:
    return HttpResponse(openapi_text(), content_type="application/yaml; charset=utf-8")


me_view = endpoint(get=anyone_with_a_token(me))
tokens_view = endpoint(get=reviewer(list_tokens))
revoke_token_view = endpoint(post=reviewer(revoke_token))
challenges_view = endpoint(get=reviewer(list_challenges))
openapi_view = endpoint(get=public(openapi))
