"""An upload handler that refuses a file past a size cap WHILE the request body is read, so
an oversized upload is never stored and memory stays bounded whatever the client sends.

Django's own handlers keep a file in memory up to FILE_UPLOAD_MAX_MEMORY_SIZE and then on
disk, whatever its size; this one replaces them for an upload view:

    request.upload_handlers = [CappedUploadHandler(cap)]   # before request.POST is read

- A request whose Content-Length already says more than the cap (plus the form's own small
  overhead) is refused at its first file byte: the form fields before the file (the CSRF
  token) are still read, the file is not.
- Otherwise the bytes are counted as they arrive and the upload stops (`StopUpload` with
  `connection_reset`: Django reads no further) as soon as they pass the cap; what was read is
  dropped. Below the cap the file is spooled (in memory up to 1 MiB, then a temporary file).
- One file per request: a second file part stops the upload too.

`refused` says why in plain words (None when the upload was taken); the view shows it. The
WSGI server has its own, larger cap on any request body (grader/web/server.py).
"""

from __future__ import annotations

import tempfile
from typing import IO, Any

from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

FORM_OVERHEAD = 64 * 1024      # the multipart headers and the small fields beside the file
SPOOL_BYTES = 1024 * 1024


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


class CappedUploadHandler(FileUploadHandler):
    """See the module's docstring."""

    chunk_size = 64 * 1024

    def __init__(self, cap: int) -> None:
        super().__init__()
        self.cap = cap
        self.refused: str | None = None
        self.rule = ""               # too-large / one-file, when refused
        self.received = 0            # file bytes read so far (all file parts)
        self.files = 0
        self.declared = 0            # the request's Content-Length
        self._spool: IO[bytes] | None = None

    def _refuse(self, size_text: str) -> StopUpload:
        self.rule = "too-large"
        self.refused = (f"Your file is too large ({size_text}): the limit for this assessment "
                        f"is {_mb(self.cap)}. Leave out data, virtual environments and build "
                        "output (the grader installs your requirements itself), then upload "
                        "again.")
        self._drop()
        return StopUpload(connection_reset=True)

    def _drop(self) -> None:
        if self._spool is not None:
            self._spool.close()
            self._spool = None

    def handle_raw_input(self, input_data: Any, META: dict[str, Any], content_length: int,
                         boundary: Any, encoding: str | None = None) -> None:
        self.declared = content_length
        return None

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.files += 1
        if self.files > 1:
            self.rule, self.refused = "one-file", "Upload one zip file at a time."
            self._drop()
            raise StopUpload(connection_reset=True)
        if self.declared > self.cap + FORM_OVERHEAD:
            raise self._refuse(f"the request says {_mb(self.declared)}")
        # closed by the view once read (UploadedFile.close), or by _drop when refused
        self._spool = tempfile.SpooledTemporaryFile(  # noqa: SIM115
            max_size=SPOOL_BYTES, prefix="grader-upload-")

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.received += len(raw_data)
        if self.received > self.cap:
            raise self._refuse(f"more than {_mb(self.cap)} were sent")
        assert self._spool is not None
        self._spool.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if self._spool is None:
            return None
        self._spool.seek(0)
        return UploadedFile(file=self._spool, name=self.file_name,
                            content_type=self.content_type, size=file_size,
                            charset=self.charset, content_type_extra=self.content_type_extra)

    def upload_interrupted(self) -> None:
        self._drop()
