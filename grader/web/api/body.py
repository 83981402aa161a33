"""Request bodies, read within caps before anything is kept: a JSON object (at most 64 KiB),
and a candidate's zip, whose cap is the challenge's own archive cap (`intake.max_archive_mb`,
the same the intake applies). The declared length is checked before a byte is read (a 2 GB
upload is refused with 413 at once), and the body is read through a stream that stops one
byte past the cap, so nothing oversized is ever held, stored or passed to the intake. A zip
comes as the raw body (`curl --data-binary @work.zip -H 'Content-Type: application/zip'`)
or as the `file` field of a multipart form (`curl -F file=@work.zip`), read through the
upload page's handler (grader/web/upload_cap.py), which stops as soon as the file passes the
cap."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.http.multipartparser import MultiPartParserError

from grader.web.api.errors import ApiError
from grader.web.upload_cap import FORM_OVERHEAD, CappedUploadHandler

JSON_CAP = 64 * 1024
MIB = 1024 * 1024
_FILENAME = re.compile(r'filename\*?=(?:UTF-8\'\')?"?([^";]+)"?', re.IGNORECASE)


def declared_length(request: HttpRequest) -> int | None:
    raw = str(request.META.get("CONTENT_LENGTH") or "").strip()
    if not raw:
        return None
    try:
        length = int(raw)
    except ValueError:
        raise ApiError(400, "bad-request", "the Content-Length header is not a number") \
            from None
    if length < 0:
        raise ApiError(400, "bad-request", "the Content-Length header is negative")
    return length


def _too_large(what: str, cap: int) -> ApiError:
    size = (f"{cap / MIB:g} MiB" if cap >= MIB else f"{cap // 1024} KiB" if cap % 1024 == 0
            else f"{cap:,} bytes")
    return ApiError(413, "too-large", f"{what} is over the {size} cap: nothing was kept",
                    {"cap_bytes": cap})


def read_capped(request: HttpRequest, cap: int, what: str) -> bytes:
    """The raw body, at most `cap` bytes (413 past it, found from the declared length or
    while reading)."""
    length = declared_length(request)
    if length is not None and length > cap:
        raise _too_large(what, cap)
    chunks, total = [], 0
    while True:
        chunk = request.read(min(64 * 1024, cap + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
        if total > cap:
            raise _too_large(what, cap)
    return b"".join(chunks)


def json_object(request: HttpRequest) -> dict[str, Any]:
    """The body as a JSON object (400 when it is not one)."""
    data = read_capped(request, JSON_CAP, "the request body")
    if not data.strip():
        raise ApiError(400, "bad-request", "the request needs a JSON object as its body "
                       "(Content-Type: application/json)")
    try:
        value = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, "bad-request", f"the body is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise ApiError(400, "bad-request", "the body must be a JSON object ({...})")
    return value


@dataclass(frozen=True)
class ReceivedFile:
    filename: str
    data: bytes


def _filename(request: HttpRequest) -> str:
    found = _FILENAME.search(str(request.META.get("HTTP_CONTENT_DISPOSITION", "")))
    return found.group(1).strip() if found else "upload.zip"


def uploaded_zip(request: HttpRequest, cap: int) -> ReceivedFile:
    """The candidate's zip, raw or as the `file` field of a multipart form, within `cap`."""
    content_type = str(request.META.get("CONTENT_TYPE", "")).lower()
    length = declared_length(request)
    if length is None or length == 0:
        raise ApiError(400, "bad-request", "send the zip as the request body (with its "
                       "Content-Length), or as the 'file' field of a multipart form")
    what = "the upload"
    if not content_type.startswith("multipart/form-data"):
        return ReceivedFile(_filename(request), read_capped(request, cap, what))
    if length > cap + FORM_OVERHEAD:
        raise _too_large(what, cap)
    handler = CappedUploadHandler(cap)          # the upload page's: stops past the cap
    request.upload_handlers = [handler]
    try:
        files = request.FILES.getlist("file")
    except MultiPartParserError as exc:
        raise ApiError(400, "bad-request", f"the multipart form cannot be read: {exc}") \
            from None
    if handler.refused is not None:
        if handler.files > 1:
            raise ApiError(400, "bad-request", "the multipart form needs exactly one 'file' "
                           "field")
        raise _too_large(what, cap)
    if len(files) != 1:
        raise ApiError(400, "bad-request", "the multipart form needs exactly one 'file' "
                       f"field (found {len(files)})")
    upload = files[0]
    if upload.size is None or upload.size > cap:
        raise _too_large(what, cap)
    return ReceivedFile(upload.name or "upload.zip", upload.read())
