"""grader's schema (app label `grader`). One module per part: the graded submissions and
their blobs (`submissions`), the job queue (`jobs`), the hiring workflow (`hiring`: openings,
invites, uploads) and what reviewers record (`reviews`: manual scores, decisions, API
tokens). Reviewers are Django's auth users (admin = staff/superuser). Every blob lives in the
database, so any worker on any host can read and write it (no shared file system).
"""

from grader.db.models.hiring import Invite, Level, Opening, Upload
from grader.db.models.jobs import Job, JobState
from grader.db.models.reviews import ApiToken, Decision, ManualScore, Outcome
from grader.db.models.submissions import (
    ChallengeVersion,
    LegacyImport,
    ReportFile,
    Submission,
    SubmissionSource,
)

__all__ = ["ApiToken", "ChallengeVersion", "Decision", "Invite", "Job", "JobState",
           "LegacyImport", "Level", "ManualScore", "Opening", "Outcome", "ReportFile",
           "Submission", "SubmissionSource", "Upload"]
