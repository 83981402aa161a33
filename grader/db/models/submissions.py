"""Graded submissions and their blobs: the report and its scores (what `grader list/show`
print), the files as graded (for `grader regrade` and similarity excerpts), the report bundle
(report.json/.md/.html and artifacts within caps), the challenge versions' snapshots, and the
record of a store imported from before the ORM."""

from __future__ import annotations

from django.db import models


class Submission(models.Model):
    """One graded (or rejected) submission. Its id is `<candidate-slug>-<sha256 prefix>`:
    grading the same files again replaces the report (manual scores and decisions stay)."""

    id = models.CharField(primary_key=True, max_length=255)
    challenge = models.CharField(max_length=200, blank=True, db_index=True)
    candidate = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=20)          # graded / rejected / error
    percent = models.FloatField(default=0.0)
    points = models.FloatField(default=0.0)
    max_points = models.FloatField(default=0.0)
    #: the report's generated_at (ISO 8601 text, as the report says it; sorts by time)
    graded_at = models.CharField(max_length=40, db_index=True)
    source = models.TextField(blank=True)             # the path or upload it was graded from
    report_dir = models.TextField(blank=True)         # where the CLI wrote the report files
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    report_json = models.TextField()
    #: winnowing fingerprints of the candidate's own code (grader/similarity.py), as JSON
    fingerprints = models.TextField(default="{}")
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("graded_at", "id")

    def __str__(self) -> str:
        return f"{self.id} ({self.challenge}, {self.status}, {self.percent:g}%)"


class SubmissionSource(models.Model):
    """The submission's files as graded: a zip whose entries are `<submission id>/<path>`."""

    submission = models.OneToOneField(Submission, primary_key=True, on_delete=models.CASCADE,
                                      related_name="source_blob")
    data = models.BinaryField()
    size = models.BigIntegerField(default=0)
    files = models.PositiveIntegerField(default=0)


class ReportFile(models.Model):
    """One file of a submission's report bundle: `report.json`, `report.md`, `report.html`,
    `artifacts/<name>` (within the caps of grader/store.py)."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE,
                                   related_name="report_files")
    name = models.CharField(max_length=255)
    data = models.BinaryField()
    size = models.BigIntegerField(default=0)

    class Meta:
        constraints = (models.UniqueConstraint(fields=("submission", "name"),
                                               name="report_file_unique_name"),)


class ChallengeVersion(models.Model):
    """A challenge version handed out as a kit or graded against, with its snapshot (the zip
    grader/version_store.py builds): a submission made on it is graded against it later."""

    challenge = models.CharField(max_length=200, db_index=True)
    label = models.CharField(max_length=100)
    digest = models.CharField(max_length=64)
    kept_at = models.CharField(max_length=40)
    files = models.TextField(default="{}")            # kit path -> sha256, as JSON
    snapshot = models.BinaryField()
    size = models.BigIntegerField(default=0)

    class Meta:
        ordering = ("kept_at", "label")
        constraints = (models.UniqueConstraint(fields=("challenge", "digest"),
                                               name="challenge_version_unique_digest"),)

    def __str__(self) -> str:
        return f"{self.challenge} {self.label}@{self.digest[:12]}"


class LegacyImport(models.Model):
    """A store written before the ORM (SQLite tables `submissions`, `challenge_versions`,
    and sources/, versions/ beside it), imported once: this row says it was."""

    source = models.TextField(unique=True)            # the legacy database file's real path
    imported_at = models.DateTimeField(auto_now_add=True)
    submissions = models.PositiveIntegerField(default=0)
    versions = models.PositiveIntegerField(default=0)
    note = models.TextField(blank=True)
