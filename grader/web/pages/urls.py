"""The pages' routes (included at the root by grader/web/urls.py; docs/service.md lists
them). Reviewer pages need a session; the candidate's pages need the invite's token."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from grader.web.pages import (
    actions,
    callsheet,
    candidate,
    compare,
    exports,
    invites,
    openings,
    reports,
)
from grader.web.pages.login import RateLimitedLoginView

urlpatterns = [
    path("", openings.home, name="home"),
    path("login/", RateLimitedLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("openings/new/", openings.new_opening, name="opening-new"),
    path("openings/<int:pk>/", openings.opening_page, name="opening"),
    path("openings/<int:pk>/status.json", openings.opening_status, name="opening-status"),
    path("openings/<int:pk>/invites/", invites.add_invite, name="invite-add"),
    path("openings/<int:pk>/compare/", compare.compare, name="compare"),
    path("openings/<int:pk>/similarity/", compare.similar_pairs, name="similarity"),
    path("openings/<int:pk>/regrade/", actions.regrade_opening, name="opening-regrade"),
    path("openings/<int:pk>/summary.csv", exports.summary_csv, name="summary-csv"),
    path("openings/<int:pk>/gradescope.json", exports.gradescope_opening,
         name="gradescope-opening"),
    path("candidates/<int:pk>/", callsheet.candidate_page, name="candidate"),
    path("candidates/<int:pk>/score/", callsheet.score_manual, name="candidate-score"),
    path("candidates/<int:pk>/decision/", callsheet.decide, name="candidate-decision"),
    path("candidates/<int:pk>/regrade/", actions.regrade_candidate, name="candidate-regrade"),
    path("candidates/<int:pk>/revoke/", invites.revoke_invite, name="invite-revoke"),
    path("submissions/<str:sub_id>/report/", reports.report_page, name="report"),
    path("submissions/<str:sub_id>/report/artifacts/<path:name>", reports.artifact,
         name="artifact"),
    path("submissions/<str:sub_id>/report.json", reports.report_json, name="report-json"),
    path("submissions/<str:sub_id>/gradescope.json", exports.gradescope_submission,
         name="gradescope-submission"),
    path("invite/<str:token>/", candidate.invite_page, name="invite"),
    path("invite/<str:token>/upload/", candidate.upload, name="invite-upload"),
]
