"""An opening's exports: summary.csv (grader/batch.py's rows, as `grader run` writes them
for a cohort: ranked, per-criterion points, flags, the role profile's score and
recommendation) and the Gradescope results (grader/report/gradescope.py) of every graded
candidate, or of one submission."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from grader.batch import SUMMARY_CSV, write_summary
from grader.report.gradescope import to_gradescope
from grader.web.pages.csp import reviewer_page
from grader.web.pages.lookup import candidates, opening_or_404, report


def _filename(title: str, suffix: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", title).strip("-").lower()[:60] or "opening"
    return f"{slug}-{suffix}"


def _attachment(data: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@reviewer_page
@require_GET
def summary_csv(request: HttpRequest, pk: int) -> HttpResponse:
    opening = opening_or_404(pk)
    reports = [(c.report, Path(c.submission_id or str(c.invite.pk)))
               for c in candidates(opening) if c.report is not None]
    with tempfile.TemporaryDirectory(prefix="grader-summary-") as tmp:
        write_summary(Path(tmp), reports)
        data = (Path(tmp) / SUMMARY_CSV).read_bytes()
    return _attachment(data, "text/csv; charset=utf-8", _filename(opening.title, SUMMARY_CSV))


@reviewer_page
@require_GET
def gradescope_opening(request: HttpRequest, pk: int) -> HttpResponse:
    opening = opening_or_404(pk)
    out = [{"candidate": c.invite.name, "email": c.invite.email,
            "submission": c.submission_id, "results": to_gradescope(c.report)}
           for c in candidates(opening) if c.report is not None]
    return _attachment(json.dumps(out, indent=1).encode(), "application/json",
                       _filename(opening.title, "gradescope.json"))


@reviewer_page
@require_GET
def gradescope_submission(request: HttpRequest, sub_id: str) -> HttpResponse:
    rep = report(sub_id)
    if rep is None:
        raise Http404("no such submission")
    return _attachment(json.dumps(to_gradescope(rep), indent=1).encode(), "application/json",
                       f"{_filename(sub_id, 'results.json')}")
