"""Uploads per invite are limited on the page as on the API (issue 23 item 7): a script
looping on the candidate's upload page cannot fill the store. The page and the API share one
count per invite; past it an upload is refused with 429 in plain words before its body is
read, and another invite is not affected."""

from __future__ import annotations

import json
from typing import Any

from tests.unit.web_pages_support import client, csrf_token, invite, opening, web, zipped

__all__ = ["web"]


def _page_upload(token: str, data: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    browser = client(csrf=True)
    return browser.post(f"/invite/{token}/upload/", {
        "csrfmiddlewaretoken": csrf_token(browser, f"/invite/{token}/"),
        "file": SimpleUploadedFile("work.zip", data, "application/zip")},
        HTTP_X_REQUESTED_WITH="XMLHttpRequest")


def test_uploads_through_the_page_are_limited_per_invite_with_the_api(web: None) -> None:
    from grader.db.models import Upload
    from grader.web.api.limits import UPLOADS

    o = opening()
    a, token_a = invite(o, "Grace Hopper")
    _b, token_b = invite(o, "Alan Turing")
    no_manifest = zipped({"notes.txt": "where is submission.yaml?"})
    for n in range(UPLOADS.count - 1):
        answer = _page_upload(token_a, no_manifest)
        assert answer.status_code == 200 and not answer.json()["accepted"], n
    api = client().post(f"/api/v1/candidate/invites/{a.pk}/uploads", no_manifest,
                        content_type="application/zip", HTTP_AUTHORIZATION=f"Bearer {token_a}")
    assert api.status_code == 422                     # the last one of the hour, by the API
    kept = Upload.objects.filter(invite=a).count()
    refused = _page_upload(token_a, no_manifest)
    assert refused.status_code == 429
    said = json.loads(refused.content)["message"]
    assert said.startswith("Too many uploads for this invite") and "Traceback" not in said
    assert Upload.objects.filter(invite=a).count() == kept          # nothing read, nothing kept
    again = client().post(f"/api/v1/candidate/invites/{a.pk}/uploads", no_manifest,
                          content_type="application/zip",
                          HTTP_AUTHORIZATION=f"Bearer {token_a}")
    assert again.status_code == 429
    assert _page_upload(token_b, no_manifest).status_code == 200   # another invite is not
