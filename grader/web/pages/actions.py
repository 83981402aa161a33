"""Regrading from the reviewer's pages, through the job queue: a candidate's graded upload
queued again (force: graded once more, against the challenge's current version, with the
opening's role profile), or every graded candidate of an opening. The cohort table shows the
new state live."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from grader.web.pages.csp import reviewer_page
from grader.web.pages.lookup import candidates, invite_or_404, job_queue, opening_or_404

log = logging.getLogger("grader.web")


def _requeue(upload_id: int) -> bool:
    try:
        job_queue().enqueue_upload(upload_id, force=True)
    except Exception:      # said to the reviewer; the details go to the log
        log.exception("grader: upload %s could not be queued again", upload_id)
        return False
    return True


@reviewer_page
@require_POST
def regrade_candidate(request: HttpRequest, pk: int) -> HttpResponse:
    invite = invite_or_404(pk)
    cand = candidates(invite.opening, [invite])[0]
    if cand.upload is None:
        messages.error(request, f"{invite.name} has no accepted upload: nothing to regrade.")
    elif cand.job is not None and cand.job.state in ("queued", "grading"):
        messages.info(request, f"{invite.name}'s upload is {cand.job.state_text} already.")
    elif _requeue(cand.upload.pk):
        messages.success(request, f"{invite.name}'s upload is queued to be graded again.")
    else:
        messages.error(request, "The regrade could not be queued (the job queue refused it; "
                       "the service's log says why).")
    if request.POST.get("next") == "opening":
        return redirect("opening", pk=invite.opening_id)
    return redirect("candidate", pk=pk)


@reviewer_page
@require_POST
def regrade_opening(request: HttpRequest, pk: int) -> HttpResponse:
    opening = opening_or_404(pk)
    done = failed = busy = 0
    for cand in candidates(opening):
        if cand.upload is None:
            continue
        if cand.job is not None and cand.job.state in ("queued", "grading"):
            busy += 1
        elif _requeue(cand.upload.pk):
            done += 1
        else:
            failed += 1
    if not (done or failed or busy):
        messages.error(request, "No candidate of this opening has an accepted upload: nothing "
                       "to regrade.")
    else:
        messages.success(request, f"{done} upload(s) queued to be graded again"
                         + (f"; {busy} already queued or grading" if busy else "")
                         + (f"; {failed} could not be queued (see the log)" if failed else ""))
    return redirect("opening", pk=opening.pk)
