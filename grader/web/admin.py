"""Admin pages: users (Django's own), and grader's openings, invites, jobs and submissions
(blobs and token hashes are never shown). Uploads, jobs and submissions are made by the
service (an upload through its invite, a job by the queue, a submission by a grading), never
added by hand: their add pages are closed (every field is read-only, so an empty form would
save an empty row)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from grader.db.models import Decision, Invite, Job, ManualScore, Opening, Submission, Upload


@admin.register(Opening)
class OpeningAdmin(admin.ModelAdmin):
    list_display = ("title", "challenge", "framework", "level", "window_minutes", "created_at")
    list_filter = ("challenge", "level", "archived")


@admin.register(Invite)
class InviteAdmin(admin.ModelAdmin):
    list_display = ("name", "email", "opening", "token_hint", "revoked", "downloaded_at",
                    "deadline")
    list_filter = ("revoked", "opening")
    exclude = ("token_hash",)
    readonly_fields = ("token_hint", "downloaded_at", "deadline")


class MadeByTheService(admin.ModelAdmin):
    """Rows the service makes: the admin shows and edits what is editable, never adds."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Upload)
class UploadAdmin(MadeByTheService):
    list_display = ("id", "invite", "filename", "size", "accepted", "verdict", "late_minutes",
                    "received_at")
    exclude = ("data",)
    readonly_fields = ("invite", "filename", "size", "sha256", "accepted", "verdict",
                       "message", "late_minutes", "received_at", "submission")


@admin.register(Job)
class JobAdmin(MadeByTheService):
    list_display = ("id", "state", "stage", "attempts", "worker", "queued_at", "finished_at",
                    "result")
    list_filter = ("state",)
    readonly_fields = tuple(f.name for f in Job._meta.fields)


@admin.register(Submission)
class SubmissionAdmin(MadeByTheService):
    list_display = ("id", "challenge", "candidate", "status", "percent", "graded_at")
    list_filter = ("challenge", "status")
    search_fields = ("id", "candidate")
    exclude = ("report_json", "fingerprints")
    readonly_fields = ("id", "challenge", "candidate", "status", "percent", "points",
                       "max_points", "graded_at", "source", "sha256")


admin.site.register(ManualScore)
admin.site.register(Decision)
admin.site.site_header = "grader administration"
