"""Admin pages: users (Django's own), and grader's openings, invites, jobs and submissions
(blobs and token hashes are never shown)."""

from __future__ import annotations

from django.contrib import admin

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


@admin.register(Upload)
class UploadAdmin(admin.ModelAdmin):
    list_display = ("id", "invite", "filename", "size", "accepted", "verdict", "late_minutes",
                    "received_at")
    exclude = ("data",)
    readonly_fields = ("invite", "filename", "size", "sha256", "accepted", "verdict",
                       "message", "late_minutes", "received_at", "submission")


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("id", "state", "stage", "attempts", "worker", "queued_at", "finished_at",
                    "result")
    list_filter = ("state",)
    readonly_fields = tuple(f.name for f in Job._meta.fields)


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ("id", "challenge", "candidate", "status", "percent", "graded_at")
    list_filter = ("challenge", "status")
    search_fields = ("id", "candidate")
    exclude = ("report_json", "fingerprints")
    readonly_fields = ("id", "challenge", "candidate", "status", "percent", "points",
                       "max_points", "graded_at", "source", "sha256")


admin.site.register(ManualScore)
admin.site.register(Decision)
admin.site.site_header = "grader administration"
