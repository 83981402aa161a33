"""What the reviewer's pages read, in one place: the store and the job queue of the service,
an opening's candidates (each invite with its uploads, the last accepted upload (the one
graded), its job's state through the queue's interface, its report, the latest manual score
per criterion and the latest decision), and a stored report by submission id (parsed once
per version of the row)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from django.db.models import Q
from django.http import Http404

from grader.db.models import Decision, Invite, Job, ManualScore, Opening, Submission, Upload
from grader.jobs.interface import JobQueue, JobView, default_queue
from grader.report.model import Report
from grader.store import Store

_REPORTS: dict[tuple[str, str], Report] = {}
_REPORTS_LOCK = threading.Lock()
_REPORTS_KEPT = 256


def store() -> Store:
    """The service's store (its `default` database)."""
    return Store(alias="default")


def job_queue() -> JobQueue:
    return default_queue(store())


def report(submission_id: str) -> Report | None:
    """A stored report, or None (no such submission, or its JSON no longer reads)."""
    row = Submission.objects.filter(pk=submission_id).values_list(
        "report_json", "recorded_at").first()
    if row is None:
        return None
    key = (submission_id, row[1].isoformat() if row[1] else "")
    with _REPORTS_LOCK:
        found = _REPORTS.get(key)
    if found is not None:
        return found
    import json

    try:
        parsed = Report.from_dict(json.loads(row[0]))
    except ValueError:
        return None
    with _REPORTS_LOCK:
        if len(_REPORTS) >= _REPORTS_KEPT:
            _REPORTS.clear()
        _REPORTS[key] = parsed
    return parsed


def opening_or_404(pk: int) -> Opening:
    found = Opening.objects.filter(pk=pk).first()
    if found is None:
        raise Http404("no such opening")
    return found


def invite_or_404(pk: int) -> Invite:
    found = Invite.objects.select_related("opening").filter(pk=pk).first()
    if found is None:
        raise Http404("no such invite")
    return found


@dataclass
class Candidate:
    """One invite of an opening, as the reviewer's pages show it."""

    invite: Invite
    uploads: list[Upload] = field(default_factory=list)   # oldest first, bytes not loaded
    upload: Upload | None = None                          # the last accepted: the one graded
    job: JobView | None = None
    report: Report | None = None
    manual: dict[str, ManualScore] = field(default_factory=dict)  # latest per criterion
    decision: Decision | None = None

    @property
    def submission_id(self) -> str | None:
        if self.upload is not None and self.upload.submission_id:
            return str(self.upload.submission_id)
        if self.job is not None and self.job.state == "graded" and self.job.submission_id:
            return self.job.submission_id
        return None

    @property
    def refused(self) -> list[Upload]:
        return [u for u in self.uploads if not u.accepted]


def job_of(upload: Upload, queue: JobQueue | None = None) -> JobView | None:
    """The latest job grading an upload's bytes (the same bytes for the same challenge are
    one job, whichever upload queued them first)."""
    job_id = Job.objects.filter(Q(upload_id=upload.pk) | Q(
        sha256=upload.sha256, challenge=upload.challenge)).order_by(
        "-queued_at", "-id").values_list("id", flat=True).first()
    if job_id is None:
        return None
    return (queue or job_queue()).job(job_id)


def _latest_manual(submission_ids: list[str]) -> dict[str, dict[str, ManualScore]]:
    out: dict[str, dict[str, ManualScore]] = {}
    for row in ManualScore.objects.filter(submission_id__in=submission_ids).select_related(
            "scored_by").order_by("scored_at", "id"):
        out.setdefault(str(row.submission_id), {})[row.criterion] = row
    return out


def candidates(opening: Opening, invites: list[Invite] | None = None) -> list[Candidate]:
    """The opening's invites (or `invites` of it) with what the pages show of each."""
    chosen = invites if invites is not None else list(
        Invite.objects.filter(opening=opening).order_by("created_at", "id"))
    found = {i.pk: Candidate(invite=i) for i in chosen}
    for upload in Upload.objects.filter(invite_id__in=list(found)).defer("data").order_by(
            "received_at", "id"):
        cand = found[upload.invite_id]  # type: ignore[index]
        cand.uploads.append(upload)
        if upload.accepted:
            cand.upload = upload
    queue = job_queue()
    for cand in found.values():
        if cand.upload is not None:
            cand.job = job_of(cand.upload, queue)
    sub_ids = [c.submission_id for c in found.values() if c.submission_id]
    manual = _latest_manual([s for s in sub_ids if s])
    for cand in found.values():
        if cand.submission_id:
            cand.report = report(cand.submission_id)
            cand.manual = manual.get(cand.submission_id, {})
    for decision in Decision.objects.filter(invite_id__in=list(found)).select_related(
            "decided_by").order_by("decided_at", "id"):
        found[decision.invite_id].decision = decision
    return list(found.values())
