"""The API's routes, mounted at /api/ by grader/web/urls.py (openapi.yaml documents each; a
test holds the two in step). No trailing slashes; anything else under /api/ is a JSON 404."""

from __future__ import annotations

from django.urls import path, re_path

from grader.web.api import account, candidate, invitations, openings, submissions
from grader.web.api.routing import unknown_route

V1 = "v1/"

urlpatterns = [
    path(V1 + "openapi.yaml", account.openapi_view, name="api-openapi"),
    path(V1 + "me", account.me_view, name="api-me"),
    path(V1 + "tokens", account.tokens_view, name="api-tokens"),
    path(V1 + "tokens/<int:token_id>/revoke", account.revoke_token_view,
         name="api-token-revoke"),
    path(V1 + "challenges", account.challenges_view, name="api-challenges"),
    path(V1 + "openings", openings.openings, name="api-openings"),
    path(V1 + "openings/<int:opening_id>", openings.opening, name="api-opening"),
    path(V1 + "openings/<int:opening_id>/invites", openings.invites, name="api-invites"),
    path(V1 + "openings/<int:opening_id>/cohort", openings.cohort_view, name="api-cohort"),
    path(V1 + "openings/<int:opening_id>/decisions", openings.decisions,
         name="api-opening-decisions"),
    path(V1 + "invites/<int:invite_id>", invitations.invite, name="api-invite"),
    path(V1 + "invites/<int:invite_id>/revoke", invitations.revoke_view,
         name="api-invite-revoke"),
    path(V1 + "invites/<int:invite_id>/decisions", invitations.decisions,
         name="api-decisions"),
    path(V1 + "uploads/<int:upload_id>", submissions.upload, name="api-upload"),
    path(V1 + "submissions/<str:submission_id>", submissions.submission,
         name="api-submission"),
    path(V1 + "submissions/<str:submission_id>/report", submissions.report,
         name="api-report"),
    path(V1 + "submissions/<str:submission_id>/manual-scores", submissions.manual_scores,
         name="api-manual-scores"),
    path(V1 + "candidate/invites/<int:invite_id>", candidate.assignment_view,
         name="api-assignment"),
    path(V1 + "candidate/invites/<int:invite_id>/kit", candidate.kit_view, name="api-kit"),
    path(V1 + "candidate/invites/<int:invite_id>/uploads", candidate.uploads_view,
         name="api-candidate-uploads"),
    re_path(r"^(?P<rest>.*)$", unknown_route, name="api-unknown"),
]
