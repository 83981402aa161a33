"""Reviewers' routes of the work received: an upload's state (refused, received, queued,
grading with its stage, graded with its submission, failed with the last line of its error),
a graded submission (score, total with the manual criteria, criteria, recommendation, flags)
and its report.json as stored, and the manual scores given after the explain-your-code call
(append-only: the latest per criterion counts; who scored and when is kept)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse

from grader.db.models import ManualScore, Submission, Upload
from grader.store import Store
from grader.web.api import scores, serialize
from grader.web.api.auth import Caller
from grader.web.api.body import json_object
from grader.web.api.errors import ApiError, invalid, not_found
from grader.web.api.forms import bind
from grader.web.api.routing import endpoint, reviewer
from grader.web.pages.forms import ManualScoreForm
from grader.web.pages.lookup import report as stored_report


def get_upload(request: HttpRequest, caller: Caller, upload_id: int) -> JsonResponse:
    row = Upload.objects.select_related("invite__opening").filter(pk=upload_id).first()
    if row is None:
        raise not_found("upload")
    return JsonResponse(serialize.upload(row))


def submission_or_404(submission_id: str) -> Submission:
    row = Submission.objects.filter(pk=submission_id).first()
    if row is None:
        raise not_found("submission")
    return row


def get_submission(request: HttpRequest, caller: Caller, submission_id: str) -> JsonResponse:
    row = submission_or_404(submission_id)
    return JsonResponse(scores.submission(row, stored_report(row.pk)))


def get_report(request: HttpRequest, caller: Caller, submission_id: str) -> HttpResponse:
    row = submission_or_404(submission_id)
    data = Store(alias="default").report_file(row.pk, "report.json")
    if data is None:
        data = row.report_json.encode("utf-8")
    return HttpResponse(data, content_type="application/json")


def list_manual_scores(request: HttpRequest, caller: Caller,
                       submission_id: str) -> JsonResponse:
    row = submission_or_404(submission_id)
    history = ManualScore.objects.filter(submission=row).select_related(
        "scored_by").order_by("scored_at", "id")
    return JsonResponse({"manual_scores": [serialize.manual_score(m) for m in history]})


def record_manual_score(request: HttpRequest, caller: Caller,
                        submission_id: str) -> JsonResponse:
    row = submission_or_404(submission_id)
    report = stored_report(row.pk)
    if report is None or report.status != "graded":
        raise ApiError(409, "conflict", f"submission {row.pk} was not graded "
                       f"({row.status}): it has no criteria to score")
    maxima = {c.id: float(c.max_points) for c in report.criteria
              if c.manual or c.status == "pending"}
    data = json_object(request)
    criterion = data.get("criterion")
    if isinstance(criterion, str) and criterion not in maxima:
        raise invalid({"criterion": [f"not a manual criterion of this submission (its manual "
                                     f"criteria: {', '.join(maxima) or 'none'})"]})
    form = bind(ManualScoreForm, data,
                max_points=maxima.get(criterion, 0.0) if isinstance(criterion, str) else 0.0)
    made = ManualScore.objects.create(submission=row, criterion=form.cleaned_data["criterion"],
                                      points=form.cleaned_data["points"],
                                      notes=form.cleaned_data["notes"],
                                      scored_by=caller.reviewer)
    latest = scores.latest_manual(row.pk)
    response = JsonResponse({**serialize.manual_score(made),
                             "total": scores.total(report, latest)}, status=201)
    response["Location"] = f"/api/v1/submissions/{row.pk}/manual-scores"
    return response


upload = endpoint(get=reviewer(get_upload))
submission = endpoint(get=reviewer(get_submission))
report = endpoint(get=reviewer(get_report))
manual_scores = endpoint(get=reviewer(list_manual_scores), post=reviewer(record_manual_score))
