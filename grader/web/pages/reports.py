"""A stored submission's report, served to reviewers: the same report.html the command line
writes (grader/report/html.py; from the store's bundle, or rendered from the stored report
JSON when the bundle is missing), under a strict Content-Security-Policy (csp.REPORT: no
script runs, whatever the candidate's text holds), and its artifacts from the store by exact
name only (nothing outside the bundle can be named), as text or a download, never as a page
the browser would run."""

from __future__ import annotations

import posixpath

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from grader.web.pages.csp import ARTIFACT, REPORT, reviewer_page
from grader.web.pages.lookup import report, store

_TEXT = (".txt", ".log", ".md", ".json", ".csv", ".py", ".yaml", ".yml", ".xml", ".html",
         ".ipynb", ".out", ".err", ".tsv")
_IMAGES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
           ".gif": "image/gif", ".webp": "image/webp"}


def _html(sub_id: str) -> bytes:
    data = store().report_file(sub_id, "report.html")
    if data is not None:
        return data
    rep = report(sub_id)
    if rep is None:
        raise Http404("no such submission")
    from grader.report.html import render_html

    return render_html(rep).encode("utf-8")


@reviewer_page
@require_GET
def report_page(request: HttpRequest, sub_id: str) -> HttpResponse:
    response = HttpResponse(_html(sub_id), content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = REPORT
    response["Referrer-Policy"] = "no-referrer"
    return response


@reviewer_page
@require_GET
def report_json(request: HttpRequest, sub_id: str) -> JsonResponse:
    rep = report(sub_id)
    if rep is None:
        raise Http404("no such submission")
    return JsonResponse(rep.to_dict(), json_dumps_params={"indent": 1})


@reviewer_page
@require_GET
def artifact(request: HttpRequest, sub_id: str, name: str) -> HttpResponse:
    data = store().report_file(sub_id, f"artifacts/{name}")   # exact name: no traversal
    if data is None:
        raise Http404("no such artifact")
    base = posixpath.basename(name) or "artifact"
    suffix = posixpath.splitext(base)[1].lower()
    if suffix in _IMAGES:
        response = HttpResponse(data, content_type=_IMAGES[suffix])
    elif suffix in _TEXT:      # a notebook's HTML too: shown as text, never run
        response = HttpResponse(data, content_type="text/plain; charset=utf-8")
    else:
        response = HttpResponse(data, content_type="application/octet-stream")
        safe = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in base)
        response["Content-Disposition"] = f'attachment; filename="{safe}"'
    response["Content-Security-Policy"] = ARTIFACT
    return response
